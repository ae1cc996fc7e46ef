"""Ready-made client snippets for the server's address, token and model (the app's copy
buttons and the README show the same ones)."""

from __future__ import annotations

import json


def python_snippet(url: str, token: str, model: str) -> str:
    return f'''from openai import OpenAI

client = OpenAI(base_url="{url}", api_key="{token}")
answer = client.chat.completions.create(
    model="{model}",
    messages=[{{"role": "user", "content": "Hello!"}}],
    # Sastre's extras: extra_body={{"collection": "NAME", "persona": "NAME", "save": True}}
)
print(answer.choices[0].message.content)
'''


def curl_snippet(url: str, token: str, model: str) -> str:
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": "Hello!"}]})
    return (
        f"curl {url}/chat/completions \\\n"
        f'  -H "Authorization: Bearer {token}" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        f"  -d '{body}'\n"
    )

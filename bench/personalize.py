"""Does a liked answer's style carry over to later answers? Personalized vs plain prompt.

For each scripted "user" (a style they like), a fresh data folder gets a few past
exchanges whose answers are in that style and rated thumbs-up. Then new, similar
questions are asked twice with the real default model (SmolLM2-135M, greedy): once
with personalization (liked answers come back as few-shot examples, found by vector
search over past prompts) and once without. We count how often each answer follows
the liked style.

    python bench/personalize.py [--json] [--max-tokens 48]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _starts_with_prefix(text: str) -> bool:
    return text.strip().lower().startswith("quick answer:")


def _bullets(text: str) -> bool:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return bool(lines) and sum(bool(re.match(r"^([-*•]|\d+\.)\s", ln)) for ln in lines[:3]) >= 2


def _spanish(text: str) -> bool:
    from engine.rag.lang import detect_language

    return detect_language(text) == "es"


# (style, checker, liked past exchanges, new questions)
SCRIPTS = [
    (
        "prefix 'Quick answer:'",
        _starts_with_prefix,
        [
            ("How do I boil an egg?", "Quick answer: put the egg in boiling water for 9 minutes."),
            ("How do I cook rice?", "Quick answer: simmer 1 cup of rice in 2 cups of water."),
            ("How do I make tea?", "Quick answer: pour hot water on a tea bag, wait 3 minutes."),
        ],
        [
            "How do I cook pasta?",
            "How do I fry an egg?",
            "How do I make coffee?",
            "How do I bake potatoes?",
            "How do I cook beans?",
            "How do I steam broccoli?",
            "How do I make toast?",
            "How do I grill a fish?",
        ],
    ),
    (
        "bullet list",
        _bullets,
        [
            (
                "What should I pack for a beach trip?",
                "- Sunscreen\n- Towel\n- Water bottle\n- Hat",
            ),
            ("What should I pack for a ski trip?", "- Warm jacket\n- Gloves\n- Goggles\n- Scarf"),
            ("What should I pack for a business trip?", "- Suit\n- Laptop\n- Charger\n- Notebook"),
        ],
        [
            "What should I pack for a camping trip?",
            "What should I pack for a hiking trip?",
            "What should I pack for a city trip?",
            "What should I pack for a fishing trip?",
            "What should I pack for a road trip?",
            "What should I pack for a trip to the mountains?",
            "What should I pack for a winter holiday?",
            "What should I pack for a weekend away?",
        ],
    ),
    (
        "answers in Spanish",
        _spanish,
        [
            ("What is the capital of France?", "La capital de Francia es París."),
            ("What is the capital of Italy?", "La capital de Italia es Roma."),
            ("What is the capital of Germany?", "La capital de Alemania es Berlín."),
        ],
        [
            "What is the capital of Spain?",
            "What is the capital of Portugal?",
            "What is the capital of Japan?",
            "What is the capital of Egypt?",
            "What is the capital of Canada?",
            "What is the capital of Greece?",
            "What is the capital of Peru?",
            "What is the capital of Norway?",
        ],
    ),
]


def seed_liked(store, pairs) -> None:
    from store.chats import Message

    for q, a in pairs:
        chat = store.chats.create(title=q)
        uid = store.chats.add_message(Message(None, chat, "user", q))
        aid = store.chats.add_message(Message(None, chat, "assistant", a, parent_id=uid))
        store.feedback.rate(aid, 1)


def run(max_tokens: int, embedder=None, scripts=SCRIPTS, log=print) -> dict:
    from engine.config import GenerationConfig
    from engine.context import Engine

    cfg = GenerationConfig(max_tokens=max_tokens, temperature=0.0, seed=0)
    rows = []
    totals = {"personalized": 0, "plain": 0, "n": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (style, check, liked, questions) in enumerate(scripts):
            eng = Engine(Path(tmp) / f"user{i}")
            eng.models.prepare_embedded()
            if embedder is not None:
                eng.chat.embedder = embedder
            seed_liked(eng.store, liked)
            hits = {"personalized": 0, "plain": 0}
            for q in questions:
                for mode, on in (("personalized", True), ("plain", False)):
                    res = [e for e in eng.chat.send(q, config=cfg, personalize=on, save=False)][
                        -1
                    ].result
                    ok = check(res.text)
                    hits[mode] += ok
                    n_examples = sum(p["name"] == "example" for p in res.prompt_parts)
                    log(
                        f"[{style}] {mode:<12} {'✓' if ok else '·'} ex={n_examples} "
                        f"{q!r} -> {res.text.strip()[:70]!r}"
                    )
            n = len(questions)
            rows.append({"style": style, "n": n, **hits})
            totals["personalized"] += hits["personalized"]
            totals["plain"] += hits["plain"]
            totals["n"] += n
            eng.close()
    return {"rows": rows, "totals": totals, "max_tokens": max_tokens}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-tokens", type=int, default=48)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    t0 = time.perf_counter()
    out = run(args.max_tokens, log=lambda s: print(s, file=sys.stderr))
    out["seconds"] = round(time.perf_counter() - t0, 1)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print("| liked style | questions | personalized follows it | plain follows it |")
    print("|---|---|---|---|")
    for r in out["rows"]:
        print(f"| {r['style']} | {r['n']} | {r['personalized']}/{r['n']} | {r['plain']}/{r['n']} |")
    t = out["totals"]
    print(
        f"| **all** | {t['n']} | **{t['personalized'] / t['n']:.0%}** | **{t['plain'] / t['n']:.0%}** |"
    )
    print(f"\n{out['seconds']} s, SmolLM2-135M-Instruct, greedy, max {args.max_tokens} tokens.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

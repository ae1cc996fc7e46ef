"""End to end with the real embedded model (SmolLM2-135M-Instruct, converted from its GGUF)."""

import json

import pytest

from desktop.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture
def real_cli(embedded_model, data_dir, capsys):
    """A fresh data dir whose default model is the embedded one (converted copy is shared)."""
    code = main(["models", "prepare", "--data-dir", str(data_dir)])
    assert code == 0
    capsys.readouterr()
    return data_dir


def test_default_model_answers_a_factual_question(real_cli, capsys):
    code = main(
        [
            "chat",
            "What is the capital of France?",
            "--temperature",
            "0",
            "--max-tokens",
            "30",
            "--json",
            "--data-dir",
            str(real_cli),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    assert "Paris" in result["text"]
    assert result["model"] == "SmolLM2-135M-Instruct"
    assert result["generation_tps"] > 0 and result["prompt_tokens"] > 10


def test_cover_letter_tips_stream_and_follow_up_uses_the_cache(real_cli, capsys):
    code = main(
        [
            "chat",
            "Give me three tips for writing a cover letter",
            "--max-tokens",
            "80",
            "--seed",
            "0",
            "--data-dir",
            str(real_cli),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert len(out.split()) > 20  # a real answer, not a fragment
    code = main(["chats", "show", "1", "--json", "--data-dir", str(real_cli)])
    chat = json.loads(capsys.readouterr().out)
    first = chat["messages"][1]
    assert first["content"].strip() == out.strip()
    assert first["prompt"].startswith("<|im_start|>system")
    assert first["prompt"].endswith("<|im_start|>assistant\n")

    from engine.config import GenerationConfig
    from engine.context import Engine

    eng = Engine(real_cli)
    events = list(
        eng.chat.send(
            "Make the first tip shorter.", chat_id=1, config=GenerationConfig(max_tokens=20)
        )
    )
    result = events[-1].result
    assert "cover letter" in result.prompt.lower()
    eng.close()


def test_models_list_describes_the_embedded_model(real_cli, capsys):
    main(["models", "list", "--json", "--data-dir", str(real_cli)])
    (info,) = json.loads(capsys.readouterr().out)
    assert info["name"] == "SmolLM2-135M-Instruct" and info["is_default"]
    assert info["architecture"].startswith("llama")
    assert 130e6 < info["parameters"] < 140e6
    assert info["source"] == "embedded" and info["present"]


def test_quantized_copy_of_the_embedded_model_still_answers(real_cli, capsys):
    """The 4-bit copy (the Apple-GPU form) keeps the GGUF's own 4-bit blocks."""
    code = main(
        ["models", "quantize", "SmolLM2-135M-Instruct", "--bits", "4", "--data-dir", str(real_cli)]
    )
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    main(["models", "list", "--json", "--data-dir", str(real_cli)])
    q = {m["name"]: m for m in json.loads(capsys.readouterr().out)}["SmolLM2-135M-Instruct-4bit"]
    assert q["quantization"].startswith("4-bit") and q["size_bytes"] < 200e6
    code = main(
        [
            "chat",
            "What is the capital of France?",
            "--model",
            "SmolLM2-135M-Instruct-4bit",
            "--temperature",
            "0",
            "--max-tokens",
            "12",
            "--json",
            "--no-save",
            "--data-dir",
            str(real_cli),
        ]
    )
    assert code == 0
    assert "Paris" in json.loads(capsys.readouterr().out)["text"]

"""Sampling defaults per model size and task, the loop stop, and the user's settings winning."""

import pytest

from engine import sampling
from engine.config import GenerationConfig
from engine.generate import Generator, encode, load_model, render_chat

SMALL, LARGE = 135_000_000, 7_000_000_000


def test_auto_fields_follow_the_task_and_the_model_size():
    docs = sampling.resolve(GenerationConfig(), sampling.DOCUMENTS, LARGE)
    assert docs.temperature == 0.0 and 1.0 < docs.repetition_penalty < 1.2
    small_chat = sampling.resolve(GenerationConfig(), sampling.CHAT, SMALL)
    assert small_chat.temperature == 0.0
    large_chat = sampling.resolve(GenerationConfig(), sampling.CHAT, LARGE)
    assert 0.3 <= large_chat.temperature <= 1.0
    for cfg in (docs, small_chat, large_chat):
        assert sampling.is_resolved(cfg) and cfg.max_repeats == sampling.MAX_REPEATS
    # Greedy small models loop on their own phrases: they get the stronger penalty that
    # bench/answers.py measured (0 of 51 degenerate answers at 1.15, 5 at 1.05).
    small_docs = sampling.resolve(GenerationConfig(), sampling.DOCUMENTS, SMALL)
    assert small_docs.repetition_penalty == small_chat.repetition_penalty == 1.15


def test_explicit_settings_win_over_the_auto_ones():
    saved = GenerationConfig.from_dict({"temperature": 0.9, "max_repeats": 0})
    cfg = sampling.resolve(saved, sampling.DOCUMENTS, SMALL)
    assert cfg.temperature == 0.9 and cfg.max_repeats == 0
    assert cfg.top_p == 1.0  # left on auto
    assert saved.top_p is None  # the caller's config is not changed


def test_approx_params_of_known_shapes():
    smollm2 = {
        "hidden_size": 576,
        "num_hidden_layers": 30,
        "intermediate_size": 1536,
        "vocab_size": 49152,
        "tie_word_embeddings": True,
    }
    assert 120e6 < sampling.approx_params(smollm2) < 150e6
    assert sampling.approx_params({}) is None


def test_looping_detects_a_repeated_passage_only():
    phrase = list(range(10, 18))
    assert sampling.looping([1, 2, 3] + phrase * 3)
    assert not sampling.looping([1, 2, 3] + phrase * 2)
    assert not sampling.looping(list(range(200)))
    assert not sampling.looping([5] * 10)  # "....." is not a loop yet
    assert sampling.looping([5] * 30)
    assert not sampling.looping(phrase * 5, repeats=0)


def test_generation_stops_when_the_output_loops(tiny_model_dir):
    loaded = load_model(tiny_model_dir)
    tok = loaded.tokenizer
    ids = encode(tok, render_chat(tok, [{"role": "user", "content": "go"}]))
    base = {"max_tokens": 300, "temperature": 0.0, "repetition_penalty": 1.0}
    free = list(Generator(loaded).stream(ids, GenerationConfig(**base, max_repeats=0)))
    looped = list(Generator(loaded).stream(ids, GenerationConfig(**base, max_repeats=3)))
    # A random tiny model decoding greedily falls into a loop; with the cap it ends there.
    assert sampling.looping([c.token for c in free])
    assert looped[-1].finish_reason == "repetition"
    assert len(looped) < len(free)
    assert [c.token for c in looped] == [c.token for c in free[: len(looped)]]


@pytest.mark.slow
def test_default_settings_answer_a_one_word_question(embedded_model):
    """With the old defaults (0.7 / 0.9 / 1.1 on the prompt too) the built-in model talked
    around it ("The only way to confirm the answer is: 'the capital of France.'")."""
    eng, _rec = embedded_model
    q = "What is the capital of France? Answer in one word."
    result = list(eng.chat.send(q, config=GenerationConfig(max_tokens=40, seed=0), save=False))
    answer = result[-1].result.text
    assert "paris" in answer.lower()

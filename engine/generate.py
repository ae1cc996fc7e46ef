"""Load a model and stream tokens from it, with cancel and a reusable prompt cache.

Everything here runs on the engine thread: MLX streams are thread-local, and
the Generator keeps its KV cache between calls so that a stable prefix (system
prompt, earlier turns) is not recomputed every turn.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import sampling
from engine.config import GenerationConfig
from engine.errors import ModelLoadError, UnsupportedModelError
from engine.platform import preload_blas

preload_blas()

import mlx.core as mx  # noqa: E402
from mlx_lm.generate import stream_generate  # noqa: E402
from mlx_lm.models.cache import (  # noqa: E402
    can_trim_prompt_cache,
    make_prompt_cache,
    trim_prompt_cache,
)
from mlx_lm.sample_utils import make_sampler  # noqa: E402


@dataclass
class GenerationChunk:
    """One streamed piece of an answer; the last one has finish_reason set."""

    text: str
    token: int
    prompt_tokens: int
    cached_tokens: int
    generation_tokens: int
    prompt_tps: float
    generation_tps: float
    peak_memory_mb: float
    finish_reason: str | None = None  # 'stop', 'length', 'cancelled', 'repetition'


@dataclass
class LoadedModel:
    name: str
    path: Path
    model: Any
    tokenizer: Any  # mlx_lm TokenizerWrapper
    config: dict
    adapter: str | None = None

    def __post_init__(self) -> None:
        self.hidden_texts = configure_stops(self.tokenizer)

    @property
    def n_params(self) -> int | None:
        return sampling.approx_params(self.config)

    @property
    def context_length(self) -> int:
        for key in ("max_position_embeddings", "max_seq_len", "n_positions", "seq_length"):
            if isinstance(self.config.get(key), int):
                return self.config[key]
        return 4096


def check_model_folder(path: Path) -> dict:
    """Validate a model folder before MLX sees it; return its config."""
    if not path.is_dir():
        raise ModelLoadError(
            f"Model folder {path} does not exist. Run `sastre models list` to see installed "
            "models, or `sastre models import PATH` to add one."
        )
    cfg_path = path / "config.json"
    if not cfg_path.is_file():
        raise ModelLoadError(
            f"{path} has no config.json, so it is not a Hugging Face-layout model folder. "
            "Import a folder with config.json, *.safetensors and tokenizer files, or a .gguf file."
        )
    try:
        config = json.loads(cfg_path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"{cfg_path} cannot be read ({exc}). Re-import the model.") from exc
    if not any(path.glob("*.safetensors")):
        found = sorted(p.name for p in path.glob("*.bin")) + sorted(
            p.name for p in path.glob("*.pt*")
        )
        extra = f" (found {', '.join(found[:3])}: pickle files are never loaded)" if found else ""
        raise ModelLoadError(
            f"{path} has no *.safetensors weights{extra}. Use a safetensors copy of the model."
        )
    if not ((path / "tokenizer.json").exists() or (path / "tokenizer.model").exists()):
        raise ModelLoadError(f"{path} has no tokenizer (tokenizer.json). Re-import the model.")
    model_type = config.get("model_type")
    if not model_type or not _mlx_lm_supports(model_type):
        raise UnsupportedModelError(
            f"{path}: model type '{model_type}' is not supported by the installed mlx-lm. "
            "Pick another model, or update mlx-lm."
        )
    return config


def _mlx_lm_supports(model_type: str) -> bool:
    import importlib.util

    from mlx_lm.utils import MODEL_REMAPPING

    arch = MODEL_REMAPPING.get(model_type, model_type).replace("-", "_")
    return importlib.util.find_spec(f"mlx_lm.models.{arch}") is not None


def load_model(
    path: str | Path, name: str | None = None, adapter_path: str | Path | None = None
) -> LoadedModel:
    """Load a local folder (never the hub, never pickle, never remote code)."""
    from mlx_lm.utils import load

    path = Path(path)
    config = check_model_folder(path)
    try:
        model, tokenizer = load(
            str(path),
            adapter_path=str(adapter_path) if adapter_path else None,
            trust_remote_code=False,
        )
    except (ValueError, KeyError, OSError, RuntimeError) as exc:
        # RuntimeError: MLX's own loader reporting a truncated or corrupt weights file.
        raise ModelLoadError(
            f"Could not load the model in {path}: {exc}. The folder may be incomplete or "
            "damaged; re-import or re-download it."
        ) from exc
    adapter = Path(adapter_path).name if adapter_path else None
    return LoadedModel(name or path.name, path, model, tokenizer, config, adapter)


def set_adapter(loaded: LoadedModel, adapter_path: str | Path | None) -> None:
    """Swap the LoRA adapter of a loaded model in place (None: the base model alone)."""
    from mlx_lm.tuner.utils import load_adapters, remove_lora_layers

    remove_lora_layers(loaded.model)
    if adapter_path:
        try:
            load_adapters(loaded.model, str(adapter_path))
        except (ValueError, OSError, KeyError) as exc:
            remove_lora_layers(loaded.model)
            loaded.adapter = None
            raise ModelLoadError(
                f"The adapter in {adapter_path} does not fit {loaded.name} ({exc}). "
                "Use it with the model it was trained on."
            ) from exc
    loaded.adapter = Path(adapter_path).name if adapter_path else None


def _special_tokens(tokenizer: Any) -> dict[int, str]:
    """The tokenizer's special (added, control) tokens: id -> text."""
    decoder = getattr(tokenizer, "added_tokens_decoder", None) or {}
    return {int(i): str(t) for i, t in decoder.items() if getattr(t, "special", True)}


def configure_stops(tokenizer: Any) -> tuple[str, ...]:
    """Make every end-of-turn / end-of-text token of the tokenizer stop generation, and
    return the texts of all special tokens (never shown to the user as text).

    The model's config names one eos id (SmolLM2: <|im_end|>); an adapter or a base model
    may end with another (<|endoftext|>), which would otherwise be printed and run on.
    """
    specials = _special_tokens(tokenizer)
    stops = {i for i, text in specials.items() if text in sampling.END_TOKENS}
    if hasattr(tokenizer, "eos_token_ids"):
        tokenizer.eos_token_ids = set(tokenizer.eos_token_ids) | stops
    return tuple(sorted(set(specials.values()), key=len, reverse=True))


def visible_text(text: str, hidden: tuple[str, ...]) -> str:
    """`text` without special tokens."""
    for special in hidden:
        if special in text:
            text = text.replace(special, "")
    return text


def render_chat(tokenizer: Any, messages: list[dict[str, str]]) -> str:
    """The exact text sent to the model, from the model's own chat template."""
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    # Base models without a template: a plain, readable transcript.
    lines = [f"{m['role'].capitalize()}: {m['content']}" for m in messages]
    return "\n\n".join(lines) + "\n\nAssistant:"


def encode(tokenizer: Any, text: str) -> list[int]:
    # The template already contains any BOS it wants; don't let the tokenizer add another.
    bos = getattr(tokenizer, "bos_token", None)
    add_special = bos is None or not text.startswith(bos)
    return list(tokenizer.encode(text, add_special_tokens=add_special))


def answer_repetition_penalty(penalty: float, prompt_len: int, context: int = 64):
    """A repetition penalty on the answer's own recent tokens only.

    mlx-lm's penalises the last 20 tokens fed, prompt included: the words of the
    question ("capital", "France") then become unlikely in the answer.
    """

    def processor(tokens: mx.array, logits: mx.array) -> mx.array:
        recent = tokens[prompt_len:][-context:]
        if recent.size == 0:
            return logits
        picked = logits[:, recent]
        logits[:, recent] = mx.where(picked < 0, picked * penalty, picked / penalty)
        return logits

    return processor


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


class Generator:
    """Streams answers from one loaded model, reusing the KV cache across calls."""

    def __init__(self, loaded: LoadedModel):
        self.loaded = loaded
        self._cache: list[Any] | None = None
        self._cache_tokens: list[int] = []

    def reset_cache(self) -> None:
        self._cache, self._cache_tokens = None, []

    def _reuse_cache(self, tokens: list[int]) -> int:
        """Trim the cache to the longest prefix it shares with `tokens`; return its length."""
        if self._cache is None or not can_trim_prompt_cache(self._cache):
            self._cache, self._cache_tokens = make_prompt_cache(self.loaded.model), []
        keep = _common_prefix(self._cache_tokens, tokens)
        keep = min(keep, len(tokens) - 1)  # the model must see at least one new token
        offset = self._cache[0].offset if self._cache else 0
        if offset > keep:
            trim_prompt_cache(self._cache, offset - keep)
        self._cache_tokens = self._cache_tokens[:keep]
        return keep

    def stream(
        self,
        tokens: list[int],
        config: GenerationConfig | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[GenerationChunk]:
        cfg = sampling.resolve(config, sampling.CHAT, self.loaded.n_params)
        cfg.validate()
        if not tokens:
            raise ValueError("empty prompt")
        if cfg.seed is not None:
            mx.random.seed(cfg.seed)
        mx.reset_peak_memory()
        cached = self._reuse_cache(tokens)
        sampler = make_sampler(cfg.temperature, top_p=cfg.top_p, min_p=cfg.min_p, top_k=cfg.top_k)
        new_tokens = tokens[cached:]
        processors: list = []
        if cfg.repetition_penalty != 1.0:
            processors.append(answer_repetition_penalty(cfg.repetition_penalty, len(new_tokens)))
        seen = list(tokens)
        answer: list[int] = []
        hidden = self.loaded.hidden_texts
        try:
            for resp in stream_generate(
                self.loaded.model,
                self.loaded.tokenizer,
                mx.array(new_tokens),
                max_tokens=cfg.max_tokens,
                sampler=sampler,
                logits_processors=processors,
                prompt_cache=self._cache,
            ):
                seen.append(resp.token)
                answer.append(resp.token)
                last = GenerationChunk(
                    text=visible_text(resp.text, hidden),
                    token=resp.token,
                    prompt_tokens=len(tokens),
                    cached_tokens=cached,
                    generation_tokens=resp.generation_tokens,
                    prompt_tps=resp.prompt_tps,
                    generation_tps=resp.generation_tps,
                    peak_memory_mb=resp.peak_memory * 1000,
                    finish_reason=resp.finish_reason,
                )
                if cancel is not None and cancel.is_set() and resp.finish_reason is None:
                    last.finish_reason = "cancelled"
                    yield last
                    return
                if resp.finish_reason is None and sampling.looping(answer, cfg.max_repeats):
                    last.finish_reason = "repetition"
                    yield last
                    return
                yield last
        finally:
            # The cache holds every token fed so far, whatever stopped us.
            self._cache_tokens = seen[: self._cache[0].offset] if self._cache else []

    def generate(
        self,
        tokens: list[int],
        config: GenerationConfig | None = None,
        cancel: threading.Event | None = None,
    ) -> str:
        return "".join(c.text for c in self.stream(tokens, config, cancel))

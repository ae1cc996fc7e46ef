"""Test doubles shared by the tests (and the screenshot script)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from engine.rag.lang import words


class HashEmbedder:
    """A deterministic bag-of-words embedder: hashed, signed word counts."""

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

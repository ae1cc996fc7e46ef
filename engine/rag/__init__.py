"""Retrieval over the user's own files: parse, chunk, embed, index, search, cite.

Importing this package is cheap; torch and sentence-transformers load only
when something is embedded.
"""

from engine.rag.config import DEFAULT_EMBEDDING_MODEL, RagConfig
from engine.rag.library import Library
from engine.rag.types import (
    FileOutcome,
    IndexProgress,
    IndexReport,
    Retrieval,
    SearchHit,
)

__all__ = [
    "DEFAULT_EMBEDDING_MODEL",
    "FileOutcome",
    "IndexProgress",
    "IndexReport",
    "Library",
    "RagConfig",
    "Retrieval",
    "SearchHit",
]

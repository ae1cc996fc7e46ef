"""Errors of the document library. Messages are for the user: what happened, what to do."""

from engine.errors import SastreError


class CollectionNotFoundError(SastreError):
    pass


class EmbeddingModelError(SastreError):
    """An embedding model cannot be found or loaded."""


class EmbeddingModelMismatchError(SastreError):
    """A collection was built with another embedding model than the one asked for."""


class DocumentNotFoundError(SastreError):
    pass


class IndexPathError(SastreError):
    """A path given to `index` or `watch` does not exist and was never indexed."""

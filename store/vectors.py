"""sqlite-vec in one place: the float32 blob format of a vector and the vec0 table
every vector store uses (one fixed dimension, cosine distance)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def vector_blob(vector: Sequence[float] | np.ndarray) -> bytes:
    """A vector as sqlite-vec's float32 blob."""
    return np.ascontiguousarray(vector, dtype=np.float32).reshape(-1).tobytes()


def blob_vector(blob: bytes) -> np.ndarray:
    """The float32 vector of a blob written by vector_blob (read-only view)."""
    return np.frombuffer(blob, dtype=np.float32)


def create_vec_table(conn, name: str, dimension: int, *, if_not_exists: bool = False) -> None:
    """A vec0 table of `dimension`-float embeddings compared by cosine distance."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a table name: {name!r}")
    exists = " IF NOT EXISTS" if if_not_exists else ""
    conn.execute(
        f"CREATE VIRTUAL TABLE{exists} {name} USING vec0("
        f"embedding float[{int(dimension)}] distance_metric=cosine)"
    )

"""Atomic writes: temp file in the same folder, fsync, rename, fsync the folder.

An interrupted save leaves the previous file whole (rename is atomic on POSIX
and on APFS), so a crash mid-save never damages an adapter or checkpoint.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open folders; the rename is still atomic
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace(tmp: Path, path: Path) -> None:
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def save_safetensors(
    path: str | Path, arrays: dict[str, Any], metadata: dict | None = None
) -> None:
    import mlx.core as mx

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.safetensors")  # mx wants the suffix
    try:
        mx.save_safetensors(str(tmp), arrays, metadata=metadata or {})
        _replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(path: str | Path, data: Any) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        _replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)

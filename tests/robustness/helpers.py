"""Shared by the robustness battery: run the real CLI in a child process, craft bad files."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = "import sys; from desktop.cli import main; sys.exit(main(sys.argv[1:]))"


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def run_cli(*args, timeout: float = 120, **popen) -> subprocess.CompletedProcess:
    """`sastre ARGS` in a fresh process: a native crash shows as a negative return code."""
    return subprocess.run(
        [sys.executable, "-c", CLI, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(),
        cwd=ROOT,
        **popen,
    )


def gguf_header(n_tensors: int, n_kv: int, version: int = 3) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, n_tensors, n_kv)


def gguf_string(text: str | bytes, length: int | None = None) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(raw) if length is None else length) + raw


def gguf_with_tensor(n_dims: int, dims: list[int], offset: int = 0, kind: int = 0) -> bytes:
    """A GGUF holding one tensor entry, to test the tensor table checks."""
    body = gguf_header(1, 1)
    body += gguf_string("general.architecture") + struct.pack("<I", 8) + gguf_string("llama")
    body += gguf_string("token_embd.weight") + struct.pack("<I", n_dims)
    body += b"".join(struct.pack("<Q", d) for d in dims)
    body += struct.pack("<IQ", kind, offset)
    body += b"\0" * (-len(body) % 32) + b"\0" * 64
    return body


def safetensors_bytes(header: bytes, data: bytes = b"") -> bytes:
    return struct.pack("<Q", len(header)) + header + data


def crash_on_boom(data: bytes, path: str, fmt: str):
    """A parser (for parse_fn) that dies like a native crash on files named *boom*."""
    from engine.rag.parse import parse_bytes

    if "boom" in os.path.basename(path):
        os.abort()
    return parse_bytes(data, path, fmt)

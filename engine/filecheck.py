"""Check untrusted model files (GGUF, safetensors) in pure Python before a native loader runs.

MLX's loaders trust the lengths, counts and offsets written in a file: a crafted
GGUF with a 2**40-byte key length crashed the process (SIGSEGV) and 200 tensor
dimensions tripped an assert (SIGABRT). Everything a loader will follow is
bounded here against the file's real size first; a bad file costs one line.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import BinaryIO

from engine.errors import ModelLoadError

GGUF_MAX_DIMS = 4  # ggml's GGML_MAX_DIMS
_MAX_NESTING = 3  # arrays of arrays: real files use 1
_MAX_NAME = 1 << 16  # keys and tensor names are short identifiers
# GGUF metadata value types: struct format of fixed-size ones; 8 = string, 9 = array.
_SCALARS = {
    0: "B",
    1: "b",
    2: "H",
    3: "h",
    4: "I",
    5: "i",
    6: "f",
    7: "?",
    10: "Q",
    11: "q",
    12: "d",
}
_STRING, _ARRAY = 8, 9


class BadModelFile(ModelLoadError):
    """A model file whose structure is damaged or hostile (message names the file and why)."""


class _Reader:
    """Bounded reads: every length is checked against what is left of the file."""

    def __init__(self, f: BinaryIO, size: int, name: str):
        self.f, self.size, self.name = f, size, name

    @property
    def left(self) -> int:
        return self.size - self.f.tell()

    def bad(self, what: str) -> BadModelFile:
        return BadModelFile(
            f"{self.name}: the file is incomplete or damaged ({what}). "
            "Download it again; nothing was imported."
        )

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or n > self.left:
            raise self.bad(f"{what} claims {n} bytes but only {self.left} remain")
        return self.f.read(n)

    def unpack(self, fmt: str, what: str) -> int | float | bool:
        return struct.unpack("<" + fmt, self.take(struct.calcsize(fmt), what))[0]

    def skip(self, n: int, what: str) -> None:
        if n < 0 or n > self.left:
            raise self.bad(f"{what} claims {n} bytes but only {self.left} remain")
        self.f.seek(n, 1)

    def string(self, what: str, limit: int | None = None) -> bytes:
        n = int(self.unpack("Q", f"length of {what}"))
        if limit is not None and n > limit:
            raise self.bad(f"{what} is {n} bytes long")
        return self.take(n, what)


def _gguf_value(r: _Reader, kind: int, key: str, depth: int = 0) -> object:
    """Read (small values) or skip (strings, arrays) one metadata value."""
    if kind in _SCALARS:
        return r.unpack(_SCALARS[kind], f"value of {key}")
    if kind == _STRING:
        n = int(r.unpack("Q", f"length of {key}"))
        if n <= 4096:
            return r.take(n, f"value of {key}").decode("utf-8", "replace")
        r.skip(n, f"value of {key}")
        return None
    if kind == _ARRAY:
        if depth >= _MAX_NESTING:
            raise r.bad(f"{key} nests arrays more than {_MAX_NESTING} deep")
        item = int(r.unpack("I", f"type of {key}"))
        count = int(r.unpack("Q", f"length of {key}"))
        if item in _SCALARS:
            r.skip(count * struct.calcsize(_SCALARS[item]), f"array {key}")
            return None
        if item not in (_STRING, _ARRAY):
            raise r.bad(f"{key} has items of unknown type {item}")
        if count * 8 > r.left:  # each string or array item is at least 8 bytes
            raise r.bad(f"array {key} claims {count} items")
        for _ in range(count):
            _gguf_value(r, item, key, depth + 1)
        return None
    raise r.bad(f"{key} has unknown value type {kind}")


def _type_sizes() -> dict[int, tuple[int, int]]:
    from gguf import GGML_QUANT_SIZES  # the gguf package: pure Python tables

    return {int(t): size for t, size in GGML_QUANT_SIZES.items()}


def check_gguf(path: str | Path) -> None:
    """Raise BadModelFile unless header, metadata and tensor table fit inside the file."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as f:
        r = _Reader(f, size, path.name)
        if size < 4 or f.read(4) != b"GGUF":
            raise r.bad("it does not start with 'GGUF'")
        version = int(r.unpack("I", "version"))
        if version not in (2, 3):
            raise r.bad(f"GGUF version {version}; Sastre reads versions 2 and 3")
        n_tensors = int(r.unpack("Q", "tensor count"))
        n_kv = int(r.unpack("Q", "metadata count"))
        # A key-value takes at least 13 bytes and a tensor entry at least 28.
        if n_kv * 13 > r.left or n_tensors * 28 > r.left:
            raise r.bad(f"it claims {n_kv} metadata entries and {n_tensors} tensors")
        alignment = 32
        for _ in range(n_kv):
            key = r.string("a metadata key", _MAX_NAME).decode("utf-8", "replace")
            value = _gguf_value(r, int(r.unpack("I", f"type of {key}")), key)
            if key == "general.alignment":
                if not isinstance(value, int) or value <= 0 or value & (value - 1):
                    raise r.bad(f"general.alignment is {value!r}, not a power of two")
                alignment = value
        tensors = [_gguf_tensor(r, _type_sizes()) for _ in range(n_tensors)]
        data_start = -(-f.tell() // alignment) * alignment
    for name, offset, nbytes in tensors:
        if offset % alignment or data_start + offset + nbytes > size:
            raise r.bad(
                f"tensor '{name}' lies outside the file (offset {offset}, {nbytes} bytes, "
                f"file {size} bytes): the file is cut off or damaged"
            )


def _gguf_tensor(r: _Reader, sizes: dict[int, tuple[int, int]]) -> tuple[str, int, int]:
    name = r.string("a tensor name", _MAX_NAME).decode("utf-8", "replace")
    n_dims = int(r.unpack("I", f"dimensions of {name}"))
    if not 1 <= n_dims <= GGUF_MAX_DIMS:
        raise r.bad(f"tensor '{name}' has {n_dims} dimensions (at most {GGUF_MAX_DIMS})")
    dims = [int(r.unpack("Q", f"shape of {name}")) for _ in range(n_dims)]
    kind = int(r.unpack("I", f"type of {name}"))
    offset = int(r.unpack("Q", f"offset of {name}"))
    if kind not in sizes:
        raise r.bad(f"tensor '{name}' has unknown type {kind}")
    count = 1
    for d in dims:
        count *= d
    block, block_bytes = sizes[kind]
    if count == 0 or dims[0] % block:
        raise r.bad(f"tensor '{name}' has shape {dims}, impossible for its type")
    return name, offset, count // block * block_bytes


# --------------------------------------------------------------------------- safetensors

_ST_DTYPES = {
    "BOOL": 1,
    "U8": 1,
    "I8": 1,
    "F8_E4M3": 1,
    "F8_E5M2": 1,
    "U16": 2,
    "I16": 2,
    "F16": 2,
    "BF16": 2,
    "U32": 4,
    "I32": 4,
    "F32": 4,
    "U64": 8,
    "I64": 8,
    "F64": 8,
}
_ST_MAX_HEADER = 100 * 2**20  # the format's own limit (safetensors refuses larger headers)


def check_safetensors(path: str | Path) -> dict[str, tuple[str, list[int]]]:
    """Tensor dtypes and shapes, after checking header and data fit the file exactly."""
    path = Path(path)
    size = path.stat().st_size

    def bad(what: str) -> BadModelFile:
        return BadModelFile(
            f"{path.name}: not a valid safetensors file ({what}). The file is damaged or "
            "incomplete: download or copy it again; nothing was imported."
        )

    if size < 8:
        raise bad(f"it is only {size} bytes long")
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        if n > min(size - 8, _ST_MAX_HEADER):
            raise bad(f"its header claims {n} bytes but the file has {size}")
        raw = f.read(n)
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise bad(f"its header is not valid JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise bad("its header is not a JSON object")
    data_size, out, spans = size - 8 - n, {}, []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        out[name] = _st_entry(name, info, data_size, bad)
        spans.append((*info["data_offsets"], name))
    end = 0
    for start, stop, name in sorted(spans):
        if start < end:
            raise bad(f"tensor '{name}' overlaps another one")
        end = stop
    return out


def _st_entry(name: str, info: object, data_size: int, bad) -> tuple[str, list[int]]:
    if not isinstance(info, dict):
        raise bad(f"entry '{name}' is not an object")
    dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
    if dtype not in _ST_DTYPES:
        raise bad(f"tensor '{name}' has unknown dtype {dtype!r}")
    ints = (list, tuple)
    if not isinstance(shape, ints) or not all(type(d) is int and d >= 0 for d in shape):
        raise bad(f"tensor '{name}' has an invalid shape {shape!r}")
    if not (
        isinstance(offsets, ints) and len(offsets) == 2 and all(type(o) is int for o in offsets)
    ):
        raise bad(f"tensor '{name}' has invalid data offsets {offsets!r}")
    start, stop = offsets
    count = 1
    for d in shape:
        count *= d
    if not 0 <= start <= stop or stop - start != count * _ST_DTYPES[dtype]:
        raise bad(f"tensor '{name}' has offsets {offsets} that do not match its shape {shape}")
    if stop > data_size:
        raise bad(
            f"tensor '{name}' ends at byte {stop} but the data holds {data_size}: "
            "the file is cut off"
        )
    return dtype, list(shape)

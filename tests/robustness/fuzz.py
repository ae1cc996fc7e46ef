"""A mutation fuzzer over seed PDF, DOCX, HTML, Markdown, text, GGUF, safetensors and JSONL.

Every input must end indexed, skipped with a reason, or refused with a clear
message: a parser crash, a hang (timeout) or an uncaught exception ("parser
error", "unexpected") is a finding. Documents go through the real indexing path
(worker processes); model files through the pure-Python checks, then the ones
that pass are loaded by MLX in a child process (a native crash shows there);
datasets through the importer.
"""

from __future__ import annotations

import json
import random
import struct
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.robustness.helpers import ROOT, child_env

DOC_FORMATS = ("pdf", "docx", "html", "md", "txt")
MODEL_FORMATS = ("gguf", "safetensors")
_INTERESTING = [
    b"\x00",
    b"\xff",
    b"\x7f",
    b"\x80",
    b"\xff" * 8,
    struct.pack("<Q", 2**62),
    struct.pack("<Q", 2**40),
    struct.pack("<I", 2**31),
    b"\x00" * 8,
    b"(",
    b"<",
    b"{",
    b"[" * 64,
    b"obj",
    b"endobj",
    b"stream",
    b"%PDF",
    b"PK\x03\x04",
]


@dataclass
class FuzzStats:
    cases: Counter = field(default_factory=Counter)  # format -> cases run
    outcomes: Counter = field(default_factory=Counter)  # indexed/skipped/failed/refused/ok
    findings: list[str] = field(default_factory=list)  # crash, hang, unexpected error

    @property
    def total(self) -> int:
        return sum(self.cases.values())


# --------------------------------------------------------------------------- seeds


def seeds(folder: Path) -> dict[str, bytes]:
    from tests.fixtures import docs

    folder.mkdir(parents=True, exist_ok=True)
    pdf = docs.make_pdf(folder / "s.pdf", ["Moths and traps. " * 20, "Page two: ledger."])
    docx = docs.make_docx(folder / "s.docx", [("Intro", ["A paragraph.", "Another one."])])
    html = b"<html><head><title>T</title></head><body><h1>H</h1><p>Para &amp; more</p>" + (
        b"<ul><li>a</li><li>b</li></ul><pre>code</pre></body></html>"
    )
    md = b"---\ntitle: x\n---\n# Title\n\nSome text.\n\n```py\nprint(1)\n```\n\n## Two\n\nEnd.\n"
    rows = [
        {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]},
        {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]},
    ]
    return {
        "pdf": pdf.read_bytes(),
        "docx": docx.read_bytes(),
        "html": html,
        "md": md,
        "txt": "Plain text, café, naïve.\n\nSecond paragraph.\n".encode(),
        "gguf": _seed_gguf(folder / "s.gguf"),
        "safetensors": _seed_safetensors(),
        "jsonl": "\n".join(json.dumps(r) for r in rows).encode(),
    }


def _seed_gguf(path: Path) -> bytes:
    import gguf
    import numpy as np

    w = gguf.GGUFWriter(str(path), "llama")
    w.add_block_count(1)
    w.add_token_list(["a", "b", "c"])
    w.add_tensor("token_embd.weight", np.arange(64, dtype=np.float32).reshape(2, 32))
    w.add_tensor("output_norm.weight", np.ones(32, dtype=np.float16))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path.read_bytes()


def _seed_safetensors() -> bytes:
    header = {
        "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
        "b": {"dtype": "F16", "shape": [4], "data_offsets": [16, 24]},
        "__metadata__": {"format": "mlx"},
    }
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + bytes(range(24))


# --------------------------------------------------------------------------- mutation


def mutate(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    """One to four random edits: flips, interesting values, cuts, inserts, repeats, splices."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        n = len(buf)
        op = rng.randrange(7)
        pos = rng.randrange(n) if n else 0
        if op == 0 and n:
            buf[pos] ^= 1 << rng.randrange(8)
        elif op == 1 and n:
            value = rng.choice(_INTERESTING)
            buf[pos : pos + len(value)] = value
        elif op == 2:
            del buf[pos:]  # truncate
        elif op == 3:
            buf[pos:pos] = rng.randbytes(rng.randint(1, 64))
        elif op == 4 and n:
            end = min(n, pos + rng.randint(1, 256))
            buf[pos:pos] = buf[pos:end] * rng.randint(2, 50)
        elif op == 5 and n:
            del buf[pos : pos + rng.randint(1, 128)]
        elif op == 6 and others:
            other = rng.choice(others)
            cut = rng.randrange(len(other)) if other else 0
            buf[pos:] = other[cut:]
    return bytes(buf)


# --------------------------------------------------------------------------- running


def fuzz_documents(work: Path, per_format: int, seed: int, stats: FuzzStats) -> None:
    """Mutated documents through Library.index (worker processes), one folder per batch."""
    from engine.rag import Library, RagConfig
    from store import Store
    from tests.fakes import HashEmbedder

    rng = random.Random(seed)
    base = seeds(work / "seeds")
    others = list(base.values())
    folder = work / "docs"
    folder.mkdir()
    for fmt in DOC_FORMATS:
        for i in range(per_format):
            (folder / f"case{i:05}.{fmt}").write_bytes(mutate(base[fmt], rng, others))
            stats.cases[fmt] += 1
    store = Store.open(work / "data")
    lib = Library(
        store,
        work / "data",
        config=RagConfig(workers=2, parse_timeout_s=30.0),
        embedder_factory=lambda name: HashEmbedder(32, model_id="test/hash-32"),
    )
    try:
        report = lib.index([folder])
    finally:
        store.close()
    for f in report.files:
        stats.outcomes[f.status] += 1
        reason = f.reason or ""
        if f.status == "failed" and (
            "crashed" in reason or "longer than" in reason or reason.startswith("parser error")
        ):
            stats.findings.append(f"{Path(f.path).name}: {reason}")
        elif f.status in ("skipped", "failed") and not reason:
            stats.findings.append(f"{Path(f.path).name}: {f.status} without a reason")


def fuzz_models(work: Path, per_format: int, seed: int, stats: FuzzStats) -> None:
    """Mutated GGUF/safetensors: the check refuses (BadModelFile) or MLX loads them safely."""
    from engine.filecheck import BadModelFile, check_gguf, check_safetensors

    rng = random.Random(seed + 1)
    base = seeds(work / "mseeds")
    passed: list[Path] = []
    folder = work / "models"
    folder.mkdir()
    for fmt, check in (("gguf", check_gguf), ("safetensors", check_safetensors)):
        for i in range(per_format):
            path = folder / f"case{i:05}.{fmt}"
            path.write_bytes(mutate(base[fmt], rng, [base[fmt]]))
            stats.cases[fmt] += 1
            try:
                check(path)
            except BadModelFile:
                stats.outcomes["refused"] += 1
                continue
            except Exception as exc:  # noqa: BLE001 - any other exception is a finding
                stats.findings.append(f"{path.name}: {type(exc).__name__}: {exc}")
                continue
            passed.append(path)
    _load_in_child(passed, stats)


_LOADER = """
import sys, mlx.core as mx
for path in sys.argv[1:]:
    print(path, flush=True)
    try:
        mx.load(path, return_metadata=True)
    except Exception:
        pass
print("DONE", flush=True)
"""


def _load_in_child(paths: list[Path], stats: FuzzStats) -> None:
    """MLX loads what the checks let through; a native crash names the file that caused it."""
    while paths:
        proc = subprocess.run(
            [sys.executable, "-c", _LOADER, *map(str, paths)],
            capture_output=True,
            text=True,
            env=child_env(),
            cwd=ROOT,
            timeout=600,
        )
        lines = proc.stdout.split()
        if proc.returncode == 0 and lines[-1:] == ["DONE"]:
            stats.outcomes["loaded"] += len(paths)
            return
        bad = Path(lines[-1]) if lines else paths[0]
        stats.findings.append(f"{bad.name}: MLX died loading it (exit {proc.returncode})")
        paths = paths[paths.index(bad) + 1 :] if bad in paths else paths[1:]


def fuzz_jsonl(work: Path, cases: int, seed: int, stats: FuzzStats) -> None:
    from engine.train.datasets import DatasetError, read_jsonl

    rng = random.Random(seed + 2)
    base = seeds(work / "jseeds")["jsonl"]
    path = work / "case.jsonl"
    for _ in range(cases):
        path.write_bytes(mutate(base, rng, [base]))
        stats.cases["jsonl"] += 1
        try:
            read_jsonl(path)
            stats.outcomes["ok"] += 1
        except DatasetError:
            stats.outcomes["refused"] += 1
        except Exception as exc:  # noqa: BLE001
            stats.findings.append(f"jsonl: {type(exc).__name__}: {exc}")

"""The load run's crash in a few seconds: the app's job traffic, without the models.

The full load run aborted after 9 minutes with "Fatal Python error: none_dealloc".
This child does what the app did then, only faster: jobs on the worker pool search
and write one Store (the shared connection) and stream tokens, a job on the engine
thread streams tokens, and the GUI thread appends every token to a text view. With
a PySide6 build that drops a reference on each call (desktop/pyside_refs.py) the
process aborts once it has made more calls than None or True had references; by
default it makes a quarter more than that. Exit status 0 and "ok" on stdout mean it survived.

    python -X faulthandler -m tests.robustness.qt_stress              # CI size
    python -X faulthandler -m tests.robustness.qt_stress --seconds 60 # on demand
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def _store_jobs(store, rng_seed: int):
    """A search job and a write job on one collection, like the load run's."""
    import numpy as np

    from store.documents import NewChunk

    col = store.documents.create_collection("stress", "test/hash-8", 8, 256, 32)
    rng = np.random.default_rng(rng_seed)
    counter = iter(range(10**9))

    def write(h) -> None:
        n = next(counter)
        texts = [f"orchard moth trap {n} {i}" for i in range(8)]
        chunks = [NewChunk(i, t, None, None, 0, len(t), 5) for i, t in enumerate(texts)]
        vectors = rng.standard_normal((8, 8)).astype(np.float32)
        store.documents.write_document(
            col,
            f"/stress/doc{n % 50}.md",  # rewrites too: deletes old chunks and vectors
            format="markdown",
            title=None,
            size=1,
            mtime_ns=n,
            content_hash=str(n),
            pages=None,
            chunks=chunks,
            vectors=vectors,
        )
        h.token("w")

    def search(h) -> None:
        hits = store.documents.knn(col, rng.standard_normal(8).astype(np.float32), 5)
        words = store.documents.bm25(col, "moth", 5, (1.0, 1.0, 1.0))
        rows = store.documents.chunks([i for i, _ in hits + words])
        for row in rows.values():
            h.token(row.text[:1])
        return None

    return write, search


def run(seconds: float | None, tokens: int | None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QPlainTextEdit

    from desktop.app import application
    from desktop.engine_thread import EngineService
    from store import Store

    # What a faulty build must wear down before the process aborts: it loses at least
    # one reference to each per token (an emit, an insertPlainText).
    budget = int(1.25 * max(sys.getrefcount(None), sys.getrefcount(True)))
    target = tokens if tokens is not None else budget
    app = application()
    service = EngineService()
    store = Store.open(Path(tempfile.mkdtemp(prefix="sastre-stress-")))
    write, search = _store_jobs(store, 0)
    view = QPlainTextEdit()
    seen = {"tokens": 0, "jobs": 0}

    def on_token(text: str) -> None:
        seen["tokens"] += 1
        view.insertPlainText(text)
        if seen["tokens"] % 2000 == 0:
            view.clear()

    def stream(h) -> None:
        for _ in range(200):
            h.token("t")
            h.progress("streaming", 0.5)
        return None

    def submit(name: str, fn, engine: bool) -> None:
        job = service.submit(name, fn, engine=engine)
        job.token.connect(on_token)
        job.done.connect(lambda: seen.__setitem__("jobs", seen["jobs"] - 1))
        seen["jobs"] += 1

    t0 = time.monotonic()
    end = t0 + seconds if seconds else None
    while True:
        done = seen["tokens"] >= target if end is None else time.monotonic() >= end
        if done and not seen["jobs"]:
            break
        if not done and seen["jobs"] < 6:
            submit("search", search, engine=False)
            submit("write", write, engine=False)
            submit("answer", stream, engine=True)
        app.processEvents()
    service.shutdown()
    store.close()
    print(f"ok: {seen['tokens']} tokens in {time.monotonic() - t0:.1f} s (budget {budget})")
    return 0


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.robustness.qt_stress")
    p.add_argument("--seconds", type=float, help="Run this long instead of the CI size.")
    p.add_argument("--tokens", type=int, help="Stop after this many tokens (default: 1.25 x refs).")
    args = p.parse_args(argv)
    return run(args.seconds, args.tokens)


if __name__ == "__main__":
    from engine.platform import preload_blas

    preload_blas()
    sys.exit(main(sys.argv[1:]))

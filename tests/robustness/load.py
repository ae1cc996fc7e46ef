"""Load: the desktop app indexes a big folder and searches a big collection while it generates.

The real main window runs (offscreen); a 5 ms timer on the GUI thread records the
longest gap between its ticks (an event-loop stall: the window would freeze for
that long). Meanwhile, as the app does it: a folder of N generated files is
indexed on the worker pool, a collection of M chunks is searched every 200 ms,
and the engine thread generates answers that stream into a text view. Reported:
the longest and 99th-percentile stall, peak RSS of the app and of its parser
workers, and how long each part took.

    python -m tests.robustness.load --files 10000 --chunks 100000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "orchard moth trap pheromone lighthouse keeper ship log river bank ledger harvest "
    "apple pear frost spray season report count rose fell"
).split()


def make_folder(folder: Path, n: int, rng: random.Random) -> None:
    folder.mkdir(parents=True)
    for i in range(n):
        sub = folder / f"d{i // 500:03}"
        sub.mkdir(exist_ok=True)
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 300)))
        (sub / f"note{i:05}.md").write_text(f"# Note {i}\n\n{words}\n")


def fill_collection(store, name: str, chunks: int, rng: random.Random, dim: int = 64) -> None:
    """A collection of `chunks` chunks written the way indexing writes them (100 per document)."""
    import numpy as np

    from store.documents import NewChunk

    col = store.documents.create_collection(name, "test/hash-64", dim, 256, 32)
    per_doc = 100
    for d in range(chunks // per_doc):
        texts = [" ".join(rng.choice(WORDS) for _ in range(60)) for _ in range(per_doc)]
        new = [NewChunk(i, t, None, None, 0, len(t), 60) for i, t in enumerate(texts)]
        vectors = np.random.default_rng(d).standard_normal((per_doc, dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.documents.write_document(
            col,
            f"/load/doc{d:06}.md",
            format="markdown",
            title=f"doc {d}",
            size=1,
            mtime_ns=1,
            content_hash=f"h{d}",
            pages=None,
            chunks=new,
            vectors=vectors,
        )


def run(work: Path, files: int, chunks: int, answers: int) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QPlainTextEdit

    from desktop.app import application, build_context, create_window
    from engine.config import GenerationConfig
    from engine.context import Engine
    from engine.rag import Library, RagConfig
    from tests.fakes import HashEmbedder
    from tests.robustness.crash import setup_models

    rng = random.Random(0)
    t0 = time.monotonic()
    data = setup_models(work)
    make_folder(work / "docs", files, rng)
    engine = Engine(data)
    fill_collection(engine.store, "big", chunks, rng)
    prep_s = time.monotonic() - t0
    engine._library = Library(
        engine.store,
        data,
        config=RagConfig(workers=2),
        embedder_factory=lambda name: HashEmbedder(64, model_id="test/hash-64"),
    )
    app = application()
    ctx = build_context(engine, app)
    window = create_window(ctx)
    window.show()
    view = QPlainTextEdit()
    view.show()

    gaps: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]

    def tick() -> None:
        now = clock.nsecsElapsed()
        gaps.append((now - last[0]) / 1e6)
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    times: dict[str, float] = {}
    state = {"indexing": True, "answers": 0, "searches": 0}

    index_t0 = time.monotonic()
    job = ctx.service.submit(
        "index",
        lambda h: engine.library.index([work / "docs"], "load10k", cancel=h.cancel),
        engine=False,
    )
    job.done.connect(
        lambda: (
            state.update(indexing=False),
            times.__setitem__("index_s", time.monotonic() - index_t0),
        )
    )

    def generate(h):
        config = GenerationConfig.from_dict({"max_tokens": 64, "temperature": 0.7})
        for ev in engine.chat.send(
            "tell me about the orchard", config=config, save=False, personalize=False
        ):
            if ev.text:
                h.token(ev.text)

    def next_answer() -> None:
        if state["answers"] >= answers and not state["indexing"]:
            return
        g = ctx.service.submit("answer", generate)
        g.token.connect(view.insertPlainText)
        g.done.connect(lambda: (state.update(answers=state["answers"] + 1), next_answer()))

    def search() -> None:
        if state["indexing"]:
            s = ctx.service.submit(
                "search", lambda h: engine.library.search("moth trap", "big", k=10), engine=False
            )
            s.done.connect(lambda: state.update(searches=state["searches"] + 1))

    searcher = QTimer()
    searcher.setInterval(200)
    searcher.timeout.connect(search)
    searcher.start()
    next_answer()
    deadline = time.monotonic() + 3600
    while (state["indexing"] or state["answers"] < answers) and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    searcher.stop()
    report = engine.library.collection("load10k")
    counts = engine.store.documents.consistency(report)
    ctx.service.shutdown()
    engine.close()
    steady = sorted(gaps[20:]) or [0.0]  # the first ticks include the window's first paint
    return {
        "files": files,
        "chunks_in_big_collection": chunks,
        "indexed_chunks": counts["chunks"],
        "answers": state["answers"],
        "searches": state["searches"],
        "longest_stall_ms": round(steady[-1], 1),
        "p99_stall_ms": round(steady[int(len(steady) * 0.99) - 1], 1),
        "ticks": len(gaps),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_rss_workers_mb": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        ),
        "prepare_s": round(prep_s, 1),
        "index_s": round(times.get("index_s", -1), 1),
    }


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.robustness.load")
    p.add_argument("--files", type=int, default=10_000)
    p.add_argument("--chunks", type=int, default=100_000)
    p.add_argument("--answers", type=int, default=5, help="At least this many answers.")
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="sastre-load-"))
    print(json.dumps(run(work, args.files, args.chunks, args.answers), indent=2))
    return 0


if __name__ == "__main__":
    from engine.platform import preload_blas

    preload_blas()
    sys.exit(main(sys.argv[1:]))

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


class StallSampler:
    """A watcher thread: while the GUI thread is late for its tick, sample its stack.

    What a stall was doing is the stack seen most often during it (sys._current_frames).
    """

    def __init__(self, late_ms: float = 40.0):
        import threading

        self.main = threading.get_ident()
        self.late_s = late_ms / 1000
        self.last = time.monotonic()
        self.samples: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def tick(self) -> None:
        self.last = time.monotonic()

    def start(self) -> None:
        self.gc_pauses()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        import threading
        import traceback

        while not self._stop.wait(0.01):
            if time.monotonic() - self.last < self.late_s:
                continue
            frames = sys._current_frames()
            for ident, frame in frames.items():
                if ident == threading.get_ident():
                    continue
                stack = traceback.extract_stack(frame)[-6:]
                key = ("GUI " if ident == self.main else "other ") + " <- ".join(
                    f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(stack)
                )
                self.samples[key] = self.samples.get(key, 0) + 1

    def gc_pauses(self) -> None:
        import gc

        started = {}

        def callback(phase: str, info: dict) -> None:
            if phase == "start":
                started["t"] = time.monotonic()
            elif "t" in started:
                ms = (time.monotonic() - started.pop("t")) * 1000
                if ms > 20:
                    key = f"gc generation {info['generation']} over 20 ms"
                    self.samples[key] = self.samples.get(key, 0) + round(ms / 10)

        gc.callbacks.append(callback)

    def top(self, n: int = 25) -> list[tuple[int, str]]:
        """The stacks seen most while the GUI thread was late (10 ms per sample)."""
        return sorted(((c, k) for k, c in self.samples.items()), reverse=True)[:n]


def run(
    work: Path,
    files: int,
    chunks: int,
    answers: int,
    sampler: StallSampler | None = None,
    limit_s: float = 3600,
) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
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
    from desktop.gc_policy import IdleCollector

    collector = IdleCollector(ctx.service, app, window)  # as desktop.app.main starts it
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
        if sampler is not None:
            sampler.tick()

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    loop = QEventLoop()
    # The app settles as it does after start-up (its first idle collection), then the
    # machine's own stalls: the same timer with the app idle for 3 s.
    while not collector.runs:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    gaps.clear()
    QTimer.singleShot(3000, loop.quit)
    loop.exec()
    baseline = sorted(gaps[20:]) or [0.0]
    gaps.clear()
    if sampler is not None:
        sampler.start()
    times: dict[str, float] = {}
    state = {"indexing": True, "answers": 0, "searches": 0, "files_done": 0, "chunks_done": 0}

    def on_index_progress(p) -> None:  # what the library panel's banner is given
        state.update(files_done=p.files_done, chunks_done=p.chunks_done)

    index_t0 = time.monotonic()
    job = ctx.service.submit(
        "index",
        lambda h: engine.library.index(
            [work / "docs"], "load10k", cancel=h.cancel, progress=lambda p: h.update(p)
        ),
        engine=False,
    )
    job.update.connect(on_index_progress)
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
    work_t0 = time.monotonic()
    deadline = work_t0 + limit_s
    reported = [work_t0]

    def check() -> None:  # on the event loop itself, as the app runs: loop.exec()
        now = time.monotonic()
        if not (state["indexing"] or state["answers"] < answers) or now > deadline:
            loop.quit()
        elif now - reported[0] >= 30:
            reported[0] = now
            steady = sorted(gaps[20:]) or [0.0]
            print(
                f"load: {now - work_t0:.0f} s, {state['files_done']} of {files} files, "
                f"{state['chunks_done']} chunks, {state['searches']} searches, "
                f"{state['answers']} answers, longest stall {steady[-1]:.0f} ms, "
                f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB",
                file=sys.stderr,
                flush=True,
            )

    checker = QTimer()
    checker.setInterval(50)
    checker.timeout.connect(check)
    checker.start()
    loop.exec()
    completed = not state["indexing"]
    checker.stop()
    timer.stop()
    searcher.stop()
    if sampler is not None:
        sampler.stop()
    if not completed:
        job.cancel()
    import gc

    gc_objects = len(gc.get_objects())
    t = time.perf_counter()
    gc.collect()
    gc_full_ms = (time.perf_counter() - t) * 1000
    report = engine.library.collection("load10k")
    counts = engine.store.documents.consistency(report)
    ctx.service.shutdown()
    engine.close()
    steady = sorted(gaps[20:]) or [0.0]  # the first ticks include the window's first paint
    frozen = gc.get_freeze_count()
    collector.stop()
    gc.unfreeze()  # the caller's process (a test) is left as it was
    return {
        "completed": completed,
        "files": files,
        "files_done": state["files_done"],
        "chunks_in_big_collection": chunks,
        "indexed_chunks": counts["chunks"],
        "answers": state["answers"],
        "searches": state["searches"],
        "longest_stall_ms": round(steady[-1], 1),
        "p99_stall_ms": round(steady[int(len(steady) * 0.99) - 1], 1),
        "stalls_over_100ms": sum(g > 100 for g in steady),
        "longest_5_ms": [round(g, 1) for g in steady[-5:]],
        "baseline_longest_ms": round(baseline[-1], 1),  # the idle app on this machine
        "baseline_p99_ms": round(baseline[int(len(baseline) * 0.99) - 1], 1),
        "ticks": len(gaps),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_rss_workers_mb": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        ),
        # What a full garbage collection on the GUI thread scans and costs, at the end.
        "gc_tracked_objects": gc_objects,
        "gc_full_collection_ms": round(gc_full_ms, 1),
        "gc_frozen_objects": frozen,
        "idle_collections": collector.runs,
        "idle_collection_last_ms": round(collector.last_ms, 1),
        "prepare_s": round(prep_s, 1),
        "index_s": round(times.get("index_s", -1), 1),
        "run_s": round(time.monotonic() - work_t0, 1),
    }


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.robustness.load")
    p.add_argument("--files", type=int, default=10_000)
    p.add_argument("--chunks", type=int, default=100_000)
    p.add_argument("--answers", type=int, default=5, help="At least this many answers.")
    p.add_argument(
        "--limit-s", type=float, default=3600, help="Stop here; report what was reached."
    )
    p.add_argument(
        "--stalls", action="store_true", help="Print what the GUI thread did while it was late."
    )
    args = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="sastre-load-"))
    sampler = StallSampler() if args.stalls else None
    figures = run(work, args.files, args.chunks, args.answers, sampler, args.limit_s)
    print(json.dumps(figures, indent=2))
    for count, stack in sampler.top() if sampler else []:
        print(f"{count * 10:6d} ms late in: {stack}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    from engine.platform import preload_blas

    preload_blas()
    sys.exit(main(sys.argv[1:]))

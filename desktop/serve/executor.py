"""Where the server's model work runs: the one engine thread that owns MLX.

An `Executor` runs `EngineJob`s one after another on that thread. Two implement
it: `ThreadExecutor`, the stand-alone `sastre serve`'s (its main thread, as for
`sastre chat`), and the GUI's
(desktop/serve/qt_executor.py), which queues jobs onto the app's engine thread so
that the app and the server share one loaded model. The async side talks to a
job through `EngineCall`: events come back on the event loop, and setting the
job's cancel event (a client went away, a request waited too long) stops it at
the next token, or skips it if it has not started.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol

log = logging.getLogger("sastre.serve")

Emit = Callable[[str, Any], None]
POLL_S = 0.25  # how often a waiting request checks that its client is still there
# How long the engine thread waits for the first streamed piece of text to reach the
# socket before it computes the next token (see `EngineJob.hand_over`).
HAND_OVER_S = 0.05


class EngineJob:
    """One request's work; `fn(job)` runs on the engine thread and reports by `job.emit`."""

    def __init__(self, fn: Callable[[EngineJob], Any], emit: Emit):
        self.fn = fn
        self.emit = emit
        self.cancel = threading.Event()
        self.delivered = threading.Event()  # set by the event loop once text is written

    def hand_over(self) -> None:
        """Wait (briefly) until the event loop has written the text just emitted.

        Between two tokens the engine thread runs Python (the next step's graph, the
        detokenizer, MLX's buffer cache) and holds the GIL for several milliseconds at a
        time. Each pass of the event loop needs the GIL again, and forwarding one piece of
        text takes several passes, so without this the first token reached the client
        ~20 ms after the model produced it (measured: 24 ms of a 35 ms time-to-first-token
        gap with `sastre chat`). Waiting here releases the GIL until the text is out.
        Used for the first piece only: later ones are batched while the model works.
        """
        self.delivered.wait(HAND_OVER_S)

    def run(self) -> None:
        """Called on the engine thread; never raises (errors go to the caller as events)."""
        if self.cancel.is_set():
            return  # its caller gave up waiting
        self.emit("started", None)
        try:
            self.fn(self)
        except BaseException as exc:  # noqa: BLE001 - reported to the HTTP caller
            self.emit("error", exc)
        finally:
            self.emit("end", None)


class Executor(Protocol):
    def submit(self, job: EngineJob) -> None:
        """Queue `job.run()` on the engine thread, after the jobs already queued."""

    def pending(self) -> int:
        """Jobs queued or running that were submitted here."""

    def shutdown(self) -> None:
        """Cancel every job submitted here; stop the thread if this executor owns it."""


class CountingExecutor:
    """What both executors share: the count of pending jobs and cancel-all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: set[EngineJob] = set()

    def pending(self) -> int:
        with self._lock:
            return len(self._jobs)

    def _track(self, job: EngineJob) -> Callable[[], None]:
        with self._lock:
            self._jobs.add(job)

        def run() -> None:
            try:
                job.run()
            finally:
                with self._lock:
                    self._jobs.discard(job)

        return run

    def cancel_all(self) -> None:
        with self._lock:
            for job in self._jobs:
                job.cancel.set()


class ThreadExecutor(CountingExecutor):
    """The stand-alone server's engine thread: its own, or (`own_thread=False`) the thread
    that calls `run_here`, which `sastre serve` makes its main thread."""

    def __init__(self, *, own_thread: bool = True) -> None:
        super().__init__()
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._runner: threading.Thread | None = None
        if own_thread:
            self._thread = threading.Thread(target=self.run_here, name="sastre-engine", daemon=True)
            self._thread.start()

    def run_here(self) -> None:
        """Run the queued jobs on this thread until `stop()` or `shutdown()`."""
        self._runner = threading.current_thread()
        while (run := self._queue.get()) is not None:
            try:
                run()
            except Exception:  # noqa: BLE001 - one request must not stop the thread
                log.exception("An engine job failed")

    def submit(self, job: EngineJob) -> None:
        self._queue.put(self._track(job))

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run `fn` on the engine thread and wait for its result (start-up work)."""
        if self._thread is None and self._runner in (None, threading.current_thread()):
            return fn()  # this thread is (or is about to be) the engine thread
        box: dict[str, Any] = {}

        def job_fn(_job: EngineJob) -> None:
            box["value"] = fn()

        def emit(kind: str, payload: Any) -> None:
            if kind == "error":
                box["error"] = payload
            elif kind == "end":
                done.set()

        done = threading.Event()
        self.submit(EngineJob(job_fn, emit))
        done.wait()
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def stop(self) -> None:
        """End `run_here` after the jobs already queued."""
        self._queue.put(None)

    def shutdown(self) -> None:
        self.cancel_all()
        self.stop()
        if self._thread is not None:
            self._thread.join(timeout=30)


class QueueFull(Exception):
    pass


class QueueTimeout(Exception):
    pass


class EngineCall:
    """The async side of one job: start it (bounded queue, bounded wait), read its events."""

    def __init__(self, executor: Executor, fn: Callable[[EngineJob], Any]):
        self._loop = asyncio.get_running_loop()
        self._events: deque[tuple[str, Any]] = deque()  # drained, read on the loop
        self._arrived = asyncio.Event()
        # Events wait here until the loop drains them: one wake-up of the event loop per
        # batch, not per token (cross-thread wake-ups cost most on a loaded machine).
        self._inbox: deque[tuple[str, Any]] = deque()
        self._lock = threading.Lock()
        self._woken = False
        self.executor = executor
        self.job = EngineJob(fn, self._emit)

    def _emit(self, kind: str, payload: Any) -> None:
        """Called on the engine thread."""
        with self._lock:
            self._inbox.append((kind, payload))
            if self._woken:
                return
            self._woken = True
        try:
            self._loop.call_soon_threadsafe(self._drain)
        except RuntimeError:  # the server stopped meanwhile: nobody is listening
            self.job.cancel.set()

    def _drain(self) -> None:
        with self._lock:
            items, self._woken = list(self._inbox), False
            self._inbox.clear()
        self._events.extend(items)
        self._arrived.set()

    async def start(
        self,
        max_queue: int,
        timeout_s: float,
        gone: Callable[[], Awaitable[bool]] | None = None,
    ) -> bool:
        """Queue the job and wait until the engine thread takes it; False if the client
        went away meanwhile (`gone`, checked a few times a second)."""
        if self.executor.pending() >= max_queue:
            raise QueueFull()
        self.executor.submit(self.job)
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                self.job.cancel.set()  # skipped when its turn comes
                raise QueueTimeout()
            got = await self.next_event(min(left, POLL_S))
            if got is not None:
                return True
            if gone is not None and await gone():
                self.job.cancel.set()
                return False

    async def events(self) -> AsyncIterator[tuple[str, Any]]:
        """Events until the job ends; an 'error' event carries the exception."""
        while True:
            kind, payload = await self.next_event(None)
            if kind == "end":
                return
            yield kind, payload

    def ready_deltas(self) -> str:
        """Text of the 'delta' events already arrived, taken (one SSE chunk for several
        tokens when the client reads slower than the model writes)."""
        parts = []
        while self._events and self._events[0][0] == "delta":
            parts.append(self._events.popleft()[1])
        return "".join(parts)

    async def next_event(self, timeout_s: float | None) -> tuple[str, Any] | None:
        """The next event, or None if none came within `timeout_s` (None: wait for it)."""
        if not self._events:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout_s)
            except asyncio.TimeoutError:
                return None
        return self._events.popleft()

    def cancel(self) -> None:
        self.job.cancel.set()

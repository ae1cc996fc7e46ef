"""Jobs off the GUI thread: one long-lived engine thread for MLX, a pool for the rest.

MLX streams are thread-local, so everything that touches MLX (loading a model,
generating, converting a GGUF, quantizing) runs on ONE QThread that lives as
long as the app. The GUI hands it a `Job` through a queued signal; the job's
function runs there and reports through a `JobHandle` (token, progress, a
cancel event checked every token). Work that does not touch MLX and may take a
long time (downloads, indexing, which parses in worker processes) runs on a
QThreadPool so that it does not queue behind a chat answer.

Results come back as queued signals on the `Job`, which lives in the GUI
thread: `token(str)`, `progress(str, float)`, `finished(object)`,
`failed(str)`. A failed job's message is meant for the user; unexpected
exceptions are logged with their traceback and reported in one line.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThread, QThreadPool, Signal, Slot

from desktop import pyside_refs
from engine.errors import USER_ERRORS

log = logging.getLogger("sastre.desktop")

PROGRESS_INTERVAL_S = 0.05  # at most ~20 progress updates a second reach the GUI


class Cancelled(Exception):
    """Raised inside a job (e.g. from a download callback) to stop it."""


class JobHandle:
    """What a job's function sees: report tokens and progress, check cancel and pause."""

    def __init__(self, job: Job):
        self._job = job
        self.cancel: threading.Event = job.cancel_event
        self.pause: threading.Event = job.pause_event
        self._last_progress = 0.0
        self._last_update = 0.0

    def token(self, text: str) -> None:
        self._job._token.emit(text)

    def progress(self, message: str, fraction: float) -> None:
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last_progress >= PROGRESS_INTERVAL_S:
            self._last_progress = now
            self._job._progress.emit(str(message), float(fraction))

    def update(self, value: Any, force: bool = False) -> None:
        """Report a progress record (e.g. IndexProgress); a copy reaches the GUI."""
        now = time.monotonic()
        if force or now - self._last_update >= PROGRESS_INTERVAL_S:
            self._last_update = now
            self._job._update.emit(copy.copy(value))

    def check(self) -> None:
        """Raise Cancelled if the user asked to stop."""
        if self.cancel.is_set():
            raise Cancelled()


JobFn = Callable[[JobHandle], Any]


class Job(QObject):
    """One unit of work; lives in the GUI thread, runs its function elsewhere."""

    token = Signal(str)
    progress = Signal(str, float)
    update = Signal(object)  # a progress record, see JobHandle.update
    finished = Signal(object)  # the function's return value
    failed = Signal(str)  # a message for the user
    cancelled = Signal()
    done = Signal()  # after finished, failed or cancelled

    # Emitted from the worker thread; queued into the GUI thread (where self lives).
    _token = Signal(str)
    _progress = Signal(str, float)
    _update = Signal(object)
    _result = Signal(str, object)  # ('finished' | 'failed' | 'cancelled', payload)

    def __init__(
        self, name: str, fn: JobFn, parent: QObject | None = None, log_path: str = "the log"
    ):
        super().__init__(parent)
        self.name = name
        self.fn = fn
        self.log_path = log_path
        self.cancel_event = threading.Event()
        self.pause_event = threading.Event()
        self.state = "queued"  # running, finished, failed, cancelled
        self.result: Any = None
        self.error: str | None = None
        self._token.connect(self.token, Qt.ConnectionType.QueuedConnection)
        self._progress.connect(self.progress, Qt.ConnectionType.QueuedConnection)
        self._update.connect(self.update, Qt.ConnectionType.QueuedConnection)
        self._result.connect(self._on_result, Qt.ConnectionType.QueuedConnection)

    # -- GUI side -------------------------------------------------------------
    def cancel(self) -> None:
        self.pause_event.clear()
        self.cancel_event.set()

    def set_paused(self, paused: bool) -> None:
        if paused:
            self.pause_event.set()
        else:
            self.pause_event.clear()

    @property
    def running(self) -> bool:
        return self.state in ("queued", "running")

    @Slot(str, object)
    def _on_result(self, kind: str, payload: Any) -> None:
        self.state = kind
        if kind == "finished":
            self.result = payload
            self.finished.emit(payload)
        elif kind == "failed":
            self.error = payload
            self.failed.emit(payload)
        else:
            self.cancelled.emit()
        self.done.emit()

    # -- worker side ----------------------------------------------------------
    def execute(self) -> None:
        """Run the function here (the calling thread) and report the outcome."""
        if self.cancel_event.is_set():
            self._result.emit("cancelled", None)
            return
        self.state = "running"
        try:
            value = self.fn(JobHandle(self))
        except Cancelled:
            self._result.emit("cancelled", None)
        except USER_ERRORS as exc:
            self._result.emit("failed", str(exc))
        except Exception as exc:  # noqa: BLE001 - reported to the user, never a crash
            log.error("Job %s failed:\n%s", self.name, traceback.format_exc())
            self._result.emit("failed", unexpected_message(exc, self.log_path))
        else:
            self._result.emit("finished", value)


def unexpected_message(exc: BaseException, log_path: str) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate(
        "EngineService",
        "Unexpected error: {0}: {1}. Your saved data is intact. Details were written to {2}.",
    ).format(type(exc).__name__, exc, log_path)


class _EngineWorker(QObject):
    """Lives on the engine thread; runs jobs one after another, in order."""

    @Slot(object)
    def run(self, job: Job) -> None:
        job.execute()


class _PoolTask(QRunnable):
    def __init__(self, job: Job):
        super().__init__()
        self.job = job

    def run(self) -> None:
        self.job.execute()


class EngineService(QObject):
    """The GUI's door to the engine: submit jobs, cancel them, shut down cleanly."""

    _submit = Signal(object)
    job_started = Signal(object)  # Job, for a global activity indicator

    def __init__(self, parent: QObject | None = None, log_path: str = "the log"):
        super().__init__(parent)
        pyside_refs.protect()  # tests and tools may build the service without application()
        self.log_path = log_path  # named in messages about unexpected errors
        self.thread = QThread()
        self.thread.setObjectName("sastre-engine")
        self.worker = _EngineWorker()
        self.worker.moveToThread(self.thread)
        self._submit.connect(self.worker.run, Qt.ConnectionType.QueuedConnection)
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(2)
        self.jobs: list[Job] = []
        self.thread.start()

    def submit(self, name: str, fn: JobFn, *, engine: bool = True) -> Job:
        """Queue `fn(handle)`; engine=True runs it on the MLX thread, else on the pool."""
        job = Job(name, fn, self, log_path=self.log_path)
        self.jobs.append(job)
        job.done.connect(lambda: self._forget(job))
        if engine:
            self._submit.emit(job)
        else:
            self.pool.start(_PoolTask(job))
        self.job_started.emit(job)
        return job

    def _forget(self, job: Job) -> None:
        if job in self.jobs:
            self.jobs.remove(job)
        job.deleteLater()

    def busy(self) -> bool:
        return any(j.running for j in self.jobs)

    def shutdown(self, timeout_ms: int = 20000) -> None:
        """Cancel every job and stop the threads.

        Generation stops at the next token; loading a model cannot be interrupted,
        so this may wait for it to finish.
        """
        for job in list(self.jobs):
            job.cancel()
        self.thread.quit()
        if not self.thread.wait(timeout_ms):
            log.warning("The engine thread did not stop within %d ms.", timeout_ms)
        self.pool.waitForDone(timeout_ms)

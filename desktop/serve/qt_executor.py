"""The server's executor inside the app: jobs run on the GUI's engine thread
(desktop/engine_thread.py), in order with the app's own chat and model jobs, so the
app and the server share one loaded model."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

from desktop.engine_thread import EngineService
from desktop.serve.executor import CountingExecutor, EngineJob


class _Runner(QObject):
    """Lives on the engine thread."""

    @Slot(object)
    def run(self, fn: Callable[[], None]) -> None:
        fn()


class _Bridge(QObject):
    run = Signal(object)  # emitted from the server's thread; queued to the engine thread


class EngineThreadExecutor(CountingExecutor):
    def __init__(self, service: EngineService):
        super().__init__()
        self._runner = _Runner()
        self._runner.moveToThread(service.thread)
        self._bridge = _Bridge()
        self._bridge.run.connect(self._runner.run, Qt.ConnectionType.QueuedConnection)

    def submit(self, job: EngineJob) -> None:
        self._bridge.run.emit(self._track(job))

    def shutdown(self) -> None:
        self.cancel_all()  # the engine thread belongs to the app: it keeps running

"""Full garbage collections when nobody is waiting, and only over what is new.

The app holds a few hundred thousand long-lived Python objects (Qt wrappers, the modules
imported, the model's layers). CPython's oldest-generation collection walks all of them:
211 ms on the 2-core build machine with 342k objects, and when it fell while an answer
streamed and files were indexed it was the one GUI stall over 100 ms of the load run
(tests/robustness/load.py, RELIABILITY.md). So, once the app is idle (no job queued or
running, no key or mouse input for a moment) and something may have added objects since
the last time (start-up, any finished job: a model load, the first embedding, indexing),
`IdleCollector` runs a full collection and then `gc.freeze()`: every object still alive
after a full collection is reachable, so moving them to the permanent generation leaks
nothing, and later automatic collections, also during a busy stretch, walk only what
was made since. Frozen objects are still freed by reference counting when dropped; a
reference cycle among them (a closed chat's widgets, say) is not, so every half hour of
use the idle collection first unfreezes everything and walks it all once.
"""

from __future__ import annotations

import gc
import logging
import time

from PySide6.QtCore import QEvent, QObject, QTimer

log = logging.getLogger("sastre.gc")

CHECK_MS = 1000  # how often idleness is checked
QUIET_S = 1.5  # no key or mouse input for this long counts as idle
REFREEZE_S = 1800  # how often an idle collection walks the frozen objects too

_INPUT = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
}


class IdleCollector(QObject):
    """Collect and freeze at idle moments; see the module's docstring."""

    def __init__(self, service, app, parent: QObject | None = None):
        super().__init__(parent)
        self.service = service
        self.app = app
        self.dirty = True  # start-up made objects
        self.runs = 0
        self.last_ms = 0.0
        self._walked_all = time.monotonic()  # when frozen objects were last walked
        self._last_input = time.monotonic()
        app.installEventFilter(self)
        service.job_started.connect(self._on_job)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() in _INPUT:
            self._last_input = time.monotonic()
        return False

    def _on_job(self, job) -> None:
        job.done.connect(self._mark)

    def _mark(self) -> None:
        self.dirty = True

    def idle(self) -> bool:
        return not self.service.jobs and time.monotonic() - self._last_input >= QUIET_S

    def check(self) -> None:
        if self.dirty and self.idle():
            self.collect()

    def collect(self) -> None:
        t = time.perf_counter()
        if time.monotonic() - self._walked_all >= REFREEZE_S:
            gc.unfreeze()  # cycles that became garbage after their freeze go now
            self._walked_all = time.monotonic()
        gc.collect()
        gc.freeze()
        self.last_ms = (time.perf_counter() - t) * 1000
        self.runs += 1
        self.dirty = False
        log.debug("idle collection %.0f ms, %d objects frozen", self.last_ms, gc.get_freeze_count())

    def stop(self) -> None:
        self.timer.stop()
        self.app.removeEventFilter(self)

"""The idle garbage collection (desktop/gc_policy.py): real Qt offscreen, a real
EngineService and the interpreter's real collector."""

from __future__ import annotations

import gc
import os
import threading
import time
import weakref

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from desktop.engine_thread import EngineService  # noqa: E402
from desktop.gc_policy import QUIET_S, REFREEZE_S, IdleCollector  # noqa: E402


class Node:
    def __init__(self):
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_collects_and_freezes_only_when_idle_and_something_changed(qtbot):
    app = QApplication.instance()
    service = EngineService()
    collector = IdleCollector(service, app)
    collector.timer.stop()  # checks are driven by hand below
    widget = QWidget()
    qtbot.addWidget(widget)
    gc.unfreeze()
    try:
        collector._last_input = time.monotonic() - 10 * QUIET_S
        gate = threading.Event()
        job = service.submit("wait", lambda h: gate.wait(10), engine=False)
        collector.check()
        assert collector.runs == 0  # a job is queued or running
        with qtbot.waitSignal(job.done, timeout=10_000):
            gate.set()
        qtbot.waitUntil(lambda: not service.jobs)

        move = QMouseEvent(
            QEvent.Type.MouseMove,
            QPointF(5, 5),
            QPointF(5, 5),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(widget, move)
        collector.check()
        assert collector.runs == 0  # the person just moved the mouse

        collector._last_input = time.monotonic() - 10 * QUIET_S
        cycle = weakref.ref(Node())
        collector.check()
        assert collector.runs == 1 and cycle() is None  # collected: nothing leaks into
        assert gc.get_freeze_count() > 1000  # the permanent generation, the rest frozen
        collector.check()
        assert collector.runs == 1  # nothing changed since

        service.submit("noop", lambda h: None, engine=False)
        qtbot.waitUntil(lambda: not service.jobs)
        assert collector.dirty  # a finished job may have added objects
        collector.check()
        assert collector.runs == 2
        later = weakref.ref(Node())
        gc.collect()  # after a freeze, collections still free what is new
        assert later() is None

        kept = Node()
        frozen_cycle = weakref.ref(kept)
        collector.dirty = True
        collector.check()  # `kept` is alive: frozen with the rest
        del kept
        gc.collect()
        assert frozen_cycle() is not None  # a frozen cycle outlives ordinary collections
        collector._walked_all -= REFREEZE_S
        collector.dirty = True
        collector.check()  # the periodic walk over everything frees it
        assert frozen_cycle() is None and collector.runs == 4
    finally:
        gc.unfreeze()
        collector.stop()
        service.shutdown()

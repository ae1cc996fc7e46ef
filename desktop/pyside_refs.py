"""Keep a PySide6 build that drops references to None and True from aborting the app.

PySide6 6.12.0 on Python 3.11 returns None from void methods (processEvents,
insertPlainText, QThreadPool.start, the parent() of a top-level object) and True
from Signal.emit without the reference its caller owns, as if those objects were
immortal, which they are only from Python 3.12 on. Each such call takes one
reference away for good; after some tens of thousands of calls (a long session,
a few thousand streamed tokens) the count reaches zero and Python aborts the
process: "Fatal Python error: none_dealloc: deallocating None" (or bool_dealloc).

protect() measures whether the installed build does this and, if it does, makes
those objects immortal the way Python 3.12 does: a reference count so high that
no program can wear it down. A sound build, or Python 3.12+, is left alone.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import sys

log = logging.getLogger("sastre.desktop")

# What the C API hands out without a new reference when it assumes immortality.
_SINGLETONS = (None, True, False, NotImplemented, Ellipsis)
_IMMORTAL = sys.maxsize // 4  # far above any real count, far below overflow


def leaks(calls: int = 64) -> dict[str, float]:
    """References lost per call, by object: {"None": 1.0, "True": 1.0} for a faulty build."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()

    def lost(obj: object, call) -> float:
        call()  # first call: caches, interned names
        before = sys.getrefcount(obj)
        for _ in range(calls):
            call()
        return (before - sys.getrefcount(obj)) / calls

    found = {
        "None": lost(None, lambda: probe.setObjectName("probe")),
        "True": lost(True, probe.ping.emit),
    }
    return {name: per_call for name, per_call in found.items() if per_call >= 0.5}


def _immortalize(obj: object) -> bool:
    # ob_refcnt is a PyObject's first field in every release build of CPython 3.11.
    count = ctypes.c_ssize_t.from_address(id(obj))
    count.value += _IMMORTAL
    return sys.getrefcount(obj) > _IMMORTAL


@functools.cache
def protect() -> dict[str, float]:
    """Check the installed PySide6 once; make None, True and False immortal if it leaks.

    Returns what it found ({} for a sound build). Call it on the GUI thread before
    other threads start (the app does in application() and EngineService).
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return {}  # these objects are immortal already
    found = leaks()
    if not found:
        return {}
    done = all([_immortalize(obj) for obj in _SINGLETONS])
    log.warning(describe(found, done))
    return found


def describe(found: dict[str, float], done: bool = True) -> str:
    """The log line about a faulty build (protect() writes it; the app again once it logs)."""
    import PySide6

    return (
        f"PySide6 {PySide6.__version__} drops a reference to {' and '.join(found)} on each "
        f"call (references lost per call: {found}); "
        + (
            "None, True and False were made immortal, so the app cannot abort from it"
            if done
            else "making them immortal did not take, so the app may abort after long use"
        )
        + ". Install another PySide6 (for example 6.11.3) or Python 3.12 to remove this "
        "workaround."
    )

"""Keep folders in sync with a collection by polling (portable; no extra dependency).

Each poll stats the indexable files (no reading); when the picture changed and
then stayed the same for one more poll (so a file being written is not caught
half-way), an incremental index run picks up the changes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from engine.rag.ingest import ProgressCallback, scan
from engine.rag.types import IndexReport

if TYPE_CHECKING:
    from engine.rag.library import Library

Snapshot = dict[str, tuple[int, int]]


class Watcher:
    def __init__(
        self,
        library: Library,
        paths: Sequence[str | os.PathLike],
        collection: str = "default",
        *,
        interval_s: float = 2.0,
        embedding_model: str | None = None,
    ):
        self.library = library
        self.paths = [os.path.abspath(os.fspath(p)) for p in paths]
        self.collection = collection
        self.interval_s = interval_s
        self.embedding_model = embedding_model
        self._indexed: Snapshot | None = None  # what the last index run saw
        self._candidate: Snapshot | None = None  # a change waiting to settle

    def snapshot(self) -> Snapshot:
        found = scan(self.paths, self.library.config.include_hidden)
        snap = {f.path: (f.size, f.mtime_ns) for f in found.files}
        # Files skipped unread (e.g. an unsupported type) count too, so that the report
        # that lists them comes when they appear or go.
        snap.update({o.path: (-1, -1) for o in found.outcomes})
        return snap

    def sync(
        self,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> IndexReport:
        """Index now (incrementally) and remember what was seen."""
        before = self.snapshot()
        report = self.library.index(
            self.paths,
            self.collection,
            embedding_model=self.embedding_model,
            progress=progress,
            cancel=cancel,
        )
        self._indexed = before if not report.cancelled else None
        self._candidate = None
        return report

    def check(
        self,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> IndexReport | None:
        """One poll: an IndexReport when changes were indexed, else None (for GUI timers)."""
        if self._indexed is None:
            return self.sync(progress, cancel)
        snap = self.snapshot()
        if snap == self._indexed:
            self._candidate = None
            return None
        if snap != self._candidate:
            self._candidate = snap  # changed: wait one interval for it to settle
            return None
        return self.sync(progress, cancel)

    def run(
        self,
        cancel: threading.Event,
        on_report: Callable[[IndexReport], None] | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        """Index, then poll every interval until cancel is set."""
        while not cancel.is_set():
            report = self.check(progress, cancel)
            if report is not None and on_report is not None:
                on_report(report)
            cancel.wait(self.interval_s)

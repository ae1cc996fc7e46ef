"""The Library's index runs and folder watching, one job at a time (a part of LibraryPanel).

Indexing runs on the job pool (parsing itself happens in the library's worker
processes), with progress (rate and ETA), pause, resume and cancel. The folders
of every collection are polled while the app runs and re-indexed incrementally
when files change (engine.rag.watch.Watcher); each run's report updates the table,
skipped and failed files included.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer

from desktop.engine_thread import Job, JobHandle
from desktop.format import human_duration
from desktop.messages import for_people
from engine.errors import USER_ERRORS

SAMPLE_COLLECTION = "Sastre guide"


class IndexJobs:
    """Mixed into LibraryPanel (which provides the widgets, ctx, refresh and select)."""

    # -- indexing jobs -----------------------------------------------------------------------
    def _next(self) -> None:
        if self.job is not None or not self._queue:
            return
        paths, name = self._queue.pop(0)
        lib = self.ctx.library

        def run(h: JobHandle):
            def progress(p) -> None:
                h.update(p, force=p.phase in ("done", "paused", "scanning"))

            return lib.index(paths, name, progress=progress, cancel=h.cancel, pause=h.pause)

        self._start(
            run,
            name,
            QCoreApplication.translate("LibraryPanel", "Indexing into “{0}”…").format(name),
        )

    def _start(self, fn, name: str, label: str) -> Job:
        self.message.hide()
        self._job_collection = name
        self.banner.start(label)
        job = self.ctx.service.submit(label, fn, engine=False)
        self.job = job
        job.update.connect(self._on_progress)
        job.finished.connect(self._on_report)
        job.failed.connect(lambda msg: self.show_message(msg, error=True))
        job.cancelled.connect(
            lambda: self.show_message(
                QCoreApplication.translate("LibraryPanel", "Indexing cancelled.")
            )
        )
        job.done.connect(self._job_done)
        self._update_buttons()
        return job

    def _on_progress(self, p: Any) -> None:
        phase = {
            "scanning": QCoreApplication.translate("LibraryPanel", "Looking for files…"),
            "loading": QCoreApplication.translate("LibraryPanel", "Loading the embedding model…"),
            "paused": QCoreApplication.translate("LibraryPanel", "Paused"),
            "removing": QCoreApplication.translate("LibraryPanel", "Removing deleted files…"),
            "done": QCoreApplication.translate("LibraryPanel", "Finishing…"),
        }
        if p.phase == "indexing":
            text = QCoreApplication.translate(
                "LibraryPanel", "Indexing {0} of {1} files · {2:.1f} chunks/s · {3} left"
            ).format(p.files_done, p.files_total, p.chunks_per_s, human_duration(p.eta_s))
        else:
            text = phase.get(p.phase, p.phase)
        counted = p.phase == "indexing" or p.files_total
        line = f"{self._job_collection}: {text}"
        self.banner.show_progress(line, p.fraction if counted else None, p.current)
        self.ctx.status(line, 0)  # until replaced: loading a model can take a while

    def _on_report(self, report: Any) -> None:
        self.last_report = report
        self.scan_skips.update(report)
        name = self._job_collection
        self._pending.discard(name)
        counts = {s: report.count(s) for s in ("indexed", "unchanged", "skipped", "failed")}
        text = QCoreApplication.translate(
            "LibraryPanel", "“{0}”: {1} indexed, {2} unchanged, {3} skipped, {4} failed, in {5}."
        ).format(
            name,
            counts["indexed"],
            counts["unchanged"],
            counts["skipped"],
            counts["failed"],
            human_duration(report.elapsed_s),
        )
        if report.cancelled:
            text = QCoreApplication.translate(
                "LibraryPanel", "Indexing cancelled; what was done is kept."
            )
        self.show_message(text, error=False)
        self.refresh()
        if name:
            self.select(name)
        self.ctx.events.collections_changed.emit()
        if name == SAMPLE_COLLECTION and not report.cancelled:
            self.ctx.events.use_collection.emit(name)

    def _job_done(self) -> None:
        self.job = None
        self._job_collection = None
        self.progress_frame.hide()
        self._update_buttons()
        QTimer.singleShot(0, self._next)

    def toggle_pause(self) -> None:
        if self.job is None:
            return
        paused = not self.job.pause_event.is_set()
        self.job.set_paused(paused)
        self.pause_button.setText(
            QCoreApplication.translate("LibraryPanel", "Resume")
            if paused
            else QCoreApplication.translate("LibraryPanel", "Pause")
        )

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.progress_label.setText(QCoreApplication.translate("LibraryPanel", "Cancelling…"))

    def show_message(self, text: str, error: bool = False) -> None:
        text = for_people(text) if error else text
        self.message.setObjectName("error" if error else "muted")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.show()
        if error:
            self.ctx.error(text)
        else:
            self.ctx.status(text, 5000)

    # -- watching ----------------------------------------------------------------------------
    def check_watched(self) -> Job | None:
        """One poll of every collection's folders; changed ones are re-indexed.

        Everything that reads the database runs in the job: on the GUI thread even a
        short query waits while an indexing or search job holds the database.
        """
        lib = self.ctx.library
        if lib is None or self.job is not None or self._queue or not self._watch_enabled:
            return None
        if not self._any_watched:  # known from the last poll or refresh(): nothing to do
            return None
        known = dict(self._watchers)  # the job's copy; the GUI thread keeps its own

        def run(h: JobHandle):
            reports, watchers = [], {}
            try:
                cols = lib.collections()
            except USER_ERRORS:
                return reports, watchers  # the panel says so where it reads them itself
            for c in cols:
                if not c.roots or h.cancel.is_set():
                    continue
                w = known.get(c.name)
                if w is None or w.paths != [os.path.abspath(r) for r in c.roots]:
                    w = lib.watcher(c.roots, c.name)
                watchers[c.name] = w
                r = w.check(progress=lambda p: h.update(p), cancel=h.cancel)
                if r is not None:
                    reports.append(r)
            return reports, watchers

        job = self.ctx.service.submit("watch folders", run, engine=False)
        self.job = job
        self._job_collection = QCoreApplication.translate("LibraryPanel", "Watched folders")
        job.update.connect(self._on_watch_progress)
        job.finished.connect(self._on_watch)
        job.failed.connect(lambda msg: self.show_message(msg, error=True))
        job.done.connect(self._watch_done)
        return job

    def _on_watch_progress(self, p: Any) -> None:
        # Quiet while only checking; visible (with pause and cancel) once files are read.
        if p.phase == "indexing" and p.files_total:
            if self.banner.isHidden():
                self.banner.start("")
            self._on_progress(p)

    def _on_watch(self, result: tuple[list, dict]) -> None:
        reports, watchers = result
        self._watchers.update(watchers)  # each keeps what it saw, for the next poll
        self._any_watched = bool(watchers)
        changed = [
            r
            for r in reports
            if self.scan_skips.update(r)
            or any(f.status in ("indexed", "removed", "failed") for f in r.files)
        ]
        if changed:
            names = ", ".join(r.collection for r in changed)
            self.ctx.status(
                QCoreApplication.translate(
                    "LibraryPanel", "Updated from changed files: {0}"
                ).format(names),
                5000,
            )
            self.refresh()
            self.ctx.events.collections_changed.emit()

    def _watch_done(self) -> None:
        self.job = None
        self._job_collection = None
        self.progress_frame.hide()
        self._update_buttons()
        QTimer.singleShot(0, self._next)

    def shutdown(self) -> None:
        self._watch_timer.stop()
        self._queue.clear()
        if self.job is not None:
            self.job.cancel()

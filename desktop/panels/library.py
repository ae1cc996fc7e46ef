"""Library: collections of documents to answer from; add, watch, re-index, remove.

Indexing runs on the job pool (parsing itself happens in the library's worker
processes), one run at a time, with progress (rate and ETA), pause, resume and
cancel. The folders of every collection are polled while the app runs and
re-indexed incrementally when files change (engine.rag.watch.Watcher).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import theme
from desktop.context import AppContext
from desktop.engine_thread import Job, JobHandle
from desktop.format import human_duration, human_size, short_path
from desktop.i18n import Retranslates
from desktop.icons import icon
from desktop.open_file import open_document
from desktop.widgets.dialogs import confirm_destructive
from engine.errors import USER_ERRORS
from resources import ROOT as RESOURCES

SAMPLE_DIR = RESOURCES / "sample"
SAMPLE_COLLECTION = "Sastre guide"
WATCH_INTERVAL_MS = 5000
NAME_ROLE = Qt.ItemDataRole.UserRole
NAME, STATUS, CHUNKS, PAGES, SIZE, FOLDER = range(6)


class LibraryPanel(Retranslates, QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.job: Job | None = None
        self._job_collection: str | None = None
        self._queue: list[tuple[list[str], str]] = []
        self._pending: set[str] = set()  # new collections not indexed yet
        self._watchers: dict[str, Any] = {}
        self._watch_enabled = True
        self.last_report: Any = None
        self.setAcceptDrops(True)
        self._build()
        self._watch_timer = QTimer(self)
        self._watch_timer.setInterval(WATCH_INTERVAL_MS)
        self._watch_timer.timeout.connect(self.check_watched)
        self.retranslate()
        self.refresh()
        if self.ctx.library is not None:
            self._watch_timer.start()

    # -- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setChildrenCollapsible(False)
        outer.addWidget(split)

        left = QWidget(split)
        left.setObjectName("sidebar")
        left.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(10, 10, 6, 10)
        self.new_button = QPushButton(icon("plus"), "", left)
        lv.addWidget(self.new_button)
        self.collections = QListWidget(left)
        self.collections.setObjectName("chatList")
        lv.addWidget(self.collections, 1)
        self.remove_collection_button = QPushButton(icon("trash"), "", left)
        self.remove_collection_button.setProperty("danger", True)
        lv.addWidget(self.remove_collection_button)

        right = QWidget(split)
        rv = QVBoxLayout(right)
        rv.setContentsMargins(20, 14, 20, 14)
        rv.setSpacing(10)
        self.heading = QLabel(right)
        self.heading.setObjectName("title")
        rv.addWidget(self.heading)
        self.stats = QLabel(right)
        self.stats.setObjectName("muted")
        self.stats.setWordWrap(True)
        rv.addWidget(self.stats)

        actions = QHBoxLayout()
        self.add_folder_button = QPushButton(icon("folder"), "", right)
        self.add_files_button = QPushButton(icon("file"), "", right)
        self.reindex_button = QPushButton(icon("refresh"), "", right)
        self.remove_doc_button = QPushButton(icon("trash"), "", right)
        self.ask_button = QPushButton(icon("chat", theme.colors().accent_text), "", right)
        self.ask_button.setProperty("primary", True)
        for b in (self.add_folder_button, self.add_files_button, self.reindex_button):
            actions.addWidget(b)
        actions.addStretch(1)
        self.filter = QComboBox(right)
        actions.addWidget(self.filter)
        actions.addWidget(self.remove_doc_button)
        actions.addWidget(self.ask_button)
        rv.addLayout(actions)

        self.tree = QTreeWidget(right)
        self.tree.setColumnCount(6)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSortingEnabled(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(NAME, 240)
        header.setSectionResizeMode(STATUS, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(STATUS, 230)
        for col in (CHUNKS, PAGES, SIZE):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        rv.addWidget(self.tree, 1)
        self.empty = QLabel(right)
        self.empty.setObjectName("muted")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        rv.addWidget(self.empty)

        self.progress_frame = QFrame(right)
        self.progress_frame.setObjectName("banner")
        pv = QVBoxLayout(self.progress_frame)
        pv.setContentsMargins(12, 8, 12, 8)
        prow = QHBoxLayout()
        self.progress_label = QLabel(self.progress_frame)
        self.progress_label.setWordWrap(True)
        prow.addWidget(self.progress_label, 1)
        self.pause_button = QPushButton(self.progress_frame)
        self.cancel_button = QPushButton(self.progress_frame)
        prow.addWidget(self.pause_button)
        prow.addWidget(self.cancel_button)
        pv.addLayout(prow)
        self.progress = QProgressBar(self.progress_frame)
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        pv.addWidget(self.progress)
        self.progress_file = QLabel(self.progress_frame)
        self.progress_file.setObjectName("muted")
        pv.addWidget(self.progress_file)
        self.progress_frame.hide()
        rv.addWidget(self.progress_frame)
        self.message = QLabel(right)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        rv.addWidget(self.message)

        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([230, 900])

        self.new_button.clicked.connect(self.new_collection)
        self.remove_collection_button.clicked.connect(self.remove_collection)
        self.collections.currentItemChanged.connect(lambda *_: self.refresh_documents())
        self.add_folder_button.clicked.connect(self.add_folder)
        self.add_files_button.clicked.connect(self.add_files)
        self.reindex_button.clicked.connect(self.reindex)
        self.remove_doc_button.clicked.connect(self.remove_documents)
        self.ask_button.clicked.connect(self.ask)
        self.filter.activated.connect(lambda _i: self.refresh_documents())
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_button.clicked.connect(self.cancel)
        self.tree.itemDoubleClicked.connect(self._open_item)
        self.tree.itemSelectionChanged.connect(self._update_buttons)

    # -- data ----------------------------------------------------------------------------
    def collection_names(self) -> list[str]:
        lib = self.ctx.library
        if lib is None:
            return []
        try:
            names = [c.name for c in lib.collections()]
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))
            names = []
        return sorted(set(names) | self._pending)

    def current(self) -> str | None:
        item = self.collections.currentItem()
        return item.data(NAME_ROLE) if item else None

    def select(self, name: str) -> None:
        for i in range(self.collections.count()):
            if self.collections.item(i).data(NAME_ROLE) == name:
                self.collections.setCurrentRow(i)
                return

    def refresh(self) -> None:
        current = self.current()
        lib = self.ctx.library
        self.collections.blockSignals(True)
        self.collections.clear()
        stats = {c.name: c for c in lib.collections()} if lib is not None else {}
        for name in self.collection_names():
            col = stats.get(name)
            item = QListWidgetItem(name)
            item.setData(NAME_ROLE, name)
            if col is not None:
                item.setToolTip(
                    self.tr("{0} documents · {1} chunks").format(col.documents, col.chunks)
                )
            self.collections.addItem(item)
        self.collections.blockSignals(False)
        names = self.collection_names()
        if current in names:
            self.select(current)
        elif names:
            self.collections.setCurrentRow(0)
        self.refresh_documents()

    def refresh_documents(self) -> None:
        name = self.current()
        lib = self.ctx.library
        self.tree.clear()
        self.tree.setSortingEnabled(False)
        col = None
        if lib is not None and name and name not in self._pending:
            try:
                col = lib.collection(name)
                docs = lib.documents(name, self.filter.currentData() or None)
            except USER_ERRORS as exc:
                self.ctx.error(str(exc))
                docs = []
            for d in docs:
                self.tree.addTopLevelItem(self._doc_item(d))
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
        self.heading.setText(name or self.tr("Library"))
        if col is not None:
            text = self.tr("{0} documents · {1} chunks · {2} · embeddings: {3}").format(
                col.documents, col.chunks, human_size(col.size_bytes), col.embedding_model
            )
            if col.skipped or col.failed:
                text += " · " + self.tr("{0} skipped, {1} failed").format(col.skipped, col.failed)
            if col.roots:
                roots = ", ".join(short_path(r) for r in col.roots)
                text += "\n" + self.tr("Watching: {0}").format(roots)
            self.stats.setText(text)
        elif name:
            self.stats.setText(self.tr("Nothing indexed yet. Add a folder or files."))
        else:
            self.stats.setText("")
        has_docs = self.tree.topLevelItemCount() > 0
        self.tree.setVisible(has_docs or bool(self.filter.currentData()))
        self.empty.setVisible(not has_docs)
        if lib is None:
            self.empty.setText(self.tr("The document library is not available in this build."))
        elif not name:
            self.empty.setText(
                self.tr(
                    "Create a collection and add folders or files (PDF, Word, HTML, Markdown, "
                    "text, code) — or drop them here. Sastre then answers from them, with "
                    "citations, in the Chat tab."
                )
            )
        else:
            self.empty.setText(
                self.tr("Drop folders or files here, or use Add folder / Add files.")
            )
        self._update_buttons()

    def _doc_item(self, d: Any) -> QTreeWidgetItem:
        c = theme.colors()
        status = {
            "indexed": self.tr("Indexed"),
            "skipped": self.tr("Skipped"),
            "failed": self.tr("Failed"),
        }.get(d.status, d.status)
        if d.error:
            status = f"{status}: {d.error}"
        p = Path(d.path)
        item = QTreeWidgetItem(
            [
                p.name,
                status,
                str(d.chunk_count or 0),
                str(d.pages or "–"),
                human_size(d.size),
                short_path(str(p.parent)),
            ]
        )
        item.setData(NAME, NAME_ROLE, d.path)
        item.setToolTip(NAME, d.title or d.path)
        item.setToolTip(STATUS, status)
        item.setToolTip(FOLDER, d.path)
        item.setIcon(NAME, icon("file"))
        color = {"indexed": c.good, "skipped": c.muted, "failed": c.error}.get(d.status)
        if color:
            item.setForeground(STATUS, QColor(color))
        return item

    def documents_shown(self) -> list[tuple[str, str]]:
        """(path, status text) of the rows shown (for tests and accessibility)."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            out.append((item.data(NAME, NAME_ROLE), item.text(STATUS)))
        return out

    def _update_buttons(self) -> None:
        lib_ok = self.ctx.library is not None
        name = self.current()
        for b in (self.add_folder_button, self.add_files_button):
            b.setEnabled(lib_ok)
        self.reindex_button.setEnabled(lib_ok and bool(name) and name not in self._pending)
        self.remove_collection_button.setEnabled(lib_ok and bool(name))
        self.remove_doc_button.setEnabled(bool(self.tree.selectedItems()) and self.job is None)
        self.ask_button.setEnabled(lib_ok and bool(name) and name not in self._pending)
        self.new_button.setEnabled(lib_ok)

    # -- actions ----------------------------------------------------------------------------
    def new_collection(self) -> str | None:
        name, ok = QInputDialog.getText(
            self, self.tr("New collection"), self.tr("Name of the collection:")
        )
        name = " ".join(name.split())
        if not ok or not name:
            return None
        self._pending.add(name)
        self.refresh()
        self.select(name)
        return name

    def _target(self) -> str:
        """The collection new files go to (a default one when there is none)."""
        return self.current() or "default"

    def add_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Add a folder"))
        if path:
            self.add_paths([path])

    def add_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Add files"))
        if paths:
            self.add_paths(paths)

    def add_paths(self, paths: list[str], collection: str | None = None) -> None:
        """Index files and folders into a collection (queued behind a running job)."""
        if self.ctx.library is None:
            return
        name = collection or self._target()
        self._queue.append(([os.fspath(p) for p in paths], name))
        self._next()

    def reindex(self) -> None:
        name = self.current()
        lib = self.ctx.library
        if not name or lib is None:
            return
        try:
            roots = lib.collection(name).roots
        except USER_ERRORS as exc:
            self.show_message(str(exc), error=True)
            return
        if roots:
            self.add_paths(roots, name)

    def remove_documents(self) -> None:
        name, lib = self.current(), self.ctx.library
        paths = [i.data(NAME, NAME_ROLE) for i in self.tree.selectedItems()]
        if not name or lib is None or not paths:
            return
        text = (
            self.tr("Remove {0} from “{1}”? The file itself is not touched.").format(
                Path(paths[0]).name, name
            )
            if len(paths) == 1
            else self.tr("Remove {0} documents from “{1}”? The files are not touched.").format(
                len(paths), name
            )
        )
        if not self.confirm(self.tr("Remove documents?"), text):
            return
        for p in paths:
            try:
                lib.remove_document(p, name)
            except USER_ERRORS as exc:
                self.show_message(str(exc), error=True)
        self.refresh()
        self.ctx.events.collections_changed.emit()

    def remove_collection(self) -> None:
        name, lib = self.current(), self.ctx.library
        if not name or lib is None:
            return
        if name in self._pending:
            self._pending.discard(name)
            self.refresh()
            return
        if not self.confirm(
            self.tr("Remove collection?"),
            self.tr(
                "“{0}” and its index will be removed. Your files are not touched; chats keep "
                "their answers."
            ).format(name),
        ):
            return
        try:
            lib.remove_collection(name)
        except USER_ERRORS as exc:
            self.show_message(str(exc), error=True)
            return
        self._watchers.pop(name, None)
        self.refresh()
        self.ctx.events.collections_changed.emit()
        self.show_message(self.tr("Removed “{0}”.").format(name))

    def confirm(self, title: str, text: str) -> bool:
        return confirm_destructive(self, title, text, self.tr("Remove"))

    def ask(self) -> None:
        name = self.current()
        if name:
            self.ctx.events.use_collection.emit(name)

    def add_sample(self) -> None:
        """Index the bundled user guide (first run) and answer from it in the chat."""
        if self.ctx.library is None:
            return
        self.add_paths([str(SAMPLE_DIR)], SAMPLE_COLLECTION)

    def _open_item(self, item: QTreeWidgetItem, _col: int) -> None:
        problem = open_document(item.data(NAME, NAME_ROLE))
        if problem:
            self.show_message(problem, error=True)

    # -- drag and drop ---------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and self.ctx.library is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

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

        self._start(run, name, self.tr("Indexing into “{0}”…").format(name))

    def _start(self, fn, name: str, label: str) -> Job:
        self.message.hide()
        self._job_collection = name
        self.progress_label.setText(label)
        self.progress_file.setText("")
        self.progress.setRange(0, 0)
        self.pause_button.setText(self.tr("Pause"))
        self.progress_frame.show()
        job = self.ctx.service.submit(label, fn, engine=False)
        self.job = job
        job.update.connect(self._on_progress)
        job.finished.connect(self._on_report)
        job.failed.connect(lambda msg: self.show_message(msg, error=True))
        job.cancelled.connect(lambda: self.show_message(self.tr("Indexing cancelled.")))
        job.done.connect(self._job_done)
        self._update_buttons()
        return job

    def _on_progress(self, p: Any) -> None:
        phase = {
            "scanning": self.tr("Looking for files…"),
            "loading": self.tr("Loading the embedding model…"),
            "paused": self.tr("Paused"),
            "removing": self.tr("Removing deleted files…"),
            "done": self.tr("Finishing…"),
        }
        if p.phase == "indexing":
            text = self.tr("Indexing {0} of {1} files · {2:.1f} chunks/s · {3} left").format(
                p.files_done, p.files_total, p.chunks_per_s, human_duration(p.eta_s)
            )
        else:
            text = phase.get(p.phase, p.phase)
        self.progress_label.setText(f"{self._job_collection}: {text}")
        self.progress_file.setText(Path(p.current).name if p.current else "")
        if p.phase == "indexing" or p.files_total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(p.fraction * 1000))
        self.ctx.status(f"{self._job_collection}: {text}", 3000)

    def _on_report(self, report: Any) -> None:
        self.last_report = report
        name = self._job_collection
        self._pending.discard(name)
        counts = {s: report.count(s) for s in ("indexed", "unchanged", "skipped", "failed")}
        text = self.tr(
            "“{0}”: {1} indexed, {2} unchanged, {3} skipped, {4} failed, in {5}."
        ).format(
            name, counts["indexed"], counts["unchanged"], counts["skipped"], counts["failed"],
            human_duration(report.elapsed_s),
        )  # fmt: skip
        if report.cancelled:
            text = self.tr("Indexing cancelled; what was done is kept.")
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
        self.pause_button.setText(self.tr("Resume") if paused else self.tr("Pause"))

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.progress_label.setText(self.tr("Cancelling…"))

    def show_message(self, text: str, error: bool = False) -> None:
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
        """One poll of every collection's folders; changed ones are re-indexed."""
        lib = self.ctx.library
        if lib is None or self.job is not None or self._queue or not self._watch_enabled:
            return None
        try:
            cols = [c for c in lib.collections() if c.roots]
        except USER_ERRORS:
            return None
        if not cols:
            return None
        watchers = []
        for c in cols:
            w = self._watchers.get(c.name)
            if w is None or w.paths != [os.path.abspath(r) for r in c.roots]:
                w = lib.watcher(c.roots, c.name)
                self._watchers[c.name] = w
            watchers.append(w)

        def run(h: JobHandle):
            reports = []
            for w in watchers:
                if h.cancel.is_set():
                    break
                r = w.check(progress=lambda p: h.update(p), cancel=h.cancel)
                if r is not None and any(
                    f.status in ("indexed", "removed", "failed") for f in r.files
                ):
                    reports.append(r)
            return reports

        job = self.ctx.service.submit("watch folders", run, engine=False)
        self.job = job
        self._job_collection = self.tr("Watched folders")
        job.update.connect(self._on_watch_progress)
        job.finished.connect(self._on_watch)
        job.failed.connect(lambda msg: self.show_message(msg, error=True))
        job.done.connect(self._watch_done)
        return job

    def _on_watch_progress(self, p: Any) -> None:
        # Quiet while only checking; visible (with pause and cancel) once files are read.
        if p.phase == "indexing" and p.files_total:
            if self.progress_frame.isHidden():
                self.pause_button.setText(self.tr("Pause"))
                self.progress_frame.show()
            self._on_progress(p)

    def _on_watch(self, reports: list) -> None:
        if reports:
            names = ", ".join(r.collection for r in reports)
            self.ctx.status(self.tr("Updated from changed files: {0}").format(names), 5000)
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

    # -- text -----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.new_button.setText(self.tr("New collection…"))
        self.remove_collection_button.setText(self.tr("Remove collection…"))
        self.add_folder_button.setText(self.tr("Add folder…"))
        self.add_files_button.setText(self.tr("Add files…"))
        self.reindex_button.setText(self.tr("Re-index"))
        self.reindex_button.setToolTip(self.tr("Look for new, changed and deleted files now"))
        self.remove_doc_button.setText(self.tr("Remove…"))
        self.ask_button.setText(self.tr("Ask these documents"))
        self.cancel_button.setText(self.tr("Cancel"))
        current = self.filter.currentData()
        self.filter.clear()
        for code, text in (
            ("", self.tr("All documents")),
            ("indexed", self.tr("Indexed")),
            ("skipped", self.tr("Skipped")),
            ("failed", self.tr("Failed")),
        ):
            self.filter.addItem(text, code)
        self.filter.setCurrentIndex(max(0, self.filter.findData(current or "")))
        self.tree.setHeaderLabels(
            [
                self.tr("Document"),
                self.tr("Status"),
                self.tr("Chunks"),
                self.tr("Pages"),
                self.tr("Size"),
                self.tr("Folder"),
            ]
        )
        self.refresh()

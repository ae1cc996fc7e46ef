"""Library: collections of documents to answer from; add, watch, re-index, remove.

The layout, the collection list and the actions are here; the document table and
the progress banner are in library_docs.py, index runs and watching in
library_jobs.py.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDir, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import theme
from desktop.context import AppContext
from desktop.engine_thread import Job
from desktop.format import human_size, short_path
from desktop.i18n import Retranslates
from desktop.icons import icon
from desktop.open_file import open_document
from desktop.panels.library_docs import (
    NAME,
    NAME_ROLE,
    STATUS,
    DocumentTable,
    IndexBanner,
    ScannedFile,
    ScanSkips,
)
from desktop.panels.library_jobs import SAMPLE_COLLECTION, IndexJobs
from desktop.widgets.dialogs import confirm_destructive
from engine.errors import USER_ERRORS
from resources import ROOT as RESOURCES

SAMPLE_DIR = RESOURCES / "sample"
WATCH_INTERVAL_MS = 5000
SIDEBAR_WIDTH = 210


class LibraryPanel(IndexJobs, Retranslates, QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.job: Job | None = None
        self._job_collection: str | None = None
        self._queue: list[tuple[list[str], str]] = []
        self._pending: set[str] = set()  # new collections not indexed yet
        self._watchers: dict[str, Any] = {}
        self._any_watched = True  # until a poll or refresh() finds no folder to watch
        self._watch_enabled = True
        self.last_report: Any = None
        self.scan_skips = ScanSkips()  # files skipped before parsing (not in the store)
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
        self.split = QSplitter(Qt.Orientation.Horizontal, self)
        self.split.setChildrenCollapsible(False)
        outer.addWidget(self.split)
        self.split.addWidget(self._sidebar())
        self.split.addWidget(self._documents_pane())
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([SIDEBAR_WIDTH, 900])
        self._connect()

    def _sidebar(self) -> QWidget:
        left = QWidget(self.split)
        left.setObjectName("sidebar")
        left.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(10, 10, 6, 10)
        self.new_button = QPushButton(icon("plus"), "", left)
        lv.addWidget(self.new_button)
        self.collections = QListWidget(left)
        self.collections.setObjectName("chatList")
        self.collections.setTextElideMode(Qt.TextElideMode.ElideRight)
        lv.addWidget(self.collections, 1)
        self.remove_collection_button = QPushButton(icon("trash"), "", left)
        self.remove_collection_button.setProperty("danger", True)
        lv.addWidget(self.remove_collection_button)
        return left

    def _documents_pane(self) -> QWidget:
        right = QWidget(self.split)
        rv = QVBoxLayout(right)
        rv.setContentsMargins(20, 14, 20, 14)
        rv.setSpacing(10)
        head = QHBoxLayout()
        self.heading = QLabel(right)
        self.heading.setObjectName("title")
        head.addWidget(self.heading, 1)
        self.ask_button = QPushButton(icon("chat", theme.colors().accent_text), "", right)
        self.ask_button.setProperty("primary", True)
        head.addWidget(self.ask_button)
        rv.addLayout(head)
        self.stats = QLabel(right)
        self.stats.setObjectName("muted")
        self.stats.setWordWrap(True)
        rv.addWidget(self.stats)
        rv.addLayout(self._actions_row(right))
        self.tree = DocumentTable(right)
        rv.addWidget(self.tree, 1)
        self.detail = QLabel(right)  # the selected document's full status, wrapped
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.hide()
        rv.addWidget(self.detail)
        self.empty = QLabel(right)
        self.empty.setObjectName("muted")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        rv.addWidget(self.empty, 1)  # fills the place of the hidden table
        self.banner = self.progress_frame = IndexBanner(right)
        self.pause_button, self.cancel_button = self.banner.pause_button, self.banner.cancel_button
        self.progress_label, self.progress = self.banner.label, self.banner.bar
        rv.addWidget(self.banner)
        self.message = QLabel(right)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        rv.addWidget(self.message)
        return right

    def _actions_row(self, parent: QWidget) -> QHBoxLayout:
        actions = QHBoxLayout()
        self.add_folder_button = QPushButton(icon("folder"), "", parent)
        self.add_files_button = QPushButton(icon("file"), "", parent)
        self.reindex_button = QPushButton(icon("refresh"), "", parent)
        self.remove_doc_button = QPushButton(icon("trash"), "", parent)
        for b in (self.add_folder_button, self.add_files_button, self.reindex_button):
            actions.addWidget(b)
        actions.addStretch(1)
        self.filter = QComboBox(parent)
        self.filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        actions.addWidget(self.filter)
        actions.addWidget(self.remove_doc_button)
        return actions

    def _connect(self) -> None:
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
        self.tree.itemSelectionChanged.connect(self._selection_changed)

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
        self._any_watched = any(c.roots for c in stats.values())
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
        col, docs, early = self._load(name)
        self.tree.show_documents(docs)
        self.heading.setText(name or self.tr("Library"))
        self.stats.setText(self._summary(name, col, len(early)))
        has_docs = self.tree.topLevelItemCount() > 0
        self.tree.setVisible(has_docs or bool(self.filter.currentData()))
        self.empty.setVisible(not has_docs)
        self.empty.setText(self._empty_text(name))
        self._selection_changed()

    def _load(self, name: str | None) -> tuple[Any, list[Any], list[ScannedFile]]:
        """The collection, the rows to show, and the files its index runs skipped before
        reading them (an unsupported type), which the store does not keep."""
        lib = self.ctx.library
        if lib is None or not name or name in self._pending:
            return None, [], []
        status = self.filter.currentData() or None
        try:
            col = lib.collection(name)
            stored = lib.documents(name)
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))
            return None, [], []
        early = self.scan_skips.files(name, {d.path for d in stored})
        docs = [d for d in stored if status is None or d.status == status]
        if status in (None, "skipped"):
            docs += early
        return col, docs, early

    def _summary(self, name: str | None, col: Any, early: int) -> str:
        if col is None:
            return self.tr("Nothing indexed yet. Add a folder or files.") if name else ""
        text = self.tr("{0} documents · {1} chunks · {2} · embeddings: {3}").format(
            col.documents, col.chunks, human_size(col.size_bytes), col.embedding_model
        )
        if col.skipped + early or col.failed:
            text += " · " + self.tr("{0} skipped, {1} failed").format(
                col.skipped + early, col.failed
            )
        if col.roots:
            roots = ", ".join(short_path(r) for r in col.roots)
            text += "\n" + self.tr("Watching: {0}").format(roots)
        return text

    def _empty_text(self, name: str | None) -> str:
        if self.ctx.library is None:
            return self.tr("The document library is not available in this build.")
        if not name:
            return self.tr(
                "Create a collection and add folders or files (PDF, Word, HTML, Markdown, "
                "text, code) — or drop them here. Sastre then answers from them, with "
                "citations, in the Chat tab."
            )
        return self.tr("Drop folders or files here, or use Add folder / Add files.")

    def documents_shown(self) -> list[tuple[str, str]]:
        """(path, status text) of the rows shown (for tests and accessibility)."""
        return self.tree.rows()

    def _selection_changed(self) -> None:
        """Below the table, the whole status of the one selected document, wrapped."""
        items = self.tree.selectedItems()
        if len(items) == 1 and items[0].text(STATUS) != self.tr("Indexed"):
            self.detail.setText(f"{items[0].text(NAME)} — {items[0].text(STATUS)}")
            self.detail.show()
        else:
            self.detail.hide()
        self._update_buttons()

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
        path = QFileDialog.getExistingDirectory(self, self.tr("Add a folder"), QDir.homePath())
        if path:
            self.add_paths([path])

    def add_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Add files"), QDir.homePath())
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
        paths = self.tree.selected_paths()
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
        self.scan_skips.forget(name)
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
        self.tree.retranslate()
        self.banner.retranslate()
        self.refresh()

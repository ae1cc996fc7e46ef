"""The Library's document table, its progress banner, and skip reasons in the user's language.

The engine writes why a file was skipped or failed in English (the CLI prints it
as is); `reason_text` translates the reasons it knows, keeping their details.
Files skipped before parsing (an unsupported type such as a .png) have no row in
the store; `ScanSkips` keeps them from the last index runs so the table lists them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import theme
from desktop.format import human_size, short_path
from desktop.icons import icon

NAME_ROLE = Qt.ItemDataRole.UserRole
NAME, STATUS, CHUNKS, PAGES, SIZE, FOLDER = range(6)
STATUS_MIN, STATUS_MAX, FOLDER_MIN = 150, 560, 180  # column widths (px)


# The engine's reasons (English, as the CLI prints them) -> the text shown, translated at
# display time; {0} is a detail kept as written.
REASONS = {
    "parsing took longer than {0} s (parse_timeout_s); the file may be hostile or very large": (
        QT_TRANSLATE_NOOP(
            "LibraryPanel", "reading took longer than {0} s; the file may be hostile or very large"
        )
    ),
    "needed more than {0} MB to parse (parse_memory_mb); the file may be hostile or too complex": (
        QT_TRANSLATE_NOOP(
            "LibraryPanel",
            "needed more than {0} MB to read; the file may be hostile or too complex",
        )
    ),
    "unsupported file type ({0})": QT_TRANSLATE_NOOP("LibraryPanel", "unsupported file type ({0})"),
    "no text in this file": QT_TRANSLATE_NOOP("LibraryPanel", "no text in this file"),
    "no extractable text (a scanned PDF? OCR is not supported)": QT_TRANSLATE_NOOP(
        "LibraryPanel", "no extractable text (a scanned PDF? OCR is not supported)"
    ),
    "binary content, not text": QT_TRANSLATE_NOOP("LibraryPanel", "binary content, not text"),
    "not a real PDF file (no %PDF header)": QT_TRANSLATE_NOOP(
        "LibraryPanel", "not a real PDF file (no %PDF header)"
    ),
    "not a real DOCX file (it is not a ZIP package)": QT_TRANSLATE_NOOP(
        "LibraryPanel", "not a real DOCX file (it is not a ZIP package)"
    ),
    "malformed PDF ({0})": QT_TRANSLATE_NOOP("LibraryPanel", "malformed PDF ({0})"),
    "malformed DOCX ({0})": QT_TRANSLATE_NOOP("LibraryPanel", "malformed DOCX ({0})"),
    "encrypted PDF that cannot be opened ({0})": QT_TRANSLATE_NOOP(
        "LibraryPanel", "encrypted PDF that cannot be opened ({0})"
    ),
    "encrypted PDF (password protected); decrypt it and index again": QT_TRANSLATE_NOOP(
        "LibraryPanel", "encrypted PDF (password protected); decrypt it and index again"
    ),
    "larger than the {0} MB limit (max_file_mb)": QT_TRANSLATE_NOOP(
        "LibraryPanel", "larger than the {0} MB limit"
    ),
    "grew past the size limit while being read": QT_TRANSLATE_NOOP(
        "LibraryPanel", "grew past the size limit while being read"
    ),
    "permission denied (check the file's permissions)": QT_TRANSLATE_NOOP(
        "LibraryPanel", "permission denied (check the file's permissions)"
    ),
    "permission denied": QT_TRANSLATE_NOOP("LibraryPanel", "permission denied"),
    "broken symlink (its target does not exist)": QT_TRANSLATE_NOOP(
        "LibraryPanel", "broken link (its target does not exist)"
    ),
    "not a regular file": QT_TRANSLATE_NOOP("LibraryPanel", "not a regular file"),
    "same file as {0}": QT_TRANSLATE_NOOP("LibraryPanel", "same file as {0}"),
    "symlink loop (a folder already visited)": QT_TRANSLATE_NOOP(
        "LibraryPanel", "link loop (a folder already visited)"
    ),
    "deleted while being indexed": QT_TRANSLATE_NOOP("LibraryPanel", "deleted while being indexed"),
    "changed while being indexed": QT_TRANSLATE_NOOP("LibraryPanel", "changed while being indexed"),
    "kept changing while being indexed; run again later": QT_TRANSLATE_NOOP(
        "LibraryPanel", "kept changing while being indexed; try again later"
    ),
    "malformed file (nested too deeply to parse)": QT_TRANSLATE_NOOP(
        "LibraryPanel", "malformed file (nested too deeply to read)"
    ),
    "cannot read it ({0})": QT_TRANSLATE_NOOP("LibraryPanel", "cannot read it ({0})"),
    "parser error ({0})": QT_TRANSLATE_NOOP("LibraryPanel", "could not be read ({0})"),
    "the parser crashed ({0})": QT_TRANSLATE_NOOP(
        "LibraryPanel", "the reader stopped unexpectedly ({0})"
    ),
    "folder: {0}": QT_TRANSLATE_NOOP("LibraryPanel", "folder: {0}"),
}


def reason_text(reason: str | None) -> str:
    """A skip or failure reason in the user's language (unknown ones as written)."""
    if not reason:
        return ""
    for english, shown in REASONS.items():
        shown = QCoreApplication.translate("LibraryPanel", shown)
        if "{0}" not in english:
            if reason == english:
                return shown
            continue
        head, tail = english.split("{0}")
        m = re.fullmatch(re.escape(head) + r"(.*)" + re.escape(tail), reason, re.S)
        if m:
            return shown.format(reason_text(m.group(1)) if head == "folder: " else m.group(1))
    from desktop.messages import translate_sentence  # the engine's own wording

    return translate_sentence(reason)


def status_text(status: str, reason: str | None = None) -> str:
    names = {
        "indexed": QCoreApplication.translate("LibraryPanel", "Indexed"),
        "skipped": QCoreApplication.translate("LibraryPanel", "Skipped"),
        "failed": QCoreApplication.translate("LibraryPanel", "Failed"),
    }
    text = names.get(status, status)
    return f"{text}: {reason_text(reason)}" if reason else text


@dataclass
class ScannedFile:
    """A file the index run skipped before parsing: shaped like a stored document row."""

    path: str
    error: str
    status: str = "skipped"
    title: str | None = None
    chunk_count: int = 0
    pages: int | None = None
    size: int | None = None


class ScanSkips:
    """Per collection, the files the last index runs skipped before parsing."""

    def __init__(self) -> None:
        self._by_collection: dict[str, dict[str, str]] = {}

    def update(self, report: Any) -> bool:
        """Take in a report; True when a file is newly skipped or no longer skipped."""
        known = self._by_collection.setdefault(report.collection, {})
        before = dict(known)
        for f in report.files:
            if f.status == "skipped" and f.reason:
                known[f.path] = f.reason
            else:
                known.pop(f.path, None)
        return known != before

    def forget(self, collection: str) -> None:
        self._by_collection.pop(collection, None)

    def files(self, collection: str, stored: set[str]) -> list[ScannedFile]:
        """Those still on disk and not stored as documents (which say it themselves)."""
        out = []
        for path, reason in sorted(self._by_collection.get(collection, {}).items()):
            if path in stored or not os.path.lexists(path) or os.path.isdir(path):
                continue
            try:
                size = os.path.getsize(path)
            except OSError:
                size = None
            out.append(ScannedFile(path, reason, size=size))
        return out


class DocumentTable(QTreeWidget):
    """One row per document: name, status (with the reason), chunks, pages, size, folder."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setColumnCount(6)
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.setSortingEnabled(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(NAME, 200)
        header.setSectionResizeMode(STATUS, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(STATUS, STATUS_MIN)
        for col in (CHUNKS, PAGES, SIZE):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)

    def resizeEvent(self, event) -> None:  # noqa: N802
        """The status (where skip reasons are) gets the room the folder can spare."""
        super().resizeEvent(event)
        header = self.header()
        others = sum(header.sectionSize(c) for c in (NAME, CHUNKS, PAGES, SIZE))
        room = self.viewport().width() - others - FOLDER_MIN
        header.resizeSection(STATUS, max(STATUS_MIN, min(STATUS_MAX, room)))

    def show_documents(self, docs: list[Any]) -> None:
        self.clear()
        self.setSortingEnabled(False)
        for d in docs:
            self.addTopLevelItem(self._item(d))
        self.setSortingEnabled(True)
        self.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)

    def _item(self, d: Any) -> QTreeWidgetItem:
        status = status_text(d.status, d.error)
        p = Path(d.path)
        pages = str(d.pages or "–")
        size = human_size(d.size) if d.size is not None else "–"
        cells = [p.name, status, str(d.chunk_count or 0), pages, size, short_path(str(p.parent))]
        item = QTreeWidgetItem(cells)
        item.setData(NAME, NAME_ROLE, d.path)
        item.setToolTip(NAME, d.title or d.path)
        item.setToolTip(STATUS, status)
        item.setToolTip(FOLDER, d.path)
        item.setIcon(NAME, icon("file"))
        c = theme.colors()
        color = {"indexed": c.good, "skipped": c.muted, "failed": c.error}.get(d.status)
        if color:
            item.setForeground(STATUS, QColor(color))
        return item

    def selected_paths(self) -> list[str]:
        return [i.data(NAME, NAME_ROLE) for i in self.selectedItems()]

    def rows(self) -> list[tuple[str, str]]:
        out = []
        for i in range(self.topLevelItemCount()):
            item = self.topLevelItem(i)
            out.append((item.data(NAME, NAME_ROLE), item.text(STATUS)))
        return out

    def retranslate(self) -> None:
        self.setHeaderLabels(
            [
                QCoreApplication.translate("LibraryPanel", "Document"),
                QCoreApplication.translate("LibraryPanel", "Status"),
                QCoreApplication.translate("LibraryPanel", "Chunks"),
                QCoreApplication.translate("LibraryPanel", "Pages"),
                QCoreApplication.translate("LibraryPanel", "Size"),
                QCoreApplication.translate("LibraryPanel", "Folder"),
            ]
        )


class IndexBanner(QFrame):
    """What an index run is doing: a line of text, pause and cancel, a bar, the file."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("banner")
        pv = QVBoxLayout(self)
        pv.setContentsMargins(12, 8, 12, 8)
        prow = QHBoxLayout()
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        prow.addWidget(self.label, 1)
        self.pause_button = QPushButton(self)
        self.cancel_button = QPushButton(self)
        prow.addWidget(self.pause_button)
        prow.addWidget(self.cancel_button)
        pv.addLayout(prow)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        pv.addWidget(self.bar)
        self.file = QLabel(self)
        self.file.setObjectName("muted")
        pv.addWidget(self.file)
        self.hide()

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.file.setText("")
        self.bar.setRange(0, 0)  # busy until the first report with a count
        self.pause_button.setText(QCoreApplication.translate("LibraryPanel", "Pause"))
        self.show()

    def show_progress(self, text: str, fraction: float | None, current: str | None) -> None:
        self.label.setText(text)
        self.file.setText(Path(current).name if current else "")
        if fraction is not None:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(fraction * 1000))

    def retranslate(self) -> None:
        self.cancel_button.setText(QCoreApplication.translate("LibraryPanel", "Cancel"))

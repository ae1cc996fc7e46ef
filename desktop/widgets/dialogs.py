"""Small dialogs the panels share, and the user guide window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QTextBrowser,
    QWidget,
)

from resources import ROOT as RESOURCES

GUIDE_DIR = RESOURCES / "sample"  # also the first-run sample collection
SPANISH_GUIDE = "06-guia-rapida.md"


def confirm_destructive(parent: QWidget, title: str, text: str, action: str) -> bool:
    """Ask before something that cannot be undone: `action` names the red button
    (Delete, Remove); Cancel is the other. True when the user chose the action."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    ok = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is ok


def guide_chapters(language: str) -> list[tuple[str, Path]]:
    """(title, file) of each chapter of the bundled user guide; the Spanish quick guide
    comes first for Spanish and last otherwise."""
    chapters = []
    for path in sorted(GUIDE_DIR.glob("*.md")):
        first = path.read_text(encoding="utf-8").lstrip().splitlines()[0]
        chapters.append((first.lstrip("# ").strip(), path))
    spanish = [c for c in chapters if c[1].name == SPANISH_GUIDE]
    rest = [c for c in chapters if c[1].name != SPANISH_GUIDE]
    return spanish + rest if language == "es" else rest + spanish


class GuideDialog(QDialog):
    """The user guide that ships with the app, read offline: chapters on the left."""

    def __init__(self, language: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.resize(900, 640)
        lay = QHBoxLayout(self)
        self.chapters = QListWidget(self)
        self.chapters.setMaximumWidth(240)
        self.text = QTextBrowser(self)
        self.text.setOpenLinks(False)  # the guide is read here; nothing is fetched
        lay.addWidget(self.chapters)
        lay.addWidget(self.text, 1)
        for title, path in guide_chapters(language):
            item = QListWidgetItem(title, self.chapters)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
        self.chapters.currentItemChanged.connect(self._show)
        self.chapters.setCurrentRow(0)
        self.setWindowTitle(self.tr("User guide"))

    def _show(self, item: QListWidgetItem | None, _prev=None) -> None:
        if item is not None:
            path = Path(item.data(Qt.ItemDataRole.UserRole))
            self.text.setMarkdown(path.read_text(encoding="utf-8"))

    def chapter_titles(self) -> list[str]:
        return [self.chapters.item(i).text() for i in range(self.chapters.count())]

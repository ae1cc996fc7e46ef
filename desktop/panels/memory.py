"""Memory: facts about the user. Proposed ones wait for the user; accepted ones go into prompts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from desktop.i18n import Retranslates
from engine.errors import USER_ERRORS


class MemoryPanel(Retranslates, QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.intro.setObjectName("muted")
        lay.addWidget(self.intro)
        self.list = QListWidget(self)
        lay.addWidget(self.list, 1)
        self.edit = QLineEdit(self)
        lay.addWidget(self.edit)
        row = QHBoxLayout()
        self.add_button = QPushButton(self)
        self.save_button = QPushButton(self)
        self.accept_button = QPushButton(self)
        self.delete_button = QPushButton(self)
        for b in (self.add_button, self.save_button, self.accept_button, self.delete_button):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.add_button.clicked.connect(self.add)
        self.save_button.clicked.connect(self.save)
        self.accept_button.clicked.connect(self.accept_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.list.currentItemChanged.connect(self._selected)
        self.edit.returnPressed.connect(self.add)
        ctx.events.memories_changed.connect(self.refresh)
        self.retranslate()
        self.refresh()

    def refresh(self) -> None:
        current = self.current_id()
        self.list.clear()
        for m in self.ctx.store.memories.list():
            label = m.text if m.status == "accepted" else self.tr("{0}  (proposed)").format(m.text)
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, m.id)
            if m.status != "accepted":
                f = item.font()
                f.setItalic(True)
                item.setFont(f)
            self.list.addItem(item)
            if m.id == current:
                self.list.setCurrentItem(item)
        self._selected()

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _selected(self, *_args) -> None:
        mid = self.current_id()
        m = self.ctx.store.memories.get(mid) if mid else None
        for b in (self.save_button, self.delete_button):
            b.setEnabled(m is not None)
        self.accept_button.setEnabled(m is not None and m.status != "accepted")
        if m is not None:
            self.edit.setText(m.text)

    def _changed(self) -> None:
        self.ctx.events.memories_changed.emit()

    def add(self) -> None:
        try:
            self.ctx.store.memories.add(self.edit.text(), status="accepted")
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))
            return
        self.edit.clear()
        self._changed()

    def save(self) -> None:
        """Save the edited text of the selected memory (editing accepts it)."""
        mid = self.current_id()
        if mid is not None:
            try:
                self.ctx.store.memories.update(mid, text=self.edit.text(), status="accepted")
            except USER_ERRORS as exc:
                self.ctx.error(str(exc))
                return
            self._changed()

    def accept_selected(self) -> None:
        mid = self.current_id()
        if mid is not None:
            self.ctx.store.memories.accept(mid)
            self._changed()

    def delete_selected(self) -> None:
        mid = self.current_id()
        if mid is not None:
            self.ctx.store.memories.delete(mid)
            self.edit.clear()
            self._changed()

    def retranslate(self) -> None:
        self.intro.setText(
            self.tr(
                "Facts about you that Sastre adds to every prompt. Statements like “I am a "
                "nurse” or “answer in Spanish” in your chats are proposed here (by simple "
                "patterns, not by the model); accept, edit or delete them."
            )
        )
        self.edit.setPlaceholderText(self.tr("A fact or preference, e.g. I prefer short answers"))
        self.add_button.setText(self.tr("Add"))
        self.save_button.setText(self.tr("Save edit"))
        self.accept_button.setText(self.tr("Accept"))
        self.delete_button.setText(self.tr("Delete"))

"""The sidebar of chats: new, search (debounced), rename in place, delete."""

from __future__ import annotations

import re

from PySide6.QtCore import QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from desktop.i18n import Retranslates
from desktop.icons import icon
from desktop.widgets.dialogs import confirm_destructive
from engine.errors import USER_ERRORS

SEARCH_DEBOUNCE_MS = 250
SIDEBAR_MIN = 180  # chat titles stay readable however the window is sized
ID_ROLE = Qt.ItemDataRole.UserRole
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # [text](url) -> text
_MARKS = re.compile(r"(\*\*|__|~~|`+|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*]))")
_LEAD = re.compile(r"^\s*(#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)")


def plain_title(title: str) -> str:
    """A chat title as plain text: Markdown marks (bold, code, headings, links) removed."""
    text = _LINK.sub(r"\1", " ".join(title.split()))
    text = _MARKS.sub("", _LEAD.sub("", text))
    return " ".join(text.split()) or title.strip()


class ChatListPanel(Retranslates, QWidget):
    chat_selected = Signal(object)  # chat id, or None for a new chat

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("sidebar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._current: int | None = None
        self._filling = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 10, 6, 10)
        lay.setSpacing(8)
        top = QHBoxLayout()
        self.new_button = QPushButton(self)
        self.new_button.setIcon(icon("plus"))
        self.new_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.new_button.clicked.connect(lambda: self.chat_selected.emit(None))
        top.addWidget(self.new_button, 1)
        lay.addLayout(top)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        lay.addWidget(self.search)
        self.list = QListWidget(self)
        self.list.setObjectName("chatList")
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay.addWidget(self.list, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.list.currentItemChanged.connect(self._on_current)
        self.list.itemChanged.connect(self._on_renamed)
        self.list.customContextMenuRequested.connect(self._menu)
        ctx.events.chats_changed.connect(self.refresh)
        self.retranslate()
        self.refresh()

    # -- data -----------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            chats = self.ctx.store.chats.list(search=self.search.text().strip() or None)
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))
            return
        self._filling = True
        self.list.clear()
        for chat in chats:
            title = plain_title(chat.title) if chat.title else self.tr("Untitled chat")
            item = QListWidgetItem(title)
            item.setData(ID_ROLE, chat.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            item.setToolTip(  # the whole title, however narrow the sidebar
                self.tr("{0}\n{1} messages · {2}").format(
                    title, chat.message_count, chat.updated_at.replace("T", " ")[:16]
                )
            )
            self.list.addItem(item)
            if chat.id == self._current:
                self.list.setCurrentItem(item)
        self._filling = False

    def select(self, chat_id: int | None) -> None:
        """Mark the chat shown in the chat view (no signal)."""
        self._current = chat_id
        self._filling = True
        self.list.setCurrentItem(None)
        for i in range(self.list.count()):
            if self.list.item(i).data(ID_ROLE) == chat_id:
                self.list.setCurrentRow(i)
                break
        self._filling = False

    def ids(self) -> list[int]:
        return [self.list.item(i).data(ID_ROLE) for i in range(self.list.count())]

    def _on_current(self, item: QListWidgetItem | None, _prev) -> None:
        if self._filling or item is None:
            return
        self._current = item.data(ID_ROLE)
        self.chat_selected.emit(self._current)

    # -- rename / delete ------------------------------------------------------------------
    def rename_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item)

    def _on_renamed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        title = " ".join(item.text().split())
        chat_id = item.data(ID_ROLE)
        if not title:
            self.refresh()
            return
        self.ctx.store.chats.rename(chat_id, title)
        self.ctx.events.chats_changed.emit()

    def delete_chat(self, chat_id: int) -> bool:
        chat = self.ctx.store.chats.get(chat_id)
        if chat is None:
            return False
        if chat_id == self.ctx.generating_chat:
            self.ctx.status(self.tr("Stop the answer being written before deleting this chat."))
            return False
        if not self.confirm(
            self.tr("Delete chat?"),
            self.tr("“{0}” and its {1} messages will be deleted. This cannot be undone.").format(
                plain_title(chat.title or ""), chat.message_count
            ),
        ):
            return False
        self.ctx.store.chats.delete(chat_id)
        if chat_id == self._current:
            self._current = None
            self.chat_selected.emit(None)
        self.ctx.events.chats_changed.emit()
        self.ctx.status(self.tr("Chat deleted."), 3000)
        return True

    def delete_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.delete_chat(item.data(ID_ROLE))

    def confirm(self, title: str, text: str) -> bool:
        return confirm_destructive(self, title, text, self.tr("Delete"))

    def _menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        menu = QMenu(self)
        rename = menu.addAction(self.tr("Rename"))
        delete = menu.addAction(icon("trash"), self.tr("Delete…"))
        chosen = menu.exec(self.list.viewport().mapToGlobal(pos))
        if chosen is rename:
            self.list.editItem(item)
        elif chosen is delete:
            self.delete_chat(item.data(ID_ROLE))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        """Never narrower than its buttons (in any language) or SIDEBAR_MIN."""
        hint = super().minimumSizeHint()
        return QSize(max(hint.width(), SIDEBAR_MIN), hint.height())

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Delete and self.list.hasFocus():
            self.delete_current()
            return
        super().keyPressEvent(event)

    def retranslate(self) -> None:
        self.new_button.setText(self.tr("New chat"))
        self.new_button.setToolTip(self.tr("Start a new chat (Ctrl+N)"))
        self.search.setPlaceholderText(self.tr("Search chats (Ctrl+K)"))
        self.refresh()

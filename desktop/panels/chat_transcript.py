"""The scrolling transcript of a chat: its message widgets, the welcome and the error banner.

It sticks to the bottom while the user has not scrolled up, so a streaming answer stays
in view without pulling the reader away from what they scrolled back to.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.icons import icon
from desktop.panels.chat_welcome import ChatWelcome

COLUMN_WIDTH = 820


class ChatTranscript(QScrollArea):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("transcript")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.widgets: list[QWidget] = []
        self.stick = True
        inner = QWidget()
        inner.setObjectName("transcriptInner")
        row = QHBoxLayout(inner)
        row.setContentsMargins(24, 16, 24, 16)
        self.column = QWidget(inner)
        self.column.setMaximumWidth(COLUMN_WIDTH)
        self.layout_column = QVBoxLayout(self.column)
        self.layout_column.setContentsMargins(0, 0, 0, 0)
        self.layout_column.setSpacing(6)
        self.welcome = ChatWelcome(self.column)
        self.layout_column.addWidget(self.welcome)
        self.error_banner = self._build_error_banner(self.column)
        self.layout_column.addWidget(self.error_banner)
        self.layout_column.addStretch(1)
        row.addStretch(0)
        row.addWidget(self.column, 1)
        row.addStretch(0)
        self.setWidget(inner)
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._on_range)
        bar.valueChanged.connect(self._on_scroll)

    def _build_error_banner(self, parent: QWidget) -> QFrame:
        f = QFrame(parent)
        f.setObjectName("errorBanner")
        h = QHBoxLayout(f)
        h.setContentsMargins(12, 8, 8, 8)
        self.error_label = QLabel(f)
        self.error_label.setWordWrap(True)
        self.error_label.setObjectName("error")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        h.addWidget(self.error_label, 1)
        self.error_close = QToolButton(f)
        self.error_close.setIcon(icon("close"))
        self.error_close.setAutoRaise(True)
        self.error_close.clicked.connect(f.hide)
        h.addWidget(self.error_close, 0, Qt.AlignmentFlag.AlignTop)
        f.hide()
        return f

    # -- messages ---------------------------------------------------------------------
    def insert(self, w: QWidget) -> None:
        # Messages go before the error banner and the final stretch.
        self.layout_column.insertWidget(self.layout_column.count() - 2, w)
        self.widgets.append(w)

    def remove(self, which: Callable[[QWidget], bool]) -> None:
        for w in [w for w in self.widgets if which(w)]:
            self.widgets.remove(w)
            w.setParent(None)
            w.deleteLater()

    def clear(self) -> None:
        self.remove(lambda _w: True)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_banner.show()
        self.scroll_to_end()

    # -- scrolling ------------------------------------------------------------------
    def _on_scroll(self, value: int) -> None:
        self.stick = value >= self.verticalScrollBar().maximum() - 40

    def _on_range(self, _lo: int, hi: int) -> None:
        if self.stick:
            self.verticalScrollBar().setValue(hi)

    def scroll_to_end(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def follow_end(self) -> None:
        """Scroll to the end after the next layout, if the reader is at the end."""
        if self.stick:
            QTimer.singleShot(0, self.scroll_to_end)

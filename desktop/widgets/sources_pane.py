"""The passages an answer was built from: [n], file, page, heading and snippet."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop import links
from desktop.i18n import Retranslates
from desktop.icons import icon
from desktop.widgets.labels import ElidedLabel
from engine.rag.types import Source

SNIPPET_CHARS = 480


_MARKUP = re.compile(r"(\*\*|__|`+|^#{1,6}\s+|^\s*[-*+]\s+|^\s*>\s?)", re.M)


_EMPHASIS = re.compile(r"(?<![\w*])[*_](\S(?:[^*_\n]*\S)?)[*_](?![\w*])")


def plain_snippet(text: str) -> str:
    """A passage as readable plain text: Markdown markers dropped, whitespace folded."""
    text = _EMPHASIS.sub(r"\1", _MARKUP.sub("", text))
    return " ".join(text.split())


class SourceCard(Retranslates, QFrame):
    open_requested = Signal(str, object)  # path, page (int | None)

    def __init__(self, source: Source, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sourceCard")
        self.source = source
        self.n = source.n
        self.path = source.path
        self.page = source.page
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        lay.setSpacing(4)
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        f = self.title.font()
        f.setBold(True)
        self.title.setFont(f)
        lay.addWidget(self.title)
        self.where = QLabel(self)
        self.where.setWordWrap(True)
        self.where.setObjectName("muted")
        self.where.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.where)
        self.snippet = QLabel(self)
        self.snippet.setWordWrap(True)
        self.snippet.setTextFormat(Qt.TextFormat.PlainText)
        self.snippet.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text = plain_snippet(source.text)
        if len(text) > SNIPPET_CHARS:
            text = text[: SNIPPET_CHARS - 1].rstrip() + "…"
        self.snippet.setText(text)
        lay.addWidget(self.snippet)
        row = QHBoxLayout()
        self.path_label = ElidedLabel(self, Qt.TextElideMode.ElideMiddle)
        self.path_label.setObjectName("muted")
        self.path_label.setText(self.path)
        row.addWidget(self.path_label, 1)
        self.open_button = QPushButton(self)
        self.open_button.setIcon(icon("open"))
        self.open_button.clicked.connect(self._open)
        row.addWidget(self.open_button)
        lay.addLayout(row)
        self.retranslate()

    def _open(self) -> None:
        # Only the user's indexed files, and never a path on another computer.
        if links.local_path(self.path) is not None:
            self.open_requested.emit(self.path, self.page)

    def set_current(self, current: bool) -> None:
        self.setProperty("current", current)
        self.style().unpolish(self)
        self.style().polish(self)

    def retranslate(self) -> None:
        name = Path(self.path).name or self.tr("(unknown file)")
        self.title.setText(f"[{self.n}]  {name}")
        bits = []
        if self.page:
            bits.append(self.tr("page {0}").format(self.page))
        if self.source.heading:
            bits.append(self.source.heading)
        self.where.setText(" · ".join(bits))
        self.where.setVisible(bool(bits))
        self.open_button.setText(
            self.tr("Open at page {0}").format(self.page) if self.page else self.tr("Open file")
        )


class SourcesPane(Retranslates, QWidget):
    """Shown beside the chat when a citation or an answer's sources are clicked."""

    open_requested = Signal(str, object)  # path, page
    closed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sourcesPane")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setMinimumWidth(260)
        self.cards: list[SourceCard] = []
        self.current: int | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        head = QHBoxLayout()
        self.heading = QLabel(self)
        self.heading.setObjectName("title")
        head.addWidget(self.heading, 1)
        self.close_button = QToolButton(self)
        self.close_button.setIcon(icon("close"))
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self._close)
        head.addWidget(self.close_button)
        lay.addLayout(head)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setStyleSheet("QScrollArea { background: transparent; }")
        self.inner = QWidget()
        self.inner.setObjectName("sourcesPane")
        self.list = QVBoxLayout(self.inner)
        self.list.setContentsMargins(0, 0, 4, 0)
        self.list.setSpacing(8)
        self.list.addStretch(1)
        self.scroll.setWidget(self.inner)
        lay.addWidget(self.scroll, 1)
        self.empty = QLabel(self)
        self.empty.setObjectName("muted")
        self.empty.setWordWrap(True)
        lay.addWidget(self.empty)
        self.retranslate()

    def show_sources(self, sources: list[Source], current: int | None = None) -> None:
        for card in self.cards:
            card.deleteLater()
        self.cards = []
        for s in sorted(sources, key=lambda s: s.n):
            card = SourceCard(s, self.inner)
            card.open_requested.connect(self.open_requested)
            self.list.insertWidget(self.list.count() - 1, card)
            self.cards.append(card)
        self.empty.setVisible(not self.cards)
        self.select(current)
        self.show()

    def select(self, n: int | None) -> None:
        self.current = n
        for card in self.cards:
            card.set_current(card.n == n)
            if card.n == n:
                self.scroll.ensureWidgetVisible(card, 0, 20)

    def card(self, n: int) -> SourceCard | None:
        return next((c for c in self.cards if c.n == n), None)

    def _close(self) -> None:
        self.hide()
        self.closed.emit()

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Sources"))
        self.close_button.setToolTip(self.tr("Hide sources"))
        self.empty.setText(self.tr("This answer did not use any of your documents."))

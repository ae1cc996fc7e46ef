"""One message in the chat transcript: the user's bubble, or an answer with its actions.

Widgets here only show and emit; the chat panel writes to the store.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import Retranslates
from desktop.icons import icon
from desktop.widgets.labels import ElidedLabel
from desktop.widgets.markdown_view import MarkdownView
from engine.rag.attribution import unsupported_sentences
from engine.rag.types import Source
from store.chats import Message


def tool_button(name: str, parent: QWidget, checkable: bool = False) -> QToolButton:
    b = QToolButton(parent)
    b.setIcon(icon(name))
    b.setAutoRaise(True)
    b.setCheckable(checkable)
    b.setCursor(Qt.CursorShape.PointingHandCursor)
    return b


class BubbleLabel(QLabel):
    """Word-wrapped text that asks for its natural width but can shrink to a narrow column."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.limit = 600

    def sizeHint(self) -> QSize:  # noqa: N802
        fm = self.fontMetrics()
        lines = self.text().split("\n") or [""]
        natural = max(fm.horizontalAdvance(line) for line in lines) + 6
        w = max(40, min(natural, self.limit))
        return QSize(w, self.heightForWidth(w))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(40, self.fontMetrics().height())


class UserMessage(Retranslates, QWidget):
    """The user's message, right-aligned; can be edited and sent again."""

    resend_requested = Signal(int, str)  # message id, new text

    def __init__(self, message: Message, parent: QWidget | None = None):
        super().__init__(parent)
        self.message = message
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 6, 0, 2)
        outer.setSpacing(2)

        row = QHBoxLayout()
        row.addStretch(1)
        self.bubble = QFrame(self)
        self.bubble.setObjectName("userBubble")
        b = QVBoxLayout(self.bubble)
        b.setContentsMargins(14, 9, 14, 9)
        self.label = BubbleLabel(self.bubble)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        b.addWidget(self.label)
        row.addWidget(self.bubble, 0)
        outer.addLayout(row)

        self.editor = QFrame(self)
        ed = QVBoxLayout(self.editor)
        ed.setContentsMargins(0, 0, 0, 0)
        self.edit_box = QPlainTextEdit(self.editor)
        self.edit_box.setMinimumHeight(80)
        ed.addWidget(self.edit_box)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self.editor)
        self.send_button = QPushButton(self.editor)
        self.send_button.setProperty("primary", True)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.send_button)
        ed.addLayout(buttons)
        self.editor.hide()
        outer.addWidget(self.editor)

        actions = QHBoxLayout()
        actions.setSpacing(2)
        actions.addStretch(1)
        self.edit_button = tool_button("edit", self)
        self.copy_button = tool_button("copy", self)
        actions.addWidget(self.edit_button)
        actions.addWidget(self.copy_button)
        outer.addLayout(actions)

        self.edit_button.clicked.connect(self.start_edit)
        self.copy_button.clicked.connect(
            lambda: QApplication.clipboard().setText(self.message.content)
        )
        self.cancel_button.clicked.connect(self.cancel_edit)
        self.send_button.clicked.connect(self._send_edit)
        self.set_text(message.content)
        self.retranslate()

    def set_text(self, text: str) -> None:
        self.message.content = text
        self.label.setText(text)
        self.label.updateGeometry()

    def resizeEvent(self, event) -> None:  # noqa: N802
        # Long messages wrap at 80% of the column; short ones hug their text.
        super().resizeEvent(event)
        limit = max(120, int(event.size().width() * 0.8) - 28)
        if limit != self.label.limit:
            self.label.limit = limit
            self.label.updateGeometry()

    def set_busy(self, busy: bool) -> None:
        self.edit_button.setEnabled(not busy and self.message.id is not None)

    def start_edit(self) -> None:
        self.edit_box.setPlainText(self.message.content)
        self.bubble.hide()
        self.editor.show()
        self.edit_box.setFocus()

    def cancel_edit(self) -> None:
        self.editor.hide()
        self.bubble.show()

    def _send_edit(self) -> None:
        text = self.edit_box.toPlainText().strip()
        if text and self.message.id is not None:
            self.cancel_edit()
            self.resend_requested.emit(self.message.id, text)

    def retranslate(self) -> None:
        self.edit_button.setToolTip(self.tr("Edit and send again"))
        self.copy_button.setToolTip(self.tr("Copy"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.send_button.setText(self.tr("Send"))


class FeedbackEditor(Retranslates, QFrame):
    """Optional reason and corrected answer, shown after a thumb is clicked."""

    saved = Signal(str, str)  # reason, correction
    closed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("banner")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        self.prompt = QLabel(self)
        self.prompt.setWordWrap(True)
        lay.addWidget(self.prompt)
        self.reason = QLineEdit(self)
        lay.addWidget(self.reason)
        self.correction = QPlainTextEdit(self)
        self.correction.setMaximumHeight(110)
        lay.addWidget(self.correction)
        row = QHBoxLayout()
        row.addStretch(1)
        self.close_button = QPushButton(self)
        self.save_button = QPushButton(self)
        self.save_button.setProperty("primary", True)
        row.addWidget(self.close_button)
        row.addWidget(self.save_button)
        lay.addLayout(row)
        self.rating = 0
        self.save_button.clicked.connect(
            lambda: self.saved.emit(self.reason.text(), self.correction.toPlainText())
        )
        self.close_button.clicked.connect(self.closed.emit)
        self.retranslate()

    def open_for(self, rating: int, reason: str | None, correction: str | None) -> None:
        self.rating = rating
        self.reason.setText(reason or "")
        self.correction.setPlainText(correction or "")
        self.retranslate()
        self.show()

    def retranslate(self) -> None:
        if self.rating < 0:
            self.prompt.setText(self.tr("Thanks. What was wrong? (optional)"))
            self.reason.setPlaceholderText(self.tr("e.g. wrong facts, too long, ignored my files"))
        else:
            self.prompt.setText(self.tr("Thanks. What was good? (optional)"))
            self.reason.setPlaceholderText(self.tr("e.g. accurate, well cited, right length"))
        self.correction.setPlaceholderText(
            self.tr("The answer you wanted instead (optional; used to improve the model later)")
        )
        self.close_button.setText(self.tr("Close"))
        self.save_button.setText(self.tr("Save"))


class AssistantMessage(Retranslates, QWidget):
    """An answer: Markdown, model and speed, copy / regenerate / thumbs."""

    regenerate_requested = Signal(int)  # message id
    rate_requested = Signal(int, int)  # message id, +1 / -1 / 0 (clear)
    feedback_saved = Signal(int, int, str, str)  # message id, rating, reason, correction
    citation_clicked = Signal(int)  # n
    link_clicked = Signal(QUrl)
    sources_requested = Signal()
    inspect_requested = Signal(int)  # message id: show the prompt it was generated from
    version_chosen = Signal(int)  # the message id of the version the user prefers

    def __init__(self, message: Message, parent: QWidget | None = None):
        super().__init__(parent)
        self.message = message
        self.reasoning = ""
        self.sources: list[Source] = []
        self.rating = 0
        self._reason: str | None = None
        self._correction: str | None = None
        self._streaming = False
        self._can_regenerate = True
        # Every version of this answer with its rating; `version_pos` is the one shown.
        self.versions: list[tuple[Message, Any]] = []
        self.version_pos = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 6, 0, 6)
        lay.setSpacing(4)
        self._build_reasoning(lay)
        self.view = MarkdownView(self, auto_height=True)
        self.view.citation_clicked.connect(self.citation_clicked)
        self.view.link_clicked.connect(self.link_clicked)
        lay.addWidget(self.view)
        self.status = QLabel(self)  # "Loading model…", errors
        self.status.setWordWrap(True)
        self.status.setObjectName("muted")
        self.status.hide()
        lay.addWidget(self.status)
        lay.addLayout(self._build_actions())
        self.feedback = FeedbackEditor(self)
        self.feedback.hide()
        lay.addWidget(self.feedback)
        lay.addWidget(self._build_versions())
        self._connect()
        self.set_text(message.content)
        self._update_actions()
        self.retranslate()

    def _build_reasoning(self, lay: QVBoxLayout) -> None:
        """Chain-of-thought answers: the reasoning folds away above the final answer."""
        self.reasoning_button = QToolButton(self)
        self.reasoning_button.setCheckable(True)
        self.reasoning_button.setAutoRaise(True)
        self.reasoning_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.reasoning_button.setArrowType(Qt.ArrowType.RightArrow)
        self.reasoning_button.hide()
        lay.addWidget(self.reasoning_button)
        self.reasoning_view = QLabel(self)
        self.reasoning_view.setObjectName("muted")
        self.reasoning_view.setWordWrap(True)
        self.reasoning_view.setTextFormat(Qt.TextFormat.PlainText)
        self.reasoning_view.hide()
        lay.addWidget(self.reasoning_view)
        self.reasoning_button.toggled.connect(self._toggle_reasoning)

    def _build_actions(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setSpacing(2)
        self.copy_button = tool_button("copy", self)
        self.regenerate_button = tool_button("regenerate", self)
        self.up_button = tool_button("thumb_up", self, checkable=True)
        self.down_button = tool_button("thumb_down", self, checkable=True)
        self.inspect_button = tool_button("search", self)
        for b in (
            self.copy_button,
            self.regenerate_button,
            self.up_button,
            self.down_button,
            self.inspect_button,
        ):
            bar.addWidget(b)
        self.sources_button = QPushButton(self)
        self.sources_button.setFlat(True)
        self.sources_button.setIcon(icon("sources"))
        self.sources_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.sources_button.hide()
        bar.addWidget(self.sources_button)
        bar.addSpacing(8)
        self.meta = ElidedLabel(self)
        self.meta.setObjectName("muted")
        bar.addWidget(self.meta, 1)
        return bar

    def _build_versions(self) -> QWidget:
        """Regenerated answers keep earlier versions: browse them, and prefer one."""
        self.versions_bar = QWidget(self)
        vb = QHBoxLayout(self.versions_bar)
        vb.setContentsMargins(0, 0, 0, 0)
        self.prev_version = QToolButton(self.versions_bar)
        self.prev_version.setArrowType(Qt.ArrowType.LeftArrow)
        self.next_version = QToolButton(self.versions_bar)
        self.next_version.setArrowType(Qt.ArrowType.RightArrow)
        self.version_label = QLabel(self.versions_bar)
        self.version_label.setObjectName("muted")
        self.prefer_button = QPushButton(self.versions_bar)
        self.prefer_button.setFlat(True)
        for w in (self.prev_version, self.version_label, self.next_version, self.prefer_button):
            vb.addWidget(w)
        vb.addStretch(1)
        self.versions_bar.hide()
        return self.versions_bar

    def _connect(self) -> None:
        self.prev_version.clicked.connect(lambda: self._browse(-1))
        self.next_version.clicked.connect(lambda: self._browse(1))
        self.prefer_button.clicked.connect(
            lambda: self.message.id is not None and self.version_chosen.emit(self.message.id)
        )
        self.copy_button.clicked.connect(
            lambda: QApplication.clipboard().setText(self.view.markdown())
        )
        self.regenerate_button.clicked.connect(self._regenerate)
        self.up_button.clicked.connect(lambda: self._thumb(1))
        self.down_button.clicked.connect(lambda: self._thumb(-1))
        self.sources_button.clicked.connect(self.sources_requested)
        self.inspect_button.clicked.connect(
            lambda: self.message.id is not None and self.inspect_requested.emit(self.message.id)
        )
        self.feedback.saved.connect(self._save_feedback)
        self.feedback.closed.connect(self.feedback.hide)

    # -- content ----------------------------------------------------------------
    def set_streaming(self, streaming: bool) -> None:
        self._streaming = streaming
        self._update_actions()

    def set_text(self, text: str) -> None:
        from engine.personalize import split_reasoning

        self.message.content = text
        self.reasoning, final = split_reasoning(text)
        self.reasoning_button.setVisible(bool(self.reasoning))
        self.reasoning_view.setText(self.reasoning)
        self.reasoning_view.setVisible(bool(self.reasoning) and self.reasoning_button.isChecked())
        self.view.set_markdown(final if self.reasoning else text)

    def set_versions(self, versions: list[tuple[Message, Any]]) -> None:
        """Every version of this answer, each with its own feedback (or None)."""
        self.versions = list(versions)
        ids = [m.id for m, _ in self.versions]
        self.version_pos = ids.index(self.message.id) if self.message.id in ids else 0
        self._update_versions()

    def _browse(self, step: int) -> None:
        """Show another version, with its own statistics and rating."""
        pos = self.version_pos + step
        if not 0 <= pos < len(self.versions):
            return
        self.version_pos = pos
        m, fb = self.versions[pos]
        self.message = m
        self.set_text(m.content)
        self.set_sources(list(m.sources or []))
        self.view.mark_unsupported(unsupported_sentences(m.sentences or []))
        if fb is None:
            self.set_feedback(0, None, None)
        else:
            self.set_feedback(fb.rating, fb.reason, fb.correction)
        self.feedback.hide()
        self.retranslate()

    def _update_versions(self) -> None:
        n = len(self.versions)
        self.versions_bar.setVisible(n > 1 and not self._streaming)
        pos = self.version_pos + 1
        self.version_label.setText(self.tr("Version {0} of {1}").format(pos, n))
        self.prev_version.setEnabled(pos > 1)
        self.next_version.setEnabled(pos < n)
        shown = bool(self.versions) and self.versions[self.version_pos][0].active
        preferred = bool(self.versions) and self.versions[self.version_pos][0].preferred_at
        self.prefer_button.setEnabled(not (shown and preferred))

    def _toggle_reasoning(self, shown: bool) -> None:
        self.reasoning_button.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )
        self.reasoning_view.setVisible(shown and bool(self.reasoning))

    def set_status(self, text: str | None, error: bool = False) -> None:
        self.status.setObjectName("error" if error else "muted")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setText(text or "")
        self.status.setVisible(bool(text))

    def finish(self, message: Message, sources: list[dict] | None = None) -> None:
        self.message = message
        self.set_text(message.content)
        self.set_sources(sources or [])
        self._streaming = False
        self.set_status(None)
        self._update_actions()
        self.retranslate()

    def set_sources(self, sources: list[dict]) -> None:
        """The sources saved with the answer (dicts, as stored) become typed Sources."""
        self.sources = [Source.from_dict(d) for d in sources]
        self.sources_button.setVisible(bool(self.sources))
        self.retranslate()

    def set_feedback(self, rating: int, reason: str | None, correction: str | None) -> None:
        self.rating, self._reason, self._correction = rating, reason, correction
        self.up_button.setChecked(rating > 0)
        self.down_button.setChecked(rating < 0)

    def set_can_regenerate(self, can: bool) -> None:
        self._can_regenerate = can
        self._update_actions()

    def set_busy(self, busy: bool) -> None:
        self.regenerate_button.setEnabled(not busy)

    def _update_actions(self) -> None:
        saved = self.message.id is not None and not self._streaming
        for b in (self.copy_button, self.up_button, self.down_button, self.inspect_button):
            b.setVisible(saved)
        self.regenerate_button.setVisible(saved and self._can_regenerate)
        self.meta.setVisible(saved)
        self._update_versions()

    # -- feedback -----------------------------------------------------------------
    def _thumb(self, rating: int) -> None:
        if self.message.id is None:
            return
        if self.rating == rating:  # clicking the lit thumb again clears it
            self.set_feedback(0, None, None)
            self.feedback.hide()
            self.rate_requested.emit(self.message.id, 0)
            return
        self.set_feedback(rating, None, None)
        self.rate_requested.emit(self.message.id, rating)
        self.feedback.open_for(rating, self._reason, self._correction)

    def _save_feedback(self, reason: str, correction: str) -> None:
        if self.message.id is None or not self.rating:
            return
        self._reason, self._correction = reason, correction
        self.feedback_saved.emit(self.message.id, self.rating, reason, correction)
        self.feedback.hide()

    def _regenerate(self) -> None:
        if self.message.id is not None:
            self.regenerate_requested.emit(self.message.id)

    # -- text ---------------------------------------------------------------------
    def meta_text(self) -> str:
        m = self.message
        parts = [m.model or "?"]
        if m.adapter:
            parts.append(self.tr("adapter {0}").format(m.adapter))
        if m.generation_tokens:
            parts.append(self.tr("{0} tokens").format(m.generation_tokens))
        if m.generation_tps:
            parts.append(self.tr("{0:.1f} tokens/s").format(m.generation_tps))
        b = (m.params or {}).get("best_of") if isinstance(m.params, dict) else None
        if b and b.get("scores"):
            parts.append(
                self.tr("best of {0} · reward {1:.2f} · took {2:.1f} s").format(
                    b.get("sampled", b.get("n")), b["scores"][b["chosen"]], b["seconds"]
                )
            )
        if m.finish_reason == "cancelled":
            parts.append(self.tr("stopped"))
        elif m.finish_reason == "length":
            parts.append(self.tr("cut at the token limit"))
        elif m.finish_reason == "error":
            parts.append(self.tr("interrupted by an error"))
        return " · ".join(parts)

    def retranslate(self) -> None:
        self.copy_button.setToolTip(self.tr("Copy the answer (Markdown)"))
        self.regenerate_button.setToolTip(self.tr("Regenerate this answer"))
        self.up_button.setToolTip(self.tr("Good answer"))
        self.down_button.setToolTip(self.tr("Bad answer"))
        self.inspect_button.setToolTip(self.tr("Show the exact prompt behind this answer"))
        self.reasoning_button.setText(self.tr("Reasoning"))
        self.prefer_button.setText(self.tr("Prefer this version"))
        self.prefer_button.setToolTip(
            self.tr("Show this version from now on; it counts as liked, the others as disliked")
        )
        self._update_versions()
        n = len(self.sources)
        self.sources_button.setText(
            self.tr("1 source") if n == 1 else self.tr("{0} sources").format(n)
        )
        self.sources_button.setToolTip(self.tr("Show the passages this answer used"))
        self.meta.setText(self.meta_text())

"""The chat view: transcript, composer, model, document and adapter pickers, sources pane.

Answers stream from the engine thread as `token` signals; they are buffered
and painted on a 30 ms timer, so typing and scrolling stay smooth however fast
tokens arrive. The engine saves the user message before generating and the
answer (even a partial one) after; this panel only reads the store back,
records feedback, and deletes messages for regenerate / edit-and-resend.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStyle,
    QStyleOptionComboBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop import links, theme
from desktop.context import AppContext
from desktop.engine_thread import Job, JobHandle
from desktop.i18n import Retranslates
from desktop.icons import icon
from desktop.open_file import open_document
from desktop.panels.library import SAMPLE_COLLECTION
from desktop.widgets.labels import ElidedLabel, WrapLabel
from desktop.widgets.message import AssistantMessage, UserMessage
from desktop.widgets.sources_pane import SourcesPane
from engine.errors import USER_ERRORS
from engine.rag.attribution import unsupported_sentences
from engine.rag.types import Source
from store.chats import Message

FLUSH_MS = 30
COLUMN_WIDTH = 820


def chat_title(text: str, limit: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


class Composer(QPlainTextEdit):
    """The message box: Enter sends, Shift+Enter adds a line; grows up to 8 lines."""

    submit = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(self._grow)
        self._grow()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not (event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            self.submit.emit()
            return
        super().keyPressEvent(event)

    def _grow(self, *_args) -> None:
        line = self.fontMetrics().lineSpacing()
        wanted = max(1, int(self.document().size().height()))
        lines = min(8, wanted)
        m = self.contentsMargins()
        extra = m.top() + m.bottom() + 2 * self.document().documentMargin() + 4
        self.setFixedHeight(int(lines * line + extra))
        self.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded
            if wanted > 8
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )


class PickerCombo(QComboBox):
    """As wide as its current item (up to `max_width`), not its longest: the row under the
    message box holds four of them. The list still opens as wide as its items."""

    def __init__(self, max_width: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMaximumWidth(max_width)
        self.currentIndexChanged.connect(lambda _i: self.updateGeometry())

    def sizeHint(self) -> QSize:  # noqa: N802
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        text = QSize(self.fontMetrics().horizontalAdvance(self.currentText()) + 4, 1)
        size = self.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, opt, text, self)
        return QSize(min(size.width(), self.maximumWidth()), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()


class ChatPanel(Retranslates, QWidget):
    chat_changed = Signal(object)  # the chat now shown (id or None), for the sidebar
    busy_changed = Signal(bool)
    sample_requested = Signal()  # the user accepted the sample collection

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.chat_id: int | None = None
        self.job: Job | None = None
        self._job_chat: int | None = None
        self._job_text = ""  # the question being answered (restored if nothing was saved)
        self._stream_text = ""
        self._dirty = False
        self._stream: AssistantMessage | None = None
        self._created_chat: int | None = None
        self._stick = True
        self._sample_started = False
        self._pending_versions: list[dict] | None = None  # kept from a regenerated answer
        self.widgets: list[QWidget] = []
        self._build()
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush)
        ctx.events.models_changed.connect(self.refresh_models)
        ctx.events.collections_changed.connect(self.refresh_collections)
        ctx.events.personas_changed.connect(self.refresh_personas)
        self.refresh_models()
        self.refresh_collections()
        self.refresh_personas()
        self.retranslate()
        self.open_chat(None)

    # -- layout -------------------------------------------------------------------
    def _build(self) -> None:
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        outer.addWidget(self.splitter)

        main = QWidget(self.splitter)
        main.setObjectName("chatMain")
        main.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        lay = QVBoxLayout(main)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self._build_header(main))

        self.scroll = QScrollArea(main)
        self.scroll.setObjectName("transcript")
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        inner.setObjectName("transcriptInner")
        row = QHBoxLayout(inner)
        row.setContentsMargins(24, 16, 24, 16)
        self.column = QWidget(inner)
        self.column.setMaximumWidth(COLUMN_WIDTH)
        self.messages = QVBoxLayout(self.column)
        self.messages.setContentsMargins(0, 0, 0, 0)
        self.messages.setSpacing(6)
        self.welcome = self._build_welcome(self.column)
        self.messages.addWidget(self.welcome)
        self.error_banner = self._build_error_banner(self.column)
        self.messages.addWidget(self.error_banner)
        self.messages.addStretch(1)
        row.addStretch(0)
        row.addWidget(self.column, 1)
        row.addStretch(0)
        self.scroll.setWidget(inner)
        bar = self.scroll.verticalScrollBar()
        bar.rangeChanged.connect(self._on_range)
        bar.valueChanged.connect(self._on_scroll)
        lay.addWidget(self.scroll, 1)
        lay.addWidget(self._build_composer(main))

        self.sources = SourcesPane(self.splitter)
        self.sources.hide()
        self.sources.open_requested.connect(self._open_source)
        self.splitter.addWidget(main)
        self.splitter.addWidget(self.sources)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)

    def _build_header(self, parent: QWidget) -> QWidget:
        header = QWidget(parent)
        h = QHBoxLayout(header)
        h.setContentsMargins(20, 10, 12, 6)
        self.title = ElidedLabel(header)
        self.title.setObjectName("title")
        h.addWidget(self.title, 1)
        self.sources_toggle = QToolButton(header)
        self.sources_toggle.setIcon(icon("sources"))
        self.sources_toggle.setAutoRaise(True)
        self.sources_toggle.clicked.connect(self._toggle_sources)
        h.addWidget(self.sources_toggle)
        return header

    def _build_pickers(self, parent: QWidget) -> QHBoxLayout:
        """Model and document collection, under the message box where the question is typed."""
        h = QHBoxLayout()
        h.setContentsMargins(4, 0, 4, 0)
        h.setSpacing(6)
        self.model_label = QLabel(parent)
        self.model_label.setObjectName("muted")
        h.addWidget(self.model_label)
        self.model_combo = PickerCombo(260, parent)
        self.model_combo.activated.connect(self._model_picked)
        h.addWidget(self.model_combo)
        h.addSpacing(10)
        self.collection_label = QLabel(parent)
        self.collection_label.setObjectName("muted")
        h.addWidget(self.collection_label)
        self.collection_combo = PickerCombo(220, parent)
        self.collection_combo.activated.connect(self._collection_picked)
        h.addWidget(self.collection_combo)
        h.addSpacing(10)
        self.persona_label = QLabel(parent)
        self.persona_label.setObjectName("muted")
        h.addWidget(self.persona_label)
        self.persona_combo = PickerCombo(220, parent)
        self.persona_combo.currentIndexChanged.connect(lambda _i: self._name_default_adapter())
        h.addWidget(self.persona_combo)
        h.addSpacing(10)
        self.adapter_label = QLabel(parent)
        self.adapter_label.setObjectName("muted")
        h.addWidget(self.adapter_label)
        self.adapter_combo = PickerCombo(220, parent)
        self.adapter_combo.activated.connect(self._adapter_picked)
        h.addWidget(self.adapter_combo)
        return h

    def _build_welcome(self, parent: QWidget) -> QWidget:
        w = QWidget(parent)
        v = QVBoxLayout(w)
        v.setContentsMargins(0, 60, 0, 20)
        v.setSpacing(10)
        self.welcome_title = QLabel(w)
        f = self.welcome_title.font()
        f.setPointSizeF(f.pointSizeF() * 1.8)
        f.setBold(True)
        self.welcome_title.setFont(f)
        self.welcome_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        v.addWidget(self.welcome_title)
        self.welcome_text = WrapLabel(500, w)
        self.welcome_text.setObjectName("muted")
        self.welcome_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        v.addWidget(self.welcome_text, 0, Qt.AlignmentFlag.AlignHCenter)
        v.addSpacing(14)
        self.suggestion_buttons = [QPushButton(w) for _ in range(3)]
        for b in self.suggestion_buttons:
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.setMinimumWidth(320)
            b.clicked.connect(lambda _=False, b=b: self._suggest(b.property("prompt")))
            v.addWidget(b, 0, Qt.AlignmentFlag.AlignHCenter)
        self.sample_banner = QFrame(w)
        self.sample_banner.setObjectName("banner")
        self.sample_banner.setFixedWidth(560)
        sb = QVBoxLayout(self.sample_banner)
        sb.setContentsMargins(16, 12, 12, 12)
        self.sample_text = WrapLabel(528, self.sample_banner)
        sb.addWidget(self.sample_text)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.sample_add = QPushButton(self.sample_banner)
        self.sample_add.setProperty("primary", True)
        self.sample_no = QPushButton(self.sample_banner)
        self.sample_no.setFlat(True)
        buttons.addWidget(self.sample_no)
        buttons.addWidget(self.sample_add)
        sb.addLayout(buttons)
        self.sample_banner.hide()
        self.sample_add.clicked.connect(self._accept_sample)
        self.sample_no.clicked.connect(self._dismiss_sample)
        v.addSpacing(16)
        v.addWidget(self.sample_banner, 0, Qt.AlignmentFlag.AlignHCenter)
        return w

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

    def _build_composer(self, parent: QWidget) -> QWidget:
        wrap = QWidget(parent)
        outer = QHBoxLayout(wrap)
        outer.setContentsMargins(24, 4, 24, 12)
        col = QWidget(wrap)
        col.setMaximumWidth(COLUMN_WIDTH)
        v = QVBoxLayout(col)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(4)
        frame = QFrame(col)
        frame.setObjectName("composer")
        h = QHBoxLayout(frame)
        h.setContentsMargins(8, 4, 6, 4)
        self.input = Composer(frame)
        self.input.submit.connect(self.send_or_stop)
        h.addWidget(self.input, 1)
        self.send_button = QPushButton(frame)
        self.send_button.setProperty("primary", True)
        self.send_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.send_button.clicked.connect(self.send_or_stop)
        h.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        v.addWidget(frame)
        row = self._build_pickers(col)
        self.hint = ElidedLabel(col, all_or_nothing=True)
        self.hint.setObjectName("muted")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.hint, 1)
        v.addLayout(row)
        outer.addStretch(0)
        outer.addWidget(col, 1)
        outer.addStretch(0)
        return wrap

    # -- pickers ------------------------------------------------------------------
    def refresh_models(self) -> None:
        current = self.model_combo.currentData()
        self.model_combo.clear()
        names = [m.name for m in self.ctx.engine.models.list()]
        default = self.ctx.engine.models.default_name()
        if default not in names:
            names.insert(0, default)
        for name in names:
            label = name + ("  ★" if name == default else "")
            self.model_combo.addItem(label, name)
        self._select_model(current or default)
        self.refresh_adapters()

    def _select_model(self, name: str | None) -> None:
        i = self.model_combo.findData(name) if name else -1
        if i < 0:
            i = self.model_combo.findData(self.ctx.engine.models.default_name())
        self.model_combo.setCurrentIndex(max(i, 0))

    def selected_model(self) -> str | None:
        return self.model_combo.currentData()

    def _model_picked(self, _index: int) -> None:
        if self.chat_id is not None:
            self.ctx.store.chats.update(self.chat_id, model=self.selected_model())
        adapter = self.selected_adapter()
        self.refresh_adapters()
        if adapter and self.selected_adapter() != adapter:  # trained on another model
            self._adapter_picked(self.adapter_combo.currentIndex())
            self.ctx.status(
                self.tr("Adapter {0} belongs to another model; this chat now uses the default.")
                .format(adapter), 6000
            )  # fmt: skip

    # A chat's adapter: None follows the default (the persona's, or Training's "Use in chat"),
    # "" is no adapter, a name is that adapter (of the chat's model).
    def refresh_adapters(self) -> None:
        """List the ready adapters of the selected model, keeping the current choice."""
        keep = self.selected_adapter() if self.adapter_combo.count() else None
        model = self.selected_model()
        self.adapter_combo.clear()
        self.adapter_combo.addItem("", None)  # "Default (…)", named below
        self.adapter_combo.addItem(self.tr("No adapter"), "")
        for a in self.ctx.store.adapters.list():
            if a.status == "ready" and a.base_model == model:
                self.adapter_combo.addItem(a.name, a.name)
        self.select_adapter(keep)
        has_adapters = self.adapter_combo.count() > 2  # else nothing to choose: keep the row short
        self.adapter_label.setVisible(has_adapters)
        self.adapter_combo.setVisible(has_adapters)

    def select_adapter(self, name: str | None) -> None:
        """Show a chat's choice; one that is gone (or of another model) shows as the default."""
        i = self.adapter_combo.findData(name) if name is not None else 0
        self.adapter_combo.setCurrentIndex(max(i, 0))
        self._name_default_adapter()

    def _default_adapter(self) -> str | None:
        """The adapter an answer gets when the chat has not picked one (as the engine decides:
        the persona's, else the one set with "Use in chat" if it belongs to this model)."""
        store = self.ctx.store
        persona = store.personas.get(self.selected_persona()) if self.selected_persona() else None
        if persona is not None and persona.adapter:
            return persona.adapter
        name = store.settings.get("adapter")
        rec = store.adapters.get(name) if name else None
        return name if rec is not None and rec.base_model == self.selected_model() else None

    def _name_default_adapter(self) -> None:
        if not self.adapter_combo.count():
            return
        try:
            default = self._default_adapter()
        except USER_ERRORS:
            default = None
        text = self.tr("Default ({0})").format(default) if default else self.tr("Default")
        self.adapter_combo.setItemText(0, text)
        self.adapter_combo.updateGeometry()
        self.adapter_combo.setItemData(
            0,
            self.tr("The persona's adapter, else the one chosen with “Use in chat” (Training tab)"),
            Qt.ItemDataRole.ToolTipRole,
        )

    def selected_adapter(self) -> str | None:
        """None: the default adapter; "": none; else the adapter's name."""
        return self.adapter_combo.currentData()

    def _adapter_picked(self, _index: int) -> None:
        if self.chat_id is not None:
            self.ctx.store.chats.update(self.chat_id, adapter=self.selected_adapter())

    def refresh_collections(self) -> None:
        lib = self.ctx.library
        self.collection_combo.setVisible(lib is not None)
        self.collection_label.setVisible(lib is not None)
        if lib is None:
            return
        current = self.collection_combo.currentData() or self.ctx.ui.value("chat/collection", "")
        self.collection_combo.clear()
        self.collection_combo.addItem(self.tr("None"), "")
        try:
            names = [_collection_name(c) for c in lib.collections()]
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))
            names = []
        for name in names:
            self.collection_combo.addItem(name, name)
        i = self.collection_combo.findData(current)
        self.collection_combo.setCurrentIndex(max(i, 0))
        self._update_welcome()

    def refresh_personas(self) -> None:
        from engine.personalize import ensure_builtin_personas

        current = self.persona_combo.currentData() or ""
        self.persona_combo.clear()
        self.persona_combo.addItem(self.tr("None"), "")
        try:
            ensure_builtin_personas(self.ctx.store)
            names = [p.name for p in self.ctx.store.personas.list()]
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))
            names = []
        for name in names:
            self.persona_combo.addItem(name, name)
        self.persona_combo.setCurrentIndex(max(self.persona_combo.findData(current), 0))

    def selected_persona(self) -> str | None:
        return self.persona_combo.currentData() or None

    def set_persona(self, name: str | None) -> None:
        self.persona_combo.setCurrentIndex(max(self.persona_combo.findData(name or ""), 0))

    def selected_collection(self) -> str | None:
        if self.ctx.library is None:
            return None
        return self.collection_combo.currentData() or None

    def set_collection(self, name: str | None) -> None:
        i = self.collection_combo.findData(name or "")
        if i >= 0:
            self.collection_combo.setCurrentIndex(i)
            self._collection_picked(i)

    def _collection_picked(self, _index: int) -> None:
        self.ctx.ui.setValue("chat/collection", self.collection_combo.currentData() or "")
        self._update_welcome()

    # -- opening chats --------------------------------------------------------------
    def open_chat(self, chat_id: int | None) -> None:
        """Show a chat (None: a new, empty one)."""
        chat = self.ctx.store.chats.get(chat_id) if chat_id is not None else None
        self.chat_id = chat.id if chat else None
        self._clear()
        self.error_banner.hide()
        self.sources.hide()
        messages = self.ctx.store.chats.messages(chat.id) if chat else []
        feedback = self.ctx.store.feedback.for_chat(chat.id) if chat else {}
        for m in messages:
            if m.role == "user":
                self._add_user(m)
            elif m.role == "assistant":
                w = self._add_assistant(m)
                fb = feedback.get(m.id)
                if fb:
                    w.set_feedback(fb.rating, fb.reason, fb.correction)
                w.set_sources(self._stored_sources(m))
        if chat is not None and self.job is not None and self._job_chat == chat.id:
            self._stream = self._add_assistant(Message(None, chat.id, "assistant", ""))
            self._stream.set_streaming(True)
            self._stream.set_text(self._stream_text)
        if chat is not None:
            self._select_model(chat.model)
            self.set_persona(chat.persona)
        self.refresh_adapters()
        self.select_adapter(chat.adapter if chat else None)
        self.title.setText(chat.title if chat else self.tr("New chat"))
        self._update_welcome()
        self._update_busy()
        self._stick = True
        QTimer.singleShot(0, self._scroll_to_end)
        self.chat_changed.emit(self.chat_id)

    def reload(self) -> None:
        self.open_chat(self.chat_id)

    def _clear(self) -> None:
        for w in self.widgets:
            w.setParent(None)
            w.deleteLater()
        self.widgets = []
        self._stream = None

    def _insert(self, w: QWidget) -> None:
        # Messages go before the error banner and the final stretch.
        self.messages.insertWidget(self.messages.count() - 2, w)
        self.widgets.append(w)

    def _add_user(self, m: Message) -> UserMessage:
        w = UserMessage(m, self.column)
        w.resend_requested.connect(self.edit_and_resend)
        self._insert(w)
        return w

    def _add_assistant(self, m: Message) -> AssistantMessage:
        w = AssistantMessage(m, self.column)
        w.regenerate_requested.connect(self.regenerate)
        w.rate_requested.connect(self._rate)
        w.feedback_saved.connect(self._save_feedback)
        w.citation_clicked.connect(lambda n, w=w: self.show_sources(w, n))
        w.sources_requested.connect(lambda w=w: self.show_sources(w, None))
        w.link_clicked.connect(self._link_clicked)
        w.inspect_requested.connect(self.inspect_prompt)
        w.version_chosen.connect(lambda mid, i, w=w: self.choose_version(w, mid, i))
        self._insert(w)
        return w

    def choose_version(self, w: AssistantMessage, message_id: int, index: int) -> None:
        """Prefer one version of a regenerated answer: it stays, and it is liked over the rest."""
        store = self.ctx.store
        m = store.chats.swap_version(message_id, index) if index >= 0 else w.message
        try:
            fb = store.feedback.choose_version(message_id, m.versions or [])
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))
            return
        w.finish(m, w.sources)
        w.set_feedback(fb.rating, fb.reason, fb.correction)
        self.ctx.status(self.tr("Kept this version; the others were saved as disliked."), 4000)

    def inspect_prompt(self, message_id: int) -> None:
        """Show the exact prompt an answer came from (parts and token counts)."""
        from desktop.widgets.prompt_inspector import PromptInspector

        m = self.ctx.store.chats.message(message_id)
        if m is None:
            return
        self.inspector = PromptInspector(m, self)
        self.inspector.show()

    def assistant_widgets(self) -> list[AssistantMessage]:
        return [w for w in self.widgets if isinstance(w, AssistantMessage)]

    def user_widgets(self) -> list[UserMessage]:
        return [w for w in self.widgets if isinstance(w, UserMessage)]

    def _update_welcome(self) -> None:
        empty = not self.widgets
        self.welcome.setVisible(empty)
        if not empty:
            return
        collection = self.selected_collection()
        if collection:
            self.welcome_text.setText(
                self.tr(
                    "Answers will come from the documents in “{0}”, with numbered citations "
                    "you can click to see the passage."
                ).format(collection)
            )
            prompts = [
                self.tr("What are these documents about?"),
                self.tr("Summarise the main points, with sources."),
                self.tr("What should I read first?"),
            ]
        else:
            self.welcome_text.setText(
                self.tr(
                    "Everything runs on this computer: nothing you type leaves it. Pick a "
                    "document collection below to get answers from your own files."
                )
            )
            prompts = [
                self.tr("Give me three tips for a clear email."),
                self.tr("Explain what a language model is, simply."),
                self.tr("Write a short, polite meeting reminder."),
            ]
        for b, p in zip(self.suggestion_buttons, prompts, strict=True):
            b.setText(p)
            b.setProperty("prompt", p)
        self._update_sample_banner()

    def _update_sample_banner(self) -> None:
        show = (
            self.ctx.library is not None
            and not self._sample_started
            and not self.ctx.ui.value("first_run/sample_dismissed", False, type=bool)
            and self.collection_combo.findData(self.sample_collection_name()) < 0
        )
        self.sample_banner.setVisible(bool(show))

    def sample_collection_name(self) -> str:
        return SAMPLE_COLLECTION

    def _accept_sample(self) -> None:
        self._sample_started = True
        self.sample_banner.hide()
        self.sample_requested.emit()

    def _dismiss_sample(self) -> None:
        self.ctx.ui.setValue("first_run/sample_dismissed", True)
        self.sample_banner.hide()

    def _suggest(self, prompt: str | None) -> None:
        if prompt:
            self.input.setPlainText(prompt)
            self.input.setFocus()

    # -- sending ----------------------------------------------------------------------
    def send_or_stop(self) -> None:
        if self.job is not None:
            self.stop()
        else:
            self.send()

    def send(self, text: str | None = None) -> bool:
        text = (text if text is not None else self.input.toPlainText()).strip()
        if not text or self.job is not None:
            return False
        self.input.clear()
        self._start(text)
        return True

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.ctx.status(self.tr("Stopping…"), 2000)

    def regenerate(self, message_id: int) -> None:
        """Drop an answer (and anything after it) and ask the same question again."""
        if self.job is not None or self.chat_id is None:
            return
        msgs = self.ctx.store.chats.messages(self.chat_id)
        answer = next((m for m in msgs if m.id == message_id), None)
        if answer is None:
            return
        question = next(
            (m for m in msgs if m.id == answer.parent_id and m.role == "user"), None
        ) or next((m for m in reversed(msgs) if m.role == "user" and m.id < answer.id), None)
        if question is None:
            return
        # The new answer keeps this one (and its earlier versions) to choose from.
        self._pending_versions = list(answer.versions or []) + [
            {"content": answer.content, "model": answer.model, "adapter": answer.adapter}
        ]
        self._start(question.content, replace_from=question.id)

    def edit_and_resend(self, message_id: int, text: str) -> None:
        """Replace a user message (and everything after it) and send the new text."""
        if self.job is not None or self.chat_id is None:
            return
        msgs = self.ctx.store.chats.messages(self.chat_id)
        later = [m for m in msgs if m.id > message_id]
        if len(later) > 1 and not self.confirm(
            self.tr("Edit this message?"),
            self.tr("The {0} messages after it will be removed.").format(len(later)),
        ):
            return
        self._start(text, replace_from=message_id)

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _start(self, text: str, replace_from: int | None = None) -> None:
        """Ask `text`; with `replace_from`, instead of that message and the ones after it,
        which leave the transcript now and the store once the model is ready (the engine
        removes them then: a model that fails to load loses nothing)."""
        ctx = self.ctx
        self.error_banner.hide()
        if replace_from is not None:
            for w in [w for w in self.widgets if (w.message.id or 0) >= replace_from]:
                self.widgets.remove(w)
                w.setParent(None)
                w.deleteLater()
        self._created_chat = None
        if self.chat_id is None:
            self.chat_id = ctx.store.chats.create(
                title=chat_title(text), model=self.selected_model(), adapter=self.selected_adapter()
            )
            self._created_chat = self.chat_id
            self.title.setText(chat_title(text))
            ctx.events.chats_changed.emit()
            self.chat_changed.emit(self.chat_id)
        chat_id, model = self.chat_id, self.selected_model()
        collection = self.selected_collection()
        persona = self.selected_persona()
        adapter = self.selected_adapter()
        config = ctx.generation_config()
        self._add_user(Message(None, chat_id, "user", text))
        self._stream = self._add_assistant(Message(None, chat_id, "assistant", ""))
        self._stream.set_streaming(True)
        self._stream.set_status(self.tr("Thinking…"))
        self._update_welcome()
        self._stream_text, self._dirty = "", False
        self._job_chat, self._job_text = chat_id, text
        ctx.generating_chat = chat_id
        self._stick = True
        engine = ctx.engine

        def run(h: JobHandle) -> Any:
            kwargs: dict[str, Any] = dict(
                chat_id=chat_id, model=model, config=config, cancel=h.cancel, progress=h.progress
            )
            if collection:
                kwargs["collection"] = collection
            if persona:
                kwargs["persona"] = persona
            if adapter is not None:  # "" turns the default adapter off
                kwargs["adapter"] = adapter
            if replace_from is not None:
                kwargs["replace_from"] = replace_from
            result = None
            for ev in engine.chat.send(text, **kwargs):
                if ev.text:
                    h.token(ev.text)
                if ev.result is not None:
                    result = ev.result
            return result

        self.job = ctx.service.submit("chat", run)
        self.job.token.connect(self._on_token)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(lambda: self._on_finished(None))
        self._flush_timer.start()
        self._update_busy()
        self._scroll_to_end()

    # -- streaming ------------------------------------------------------------------
    def _on_token(self, text: str) -> None:
        self._stream_text += text
        self._dirty = True

    def _flush(self) -> None:
        if not self._dirty or self._stream is None:
            return
        self._dirty = False
        self._stream.set_status(None)
        self._stream.set_text(self._stream_text)

    def _on_progress(self, message: str, fraction: float) -> None:
        if self._stream is not None:
            self._stream.set_status(
                self.tr("Loading the model: {0} ({1:.0%})").format(message, fraction)
            )

    def _end_job(self) -> int | None:
        self._flush_timer.stop()
        self.ctx.generating_chat = None
        chat_id = self._job_chat
        self.job = None
        self._job_chat = None
        return chat_id

    def _on_finished(self, result: Any) -> None:
        versions, self._pending_versions = self._pending_versions, None
        if versions and result is not None and result.message_id is not None:
            self.ctx.store.chats.set_versions(result.message_id, versions)
        chat_id = self._end_job()
        if getattr(result, "memories_proposed", None):
            self.ctx.events.memories_changed.emit()
            self.ctx.status(self.tr("New memory proposed; review it in the Memory tab."), 6000)
        if chat_id != self.chat_id:
            self._update_busy()
            return
        if result is not None and result.finish_reason == "cancelled":
            self.ctx.status(self.tr("Stopped; the partial answer was kept."), 4000)
        live_sources = list(getattr(result, "sources", None) or [])
        widget = self._stream
        self._finalize(result.message_id if result is not None else None, live_sources)
        if widget is not None and result is not None:
            widget.view.mark_unsupported(unsupported_sentences(result.sentences))
        self.ctx.events.chats_changed.emit()

    def _finalize(self, message_id: int | None, sources: list) -> None:
        """Give the streamed widgets their saved rows, without rebuilding the transcript."""
        msgs = {m.id: m for m in self.ctx.store.chats.messages(self.chat_id)}
        answer = msgs.get(message_id) if message_id is not None else None
        if answer is None or self._stream is None:
            self.reload()
            return
        self._stream.finish(answer, sources or self._stored_sources(answer))
        users = self.user_widgets()
        question = msgs.get(answer.parent_id)
        if users and question is not None and users[-1].message.id is None:
            users[-1].message = question
        self._stream = None
        self._update_busy()
        self._flush_visible_end()

    def _on_failed(self, message: str) -> None:
        self._pending_versions = None
        chat_id = self._end_job()
        if chat_id is not None and self._created_chat == chat_id:
            if not self.ctx.store.chats.messages(chat_id):
                # Nothing was saved (e.g. the model could not load): drop the empty chat.
                self.ctx.store.chats.delete(chat_id)
                if self.chat_id == chat_id:
                    self.chat_id = None
                self.ctx.events.chats_changed.emit()
        saved = chat_id is not None and any(
            m.role == "user" and m.content == self._job_text
            for m in self.ctx.store.chats.messages(chat_id)
        )
        if not saved and not self.input.toPlainText().strip():
            self.input.setPlainText(self._job_text)  # nothing typed is lost
        if chat_id == self.chat_id or self.chat_id is None:
            self.reload()
            self.show_error(message)
        self.ctx.error(message)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_banner.show()
        self._scroll_to_end()

    def _update_busy(self) -> None:
        busy = self.job is not None
        self.send_button.setText(self.tr("Stop") if busy else self.tr("Send"))
        self.send_button.setIcon(icon("stop" if busy else "send", theme.colors().accent_text))
        self.send_button.setProperty("primary", True)
        self.send_button.setToolTip(
            self.tr("Stop the answer (Esc)") if busy else self.tr("Send (Enter)")
        )
        answers = self.assistant_widgets()
        for w in answers:
            w.set_busy(busy)
            w.set_can_regenerate(w is answers[-1])
        for w in self.user_widgets():
            w.set_busy(busy)
        self.busy_changed.emit(busy)

    # -- scrolling ------------------------------------------------------------------
    def _on_scroll(self, value: int) -> None:
        bar = self.scroll.verticalScrollBar()
        self._stick = value >= bar.maximum() - 40

    def _on_range(self, _lo: int, hi: int) -> None:
        if self._stick:
            self.scroll.verticalScrollBar().setValue(hi)

    def _scroll_to_end(self) -> None:
        bar = self.scroll.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _flush_visible_end(self) -> None:
        if self._stick:
            QTimer.singleShot(0, self._scroll_to_end)

    # -- feedback ---------------------------------------------------------------------
    def _rate(self, message_id: int, rating: int) -> None:
        try:
            if rating:
                self.ctx.store.feedback.rate(message_id, rating)
                self.ctx.status(self.tr("Thanks, your rating was saved."), 3000)
            else:
                self.ctx.store.feedback.clear(message_id)
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))

    def _save_feedback(self, message_id: int, rating: int, reason: str, correction: str) -> None:
        try:
            self.ctx.store.feedback.rate(message_id, rating, reason, correction)
            self.ctx.status(self.tr("Feedback saved."), 3000)
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))

    # -- sources ------------------------------------------------------------------------
    def _stored_sources(self, m: Message) -> list:
        """The numbered sources saved with an answer (empty without documents)."""
        return [Source.from_dict(d) for d in getattr(m, "sources", None) or []]

    def show_sources(self, w: AssistantMessage, n: int | None) -> None:
        self.sources.show_sources(w.sources, n)
        if n is not None and self.sources.card(n) is None:
            self.ctx.status(self.tr("Source [{0}] is not among this answer's sources.").format(n))
        sizes = self.splitter.sizes()
        if len(sizes) == 2 and sizes[1] < 240:
            total = sum(sizes)
            self.splitter.setSizes([total - 340, 340])

    def _toggle_sources(self) -> None:
        if self.sources.isVisible():
            self.sources.hide()
            return
        answers = [w for w in self.assistant_widgets() if w.sources]
        if answers:
            self.show_sources(answers[-1], None)
        else:
            self.sources.show_sources([], None)

    def _open_source(self, path: str, page: Any) -> None:
        problem = open_document(path, page)
        if problem:
            self.ctx.error(problem)

    def _link_clicked(self, url: QUrl) -> None:
        # Links in answers come from a model or a document: desktop/links.py decides.
        def show(n: int) -> None:
            answers = [w for w in self.assistant_widgets() if w.sources]
            if answers:
                self.show_sources(answers[-1], n)

        def status(text: str) -> None:
            self.ctx.status(text, 6000)

        links.follow(self, url.toString(), show, lambda p: self._open_source(p, None), status)

    # -- text ---------------------------------------------------------------------------
    def focus_input(self) -> None:
        self.input.setFocus()

    def retranslate(self) -> None:
        self.model_label.setText(self.tr("Model"))
        self.model_combo.setToolTip(self.tr("The model that answers in this chat"))
        self.collection_label.setText(self.tr("Documents"))
        self.persona_label.setText(self.tr("Persona"))
        self.adapter_label.setText(self.tr("Adapter"))
        self.adapter_combo.setToolTip(
            self.tr("The trained adapter (LoRA) that answers in this chat, on the model's weights")
        )
        if self.adapter_combo.count() > 1:
            self.adapter_combo.setItemText(1, self.tr("No adapter"))
        self._name_default_adapter()
        self.collection_combo.setToolTip(
            self.tr("Answer from the documents of this collection, with citations")
        )
        if self.collection_combo.count():
            self.collection_combo.setItemText(0, self.tr("None"))
        self.sources_toggle.setToolTip(self.tr("Show or hide sources"))
        self.input.setPlaceholderText(self.tr("Ask anything…"))
        self.hint.setText(self.tr("Enter to send · Shift+Enter for a new line · Esc to stop"))
        self.welcome_title.setText(self.tr("What would you like to know?"))
        self.sample_text.setText(
            self.tr(
                "New here? Add Sastre's own user guide as a sample collection and ask it a "
                "question, e.g. “How do I add my own files?”"
            )
        )
        self.sample_add.setText(self.tr("Add the sample"))
        self.sample_no.setText(self.tr("No thanks"))
        self.error_close.setToolTip(self.tr("Dismiss"))
        if self.chat_id is None:
            self.title.setText(self.tr("New chat"))
        self._update_welcome()
        self._update_busy()

    def showEvent(self, event) -> None:  # noqa: N802
        self.refresh_adapters()  # adapters trained since (in the Training tab or the CLI)
        super().showEvent(event)


def _collection_name(c: Any) -> str:
    if isinstance(c, str):
        return c
    if isinstance(c, dict):
        return str(c.get("name"))
    return str(getattr(c, "name", c))

"""The chat view: transcript, composer, pickers, sources pane.

Answers stream from the engine thread as `token` signals; they are buffered and painted
on a 30 ms timer, so typing and scrolling stay smooth however fast tokens arrive. Every
rule -- a chat's title, which adapter applies, what regenerate, edit and "prefer this
version" do to the store -- is the engine's (engine.chat.ChatService); this panel asks it,
shows the result, and records feedback.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop import theme
from desktop.context import AppContext
from desktop.engine_thread import Job, JobHandle
from desktop.i18n import Retranslates
from desktop.icons import icon
from desktop.messages import for_people
from desktop.panels.chat_answers import AnswerActions
from desktop.panels.chat_best_of import BestOfToggle
from desktop.panels.chat_list import plain_title
from desktop.panels.chat_pickers import ChatPickers
from desktop.panels.chat_transcript import COLUMN_WIDTH, ChatTranscript
from desktop.panels.library import SAMPLE_COLLECTION
from desktop.widgets.composer import Composer
from desktop.widgets.labels import ElidedLabel
from desktop.widgets.message import AssistantMessage, UserMessage
from desktop.widgets.sources_pane import SourcesPane
from engine.chat import chat_title
from engine.rag.attribution import unsupported_sentences
from store.chats import Message

FLUSH_MS = 30


class ChatPanel(AnswerActions, Retranslates, QWidget):
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
        self._sample_started = False
        self._build()
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush)
        ctx.events.models_changed.connect(self.pickers.refresh_models)
        ctx.events.collections_changed.connect(self.refresh_collections)
        ctx.events.personas_changed.connect(self.pickers.refresh_personas)
        self.pickers.refresh_models()
        self.refresh_collections()
        self.pickers.refresh_personas()
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
        lay.addWidget(self._build_transcript(main), 1)
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

    def _build_transcript(self, parent: QWidget) -> ChatTranscript:
        self.transcript = ChatTranscript(parent)
        self.welcome = self.transcript.welcome
        self.error_banner = self.transcript.error_banner
        self.error_label = self.transcript.error_label
        self.welcome.suggestion_picked.connect(self._suggest)
        self.welcome.sample_accepted.connect(self._accept_sample)
        self.welcome.sample_dismissed.connect(
            lambda: self.ctx.ui.setValue("first_run/sample_dismissed", True)
        )
        return self.transcript

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
        self.pickers = ChatPickers(self.ctx, col)
        self.pickers.model_picked.connect(lambda m: self._remember(model=m))
        self.pickers.adapter_picked.connect(lambda a: self._remember(adapter=a))
        self.pickers.collection_picked.connect(self._collection_picked)
        self.pickers.model_picked.connect(lambda _m: self._refresh_best_of())
        self.best_of = BestOfToggle(self.ctx, col)
        self.pickers.layout_row.addWidget(self.best_of)
        self.hint = ElidedLabel(col, all_or_nothing=True)
        self.hint.setObjectName("muted")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.hint.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.pickers.layout_row.addWidget(self.hint)  # what is left of the row, if any
        v.addWidget(self.pickers)
        outer.addStretch(0)
        outer.addWidget(col, 1)
        outer.addStretch(0)
        return wrap

    # -- pickers ------------------------------------------------------------------
    def _remember(self, **choice: Any) -> None:
        """The chat keeps the model / adapter picked for it."""
        if self.chat_id is not None:
            self.ctx.store.chats.update(self.chat_id, **choice)

    def _refresh_best_of(self) -> None:
        """Best of N follows the chat's model (its reward models) and the last answer's
        speed (the time estimate in its tooltip)."""
        last = next((w.message for w in reversed(self.assistant_widgets()) if w.message.id), None)
        tokens = last.generation_tokens if last is not None else None
        tps = last.generation_tps if last is not None else None
        self.best_of.refresh(self.pickers.selected_model(), tokens, tps)

    def refresh_collections(self) -> None:
        self.pickers.refresh_collections()
        self._update_welcome()

    def selected_collection(self) -> str | None:
        return self.pickers.selected_collection()

    def set_collection(self, name: str | None) -> None:
        self.pickers.set_collection(name)

    def _collection_picked(self, name: str) -> None:
        self._remember(collection=name or None)
        self._update_welcome()

    # -- opening chats --------------------------------------------------------------
    def open_chat(self, chat_id: int | None) -> None:
        """Show a chat (None: a new, empty one) with the model, documents, persona and
        adapter it last used."""
        chat = self.ctx.store.chats.get(chat_id) if chat_id is not None else None
        self.chat_id = chat.id if chat else None
        self._clear()
        self.error_banner.hide()
        self.sources.hide()
        for m in self.ctx.store.chats.messages(chat.id) if chat else []:
            if m.role == "user":
                self._add_user(m)
            elif m.role == "assistant":
                self._show_answer(self._add_assistant(m), m)
        if chat is not None and self.job is not None and self._job_chat == chat.id:
            self._stream = self._add_assistant(Message(None, chat.id, "assistant", ""))
            self._stream.set_streaming(True)
            self._stream.set_text(self._stream_text)
        if chat is not None:
            self.pickers.select_model(chat.model)
            self.pickers.set_persona(chat.persona)
            if chat.collection is not None or chat.message_count:
                self.pickers.select_collection(chat.collection)
        self.pickers.refresh_adapters()
        self._refresh_best_of()
        self.pickers.select_adapter(chat.adapter if chat else None)
        self.title.setText(plain_title(chat.title) if chat else self.tr("New chat"))
        self._update_welcome()
        self._update_busy()
        self.transcript.stick = True
        QTimer.singleShot(0, self.transcript.scroll_to_end)
        self.chat_changed.emit(self.chat_id)

    def reload(self) -> None:
        self.open_chat(self.chat_id)

    @property
    def widgets(self) -> list[QWidget]:
        return self.transcript.widgets

    def _clear(self) -> None:
        self.transcript.clear()
        self._stream = None

    def _add_user(self, m: Message) -> UserMessage:
        w = UserMessage(m, self.transcript.column)
        w.resend_requested.connect(self.edit_and_resend)
        self.transcript.insert(w)
        return w

    def _add_assistant(self, m: Message) -> AssistantMessage:
        w = AssistantMessage(m, self.transcript.column)
        w.regenerate_requested.connect(self.regenerate)
        w.rate_requested.connect(self._rate)
        w.feedback_saved.connect(self._save_feedback)
        w.citation_clicked.connect(lambda n, w=w: self.show_sources(w, n))
        w.sources_requested.connect(lambda w=w: self.show_sources(w, None))
        w.link_clicked.connect(self._link_clicked)
        w.inspect_requested.connect(self.inspect_prompt)
        w.version_chosen.connect(lambda mid, w=w: self.prefer_version(w, mid))
        self.transcript.insert(w)
        return w

    def assistant_widgets(self) -> list[AssistantMessage]:
        return [w for w in self.widgets if isinstance(w, AssistantMessage)]

    def user_widgets(self) -> list[UserMessage]:
        return [w for w in self.widgets if isinstance(w, UserMessage)]

    # -- the empty chat ------------------------------------------------------------
    def _update_welcome(self) -> None:
        empty = not self.widgets
        self.welcome.setVisible(empty)
        if empty:
            offer = (
                self.ctx.library is not None
                and not self._sample_started
                and not self.ctx.ui.value("first_run/sample_dismissed", False, type=bool)
                and self.pickers.collection_combo.findData(SAMPLE_COLLECTION) < 0
            )
            self.welcome.show_for(self.selected_collection(), bool(offer))

    def sample_collection_name(self) -> str:
        return SAMPLE_COLLECTION

    def _accept_sample(self) -> None:
        self._sample_started = True
        self.sample_requested.emit()

    def _suggest(self, prompt: str) -> None:
        self.input.setPlainText(prompt)
        self.input.setFocus()

    # -- asking ---------------------------------------------------------------------
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
        if self.chat_id is None:
            self._new_chat(text)
        chat_id = self.chat_id
        self._start(text, lambda chat, **kw: chat.send(text, chat_id=chat_id, **kw))
        return True

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.ctx.status(self.tr("Stopping…"), 2000)

    def regenerate(self, message_id: int) -> None:
        """Ask the question of this answer again; the engine keeps this answer as an
        earlier version (and drops later turns once the model is ready)."""
        if self.job is not None or self.chat_id is None:
            return
        answer = self.ctx.store.chats.message(message_id)
        question = self.ctx.store.chats.message(answer.parent_id) if answer else None
        if question is None:
            return
        self._drop_widgets(lambda w: (w.message.id or 0) > question.id)
        again = lambda chat, **kw: chat.regenerate(message_id, **kw)  # noqa: E731
        self._start(question.content, again, show_question=False)

    def edit_and_resend(self, message_id: int, text: str) -> None:
        """Replace a user message (and everything after it) and send the new text."""
        if self.job is not None or self.chat_id is None:
            return
        later = [m for m in self.ctx.store.chats.messages(self.chat_id) if m.id > message_id]
        if len(later) > 1 and not self.confirm(
            self.tr("Edit this message?"),
            self.tr("The {0} messages after it will be removed.").format(len(later)),
        ):
            return
        self._drop_widgets(lambda w: (w.message.id or 0) >= message_id)
        self._start(text, lambda chat, **kw: chat.edit(message_id, text, **kw))

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _drop_widgets(self, which) -> None:
        """Take replaced messages out of the transcript (the store keeps them until the
        model is ready: a failure reloads them)."""
        self.transcript.remove(which)

    def _new_chat(self, text: str) -> None:
        p = self.pickers
        self.chat_id = self.ctx.engine.chat.create_chat(
            text,
            model=p.selected_model(),
            adapter=p.selected_adapter(),
            collection=p.selected_collection(),
        )
        self._created_chat = self.chat_id
        self.title.setText(chat_title(text))
        self.ctx.events.chats_changed.emit()
        self.chat_changed.emit(self.chat_id)

    def _choices(self) -> dict[str, Any]:
        """What the pickers ask of the engine for the next answer."""
        p = self.pickers
        choices: dict[str, Any] = dict(
            model=p.selected_model(),
            config=self.ctx.generation_config(),
            collection=p.selected_collection() or "",
            persona=p.selected_persona() or "",
        )
        if p.selected_adapter() is not None:  # "" turns the default adapter off
            choices["adapter"] = p.selected_adapter()
        if (n := self.best_of.n()) > 1:
            choices["best_of"] = n
        return choices

    def _start(self, text: str, turn, show_question: bool = True) -> None:
        """Run `turn(engine.chat, cancel=, progress=, **choices)` on the engine thread and
        stream its answer into a new message widget."""
        ctx = self.ctx
        self.error_banner.hide()
        if show_question:
            self._add_user(Message(None, self.chat_id, "user", text))
        self._stream = self._add_assistant(Message(None, self.chat_id, "assistant", ""))
        self._stream.set_streaming(True)
        self._stream.set_status(self.tr("Thinking…"))
        self._update_welcome()
        self._stream_text, self._dirty = "", False
        self._job_chat, self._job_text = self.chat_id, text
        ctx.generating_chat = self.chat_id
        self.transcript.stick = True
        chat, choices = ctx.engine.chat, self._choices()
        if choices.get("best_of"):
            self._stream.set_status(
                self.tr("Sampling {0} answers to keep the best one…").format(choices["best_of"])
            )

        def run(h: JobHandle) -> Any:
            result = None
            for ev in turn(chat, cancel=h.cancel, progress=h.progress, **choices):
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
        self.transcript.scroll_to_end()

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
        chat_id = self._end_job()
        if getattr(result, "memories_proposed", None):
            self.ctx.events.memories_changed.emit()
            self.ctx.status(self.tr("New memory proposed; review it in the Memory tab."), 6000)
        if chat_id != self.chat_id:
            self._update_busy()
            return
        if result is not None and result.finish_reason == "cancelled":
            self.ctx.status(self.tr("Stopped; the partial answer was kept."), 4000)
        widget = self._stream
        self._finalize(result.message_id if result is not None else None)
        self._refresh_best_of()  # the estimate follows the last answer's speed
        if widget is not None and result is not None:
            widget.view.mark_unsupported(unsupported_sentences(result.sentences))
        self.ctx.events.chats_changed.emit()

    def _finalize(self, message_id: int | None) -> None:
        """Give the streamed widgets their saved rows, without rebuilding the transcript."""
        msgs = {m.id: m for m in self.ctx.store.chats.messages(self.chat_id)}
        answer = msgs.get(message_id) if message_id is not None else None
        if answer is None or self._stream is None:
            self.reload()
            return
        self._show_answer(self._stream, answer)
        users = self.user_widgets()
        question = msgs.get(answer.parent_id)
        if users and question is not None and users[-1].message.id is None:
            users[-1].message = question
        self._stream = None
        self._update_busy()
        self.transcript.follow_end()

    def _on_failed(self, message: str) -> None:
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
        self.transcript.show_error(for_people(message))

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

    # -- text ---------------------------------------------------------------------------
    def focus_input(self) -> None:
        self.input.setFocus()

    def retranslate(self) -> None:
        self.pickers.retranslate()
        self.best_of.retranslate()
        self.sources_toggle.setToolTip(self.tr("Show or hide sources"))
        self.input.setPlaceholderText(self.tr("Ask anything…"))
        self.hint.setText(self.tr("Enter to send · Shift+Enter for a new line · Esc to stop"))
        self.welcome.retranslate()
        self.transcript.error_close.setToolTip(self.tr("Dismiss"))
        if self.chat_id is None:
            self.title.setText(self.tr("New chat"))
        self._update_welcome()
        self._update_busy()

    def showEvent(self, event) -> None:  # noqa: N802
        self.pickers.refresh_adapters()  # adapters trained since (in the Training tab or CLI)
        self._refresh_best_of()  # and reward models
        super().showEvent(event)

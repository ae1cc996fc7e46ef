"""What the reader can do with an answer in the chat: rate it, prefer a version, see its
sources and prompt, follow its links."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl

from desktop import links
from desktop.open_file import open_document
from desktop.widgets.message import AssistantMessage
from engine.errors import USER_ERRORS
from engine.rag.attribution import unsupported_sentences
from store.chats import Message


class AnswerActions:
    """Mixed into ChatPanel: needs `ctx`, `sources` (the sources pane) and `splitter`."""

    def _show_answer(self, w: AssistantMessage, m: Message) -> None:
        """An answer as saved: its sources, rating and versions (each with its own)."""
        store = self.ctx.store
        fb = store.feedback.get(m.id) if m.id is not None else None
        w.finish(m, list(m.sources or []))
        if fb is not None:
            w.set_feedback(fb.rating, fb.reason, fb.correction)
        versions = store.chats.versions(m.id) if m.id is not None else []
        w.set_versions([(v, store.feedback.get(v.id)) for v in versions])
        w.view.mark_unsupported(unsupported_sentences(m.sentences or []))

    def prefer_version(self, w: AssistantMessage, message_id: int) -> None:
        """The user prefers the version shown: the engine records it (shown, liked, the
        others disliked unless rated), and the widget shows it as saved."""
        chat = self.ctx.engine.chat
        try:
            index = next(v.index for v in chat.versions(message_id) if v.message_id == message_id)
            chat.prefer(message_id, index)
        except (USER_ERRORS, StopIteration) as exc:
            self.ctx.error(str(exc))
            return
        m = self.ctx.store.chats.message(message_id)
        self._show_answer(w, m)
        self.ctx.status(
            self.tr("This version is shown from now on; the others were saved as disliked."),
            4000,
        )

    def inspect_prompt(self, message_id: int) -> None:
        """Show the exact prompt an answer came from (parts and token counts)."""
        from desktop.widgets.prompt_inspector import PromptInspector

        m = self.ctx.store.chats.message(message_id)
        if m is None:
            return
        self.inspector = PromptInspector(m, self)
        self.inspector.show()

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

"""Blind A/B of a new preference adapter against the current one, then promote or keep.

A few of the user's own recent questions (engine.promote.history_prompts) are
answered by both, shown as A and B in random order; the names appear only after
each vote. At the end the tally decides whether "Make it the default" is offered;
the user picks where (every chat, the current chat, or a persona) and confirms.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from desktop.engine_thread import JobHandle
from desktop.i18n import Retranslates
from desktop.messages import for_people
from desktop.widgets.markdown_view import MarkdownView
from engine import promote
from engine.errors import USER_ERRORS


def enable_primary(button: QPushButton, on: bool) -> None:
    """Enable a main-action button; it is drawn as one (blue) only while it can be used."""
    button.setEnabled(on)
    if bool(button.property("primary")) != on:
        button.setProperty("primary", on)
        button.style().unpolish(button)
        button.style().polish(button)


class PromoteDialog(Retranslates, QDialog):
    def __init__(
        self, ctx: AppContext, new: str, current: str | None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.ctx = ctx
        self.tally = promote.Tally(new, current)
        self.model = ctx.store.adapters.get(new).base_model
        self.prompts = promote.history_prompts(ctx.store) or self._sample_prompts()
        self.index = -1
        self.answers: list[dict] = []
        self.job = None
        self.revealed = False  # the names of this question's answers are shown
        lay = QVBoxLayout(self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.question = QLabel(self)
        self.question.setWordWrap(True)
        self.question.setTextFormat(Qt.TextFormat.PlainText)
        f = self.question.font()
        f.setBold(True)
        self.question.setFont(f)
        lay.addWidget(self.question)
        sides = QHBoxLayout()
        self.headers: dict[str, QLabel] = {}
        self.views: dict[str, MarkdownView] = {}
        for label in "AB":
            frame = QFrame(self)
            frame.setObjectName("sourceCard")
            v = QVBoxLayout(frame)
            self.headers[label] = QLabel(frame)
            self.headers[label].setTextFormat(Qt.TextFormat.PlainText)
            v.addWidget(self.headers[label])
            self.views[label] = MarkdownView(frame, citations=False)
            self.views[label].setFrameShape(QFrame.Shape.NoFrame)
            v.addWidget(self.views[label], 1)
            sides.addWidget(frame, 1)
        lay.addLayout(sides, 1)
        votes = QHBoxLayout()
        votes.addStretch(1)
        self.vote_buttons = {p: QPushButton(self) for p in ("a", "tie", "b")}
        for pick, b in self.vote_buttons.items():
            b.clicked.connect(lambda _=False, p=pick: self.vote(p))
            votes.addWidget(b)
        self.next_button = QPushButton(self)
        self.next_button.setEnabled(False)
        self.next_button.clicked.connect(self.next_prompt)
        votes.addStretch(1)
        votes.addWidget(self.next_button)
        lay.addLayout(votes)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        lay.addWidget(self.result)
        decide = QHBoxLayout()
        self.scope = QComboBox(self)
        self.promote_button = QPushButton(self)
        self.keep_button = QPushButton(self)
        decide.addWidget(self.scope, 1)
        decide.addWidget(self.promote_button)
        decide.addWidget(self.keep_button)
        lay.addLayout(decide)
        self.promote_button.clicked.connect(self.promote)
        self.keep_button.clicked.connect(self.keep)
        self.resize(900, 600)
        self.retranslate()

    def _sample_prompts(self) -> list[str]:
        """No chats yet: the held-out prompts the run answered."""
        rec = self.ctx.store.adapters.get(self.tally.new)
        return [s["prompt"] for s in (rec.metrics.get("samples") or [])][: promote.PROMPTS]

    def _fill_scopes(self) -> None:
        self.scope.clear()
        self.scope.addItem(self.tr("for every chat (the default adapter)"), "default")
        last = int(self.ctx.ui.value("chat/last", 0) or 0)
        chat = self.ctx.store.chats.get(last) if last else None
        if chat is not None:
            self.scope.addItem(self.tr("for the chat “{0}”").format(chat.title), f"chat:{chat.id}")
        for p in self.ctx.store.personas.list():
            self.scope.addItem(self.tr("for the persona {0}").format(p.name), f"persona:{p.name}")

    # -- rounds -------------------------------------------------------------------
    def start(self) -> None:
        self.next_prompt()

    def next_prompt(self) -> None:
        self.index += 1
        if self.index >= len(self.prompts):
            self._show_tally()
            return
        prompt = self.prompts[self.index]
        chat, t = self.ctx.engine.chat, self.tally
        max_tokens = self.ctx.generation_config().max_tokens
        model = self.model

        def run(h: JobHandle) -> list[dict]:
            answers = promote.blind_answers(
                chat, model, t.current, t.new, prompt, max_tokens, cancel=h.cancel
            )
            h.check()
            return answers

        self.answers, self.revealed = [], False
        self.next_button.setEnabled(False)
        self.result.clear()
        self.question.setText(prompt)
        self._show_answers()
        self.status.setText(
            self.tr("Question {0} of {1}: both adapters are answering…").format(
                self.index + 1, len(self.prompts)
            )
        )
        self.job = self.ctx.service.submit("ab promote", run)
        self.job.finished.connect(self._on_answers)
        self.job.failed.connect(self._error)
        self.job.done.connect(self._on_done)

    def _on_done(self) -> None:
        self.job = None

    def _on_answers(self, answers: list[dict]) -> None:
        self.answers = answers
        self.status.setText(
            self.tr(
                "Question {0} of {1}. Shown in random order: pick the better answer; the "
                "names appear after your vote."
            ).format(self.index + 1, len(self.prompts))
        )
        self._show_answers()

    def _error(self, message: str) -> None:
        self.status.setText(for_people(message))
        self.ctx.error(message)

    def vote(self, pick: str) -> None:
        if not self.answers or self.revealed:
            return
        prompt = self.prompts[self.index]
        try:
            winner = promote.record_vote(self.ctx.store, self.tally, prompt, self.answers, pick)
        except USER_ERRORS as exc:
            self._error(str(exc))
            return
        self.revealed = True
        self._show_answers()
        self.result.setText(
            self.tr("You called it a tie.")
            if winner == "tie"
            else self.tr("You preferred {0}.").format(self._name(winner))
        )
        self.next_button.setEnabled(True)
        last = self.index + 1 >= len(self.prompts)
        self.next_button.setText(self.tr("See the result") if last else self.tr("Next question"))

    def _name(self, adapter: str) -> str:
        return self.tr("no adapter") if adapter == promote.BASE else adapter

    def _show_answers(self) -> None:
        """Answers under A and B; the adapters' names only once the vote is in."""
        by_label = {a["label"]: a for a in self.answers}
        for label in "AB":
            item = by_label.get(label)
            title = self.tr("Answer {0}").format(label)
            if item is not None and self.revealed:
                title = self.tr("Answer {0}: {1}").format(label, self._name(item["adapter"]))
            self.headers[label].setText(title)
            self.views[label].set_markdown(item["text"] if item else "")
        for b in self.vote_buttons.values():
            b.setEnabled(bool(self.answers) and not self.revealed)

    # -- decision -------------------------------------------------------------------
    def _show_tally(self) -> None:
        t = self.tally
        rec = self.ctx.store.adapters.get(t.new)
        text = self.tr("{0} won {1}, {2} won {3}, {4} ties.").format(
            t.new, t.wins, self._name(t.current or promote.BASE), t.losses, t.ties
        )
        blocked = rec is not None and rec.metrics.get("promotable") is False
        if blocked:
            text += " " + self.tr("It is not offered as the default: {0}").format(
                rec.metrics.get("not_promotable_reason") or ""
            )
        elif t.new_preferred:
            text += " " + self.tr("You preferred the new adapter.")
        else:
            text += " " + self.tr(
                "You did not prefer the new adapter; keeping the current one is recommended."
            )
        self.status.setText(self.tr("Comparison done."))
        self.question.clear()
        self.answers = []
        self._show_answers()
        self.next_button.setEnabled(False)
        self.result.setText(text)
        self._fill_scopes()
        enable_primary(self.promote_button, t.new_preferred and not blocked and t.total > 0)
        self.keep_button.setEnabled(True)
        self.scope.setEnabled(self.promote_button.isEnabled())

    def confirm(self, title: str, text: str) -> bool:  # tests replace this
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def promote(self) -> None:
        scope = self.scope.currentData()
        if not scope or not self.confirm(
            self.tr("Use {0}?").format(self.tally.new),
            self.tr("{0} will answer {1}. You can switch back in the Training tab.").format(
                self.tally.new, self.scope.currentText()
            ),
        ):
            return
        try:
            promote.promote(self.ctx.store, self.tally, scope)
        except USER_ERRORS as exc:
            self._error(str(exc))
            return
        self._decided(
            self.tr("{0} is now used {1}.").format(self.tally.new, self.scope.currentText())
        )
        self.ctx.events.models_changed.emit()

    def keep(self) -> None:
        try:
            promote.keep_current(self.ctx.store, self.tally)
        except USER_ERRORS as exc:
            self._error(str(exc))
            return
        self._decided(
            self.tr("Kept the current adapter; the comparison is saved with {0}.").format(
                self.tally.new
            )
        )

    def _decided(self, message: str) -> None:
        self.result.setText(message)
        self.ctx.status(message)
        enable_primary(self.promote_button, False)
        self.keep_button.setEnabled(False)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Compare {0} with the current adapter").format(self.tally.new))
        self.vote_buttons["a"].setText(self.tr("A is better"))
        self.vote_buttons["tie"].setText(self.tr("Tie"))
        self.vote_buttons["b"].setText(self.tr("B is better"))
        self.next_button.setText(self.tr("Next question"))
        self.promote_button.setText(self.tr("Make it the default"))
        self.keep_button.setText(self.tr("Keep the current one"))
        if self.index < 0:
            enable_primary(self.promote_button, False)
            self.keep_button.setEnabled(False)
            self.scope.setEnabled(False)
            self.status.setText(self.tr("Preparing the comparison…"))
        if not self.prompts:
            self.status.setText(self.tr("There are no questions to compare on yet."))

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.job is not None:
            self.job.cancel()
        super().closeEvent(event)


def run_text(d: dict) -> str:
    """A finished run in one paragraph: accuracy, margin, degeneration, promotable."""

    def num(x) -> str:
        return "-" if x is None else f"{x:.2f}"

    out = QCoreApplication.translate(
        "PreferencesSection",
        "{0} is ready. Held-out preference accuracy {1} → {2}, reward margin {3} → {4}.",
    ).format(
        d.get("adapter", ""),
        num(d.get("pref_acc_before")),
        num(d.get("pref_acc_after")),
        num(d.get("reward_margin_before")),
        num(d.get("reward_margin_after")),
    )
    if d.get("promotable") is False:
        out += (
            " "
            + QCoreApplication.translate(
                "PreferencesSection", "It will not be offered as the default:"
            )
            + " "
        )
        out += str(d.get("not_promotable_reason") or "")
    else:
        out += " " + QCoreApplication.translate(
            "PreferencesSection", "Compare it with the current one before you use it."
        )
    return out


def comparison_text(name: str, c: dict) -> str:
    current = c.get("current") or QCoreApplication.translate("PreferencesSection", "no adapter")
    text = QCoreApplication.translate(
        "PreferencesSection", "Last comparison: {0} won {1}, {2} won {3}, {4} ties ({5})."
    ).format(
        name,
        c.get("wins", 0),
        current,
        c.get("losses", 0),
        c.get("ties", 0),
        (c.get("at") or "")[:16].replace("T", " "),
    )
    if c.get("decision") == "promoted":
        text += " " + QCoreApplication.translate("PreferencesSection", "You made it the default.")
    else:
        text += " " + QCoreApplication.translate("PreferencesSection", "You kept the current one.")
    return text

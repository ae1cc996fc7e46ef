"""Blind A/B: two adapters answer one prompt; the user picks the better answer, then sees which
adapter wrote it.

The answers come from the engine thread (`ab_answers`, which shuffles them) and
are shown as "A" and "B" only; the adapter names stay out of every widget until
the vote is stored, the same vote `sastre adapters ab` records. Each vote also becomes a
preference pair (the winner's answer over the other's).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from desktop.engine_thread import Job, JobHandle
from desktop.i18n import Retranslates
from desktop.messages import for_people
from desktop.widgets.markdown_view import MarkdownView
from engine.errors import USER_ERRORS
from engine.preferences import record_ab_vote


class ABCompare(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.job: Job | None = None
        self.answers: list[dict] = []  # [{label, adapter, text}], from ab_answers
        self.asked: tuple[str, str, str] | None = None  # (a, b, prompt) of the answers shown
        self.voted = False
        lay = QVBoxLayout(self)

        pick = QGridLayout()
        self.a_combo = QComboBox(self)
        self.b_combo = QComboBox(self)
        self.compare_label, self.with_label = QLabel(self), QLabel(self)
        pick.addWidget(self.compare_label, 0, 0)
        pick.addWidget(self.a_combo, 0, 1)
        pick.addWidget(self.with_label, 0, 2)
        pick.addWidget(self.b_combo, 0, 3)
        pick.setColumnStretch(1, 1)
        pick.setColumnStretch(3, 1)
        lay.addLayout(pick)
        self.prompt = QPlainTextEdit(self)
        self.prompt.setFixedHeight(3 * self.prompt.fontMetrics().lineSpacing() + 16)
        lay.addWidget(self.prompt)
        row = QHBoxLayout()
        self.status = QLabel(self)
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        row.addWidget(self.status, 1)
        self.generate_button = QPushButton(self)
        self.generate_button.setProperty("primary", True)
        self.generate_button.clicked.connect(self._generate_or_stop)
        row.addWidget(self.generate_button, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(row)

        sides = QHBoxLayout()
        self.headers: dict[str, QLabel] = {}
        self.views: dict[str, MarkdownView] = {}
        for label in "AB":
            frame = QFrame(self)
            frame.setObjectName("sourceCard")
            v = QVBoxLayout(frame)
            self.headers[label] = QLabel(frame)
            self.headers[label].setTextFormat(Qt.TextFormat.PlainText)
            f = self.headers[label].font()
            f.setBold(True)
            self.headers[label].setFont(f)
            v.addWidget(self.headers[label])
            self.views[label] = MarkdownView(frame, citations=False)
            self.views[label].setFrameShape(QFrame.Shape.NoFrame)
            v.addWidget(self.views[label], 1)
            sides.addWidget(frame, 1)
        lay.addLayout(sides, 1)

        votes = QHBoxLayout()
        votes.addStretch(1)
        self.vote_buttons = {
            "a": QPushButton(self),
            "tie": QPushButton(self),
            "b": QPushButton(self),
        }
        for pick_, b in self.vote_buttons.items():
            b.clicked.connect(lambda _=False, p=pick_: self.vote(p))
            votes.addWidget(b)
        votes.addStretch(1)
        lay.addLayout(votes)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.result.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setMinimumHeight(self.result.fontMetrics().lineSpacing() + 4)  # no jump
        lay.addWidget(self.result)
        self.retranslate()

    # -- data ---------------------------------------------------------------------
    def refresh(self, first: str | None = None) -> None:
        """List the ready adapters; `first` (e.g. the one selected in the panel) becomes A."""
        ready = [a for a in self.ctx.store.adapters.list() if a.status == "ready"]
        keep_a = first or self.a_combo.currentData()
        keep_b = self.b_combo.currentData()
        for combo in (self.a_combo, self.b_combo):
            combo.clear()
            for a in ready:
                combo.addItem(f"{a.name}  ·  {a.base_model}", a.name)
        self._select(self.a_combo, keep_a)
        a = self.a_combo.currentData()
        if keep_b is None or keep_b == a:
            base = next((r.base_model for r in ready if r.name == a), None)
            others = [r.name for r in ready if r.name != a]
            same = [r.name for r in ready if r.name != a and r.base_model == base]
            keep_b = (same or others or [None])[0]
        self._select(self.b_combo, keep_b)
        too_few = self.tr("Train at least two adapters of one model to compare.")
        if len(ready) < 2:
            self.status.setText(too_few)
        elif self.status.text() == too_few:
            self.status.clear()

    @staticmethod
    def _select(combo: QComboBox, name: str | None) -> None:
        i = combo.findData(name) if name else -1
        combo.setCurrentIndex(i if i >= 0 else (0 if combo.count() else -1))

    # -- actions ------------------------------------------------------------------
    def generate(self) -> None:
        a, b = self.a_combo.currentData(), self.b_combo.currentData()
        prompt = self.prompt.toPlainText().strip()
        if not a or not b or a == b:
            self._error(self.tr("Pick two different adapters to compare."))
            return
        if not prompt:
            self._error(self.tr("Type a prompt for both adapters to answer."))
            return
        if self.job is not None:
            return
        from engine.train.service import ab_answers

        tr, chat = self.ctx.engine.training, self.ctx.engine.chat
        max_tokens = self.ctx.generation_config().max_tokens

        def run(h: JobHandle) -> list[dict]:
            answers = ab_answers(tr, chat, a, b, prompt, max_tokens, cancel=h.cancel)
            h.check()  # stopped: no half answers to vote on
            return answers

        self.answers, self.asked, self.voted = [], (a, b, prompt), False
        self._show_answers()
        self.status.setText(self.tr("Both adapters are answering…"))
        self.generate_button.setText(self.tr("Stop"))
        self.job = self.ctx.service.submit("ab", run)
        self.job.finished.connect(self._on_answers)
        self.job.failed.connect(self._error)
        self.job.cancelled.connect(lambda: self.status.setText(self.tr("Stopped.")))
        self.job.done.connect(self._on_done)

    def _generate_or_stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
        else:
            self.generate()

    def _on_answers(self, answers: list[dict]) -> None:
        self.answers = answers
        self.status.setText(
            self.tr("Shown in random order: pick the better answer to see which adapter wrote it.")
        )
        self._show_answers()

    def _on_done(self) -> None:
        self.job = None
        self.generate_button.setText(self.tr("Generate"))

    def _error(self, message: str) -> None:
        self.status.setText(for_people(message))
        self.ctx.error(message)

    def vote(self, pick: str) -> None:
        """Record the pick ('a', 'b' or 'tie') as the CLI does, then reveal the adapters."""
        if not self.answers or self.voted or self.asked is None:
            return
        a, b, prompt = self.asked
        by_label = {item["label"].lower(): item["adapter"] for item in self.answers}
        winner = by_label.get(pick, "tie")
        try:
            self.ctx.store.adapters.add_vote(prompt, a, b, winner)
            record_ab_vote(self.ctx.store, prompt, self.answers, winner)  # a preference pair
            wins = self.ctx.store.adapters.wins()
        except USER_ERRORS as exc:
            self._error(str(exc))
            return
        self.voted = True
        self._show_answers()
        chosen = (
            self.tr("You called it a tie.")
            if winner == "tie"
            else self.tr("You preferred {0}.").format(winner)
        )
        self.result.setText(
            chosen
            + " "
            + self.tr("Wins so far: {0} {1} · {2} {3} · ties {4}").format(
                a, wins.get(a, 0), b, wins.get(b, 0), wins.get("tie", 0)
            )
        )
        self.status.setText(self.tr("Vote saved. Generate again for another prompt."))

    def retranslate(self) -> None:
        self.compare_label.setText(self.tr("Compare"))
        self.with_label.setText(self.tr("with"))
        self.prompt.setPlaceholderText(self.tr("A prompt both adapters answer…"))
        self.generate_button.setText(self.tr("Stop") if self.job else self.tr("Generate"))
        self.vote_buttons["a"].setText(self.tr("A is better"))
        self.vote_buttons["tie"].setText(self.tr("Tie"))
        self.vote_buttons["b"].setText(self.tr("B is better"))
        self._show_answers()

    def _show_answers(self) -> None:
        """Answers under their labels; adapter names only once the vote is in."""
        by_label = {item["label"]: item for item in self.answers}
        for label in "AB":
            item = by_label.get(label)
            title = self.tr("Answer {0}").format(label)
            if item is not None and self.voted:
                title = self.tr("Answer {0}: {1}").format(label, item["adapter"])
            self.headers[label].setText(title)
            self.views[label].set_markdown(item["text"] if item else "")
        for b in self.vote_buttons.values():
            b.setEnabled(bool(self.answers) and not self.voted)
        if not self.voted:
            self.result.clear()


class ABDialog(Retranslates, QDialog):
    """A window of its own: two answers side by side need more room than the panel has."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = ABCompare(ctx, self)
        self.setWindowTitle(self.tr("Blind A/B comparison"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.view)
        self.resize(860, 560)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Blind A/B comparison"))
        self.view.retranslate()

"""Open one preference pair or single answer: read the conversation, edit the answers.

An edit marks the row as the user's: rebuilding from feedback no longer changes it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import Retranslates
from store.preferences import LabelledAnswer, PreferencePair


class PairEditor(Retranslates, QDialog):
    """Edits a PreferencePair (question, chosen, rejected) or a LabelledAnswer (question,
    answer, good or bad). `dropped` is set when the user chose Drop."""

    def __init__(self, item: PreferencePair | LabelledAnswer, parent: QWidget | None = None):
        super().__init__(parent)
        self.item = item
        self.dropped = False
        self.is_pair = isinstance(item, PreferencePair)
        lay = QVBoxLayout(self)
        self.source = QLabel(self)
        self.source.setObjectName("muted")
        self.source.setWordWrap(True)
        lay.addWidget(self.source)
        self.history_label = QLabel(self)
        self.history = QPlainTextEdit(self)
        self.history.setReadOnly(True)
        self.history.setMaximumHeight(5 * self.history.fontMetrics().lineSpacing() + 16)
        if len(item.prompt) > 1:
            lay.addWidget(self.history_label)
            lay.addWidget(self.history)
        else:
            self.history_label.hide()
            self.history.hide()
        self.question_label = QLabel(self)
        self.question = QPlainTextEdit(item.prompt[-1]["content"] if item.prompt else "", self)
        self.first_label, self.second_label = QLabel(self), QLabel(self)
        first = item.chosen if self.is_pair else item.answer
        self.first = QPlainTextEdit(first, self)
        self.second = QPlainTextEdit(item.rejected if self.is_pair else "", self)
        self.good = QCheckBox(self)
        self.good.setChecked(not self.is_pair and item.desirable)
        for w in (self.question_label, self.question, self.first_label, self.first):
            lay.addWidget(w)
        lay.addWidget(self.second_label)
        lay.addWidget(self.second)
        lay.addWidget(self.good)
        for w in (self.second_label, self.second):
            w.setVisible(self.is_pair)
        self.good.setVisible(not self.is_pair)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.drop_button = QPushButton(self)
        self.buttons.addButton(self.drop_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.drop_button.clicked.connect(self._drop)
        lay.addWidget(self.buttons)
        self.resize(640, 560)
        self.retranslate()

    def _drop(self) -> None:
        self.dropped = True
        self.accept()

    def changes(self) -> dict:
        """The fields to store (only those the user changed)."""
        prompt = [*self.item.prompt[:-1], {"role": "user", "content": self.question.toPlainText()}]
        out: dict = {}
        if prompt != self.item.prompt:
            out["prompt"] = prompt
        if self.is_pair:
            if self.first.toPlainText() != self.item.chosen:
                out["chosen"] = self.first.toPlainText()
            if self.second.toPlainText() != self.item.rejected:
                out["rejected"] = self.second.toPlainText()
        else:
            if self.first.toPlainText() != self.item.answer:
                out["answer"] = self.first.toPlainText()
            if self.good.isChecked() != self.item.desirable:
                out["desirable"] = self.good.isChecked()
        return out

    def retranslate(self) -> None:
        self.setWindowTitle(
            self.tr("Preference pair {0}").format(self.item.id)
            if self.is_pair
            else self.tr("Single answer {0}").format(self.item.id)
        )
        edited = self.tr(" · edited by you") if self.item.edited else ""
        self.source.setText(
            self.tr("From: {0} · {1}").format(
                source_text(self.item.source), (self.item.created_at or "")[:16].replace("T", " ")
            )
            + edited
        )
        self.history_label.setText(self.tr("Earlier in the conversation"))
        roles = {
            "user": self.tr("You"),
            "assistant": self.tr("Assistant"),
            "system": self.tr("System"),
        }
        self.history.setPlainText(
            "\n\n".join(
                f"{roles.get(m['role'], m['role'])}: {m['content']}" for m in self.item.prompt[:-1]
            )
        )
        self.question_label.setText(self.tr("Question"))
        self.first_label.setText(self.tr("Preferred answer") if self.is_pair else self.tr("Answer"))
        self.second_label.setText(self.tr("Worse answer"))
        self.good.setText(self.tr("A good answer (thumbs up)"))
        self.drop_button.setText(self.tr("Drop"))
        self.drop_button.setToolTip(
            self.tr("Leave it out of training; rebuilding from feedback does not bring it back.")
        )


def source_text(source: str) -> str:
    """Where a pair or single answer came from, as shown (stored as an English key)."""
    names = {
        "liked_regeneration": QCoreApplication.translate(
            "PreferencesSection", "a liked regeneration"
        ),
        "correction": QCoreApplication.translate("PreferencesSection", "your correction"),
        "preferred_version": QCoreApplication.translate(
            "PreferencesSection", "the version you preferred"
        ),
        "ab_vote": QCoreApplication.translate("PreferencesSection", "a blind A/B vote"),
        "imported": QCoreApplication.translate("PreferencesSection", "an imported file"),
        "feedback": QCoreApplication.translate("PreferencesSection", "a thumbs up/down"),
    }
    return names.get(source, source)

"""What an empty chat shows: a greeting, three suggestions, and the first-run sample offer."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.widgets.labels import WrapLabel


class ChatWelcome(QWidget):
    suggestion_picked = Signal(str)
    sample_accepted = Signal()
    sample_dismissed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.collection: str | None = None
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 60, 0, 20)
        v.setSpacing(10)
        self.welcome_title = QLabel(self)
        f = self.welcome_title.font()
        f.setPointSizeF(f.pointSizeF() * 1.8)
        f.setBold(True)
        self.welcome_title.setFont(f)
        self.welcome_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        v.addWidget(self.welcome_title)
        self.welcome_text = WrapLabel(500, self)
        self.welcome_text.setObjectName("muted")
        self.welcome_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        v.addWidget(self.welcome_text, 0, Qt.AlignmentFlag.AlignHCenter)
        v.addSpacing(14)
        self.suggestion_buttons = [QPushButton(self) for _ in range(3)]
        for b in self.suggestion_buttons:
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.setMinimumWidth(320)
            b.clicked.connect(lambda _=False, b=b: self._suggest(b.property("prompt")))
            v.addWidget(b, 0, Qt.AlignmentFlag.AlignHCenter)
        v.addSpacing(16)
        v.addWidget(self._build_sample_banner(), 0, Qt.AlignmentFlag.AlignHCenter)

    def _build_sample_banner(self) -> QFrame:
        self.sample_banner = QFrame(self)
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
        return self.sample_banner

    def _suggest(self, prompt: str | None) -> None:
        if prompt:
            self.suggestion_picked.emit(prompt)

    def _accept_sample(self) -> None:
        self.sample_banner.hide()
        self.sample_accepted.emit()

    def _dismiss_sample(self) -> None:
        self.sample_banner.hide()
        self.sample_dismissed.emit()

    def show_for(self, collection: str | None, offer_sample: bool) -> None:
        """Texts for a chat with (or without) documents; the sample offer if it applies."""
        self.collection = collection
        self.sample_banner.setVisible(offer_sample)
        self.retranslate()

    def retranslate(self) -> None:
        self.welcome_title.setText(self.tr("What would you like to know?"))
        if self.collection:
            self.welcome_text.setText(
                self.tr(
                    "Answers will come from the documents in “{0}”, with numbered citations "
                    "you can click to see the passage."
                ).format(self.collection)
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
        self.sample_text.setText(
            self.tr(
                "New here? Add Sastre's own user guide as a sample collection and ask it a "
                "question, e.g. “How do I add my own files?”"
            )
        )
        self.sample_add.setText(self.tr("Add the sample"))
        self.sample_no.setText(self.tr("No thanks"))

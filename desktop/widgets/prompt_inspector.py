"""The prompt inspector: the exact prompt an answer was generated from, part by part.

Parts (system, persona technique, memories, examples, retrieved sources, history,
question, template) come with their token counts, as saved with the answer.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from store.chats import Message


def message_parts(message: Message) -> list[dict]:
    """The saved parts; answers from before parts were recorded show the whole prompt."""
    if message.prompt_parts:
        return list(message.prompt_parts)
    if message.prompt:
        return [
            {
                "name": "prompt",
                "text": message.prompt,
                "tokens": message.prompt_tokens or 0,
                "detail": "parts not recorded for this answer",
            }
        ]
    return []


class PromptInspector(QDialog):
    def __init__(self, message: Message, parent: QWidget | None = None):
        super().__init__(parent)
        self.message = message
        self.parts = message_parts(message)
        self.setWindowTitle(self.tr("Prompt of answer {0}").format(message.id))
        self.resize(820, 560)
        lay = QVBoxLayout(self)
        total = sum(p["tokens"] for p in self.parts)
        persona = self.tr(", persona {0}").format(message.persona) if message.persona else ""
        self.summary = QLabel(
            self.tr("{0} tokens sent to {1}{2}.").format(total, message.model or "?", persona), self
        )
        lay.addWidget(self.summary)
        split = QSplitter(Qt.Orientation.Vertical, self)
        self.tree = QTreeWidget(split)
        self.tree.setHeaderLabels([self.tr("Part"), self.tr("Tokens"), self.tr("Details")])
        self.tree.setRootIsDecorated(False)
        for p in self.parts:
            item = QTreeWidgetItem([p["name"], str(p["tokens"]), p.get("detail") or ""])
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
        full = QTreeWidgetItem(
            [self.tr("full prompt (as sent)"), str(message.prompt_tokens or ""), ""]
        )
        self.tree.addTopLevelItem(full)
        self.tree.resizeColumnToContents(0)
        self.text = QPlainTextEdit(split)
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        lay.addWidget(split, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.tree.currentItemChanged.connect(self._show)
        self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def _show(self, item: QTreeWidgetItem | None, _prev=None) -> None:
        if item is None:
            return
        i = self.tree.indexOfTopLevelItem(item)
        self.text.setPlainText(
            self.parts[i]["text"] if i < len(self.parts) else (self.message.prompt or "")
        )

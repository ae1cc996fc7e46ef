"""Personas: named system prompts with prompt techniques, a default collection and adapter."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from desktop.i18n import Retranslates
from engine.errors import USER_ERRORS
from store.personas import Persona


def examples_to_text(examples: list[dict[str, str]]) -> str:
    return "\n\n".join(f"User: {e['user']}\nAssistant: {e['assistant']}" for e in examples)


def text_to_examples(text: str) -> list[dict[str, str]]:
    """'User: …' / 'Assistant: …' pairs; an assistant part may span several lines."""
    out = []
    for m in re.finditer(r"^User:\s*(.+?)\n+Assistant:\s*(.+?)(?=\n+User:|\Z)", text, re.S | re.M):
        out.append({"user": m.group(1).strip(), "assistant": m.group(2).strip()})
    return out


class PersonasPanel(Retranslates, QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.editing: str | None = None  # the stored name of the persona in the form
        outer = QHBoxLayout(self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(split)
        left = QWidget(split)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget(left)
        lv.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.new_button = QPushButton(left)
        self.duplicate_button = QPushButton(left)
        self.delete_button = QPushButton(left)
        for b in (self.new_button, self.duplicate_button, self.delete_button):
            row.addWidget(b)
        lv.addLayout(row)

        right = QWidget(split)
        form = QFormLayout(right)
        self.name = QLineEdit(right)
        self.description = QLineEdit(right)
        self.system = QPlainTextEdit(right)
        self.collection = QLineEdit(right)
        self.adapter = QLineEdit(right)
        self.output_format = QLineEdit(right)
        self.cot = QCheckBox(right)
        self.use_feedback = QCheckBox(right)
        self.examples = QPlainTextEdit(right)
        self.save_button = QPushButton(right)
        self.save_button.setProperty("primary", True)
        self.fields = [
            ("name", self.name), ("description", self.description), ("system", self.system),
            ("collection", self.collection), ("adapter", self.adapter),
            ("format", self.output_format), ("cot", self.cot), ("feedback", self.use_feedback),
            ("examples", self.examples),
        ]  # fmt: skip
        for _, w in self.fields:
            form.addRow("", w)
        form.addRow("", self.save_button)
        self.form = form
        split.setStretchFactor(1, 1)

        self.list.currentItemChanged.connect(self._selected)
        self.new_button.clicked.connect(self.new)
        self.duplicate_button.clicked.connect(self.duplicate)
        self.delete_button.clicked.connect(self.delete)
        self.save_button.clicked.connect(self.save)
        ctx.events.personas_changed.connect(self.refresh)
        self.retranslate()
        self.refresh()

    # -- data -----------------------------------------------------------------------
    def refresh(self) -> None:
        from engine.personalize import ensure_builtin_personas

        keep = self.editing
        ensure_builtin_personas(self.ctx.store)
        self.list.blockSignals(True)
        self.list.clear()
        for p in self.ctx.store.personas.list():
            item = QListWidgetItem(p.name)
            item.setData(Qt.ItemDataRole.UserRole, p.name)
            item.setToolTip(p.description)
            self.list.addItem(item)
            if p.name == keep:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._selected()

    def _selected(self, *_args) -> None:
        item = self.list.currentItem()
        p = self.ctx.store.personas.get(item.data(Qt.ItemDataRole.UserRole)) if item else None
        self.load(p)

    def load(self, p: Persona | None) -> None:
        self.editing = p.name if p else None
        p = p or Persona(name="")
        self.name.setText(p.name)
        self.description.setText(p.description)
        self.system.setPlainText(p.system_prompt)
        self.collection.setText(p.collection or "")
        self.adapter.setText(p.adapter or "")
        self.output_format.setText(p.output_format)
        self.cot.setChecked(p.chain_of_thought)
        self.use_feedback.setChecked(p.use_feedback)
        self.examples.setPlainText(examples_to_text(p.examples))
        self.duplicate_button.setEnabled(self.editing is not None)
        self.delete_button.setEnabled(self.editing is not None)

    def persona_from_form(self) -> Persona:
        return Persona(
            name=self.name.text().strip(),
            description=self.description.text().strip(),
            system_prompt=self.system.toPlainText().strip(),
            collection=self.collection.text().strip() or None,
            adapter=self.adapter.text().strip() or None,
            output_format=self.output_format.text().strip(),
            chain_of_thought=self.cot.isChecked(),
            use_feedback=self.use_feedback.isChecked(),
            examples=text_to_examples(self.examples.toPlainText()),
        )

    # -- actions ----------------------------------------------------------------------
    def new(self) -> None:
        self.list.clearSelection()
        self.load(None)
        self.name.setFocus()

    def save(self) -> None:
        p = self.persona_from_form()
        repo = self.ctx.store.personas
        try:
            saved = repo.update(self.editing, p) if self.editing else repo.add(p)
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))
            return
        self.editing = saved.name
        self.ctx.status(self.tr("Saved persona {0}.").format(saved.name))
        self.ctx.events.personas_changed.emit()

    def duplicate(self) -> None:
        if not self.editing:
            return
        names = {p.name for p in self.ctx.store.personas.list()}
        new, i = f"{self.editing} copy", 2
        while new in names:
            new, i = f"{self.editing} copy {i}", i + 1
        self.ctx.store.personas.duplicate(self.editing, new)
        self.editing = new
        self.ctx.events.personas_changed.emit()

    def delete(self) -> None:
        if self.editing:
            self.ctx.store.personas.delete(self.editing)
            self.editing = None
            self.ctx.events.personas_changed.emit()

    def retranslate(self) -> None:
        labels = {
            "name": self.tr("Name"),
            "description": self.tr("Description"),
            "system": self.tr("System prompt"),
            "collection": self.tr("Default documents"),
            "adapter": self.tr("Default adapter"),
            "format": self.tr("Output format"),
            "cot": self.tr("Technique"),
            "feedback": self.tr("Feedback"),
            "examples": self.tr("Few-shot examples"),
        }
        for key, w in self.fields:
            label = self.form.labelForField(w)
            if label is not None:
                label.setText(labels[key])
        self.system.setPlaceholderText(
            self.tr(
                "Role, tone and scope, e.g. Answer only about cooking; politely refuse the rest."
            )
        )
        self.output_format.setPlaceholderText(self.tr("e.g. a bullet list of at most 5 items"))
        self.cot.setText(self.tr("Think step by step, then give the final answer"))
        self.use_feedback.setText(self.tr("Use my liked and disliked answers as examples"))
        self.examples.setPlaceholderText(
            self.tr("User: a question\nAssistant: the answer you want")
        )
        self.new_button.setText(self.tr("New"))
        self.duplicate_button.setText(self.tr("Duplicate"))
        self.delete_button.setText(self.tr("Delete"))
        self.save_button.setText(self.tr("Save"))

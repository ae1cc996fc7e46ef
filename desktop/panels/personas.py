"""Personas: named system prompts with prompt techniques, a default collection and adapter."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
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


def builtin_text(text: str) -> str:
    """A built-in persona's description in the user's language (the user's own as written;
    scripts/translations.py extracts the built-in ones from resources/personas.json)."""
    return QCoreApplication.translate("Personas", text) if text else text


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
        self._description = self._shown_description = ""
        outer = QHBoxLayout(self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setChildrenCollapsible(False)
        outer.addWidget(split)
        split.addWidget(self._persona_list(split))
        split.addWidget(self._form(split))
        split.setStretchFactor(1, 1)
        split.setSizes([220, 700])
        self.list.currentItemChanged.connect(self._selected)
        self.new_button.clicked.connect(self.new)
        self.duplicate_button.clicked.connect(self.duplicate)
        self.delete_button.clicked.connect(self.delete)
        self.save_button.clicked.connect(self.save)
        ctx.events.personas_changed.connect(self.refresh)
        ctx.events.collections_changed.connect(self._fill_pickers)
        ctx.events.models_changed.connect(self._fill_pickers)
        self.retranslate()
        self.refresh()

    # -- layout ---------------------------------------------------------------------
    def _persona_list(self, parent: QWidget) -> QWidget:
        left = QWidget(parent)
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
        return left

    def _form(self, parent: QWidget) -> QWidget:
        right = QWidget(parent)
        form = self.form = QFormLayout(right)
        self.name = QLineEdit(right)
        self.description = QLineEdit(right)
        self.system = QPlainTextEdit(right)
        self.collection = QComboBox(right)  # the Library's collections
        self.adapter = QComboBox(right)  # trained adapters that are ready
        self.output_format = QLineEdit(right)
        self.cot = QCheckBox(right)
        self.use_feedback = QCheckBox(right)
        self.examples = QPlainTextEdit(right)
        self.save_button = QPushButton(right)
        self.save_button.setProperty("primary", True)
        self.fields = [
            ("name", self.name),
            ("description", self.description),
            ("system", self.system),
            ("collection", self.collection),
            ("adapter", self.adapter),
            ("format", self.output_format),
            ("cot", self.cot),
            ("feedback", self.use_feedback),
            ("examples", self.examples),
        ]
        self.labels: dict[str, QLabel] = {}
        for key, w in self.fields:
            self.labels[key] = QLabel(right)
            self.labels[key].setBuddy(w)
            form.addRow(self.labels[key], w)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        form.addRow(row)
        return right

    def _fill_pickers(self, *_args, keep: tuple[str | None, str | None] | None = None) -> None:
        """The collection and adapter pickers: "none", then what exists (and the persona's
        own choice, even if it is gone, so that saving does not drop it silently)."""
        collection, adapter = keep or (self.collection.currentData(), self.adapter.currentData())
        lib = self.ctx.library
        try:
            names = [c.name for c in lib.collections()] if lib is not None else []
        except USER_ERRORS:
            names = []
        adapters = [a.name for a in self.ctx.store.adapters.list() if a.status == "ready"]
        for combo, items, value in (
            (self.collection, names, collection),
            (self.adapter, adapters, adapter),
        ):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("None"), None)
            for n in items:
                combo.addItem(n, n)
            if value and combo.findData(value) < 0:
                combo.addItem(self.tr("{0} (not found)").format(value), value)
            combo.setCurrentIndex(max(0, combo.findData(value)) if value else 0)
            combo.blockSignals(False)

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
            item.setToolTip(builtin_text(p.description))
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
        self._description = p.description  # as stored (a built-in one in English)
        self.description.setText(builtin_text(p.description))
        self._shown_description = self.description.text()
        self.system.setPlainText(p.system_prompt)
        self._fill_pickers(keep=(p.collection, p.adapter))
        self.output_format.setText(p.output_format)
        self.cot.setChecked(p.chain_of_thought)
        self.use_feedback.setChecked(p.use_feedback)
        self.examples.setPlainText(examples_to_text(p.examples))
        self.duplicate_button.setEnabled(self.editing is not None)
        self.delete_button.setEnabled(self.editing is not None)

    def persona_from_form(self) -> Persona:
        return Persona(
            name=self.name.text().strip(),
            description=self._stored_description(),
            system_prompt=self.system.toPlainText().strip(),
            collection=self.collection.currentData() or None,
            adapter=self.adapter.currentData() or None,
            output_format=self.output_format.text().strip(),
            chain_of_thought=self.cot.isChecked(),
            use_feedback=self.use_feedback.isChecked(),
            examples=text_to_examples(self.examples.toPlainText()),
        )

    def _stored_description(self) -> str:
        text = self.description.text().strip()
        original = self._description
        return original if original and text == builtin_text(original) else text

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
        for key, _w in self.fields:
            self.labels[key].setText(labels[key])
        self._fill_pickers()
        for i in range(self.list.count()):  # built-in descriptions, in the new language
            item = self.list.item(i)
            p = self.ctx.store.personas.get(item.data(Qt.ItemDataRole.UserRole))
            item.setToolTip(builtin_text(p.description) if p else "")
        original = getattr(self, "_description", "")
        if original and self.description.text().strip() in (original, self._shown_description):
            self.description.setText(builtin_text(original))
        self._shown_description = self.description.text()
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

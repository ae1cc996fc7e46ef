"""The row under the message box: model, documents, persona and adapter of the chat.

A chat's adapter: None follows the default (the persona's, or Training's "Use in chat"),
"" is no adapter, a name is that adapter (of the chat's model). Which adapter the default
is, the engine says (ChatService.default_adapter); this row only shows it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from desktop.context import AppContext
from desktop.widgets.composer import PickerCombo
from desktop.widgets.flow import FlowLayout
from engine.errors import USER_ERRORS


class ChatPickers(QWidget):
    model_picked = Signal(str)
    adapter_picked = Signal(object)  # None, "" or a name
    collection_picked = Signal(str)  # "" for none

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        # Label + picker pairs wrap to a second row rather than cut their text.
        h = FlowLayout(self, spacing=12)
        h.setContentsMargins(4, 0, 4, 0)
        self.model_label, self.model_combo = self._picker(h, 260)
        self.model_combo.activated.connect(self._model_picked)
        self.collection_label, self.collection_combo = self._picker(h, 220)
        self.collection_combo.activated.connect(self._collection_picked)
        self.persona_label, self.persona_combo = self._picker(h, 220)
        self.persona_combo.currentIndexChanged.connect(lambda _i: self.name_default_adapter())
        self.adapter_label, self.adapter_combo = self._picker(h, 220)
        self.adapter_combo.activated.connect(
            lambda _i: self.adapter_picked.emit(self.selected_adapter())
        )
        self.layout_row = h

    def _picker(self, row: FlowLayout, width: int) -> tuple[QLabel, PickerCombo]:
        pair = QWidget(self)
        h = QHBoxLayout(pair)
        h.setContentsMargins(0, 0, 0, 0)
        h.setSpacing(6)
        label = QLabel(pair)
        label.setObjectName("muted")
        combo = PickerCombo(width, pair)
        h.addWidget(label)
        h.addWidget(combo)
        row.addWidget(pair)
        self._pairs = [*getattr(self, "_pairs", []), (pair, label, combo)]
        return label, combo

    def _sync_pairs(self) -> None:
        """A pair whose picker is hidden (no adapters, no library) leaves no gap."""
        for pair, label, combo in self._pairs:
            pair.setVisible(not combo.isHidden() or not label.isHidden())
        self.layout_row.invalidate()

    # -- model ----------------------------------------------------------------------
    def refresh_models(self) -> None:
        current = self.model_combo.currentData()
        self.model_combo.clear()
        names = [m.name for m in self.ctx.engine.models.list()]
        default = self.ctx.engine.models.default_name()
        if default not in names:
            names.insert(0, default)
        for name in names:
            self.model_combo.addItem(name + ("  ★" if name == default else ""), name)
        self.select_model(current or default)
        self.refresh_adapters()

    def select_model(self, name: str | None) -> None:
        i = self.model_combo.findData(name) if name else -1
        if i < 0:
            i = self.model_combo.findData(self.ctx.engine.models.default_name())
        self.model_combo.setCurrentIndex(max(i, 0))

    def selected_model(self) -> str | None:
        return self.model_combo.currentData()

    def _model_picked(self, _index: int) -> None:
        adapter = self.selected_adapter()
        self.refresh_adapters()
        self.model_picked.emit(self.selected_model() or "")
        if adapter and self.selected_adapter() != adapter:  # trained on another model
            self.adapter_picked.emit(self.selected_adapter())
            self.ctx.status(
                self.tr(
                    "Adapter {0} belongs to another model; this chat now uses the default."
                ).format(adapter),
                6000,
            )

    # -- adapter --------------------------------------------------------------------
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
        self._sync_pairs()

    def select_adapter(self, name: str | None) -> None:
        """Show a chat's choice; one that is gone (or of another model) shows as the default."""
        i = self.adapter_combo.findData(name) if name is not None else 0
        self.adapter_combo.setCurrentIndex(max(i, 0))
        self.name_default_adapter()

    def selected_adapter(self) -> str | None:
        """None: the default adapter; "": none; else the adapter's name."""
        return self.adapter_combo.currentData()

    def name_default_adapter(self) -> None:
        if not self.adapter_combo.count():
            return
        try:
            default = self.ctx.engine.chat.default_adapter(
                self.selected_model(), self.selected_persona()
            )
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

    # -- documents ------------------------------------------------------------------
    def refresh_collections(self) -> None:
        lib = self.ctx.library
        self.collection_combo.setVisible(lib is not None)
        self.collection_label.setVisible(lib is not None)
        self._sync_pairs()
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
        self.collection_combo.setCurrentIndex(max(self.collection_combo.findData(current), 0))

    def selected_collection(self) -> str | None:
        if self.ctx.library is None:
            return None
        return self.collection_combo.currentData() or None

    def select_collection(self, name: str | None) -> bool:
        """Show `name` as the chat's documents (without saving it as the user's choice)."""
        i = self.collection_combo.findData(name or "")
        if i >= 0:
            self.collection_combo.setCurrentIndex(i)
        return i >= 0

    def set_collection(self, name: str | None) -> None:
        """The user's choice of documents (also the default for new chats)."""
        if self.select_collection(name):
            self._collection_picked(self.collection_combo.currentIndex())

    def _collection_picked(self, _index: int) -> None:
        self.ctx.ui.setValue("chat/collection", self.collection_combo.currentData() or "")
        self.collection_picked.emit(self.collection_combo.currentData() or "")

    # -- persona --------------------------------------------------------------------
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

    # -- text -----------------------------------------------------------------------
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
        self.name_default_adapter()
        self.collection_combo.setToolTip(
            self.tr("Answer from the documents of this collection, with citations")
        )
        if self.collection_combo.count():
            self.collection_combo.setItemText(0, self.tr("None"))
        if self.persona_combo.count():
            self.persona_combo.setItemText(0, self.tr("None"))
        for _pair, _label, combo in self._pairs:
            combo.updateGeometry()  # an item's text changed without the index changing


def _collection_name(c: Any) -> str:
    if isinstance(c, str):
        return c
    if isinstance(c, dict):
        return str(c.get("name"))
    return str(getattr(c, "name", c))

"""Settings: data folder, default model, generation defaults, personalization limits,
embedding model, language, look.

Generation defaults and personalization limits live in the store (`generation`,
`personalize`), where `sastre chat` and every send read them too; both are forms built
from their dataclass's fields, with the fields' help texts as tooltips.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDir, QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n, theme
from desktop.context import AppContext
from desktop.i18n import Retranslates
from engine.config import GenerationConfig
from engine.errors import USER_ERRORS
from engine.personalize import PersonalizeConfig

RAG_KEY = "rag"  # engine.rag.RagConfig, as `sastre index` reads it
UI_CAP = 100_000  # the top of a spin box whose field has no max (token budgets)
# The UI's own limits and steps, over the fields' metadata.
PERSONALIZE_UI: dict[str, dict[str, float]] = {
    "example_budget": {"step": 50},
    "memory_budget": {"step": 50},
    "max_disliked": {"max": 20},
    "retrieval_weight": {"step": 0.1},
}

Spin = QSpinBox | QDoubleSpinBox


def global_settings() -> QSettings:
    """Machine-wide preferences (which data folder to open); everything else is per folder."""
    return QSettings("Sastre", "Sastre")


def field_label(name: str) -> str:
    labels = {
        "max_tokens": QCoreApplication.translate("SettingsPanel", "Answer length (tokens)"),
        "temperature": QCoreApplication.translate("SettingsPanel", "Temperature"),
        "top_p": QCoreApplication.translate("SettingsPanel", "Top p"),
        "min_p": QCoreApplication.translate("SettingsPanel", "Min p"),
        "top_k": QCoreApplication.translate("SettingsPanel", "Top k"),
        "repetition_penalty": QCoreApplication.translate("SettingsPanel", "Repetition penalty"),
        "seed": QCoreApplication.translate("SettingsPanel", "Seed"),
        "example_budget": QCoreApplication.translate("SettingsPanel", "Examples (tokens)"),
        "max_liked": QCoreApplication.translate("SettingsPanel", "Liked answers"),
        "max_disliked": QCoreApplication.translate("SettingsPanel", "Disliked answers"),
        "min_similarity": QCoreApplication.translate("SettingsPanel", "Minimum similarity"),
        "memory_budget": QCoreApplication.translate("SettingsPanel", "Memories (tokens)"),
        "retrieval_weight": QCoreApplication.translate("SettingsPanel", "Weight on sources"),
    }
    return labels.get(name, name.replace("_", " ").capitalize())


def spin_box(fld: dataclasses.Field, parent: QWidget, ui: dict[str, float]) -> Spin:
    """A spin box for one int or float field. A field that defaults to None ("auto": the
    engine chooses) gets one step below its minimum, shown as "Auto"."""
    meta = {**fld.metadata, **ui}
    lo, hi, step = meta.get("min"), meta.get("max"), meta.get("step")
    auto = fld.default is None
    if "float" not in str(fld.type):
        w = QSpinBox(parent)
        low = int(lo if lo is not None else 0)
        w.setRange(low - 1 if auto else low, int(hi if hi is not None else UI_CAP))
        w.setSingleStep(int(step or 1))
    else:
        w = QDoubleSpinBox(parent)
        w.setDecimals(2)
        w.setSingleStep(step or 0.05)
        low = float(lo or 0.0)
        w.setRange(low - (step or 0.05) if auto else low, float(hi if hi is not None else 10.0))
    if auto:
        w.setSpecialValueText(QCoreApplication.translate("SettingsPanel", "Auto"))
    w.setMaximumWidth(200)
    return w


class ConfigForm:
    """A group box's form: one spin box per field of a config dataclass, and a reset button.

    `key` is where the store's settings keep the config. Tooltips are the fields' help
    texts, translated with the dataclass's name as context (scripts/translations.py
    extracts them so).
    """

    def __init__(
        self,
        box: QGroupBox,
        cls: type,
        key: str,
        on_change: Callable[[], None],
        ui: dict[str, dict[str, float]] | None = None,
    ):
        self.cls, self.key = cls, key
        self.form = QFormLayout(box)
        self.labels: dict[str, QLabel] = {}
        self.fields: dict[str, Spin] = {}
        for fld in dataclasses.fields(cls):
            w = spin_box(fld, box, (ui or {}).get(fld.name, {}))
            w.valueChanged.connect(lambda _v: on_change())
            self.labels[fld.name] = QLabel(box)
            self.fields[fld.name] = w
            self.form.addRow(self.labels[fld.name], w)
        self.reset = QPushButton(box)
        row = QHBoxLayout()
        row.addWidget(self.reset)
        row.addStretch(1)
        self.form.addRow("", row)

    def set_values(self, cfg: Any) -> None:
        for name, w in self.fields.items():
            value = getattr(cfg, name)
            w.setValue(w.minimum() if value is None else value)

    def config(self) -> Any:
        """The config the boxes show; "Auto" (the minimum) in a box whose field defaults to
        None is None."""
        values = {}
        for fld in dataclasses.fields(self.cls):
            w = self.fields[fld.name]
            v = w.value()
            values[fld.name] = None if (fld.default is None and v <= w.minimum()) else v
        return self.cls.from_dict(values)

    def retranslate(self) -> None:
        for fld in dataclasses.fields(self.cls):
            help_text = QCoreApplication.translate(self.cls.__name__, fld.metadata.get("help", ""))
            self.labels[fld.name].setText(field_label(fld.name))
            self.labels[fld.name].setToolTip(help_text)
            self.fields[fld.name].setToolTip(help_text)
        self.reset.setText(QCoreApplication.translate("SettingsPanel", "Reset to defaults"))


class SettingsPanel(Retranslates, QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._loading = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        page = QHBoxLayout(body)
        column = QWidget(body)
        column.setMaximumWidth(720)
        page.addWidget(column, 1)
        page.addStretch(0)
        lay = QVBoxLayout(column)
        lay.setContentsMargins(20, 16, 20, 16)
        lay.setSpacing(14)
        self.heading = QLabel(column)
        self.heading.setObjectName("title")
        lay.addWidget(self.heading)
        for box in (
            self._data_box(column),
            self._models_box(column),
            self._answers_box(column),
            self._personalization_box(column),
            self._look_box(column),
        ):
            lay.addWidget(box)
        lay.addStretch(1)
        self._connect()
        self.retranslate()
        self.load()

    # -- layout -----------------------------------------------------------------------
    def _data_box(self, column: QWidget) -> QGroupBox:
        self.data_box = QGroupBox(column)
        f = QFormLayout(self.data_box)
        self.data_path = QLabel(str(self.ctx.data_dir), self.data_box)
        self.data_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.data_path.setWordWrap(True)
        row = QHBoxLayout()
        self.open_data = QPushButton(self.data_box)
        self.change_data = QPushButton(self.data_box)
        row.addWidget(self.open_data)
        row.addWidget(self.change_data)
        row.addStretch(1)
        self.data_note = QLabel(self.data_box)
        self.data_note.setObjectName("muted")
        self.data_note.setWordWrap(True)
        self.data_label = QLabel(self.data_box)
        f.addRow(self.data_label, self.data_path)
        f.addRow("", row)
        f.addRow("", self.data_note)
        return self.data_box

    def _models_box(self, column: QWidget) -> QGroupBox:
        self.model_box = QGroupBox(column)
        f = QFormLayout(self.model_box)
        self.default_model = QComboBox(self.model_box)
        self.embedding = QLineEdit(self.model_box)
        self.default_model_label = QLabel(self.model_box)
        self.embedding_label = QLabel(self.model_box)
        f.addRow(self.default_model_label, self.default_model)
        f.addRow(self.embedding_label, self.embedding)
        self.embedding_note = QLabel(self.model_box)
        self.embedding_note.setObjectName("muted")
        self.embedding_note.setWordWrap(True)
        f.addRow("", self.embedding_note)
        return self.model_box

    def _answers_box(self, column: QWidget) -> QGroupBox:
        self.gen_box = QGroupBox(column)
        self.gen = ConfigForm(
            self.gen_box, GenerationConfig, "generation", lambda: self._save(self.gen)
        )
        self.gen_fields = self.gen.fields
        return self.gen_box

    def _personalization_box(self, column: QWidget) -> QGroupBox:
        self.pers_box = QGroupBox(column)
        self.pers = ConfigForm(
            self.pers_box,
            PersonalizeConfig,
            "personalize",  # engine.chat reads it on every send
            lambda: self._save(self.pers),
            PERSONALIZE_UI,
        )
        self.pers_fields = self.pers.fields
        self.pers_note = QLabel(self.pers_box)
        self.pers_note.setObjectName("muted")
        self.pers_note.setWordWrap(True)
        self.pers.form.addRow("", self.pers_note)
        return self.pers_box

    def _look_box(self, column: QWidget) -> QGroupBox:
        self.look_box = QGroupBox(column)
        f = QFormLayout(self.look_box)
        self.language = QComboBox(self.look_box)
        self.appearance = QComboBox(self.look_box)
        self.language_label = QLabel(self.look_box)
        self.appearance_label = QLabel(self.look_box)
        f.addRow(self.language_label, self.language)
        f.addRow(self.appearance_label, self.appearance)
        return self.look_box

    def _connect(self) -> None:
        self.open_data.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ctx.data_dir)))
        )
        self.change_data.clicked.connect(self._choose_data_dir)
        self.default_model.activated.connect(self._default_model_picked)
        self.embedding.editingFinished.connect(self._embedding_changed)
        self.gen.reset.clicked.connect(lambda: self._reset(self.gen))
        self.pers.reset.clicked.connect(lambda: self._reset(self.pers))
        self.language.activated.connect(lambda _i: self.set_language(self.language.currentData()))
        self.appearance.activated.connect(
            lambda _i: self.set_appearance(self.appearance.currentData())
        )
        self.ctx.events.models_changed.connect(self._load_models)

    # -- load / save ------------------------------------------------------------------
    def load(self) -> None:
        self._loading = True
        self.gen.set_values(self.ctx.generation_config())
        self.pers.set_values(
            PersonalizeConfig.from_dict(self.ctx.store.settings.get(self.pers.key))
        )
        rag = self.ctx.store.settings.get(RAG_KEY) or {}
        self.embedding.setText(rag.get("embedding_model") or "")
        self._load_models()
        lang = self.ctx.ui.value("language", i18n.SYSTEM)
        self.language.setCurrentIndex(max(0, self.language.findData(lang)))
        look = self.ctx.ui.value("appearance", "system")
        self.appearance.setCurrentIndex(max(0, self.appearance.findData(look)))
        self._loading = False

    def _load_models(self) -> None:
        self.default_model.clear()
        models = self.ctx.engine.models
        names = [m.name for m in models.list()]
        default = models.default_name()
        if default not in names:
            names.insert(0, default)
        for n in names:
            self.default_model.addItem(n, n)
        self.default_model.setCurrentIndex(max(0, self.default_model.findData(default)))

    def _save(self, form: ConfigForm) -> None:
        if self._loading:
            return
        cfg = form.config()
        try:
            if hasattr(cfg, "validate"):
                cfg.validate()
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))
            return
        self.ctx.store.settings.set(form.key, dataclasses.asdict(cfg))
        self.ctx.events.settings_changed.emit()

    def _reset(self, form: ConfigForm) -> None:
        self.ctx.store.settings.delete(form.key)
        self.load()
        if form is self.gen:
            self.ctx.status(self.tr("Generation settings reset to their defaults."), 3000)
        else:
            self.ctx.status(self.tr("Personalization settings reset to their defaults."), 3000)

    def _default_model_picked(self, _i: int) -> None:
        name = self.default_model.currentData()
        try:
            self.ctx.engine.models.set_default(name)
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))
            self._load_models()
            return
        self.ctx.events.models_changed.emit()

    def _embedding_changed(self) -> None:
        from engine.rag.config import AUTO_EMBEDDING_MODEL

        value = self.embedding.text().strip()
        rag = dict(self.ctx.store.settings.get(RAG_KEY) or {})
        if value:
            rag["embedding_model"] = value
        else:
            rag.pop("embedding_model", None)
        self.ctx.store.settings.set(RAG_KEY, rag)
        lib = self.ctx.library
        if lib is not None and hasattr(lib, "config"):
            lib.config.embedding_model = value or AUTO_EMBEDDING_MODEL
        self.ctx.events.settings_changed.emit()

    def _choose_data_dir(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, self.tr("Choose the data folder"), QDir.homePath()
        )
        if path:
            self.set_data_dir(path)

    def set_data_dir(self, path: str) -> None:
        global_settings().setValue("data_dir", str(Path(path).resolve()))
        self.data_note.setText(
            self.tr("Sastre will open {0} the next time it starts.").format(path)
        )

    def set_language(self, choice: str) -> None:
        if self._loading:
            return
        self.ctx.ui.setValue("language", choice)
        if self.ctx.translations is not None:
            self.ctx.translations.apply(choice)

    def set_appearance(self, choice: str) -> None:
        if self._loading:
            return
        self.ctx.ui.setValue("appearance", choice)
        theme.apply(choice)

    # -- text ---------------------------------------------------------------------
    def retranslate(self) -> None:
        self._loading = True
        self.heading.setText(self.tr("Settings"))
        self.data_box.setTitle(self.tr("Data"))
        self.data_label.setText(self.tr("Data folder"))
        self.open_data.setText(self.tr("Open"))
        self.change_data.setText(self.tr("Change…"))
        if not self.data_note.text() or not global_settings().value("data_dir"):
            self.data_note.setText(
                self.tr(
                    "Chats, documents, feedback and downloaded models are kept here. "
                    "Change… picks another folder for the next start."
                )
            )
        self.model_box.setTitle(self.tr("Models"))
        self.default_model_label.setText(self.tr("Default model"))
        self.embedding_label.setText(self.tr("Embedding model"))
        self.embedding.setPlaceholderText(
            self.tr("Automatic: multilingual-e5-small (Spanish and English)")
        )
        self.embedding_note.setText(
            self.tr(
                "Used for new collections: empty for the automatic choice (multilingual: "
                "a question in Spanish or English finds documents in either language), "
                "'default' (all-MiniLM-L6-v2, English only), or a sentence-transformers "
                "folder or hub id. Existing collections keep the model they were built with."
            )
        )
        self.gen_box.setTitle(self.tr("Answers"))
        self.gen.retranslate()
        self.gen_fields["seed"].setSpecialValueText(self.tr("random"))
        self.pers_box.setTitle(self.tr("Personalization"))
        self.pers.retranslate()
        self.pers_note.setText(
            self.tr(
                "How much of your ratings and memories goes into each prompt. "
                "Changes apply from the next message."
            )
        )
        self.look_box.setTitle(self.tr("Appearance"))
        self.language_label.setText(self.tr("Language"))
        self.appearance_label.setText(self.tr("Light or dark"))
        self.language.clear()
        self.language.addItem(self.tr("Same as the system"), i18n.SYSTEM)
        for code, name in i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(
            max(0, self.language.findData(self.ctx.ui.value("language", i18n.SYSTEM)))
        )
        self.appearance.clear()
        for code, text in (
            ("system", self.tr("Same as the system")),
            ("light", self.tr("Light")),
            ("dark", self.tr("Dark")),
        ):
            self.appearance.addItem(text, code)
        self.appearance.setCurrentIndex(
            max(0, self.appearance.findData(self.ctx.ui.value("appearance", "system")))
        )
        self._loading = False

"""Settings: data folder, default model, generation defaults, embedding model, language, look.

Generation defaults live in the store (`generation`), where `sastre chat` reads
them too; their tooltips are the help texts of GenerationConfig's fields.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt, QUrl
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
from engine.config import GenerationConfig
from engine.errors import USER_ERRORS

RAG_KEY = "rag"  # engine.rag.RagConfig, as `sastre index` reads it


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
    }
    return labels.get(name, name.replace("_", " ").capitalize())


class SettingsPanel(QWidget):
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

        # Data folder
        self.data_box = QGroupBox(column)
        f = QFormLayout(self.data_box)
        self.data_path = QLabel(str(ctx.data_dir), self.data_box)
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
        lay.addWidget(self.data_box)

        # Models
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
        lay.addWidget(self.model_box)

        # Generation
        self.gen_box = QGroupBox(column)
        self.gen_form = QFormLayout(self.gen_box)
        self.gen_labels: dict[str, QLabel] = {}
        self.gen_fields: dict[str, QSpinBox | QDoubleSpinBox] = {}
        for fld in dataclasses.fields(GenerationConfig):
            w = self._field_widget(fld)
            label = QLabel(self.gen_box)
            self.gen_labels[fld.name] = label
            self.gen_fields[fld.name] = w
            self.gen_form.addRow(label, w)
        self.reset_gen = QPushButton(self.gen_box)
        self.gen_form.addRow("", self.reset_gen)
        lay.addWidget(self.gen_box)

        # Appearance and language
        self.look_box = QGroupBox(column)
        f = QFormLayout(self.look_box)
        self.language = QComboBox(self.look_box)
        self.appearance = QComboBox(self.look_box)
        self.language_label = QLabel(self.look_box)
        self.appearance_label = QLabel(self.look_box)
        f.addRow(self.language_label, self.language)
        f.addRow(self.appearance_label, self.appearance)
        lay.addWidget(self.look_box)
        lay.addStretch(1)

        self.open_data.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(ctx.data_dir)))
        )
        self.change_data.clicked.connect(self._choose_data_dir)
        self.default_model.activated.connect(self._default_model_picked)
        self.embedding.editingFinished.connect(self._embedding_changed)
        self.reset_gen.clicked.connect(self._reset_generation)
        self.language.activated.connect(lambda _i: self.set_language(self.language.currentData()))
        self.appearance.activated.connect(
            lambda _i: self.set_appearance(self.appearance.currentData())
        )
        ctx.events.models_changed.connect(self._load_models)
        self.retranslate()
        self.load()

    def _field_widget(self, fld: dataclasses.Field) -> QSpinBox | QDoubleSpinBox:
        lo, hi = fld.metadata.get("min"), fld.metadata.get("max")
        if fld.name == "seed":
            w = QSpinBox(self.gen_box)
            w.setRange(-1, 2**31 - 1)
        elif fld.type in (int, "int"):
            w = QSpinBox(self.gen_box)
            w.setRange(int(lo if lo is not None else 0), int(hi if hi is not None else 10**6))
        else:
            w = QDoubleSpinBox(self.gen_box)
            w.setDecimals(2)
            w.setSingleStep(0.05)
            w.setRange(float(lo or 0.0), float(hi if hi is not None else 10.0))
        w.setMaximumWidth(200)
        w.valueChanged.connect(lambda _v: self._save_generation())
        return w

    # -- load / save ------------------------------------------------------------------
    def load(self) -> None:
        self._loading = True
        cfg = self.ctx.generation_config()
        for name, w in self.gen_fields.items():
            value = getattr(cfg, name)
            w.setValue(-1 if value is None else value)
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

    def _save_generation(self) -> None:
        if self._loading:
            return
        values = {}
        for name, w in self.gen_fields.items():
            v = w.value()
            values[name] = None if (name == "seed" and v < 0) else v
        cfg = GenerationConfig.from_dict(values)
        try:
            cfg.validate()
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))
            return
        self.ctx.store.settings.set("generation", cfg.to_dict())
        self.ctx.events.settings_changed.emit()

    def _reset_generation(self) -> None:
        self.ctx.store.settings.delete("generation")
        self.load()
        self.ctx.status(self.tr("Generation settings reset to their defaults."), 3000)

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
        from engine.rag.config import DEFAULT_EMBEDDING_MODEL

        value = self.embedding.text().strip()
        rag = dict(self.ctx.store.settings.get(RAG_KEY) or {})
        if value:
            rag["embedding_model"] = value
        else:
            rag.pop("embedding_model", None)
        self.ctx.store.settings.set(RAG_KEY, rag)
        lib = self.ctx.library
        if lib is not None and hasattr(lib, "config"):
            lib.config.embedding_model = value or DEFAULT_EMBEDDING_MODEL
        self.ctx.events.settings_changed.emit()

    def _choose_data_dir(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, self.tr("Choose the data folder"), str(self.ctx.data_dir)
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
                    "--data-dir or SASTRE_HOME choose another one for a single run."
                )
            )
        self.model_box.setTitle(self.tr("Models"))
        self.default_model_label.setText(self.tr("Default model"))
        self.embedding_label.setText(self.tr("Embedding model"))
        self.embedding.setPlaceholderText(self.tr("all-MiniLM-L6-v2 (built in)"))
        self.embedding_note.setText(
            self.tr(
                "Used for new collections: a sentence-transformers folder or hub id. "
                "Existing collections keep the model they were built with."
            )
        )
        self.gen_box.setTitle(self.tr("Answers"))
        for name, label in self.gen_labels.items():
            label.setText(field_label(name))
            fld = next(f for f in dataclasses.fields(GenerationConfig) if f.name == name)
            help_text = QCoreApplication.translate("GenerationConfig", fld.metadata.get("help", ""))
            label.setToolTip(help_text)
            self.gen_fields[name].setToolTip(help_text)
        self.gen_fields["seed"].setSpecialValueText(self.tr("random"))
        self.reset_gen.setText(self.tr("Reset to defaults"))
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

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

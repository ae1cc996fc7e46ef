"""Models: what is installed, and import / download / quantize / set default / delete.

Import of a GGUF and quantization use MLX, so they run on the engine thread;
downloads and deletions run on the pool so that a chat is never queued behind
them.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDir, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import theme
from desktop.context import AppContext
from desktop.engine_thread import Job, JobHandle
from desktop.format import human_params, human_size, short_path
from desktop.i18n import Retranslates
from desktop.icons import icon
from desktop.messages import for_people
from desktop.widgets.dialogs import confirm_destructive
from engine.errors import USER_ERRORS
from engine.models import ModelInfo

NAME, PARAMS, QUANT, SIZE, SOURCE, PATH = range(6)


def tqdm_reporting(handle: JobHandle):
    """A tqdm class that reports to a job handle and stops when the job is cancelled."""
    from tqdm.auto import tqdm

    class _Report(tqdm):
        def __init__(self, *args, **kwargs):
            kwargs["file"] = io.StringIO()
            super().__init__(*args, **kwargs)

        def update(self, n=1):
            handle.check()
            out = super().update(n)
            total = self.total or 0
            handle.progress(f"{self.n}/{total}", (self.n / total) if total else 0.0)
            return out

    return _Report


class QuantizeDialog(QDialog):
    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Quantize {0}").format(name))
        form = QFormLayout(self)
        self.bits = QComboBox(self)
        self.bits.addItem(self.tr("4-bit (smallest, fastest)"), 4)
        self.bits.addItem(self.tr("8-bit (closer to the original)"), 8)
        self.group = QComboBox(self)
        for g in (32, 64, 128):
            self.group.addItem(str(g), g)
        self.group.setCurrentIndex(1)
        self.out_name = QLineEdit(self)
        self.out_name.setPlaceholderText(f"{name}-4bit")
        self.bits.currentIndexChanged.connect(
            lambda _i: self.out_name.setPlaceholderText(f"{name}-{self.bits.currentData()}bit")
        )
        form.addRow(self.tr("Bits"), self.bits)
        form.addRow(self.tr("Group size"), self.group)
        form.addRow(self.tr("Name of the copy"), self.out_name)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class ModelsPanel(Retranslates, QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.job: Job | None = None
        self.infos: list[ModelInfo] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 16, 20, 16)
        lay.setSpacing(10)
        self.heading = QLabel(self)
        self.heading.setObjectName("title")
        lay.addWidget(self.heading)
        self.intro = QLabel(self)
        self.intro.setObjectName("muted")
        self.intro.setWordWrap(True)
        lay.addWidget(self.intro)
        lay.addLayout(self._import_row())
        lay.addWidget(self._model_tree(), 1)
        lay.addLayout(self._model_actions())
        lay.addWidget(self._progress_row())
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        lay.addWidget(self.message)
        self._connect()
        self.retranslate()
        self.refresh()

    # -- layout -----------------------------------------------------------------------
    def _import_row(self) -> QHBoxLayout:
        actions = QHBoxLayout()
        self.import_folder_button = QPushButton(icon("folder"), "", self)
        self.import_gguf_button = QPushButton(icon("file"), "", self)
        self.repo = QLineEdit(self)
        self.repo.setMinimumWidth(200)
        self.download_button = QPushButton(icon("download"), "", self)
        for w in (self.import_folder_button, self.import_gguf_button):
            actions.addWidget(w)
        actions.addSpacing(16)
        actions.addWidget(self.repo, 1)
        actions.addWidget(self.download_button)
        return actions

    def _model_tree(self) -> QTreeWidget:
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(6)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setStretchLastSection(True)
        for col in (NAME, PARAMS, QUANT, SIZE, SOURCE):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        return self.tree

    def _model_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.default_button = QPushButton(icon("star"), "", self)
        self.quantize_button = QPushButton(self)
        self.delete_button = QPushButton(icon("trash"), "", self)
        self.delete_button.setProperty("danger", True)
        row.addWidget(self.default_button)
        row.addWidget(self.quantize_button)
        row.addStretch(1)
        row.addWidget(self.delete_button)
        return row

    def _progress_row(self) -> QFrame:
        self.progress_frame = QFrame(self)
        pf = QHBoxLayout(self.progress_frame)
        pf.setContentsMargins(0, 0, 0, 0)
        self.progress_label = QLabel(self.progress_frame)
        self.progress_label.setWordWrap(True)
        self.progress = QProgressBar(self.progress_frame)
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton(self.progress_frame)
        pf.addWidget(self.progress_label, 1)
        pf.addWidget(self.progress, 2)
        pf.addWidget(self.cancel_button)
        self.progress_frame.hide()
        return self.progress_frame

    def _connect(self) -> None:
        self.import_folder_button.clicked.connect(self.import_folder)
        self.import_gguf_button.clicked.connect(self.import_gguf)
        self.download_button.clicked.connect(self.download)
        self.repo.returnPressed.connect(self.download)
        self.default_button.clicked.connect(self.set_default)
        self.quantize_button.clicked.connect(self.quantize)
        self.delete_button.clicked.connect(self.delete)
        self.cancel_button.clicked.connect(self.cancel)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(lambda *_: self.set_default())
        self.ctx.events.models_changed.connect(self.refresh)

    # -- list -------------------------------------------------------------------------
    def refresh(self) -> None:
        selected = self.selected()
        self.infos = self.ctx.engine.models.list()
        self.tree.clear()
        c = theme.colors()
        for info in self.infos:
            item = QTreeWidgetItem(
                [
                    info.name,
                    human_params(info.parameters),
                    _quantization_label(info.quantization),
                    human_size(info.size_bytes),
                    _source_label(info.source),
                    short_path(info.path)
                    if info.present
                    else self.tr("{0} (missing)").format(short_path(info.path)),
                ]
            )
            item.setData(NAME, Qt.ItemDataRole.UserRole, info.name)
            item.setToolTip(PATH, info.path)
            if info.is_default:
                item.setIcon(NAME, icon("star", c.accent))
                f = QFont(item.font(NAME))
                f.setBold(True)
                item.setFont(NAME, f)
                item.setToolTip(NAME, self.tr("The default model"))
            if not info.present:
                item.setForeground(PATH, QColor(c.error))
            self.tree.addTopLevelItem(item)
            if info.name == selected:
                self.tree.setCurrentItem(item)
        self._update_buttons()

    def selected(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(NAME, Qt.ItemDataRole.UserRole) if item else None

    def select(self, name: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(NAME, Qt.ItemDataRole.UserRole) == name:
                self.tree.setCurrentItem(item)

    def _update_buttons(self) -> None:
        busy = self.job is not None
        has = self.selected() is not None
        for b in (self.default_button, self.quantize_button, self.delete_button):
            b.setEnabled(has and not busy)
        for b in (self.import_folder_button, self.import_gguf_button, self.download_button):
            b.setEnabled(not busy)

    # -- actions ------------------------------------------------------------------------
    def import_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, self.tr("Choose a model folder"), QDir.homePath()
        )
        if path:
            self.run_import(path)

    def import_gguf(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a GGUF file"), QDir.homePath(), self.tr("GGUF models (*.gguf)")
        )
        if path:
            self.run_import(path)

    def run_import(self, path: str) -> Job:
        models = self.ctx.engine.models
        name = Path(path).name
        return self._run(
            self.tr("Importing {0}…").format(name),
            lambda h: models.import_path(path, progress=h.progress),
            lambda rec: self.tr("Imported “{0}” ({1}).").format(rec.name, rec.quantization or ""),
            engine=True,
        )

    def download(self) -> Job | None:
        repo = self.repo.text().strip()
        if not repo:
            self.repo.setFocus()
            return None
        models = self.ctx.engine.models
        return self._run(
            self.tr("Downloading {0}…").format(repo),
            lambda h: models.pull(repo, tqdm_class=tqdm_reporting(h)),
            lambda rec: self.tr("Downloaded “{0}” to {1}.").format(rec.name, rec.path),
            engine=False,
        )

    def quantize(self) -> Job | None:
        name = self.selected()
        if not name:
            return None
        dialog = QuantizeDialog(name, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        bits, group = dialog.bits.currentData(), dialog.group.currentData()
        out = dialog.out_name.text().strip() or None
        models = self.ctx.engine.models
        return self._run(
            self.tr("Quantizing {0} to {1}-bit…").format(name, bits),
            lambda h: models.quantize(name, bits, group, out),
            lambda rec: self.tr("Created “{0}” ({1}, {2}).").format(
                rec.name, rec.quantization, human_size(rec.size_bytes)
            ),
            engine=True,
        )

    def set_default(self) -> None:
        name = self.selected()
        if not name:
            return
        try:
            self.ctx.engine.models.set_default(name)
        except USER_ERRORS as exc:
            self.show_message(str(exc), error=True)
            return
        self.ctx.events.models_changed.emit()
        self.show_message(self.tr("“{0}” is now the default model.").format(name))

    def delete(self) -> Job | None:
        name = self.selected()
        info = next((i for i in self.infos if i.name == name), None)
        if info is None:
            return None
        if info.managed:
            text = self.tr("“{0}” and its files ({1}) will be deleted.").format(
                name, human_size(info.size_bytes)
            )
        else:
            text = self.tr("“{0}” will be removed from Sastre; its folder {1} is left as it is.")
            text = text.format(name, info.path)
        if not self.confirm(self.tr("Delete model?"), text):
            return None
        models = self.ctx.engine.models
        return self._run(
            self.tr("Deleting {0}…").format(name),
            lambda h: models.remove(name),
            lambda rec: self.tr("Deleted “{0}”.").format(rec.name),
            engine=False,
        )

    def confirm(self, title: str, text: str) -> bool:
        return confirm_destructive(self, title, text, self.tr("Delete"))

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.progress_label.setText(self.tr("Cancelling…"))

    # -- job plumbing -----------------------------------------------------------------------
    def _run(self, label: str, fn, done_text, engine: bool) -> Job:
        self.message.hide()
        self.progress_label.setText(label)
        self.progress.setRange(0, 0)  # busy until the first progress report
        self.progress_frame.show()
        job = self.ctx.service.submit(label, fn, engine=engine)
        self.job = job

        def progress(msg: str, fraction: float) -> None:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(fraction * 1000))
            self.progress_label.setText(f"{label} {msg}")

        def finished(rec: Any) -> None:
            self.show_message(done_text(rec))
            self.ctx.events.models_changed.emit()

        job.progress.connect(progress)
        job.finished.connect(finished)
        job.failed.connect(lambda msg: self.show_message(msg, error=True))
        job.cancelled.connect(lambda: self.show_message(self.tr("Cancelled.")))
        job.done.connect(self._job_done)
        self._update_buttons()
        return job

    def _job_done(self) -> None:
        self.job = None
        self.progress_frame.hide()
        self._update_buttons()

    def show_message(self, text: str, error: bool = False) -> None:
        text = for_people(text) if error else text
        self.message.setObjectName("error" if error else "muted")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.show()
        if error:
            self.ctx.error(text)
        else:
            self.ctx.status(text, 5000)

    # -- text -----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.heading.setText(self.tr("Models"))
        self.intro.setText(
            self.tr(
                "Models run on this computer. Import a Hugging Face-layout folder or a GGUF "
                "file, or download one from the Hugging Face hub when you are online. "
                "Double-click a model to make it the default."
            )
        )
        self.import_folder_button.setText(self.tr("Import folder…"))
        self.import_gguf_button.setText(self.tr("Import GGUF…"))
        self.repo.setPlaceholderText(
            self.tr("Hub repo id, e.g. mlx-community/SmolLM2-360M-Instruct")
        )
        self.download_button.setText(self.tr("Download"))
        self.tree.setHeaderLabels(
            [
                self.tr("Name"),
                self.tr("Parameters"),
                self.tr("Quantization"),
                self.tr("Size"),
                self.tr("Source"),
                self.tr("Location"),
            ]
        )
        self.default_button.setText(self.tr("Set as default"))
        self.quantize_button.setText(self.tr("Quantize…"))
        self.delete_button.setText(self.tr("Delete…"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.refresh()


def _quantization_label(quant: str | None) -> str:
    """'4-bit (group 64)' as the engine writes it, in the user's language."""
    from PySide6.QtCore import QCoreApplication

    m = re.fullmatch(r"(\d+)-bit \(group (\d+)\)", quant or "")
    if m is None:
        return quant or "–"
    text = QCoreApplication.translate("ModelsPanel", "{0}-bit (group {1})")
    return text.format(m.group(1), m.group(2))


def _source_label(source: str | None) -> str:
    from PySide6.QtCore import QCoreApplication

    if not source:
        return "–"
    if source == "embedded":
        return QCoreApplication.translate("ModelsPanel", "built in")
    if source.startswith("hub:"):
        return source[4:]
    if source.startswith("quantize:"):
        return QCoreApplication.translate("ModelsPanel", "quantized from {0}").format(
            source.split(":", 1)[1]
        )
    if source.startswith("import"):
        return QCoreApplication.translate("ModelsPanel", "imported")
    return source

"""Training: build a dataset, train a LoRA adapter with live curves, review and use adapters.

Dataset building and training run as engine-thread jobs (MLX); the panel only
shows what they report. Pause and Stop reach the training loop every step.
The report shows a few prompts answered before and after training (the user
picks them); the blind A/B dialog compares two adapters on one prompt.

Over 500 lines: the tab's three columns (dataset, run, adapters) share one job and its
buttons' states; the preference section lives in preferences.py.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QDir, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop import theme
from desktop.context import AppContext
from desktop.i18n import Retranslates
from desktop.icons import icon
from desktop.panels.ab_compare import ABDialog
from desktop.panels.preferences import PreferencesSection
from desktop.widgets.dialogs import confirm_destructive
from desktop.widgets.flow import FlowLayout
from desktop.widgets.loss_plot import LossPlot
from engine.errors import USER_ERRORS
from engine.train.config import PRESETS, TrainConfig

if TYPE_CHECKING:  # engine.train.run imports MLX, which loads on the engine thread
    from engine.train.run import TrainReport


class TrainingPanel(Retranslates, QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.job = None
        self.ab_dialog: ABDialog | None = None
        self._auto_prompts: list[str] = []  # what the picker was last filled with
        outer = QSplitter(Qt.Orientation.Vertical, self)  # fine-tuning above, preferences below
        QVBoxLayout(self).addWidget(outer)
        split = QSplitter(Qt.Orientation.Horizontal, outer)
        split.addWidget(self._dataset_box())
        split.addWidget(self._train_box())
        split.addWidget(self._adapters_box())
        split.setSizes([300, 420, 300])
        self.preferences = PreferencesSection(ctx)
        outer.addWidget(split)
        # On a small screen the section scrolls rather than squeezing its texts.
        scroll = QScrollArea(outer)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.preferences)
        outer.addWidget(scroll)
        outer.setSizes([560, 360])
        ctx.events.models_changed.connect(self.refresh)
        self._set_buttons(running=False)
        self.retranslate()  # also fills the lists

    # -- layout -------------------------------------------------------------------
    def _dataset_box(self) -> QWidget:
        box = self.dataset_group = QGroupBox()
        lay = QVBoxLayout(box)
        self.dataset_combo = QComboBox(box)
        self.dataset_combo.currentIndexChanged.connect(self._show_dataset)
        lay.addWidget(self.dataset_combo)
        row = _button_row(box, lay)
        self.import_button = QPushButton(box)
        self.chats_button = QPushButton(box)
        self.docs_button = QPushButton(box)
        for b in (self.import_button, self.chats_button, self.docs_button):
            row.addWidget(b)
        self.import_button.clicked.connect(self.import_file)
        self.chats_button.clicked.connect(lambda: self._build("chats"))
        self.docs_button.clicked.connect(lambda: self._build("docs"))
        self.dataset_info = QLabel(box)
        self.dataset_info.setWordWrap(True)
        lay.addWidget(self.dataset_info)
        self.preview = QPlainTextEdit(box)
        self.preview.setReadOnly(True)
        lay.addWidget(self.preview, 1)
        return box

    def _train_box(self) -> QWidget:
        box = self.train_group = QGroupBox()
        lay = QVBoxLayout(box)
        form = QFormLayout()
        self.model_combo = QComboBox(box)
        self.adapter_name = QLineEdit(box)
        self.preset_combo = QComboBox(box)
        for name in PRESETS:
            self.preset_combo.addItem(name, name)  # named in retranslate
        self.preset_combo.setCurrentIndex(list(PRESETS).index("balanced"))
        self.mask_prompt = QCheckBox(box)
        self.mask_prompt.setChecked(True)
        self.continue_combo = QComboBox(box)
        self.form_labels = [QLabel(box) for _ in range(4)]
        for label, field in zip(
            self.form_labels,
            (self.model_combo, self.adapter_name, self.preset_combo, self.continue_combo),
            strict=True,
        ):
            form.addRow(label, field)
        form.addRow(self.mask_prompt)
        lay.addLayout(form)
        lay.addWidget(self._prompts_picker(box))
        row = _button_row(box, lay)
        self.start_button = QPushButton(box)
        self.resume_button = QPushButton(box)
        self.pause_button = QPushButton(box)
        self.pause_button.setCheckable(True)
        self.stop_button = QPushButton(box)
        for b in (self.start_button, self.resume_button, self.pause_button, self.stop_button):
            row.addWidget(b)
        self.start_button.clicked.connect(lambda: self.start(resume=False))
        self.resume_button.clicked.connect(lambda: self.start(resume=True))
        self.pause_button.toggled.connect(self._pause)
        self.stop_button.clicked.connect(self.stop)
        self.progress = QProgressBar(box)
        lay.addWidget(self.progress)
        self.stats = QLabel(box)
        self.stats.setObjectName("muted")
        lay.addWidget(self.stats)
        self.plot = LossPlot(box)
        lay.addWidget(self.plot, 1)
        return box

    def _prompts_picker(self, box: QWidget) -> QWidget:
        """The prompts answered before and after training (shown side by side in the report)."""
        w = QWidget(box)
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        lay.addLayout(head)
        label = self.prompts_label = QLabel(w)
        label.setWordWrap(True)
        head.addWidget(label, 1)
        self.prompt_list = QListWidget(w)
        self.prompt_list.setFixedHeight(4 * self.prompt_list.fontMetrics().lineSpacing() + 16)
        self.prompt_list.itemDoubleClicked.connect(lambda _item: self.edit_prompt())
        self.prompt_buttons = []
        for name, slot in (
            ("plus", self.add_prompt),
            ("edit", self.edit_prompt),
            ("trash", self.remove_prompt),
            ("refresh", self.reset_prompts),
        ):
            b = QToolButton(w)
            b.setIcon(icon(name))
            b.clicked.connect(lambda _=False, slot=slot: slot())
            head.addWidget(b)
            self.prompt_buttons.append(b)
        lay.addWidget(self.prompt_list)
        return w

    def _adapters_box(self) -> QWidget:
        box = self.adapters_group = QGroupBox()
        lay = QVBoxLayout(box)
        self.adapter_list = QListWidget(box)
        self.adapter_list.currentItemChanged.connect(self._show_adapter)
        self.adapter_name.textChanged.connect(self._update_actions)
        lay.addWidget(self.adapter_list, 1)
        row = _button_row(box, lay)
        self.use_button = QPushButton(box)
        self.off_button = QPushButton(box)
        self.delete_button = QPushButton(box)
        for b in (self.use_button, self.off_button, self.delete_button):
            row.addWidget(b)
        self.use_button.clicked.connect(self.use_selected)
        self.off_button.clicked.connect(lambda: self._use(None))
        self.delete_button.clicked.connect(self.delete_selected)
        self.report = QTextBrowser(box)
        self.report.setOpenLinks(False)  # model answers are shown as text, never followed
        lay.addWidget(self.report, 2)
        self.ab_button = QPushButton(box)
        self.ab_button.clicked.connect(self.open_ab)
        lay.addWidget(self.ab_button)
        return box

    def retranslate(self) -> None:
        self.dataset_group.setTitle(self.tr("1. Dataset"))
        self.import_button.setText(self.tr("Import JSONL…"))
        self.chats_button.setText(self.tr("From chats"))
        self.docs_button.setText(self.tr("From collection…"))
        self.train_group.setTitle(self.tr("2. Train"))
        self.adapter_name.setPlaceholderText(self.tr("my-adapter"))
        presets = {
            "quick": self.tr("Quick"),
            "balanced": self.tr("Balanced"),
            "thorough": self.tr("Thorough"),
        }
        for i in range(self.preset_combo.count()):
            name = self.preset_combo.itemData(i)
            self.preset_combo.setItemText(i, presets.get(name, name.capitalize()))
        self.mask_prompt.setText(self.tr("Learn only the answers (mask prompts)"))
        self.mask_prompt.setToolTip(
            self.tr("For chat and prompt/completion data: learn the answers, not the prompts.")
        )
        self.preset_combo.setToolTip(
            self.tr(
                "Sets the adapter's rank, how many layers get one, and how many passes "
                "over the data; Balanced suits most datasets."
            )
        )
        for label, text in zip(
            self.form_labels,
            (
                self.tr("Base model"),
                self.tr("Adapter name"),
                self.tr("Preset"),
                self.tr("Continue from"),
            ),
            strict=True,
        ):
            label.setText(text)
        self.prompts_label.setText(self.tr("Prompts to compare before/after"))
        self.prompts_label.setToolTip(
            self.tr(
                "After training, the model answers these before and after; the report "
                "shows both side by side."
            )
        )
        self.prompt_list.setToolTip(
            self.tr("Filled from the dataset's validation questions; double-click to edit.")
        )
        tips = (
            self.tr("Add a prompt"),
            self.tr("Edit the selected prompt"),
            self.tr("Remove the selected prompt"),
            self.tr("Refill from the dataset"),
        )
        for b, tip in zip(self.prompt_buttons, tips, strict=True):
            b.setToolTip(tip)
        self.start_button.setText(self.tr("Start training"))
        self.resume_button.setText(self.tr("Resume"))
        self.pause_button.setText(
            self.tr("Continue") if self.pause_button.isChecked() else self.tr("Pause")
        )
        self.stop_button.setText(self.tr("Stop"))
        self.adapters_group.setTitle(self.tr("3. Adapters"))
        self.use_button.setText(self.tr("Use in chat"))
        self.off_button.setText(self.tr("No adapter"))
        self.delete_button.setText(self.tr("Delete"))
        self.ab_button.setText(self.tr("Blind A/B comparison…"))
        self.ab_button.setToolTip(
            self.tr("Compare the answers of two adapters without knowing which is which")
        )
        if self.continue_combo.count():
            self.continue_combo.setItemText(0, self.tr("(a new adapter)"))
        if self.job is None:  # dynamic texts: lists, the dataset line and the report
            self.refresh()  # (a running job's live curves stay)
            self._show_adapter()

    # -- data ---------------------------------------------------------------------
    def refresh(self) -> None:
        store = self.ctx.store
        keep = self.dataset_combo.currentData()
        self.dataset_combo.blockSignals(True)
        self.dataset_combo.clear()
        for d in store.datasets.list():
            self.dataset_combo.addItem(f"{d.name} ({d.stats.get('examples', 0)})", d.name)
        if keep is not None and (i := self.dataset_combo.findData(keep)) >= 0:
            self.dataset_combo.setCurrentIndex(i)
        self.dataset_combo.blockSignals(False)
        self.model_combo.clear()
        for m in self.ctx.engine.models.list():
            self.model_combo.addItem(m.name, m.name)
        default = self.ctx.engine.models.default_name()
        if (i := self.model_combo.findData(default)) >= 0:
            self.model_combo.setCurrentIndex(i)
        self.continue_combo.clear()
        self.continue_combo.addItem(self.tr("(a new adapter)"), None)
        current = store.settings.get("adapter")
        shown = self.adapter_list.currentItem()
        shown = shown.data(Qt.ItemDataRole.UserRole) if shown else None
        self.adapter_list.clear()
        for a in store.adapters.list():
            mark = " ✓" if a.name == current else ""
            item = QListWidgetItem(f"{a.name}  ·  {a.base_model}  ·  {status_text(a.status)}{mark}")
            item.setData(Qt.ItemDataRole.UserRole, a.name)
            self.adapter_list.addItem(item)
            if a.status == "ready":
                self.continue_combo.addItem(a.name, a.name)
            if a.name == shown:
                self.adapter_list.setCurrentItem(item)
        self._show_dataset()
        if self.ab_dialog is not None:
            self.ab_dialog.view.refresh()

    def _show_dataset(self, *_args) -> None:
        name = self.dataset_combo.currentData()
        rec = self.ctx.store.datasets.get(name) if name else None
        self._fill_prompts(name)
        if rec is None:
            self.dataset_info.setText(self.tr("No dataset yet: import a file or build one."))
            self.preview.clear()
            return
        s = rec.stats
        tokens = s.get("tokens")
        text = self.tr("{0} examples ({1} train / {2} validation), {3} tokens, format {4}.").format(
            s["examples"], s["train"], s["valid"], tokens if tokens is not None else "?", rec.format
        )
        warnings = "".join(f"\n⚠ {w}" for w in s.get("warnings", []))
        self.dataset_info.setText(text + warnings)
        examples = self.ctx.store.datasets.examples(name)[:5]
        self.preview.setPlainText(
            "\n\n".join(json.dumps(e, ensure_ascii=False, indent=1) for e in examples)
        )

    # -- before/after prompts -------------------------------------------------------
    def _fill_prompts(self, dataset: str | None) -> None:
        """Prefill with the prompts a run would use by default, unless the user changed them."""
        if self.prompts() and self.prompts() != self._auto_prompts:
            return
        self.reset_prompts(dataset)

    def reset_prompts(self, dataset: str | None = None) -> None:
        dataset = dataset or self.dataset_combo.currentData()
        prompts: list[str] = []
        if dataset and self.ctx.store.datasets.get(dataset) is not None:
            try:  # the engine's own rule: the first validation questions of the dataset
                prompts = self.ctx.engine.training.default_prompts([(dataset, 1.0)])
            except USER_ERRORS as exc:
                self.ctx.error(str(exc))
        self.set_prompts(prompts)
        self._auto_prompts = self.prompts()

    def prompts(self) -> list[str]:
        items = (self.prompt_list.item(i) for i in range(self.prompt_list.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items]

    def set_prompts(self, prompts: list[str]) -> None:
        self.prompt_list.clear()
        for p in prompts:
            self._add_prompt_item(p)

    def _add_prompt_item(self, text: str) -> QListWidgetItem:
        item = QListWidgetItem(" ".join(text.split()), self.prompt_list)
        item.setData(Qt.ItemDataRole.UserRole, text)
        item.setToolTip(text)
        return item

    def _ask_prompt(self, title: str, text: str = "") -> str | None:
        value, ok = QInputDialog.getMultiLineText(self, title, self.tr("Prompt"), text)
        return value.strip() if ok and value.strip() else None

    def add_prompt(self) -> None:
        text = self._ask_prompt(self.tr("Add a prompt"))
        if text:
            self.prompt_list.setCurrentItem(self._add_prompt_item(text))

    def edit_prompt(self) -> None:
        item = self.prompt_list.currentItem()
        if item is None:
            return
        text = self._ask_prompt(self.tr("Edit the prompt"), item.data(Qt.ItemDataRole.UserRole))
        if text:
            item.setText(" ".join(text.split()))
            item.setData(Qt.ItemDataRole.UserRole, text)
            item.setToolTip(text)

    def remove_prompt(self) -> None:
        row = self.prompt_list.currentRow()
        if row >= 0:
            self.prompt_list.takeItem(row)

    # -- adapters -------------------------------------------------------------------
    def _show_adapter(self, *_args) -> None:
        item = self.adapter_list.currentItem()
        rec = self.ctx.store.adapters.get(item.data(Qt.ItemDataRole.UserRole)) if item else None
        self.report.setHtml(report_html(rec.to_dict()) if rec else "")
        self._update_actions()
        if rec and rec.metrics.get("curves"):
            c = rec.metrics["curves"]
            self.plot.set_curves(c["train"], c["val"], rec.metrics.get("steps") or 1)

    # -- actions ------------------------------------------------------------------
    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import a dataset"),
            QDir.homePath(),
            self.tr("JSON Lines (*.jsonl *.json)"),
        )
        if path:
            self._build("import", path)

    def _build(self, kind: str, arg: str | None = None) -> None:
        if kind == "docs":
            names = [c.name for c in self.ctx.store.documents.collections()]
            if not names:
                self.ctx.error(self.tr("No collections yet: index documents in the Library."))
                return
            arg, ok = QInputDialog.getItem(
                self, self.tr("Collection"), self.tr("Collection"), names, 0, False
            )
            if not ok:
                return
        name, ok = QInputDialog.getText(self, self.tr("Dataset name"), self.tr("Name"))
        if not ok or not name.strip():
            return
        tr = self.ctx.engine.training
        model = self.model_combo.currentData()
        fns = {
            "import": lambda h: tr.import_dataset(arg, name, model=model),
            "chats": lambda h: tr.dataset_from_chats(name, model=model),
            "docs": lambda h: tr.dataset_from_docs(arg, name, model=model),
        }
        job = self.ctx.service.submit("dataset", fns[kind])
        job.finished.connect(lambda rec: (self.refresh(), self._select_dataset(rec.name)))
        job.failed.connect(self.ctx.error)

    def _select_dataset(self, name: str) -> None:
        if (i := self.dataset_combo.findData(name)) >= 0:
            self.dataset_combo.setCurrentIndex(i)

    def config(self) -> TrainConfig:
        return TrainConfig(
            preset=self.preset_combo.currentData(),
            mask_prompt=self.mask_prompt.isChecked(),
            eval_prompts=self.prompts() or None,  # None: the engine picks from the dataset
        )

    def start(self, resume: bool = False) -> None:
        dataset = self.dataset_combo.currentData()
        adapter = self.adapter_name.text().strip()
        if not adapter or (not dataset and not resume):
            self.ctx.error(self.tr("Choose a dataset and give the adapter a name."))
            return
        tr = self.ctx.engine.training
        model, cfg, parent = self.model_combo.currentData(), self.config(), None
        parent = self.continue_combo.currentData()
        self.plot.clear(1)

        def run(handle) -> TrainReport:
            return tr.train(
                [(dataset, 1.0)] if dataset else [],
                adapter,
                model=model,
                config=cfg,
                resume=resume,
                parent=parent,
                callback=_JobCallback(handle),
                cancel=handle.cancel,
                pause=handle.pause,
            )

        self.job = self.ctx.service.submit("train", run)
        self.job.update.connect(self._on_update)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.job.done.connect(lambda: self._set_running(False))
        self._set_running(True)

    def _pause(self, paused: bool) -> None:
        if self.job is not None:
            self.job.set_paused(paused)
            self.pause_button.setText(self.tr("Continue") if paused else self.tr("Pause"))

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _set_buttons(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        self._update_actions()

    def _update_actions(self, *_args) -> None:
        """Resume needs a stopped run of that name; Use and Delete need a selected adapter."""
        store = self.ctx.store
        name = self.adapter_name.text().strip()
        run = store.adapters.get(name) if name else None
        self.resume_button.setEnabled(
            self.job is None and run is not None and run.status != "ready"
        )
        item = self.adapter_list.currentItem()
        rec = store.adapters.get(item.data(Qt.ItemDataRole.UserRole)) if item else None
        self.use_button.setEnabled(rec is not None and rec.status == "ready")
        self.delete_button.setEnabled(rec is not None and self.job is None)

    def _set_running(self, running: bool) -> None:
        self._set_buttons(running)
        if not running:
            self.pause_button.setChecked(False)
            self.job = None
            self.refresh()

    def _on_update(self, ev: dict) -> None:
        if ev["kind"] == "step":
            r = ev["report"]
            self.progress.setRange(0, r["total"])
            self.progress.setValue(r["step"])
            self.plot.total = r["total"]
            self.plot.add_train(r["step"], r["train_loss"])
            self.stats.setText(
                self.tr(
                    "step {0}/{1} · loss {2:.3f} · {3:.0f} tok/s · {4:.0f} MB · ETA {5:.0f}s"
                ).format(
                    r["step"],
                    r["total"],
                    r["train_loss"],
                    r["tokens_per_second"],
                    r["peak_memory_mb"],
                    r["eta_s"],
                )
            )
        elif ev["kind"] == "val":
            self.plot.add_val(ev["step"], ev["loss"])
        elif ev["kind"] == "status":
            self.stats.setText(run_status_text(ev["message"]))

    def _on_finished(self, rep: TrainReport) -> None:
        if rep.status == "cancelled":
            text = self.tr("Training stopped at step {0}; Resume continues it.").format(rep.steps)
            self.stats.setText(text)  # not the last step's "Evaluating…"
            self.ctx.status(text)
            return
        self.report.setHtml(report_html({"metrics": rep.to_dict()}))
        self.stats.setText(self.tr("Finished: the adapter is ready."))
        self.ctx.status(self.tr("Adapter ready."))
        self.ctx.events.models_changed.emit()  # the chat's adapter picker lists it

    def _on_failed(self, message: str) -> None:
        from desktop.messages import for_people

        self.stats.setText(for_people(message))
        self.ctx.error(message)

    def use_selected(self) -> None:
        item = self.adapter_list.currentItem()
        if item:
            self._use(item.data(Qt.ItemDataRole.UserRole))

    def _use(self, name: str | None) -> None:
        try:
            self.ctx.engine.training.use(name)
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))
        self.refresh()
        self.ctx.events.models_changed.emit()

    def delete_selected(self) -> None:
        item = self.adapter_list.currentItem()
        if item is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        if not self.confirm(
            self.tr("Delete adapter {0}?").format(name),
            self.tr("Its weights, checkpoints and report are deleted from disk."),
        ):
            return
        try:
            self.ctx.engine.training.remove_adapter(name)
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))
            return
        self.refresh()
        self.ctx.events.models_changed.emit()

    def confirm(self, title: str, text: str) -> bool:
        return confirm_destructive(self, title, text, self.tr("Delete"))

    def open_ab(self) -> None:
        """The blind A/B dialog, starting from the selected adapter."""
        if self.ab_dialog is None:
            self.ab_dialog = ABDialog(self.ctx, self)
        item = self.adapter_list.currentItem()
        self.ab_dialog.view.refresh(item.data(Qt.ItemDataRole.UserRole) if item else None)
        self.ab_dialog.show()
        self.ab_dialog.raise_()
        self.ab_dialog.activateWindow()


class _JobCallback:
    """Forwards training reports to the GUI as plain dicts (via the job's update signal)."""

    def __init__(self, handle):
        from engine.train.callbacks import TrainingCallback

        h = handle

        class CB(TrainingCallback):
            def on_step(self, r):
                h.update({"kind": "step", "report": r.to_dict()}, force=r.step == r.total)

            def on_val_loss_report(self, info):
                h.update(
                    {"kind": "val", "step": info["iteration"], "loss": info["val_loss"]}, force=True
                )

            def on_status(self, message, fraction=None):
                h.update({"kind": "status", "message": message}, force=True)

        self.cb = CB()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cb, name)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def status_text(status: str) -> str:
    """An adapter's status as shown (stored in English: ready, training, cancelled, failed)."""
    names = {
        "ready": QCoreApplication.translate("TrainingPanel", "ready"),
        "training": QCoreApplication.translate("TrainingPanel", "training"),
        "cancelled": QCoreApplication.translate("TrainingPanel", "stopped"),
        "failed": QCoreApplication.translate("TrainingPanel", "failed"),
    }
    return names.get(status, status)


def run_status_text(message: str) -> str:
    """A training run's status line (written in English by the engine) as shown."""
    names = {
        "Loading the model": QCoreApplication.translate("TrainingPanel", "Loading the model…"),
        "Measuring the model before training": QCoreApplication.translate(
            "TrainingPanel", "Measuring the model before training…"
        ),
        "Saving the adapter": QCoreApplication.translate("TrainingPanel", "Saving the adapter…"),
        "Evaluating": QCoreApplication.translate("TrainingPanel", "Evaluating…"),
    }
    if message.startswith("Saving checkpoint at step "):
        step = message.rsplit(" ", 1)[-1]
        return QCoreApplication.translate(
            "TrainingPanel", "Saving a checkpoint at step {0}…"
        ).format(step)
    return names.get(message, message)


def report_html(rec: dict) -> str:
    """An adapter's record (or a fresh run's report) as HTML; every value is escaped."""
    e = html.escape
    colors = theme.colors()
    muted = colors.muted
    m = rec.get("metrics") or {}
    out = []
    if rec.get("name"):
        ds = ", ".join(f"{d['name']}×{d['weight']}" for d in rec.get("datasets", []))
        p = rec.get("params", {})
        head = QCoreApplication.translate("TrainingPanel", "{0} on {1} ({2})").format(
            rec["method"], rec["base_model"], status_text(rec["status"])
        )
        detail = QCoreApplication.translate(
            "TrainingPanel", "data: {0} · rank {1}, layers {2}, lr {3}, {4} steps · {5}"
        ).format(
            ds,
            p.get("rank"),
            p.get("layers"),
            p.get("learning_rate"),
            p.get("iters"),
            (rec.get("created_at") or "")[:16].replace("T", " "),
        )
        out += [
            f"<p><b>{e(rec['name'])}</b> — {e(head)}<br>"
            f"<span style='color:{muted}'>{e(detail)}</span></p>"
        ]
    if "val_loss_before" in m:
        loss = QCoreApplication.translate("TrainingPanel", "validation loss: {0} → {1}")
        ppl = QCoreApplication.translate("TrainingPanel", "general perplexity: {0} → {1}")
        forgetting = (
            QCoreApplication.translate("TrainingPanel", "⚠ forgetting")
            if m.get("forgetting")
            else QCoreApplication.translate("TrainingPanel", "(no forgetting)")
        )
        explain = QCoreApplication.translate(
            "TrainingPanel",
            "General perplexity shows how well the model still reads everyday text: lower is "
            "better, and a clear rise means training made it forget some general knowledge.",
        )
        out.append(
            f"<p>{e(loss.format(_num(m['val_loss_before']), _num(m['val_loss_after'])))}<br>"
            f"{e(ppl.format(_num(m['general_ppl_before']), _num(m['general_ppl_after'])))} "
            f"{e(forgetting)}<br><span style='color:{muted}'>{e(explain)}</span></p>"
        )
        out.append(samples_html(m.get("samples") or [], colors))
    elif m.get("error"):
        out.append(f"<p>{e(m['error'])}</p>")
    return "".join(out)


def samples_html(samples: list[dict], colors: theme.Colors) -> str:
    """Each prompt (shaded like a question in chat), then its answers before | after."""
    if not samples:
        return ""
    e = html.escape
    before = QCoreApplication.translate("TrainingPanel", "Before")
    after = QCoreApplication.translate("TrainingPanel", "After")
    empty = QCoreApplication.translate("TrainingPanel", "(empty)")

    def cell(text: str) -> str:
        if not text.strip():
            return f"<span style='color:{colors.muted}'>{e(empty)}</span>"
        return e(text).replace("\n", "<br>")

    rows = [
        f"<tr><th width='50%' align='left' style='color:{colors.muted}'>{e(before)}</th>"
        f"<th width='50%' align='left' style='color:{colors.muted}'>{e(after)}</th></tr>"
    ]
    for s in samples:
        rows.append(
            f"<tr><td colspan='2' bgcolor='{colors.user_bubble}'>{cell(s.get('prompt', ''))}"
            "</td></tr>"
        )
        rows.append(
            f"<tr><td valign='top'>{cell(s.get('before', ''))}</td>"
            f"<td valign='top'>{cell(s.get('after', ''))}</td></tr>"
        )
    return "<table width='100%' cellspacing='0' cellpadding='5'>" + "".join(rows) + "</table>"


def _button_row(box: QWidget, lay: QVBoxLayout) -> FlowLayout:
    """A row of buttons that wraps in a narrow column or a longer language."""
    holder = QWidget(box)
    lay.addWidget(holder)
    return FlowLayout(holder)

"""The Training tab's preference section: the pairs and single answers built from the
user's feedback, and one button, "Learn from my feedback".

The lists are rebuilt from feedback and answer versions (engine.preferences) each
time the section is shown or refreshed. The run is an engine-thread job calling
TrainingService.train_preferences; afterwards the blind A/B dialog
(desktop.panels.promote) compares the new adapter with the current one and, if the
user confirms, makes it the default.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.context import AppContext
from desktop.i18n import Retranslates
from desktop.panels.pair_editor import PairEditor, source_text
from desktop.panels.preference_learn import LearnActions
from desktop.panels.promote import PromoteDialog, comparison_text, enable_primary
from desktop.widgets.dialogs import confirm_destructive
from engine import preferences as prefs
from engine.errors import USER_ERRORS


def _line(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _question(prompt: list[dict]) -> str:
    users = [m["content"] for m in prompt if m["role"] == "user"]
    return users[-1] if users else ""


class PreferencesSection(LearnActions, Retranslates, QGroupBox):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.job = None
        self.readiness: prefs.Readiness | None = None
        self.last_adapter: str | None = None  # the adapter the last run made
        self.promote_dialog = None
        self.step: dict = {}  # the last step report of a run, and its last held-out check
        self.heldout: dict = {}
        lay = QHBoxLayout(self)
        lay.addWidget(self._data_box(), 3)
        lay.addWidget(self._learn_box(), 2)
        ctx.events.models_changed.connect(self._refresh_idle)
        self.retranslate()

    def showEvent(self, event) -> None:  # noqa: N802 - ratings change in the chat meanwhile
        self._refresh_idle()
        super().showEvent(event)

    def _refresh_idle(self) -> None:
        if self.job is None:
            self.refresh()

    # -- layout -------------------------------------------------------------------
    def _data_box(self) -> QWidget:
        w = QWidget(self)
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        self.counts = QLabel(w)
        self.counts.setWordWrap(True)
        lay.addWidget(self.counts)
        self.tabs = QTabWidget(w)
        self.pair_list, self.example_list = QListWidget(w), QListWidget(w)
        for lst in (self.pair_list, self.example_list):
            lst.itemDoubleClicked.connect(lambda _item: self.open_selected())
            lst.currentItemChanged.connect(lambda *_: self._set_buttons())
            self.tabs.addTab(lst, "")
        self.tabs.currentChanged.connect(lambda _i: self._set_buttons())
        lay.addWidget(self.tabs, 1)
        row = QHBoxLayout()
        self.open_button, self.drop_button = QPushButton(w), QPushButton(w)
        self.import_button = QPushButton(w)
        for b in (self.open_button, self.drop_button, self.import_button):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.open_button.clicked.connect(self.open_selected)
        self.drop_button.clicked.connect(self.drop_selected)
        self.import_button.clicked.connect(self.import_file)
        return w

    def _learn_box(self) -> QWidget:
        w = QWidget(self)
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        self.needed = QLabel(w)
        self.needed.setWordWrap(True)
        lay.addWidget(self.needed)
        self.learn_button = QPushButton(w)
        self.learn_button.clicked.connect(self.learn)
        lay.addWidget(self.learn_button)
        self.reward_button = QPushButton(w)
        self.reward_button.clicked.connect(self.learn_reward)
        lay.addWidget(self.reward_button)
        self.plan = QLabel(w)
        self.plan.setObjectName("muted")
        self.plan.setWordWrap(True)
        lay.addWidget(self.plan)
        row = QHBoxLayout()
        self.progress = QProgressBar(w)
        self.pause_button, self.stop_button = QPushButton(w), QPushButton(w)
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self._pause)
        self.stop_button.clicked.connect(self.stop)
        self.resume_button = QPushButton(w)
        self.resume_button.clicked.connect(self.resume)
        row.addWidget(self.progress, 1)
        for b in (self.pause_button, self.stop_button, self.resume_button):
            row.addWidget(b)
        lay.addLayout(row)
        self.stats = QLabel(w)
        self.stats.setObjectName("muted")
        self.stats.setWordWrap(True)
        lay.addWidget(self.stats)
        self.result = QLabel(w)
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.result)
        self.compare_button = QPushButton(w)
        self.compare_button.clicked.connect(self.compare)
        lay.addWidget(self.compare_button)
        lay.addStretch(1)
        return w

    def retranslate(self) -> None:
        self.setTitle(self.tr("4. Learn from your preferences"))
        self.open_button.setText(self.tr("Open…"))
        self.drop_button.setText(self.tr("Drop"))
        self.import_button.setText(self.tr("Import pairs…"))
        self.import_button.setToolTip(
            self.tr("HH-RLHF, OpenAssistant, SHP or {prompt, chosen, rejected} JSONL files")
        )
        self.learn_button.setText(self.tr("Learn from my feedback"))
        self.reward_button.setText(self.tr("Train a reward model (optional)"))
        self.reward_button.setToolTip(
            self.tr(
                "Learns to score answers from the same pairs, for “Best of N” in the chat: "
                "it keeps the best of N sampled answers, at about N times the time of one."
            )
        )
        self.stop_button.setText(self.tr("Stop"))
        self.pause_button.setText(
            self.tr("Continue") if self.pause_button.isChecked() else self.tr("Pause")
        )
        self.resume_button.setText(self.tr("Resume"))
        self.resume_button.setToolTip(self.tr("Continue the stopped run from its checkpoint"))
        self.compare_button.setText(self.tr("Compare with the current one…"))
        self.compare_button.setToolTip(
            self.tr("A blind A/B on your own questions; then you decide whether to use it")
        )
        if self.job is None:
            self.refresh()

    # -- data ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Rebuild the pairs from feedback and versions, then show them."""
        store = self.ctx.store
        try:
            prefs.rebuild(store)
            pairs, examples = store.preferences.pairs.list(), store.preferences.examples.list()
            self.readiness = prefs.readiness(store)
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))
            return
        self._fill(self.pair_list, pairs, self._pair_text)
        self._fill(self.example_list, examples, self._example_text)
        self.tabs.setTabText(0, self.tr("Pairs ({0})").format(len(pairs)))
        self.tabs.setTabText(1, self.tr("Single answers ({0})").format(len(examples)))
        self.counts.setText(
            self.tr(
                "Pairs: {0} · single answers: {1}. They come from your feedback, the "
                "versions you preferred, A/B votes and imports."
            ).format(len(pairs), len(examples))
        )
        self._show_readiness()
        self._show_comparisons()
        self._set_buttons()

    def _fill(self, lst: QListWidget, rows: list, text) -> None:
        keep = lst.currentItem().data(Qt.ItemDataRole.UserRole) if lst.currentItem() else None
        lst.clear()
        for r in rows:
            item = QListWidgetItem(text(r), lst)
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            item.setToolTip(_question(r.prompt))
            if r.id == keep:
                lst.setCurrentItem(item)

    def _pair_text(self, p) -> str:
        mark = " ✎" if p.edited else ""
        return self.tr("{0} — ✓ {1} · ✗ {2} ({3}){4}").format(
            _line(_question(p.prompt), 40),
            _line(p.chosen, 40),
            _line(p.rejected, 30),
            source_text(p.source),
            mark,
        )

    def _example_text(self, e) -> str:
        mark = "👍" if e.desirable else "👎"
        return f"{mark} {_line(_question(e.prompt), 40)} — {_line(e.answer, 60)}"

    def _show_readiness(self) -> None:
        r = self.readiness
        if r is None:
            return
        if r.method == "dpo":
            self.needed.setText(
                self.tr(
                    "Enough pairs to learn from ({0}; {1} are kept aside to check the result)."
                ).format(r.pairs, prefs.HELD_OUT_PAIRS)
            )
        elif r.method == "kto":
            self.needed.setText(
                self.tr(
                    "Enough thumbs up and down to learn from; {0} more pairs would allow "
                    "the stronger pairwise method."
                ).format(r.pairs_needed)
            )
        else:
            self.needed.setText(
                self.tr(
                    "{0} more pairs needed before learning makes sense ({1} in all, {2} "
                    "kept aside to check the result), or {3} more thumbs up or down. "
                    "Dislike an answer, regenerate it and prefer the better version, or "
                    "write a correction."
                ).format(r.pairs_needed, prefs.MIN_PAIRS, prefs.HELD_OUT_PAIRS, r.labelled_needed)
            )
        self.plan.setText(self._plan_text(r) if r.ready else "")

    def _plan_text(self, r: prefs.Readiness) -> str:
        base = self._base_adapter()
        start = (
            self.tr("continuing the adapter {0}").format(base)
            if base
            else self.tr("on the model itself")
        )
        seconds = prefs.estimate_seconds(self.ctx.store, r.method or "dpo")
        if seconds is None:
            how_long = self.tr("a few minutes on a small model, longer on a large one")
        else:
            how_long = self.tr("about {0} minutes").format(max(1, round(seconds / 60)))
        n = r.pairs if r.method == "dpo" else r.desirable + r.undesirable
        return self.tr(
            "Trains a new adapter {0} on {1} of your preferences; it should take {2}. Your "
            "chats keep their current adapter until you compare the two and choose."
        ).format(start, n, how_long)

    def _show_comparisons(self) -> None:
        """The latest stored comparison of a preference adapter (visible later too)."""
        for rec in reversed(self.ctx.store.adapters.list()):
            comps = rec.metrics.get("comparisons") or []
            if comps:
                c = comps[-1]
                self.result.setText(comparison_text(rec.name, c))
                return

    def _base_adapter(self) -> str | None:
        """The default adapter, if it belongs to the default model: the run continues it."""
        name = self.ctx.store.settings.get("adapter")
        rec = self.ctx.store.adapters.get(name) if name else None
        model = self.ctx.engine.models.default_name()
        return (
            name if rec is not None and rec.status == "ready" and rec.base_model == model else None
        )

    def _set_buttons(self) -> None:
        running = self.job is not None
        lst = self._list()
        self.open_button.setEnabled(lst.currentItem() is not None)
        self.drop_button.setEnabled(lst.currentItem() is not None and not running)
        ready = self.readiness is not None and self.readiness.ready
        enable_primary(self.learn_button, ready and not running)
        pairs = self.readiness is not None and self.readiness.pairs_needed == 0
        self.reward_button.setEnabled(pairs and not running)
        self.stop_button.setEnabled(running)
        self.progress.setVisible(running)
        for b in (self.pause_button, self.stop_button):
            b.setVisible(running)
        self.resume_button.setVisible(not running and self._resumable() is not None)
        self.compare_button.setEnabled(self._comparable() is not None and not running)

    def _list(self) -> QListWidget:
        return self.pair_list if self.tabs.currentIndex() == 0 else self.example_list

    def _selected(self) -> Any | None:
        item = self._list().currentItem()
        if item is None:
            return None
        repo = self._repo()
        return repo.get(item.data(Qt.ItemDataRole.UserRole))

    def _repo(self):
        p = self.ctx.store.preferences
        return p.pairs if self.tabs.currentIndex() == 0 else p.examples

    # -- curating -------------------------------------------------------------------
    def open_selected(self) -> None:
        item = self._selected()
        if item is None:
            return
        dialog = PairEditor(item, self)
        if not self.exec_dialog(dialog):
            return
        try:
            if dialog.dropped:
                self._repo().delete(item.id)
            elif changes := dialog.changes():
                self._repo().update(item.id, **changes)
        except USER_ERRORS as exc:
            self.ctx.error(str(exc))
        self.refresh()

    def exec_dialog(self, dialog) -> bool:  # tests replace this
        return bool(dialog.exec())

    def drop_selected(self) -> None:
        item = self._selected()
        if item is None:
            return
        if not confirm_destructive(
            self,
            self.tr("Drop it?"),
            self.tr(
                "It is left out of training, and rebuilding from your feedback does not "
                "bring it back."
            ),
            self.tr("Drop"),
        ):
            return
        self._repo().delete(item.id)
        self.refresh()

    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import preference pairs"), "", self.tr("JSON Lines (*.jsonl *.json)")
        )
        if path:
            self.import_path(path)

    def import_path(self, path: str) -> None:
        from engine.preference_files import import_pairs

        store = self.ctx.store
        job = self.ctx.service.submit(
            "import pairs", lambda h: import_pairs(store, path), engine=False
        )
        job.finished.connect(self._on_imported)
        job.failed.connect(self.ctx.error)

    def _on_imported(self, rep) -> None:
        self.refresh()
        text = self.tr(
            "Imported {0} pairs and {1} single answers from {2}; {3} were already "
            "there, {4} lines could not be read."
        ).format(rep.pairs_added, rep.examples_added, rep.file, rep.duplicates, rep.error_count)
        if rep.errors:
            text += "\n" + "\n".join(rep.errors[:5])
        self.result.setText(text)
        self.ctx.status(text.split("\n")[0])

    def _comparable(self) -> str | None:
        """The newest ready preference adapter of the default model not yet compared."""
        model = self.ctx.engine.models.default_name()
        for rec in reversed(self.ctx.store.adapters.list()):
            if (
                rec.status == "ready"
                and rec.method in ("dpo", "ipo", "kto")
                and rec.base_model == model
            ):
                return rec.name
        return None

    def compare(self) -> None:
        """The blind A/B of the newest preference adapter against the current default."""
        new = self._comparable()
        if new is None:
            return
        current = self.ctx.store.settings.get("adapter")
        current = current if current != new else None
        self.promote_dialog = PromoteDialog(self.ctx, new, current, self)
        self.promote_dialog.finished.connect(lambda _r: self.refresh())
        self.promote_dialog.show()
        self.promote_dialog.start()

"""Mixed into the preference section: start, pause, stop and resume a preference run.

The run is an engine-thread job calling TrainingService.train_preferences with the
stored pairs (or single thumbs, for KTO), brought up to date with the feedback first.
"""

from __future__ import annotations

import time
from typing import Any

from desktop.panels.promote import run_text
from engine import preferences as prefs

PREFERENCE_METHODS = ("dpo", "ipo", "kto")


class LearnActions:
    """Needs the section's `ctx`, `readiness`, `job` and its progress widgets."""

    def learn(self) -> None:
        """Start a preference run on the engine thread (the button's action)."""
        r = self.readiness
        if r is None or not r.ready or self.job is not None:
            return
        store, tr = self.ctx.store, self.ctx.engine.training
        model = self.ctx.engine.models.default_name()
        base = self._base_adapter()
        name = "prefs-" + time.strftime("%Y%m%d-%H%M%S")
        method = r.method

        def run(h) -> Any:
            examples = prefs.training_examples(store, method)
            return tr.train_preferences(
                examples,
                adapter=name,
                method=method,
                config=preference_config(store),
                base_adapter=base,
                model=model,
                callbacks=_progress(h),
                cancel=h.cancel,
                pause=h.pause,
            )

        self._start(name, run)

    def learn_reward(self) -> None:
        """Train the optional reward model on the stored pairs (for best of N in chat)."""
        r = self.readiness
        if r is None or r.pairs_needed or self.job is not None:
            return
        store, tr = self.ctx.store, self.ctx.engine.training
        model = self.ctx.engine.models.default_name()
        name = "reward-" + time.strftime("%Y%m%d-%H%M%S")

        def run(h) -> Any:
            examples = prefs.training_examples(store, "dpo")
            return tr.train_reward(
                examples,
                name=name,
                model=model,
                callbacks=_progress(h),
                cancel=h.cancel,
                pause=h.pause,
            )

        self._start(name, run)

    def resume(self) -> None:
        """Continue a stopped preference run from its checkpoint."""
        name = self._resumable()
        if name is None or self.job is not None:
            return
        tr = self.ctx.engine.training

        def run(h) -> Any:
            return tr.train_preferences(
                [],
                adapter=name,
                resume=True,
                callbacks=_progress(h),
                cancel=h.cancel,
                pause=h.pause,
            )

        self._start(name, run)

    def _start(self, name: str, run) -> None:
        self.last_adapter = name
        self.step, self.heldout = {}, {}
        self.progress.setRange(0, 0)
        self.stats.setText(self.tr("Starting…"))
        self.result.clear()
        self.job = self.ctx.service.submit("learn preferences", run)
        self.job.update.connect(self._on_update)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.job.done.connect(self._on_done)
        self._set_buttons()

    def _resumable(self) -> str | None:
        """The newest preference run of the default model that was stopped, if any."""
        model = self.ctx.engine.models.default_name()
        for rec in reversed(self.ctx.store.adapters.list()):
            if rec.method in PREFERENCE_METHODS and rec.base_model == model:
                return rec.name if rec.status == "cancelled" else None
        return None

    def _pause(self, paused: bool) -> None:
        if self.job is not None:
            self.job.set_paused(paused)
        self.pause_button.setText(self.tr("Continue") if paused else self.tr("Pause"))

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _on_update(self, ev: dict) -> None:
        if ev["kind"] == "status":
            self.stats.setText(ev["message"])
            return
        r = ev["report"]
        if ev["kind"] == "heldout":  # accuracy and margin on the pairs kept aside
            self.heldout = r
        else:
            self.progress.setRange(0, max(1, r["total"]))
            self.progress.setValue(r["step"])
            self.step = r
        parts = []
        if self.step:
            parts.append(self.tr("step {0}/{1}").format(self.step["step"], self.step["total"]))
            parts.append(self.tr("loss {0:.3f}").format(self.step["train_loss"]))
        if isinstance(self.heldout.get("pref_acc"), int | float):
            parts.append(self.tr("held-out accuracy {0:.2f}").format(self.heldout["pref_acc"]))
        if isinstance(self.heldout.get("reward_margin"), int | float):
            parts.append(self.tr("reward margin {0:.3f}").format(self.heldout["reward_margin"]))
        self.stats.setText(" · ".join(parts))

    def _on_finished(self, rep) -> None:
        d = rep.to_dict() if hasattr(rep, "to_dict") else dict(rep)
        if d.get("status") == "cancelled":
            self.result.setText(
                self.tr("Stopped; nothing changed in your chats. Resume continues the run.")
            )
            return
        self.result.setText(self._reward_text(d) if d.get("kind") == "reward" else run_text(d))
        self.ctx.events.models_changed.emit()  # the adapter lists show it

    def _reward_text(self, d: dict) -> str:
        """A reward model's result: held-out pair accuracy before and after."""
        return self.tr(
            "Reward model {0}: held-out pair accuracy {1:.2f} → {2:.2f} on {3} pairs kept "
            "aside (0.5 is chance), mean margin {4:+.2f}. Turn on “Best of N” under the chat's "
            "message box to use it."
        ).format(
            d["reward_model"],
            d["acc_before"],
            d["acc_after"],
            d["pairs_heldout"],
            d["margin_after"],
        )

    def _on_failed(self, message: str) -> None:
        self.stats.setText(message)
        self.ctx.error(message)

    def _on_done(self) -> None:
        self.job = None
        self.pause_button.setChecked(False)
        self.progress.setRange(0, 1)
        self.refresh()


def preference_config(store) -> Any | None:
    """The saved preference-training settings (settings key 'preference_training': beta,
    learning rate, ...), or None for the trainer's defaults."""
    saved = store.settings.get("preference_training")
    if not saved:
        return None
    try:
        from engine.train.preference import PreferenceConfig
    except ImportError:  # a trainer without preference settings: its defaults apply
        return None
    return PreferenceConfig.from_dict(saved)


def _progress(handle):
    """Training callbacks forwarded to the GUI as plain dicts (the job's update signal)."""
    from engine.train.callbacks import TrainingCallback

    class Progress(TrainingCallback):
        def on_step(self, report) -> None:
            d = report.to_dict()
            handle.update({"kind": "step", "report": d}, force=d["step"] == d["total"])

        def on_val_loss_report(self, info: dict) -> None:
            handle.update({"kind": "heldout", "report": dict(info)}, force=True)

        def on_status(self, message: str, fraction: float | None = None) -> None:
            handle.update({"kind": "status", "message": message}, force=True)

    return Progress()

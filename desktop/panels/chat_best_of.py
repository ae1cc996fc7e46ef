"""The "Best of N" toggle under the message box (optional; needs a reward model).

N answers are sampled and the one the reward model scores highest is kept
(engine/best_of.py). The toggle is off and disabled, with the reason in its tooltip,
while the chat's model has no reward model; its tooltip gives the time cost, from the
last answer's speed where there is one. The choice is kept between sessions.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QWidget

from desktop.context import AppContext
from desktop.widgets.composer import PickerCombo
from engine import best_of as best


class BestOfToggle(QWidget):
    KEY = "chat/best_of"  # N; 1 is off

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        h = QHBoxLayout(self)
        h.setContentsMargins(0, 0, 0, 0)
        h.setSpacing(6)
        self.check = QCheckBox(self)
        self.n_combo = PickerCombo(80, self)
        for n in best.CHOICES[1:]:
            self.n_combo.addItem(str(n), n)
        saved = int(self.ctx.ui.value(self.KEY, 1) or 1)
        self.n_combo.setCurrentIndex(max(0, self.n_combo.findData(saved if saved > 1 else 4)))
        self.check.setChecked(saved > 1)
        self.check.toggled.connect(lambda _on: self._changed())
        self.n_combo.activated.connect(lambda _i: self._changed())
        h.addWidget(self.check)
        h.addWidget(self.n_combo)
        self.model: str | None = None
        self.reward_model: str | None = None
        self.last: tuple[int | None, float | None] = (None, None)  # tokens, tokens/s
        self.retranslate()

    def n(self) -> int:
        """The N the next answer uses: 1 when off or when there is no reward model."""
        if not self.check.isChecked() or self.reward_model is None:
            return 1
        return int(self.n_combo.currentData())

    def refresh(self, model: str | None, last_tokens=None, last_tps=None) -> None:
        """The chat's model (its reward models) and the last answer's length and speed."""
        self.model = model
        self.last = (last_tokens, last_tps)
        found = best.reward_models(self.ctx.store, model) if model else []
        self.reward_model = found[-1].name if found else None
        self.retranslate()

    def _changed(self) -> None:
        on = self.check.isChecked()
        self.ctx.ui.setValue(self.KEY, int(self.n_combo.currentData()) if on else 1)
        self.retranslate()

    def retranslate(self) -> None:
        n = int(self.n_combo.currentData() or 4)
        self.check.setText(self.tr("Best of"))
        available = self.reward_model is not None
        self.check.setEnabled(available)
        self.n_combo.setEnabled(available and self.check.isChecked())
        if not available:
            tip = self.tr(
                "Optional: needs a reward model for this model. Train one in the Training "
                "panel (Train a reward model), or with `sastre train reward`."
            )
        else:
            tip = self.tr(
                "Samples {0} answers and keeps the one the reward model {1} scores highest: "
                "about {0}× the time of one answer."
            ).format(n, self.reward_model)
            seconds = best.estimate_seconds(n, *self.last)
            if seconds is not None:
                tip += " " + self.tr("At the last answer's speed, about {0:.0f} s.").format(seconds)
        self.check.setToolTip(tip)
        self.n_combo.setToolTip(tip)

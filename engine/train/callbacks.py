"""How training reports: a callback object (mlx-lm's TrainingCallback interface, extended).

The GUI's engine thread and the CLI's progress bar subclass this; DPO reuses it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from mlx_lm.tuner.callbacks import TrainingCallback as _MlxCallback


@dataclass
class StepReport:
    step: int
    total: int
    train_loss: float
    tokens_per_second: float
    trained_tokens: int
    peak_memory_mb: float
    eta_s: float
    learning_rate: float

    def to_dict(self) -> dict:
        return asdict(self)


class TrainingCallback(_MlxCallback):
    """Every method is optional. Raising from any of them stops training cleanly."""

    def on_status(self, message: str, fraction: float | None = None) -> None:
        """Loading, evaluating, saving: what is happening now."""

    def on_step(self, report: StepReport) -> None:
        """After every optimizer step."""
        self.on_train_loss_report(
            {
                "iteration": report.step,
                "train_loss": report.train_loss,
                "learning_rate": report.learning_rate,
                "tokens_per_second": report.tokens_per_second,
                "trained_tokens": report.trained_tokens,
                "peak_memory": report.peak_memory_mb / 1000,
            }
        )

    def on_checkpoint(self, step: int, path: str) -> None:
        pass


class Recorder(TrainingCallback):
    """Keeps the curves (tests, the stored run record) and forwards to another callback."""

    def __init__(self, inner: TrainingCallback | None = None):
        self.inner = inner
        self.train: list[tuple[int, float]] = []
        self.val: list[tuple[int, float]] = []
        self.last: StepReport | None = None

    def on_status(self, message: str, fraction: float | None = None) -> None:
        if self.inner:
            self.inner.on_status(message, fraction)

    def on_step(self, report: StepReport) -> None:
        self.train.append((report.step, report.train_loss))
        self.last = report
        if self.inner:
            self.inner.on_step(report)

    def on_val_loss_report(self, val_info: dict) -> None:
        self.val.append((val_info["iteration"], val_info["val_loss"]))
        if self.inner:
            self.inner.on_val_loss_report(val_info)

    def on_checkpoint(self, step: int, path: str) -> None:
        if self.inner:
            self.inner.on_checkpoint(step, path)

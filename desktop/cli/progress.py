"""Training progress in the terminal: a one-line bar, and pause/continue while a run goes.

Shared by `sastre train lora`, `sastre train dpo` and `sastre train reward`.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

from desktop.cli.common import cancel_on_interrupt


class Bar:
    """Training progress on stderr: step, losses, tokens/s, memory, ETA."""

    def __init__(self):
        from engine.train.callbacks import TrainingCallback

        outer = self

        class CB(TrainingCallback):
            def on_status(self, message, fraction=None):
                outer.line(message)

            def on_step(self, r):
                bar = "#" * int(25 * r.step / r.total)
                val = f" val {outer.val:.3f}" if outer.val is not None else ""
                if outer.held:  # preference runs: held-out accuracy and reward margin
                    val += f" acc {outer.held[0]:.2f} margin {outer.held[1]:+.2f}"
                outer.line(
                    f"[{bar:<25}] {r.step}/{r.total} loss {r.train_loss:.3f}{val} "
                    f"{r.tokens_per_second:.0f} tok/s {r.peak_memory_mb:.0f} MB "
                    f"ETA {r.eta_s:.0f}s",
                    final=r.step == r.total,
                )

            def on_val_loss_report(self, info):
                outer.val = info["val_loss"]
                if "pref_acc" in info:
                    outer.held = (info["pref_acc"], info["reward_margin"])

        self.val, self.held = None, None
        self.callback = CB()
        self.tty = sys.stderr.isatty()

    def line(self, text: str, final: bool = False) -> None:
        if self.tty:
            print(f"\r{text[:110]:<110}", end="\n" if final else "", file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr)


class PauseControl:
    """Pause and continue a run from the terminal: Enter toggles (when stdin is a terminal),
    and so does SIGUSR1 (`kill -USR1 PID`, for scripts). Paused, the run holds its place
    between two steps; Ctrl-C still stops it, keeping a checkpoint for --resume."""

    def __init__(self, pause: threading.Event, bar: Bar):
        import os

        self.pause, self.bar = pause, bar
        self.old = None
        self.hint = "press Enter" if sys.stdin.isatty() else f"kill -USR1 {os.getpid()}"

    def toggle(self, *_args) -> None:
        if self.pause.is_set():
            self.pause.clear()
            self.bar.line("Continuing.", final=True)
        else:
            self.pause.set()
            self.bar.line(
                f"Paused after this step: {self.hint} to continue; Ctrl-C stops "
                "(resume later with --resume).",
                final=True,
            )

    def __enter__(self):
        import signal

        if hasattr(signal, "SIGUSR1") and threading.current_thread() is threading.main_thread():
            self.old = signal.signal(signal.SIGUSR1, self.toggle)
        if sys.stdin.isatty():
            self.bar.line("Press Enter to pause.", final=True)
            threading.Thread(target=self._keys, daemon=True, name="pause-keys").start()
        return self

    def _keys(self) -> None:
        while sys.stdin.readline():  # one Enter, one toggle; EOF ends
            self.toggle()

    def __exit__(self, *exc) -> None:
        import signal

        if self.old is not None:
            signal.signal(signal.SIGUSR1, self.old)


def run_in_terminal(
    train: Callable[[Callable, threading.Event, threading.Event], Any], resume_with: str
) -> Any:
    """`train(callback, cancel, pause)` with the progress bar, Ctrl-C / SIGTERM and
    pause/continue; its report. A stopped run says how to resume (`resume_with`)."""
    bar = Bar()
    cancel, pause = threading.Event(), threading.Event()
    with cancel_on_interrupt(cancel), PauseControl(pause, bar):
        rep = train(bar.callback, cancel, pause)
    if rep.status == "cancelled":
        print(
            f"Stopped at step {rep.steps}/{rep.total}; resume with `{resume_with}`.",
            file=sys.stderr,
        )
    return rep

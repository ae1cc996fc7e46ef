"""The training loop every method shares: LoRA/QLoRA, DPO/IPO/KTO, the reward model.

A method supplies only `loss(model, *batch) -> (value, tokens)` and an iterator
of batches (tuples of arrays). The loop is mlx-lm's compiled step
(value_and_grad + optimizer update under `mx.compile`, the same state list)
with a cancel/pause check and a NaN check every step, checkpoints every
`save_every` steps, a `validate(step)` hook every `steps_per_eval` steps that
may ask for an early stop, and exact resume: the batch iterator is seeded, so
the loop skips the `start_step` batches already trained.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from engine.errors import SastreError
from engine.platform import preload_blas
from engine.train.callbacks import StepReport, TrainingCallback

preload_blas()

import mlx.core as mx  # noqa: E402  (BLAS is preloaded before mlx)
import mlx.nn as nn  # noqa: E402


class TrainingError(SastreError):
    pass


@dataclass
class LoopResult:
    steps: int  # steps finished in total (including resumed ones)
    cancelled: bool
    trained_tokens: int
    seconds: float
    tokens_per_second: float
    peak_memory_mb: float
    stopped_early: bool = False  # validate() asked to stop before `iters`


Loss = Callable[..., tuple[mx.array, mx.array]]


def run_loop(
    model: nn.Module,
    optimizer: Any,
    loss: Loss,
    batches: Iterator[tuple],
    callback: TrainingCallback,
    *,
    iters: int,
    start_step: int = 0,
    trained_tokens: int = 0,
    cancel: threading.Event | None = None,
    pause: threading.Event | None = None,
    checkpoint: Callable[[int, int], None] | None = None,
    save_every: int | None = None,
    validate: Callable[[int], bool] | None = None,
    steps_per_eval: int | None = None,
) -> LoopResult:
    """Train from `start_step` to `iters`; cancel and pause are checked every step."""
    loss_value_and_grad = nn.value_and_grad(model, loss)
    state = [model.state, optimizer.state, mx.random.state]

    @partial(mx.compile, inputs=state, outputs=state)
    def step(*batch):
        (lvalue, toks), grad = loss_value_and_grad(model, *batch)
        optimizer.update(model, grad)
        return lvalue, toks

    model.train()
    for _ in range(start_step):  # same seeded order: skip what was already trained
        next(batches)
    mx.reset_peak_memory()
    clock = _Clock(trained_tokens)
    done = start_step
    for it in range(start_step + 1, iters + 1):
        while pause is not None and pause.is_set() and not (cancel and cancel.is_set()):
            time.sleep(0.05)
        if cancel is not None and cancel.is_set():
            return clock.result(done, cancelled=True)
        batch = next(batches)
        tic = time.perf_counter()
        lvalue, toks = step(*batch)
        mx.eval(state, lvalue, toks)
        value, ntoks = lvalue.item(), int(toks.item())
        if not math.isfinite(value):
            raise TrainingError(
                f"The training loss became {value} at step {it}: training diverged and was "
                "stopped. The last checkpoint was kept; try a lower --lr (learning rate) or "
                "check the data for very long or odd examples."
            )
        done = it
        clock.add(ntoks, time.perf_counter() - tic)
        callback.on_step(clock.report(it, iters, start_step, value, optimizer))
        if validate is not None and steps_per_eval and (it % steps_per_eval == 0 or it == iters):
            stop = validate(it)
            model.train()
            if stop and it != iters:
                return clock.result(done, stopped_early=True)
        if checkpoint is not None and save_every and (it % save_every == 0 and it != iters):
            checkpoint(it, clock.trained_tokens)
    return clock.result(done)


class _Clock:
    """Token and time counts: the whole run, this session, and a few-second window."""

    def __init__(self, trained_tokens: int):
        self.trained_tokens, self.session_tokens, self.seconds = trained_tokens, 0, 0.0
        self.window_tokens, self.window_time = 0, 0.0

    def add(self, ntoks: int, dt: float) -> None:
        if self.window_time > 5:  # tokens/s over the last few seconds
            self.window_tokens, self.window_time = 0, 0.0
        self.seconds += dt
        self.trained_tokens += ntoks
        self.session_tokens += ntoks
        self.window_tokens += ntoks
        self.window_time += dt

    def report(self, it: int, iters: int, start: int, value: float, optimizer) -> StepReport:
        tps = self.window_tokens / self.window_time if self.window_time else 0.0
        return StepReport(
            step=it,
            total=iters,
            train_loss=value,
            tokens_per_second=tps,
            trained_tokens=self.trained_tokens,
            peak_memory_mb=mx.get_peak_memory() / 1e6,
            eta_s=(iters - it) * self.seconds / max(1, it - start),
            learning_rate=float(optimizer.learning_rate.item()),
        )

    def result(self, steps: int, cancelled: bool = False, stopped_early: bool = False):
        return LoopResult(
            steps=steps,
            cancelled=cancelled,
            trained_tokens=self.trained_tokens,
            seconds=self.seconds,
            tokens_per_second=self.session_tokens / self.seconds if self.seconds else 0.0,
            peak_memory_mb=mx.get_peak_memory() / 1e6,
            stopped_early=stopped_early,
        )

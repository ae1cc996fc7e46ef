"""One training run, whatever the method: prepare -> loop -> finish, and its TrainReport.

prepare: the adapter's folder (new, or the run to resume), the base model loaded
once, LoRA layers (fresh, or continuing a parent adapter), the memory check, the
adapter config and the store record. loop: engine.train.loop.run_loop with the
method's loss and batches and atomic checkpoints; a failure or a cancel is
recorded. finish: the adapter saved atomically, the method's evaluation,
report.json and the record. LoRA/QLoRA and preference training (DPO/IPO/KTO)
differ only in the loss, the batches and the evaluation they hand to it.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.train import datasets as ds
from engine.train import files, lora
from engine.train.callbacks import Recorder, TrainingCallback
from engine.train.config import TrainConfig
from engine.train.loop import LoopResult, TrainingError, run_loop
from store.adapters import AdapterRecord


@dataclass
class TrainReport:
    """What a run returns. `to_dict()` is the stored record's metrics (the CLI's --json
    prints it without the curves); `evaluation` holds the method's before/after numbers."""

    adapter: str
    method: str  # lora, qlora, dpo, ipo, kto
    status: str  # ready or cancelled
    steps: int
    total: int
    trained_tokens: int = 0
    train_seconds: float = 0.0
    wall_seconds: float = 0.0
    tokens_per_second: float = 0.0
    peak_memory_mb: float = 0.0
    evaluation: dict[str, Any] = field(default_factory=dict)
    curves: dict[str, list] = field(default_factory=dict)

    @property
    def forgetting(self) -> bool:
        return bool(self.evaluation.get("forgetting"))

    @property
    def samples(self) -> list[dict]:
        return self.evaluation.get("samples", [])

    def to_dict(self) -> dict[str, Any]:
        if self.status == "cancelled":
            return {"status": "cancelled", "steps": self.steps, "total": self.total}
        return {
            **self.evaluation,
            "status": self.status,
            "steps": self.steps,
            "trained_tokens": self.trained_tokens,
            "train_seconds": self.train_seconds,
            "wall_seconds": self.wall_seconds,
            "tokens_per_second": self.tokens_per_second,
            "peak_memory_mb": self.peak_memory_mb,
            "curves": self.curves,
        }


class TrainingRun:
    """The steps every method shares, in order: `new()` or `saved()`, `load()`,
    `attach()`, `start()`, `begin()`, `loop()`, then `finish()` or `cancelled()`."""

    def __init__(
        self,
        service: Any,
        adapter: str,
        callback: TrainingCallback | None = None,
        cancel: threading.Event | None = None,
        pause: threading.Event | None = None,
    ):
        self.service, self.store = service, service.store
        self.cb = Recorder(callback)
        self.name = ds.valid_name(adapter)
        self.folder = Path(service.adapters_dir) / self.name
        self.existing = self.store.adapters.get(self.name)
        self.cancel, self.pause = cancel, pause
        self.extra: dict[str, Any] = {}  # a method's own resumable state (early stopping)

    # -- prepare ----------------------------------------------------------------------
    def saved(self) -> dict:
        """The settings of the run to resume (the "sastre" part of its adapter config)."""
        if self.existing is None or not (self.folder / lora.CONFIG_FILE).is_file():
            raise TrainingError(
                f"There is no run '{self.name}' to resume. Start it without --resume."
            )
        return json.loads((self.folder / lora.CONFIG_FILE).read_text())["sastre"]

    def new(self) -> None:
        if self.existing is not None or self.folder.exists():
            raise TrainingError(
                f"An adapter named '{self.name}' already exists. Pick another --adapter name, "
                f"resume it with --resume, or remove it with `sastre adapters rm {self.name}`."
            )

    def load(self, model: str | None) -> None:
        """The base model, loaded once: the policy, and (adapters off) the reference."""
        from mlx_lm.utils import load

        self.cb.on_status("Loading the model", 0.0)
        self.base = self.service.models.resolve(model)
        self.net, self.tokenizer, self.mconfig = load(self.base.path, return_config=True)
        mc = self.mconfig
        self.quantized = bool(mc.get("quantization") or mc.get("quantization_config"))

    def attach(self, cfg: TrainConfig, parent: AdapterRecord | None, sequences: int = 1) -> None:
        """LoRA layers (seeded fresh ones, or the parent's weights), then the memory check;
        `sequences`: how many sequences one example puts through the model (DPO: 2)."""
        import mlx.core as mx

        mx.random.seed(cfg.seed)
        self.cfg = cfg
        self.trainable = lora.apply_lora(self.net, cfg)
        if parent is not None:
            self.net.load_weights(str(Path(parent.path) / lora.ADAPTER_FILE), strict=False)
        sized = TrainConfig.from_dict({**cfg.to_dict(), "batch_size": cfg.batch_size * sequences})
        self.estimate = lora.estimate_memory(self.net, self.mconfig, sized, self.trainable)
        lora.check_memory(self.estimate)

    def start(
        self,
        method: str,
        meta: dict,
        datasets: list[dict],
        parent: str | None,
        lora_config: bool = True,
    ) -> None:
        """Write the adapter config and the 'training' record; make the optimizer.
        `lora_config=False` (a reward model's head): no LoRA fields, so nothing loads the
        folder as a LoRA adapter."""
        import mlx.optimizers as optim

        self.method, cfg = method, self.cfg
        meta = {
            "base_model": self.base.name,
            "base_path": self.base.path,
            "method": method,
            **meta,
            "trainable_parameters": self.trainable,
            "memory_estimate": self.estimate,
        }
        shape = {}
        if lora_config:
            shape = {
                "fine_tune_type": "lora",
                "num_layers": cfg.layers,
                "lora_parameters": lora.lora_parameters(cfg),
            }
        files.write_json(self.folder / lora.CONFIG_FILE, {**shape, "sastre": meta})
        self.record = self.existing or AdapterRecord(
            name=self.name,
            path=str(self.folder),
            base_model=self.base.name,
            method=method,
            datasets=datasets,
            parent=parent,
        )
        self.record.params, self.record.status = cfg.to_dict(), "training"
        self.store.adapters.save(self.record)
        self.optimizer = optim.Adam(learning_rate=cfg.learning_rate)

    def begin(self, resume: bool, measure_before: Callable[[], dict]) -> dict:
        """The checkpoint to resume from, or the "before" measurements of a new run."""
        state = lora.load_checkpoint(self.folder, self.net, self.optimizer) if resume else None
        if state is None:
            self.cb.on_status("Measuring the model before training", 0.0)
            before = measure_before()
            if not (self.folder / lora.ADAPTER_FILE).exists():
                files.save_safetensors(
                    self.folder / lora.ADAPTER_FILE, lora.adapter_weights(self.net)
                )
            state = {"step": 0, "trained_tokens": 0, "before": before, "train": [], "val": []}
        self.state, self.extra = state, dict(state.get("extra") or {})
        self.curves = {"train": list(state["train"]), "val": list(state["val"])}
        return state

    # -- loop -------------------------------------------------------------------------
    def checkpoint(self, step: int, tokens: int) -> None:
        self.cb.on_status(f"Saving checkpoint at step {step}", None)
        self._collect()
        state = {"step": step, "trained_tokens": tokens, "before": self.state["before"]}
        state.update(self.curves)
        if self.extra:
            state["extra"] = self.extra
        lora.save_checkpoint(self.folder, self.net, self.optimizer, state)
        self.cb.on_checkpoint(step, str(self.folder / lora.CHECKPOINT_DIR))

    def loop(
        self,
        loss: Callable,
        batches: Iterator[tuple],
        validate: Callable[[int], bool] | None = None,
        steps_per_eval: int | None = None,
    ) -> LoopResult:
        self.tic = time.perf_counter()
        try:
            return run_loop(
                self.net,
                self.optimizer,
                loss,
                batches,
                self.cb,
                iters=self.cfg.iters,
                start_step=self.state["step"],
                trained_tokens=self.state["trained_tokens"],
                cancel=self.cancel,
                pause=self.pause,
                checkpoint=self.checkpoint,
                save_every=self.cfg.save_every,
                validate=validate,
                steps_per_eval=steps_per_eval,
            )
        except TrainingError as exc:
            self.record.status = "failed"
            self.record.metrics = {"error": str(exc)}
            self.store.adapters.save(self.record)
            raise

    def val_points(self) -> list[tuple[int, float]]:
        return self.curves["val"] + self.cb.val

    # -- finish -----------------------------------------------------------------------
    def cancelled(self, result: LoopResult) -> TrainReport:
        self.checkpoint(result.steps, result.trained_tokens)
        self.record.status = "cancelled"
        self.store.adapters.save(self.record)
        return TrainReport(self.name, self.method, "cancelled", result.steps, self.cfg.iters)

    def finish(self, result: LoopResult, evaluate: Callable[[], dict]) -> TrainReport:
        """Save the adapter, evaluate it, store the report; the checkpoint goes."""
        self.cb.on_status("Saving the adapter", None)
        files.save_safetensors(self.folder / lora.ADAPTER_FILE, lora.adapter_weights(self.net))
        self.cb.on_status("Evaluating", None)
        evaluation = evaluate()
        self._collect()
        rep = TrainReport(
            adapter=self.name,
            method=self.method,
            status="ready",
            steps=result.steps,
            total=self.cfg.iters,
            trained_tokens=result.trained_tokens,
            train_seconds=round(result.seconds, 2),
            wall_seconds=round(time.perf_counter() - self.tic, 2),
            tokens_per_second=round(result.tokens_per_second, 1),
            peak_memory_mb=round(result.peak_memory_mb, 1),
            evaluation=evaluation,
            curves=self.curves,
        )
        files.write_json(self.folder / "report.json", rep.to_dict())
        shutil.rmtree(self.folder / lora.CHECKPOINT_DIR, ignore_errors=True)
        self.record.status, self.record.metrics = "ready", rep.to_dict()
        self.store.adapters.save(self.record)
        return rep

    def _collect(self) -> None:
        self.curves["train"] += self.cb.train
        self.curves["val"] += self.cb.val
        self.cb.train, self.cb.val = [], []

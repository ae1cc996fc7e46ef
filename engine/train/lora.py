"""LoRA / QLoRA training on mlx-lm's tuner, driven by a small loop of ours.

We use mlx-lm's `linear_to_lora_layers`, `iterate_batches`, `default_loss`
and `evaluate` as they are, but not its `train()`: that function has no
cancel or pause, draws a terminal UI, writes checkpoints non-atomically,
restarts its step count at 1 (so a resumed run would re-validate and
re-number) and only calls back every `steps_per_report`. Our loop
(engine.train.loop, shared with preference training) is the same compiled
step with a cancel/pause check and a NaN check every step, atomic checkpoints
of adapter + optimizer state, and exact resume. Here LoRA supplies its loss
and batches (mlx-lm's) and a validation-loss hook.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from engine.errors import SastreError
from engine.platform import preload_blas
from engine.train import files, loop
from engine.train.callbacks import TrainingCallback
from engine.train.config import TrainConfig
from engine.train.loop import LoopResult, TrainingError

preload_blas()

import mlx.core as mx  # noqa: E402  (engine.generate preloads BLAS before us)
import mlx.nn as nn  # noqa: E402
from mlx.utils import tree_flatten, tree_unflatten  # noqa: E402
from mlx_lm.tuner.trainer import default_loss, evaluate, iterate_batches  # noqa: E402
from mlx_lm.tuner.utils import linear_to_lora_layers  # noqa: E402

ADAPTER_FILE = "adapters.safetensors"
CONFIG_FILE = "adapter_config.json"
CHECKPOINT_DIR = "checkpoint"


class TrainingCancelled(SastreError):
    pass


class MemoryTooSmall(TrainingError):
    pass


def lora_parameters(cfg: TrainConfig) -> dict:
    return {"rank": cfg.rank, "scale": cfg.scale, "dropout": cfg.dropout}


def apply_lora(model: nn.Module, cfg: TrainConfig) -> int:
    """Freeze the base and add adapters to the last `cfg.layers` blocks; return trainable count."""
    model.freeze()
    linear_to_lora_layers(model, cfg.layers, lora_parameters(cfg))
    return sum(v.size for _, v in tree_flatten(model.trainable_parameters()))


def adapter_weights(model: nn.Module) -> dict[str, mx.array]:
    return dict(tree_flatten(model.trainable_parameters()))


# -- memory -------------------------------------------------------------------------


def available_memory() -> int:
    """Bytes training may use: Metal's recommended working set, else MemAvailable."""
    try:
        if mx.metal.is_available():
            return int(mx.device_info()["max_recommended_working_set_size"])
    except (AttributeError, KeyError, RuntimeError):
        pass
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import os

    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2


def estimate_memory(model: nn.Module, config: dict, cfg: TrainConfig, trainable: int) -> dict:
    """A deliberately rough upper estimate of peak training memory, in bytes."""
    weights = sum(v.nbytes for _, v in tree_flatten(model.parameters()))
    hidden = int(config.get("hidden_size") or 1024)
    inter = int(config.get("intermediate_size") or 4 * hidden)
    vocab = int(config.get("vocab_size") or 32000)
    tokens = cfg.batch_size * cfg.max_seq_length
    act_bytes = 4  # activations and the loss run in fp32 on the paths that matter
    per_layer = tokens * (14 * hidden + 4 * inter) * act_bytes
    activations = per_layer * cfg.layers
    logits = tokens * vocab * act_bytes * 3  # logits, softmax, their gradient
    adapters = trainable * 4 * 4  # weights, gradients, Adam's two moments
    total = int(1.2 * (weights + activations + logits + adapters))
    return {
        "weights": weights,
        "activations": activations + logits,
        "adapters": adapters,
        "total": total,
    }


def check_memory(estimate: dict, available: int | None = None) -> None:
    available = available_memory() if available is None else available
    if estimate["total"] > available:
        gb = 1024**3
        raise MemoryTooSmall(
            f"This run needs about {estimate['total'] / gb:.1f} GB (model "
            f"{estimate['weights'] / gb:.1f} GB, activations {estimate['activations'] / gb:.1f} "
            f"GB, adapters {estimate['adapters'] / gb:.2f} GB) but {available / gb:.1f} GB are "
            "free. Lower --batch-size, the maximum sequence length or --layers, or use a "
            "4-bit model (QLoRA)."
        )


# -- checkpoints ----------------------------------------------------------------------


def save_checkpoint(folder: Path, model: nn.Module, optimizer: Any, state: dict) -> Path:
    """Adapter + optimizer state + progress; state.json is written last and names them."""
    ck = folder / CHECKPOINT_DIR
    files.save_safetensors(ck / ADAPTER_FILE, adapter_weights(model))
    opt_state = dict(tree_flatten(optimizer.state))
    files.save_safetensors(ck / "optimizer.safetensors", opt_state)
    files.write_json(ck / "state.json", state)
    # The newest good weights double as the adapter itself, so `use` works mid-run too.
    files.save_safetensors(folder / ADAPTER_FILE, adapter_weights(model))
    return ck


def load_checkpoint(folder: Path, model: nn.Module, optimizer: Any) -> dict | None:
    import json

    ck = folder / CHECKPOINT_DIR
    if not (ck / "state.json").is_file():
        return None
    state = json.loads((ck / "state.json").read_text())
    model.load_weights(list(mx.load(str(ck / ADAPTER_FILE)).items()), strict=False)
    optimizer.state = tree_unflatten(list(mx.load(str(ck / "optimizer.safetensors")).items()))
    mx.eval(model.parameters(), optimizer.state)
    return state


# -- the loop ---------------------------------------------------------------------------


def val_loss(model, dataset, cfg: TrainConfig, loss=default_loss, iterate=iterate_batches):
    """Mean token loss over the whole validation set (batch 1: no example is dropped)."""
    if dataset is None or len(dataset) == 0:
        return None
    value = evaluate(
        model=model,
        dataset=dataset,
        batch_size=1,
        num_batches=-1,
        max_seq_length=cfg.max_seq_length,
        loss=loss,
        iterate_batches=iterate,
    )
    return float(value)


def batches(train_set: Any, cfg: TrainConfig, iterate: Callable = iterate_batches) -> Iterator:
    """mlx-lm's seeded batches, forever: (tokens, lengths) tuples."""
    return iterate(
        dataset=train_set,
        batch_size=cfg.batch_size,
        max_seq_length=cfg.max_seq_length,
        loop=True,
        seed=cfg.seed,
    )


def validation(
    model, val_set, cfg: TrainConfig, callback, loss=default_loss, iterate=iterate_batches
) -> Callable[[int], bool]:
    """The loop's validate hook for LoRA: report the held-out loss; never stop early."""

    def validate(it: int) -> bool:
        callback.on_status("Validating", None)
        v = val_loss(model, val_set, cfg, loss, iterate)
        if v is not None:
            callback.on_val_loss_report({"iteration": it, "val_loss": v})
        return False

    return validate


def run_loop(
    model: nn.Module,
    optimizer: Any,
    train_set: Any,
    val_set: Any,
    cfg: TrainConfig,
    callback: TrainingCallback,
    *,
    start_step: int = 0,
    trained_tokens: int = 0,
    cancel: threading.Event | None = None,
    pause: threading.Event | None = None,
    checkpoint: Callable[[int, int], None] | None = None,
    loss: Callable = default_loss,
    iterate: Callable = iterate_batches,
) -> LoopResult:
    """LoRA on the shared loop: mlx-lm's loss and batches, validation loss every few steps."""
    validate = None if val_set is None else validation(model, val_set, cfg, callback, loss, iterate)
    return loop.run_loop(
        model,
        optimizer,
        loss,
        batches(train_set, cfg, iterate),
        callback,
        iters=cfg.iters,
        start_step=start_step,
        trained_tokens=trained_tokens,
        cancel=cancel,
        pause=pause,
        checkpoint=checkpoint,
        save_every=cfg.save_every,
        validate=validate,
        steps_per_eval=cfg.steps_per_eval,
    )

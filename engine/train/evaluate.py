"""Evaluation of a run: held-out loss/perplexity before vs after, forgetting, answers.

"Before" is measured on the same model object with the adapters switched off
(LoRA scale 0 gives the base model's exact outputs), so no second copy of the
base is loaded.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.train.config import TrainConfig
from engine.train.lora import val_loss
from resources import ROOT as RESOURCES

GENERAL_SET = RESOURCES / "eval" / "general.jsonl"
DEFAULT_PROMPTS = [
    "Introduce yourself in one sentence.",
    "Give me three tips for a productive morning.",
]


def lora_modules(model) -> list[Any]:
    return [m for _, m in model.named_modules() if hasattr(m, "lora_a") and hasattr(m, "scale")]


@contextmanager
def adapters_off(model) -> Iterator[None]:
    """Run the base model: every LoRA layer's scale at 0, restored afterwards."""
    mods = lora_modules(model)
    scales = [m.scale for m in mods]
    for m in mods:
        m.scale = 0.0
    try:
        yield
    finally:
        for m, s in zip(mods, scales, strict=True):
            m.scale = s


def general_dataset(tokenizer: Any, path: Path = GENERAL_SET):
    from mlx_lm.tuner.datasets import CacheDataset, TextDataset

    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return CacheDataset(TextDataset(rows, tokenizer))


def perplexity(loss: float | None) -> float | None:
    return None if loss is None else float(math.exp(min(loss, 50.0)))


def general_ppl(model, tokenizer, cfg: TrainConfig, dataset=None) -> float:
    ds = dataset if dataset is not None else general_dataset(tokenizer)
    short = TrainConfig.from_dict({**cfg.to_dict(), "max_seq_length": 256})
    return perplexity(val_loss(model, ds, short))


def measure(model, tokenizer, cfg: TrainConfig, val_set, general, known_val_loss=None) -> dict:
    """Held-out loss of the run's data and general-set perplexity: one side of the report
    (`known_val_loss`: a validation loss the loop already measured on these weights)."""
    return {
        "val_loss": known_val_loss if known_val_loss is not None else val_loss(model, val_set, cfg),
        "general_ppl": general_ppl(model, tokenizer, cfg, general),
    }


def answers(model, tokenizer, prompts: list, max_tokens: int = 64) -> list[str]:
    """Greedy answers (reproducible), rendered with the model's chat template; a prompt is
    a user message's text or a list of chat messages."""
    from engine.config import GenerationConfig
    from engine.generate import Generator, LoadedModel, encode, render_chat

    model.eval()
    gen = Generator(LoadedModel("eval", Path("."), model, tokenizer, {}))
    cfg = GenerationConfig(temperature=0.0, max_tokens=max_tokens, repetition_penalty=1.1)
    out = []
    for p in prompts:
        gen.reset_cache()
        msgs = p if isinstance(p, list) else [{"role": "user", "content": p}]
        tokens = encode(tokenizer, render_chat(tokenizer, msgs))
        out.append(gen.generate(tokens, cfg).strip())
    return out


def side_by_side(model, tokenizer, prompts: list[str], max_tokens: int = 64) -> list[dict]:
    with adapters_off(model):
        before = answers(model, tokenizer, prompts, max_tokens)
    after = answers(model, tokenizer, prompts, max_tokens)
    return [
        {"prompt": p, "before": b, "after": a}
        for p, b, a in zip(prompts, before, after, strict=True)
    ]


def report(before: dict, after: dict, threshold: float, samples: list[dict] | None = None) -> dict:
    """The stored report; `sastre eval --json` prints its first five keys."""
    gb, ga = before.get("general_ppl"), after.get("general_ppl")
    change = (ga / gb - 1.0) if gb and ga else None
    return {
        "val_loss_before": before.get("val_loss"),
        "val_loss_after": after.get("val_loss"),
        "general_ppl_before": gb,
        "general_ppl_after": ga,
        "forgetting": bool(change is not None and change > threshold),
        "general_ppl_change": change,
        "forgetting_threshold": threshold,
        "val_ppl_before": perplexity(before.get("val_loss")),
        "val_ppl_after": perplexity(after.get("val_loss")),
        "samples": samples or [],
    }

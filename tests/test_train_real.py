"""End to end on the real embedded model (SmolLM2-135M-Instruct, fp32): a LoRA run
teaches a reply format the base model does not use, and forgets little."""

from __future__ import annotations

import json
import time

import pytest

from engine.train.config import TrainConfig
from tests.fixtures import train_data as td

pytestmark = pytest.mark.slow


def test_lora_teaches_a_format_without_forgetting(embedded_model, tmp_path):
    eng, _ = embedded_model
    data = tmp_path / "style.jsonl"
    data.write_text("\n".join(json.dumps(e) for e in td.examples()))
    rec = eng.training.import_dataset(str(data), "style", replace=True)
    assert rec.stats["examples"] == 40 and rec.stats["valid"] == 4 and rec.stats["tokens"] > 1000

    # Few layers, small rank, short sequences, few steps: CI-sized on 2 CPU cores.
    cfg = TrainConfig(
        rank=8,
        layers=4,
        iters=12,
        batch_size=4,
        learning_rate=2e-4,
        max_seq_length=96,
        steps_per_eval=12,
        save_every=100,
        eval_prompts=td.HELD_OUT,
        eval_max_tokens=8,
    )
    tic = time.perf_counter()
    rep = eng.training.train([("style", 1.0)], "style-test", config=cfg).to_dict()
    elapsed = time.perf_counter() - tic

    before = [td.follows(s["before"]) for s in rep["samples"]]
    after = [td.follows(s["after"]) for s in rep["samples"]]
    print(
        f"\nval loss {rep['val_loss_before']:.3f} -> {rep['val_loss_after']:.3f}; general ppl "
        f"{rep['general_ppl_before']:.2f} -> {rep['general_ppl_after']:.2f} "
        f"({rep['general_ppl_change']:+.1%}); format followed before {sum(before)}/{len(before)}, "
        f"after {sum(after)}/{len(after)}; {rep['tokens_per_second']} tok/s; {elapsed:.0f}s"
    )
    for s in rep["samples"][:3]:
        print(f"  {s['prompt']!r}: {s['before'][:60]!r} -> {s['after'][:60]!r}")
    assert rep["val_loss_after"] < rep["val_loss_before"] * 0.5
    assert sum(after) >= 0.75 * len(after)  # most held-out prompts follow the trained format
    assert sum(before) == 0  # the base model never does
    assert not rep["forgetting"], rep["general_ppl_change"]
    stored = eng.store.adapters.get("style-test")
    assert stored.status == "ready" and stored.metrics["val_loss_after"] == rep["val_loss_after"]

"""The reward model on the real embedded model (SmolLM2-135M-Instruct): trained on the
32 pairs that prefer a numbered list over the same advice as a paragraph, it ranks the
8 held-out pairs far better than chance (the head starts at zero, exactly chance)."""

from __future__ import annotations

import time

import pytest

from engine.train.reward import RewardConfig
from tests.fixtures import pref_data as pd

pytestmark = pytest.mark.slow


def test_reward_model_ranks_held_out_numbered_lists_first(embedded_model):
    eng, _ = embedded_model
    cfg = RewardConfig(max_seq_length=96, epochs=1.0)  # 8 steps: CI-sized on 2 CPU cores
    tic = time.perf_counter()
    rep = eng.training.train_reward(pd.pairs(), name="lists-judge", config=cfg)
    ev = rep.evaluation
    print(
        f"\nheld-out acc {ev['acc_before']:.2f} -> {ev['acc_after']:.2f}; margin "
        f"{ev['margin_before']:+.2f} -> {ev['margin_after']:+.2f}; {rep.steps} steps; "
        f"{time.perf_counter() - tic:.0f}s"
    )
    assert ev["pairs_heldout"] == 8
    assert ev["acc_after"] >= 0.875 and ev["margin_after"] > 0.5
    assert ev["acc_before"] == 0.5 and ev["margin_before"] == 0.0  # the head starts at zero

"""Crash consistency under SIGKILL (see crash.py). CI runs a few kills per activity;
`scripts/robustness.sh` runs 100 or more (SASTRE_CRASH_KILLS)."""

from __future__ import annotations

import os

import pytest

from tests.robustness.crash import run_kills, setup_models

KILLS = {"index": 4, "chat": 4, "train": 2}


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return setup_models(tmp_path_factory.mktemp("crash-models"))


@pytest.mark.parametrize("activity", ["index", "chat", "train"])
def test_sigkill_loses_nothing_acknowledged(tmp_path, activity, models):
    kills = int(os.environ.get("SASTRE_CRASH_KILLS", KILLS[activity]))
    seed = int(os.environ.get("SASTRE_SEED", 0))
    stats = run_kills(activity, kills, tmp_path, seed=seed, models=models)
    print(
        f"\ncrash {activity}: {stats.kills} kills, {stats.acknowledged} acknowledged, "
        f"{stats.lost} lost, problems {stats.problems}"
    )
    assert stats.kills >= kills
    assert stats.problems == [] and stats.lost == 0
    if activity == "chat":
        assert stats.acknowledged > 0

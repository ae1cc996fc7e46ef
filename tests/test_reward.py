"""The optional reward model: the Bradley-Terry loss against hand-computed values, its
training on the tiny llama through the shared run (report, cancel/resume, NaN), and
best of N at chat time keeping the answer the reward model scores highest."""

from __future__ import annotations

import json
import math
import threading

import mlx.core as mx
import numpy as np
import pytest

from engine.config import GenerationConfig
from engine.errors import SastreError
from engine.train import lora
from engine.train import reward as rw
from engine.train.callbacks import TrainingCallback
from engine.train.reward import RewardConfig
from tests.test_train_preference import PAIRS

CFG = dict(iters=6, batch_size=2, learning_rate=0.05, save_every=2, steps_per_eval=2)


def test_bradley_terry_matches_hand_computed_values():
    rc = mx.array([2.0, 0.0, -1.0])
    rr = mx.array([1.0, 0.0, 1.0])
    got = rw.bt_losses(rc, rr).tolist()
    want = [-math.log(1 / (1 + math.exp(-d))) for d in (1.0, 0.0, -2.0)]
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert abs(want[1] - math.log(2)) < 1e-9  # a tie costs log 2


def test_mean_pooling_reads_only_the_answer(tiny_engine):
    from mlx_lm.utils import load

    net, _ = load(str(tiny_engine.models.resolve(None).path))
    rm = rw.RewardModel(net, rw.hidden_size(net))
    assert rm.rewards(mx.array([[5, 6, 7]]), mx.array([[1, 3]])).item() == 0.0  # zero head
    rm.head.weight = mx.random.normal(rm.head.weight.shape)
    tokens = mx.array([[5, 6, 7, 8, 0, 0], [9, 9, 7, 8, 3, 3]])
    lengths = mx.array([[2, 4], [2, 4]])  # same answer (7 8) after other prompts
    r = rm.rewards(tokens, lengths).tolist()
    h = rw.backbone(net)(tokens[:1, :4])
    want = rm.head(h[0, 2:4].mean(axis=0)).item()
    assert abs(r[0] - want) < 1e-4 and r[0] != r[1]  # causal: the prompt still matters


def _train(eng, name, **kw):
    cfg = RewardConfig(**{**CFG, **kw.pop("cfg", {})})
    return eng.training.train_reward(kw.pop("examples", PAIRS), name=name, config=cfg, **kw)


def test_reward_run_reports_and_is_kept_beside_the_adapters(tiny_engine):
    vals = []

    class CB(TrainingCallback):
        def on_val_loss_report(self, info):
            vals.append(info)

    rep = _train(tiny_engine, "r1", callbacks=CB())
    ev = rep.evaluation
    assert rep.status == "ready" and rep.method == "reward" and rep.steps == 6
    assert ev["pairs_train"] == 10 and ev["pairs_heldout"] == 2
    assert ev["loss_after"] < ev["loss_before"]  # the held-out pairs it never saw
    assert ev["margin_after"] > ev["margin_before"]
    assert [v["iteration"] for v in vals] == [2, 4, 6] and "pref_acc" in vals[0]
    rec = tiny_engine.store.adapters.get("r1")
    assert rec.status == "ready" and rec.metrics["acc_after"] == ev["acc_after"]
    folder = tiny_engine.data_dir / "adapters" / "r1"
    config = json.loads((folder / "adapter_config.json").read_text())
    assert config["sastre"]["kind"] == "reward" and "lora_parameters" not in config
    assert set(mx.load(str(folder / "adapters.safetensors"))) == {"head.weight", "head.bias"}
    assert [a.name for a in tiny_engine.store.adapters.list(reward=True)] == ["r1"]
    assert "r1" not in [a.name for a in tiny_engine.store.adapters.list()]  # not a LoRA
    with pytest.raises(SastreError, match="reward model"):
        tiny_engine.chat.generator(adapter="r1")
    tiny_engine.training.remove_adapter("r1")
    assert not folder.exists() and tiny_engine.store.adapters.get("r1") is None


def test_cancel_then_resume_matches_an_uninterrupted_run(tiny_engine):
    cancel = threading.Event()

    class StopAt3(TrainingCallback):
        def on_step(self, r):
            if r.step == 3:
                cancel.set()

    rep = _train(tiny_engine, "c1", callbacks=StopAt3(), cancel=cancel)
    assert (rep.status, rep.steps, rep.total) == ("cancelled", 3, 6)
    seen = []

    class Seen(TrainingCallback):
        def on_step(self, r):
            seen.append(r.step)

    rep = tiny_engine.training.train_reward([], name="c1", resume=True, callbacks=Seen())
    assert seen == [4, 5, 6] and rep.status == "ready"
    _train(tiny_engine, "c2")
    a = mx.load(str(tiny_engine.data_dir / "adapters/c1/adapters.safetensors"))
    b = mx.load(str(tiny_engine.data_dir / "adapters/c2/adapters.safetensors"))
    for k in b:
        np.testing.assert_allclose(np.array(a[k]), np.array(b[k]), rtol=1e-4, atol=1e-6)


def test_nan_stops_and_too_few_pairs_are_refused(tiny_engine, monkeypatch):
    real = rw.loss
    monkeypatch.setattr(rw, "loss", lambda *a: (real(*a)[0] * mx.array(float("nan")), real(*a)[1]))
    with pytest.raises(lora.TrainingError, match="diverged"):
        _train(tiny_engine, "n1")
    assert tiny_engine.store.adapters.get("n1").status == "failed"
    with pytest.raises(rw.RewardError, match="at least 4 preference pairs"):
        _train(tiny_engine, "n2", examples=PAIRS[:3])


def _best_of(eng, n=3):
    cfg = GenerationConfig(max_tokens=6, temperature=0.0, seed=7)  # greedy asked: sampled
    events = list(eng.chat.send("What is 2 plus 2?", config=cfg, best_of=n))
    return events, events[-1].result


def test_best_of_n_keeps_the_answer_the_reward_model_scores_highest(tiny_engine):
    eng = tiny_engine
    with pytest.raises(SastreError, match="sastre train reward"):
        _best_of(eng)  # no reward model yet: says how to get one
    _train(eng, "judge")
    with pytest.raises(SastreError, match="no reward model 'nope'"):
        list(eng.chat.send("hi", best_of=2, reward_model="nope", save=False))
    events, res = _best_of(eng)
    b = res.best_of
    assert b["n"] == 3 and len(b["answers"]) == 3 and len(set(b["answers"])) > 1  # seeds
    assert len(set(b["scores"])) == 3 and b["reward_model"] == "judge" and b["seconds"] > 0
    best = max(range(3), key=lambda i: b["scores"][i])
    assert b["chosen"] == best and res.text == b["answers"][best]
    assert "".join(e.text for e in events) == res.text
    assert eng.store.chats.message(res.message_id).params["best_of"]["scores"] == b["scores"]
    # The head set by hand to its opposite: the same samples, the lowest-scored one wins.
    path = eng.data_dir / "adapters" / "judge" / "adapters.safetensors"
    mx.save_safetensors(str(path), {k: -v for k, v in mx.load(str(path)).items()})
    _, again = _best_of(eng)
    assert again.best_of["answers"] == b["answers"]
    np.testing.assert_allclose(again.best_of["scores"], [-x for x in b["scores"]], atol=1e-3)
    worst = min(range(3), key=lambda i: b["scores"][i])
    assert again.best_of["chosen"] == worst and again.text == b["answers"][worst]
    one = list(eng.chat.send("What is 2 plus 2?", config=GenerationConfig(max_tokens=4)))
    assert one[-1].result.best_of is None  # N = 1: off

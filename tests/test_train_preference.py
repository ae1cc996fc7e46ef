"""Preference training: the losses against hand-computed values, reference log-probs
computed once and reused, and DPO/IPO/KTO mechanics on the tiny llama (cancel, resume,
NaN, early stopping, the report stored with the adapter)."""

from __future__ import annotations

import json
import math
import threading

import mlx.core as mx
import numpy as np
import pytest

from engine.train import lora
from engine.train import preference as pr
from engine.train import reference as ref
from engine.train.callbacks import TrainingCallback
from engine.train.degeneration import is_degenerate, measure, verdict
from engine.train.preference import LabelledExample, PreferenceConfig, PreferenceExample

PAIRS = [
    PreferenceExample(
        [{"role": "user", "content": f"What is {i} plus {i}?"}],
        f"It is {2 * i}.",
        f"Maybe {i + 7}, I think.",
    )
    for i in range(12)
]
CFG = dict(
    rank=4,
    layers=2,
    iters=6,
    batch_size=2,
    learning_rate=1e-3,
    save_every=2,
    steps_per_eval=2,
    patience=100,
    eval_prompts=2,
    eval_max_tokens=4,
)


def A(*x):
    return mx.array(x, dtype=mx.float32)


def test_dpo_ipo_kto_and_nll_match_hand_computed_values():
    # DPO: h = (pc - rc) - (pr - rr) = 0.5 - (-0.5) = 1; loss = log(1 + e^(-beta h)).
    got = pr.dpo_losses(A(-1.0), A(-2.0), A(-1.5), A(-1.5), beta=0.1)
    assert got.item() == pytest.approx(math.log1p(math.exp(-0.1)), rel=1e-6)  # 0.644397
    # IPO: h = (-2 + 1)/2 - (-3 + 3)/3 = -0.5; (h - 1/(2*0.1))^2 = (-5.5)^2.
    got = pr.ipo_losses(A(-2.0), A(-3.0), A(-1.0), A(-3.0), A(2.0), A(3.0), beta=0.1)
    assert got.item() == pytest.approx(30.25, rel=1e-6)
    # KTO: ratios (2, 0, 1), z = mean = 1; desirable 1 - s(2 - 1), undesirable 1 - s(1 - 0)
    # and 1 - s(1 - 1).
    got = pr.kto_losses(
        A(0.0, -1.0, -2.0), A(-2.0, -1.0, -3.0), mx.array([True, False, False]), 1.0
    )
    s = 1 / (1 + math.exp(-1))
    np.testing.assert_allclose(np.array(got), [1 - s, 1 - s, 0.5], rtol=1e-6)
    # The KL point is clipped at 0 and not differentiated: with ratios (-2, -4) z = 0.
    got = pr.kto_losses(A(-3.0, -5.0), A(-1.0, -1.0), mx.array([True, False]), 0.5)
    np.testing.assert_allclose(
        np.array(got), [1 - 1 / (1 + math.exp(1.0)), 1 - 1 / (1 + math.exp(-2.0))], rtol=1e-6
    )
    g = mx.grad(lambda p: pr.kto_losses(p, A(0.0, 0.0), mx.array([True, True]), 1.0).sum())(
        A(1.0, 3.0)
    )
    # z = 2 is a constant: each term's gradient is -s'(p - 2) = -s(x)(1 - s(x)).
    want = [
        -(1 / (1 + math.exp(1))) * (1 - 1 / (1 + math.exp(1))),
        -(1 / (1 + math.exp(-1))) * (1 - 1 / (1 + math.exp(-1))),
    ]
    np.testing.assert_allclose(np.array(g), want, rtol=1e-5)
    # NLL: mean of -logp / length = mean(4/2, 9/3) = 2.5; only the weighted ones: 2.
    assert pr.nll_term(A(-4.0, -9.0), A(2.0, 3.0)).item() == pytest.approx(2.5)
    assert pr.nll_term(A(-4.0, -9.0), A(2.0, 3.0), mx.array([True, False])).item() == 2.0


def test_sequence_logps_sum_the_answer_tokens_only(tiny_model_dir):
    from mlx_lm.utils import load

    model, _ = load(str(tiny_model_dir))
    seq = [1, 5, 6, 7, 8, 9]
    tokens, lengths = pr.pack([(seq, 3)], 64)  # answer: tokens 3..5
    logp, n = pr.sequence_logps(model, tokens, lengths)
    logits = np.array(model(mx.array([seq[:-1]]))[0], dtype=np.float64)
    logsm = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    want = sum(logsm[t - 1, seq[t]] for t in (3, 4, 5))
    assert n.item() == 3 and logp.item() == pytest.approx(want, rel=1e-4)


def test_fit_keeps_the_answer_and_the_prompts_end():
    seq, start = pr.fit(list(range(10)), [100, 101, 102], 8)
    assert seq == [5, 6, 7, 8, 9, 100, 101, 102] and start == 5
    seq, start = pr.fit([1, 2], list(range(100, 120)), 8)
    assert seq == [1, 2, 100, 101, 102, 103] and start == 2  # answer cut to half the limit


def test_degeneration_metric():
    loop = "\n".join(["I like tea."] * 6)
    assert is_degenerate(loop) and is_degenerate("  ")
    assert not is_degenerate("1. Sleep early.\n2. Drink water.\n3. Walk outside.")
    m = measure(["a b c d e f", loop])
    assert m["degenerate"] == 1 and m["repeated_lines"] == pytest.approx(5 / 6 / 2, rel=1e-3)
    good = measure(["one two three four five six"] * 2)
    assert verdict(good, m) and verdict(good, good) is None


def test_reference_key_follows_base_adapter_and_content(tmp_path):
    base, other, ad = tmp_path / "base", tmp_path / "other", tmp_path / "ad"
    for folder, data in ((base, b"base"), (other, b"other"), (ad, b"one")):
        folder.mkdir()
        (folder / "model.safetensors").write_bytes(data)
    seqs = [([1, 2, 3], 1)]
    k = ref.cache_key("m", str(base), None, None, seqs)
    assert k == ref.cache_key("m", str(base), None, None, [([1, 2, 3], 1)])
    assert k != ref.cache_key("m", str(other), None, None, seqs)  # another base
    assert k != ref.cache_key("m", str(base), None, None, [([1, 2, 4], 1)])  # other content
    ka = ref.cache_key("m", str(base), "ad", str(ad), seqs)
    (ad / "model.safetensors").write_bytes(b"two")  # the starting adapter was retrained
    assert ka != k and ka != ref.cache_key("m", str(base), "ad", str(ad), seqs)


@pytest.fixture
def prefs(tiny_engine):
    return tiny_engine


def _train(eng, name, **kw):
    cfg = PreferenceConfig(**{**CFG, **kw.pop("cfg", {})})
    return eng.training.train_preferences(kw.pop("examples", PAIRS), adapter=name, config=cfg, **kw)


def test_dpo_run_reports_stores_and_reuses_the_reference(prefs, monkeypatch):
    calls = []
    real = ref.compute
    monkeypatch.setattr(
        ref, "compute", lambda m, s, n, cb=None: calls.append(len(s)) or real(m, s, n, cb)
    )
    vals = []

    class CB(TrainingCallback):
        def on_val_loss_report(self, info):
            vals.append(info)

    rep = _train(prefs, "p1", callbacks=CB())
    ev = rep.evaluation
    assert rep.status == "ready" and rep.method == "dpo" and rep.steps == 6
    assert ev["pairs_train"] == 10 and ev["pairs_heldout"] == 2
    assert ev["pref_acc_before"] == 0.5 and ev["reward_margin_before"] == 0.0  # policy = ref
    assert ev["reward_margin_after"] != 0.0 and isinstance(ev["promotable"], bool)
    assert ev["degeneration_after"]["answers"] == 2 and isinstance(ev["forgetting"], bool)
    assert [v["iteration"] for v in vals] == [2, 4, 6] and "pref_acc" in vals[0]
    assert ev["reference_cached"] is False and calls[0] == 24  # every answer, once
    stored = prefs.store.adapters.get("p1")
    assert stored.status == "ready" and stored.method == "dpo"
    assert stored.metrics["pref_acc_after"] == ev["pref_acc_after"]
    assert stored.params["beta"] == 0.1 and stored.params["nll_weight"] == 1.0
    folder = prefs.data_dir / "adapters" / "p1"
    assert {p.name for p in folder.iterdir()} == {
        "adapter_config.json",
        "adapters.safetensors",
        "report.json",
        "examples.json",
    }
    calls.clear()
    again = _train(prefs, "p2")  # same base, no starting adapter, same pairs: reused
    assert again.evaluation["reference_cached"] is True and 24 not in calls
    cont = _train(prefs, "p3", base_adapter="p1")  # another starting point: computed anew
    assert cont.evaluation["reference_cached"] is False and 24 in calls
    assert prefs.store.adapters.get("p3").parent == "p1"
    ipo = _train(prefs, "p4", method="ipo", cfg={"nll_weight": 0.0})
    assert ipo.method == "ipo" and ipo.evaluation["reference_cached"] is True
    gen = prefs.chat.generator(adapter="p1")  # usable like any adapter
    assert gen.loaded.adapter == "p1"


def test_cancel_then_resume_matches_an_uninterrupted_run(prefs):
    cancel = threading.Event()

    class StopAt3(TrainingCallback):
        def on_step(self, r):
            if r.step == 3:
                cancel.set()

    rep = _train(prefs, "c1", callbacks=StopAt3(), cancel=cancel)
    assert (rep.status, rep.steps, rep.total) == ("cancelled", 3, 6)
    assert prefs.store.adapters.get("c1").status == "cancelled"
    seen = []

    class Seen(TrainingCallback):
        def on_step(self, r):
            seen.append(r.step)

    rep = prefs.training.train_preferences([], adapter="c1", resume=True, callbacks=Seen())
    assert seen == [4, 5, 6] and rep.status == "ready"
    _train(prefs, "c2")
    a = mx.load(str(prefs.data_dir / "adapters/c1/adapters.safetensors"))
    b = mx.load(str(prefs.data_dir / "adapters/c2/adapters.safetensors"))
    for k in b:
        np.testing.assert_allclose(np.array(a[k]), np.array(b[k]), rtol=1e-4, atol=1e-6)


def test_nan_stops_and_records_the_failure(prefs, monkeypatch):
    real = pr.make_loss

    def poisoned(cfg):
        loss = real(cfg)
        return lambda *a: (loss(*a)[0] * mx.array(float("nan")), loss(*a)[1])

    monkeypatch.setattr(pr, "make_loss", poisoned)
    with pytest.raises(lora.TrainingError, match="diverged"):
        _train(prefs, "n1")
    assert prefs.store.adapters.get("n1").status == "failed"


def test_early_stopping_keeps_the_best_weights(prefs):
    rep = _train(
        prefs, "e1", cfg={"patience": 1, "iters": 12, "steps_per_eval": 1, "learning_rate": 0.3}
    )
    ev = rep.evaluation
    assert ev["stopped_early"] is True and rep.steps < 12
    assert ev["best_step"] < rep.steps and ev["restored_best_step"] == ev["best_step"]


def test_kto_learns_from_single_thumbs_and_too_few_pairs_are_refused(prefs):
    thumbs = [
        LabelledExample(p.prompt, p.chosen if i % 2 else p.rejected, bool(i % 2))
        for i, p in enumerate(PAIRS)
    ]
    rep = _train(prefs, "k1", examples=thumbs, method="kto")
    assert rep.method == "kto" and rep.evaluation["pairs_train"] == 10
    with pytest.raises(pr.PreferenceError, match="at least 4 preference pairs"):
        _train(prefs, "d1", examples=thumbs)  # DPO needs pairs
    rows = json.loads((prefs.data_dir / "adapters/k1/examples.json").read_text())
    assert rows[0]["kind"] == "labelled" and rows[0]["desirable"] is False

"""LoRA mechanics on the tiny llama: steps, checkpoints, resume, atomic saves, NaN stop,
memory refusal, adapter switch in chat, fuse and export round-trips."""

from __future__ import annotations

import json
import threading

import mlx.core as mx
import numpy as np
import pytest

from engine.train import files, lora
from engine.train.callbacks import TrainingCallback
from engine.train.config import TrainConfig

ROWS = [
    {
        "messages": [
            {"role": "user", "content": f"What is {i} plus {i}?"},
            {"role": "assistant", "content": f"It is {2 * i}."},
        ]
    }
    for i in range(24)
]
CFG = dict(
    rank=4,
    layers=2,
    iters=8,
    batch_size=4,
    learning_rate=2e-3,
    save_every=3,
    steps_per_eval=4,
    eval_prompts=["What is 3 plus 3?"],
    eval_max_tokens=4,
)


@pytest.fixture
def trainer(tiny_engine, tmp_path):
    f = tmp_path / "math.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in ROWS))
    tiny_engine.training.import_dataset(str(f), "math")
    return tiny_engine


def _weights(eng, name):
    return mx.load(str(eng.training.adapter(name).path) + "/adapters.safetensors")


def _logits(model_dir, adapter=None):
    from mlx_lm.utils import load

    model, _ = load(str(model_dir), adapter_path=str(adapter) if adapter else None)
    return np.array(model(mx.array([[5, 6, 7, 8, 9, 10]])))


def test_train_reports_and_stores(trainer):
    steps, vals = [], []

    class CB(TrainingCallback):
        def on_step(self, r):
            steps.append(r)

        def on_val_loss_report(self, info):
            vals.append(info["val_loss"])

    rep = trainer.training.train([("math", 1.0)], "a", config=TrainConfig(**CFG), callback=CB())
    assert [s.step for s in steps] == list(range(1, 9))
    assert all(s.tokens_per_second > 0 and s.peak_memory_mb > 0 for s in steps)
    assert steps[-1].eta_s == 0
    ev = rep.evaluation
    assert ev["val_loss_after"] < ev["val_loss_before"] and len(vals) == 3  # before, 4, 8
    assert ev["general_ppl_before"] > 0 and isinstance(rep.forgetting, bool)
    assert rep.samples[0]["prompt"] == "What is 3 plus 3?"
    assert rep.adapter == "a" and rep.method == "lora" and rep.steps == 8
    stored = trainer.store.adapters.get("a").metrics
    assert {k: v for k, v in stored.items() if k != "curves"} == {
        k: v for k, v in rep.to_dict().items() if k != "curves"
    }
    rec = trainer.store.adapters.get("a")
    assert rec.status == "ready" and rec.base_model == "tiny" and rec.method == "lora"
    assert rec.params["rank"] == 4 and rec.datasets == [{"name": "math", "weight": 1.0}]
    folder = trainer.data_dir / "adapters" / "a"
    assert {p.name for p in folder.iterdir()} == {
        "adapter_config.json",
        "adapters.safetensors",
        "report.json",
    }
    with pytest.raises(lora.TrainingError, match="already exists"):
        trainer.training.train([("math", 1.0)], "a", config=TrainConfig(**CFG))


def test_cancel_then_resume_matches_an_uninterrupted_run(trainer):
    cancel = threading.Event()

    class StopAt5(TrainingCallback):
        def on_step(self, r):
            if r.step == 5:
                cancel.set()

    cfg = TrainConfig(**CFG)
    rep = trainer.training.train(
        [("math", 1.0)], "b", config=cfg, callback=StopAt5(), cancel=cancel
    )
    assert (rep.status, rep.steps, rep.total) == ("cancelled", 5, 8)
    assert rep.to_dict() == {"status": "cancelled", "steps": 5, "total": 8}
    assert trainer.store.adapters.get("b").status == "cancelled"
    state = json.loads((trainer.data_dir / "adapters/b/checkpoint/state.json").read_text())
    assert state["step"] == 5
    seen = []

    class Seen(TrainingCallback):
        def on_step(self, r):
            seen.append(r.step)

    rep = trainer.training.train([], "b", resume=True, callback=Seen())
    assert seen == [6, 7, 8] and rep.status == "ready" and rep.steps == 8
    trainer.training.train([("math", 1.0)], "c", config=TrainConfig(**CFG))
    wb, wc = _weights(trainer, "b"), _weights(trainer, "c")
    for k in wc:
        np.testing.assert_allclose(np.array(wb[k]), np.array(wc[k]), rtol=1e-4, atol=1e-5)


def test_atomic_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "adapters.safetensors"
    files.save_safetensors(path, {"w": mx.ones((3,))})
    real = mx.save_safetensors

    def dies_midway(p, arrays, metadata=None):
        real(p, arrays, metadata=metadata)
        with open(p, "r+b") as f:  # a torn write, then the crash
            f.truncate(10)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(mx, "save_safetensors", dies_midway)
    with pytest.raises(OSError):
        files.save_safetensors(path, {"w": mx.zeros((3,))})
    monkeypatch.undo()
    assert mx.load(str(path))["w"].tolist() == [1.0, 1.0, 1.0]
    assert [p.name for p in tmp_path.iterdir()] == ["adapters.safetensors"]


def test_nan_loss_stops_and_keeps_the_last_checkpoint(trainer, tmp_path):
    from mlx_lm.tuner.datasets import CacheDataset, create_dataset
    from mlx_lm.utils import load

    model, tok = load(str(trainer.models.get("tiny").path))
    cfg = TrainConfig(**CFG).resolved(n_layers=2, parameters=1, n_train=24, longest=30, context=64)
    lora.apply_lora(model, cfg)
    data = CacheDataset(create_dataset(ROWS, tok, cfg))
    import mlx.optimizers as optim

    opt = optim.Adam(learning_rate=1e-3)
    saved = []
    folder = tmp_path / "run"

    def checkpoint(step, tokens):
        lora.save_checkpoint(folder, model, opt, {"step": step})
        saved.append(step)

    calls = {"n": 0}

    def loss(m, batch, lengths):  # fine for 4 steps, then NaN
        ce, ntoks = lora.default_loss(m, batch, lengths)
        return ce * mx.array(calls["nan"]), ntoks

    calls["nan"] = 1.0
    lora.run_loop(
        model,
        opt,
        data,
        None,
        cfg.__class__.from_dict({**cfg.to_dict(), "iters": 3}),
        TrainingCallback(),
        checkpoint=checkpoint,
        loss=loss,
    )
    lora.save_checkpoint(folder, model, opt, {"step": 3})
    good = mx.load(str(folder / "adapters.safetensors"))
    calls["nan"] = float("nan")
    with pytest.raises(lora.TrainingError, match="diverged"):
        lora.run_loop(
            model,
            lora_opt := optim.Adam(learning_rate=1e-3),
            data,
            None,
            cfg,
            TrainingCallback(),
            start_step=3,
            checkpoint=checkpoint,
            loss=loss,
        )
    del lora_opt
    kept = mx.load(str(folder / "adapters.safetensors"))
    assert json.loads((folder / "checkpoint/state.json").read_text())["step"] == 3
    for k in good:
        assert mx.array_equal(good[k], kept[k])


def test_memory_is_checked_up_front(trainer, monkeypatch):
    est = {
        "weights": 2 * 1024**3,
        "activations": 6 * 1024**3,
        "adapters": 10**6,
        "total": 10 * 1024**3,
    }
    with pytest.raises(lora.MemoryTooSmall, match=r"about 10.0 GB .* 4.0 GB are free"):
        lora.check_memory(est, available=4 * 1024**3)
    monkeypatch.setattr(lora, "available_memory", lambda: 1000)
    with pytest.raises(lora.MemoryTooSmall, match="--batch-size"):
        trainer.training.train([("math", 1.0)], "m", config=TrainConfig(**CFG))
    assert trainer.store.adapters.get("m") is None


def test_sequential_and_mixed_training(trainer, tmp_path):
    f = tmp_path / "text.jsonl"
    f.write_text("\n".join(json.dumps({"text": f"Note {i}: the tailor sews."}) for i in range(12)))
    trainer.training.import_dataset(str(f), "notes")
    trainer.training.train([("math", 1.0)], "first", config=TrainConfig(**CFG))
    rep = trainer.training.train(
        [("notes", 1.0)], "second", parent="first", config=TrainConfig(**{**CFG, "rank": 8})
    )
    second = trainer.store.adapters.get("second")
    assert second.parent == "first" and second.params["rank"] == 4  # the parent's shape
    assert rep.status == "ready"
    rep = trainer.training.train([("math", 2.0), ("notes", 0.5)], "mix", config=TrainConfig(**CFG))
    assert trainer.store.adapters.get("mix").datasets[1] == {"name": "notes", "weight": 0.5}


def test_adapter_switch_in_chat_keeps_the_base(trainer):
    trainer.training.train([("math", 1.0)], "s1", config=TrainConfig(**CFG))
    trainer.training.train([("math", 1.0)], "s2", config=TrainConfig(**{**CFG, "seed": 1}))
    chat = trainer.chat
    base = chat.generator()
    model = base.loaded.model
    x = mx.array([[5, 6, 7, 8, 9, 10]])
    l0 = np.array(model(x))
    g1 = chat.generator(adapter="s1")
    assert g1.loaded.model is model and g1.loaded.adapter == "s1"
    l1 = np.array(model(x))
    chat.generator(adapter="s2")
    l2 = np.array(model(x))
    assert not np.allclose(l0, l1) and not np.allclose(l1, l2)
    np.testing.assert_allclose(
        l1,
        _logits(trainer.models.get("tiny").path, trainer.training.adapter("s1").path),
        rtol=1e-4,
        atol=1e-4,
    )
    chat.generator(adapter="")
    np.testing.assert_allclose(np.array(model(x)), l0, rtol=1e-5, atol=1e-5)
    import threading

    from engine.train.service import ab_answers

    stop = threading.Event()
    stop.set()  # a blind A/B that was stopped generates nothing more
    assert [
        a["text"] for a in ab_answers(trainer.training, chat, "s1", "s2", "hi", 500, cancel=stop)
    ] == ["", ""]
    trainer.training.use("s1")  # the default adapter for chat
    assert chat.generator().loaded.adapter == "s1"
    events = list(chat.send("hi", config=None, save=True))
    assert events[-1].result.adapter == "s1"
    chat_id = events[-1].result.chat_id
    # A chat keeps an adapter picked for it; "" (none) also sticks, over the default.
    r = list(chat.send("again", chat_id=chat_id, adapter="s2"))[-1].result
    assert r.adapter == "s2" and trainer.store.chats.get(chat_id).adapter == "s2"
    assert list(chat.send("more", chat_id=chat_id))[-1].result.adapter == "s2"
    trainer.store.chats.update(chat_id, adapter="")
    assert list(chat.send("plain", chat_id=chat_id))[-1].result.adapter is None
    trainer.training.remove_adapter("s2")
    trainer.store.chats.update(chat_id, adapter="s2")  # gone: the default applies
    assert list(chat.send("last", chat_id=chat_id))[-1].result.adapter == "s1"
    fresh = list(chat.send("new", adapter=""))[-1].result
    assert trainer.store.chats.get(fresh.chat_id).adapter == ""


def test_fuse_and_export_round_trips(trainer, tmp_path):
    from engine.train import export
    from engine.train.service import export_adapter, fuse_adapter

    trainer.training.train([("math", 1.0)], "f", config=TrainConfig(**CFG))
    base = trainer.models.get("tiny").path
    apath = trainer.training.adapter("f").path
    want = _logits(base, apath)
    fused = fuse_adapter(trainer.training, "f", "tiny-f")
    assert trainer.store.models.get("tiny-f") is not None
    np.testing.assert_allclose(_logits(fused.path), want, rtol=1e-4, atol=1e-4)
    peft = export_adapter(trainer.training, "f", tmp_path / "peft", "peft")
    cfg = json.loads((peft / "adapter_config.json").read_text())
    assert cfg["peft_type"] == "LORA" and cfg["r"] == 4 and cfg["lora_alpha"] == 80.0
    keys = mx.load(str(peft / "adapter_model.safetensors")).keys()
    assert all(k.startswith("base_model.model.model.layers.") for k in keys)
    back = export.import_peft(peft, tmp_path / "back")
    np.testing.assert_allclose(_logits(base, back), want, rtol=1e-5, atol=1e-5)
    gguf = export_adapter(trainer.training, "f", tmp_path / "f.gguf", "gguf")
    assert gguf.stat().st_size > 1000
    trainer.training.remove_adapter("f")
    assert (
        trainer.store.adapters.get("f") is None and not (trainer.data_dir / "adapters/f").exists()
    )


def test_qlora_trains_on_a_4bit_base_and_keeps_it_4bit(trainer):
    from mlx.nn import QuantizedLinear

    from engine.train.service import fuse_adapter

    q = trainer.models.quantize("tiny", 4)
    rep = trainer.training.train(
        [("math", 1.0)], "q", model=q.name, config=TrainConfig(**{**CFG, "iters": 12})
    )
    rec = trainer.store.adapters.get("q")
    assert rec.method == "qlora" and rec.base_model == q.name
    assert rep.evaluation["val_loss_after"] < rep.evaluation["val_loss_before"]
    assert all(".lora_" in k for k in _weights(trainer, "q"))  # only the adapter is saved
    gen = trainer.chat.generator(q.name, adapter="q")  # in chat, on the 4-bit weights
    wrapped = gen.loaded.model.layers[-1].self_attn.q_proj
    assert isinstance(wrapped.linear, QuantizedLinear) and gen.loaded.adapter == "q"
    with_adapter = _logits(q.path, rec.path)
    assert not np.allclose(with_adapter, _logits(q.path), atol=1e-3)
    fused = fuse_adapter(trainer.training, "q", "tiny-q-fused", dequantize=True)
    np.testing.assert_allclose(_logits(fused.path), with_adapter, rtol=1e-3, atol=1e-3)

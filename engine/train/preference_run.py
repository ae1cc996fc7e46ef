"""A preference-training run (DPO / IPO / KTO) on the shared run steps.

prepare (examples, split, model, LoRA, reference log-probs once) -> the shared
loop with the method's loss and batches, a held-out check every few steps with
early stopping (the best weights are kept) -> finish: preference accuracy and
reward margin before/after, the degeneration check on held-out prompts' answers
(and a refusal to promote an adapter that degenerates), the forgetting check,
all stored with the adapter.
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from typing import Any

from engine.train import degeneration, files, lora
from engine.train import evaluate as ev
from engine.train import preference as pr
from engine.train import reference as ref
from engine.train.callbacks import TrainingCallback
from engine.train.run import TrainingRun, TrainReport

EXAMPLES_FILE = "examples.json"
BEST_FILE = "best-{}.safetensors"  # by step: a resumed run finds the one its state names
TIE = 1e-4  # margins this close to 0 count as a tie (half right)


def train_preferences(
    service: Any,
    examples: list[pr.Example],
    *,
    adapter: str,
    method: str | None = None,
    config: pr.PreferenceConfig | None = None,
    base_adapter: str | None = None,
    callbacks: TrainingCallback | None = None,
    cancel: threading.Event | None = None,
    pause: threading.Event | None = None,
    model: str | None = None,
    resume: bool = False,
) -> TrainReport:
    run = TrainingRun(service, adapter, callbacks, cancel, pause)
    if resume:
        saved = run.saved()
        config = pr.PreferenceConfig.from_dict(saved["config"])
        model, base_adapter = saved["base_model"], saved.get("parent")
        examples = load_examples(run)
    else:
        run.new()
    config = pr.PreferenceConfig.from_dict((config or pr.PreferenceConfig()).to_dict())
    config.method = method or config.method
    config.validate()
    usable = pr.for_method(list(examples), config.method)
    train, held = pr.split(usable, config.heldout_fraction, config.seed)
    train = pr.labelled(train) if config.method == "kto" else train
    prec, model = service._parent(base_adapter, model)
    run.load(model)
    cfg = _resolve(run, config, train, held)
    run.attach(cfg, prec, sequences=1 if cfg.method == "kto" else 2)
    t_seqs = pr.sequences(run.tokenizer, train, cfg.max_seq_length)
    h_seqs = pr.sequences(run.tokenizer, held, cfg.max_seq_length)
    counts = {"pairs_train": len(train), "pairs_heldout": len(held)}
    meta = {"parent": base_adapter, "config": config.to_dict(), "resolved": cfg.to_dict()}
    run.start(cfg.method, {**meta, **counts}, [], base_adapter)
    if not resume:
        files.write_json(run.folder / EXAMPLES_FILE, [_row(e) for e in usable])
    values, cached = _reference(service, run, prec, t_seqs + h_seqs)
    held_set = Heldout(held, h_seqs, values[len(t_seqs) :], cfg)
    prompts = eval_prompts(held, train, cfg.eval_prompts)
    general = ev.general_dataset(run.tokenizer)
    run.begin(resume, lambda: _measure(run, held_set, prompts, general))
    if not resume or "best" not in run.extra:
        _keep_best(run, 0, run.state["before"]["heldout"])
    loss = pr.make_loss(cfg)
    batches = pr.batches(train, t_seqs, values[: len(t_seqs)], cfg)
    result = run.loop(loss, batches, _early_stopping(run, held_set), cfg.steps_per_eval)
    if result.cancelled:
        return run.cancelled(result)
    restored = _restore_best(run, result.steps)

    def evaluate() -> dict:
        after = _measure(run, held_set, prompts, general)
        out = _report(run, after, prompts, counts, cached)
        out.update(stopped_early=result.stopped_early, best_step=run.extra["best_step"])
        out["restored_best_step"] = restored
        return out

    return run.finish(result, evaluate)


def _resolve(run: TrainingRun, config: pr.PreferenceConfig, train: list, held: list):
    longest = max(len(s) for s, _ in pr.sequences(run.tokenizer, train + held, 10**9))
    return config.resolved(
        n_layers=len(run.net.layers),
        n_train=len(train),
        longest=longest,
        context=int(run.mconfig.get("max_position_embeddings") or 2048),
    )


def _reference(service, run: TrainingRun, prec, seqs) -> tuple[list[float], bool]:
    """The starting policy's log-probs of every answer: from the cache, or computed now
    (before any step, so the policy still is the reference)."""
    key = ref.cache_key(
        run.base.name,
        run.base.path,
        prec.name if prec else None,
        prec.path if prec else None,
        seqs,
    )
    cache = service.adapters_dir.parent / "cache" / "reference"
    return ref.logps(run.net, seqs, run.cfg.max_seq_length, cache, key, run.cb)


# -- held-out pairs ---------------------------------------------------------------------


class Heldout:
    """The held-out examples with their reference log-probs; `metrics()` scores the policy."""

    def __init__(self, examples: list, seqs: list, ref_logps: list[float], cfg):
        self.examples, self.seqs, self.ref, self.cfg = examples, seqs, ref_logps, cfg

    def metrics(self, model) -> dict:
        import math

        logp = ref.compute(model, self.seqs, self.cfg.max_seq_length)
        ntok = [max(1, len(s) - start) for s, start in self.seqs]
        beta, i = self.cfg.beta, 0
        margins, likely = [], []
        for e in self.examples:
            if isinstance(e, pr.PreferenceExample):
                c, r = i, i + 1
                margins.append(beta * ((logp[c] - self.ref[c]) - (logp[r] - self.ref[r])))
                likely.append(logp[c] / ntok[c] - logp[r] / ntok[r])
                i += 2
            else:
                sign = 1.0 if e.desirable else -1.0
                margins.append(sign * beta * (logp[i] - self.ref[i]))
                i += 1
        n = max(1, len(margins))

        def right(x: float) -> float:
            return 0.5 if abs(x) < TIE else float(x > 0)

        return {
            "pref_acc": round(sum(map(right, margins)) / n, 4),
            "reward_margin": round(sum(margins) / n, 4),
            "likelihood_acc": round(sum(map(right, likely)) / len(likely), 4) if likely else None,
            "loss": sum(math.log1p(math.exp(-m)) for m in margins) / n,
        }


def _early_stopping(run: TrainingRun, held: Heldout):
    def validate(it: int) -> bool:
        run.cb.on_status("Checking the held-out pairs", None)
        m = held.metrics(run.net)
        report = {"iteration": it, "val_loss": m["loss"], "pref_acc": m["pref_acc"]}
        run.cb.on_val_loss_report({**report, "reward_margin": m["reward_margin"]})
        if _keep_best(run, it, m):
            run.extra["bad"] = 0
            return False
        run.extra["bad"] = run.extra.get("bad", 0) + 1
        return run.extra["bad"] >= run.cfg.patience

    return validate


def _keep_best(run: TrainingRun, step: int, m: dict) -> bool:
    """Remember these weights if their held-out accuracy (then margin) is the best yet."""
    score = [m["pref_acc"], m["reward_margin"]]
    if "best" in run.extra and score <= run.extra["best"]:
        return False
    run.extra.update(best=score, best_step=step)
    path = run.folder / lora.CHECKPOINT_DIR / BEST_FILE.format(step)
    files.save_safetensors(path, lora.adapter_weights(run.net))
    return True


def _restore_best(run: TrainingRun, steps: int) -> int | None:
    best = run.extra.get("best_step")
    path = run.folder / lora.CHECKPOINT_DIR / BEST_FILE.format(best)
    if best is None or best == steps or not path.is_file():
        return None
    run.net.load_weights(str(path), strict=False)
    return best


# -- evaluation -------------------------------------------------------------------------


def eval_prompts(held: list, train: list, n: int) -> list[list[dict]]:
    """Distinct prompts for the before/after answers: held-out ones first."""
    out: list[list[dict]] = []
    for e in held + train:
        if len(out) >= n:
            break
        if e.prompt not in out:
            out.append(e.prompt)
    return out


def _measure(run: TrainingRun, held: Heldout, prompts: list, general) -> dict:
    """One side of the report: held-out preference metrics, free-running answers and
    general-set perplexity of the policy as it is now."""
    cfg = run.cfg
    return {
        "heldout": held.metrics(run.net),
        "answers": ev.answers(run.net, run.tokenizer, prompts, cfg.eval_max_tokens),
        "general_ppl": ev.general_ppl(run.net, run.tokenizer, cfg, general),
    }


def _report(run: TrainingRun, after: dict, prompts: list, counts: dict, cached: bool) -> dict:
    before = run.state["before"]
    hb, ha = before["heldout"], after["heldout"]
    db, da = degeneration.measure(before["answers"]), degeneration.measure(after["answers"])
    reason = degeneration.verdict(db, da)
    gb, ga = before["general_ppl"], after["general_ppl"]
    change = (ga / gb - 1.0) if gb and ga else None
    samples = [
        {"prompt": p[-1]["content"], "before": b, "after": a}
        for p, b, a in zip(prompts, before["answers"], after["answers"], strict=True)
    ]
    return {
        "adapter": run.name,
        "method": run.method,
        **counts,
        "pref_acc_before": hb["pref_acc"],
        "pref_acc_after": ha["pref_acc"],
        "reward_margin_before": hb["reward_margin"],
        "reward_margin_after": ha["reward_margin"],
        "likelihood_acc_before": hb["likelihood_acc"],
        "likelihood_acc_after": ha["likelihood_acc"],
        "degeneration_before": db,
        "degeneration_after": da,
        "promotable": reason is None,
        "not_promotable_reason": reason,
        "forgetting": bool(change is not None and change > run.cfg.forgetting_threshold),
        "general_ppl_before": gb,
        "general_ppl_after": ga,
        "general_ppl_change": change,
        "forgetting_threshold": run.cfg.forgetting_threshold,
        "reference_cached": cached,
        "samples": samples,
    }


# -- the examples, kept with the adapter (resume, and "what was it trained on") ---------------


def _row(e: pr.Example) -> dict:
    kind = "pair" if isinstance(e, pr.PreferenceExample) else "labelled"
    return {"kind": kind, **asdict(e)}


def load_examples(run: TrainingRun) -> list[pr.Example]:
    import json

    rows = json.loads((run.folder / EXAMPLES_FILE).read_text())
    return [
        pr.PreferenceExample(r["prompt"], r["chosen"], r["rejected"])
        if r["kind"] == "pair"
        else pr.LabelledExample(r["prompt"], r["answer"], r["desirable"])
        for r in rows
    ]

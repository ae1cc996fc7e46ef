"""An optional reward model: a scalar head on the frozen base, trained with the
Bradley-Terry loss on the same preference pairs as DPO, and used at chat time to
keep the best of N sampled answers (engine.chat).

The head is one Linear(hidden, 1) on the base's last hidden states, averaged over
the answer's tokens (a 135M model's final-token state alone carries little about
the whole answer). The base stays frozen and is the model object that is already
loaded (for training, the run's; for chat, the chat's): never a second copy. The
run is the shared one (engine.train.run.TrainingRun on run_loop), so pause,
cancel, resume, the NaN check and atomic checkpoints are the same as for LoRA and
DPO. The head is saved beside the adapters, in <data dir>/adapters/NAME, with
`kind: reward` in its adapter_config.json and the method "reward" in its record.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.config import Settings, opt
from engine.errors import SastreError
from engine.train import files, lora
from engine.train import preference as pr
from engine.train.callbacks import TrainingCallback
from engine.train.loop import mx, nn  # imported once BLAS is preloaded
from engine.train.run import TrainingRun, TrainReport

KIND = "reward"
POOLING = ("mean", "last")
TIE = 1e-6
BATCH = 4


class RewardError(SastreError):
    pass


@dataclass
class RewardConfig(Settings):
    learning_rate: float = opt(1e-2, "Adam learning rate of the head.", min=1e-8, max=10.0)
    iters: int | None = opt(None, "Training steps (default: from --epochs).", min=1, max=10**6)
    epochs: float = opt(4.0, "Passes over the training pairs.", min=0.01, max=100.0)
    heldout_fraction: float = opt(
        0.2, "Share of the pairs kept aside to measure pair accuracy.", min=0.05, max=0.5
    )
    batch_size: int = opt(4, "Pairs per step.", min=1, max=256)
    max_seq_length: int | None = opt(
        None, "Longest prompt + answer in tokens; longer ones are cut.", min=16, max=131072
    )
    pooling: str = opt(
        "mean", "What the head reads: the answer's mean hidden state, or its last token's.",
        choices=POOLING,
    )  # fmt: skip
    steps_per_eval: int | None = opt(None, "Held-out check every N steps.", min=1)
    save_every: int | None = opt(None, "Checkpoint every N steps (resume from it).", min=1)
    seed: int = opt(0, "Random seed (split, batch order, head init).")

    def resolved(self, *, n_train: int, longest: int, context: int) -> RewardConfig:
        c = RewardConfig.from_dict(self.to_dict())
        c.batch_size = min(c.batch_size, max(1, n_train))
        c.iters = c.iters or max(1, math.ceil(c.epochs * n_train / c.batch_size))
        if c.max_seq_length is None:
            c.max_seq_length = min(
                context, 2048, max(64, pr.PAD_TO * math.ceil(longest / pr.PAD_TO))
            )
        c.steps_per_eval = c.steps_per_eval or max(1, c.iters // 4)
        c.save_every = c.save_every or max(1, min(100, c.iters // 4))
        return c


# -- the model and the loss -------------------------------------------------------------


class RewardModel(nn.Module):
    """The frozen base (the object already loaded, not a copy) and a trainable head."""

    def __init__(self, net, hidden: int, pooling: str = "mean"):
        super().__init__()
        self.net = net
        self.head = nn.Linear(hidden, 1)
        # Zero: every answer scores 0 before training, so "before" is exactly chance (a
        # random direction already splits answers that differ this much, one way or other).
        self.head.weight = mx.zeros_like(self.head.weight)
        self.head.bias = mx.zeros_like(self.head.bias)
        self._pooling = pooling

    def rewards(self, tokens, lengths):
        """One scalar per sequence; lengths[:, 0] is where the answer starts, lengths[:, 1]
        where the sequence ends."""
        import mlx.core as mx

        h = backbone(self.net)(tokens).astype(mx.float32)
        if self._pooling == "last":
            feat = h[mx.arange(h.shape[0]), lengths[:, 1] - 1]
        else:
            steps = mx.arange(tokens.shape[1])
            mask = (steps >= lengths[:, 0:1]) & (steps < lengths[:, 1:2])
            m = mask[..., None].astype(h.dtype)
            feat = (h * m).sum(axis=1) / mx.maximum(m.sum(axis=1), 1.0)
        return self.head(feat).squeeze(-1)


def backbone(net):
    """The model's body: token ids -> last hidden states (after the final norm)."""
    body = getattr(net, "model", None)
    if body is None or not callable(body):
        raise RewardError(
            f"{type(net).__name__} has no body to read hidden states from, so a reward "
            "model cannot be put on it; pick another base model."
        )
    return body


def hidden_size(net) -> int:
    import mlx.core as mx

    return int(backbone(net)(mx.array([[0]])).shape[-1])


def bt_losses(rc, rr):
    """Bradley-Terry: -log sigmoid(r_chosen - r_rejected), per pair."""
    return -pr.log_sigmoid(rc - rr)


def loss(model: RewardModel, tokens, lengths):
    """The loop's loss: chosen sequences first, then rejected ones."""
    r = model.rewards(tokens, lengths)
    b = tokens.shape[0] // 2
    return bt_losses(r[:b], r[b:]).mean(), (lengths[:, 1] - lengths[:, 0]).sum()


def batches(seqs: list, n_pairs: int, cfg: RewardConfig) -> Iterator[tuple]:
    """Pairs in a seeded order per pass, forever (resume skips what was trained)."""
    bs, epoch = cfg.batch_size, 0
    while True:
        order = list(range(n_pairs))
        random.Random(cfg.seed * 1000 + epoch).shuffle(order)
        for k in range(0, n_pairs - bs + 1, bs):
            idx = order[k : k + bs]
            rows = [2 * j for j in idx] + [2 * j + 1 for j in idx]
            yield pr.pack([seqs[r] for r in rows], cfg.max_seq_length)
        epoch += 1


def scores(model: RewardModel, seqs: list, max_len: int) -> list[float]:
    import mlx.core as mx

    model.eval()
    out: list[float] = []
    for i in range(0, len(seqs), BATCH):
        r = model.rewards(*pr.pack(seqs[i : i + BATCH], max_len))
        mx.eval(r)
        out += [float(x) for x in r.tolist()]
    return out


def metrics(model: RewardModel, seqs: list, max_len: int) -> dict:
    """Held-out pair accuracy (ties count half), mean margin and Bradley-Terry loss."""
    r = scores(model, seqs, max_len)
    margins = [r[i] - r[i + 1] for i in range(0, len(r), 2)]
    n = max(1, len(margins))
    right = sum(0.5 if abs(m) < TIE else float(m > 0) for m in margins)
    bt = sum(math.log1p(math.exp(-m)) if m > -30 else -m for m in margins) / n
    return {"acc": round(right / n, 4), "margin": round(sum(margins) / n, 4), "loss": bt}


# -- the run ----------------------------------------------------------------------------


def pairs_only(examples: list) -> list[pr.PreferenceExample]:
    pairs = [e for e in examples if isinstance(e, pr.PreferenceExample)]
    if len(pairs) < pr.MIN_EXAMPLES:
        raise RewardError(
            f"A reward model needs at least {pr.MIN_EXAMPLES} preference pairs (chosen vs "
            f"rejected answers) and has {len(pairs)}; prefer versions among regenerations, "
            "correct answers, or import pairs with `sastre pairs import FILE`."
        )
    return pairs


def train_reward(
    service: Any,
    examples: list,
    *,
    name: str,
    config: RewardConfig | None = None,
    callbacks: TrainingCallback | None = None,
    cancel: threading.Event | None = None,
    pause: threading.Event | None = None,
    model: str | None = None,
    resume: bool = False,
) -> TrainReport:
    import mlx.core as mx

    from engine.train.preference_run import EXAMPLES_FILE, _row, load_examples

    run = TrainingRun(service, name, callbacks, cancel, pause)
    if resume:
        saved = run.saved()
        config, model = RewardConfig.from_dict(saved["config"]), saved["base_model"]
        examples = load_examples(run)
    else:
        run.new()
    config = RewardConfig.from_dict((config or RewardConfig()).to_dict())
    config.validate()
    pairs = pairs_only(list(examples))
    train, held = pr.split(pairs, config.heldout_fraction, config.seed)
    run.load(model)
    longest = max(len(s) for s, _ in pr.sequences(run.tokenizer, pairs, 10**9))
    context = int(run.mconfig.get("max_position_embeddings") or 2048)
    cfg = config.resolved(n_train=len(train), longest=longest, context=context)
    mx.random.seed(cfg.seed)
    run.cfg = cfg
    run.net.freeze()  # only the head learns
    run.net = RewardModel(run.net, hidden_size(run.net), cfg.pooling)
    run.trainable = sum(v.size for v in lora.adapter_weights(run.net).values())
    run.estimate = {}
    t_seqs = pr.sequences(run.tokenizer, train, cfg.max_seq_length)
    h_seqs = pr.sequences(run.tokenizer, held, cfg.max_seq_length)
    counts = {"pairs_train": len(train), "pairs_heldout": len(held)}
    meta = {"kind": KIND, "config": config.to_dict(), "resolved": cfg.to_dict(), **counts}
    run.start(KIND, meta, [], None, lora_config=False)
    if not resume:
        files.write_json(run.folder / EXAMPLES_FILE, [_row(e) for e in pairs])
    run.begin(resume, lambda: metrics(run.net, h_seqs, cfg.max_seq_length))

    def validate(it: int) -> bool:
        run.cb.on_status("Checking the held-out pairs", None)
        m = metrics(run.net, h_seqs, cfg.max_seq_length)
        run.cb.on_val_loss_report(
            {"iteration": it, "val_loss": m["loss"], "pref_acc": m["acc"], "reward_margin": m["margin"]}
        )  # fmt: skip
        return False

    result = run.loop(loss, batches(t_seqs, len(train), cfg), validate, cfg.steps_per_eval)
    if result.cancelled:
        return run.cancelled(result)

    def evaluate() -> dict:
        before, after = run.state["before"], metrics(run.net, h_seqs, cfg.max_seq_length)
        return {
            "reward_model": run.name,
            "kind": KIND,
            **counts,
            "acc_before": before["acc"],
            "acc_after": after["acc"],
            "margin_before": before["margin"],
            "margin_after": after["margin"],
            "loss_before": before["loss"],
            "loss_after": after["loss"],
            "pooling": cfg.pooling,
        }

    return run.finish(result, evaluate)


# -- scoring answers at chat time -------------------------------------------------------


def load(net, folder: str | Path) -> RewardModel:
    """The reward model in `folder` on the loaded base `net` (no copy of the base)."""
    import json

    folder = Path(folder)
    try:
        meta = json.loads((folder / lora.CONFIG_FILE).read_text())["sastre"]
        cfg = RewardConfig.from_dict(meta.get("resolved"))
        rm = RewardModel(net, hidden_size(net), cfg.pooling)
        rm.load_weights(str(folder / lora.ADAPTER_FILE), strict=False)
    except (OSError, KeyError, ValueError) as exc:
        raise RewardError(
            f"The reward model in {folder} cannot be read ({exc}). Remove it with "
            f"`sastre adapters rm {folder.name}` and train it again with `sastre train reward`."
        ) from exc
    rm.max_len = cfg.max_seq_length or 2048
    return rm


def score_answers(
    rm: RewardModel, tokenizer, prompt: list[dict], answers: list[str]
) -> list[float]:
    """The reward of each answer to `prompt` (chat messages up to the user's turn)."""
    p = pr.encode_prompt(tokenizer, prompt)
    seqs = [pr.fit(p, pr.encode_answer(tokenizer, a), rm.max_len) for a in answers]
    return scores(rm, seqs, rm.max_len)

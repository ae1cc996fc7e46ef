"""Preference training's pieces: the examples, the settings, the losses and the batches.

DPO (sigmoid), IPO (squared, on length-averaged log-ratios) and KTO (unpaired
desirable / undesirable answers) on a LoRA policy, plus a length-normalised NLL
term on the chosen (or desirable) answers, the "RPO" / DPO+SFT recipe, on by
default: on a few dozen pairs plain DPO drives the loss to ~0 in a few steps and
the model collapses into repetition. The reference log-probs come from
engine.train.reference (computed once, cached); the run itself is
engine.train.preference_run on the shared loop.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from engine.config import Settings, opt
from engine.errors import SastreError

METHODS = ("dpo", "ipo", "kto")
MIN_EXAMPLES = 4  # at least 3 to train on and 1 held out
PAD_TO = 32  # batch lengths round up to this: fewer shapes, fewer recompiles


class PreferenceError(SastreError):
    pass


@dataclass
class PreferenceExample:
    """A prompt (chat messages up to the user turn) with a preferred and a worse answer."""

    prompt: list[dict[str, str]]
    chosen: str
    rejected: str


@dataclass
class LabelledExample:
    """One answer with a thumb: desirable (up) or not (down). KTO learns from these."""

    prompt: list[dict[str, str]]
    answer: str
    desirable: bool


Example = PreferenceExample | LabelledExample


@dataclass
class PreferenceConfig(Settings):
    method: str = opt("dpo", "dpo (sigmoid), ipo (squared) or kto (thumbs).", choices=METHODS)
    beta: float = opt(
        0.1, "How far from the reference the policy may move (lower: further).", min=1e-4, max=10.0
    )
    nll_weight: float = opt(
        1.0,
        "Weight of a length-normalised NLL term on the chosen answers (RPO / DPO+SFT); it keeps "
        "the answers fluent. 0 turns it off.",
        min=0.0,
        max=100.0,
    )
    learning_rate: float = opt(2e-5, "Adam learning rate.", min=1e-8, max=1.0)
    iters: int | None = opt(None, "Training steps (default: from --epochs).", min=1, max=10**6)
    epochs: float = opt(2.0, "Passes over the training pairs.", min=0.01, max=100.0)
    max_epochs: float = opt(
        3.0,
        "Upper bound on passes over the training pairs, whatever --iters says: a few dozen "
        "pairs overfit within a few passes.",
        min=0.01,
        max=100.0,
    )
    heldout_fraction: float = opt(
        0.2, "Share of the pairs kept aside to measure preference accuracy.", min=0.05, max=0.5
    )
    patience: int = opt(
        2, "Stop after this many held-out checks without a better accuracy or margin.", min=1
    )
    rank: int = opt(8, "LoRA rank.", min=1, max=256)
    layers: int = opt(8, "How many of the last transformer blocks get adapters.", min=1)
    scale: float = opt(20.0, "LoRA scale (mlx-lm's).", min=0.0)
    dropout: float = opt(0.0, "LoRA dropout.", min=0.0, max=0.9)
    batch_size: int = opt(2, "Pairs (or KTO answers) per step.", min=1, max=256)
    max_seq_length: int | None = opt(
        None, "Longest prompt + answer in tokens; longer ones are cut.", min=16, max=131072
    )
    steps_per_eval: int | None = opt(None, "Held-out check every N steps.", min=1)
    save_every: int | None = opt(None, "Checkpoint every N steps (resume from it).", min=1)
    seed: int = opt(0, "Random seed (split, batch order, LoRA init).")
    eval_prompts: int = opt(
        6, "Held-out prompts answered before and after (degeneration check).", min=0, max=64
    )
    eval_max_tokens: int = opt(64, "Longest before/after answer, in tokens.", min=1, max=4096)
    forgetting_threshold: float = opt(
        0.1, "Flag forgetting when general-set perplexity rises more than this fraction.", min=0.0
    )

    def resolved(self, *, n_layers: int, n_train: int, longest: int, context: int):
        """Fill unset values from the model and the data; bound the passes over the data."""
        c = PreferenceConfig.from_dict(self.to_dict())
        c.layers = min(c.layers, n_layers)
        c.batch_size = min(c.batch_size, max(1, n_train))
        per_epoch = n_train / c.batch_size
        wanted = c.iters or math.ceil(c.epochs * per_epoch)
        c.iters = max(1, min(wanted, math.ceil(c.max_epochs * per_epoch)))
        if c.max_seq_length is None:
            c.max_seq_length = min(context, 2048, max(64, PAD_TO * math.ceil(longest / PAD_TO)))
        c.steps_per_eval = c.steps_per_eval or max(1, c.iters // 6)
        c.save_every = c.save_every or max(1, min(100, c.iters // 4))
        return c


# -- the losses (per example; the loop takes their mean) ----------------------------------


def log_sigmoid(x):
    import mlx.core as mx

    return -mx.logaddexp(mx.zeros_like(x), -x)


def dpo_losses(pc, pr, rc, rr, beta: float):
    """-log sigmoid(beta * ((pc - rc) - (pr - rr))): summed log-probs of chosen/rejected,
    policy (p) and reference (r)."""
    return -log_sigmoid(beta * ((pc - rc) - (pr - rr)))


def ipo_losses(pc, pr, rc, rr, nc, nr, beta: float):
    """(h - 1/(2 beta))^2 with h the difference of length-averaged log-ratios (IPO)."""
    h = (pc - rc) / nc - (pr - rr) / nr
    return (h - 1.0 / (2.0 * beta)) ** 2


def kto_losses(p, r, desirable, beta: float):
    """KTO with unit weights: 1 - sigmoid(beta (ratio - z)) for desirable answers,
    1 - sigmoid(beta (z - ratio)) for undesirable ones; z, the KL reference point, is the
    batch's mean log-ratio, clipped at 0 and not differentiated (as in the KTO paper's
    batch estimate)."""
    import mlx.core as mx

    ratio = p - r
    z = mx.stop_gradient(mx.maximum(ratio.mean(), 0.0))
    good = 1.0 - mx.sigmoid(beta * (ratio - z))
    bad = 1.0 - mx.sigmoid(beta * (z - ratio))
    return mx.where(desirable, good, bad)


def nll_term(logp, ntok, weight=None):
    """Mean over answers of -log p(answer) / its length (only `weight`ed answers if given)."""
    import mlx.core as mx

    per = -logp / mx.maximum(ntok, 1)
    if weight is None:
        return per.mean()
    w = weight.astype(per.dtype)
    return (per * w).sum() / mx.maximum(w.sum(), 1.0)


def sequence_logps(model, tokens, lengths):
    """Summed answer log-probs and answer lengths; lengths[:, 0] is where the answer
    starts, lengths[:, 1] where the sequence ends."""
    import mlx.core as mx
    import mlx.nn as nn

    inputs, targets = tokens[:, :-1], tokens[:, 1:]
    logits = model(inputs)
    tok = -nn.losses.cross_entropy(logits.astype(mx.float32), targets)
    steps = mx.arange(1, targets.shape[1] + 1)
    mask = (steps >= lengths[:, 0:1]) & (steps < lengths[:, 1:2])
    return (tok * mask).sum(axis=-1), mask.sum(axis=-1)


def make_loss(cfg: PreferenceConfig):
    """The loop's loss(model, tokens, lengths, ref[, desirable]) for the method."""
    beta, alpha = cfg.beta, cfg.nll_weight

    def paired(model, tokens, lengths, ref):
        logp, ntok = sequence_logps(model, tokens, lengths)
        b = tokens.shape[0] // 2  # chosen first, then rejected
        pc, pr, nc, nr = logp[:b], logp[b:], ntok[:b], ntok[b:]
        if cfg.method == "ipo":
            losses = ipo_losses(pc, pr, ref[:b], ref[b:], nc, nr, beta)
        else:
            losses = dpo_losses(pc, pr, ref[:b], ref[b:], beta)
        loss = losses.mean() + alpha * nll_term(pc, nc) if alpha else losses.mean()
        return loss, ntok.sum()

    def unpaired(model, tokens, lengths, ref, desirable):
        logp, ntok = sequence_logps(model, tokens, lengths)
        loss = kto_losses(logp, ref, desirable, beta).mean()
        if alpha:
            loss = loss + alpha * nll_term(logp, ntok, desirable)
        return loss, ntok.sum()

    return unpaired if cfg.method == "kto" else paired


# -- examples -> token sequences -> batches ---------------------------------------------


def messages(prompt: Any) -> list[dict[str, str]]:
    """A prompt given as text or as chat messages, as chat messages."""
    if isinstance(prompt, str):
        return [{"role": "user", "content": prompt}]
    return [{"role": str(m["role"]), "content": str(m["content"])} for m in prompt]


def for_method(examples: list[Example], method: str) -> list[Example]:
    """DPO/IPO train on pairs; KTO on labelled answers (a pair gives one of each)."""
    if method == "kto":
        return list(examples)
    pairs = [e for e in examples if isinstance(e, PreferenceExample)]
    if len(pairs) < MIN_EXAMPLES:
        raise PreferenceError(
            f"{method.upper()} needs at least {MIN_EXAMPLES} preference pairs (chosen vs "
            f"rejected answers) and has {len(pairs)}; add pairs, or train on single thumbs "
            "with --method kto."
        )
    return pairs


def labelled(examples: list[Example]) -> list[LabelledExample]:
    out: list[LabelledExample] = []
    for e in examples:
        if isinstance(e, PreferenceExample):
            out.append(LabelledExample(e.prompt, e.chosen, True))
            out.append(LabelledExample(e.prompt, e.rejected, False))
        else:
            out.append(e)
    return out


def split(examples: list[Example], fraction: float, seed: int) -> tuple[list, list]:
    """(train, held out), seeded; at least one of each."""
    if len(examples) < MIN_EXAMPLES:
        raise PreferenceError(
            f"Preference training needs at least {MIN_EXAMPLES} examples and has "
            f"{len(examples)}; collect more thumbs, corrections or preferred versions first."
        )
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    n_held = min(len(examples) - 1, max(1, round(fraction * len(examples))))
    held = [examples[i] for i in sorted(order[:n_held])]
    return [examples[i] for i in sorted(order[n_held:])], held


def encode_prompt(tokenizer, prompt: list[dict[str, str]]) -> list[int]:
    from engine.generate import encode, render_chat

    return encode(tokenizer, render_chat(tokenizer, prompt))


def encode_answer(tokenizer, answer: str) -> list[int]:
    ids = list(tokenizer.encode(answer, add_special_tokens=False))
    eos = getattr(tokenizer, "eos_token_id", None)
    return ids + ([eos] if eos is not None else [])


def fit(prompt: list[int], answer: list[int], max_len: int) -> tuple[list[int], int]:
    """prompt + answer in at most max_len tokens (the prompt's start goes first, then the
    answer's end); returns the sequence and where the answer starts."""
    answer = answer[: max(1, max_len // 2)] if len(prompt) + len(answer) > max_len else answer
    prompt = prompt[-(max_len - len(answer)) :] if len(prompt) + len(answer) > max_len else prompt
    return prompt + answer, len(prompt)


def sequences(tokenizer, examples: list[Example], max_len: int) -> list[tuple[list[int], int]]:
    """Token sequences in a fixed order: a pair gives (chosen, rejected), a labelled
    example its answer. The reference log-probs follow the same order."""
    out = []
    for e in examples:
        p = encode_prompt(tokenizer, e.prompt)
        answers = [e.chosen, e.rejected] if isinstance(e, PreferenceExample) else [e.answer]
        out += [fit(p, encode_answer(tokenizer, a), max_len) for a in answers]
    return out


def pack(seqs: list[tuple[list[int], int]], max_len: int):
    """(tokens, lengths) arrays, padded to a multiple of PAD_TO."""
    import mlx.core as mx
    import numpy as np

    width = min(max_len, PAD_TO * math.ceil(max(len(s) for s, _ in seqs) / PAD_TO))
    tokens = np.zeros((len(seqs), width), dtype=np.int32)
    lengths = np.zeros((len(seqs), 2), dtype=np.int32)
    for i, (s, start) in enumerate(seqs):
        tokens[i, : len(s)] = s[:width]
        lengths[i] = (start, min(len(s), width))
    return mx.array(tokens), mx.array(lengths)


def batches(
    examples: list[Example], seqs: list, ref: list[float], cfg: PreferenceConfig
) -> Iterator[tuple]:
    """The loop's batches, forever, in a seeded order per pass (so resume can skip).
    Pairs: chosen sequences, then rejected ones. KTO: answers and their desirable mask."""
    import mlx.core as mx

    starts, i = [], 0  # where each example's sequences begin in `seqs`
    for e in examples:
        starts.append(i)
        i += 2 if isinstance(e, PreferenceExample) else 1
    n, bs, epoch = len(examples), cfg.batch_size, 0
    while True:
        order = list(range(n))
        random.Random(cfg.seed * 1000 + epoch).shuffle(order)
        for k in range(0, n - bs + 1, bs):
            idx = order[k : k + bs]
            if cfg.method == "kto":
                rows = [starts[j] for j in idx]
                desirable = mx.array([examples[j].desirable for j in idx])
                tokens, lengths = pack([seqs[r] for r in rows], cfg.max_seq_length)
                yield tokens, lengths, mx.array([ref[r] for r in rows]), desirable
            else:
                rows = [starts[j] for j in idx] + [starts[j] + 1 for j in idx]
                tokens, lengths = pack([seqs[r] for r in rows], cfg.max_seq_length)
                yield tokens, lengths, mx.array([ref[r] for r in rows])
        epoch += 1

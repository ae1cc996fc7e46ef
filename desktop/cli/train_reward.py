"""`sastre train reward`: the optional reward model that best of N uses.

A scalar head on the base model, trained with the Bradley-Terry loss on the same
preference pairs as `sastre train dpo` (--pairs all|feedback|FILE|SOURCE), with a
held-out split whose pair accuracy is reported before and after.
"""

from __future__ import annotations

import json

from desktop.cli.common import EXIT_INTERRUPTED, engine, sub
from desktop.cli.progress import run_in_terminal
from desktop.cli.train_dpo import examples
from engine.config import help_for
from engine.train.reward import POOLING, RewardConfig

FLAGS = (
    ("--iters", "iters", int),
    ("--epochs", "epochs", float),
    ("--lr", "learning_rate", float),
    ("--batch-size", "batch_size", int),
    ("--max-seq-length", "max_seq_length", int),
    ("--heldout", "heldout_fraction", float),
    ("--save-every", "save_every", int),
    ("--seed", "seed", int),
)
JSON_KEYS = (
    "reward_model", "pairs_train", "pairs_heldout", "acc_before", "acc_after",
    "margin_before", "margin_after", "loss_before", "loss_after", "pooling", "steps",
    "train_seconds", "wall_seconds",
)  # fmt: skip


def add_parser(ts) -> None:
    q = sub(ts, "reward", "Optional: train a reward model on preference pairs, for best of N.")
    q.add_argument(
        "--pairs",
        default="all",
        metavar="all|feedback|FILE|SOURCE",
        help="What to learn from (default: all stored pairs).",
    )
    q.add_argument("--name", required=True, metavar="NAME", help="Name of the reward model.")
    q.add_argument("--model", "-m", help="Base model (default: the default model).")
    q.add_argument(
        "--pooling", choices=POOLING, default=None, help=help_for(RewardConfig, "pooling")
    )
    for flag, name, typ in FLAGS:
        q.add_argument(flag, dest=name, type=typ, default=None, help=help_for(RewardConfig, name))
    q.add_argument("--resume", action="store_true", help="Resume a stopped run.")
    q.add_argument("--json", action="store_true", help="Print the final report as JSON.")


def cmd_reward(args) -> int:
    eng = engine(args)
    names = [n for _, n, _ in FLAGS] + ["pooling"]
    cfg = RewardConfig.from_dict(
        {n: getattr(args, n) for n in names if getattr(args, n) is not None}
    )
    found = [] if args.resume else examples(eng, args.pairs, "dpo")
    rep = run_in_terminal(
        lambda callback, cancel, pause: eng.training.train_reward(
            found,
            name=args.name,
            config=cfg,
            callbacks=callback,
            cancel=cancel,
            pause=pause,
            model=args.model,
            resume=args.resume,
        ),
        f"sastre train reward --name {args.name} --resume",
    )
    if rep.status == "cancelled":
        return EXIT_INTERRUPTED
    out = rep.to_dict()
    if args.json:
        print(json.dumps({k: out.get(k) for k in JSON_KEYS}, ensure_ascii=False))
    else:
        print_report(out)
    return 0


def print_report(ev: dict) -> None:
    print(
        f"Reward model '{ev['reward_model']}': {ev['steps']} steps on {ev['pairs_train']} "
        f"pairs, {ev['pairs_heldout']} held out, {ev['train_seconds']:.1f} s"
    )
    print(f"  held-out pair accuracy  {ev['acc_before']:.2f} -> {ev['acc_after']:.2f}")
    print(f"  mean reward margin      {ev['margin_before']:+.3f} -> {ev['margin_after']:+.3f}")
    print(
        f"Use it with `sastre chat --best-of 4 --reward-model {ev['reward_model']}` "
        "(about 4x the time of one answer)."
    )

"""`sastre train dpo`: learn from preference pairs (DPO / IPO) or single thumbs (KTO).

--pairs takes `all` or `feedback` (the pairs Sastre built from your thumbs,
corrections and preferred versions), a pair source name, or a JSONL FILE of
{"prompt" (text or chat messages), "chosen", "rejected"} lines.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from desktop.cli.common import EXIT_INTERRUPTED, engine, sub
from desktop.cli.progress import run_in_terminal
from engine.config import help_for
from engine.errors import SastreError
from engine.train.preference import METHODS, PreferenceConfig

NO_DATA = (
    "No preference data yet: rate answers (thumbs, corrections, a preferred version among "
    "regenerations) or import pairs with `sastre pairs import FILE`, or give --pairs a JSONL "
    'file of {"prompt", "chosen", "rejected"} lines.'
)
FLAGS = (
    ("--beta", "beta", float),
    ("--iters", "iters", int),
    ("--epochs", "epochs", float),
    ("--lr", "learning_rate", float),
    ("--nll-weight", "nll_weight", float),
    ("--rank", "rank", int),
    ("--layers", "layers", int),
    ("--batch-size", "batch_size", int),
    ("--max-seq-length", "max_seq_length", int),
    ("--heldout", "heldout_fraction", float),
    ("--patience", "patience", int),
    ("--save-every", "save_every", int),
    ("--seed", "seed", int),
)


def add_parser(ts) -> None:
    q = sub(ts, "dpo", "Learn from preferences: DPO or IPO on pairs, KTO on single thumbs.")
    q.add_argument(
        "--pairs",
        default="all",
        metavar="all|feedback|FILE|SOURCE",
        help="What to learn from (default: all stored pairs).",
    )
    q.add_argument("--adapter", required=True, metavar="NAME", help="Name of the new adapter.")
    q.add_argument(
        "--method",
        dest="pref_method",
        choices=METHODS,
        default="dpo",
        help=help_for(PreferenceConfig, "method"),
    )
    q.add_argument(
        "--base-adapter",
        metavar="ADAPTER",
        help="Continue this adapter (e.g. your SFT one) instead of a new LoRA.",
    )
    q.add_argument("--model", "-m", help="Base model (default: the default model).")
    for flag, name, typ in FLAGS:
        q.add_argument(
            flag, dest=name, type=typ, default=None, help=help_for(PreferenceConfig, name)
        )
    q.add_argument("--resume", action="store_true", help="Resume a stopped run.")
    q.add_argument("--json", action="store_true", help="Print the final report as JSON.")


def read_jsonl(path: Path) -> list:
    """Pairs from a generic JSONL file; a bad line is reported (line number, why) and skipped."""
    from engine.train.preference import PreferenceExample, messages

    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            prompt = row.get("prompt", row.get("messages"))
            chosen, rejected = row["chosen"], row["rejected"]
            if not prompt or not isinstance(chosen, str) or not isinstance(rejected, str):
                raise ValueError("needs a prompt and text 'chosen' and 'rejected' answers")
            out.append(PreferenceExample(messages(prompt), chosen, rejected))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            why = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
            print(f"sastre: {path.name} line {n} skipped: {why}", file=sys.stderr)
    return out


def examples(eng, which: str, method: str) -> list:
    """The training examples --pairs names."""
    if Path(which).expanduser().is_file():
        found = read_jsonl(Path(which).expanduser())
    else:
        try:
            from engine import preferences as prefs
        except ImportError:
            raise SastreError(NO_DATA) from None
        if not hasattr(prefs, "training_examples") or not hasattr(eng.store, "preferences"):
            raise SastreError(NO_DATA)
        found = prefs.training_examples(eng.store, method, which)
    if not found:
        raise SastreError(NO_DATA)
    return found


def cmd_dpo(args) -> int:
    eng = engine(args)
    cfg = PreferenceConfig.from_dict(
        {name: getattr(args, name) for _, name, _ in FLAGS if getattr(args, name) is not None}
    )
    found = [] if args.resume else examples(eng, args.pairs, args.pref_method)
    rep = run_in_terminal(
        lambda callback, cancel, pause: eng.training.train_preferences(
            found,
            adapter=args.adapter,
            method=None if args.resume else args.pref_method,
            config=cfg,
            base_adapter=args.base_adapter,
            callbacks=callback,
            cancel=cancel,
            pause=pause,
            model=args.model,
            resume=args.resume,
        ),
        f"sastre train dpo --adapter {args.adapter} --resume",
    )
    if rep.status == "cancelled":
        return EXIT_INTERRUPTED
    if args.json:
        print(
            json.dumps(
                {k: v for k, v in rep.to_dict().items() if k != "curves"}, ensure_ascii=False
            )
        )
    else:
        print_report(rep.to_dict())
    return 0


JSON_KEYS = (
    "adapter",
    "method",
    "pairs_train",
    "pairs_heldout",
    "pref_acc_before",
    "pref_acc_after",
    "reward_margin_before",
    "reward_margin_after",
    "degeneration_before",
    "degeneration_after",
    "forgetting",
    "promotable",
    "not_promotable_reason",
)


def print_stored(metrics: dict, as_json: bool) -> int:
    """`sastre eval` of a preference adapter: the report stored when it was trained."""
    if as_json:
        print(json.dumps({k: metrics.get(k) for k in JSON_KEYS}, ensure_ascii=False))
    else:
        print_report(metrics)
    return 0


def print_report(ev: dict) -> None:
    """A preference run's report (its `to_dict()`, or the adapter record's metrics)."""
    db, da = ev["degeneration_before"], ev["degeneration_after"]
    print(
        f"Adapter '{ev['adapter']}' ({ev['method']}): {ev['steps']} steps on "
        f"{ev['pairs_train']} examples, {ev['pairs_heldout']} held out"
    )
    print(f"  preference accuracy  {ev['pref_acc_before']:.2f} -> {ev['pref_acc_after']:.2f}")
    print(
        f"  reward margin        {ev['reward_margin_before']:+.3f} -> "
        f"{ev['reward_margin_after']:+.3f}"
    )
    print(
        f"  degenerate answers   {db['degenerate']}/{db['answers']} -> "
        f"{da['degenerate']}/{da['answers']}"
    )
    print(
        f"  general ppl          {ev['general_ppl_before']:.2f} -> {ev['general_ppl_after']:.2f}"
        + ("   FORGETTING" if ev["forgetting"] else "")
    )
    if not ev["promotable"]:
        print(f"  NOT PROMOTABLE: {ev['not_promotable_reason']}")
    for s in ev.get("samples", []):
        print(f"\n  > {s['prompt']}\n  before: {s['before'][:200]}\n  after:  {s['after'][:200]}")

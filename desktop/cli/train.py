"""`sastre datasets / train / adapters / eval`: fine-tuning from the terminal.

A thin layer over engine.train; desktop.cli turns errors into one line.
"""

from __future__ import annotations

import json

from desktop.cli import train_dpo, train_reward
from desktop.cli.common import EXIT_INTERRUPTED, engine, sub
from desktop.cli.progress import Bar, run_in_terminal
from engine.config import help_for
from engine.train.config import PRESETS, TrainConfig

EVAL_KEYS = (
    "val_loss_before",
    "val_loss_after",
    "general_ppl_before",
    "general_ppl_after",
    "forgetting",
)


def _h(name: str) -> str:
    return help_for(TrainConfig, name)


def add_parsers(subs) -> None:
    """Add the training subcommands to the main parser."""
    _datasets_parser(subs)
    _train_parser(subs)
    _adapters_parser(subs)
    _eval_parser(subs)


def _datasets_parser(subs) -> None:
    p = sub(subs, "datasets", "Build, inspect and remove training datasets.")
    ds = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    q = sub(
        ds, "import", "Import a JSONL file (chat `messages`, `prompt`/`completion`, or `text`)."
    )
    q.add_argument("file")
    q.add_argument("--name", required=True)
    _valid(q)
    q = sub(ds, "from-chats", "Liked and corrected answers from your chats.")
    q.add_argument("--name", required=True)
    _valid(q)
    q = sub(ds, "from-docs", "The text of a collection, for continued pre-training.")
    q.add_argument("collection")
    q.add_argument("--name", required=True)
    _valid(q)
    q = sub(ds, "list", "Show datasets.")
    q.add_argument("--json", action="store_true")
    q = sub(ds, "show", "Counts, warnings and a preview of a dataset.")
    q.add_argument("name")
    q.add_argument("--json", action="store_true")
    q.add_argument("--limit", type=int, default=3, help="Examples to preview.")
    q = sub(ds, "rm", "Remove a dataset.")
    q.add_argument("name")


def _train_parser(subs) -> None:
    p = sub(subs, "train", "Fine-tune a model on your data.")
    ts = p.add_subparsers(dest="method", metavar="METHOD", required=True, parser_class=type(p))
    q = sub(ts, "lora", "Train a LoRA adapter (QLoRA on a 4-bit model).")
    q.add_argument(
        "--dataset",
        action="append",
        required=True,
        metavar="NAME[:WEIGHT]",
        help="Dataset to train on; repeat for a weighted mix (e.g. --dataset a:2 --dataset b).",
    )
    q.add_argument("--adapter", required=True, metavar="NAME", help="Name of the new adapter.")
    q.add_argument("--model", "-m", help="Base model (default: the default model).")
    q.add_argument(
        "--from",
        dest="parent",
        metavar="ADAPTER",
        help="Continue training this adapter on the new data.",
    )
    q.add_argument("--preset", choices=tuple(PRESETS), default="balanced", help=_h("preset"))
    for flag, name, typ in (
        ("--rank", "rank", int),
        ("--layers", "layers", int),
        ("--iters", "iters", int),
        ("--epochs", "epochs", float),
        ("--lr", "learning_rate", float),
        ("--batch-size", "batch_size", int),
        ("--max-seq-length", "max_seq_length", int),
        ("--save-every", "save_every", int),
        ("--seed", "seed", int),
    ):
        q.add_argument(flag, dest=name, type=typ, default=None, help=_h(name))
    q.add_argument("--no-mask-prompt", action="store_true", help="Also learn the prompts.")
    q.add_argument(
        "--prompt", action="append", dest="eval_prompts", metavar="TEXT", help=_h("eval_prompts")
    )
    q.add_argument(
        "--resume", action="store_true", help="Resume a stopped run from its checkpoint."
    )
    q.add_argument("--json", action="store_true", help="Print the final report as JSON.")
    train_dpo.add_parser(ts)
    train_reward.add_parser(ts)


def _adapters_parser(subs) -> None:
    p = sub(subs, "adapters", "List, use, fuse, export and remove trained adapters.")
    ad = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    q = sub(ad, "list", "Show adapters with their base model, data and metrics.")
    q.add_argument("--json", action="store_true")
    q = sub(ad, "use", "Use this adapter in chat by default ('none' to stop).")
    q.add_argument("name")
    q = sub(ad, "fuse", "Merge an adapter into its base model as a new model.")
    q.add_argument("name")
    q.add_argument("--name", dest="out_name", help="Name of the new model.")
    q.add_argument("--dequantize", action="store_true", help="Save it unquantized.")
    q = sub(ad, "export", "Write an adapter for other tools.")
    q.add_argument("name")
    q.add_argument("--format", choices=("peft", "mlx", "fused", "gguf"), default="peft")
    q.add_argument("--out", required=True, metavar="PATH")
    q = sub(ad, "rm", "Delete an adapter.")
    q.add_argument("name")
    q = sub(ad, "ab", "Blind A/B: answers of two adapters to one prompt; pick the better one.")
    q.add_argument("a")
    q.add_argument("b")
    q.add_argument("--prompt", required=True)
    q.add_argument("--pick", choices=("a", "b", "tie"), help="Your pick (default: asked).")
    q.add_argument("--max-tokens", type=int, default=128)


def _eval_parser(subs) -> None:
    p = sub(subs, "eval", "Show the evaluation report of an adapter (or measure it again).")
    p.add_argument("--adapter", required=True)
    p.add_argument(
        "--recompute",
        action="store_true",
        help="Measure again (losses with and without the adapter, answers) and "
        "store the new report, instead of showing the one from training.",
    )
    p.add_argument(
        "--prompt",
        action="append",
        dest="eval_prompts",
        metavar="TEXT",
        help="A prompt to answer before/after (repeatable; implies --recompute).",
    )
    p.add_argument("--json", action="store_true")


def _valid(q) -> None:
    q.add_argument(
        "--valid-fraction",
        type=float,
        default=0.1,
        help="Share of examples held out for validation.",
    )
    q.add_argument("--model", "-m", help="Model whose tokenizer counts tokens.")
    q.add_argument("--replace", action="store_true", help="Replace a dataset of the same name.")


def _print_stats(rec) -> None:
    s = rec.stats
    tokens = f"{s['tokens']} tokens" if s.get("tokens") is not None else "tokens not counted"
    print(
        f"Dataset '{rec.name}' ({rec.format}, from {rec.source}): {s['examples']} examples "
        f"({s['train']} train / {s['valid']} validation), {tokens}."
    )
    for w in s.get("warnings", []):
        print(f"  warning: {w}")


def cmd_datasets(args) -> int:
    eng = engine(args)
    tr = eng.training
    kw = {}
    if args.action in ("import", "from-chats", "from-docs"):
        kw = {"model": args.model, "valid_fraction": args.valid_fraction, "replace": args.replace}
    if args.action == "import":
        _print_stats(tr.import_dataset(args.file, args.name, **kw))
    elif args.action == "from-chats":
        _print_stats(tr.dataset_from_chats(args.name, **kw))
    elif args.action == "from-docs":
        _print_stats(tr.dataset_from_docs(args.collection, args.name, **kw))
    elif args.action == "list":
        items = eng.store.datasets.list()
        if args.json:
            print(json.dumps([d.to_dict() for d in items], ensure_ascii=False))
        elif not items:
            print("No datasets yet. Try `sastre datasets from-chats --name my-answers`.")
        for d in [] if args.json else items:
            print(
                f"{d.name:<24} {d.format:<12} {d.stats.get('examples', 0):>6} ex  "
                f"{d.stats.get('tokens') or '-':>8} tok  {d.source}"
            )
    elif args.action == "show":
        from engine.train.datasets import get

        rec = get(eng.store, args.name)
        preview = eng.store.datasets.examples(args.name)[: max(0, args.limit)]
        if args.json:
            print(json.dumps({**rec.to_dict(), "preview": preview}, ensure_ascii=False))
        else:
            _print_stats(rec)
            for ex in preview:
                print("  " + json.dumps(ex, ensure_ascii=False)[:300])
    elif args.action == "rm":
        from engine.train.datasets import get

        get(eng.store, args.name)
        eng.store.datasets.remove(args.name)
        print(f"Removed dataset '{args.name}'.")
    return 0


def _datasets(values: list[str]) -> list[tuple[str, float]]:
    out = []
    for v in values:
        name, _, w = v.partition(":")
        try:
            out.append((name, float(w) if w else 1.0))
        except ValueError:
            from engine.errors import SastreError

            raise SastreError(
                f"'{v}': the weight after ':' must be a number, e.g. notes:2."
            ) from None
    return out


def cmd_train(args) -> int:
    if args.method == "dpo":
        return train_dpo.cmd_dpo(args)
    if args.method == "reward":
        return train_reward.cmd_reward(args)

    eng = engine(args)
    cfg = TrainConfig.from_dict(
        {
            k: getattr(args, k)
            for k in (
                "preset",
                "rank",
                "layers",
                "iters",
                "epochs",
                "learning_rate",
                "batch_size",
                "max_seq_length",
                "save_every",
                "seed",
                "eval_prompts",
            )
            if getattr(args, k) is not None
        }
    )
    cfg.mask_prompt = not args.no_mask_prompt
    rep = run_in_terminal(
        lambda callback, cancel, pause: eng.training.train(
            _datasets(args.dataset),
            args.adapter,
            model=args.model,
            config=cfg,
            resume=args.resume,
            parent=args.parent,
            callback=callback,
            cancel=cancel,
            pause=pause,
        ),
        f"sastre train lora --adapter {args.adapter} --dataset X --resume",
    )
    if rep.status == "cancelled":
        return EXIT_INTERRUPTED
    if args.json:
        print(json.dumps(report_json(rep), ensure_ascii=False))
    else:
        _print_report(args.adapter, rep.to_dict())
    return 0


def report_json(rep) -> dict:
    """A run's report as `--json` prints it: the stored metrics without the curves."""
    return {k: v for k, v in rep.to_dict().items() if k != "curves"}


def _print_report(name: str, rep: dict) -> None:
    """A stored LoRA report (a run's `to_dict()` or an adapter record's metrics)."""

    def f(x):
        return "-" if x is None else f"{x:.3f}"

    print(
        f"Adapter '{name}': {rep.get('steps')} steps, {rep.get('tokens_per_second')} tok/s, "
        f"peak {rep.get('peak_memory_mb')} MB"
    )
    print(f"  validation loss  {f(rep['val_loss_before'])} -> {f(rep['val_loss_after'])}")
    print(
        f"  general ppl      {f(rep['general_ppl_before'])} -> {f(rep['general_ppl_after'])}"
        + (
            "   FORGETTING: the general set got worse beyond the threshold"
            if rep["forgetting"]
            else ""
        )
    )
    for s in rep.get("samples", []):
        print(f"\n  > {s['prompt']}\n  before: {s['before'][:200]}\n  after:  {s['after'][:200]}")


def cmd_adapters(args) -> int:
    eng = engine(args)
    tr = eng.training
    if args.action == "list":
        items = eng.store.adapters.list(reward=None)  # reward models too (method "reward")
        current = eng.store.settings.get("adapter")
        if args.json:
            print(
                json.dumps(
                    [{**a.to_dict(), "in_use": a.name == current} for a in items],
                    ensure_ascii=False,
                )
            )
            return 0
        if not items:
            print(
                "No adapters yet. Train one with `sastre train lora --dataset NAME --adapter NAME`."
            )
        for a in items:
            m = a.metrics
            loss = (
                f"val {m['val_loss_before']:.2f}->{m['val_loss_after']:.2f}"
                if m.get("val_loss_after") is not None
                else "-"
            )
            if a.method == "reward" and m.get("acc_after") is not None:
                loss = f"held-out acc {m['acc_before']:.2f}->{m['acc_after']:.2f}"
            ds = ",".join(d["name"] for d in a.datasets)
            mark = "* " if a.name == current else "  "
            print(
                f"{mark}{a.name:<20} {a.base_model:<24} {a.method:<6} {a.status:<9} "
                f"r={a.params.get('rank', '-')} {loss}  {ds}  {(a.created_at or '')[:16]}"
            )
    elif args.action == "use":
        rec = tr.use(None if args.name == "none" else args.name)
        print(
            f"Chat now uses adapter '{rec.name}' with {rec.base_model}."
            if rec
            else "Chat now uses no adapter."
        )
    elif args.action == "fuse":
        from engine.train.service import fuse_adapter

        rec = fuse_adapter(tr, args.name, args.out_name, args.dequantize)
        print(f"Created model '{rec.name}' at {rec.path}")
    elif args.action == "export":
        from engine.train.service import export_adapter

        out = export_adapter(tr, args.name, args.out, args.format)
        print(f"Exported '{args.name}' ({args.format}) to {out}")
    elif args.action == "ab":
        return _ab(eng, args)
    elif args.action == "rm":
        rec = tr.remove_adapter(args.name)
        print(f"Removed adapter '{rec.name}' and its files.")
    return 0


def _ab(eng, args) -> int:
    from engine.train.service import ab_answers

    answers = ab_answers(eng.training, eng.chat, args.a, args.b, args.prompt, args.max_tokens)
    for item in answers:
        print(f"--- {item['label']} ---\n{item['text']}\n")
    pick = args.pick or input("Which is better? [a/b/tie] ").strip().lower()
    if pick not in ("a", "b", "tie"):
        from engine.errors import SastreError

        raise SastreError("Answer a, b or tie.")
    by_label = {i["label"].lower(): i["adapter"] for i in answers}
    winner = by_label.get(pick, "tie")
    eng.store.adapters.add_vote(args.prompt, args.a, args.b, winner)
    from engine.preferences import record_ab_vote

    record_ab_vote(eng.store, args.prompt, answers, winner)  # the vote is a preference pair too
    wins = eng.store.adapters.wins()
    print(
        f"Recorded: {winner}. Wins so far: {args.a} {wins.get(args.a, 0)}, "
        f"{args.b} {wins.get(args.b, 0)}, ties {wins.get('tie', 0)}."
    )
    return 0


def cmd_eval(args) -> int:
    eng = engine(args)
    rec = eng.training.adapter(args.adapter)
    if args.recompute or args.eval_prompts:
        bar = Bar()
        rec.metrics = eng.training.evaluate(rec.name, args.eval_prompts, bar.callback)
    if rec.metrics and "pref_acc_after" in rec.metrics:  # a preference run's report
        return train_dpo.print_stored(rec.metrics, args.json)
    if not rec.metrics or "val_loss_before" not in rec.metrics:
        from engine.errors import SastreError

        raise SastreError(f"Adapter '{args.adapter}' has no evaluation yet (status: {rec.status}).")
    if args.json:
        print(json.dumps({k: rec.metrics.get(k) for k in EVAL_KEYS}))
    else:
        _print_report(rec.name, rec.metrics)
    return 0


COMMANDS = {
    "datasets": cmd_datasets,
    "train": cmd_train,
    "adapters": cmd_adapters,
    "eval": cmd_eval,
}

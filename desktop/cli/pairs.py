"""`sastre pairs`: the preference data that `sastre train dpo` learns from.

Listing brings the pairs up to date with feedback and answer versions first
(engine.preferences.rebuild), so what is shown is what training would use.
"""

from __future__ import annotations

import json
import sys

from desktop.cli.common import EXIT_USER_ERROR, engine, print_json, sub, table
from engine import preferences as prefs

ERRORS_SHOWN = 50  # bad lines printed by `pairs import`; the rest are counted


def add_parsers(subs) -> None:
    p = sub(subs, "pairs", "Preference pairs (chosen / rejected answers) and single thumbs.")
    ps = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    q = sub(ps, "list", "List pairs and single labelled answers, and how many more are needed.")
    q.add_argument("--json", action="store_true", help="Print one JSON object.")
    q = sub(ps, "export", "Write pairs as JSONL ({prompt, chosen, rejected, source}).")
    q.add_argument("file", nargs="?", help="Output file (default: standard output).")
    q.add_argument(
        "--kind",
        choices=("pairs", "examples", "all"),
        default="pairs",
        help="pairs; examples: single answers as {prompt, completion, label}; or all.",
    )
    q = sub(ps, "rm", "Drop pairs (or, with --example, single answers) by number.")
    q.add_argument("ids", metavar="ID", type=int, nargs="+")
    q.add_argument("--example", action="store_true", help="The numbers are single answers.")
    q = sub(ps, "import", "Import pairs from HH-RLHF, OpenAssistant, SHP or JSONL files.")
    q.add_argument("file")
    q.add_argument(
        "--format",
        choices=("auto", "hh", "oasst", "shp", "jsonl"),
        default="auto",
        help="The file's format (default: detected from its first record).",
    )
    q.add_argument("--json", action="store_true", help="Print the import report as JSON.")


def _clip(text: str, width: int = 40) -> str:
    """One line of a table cell: whitespace collapsed, control characters dropped."""
    flat = "".join(ch for ch in " ".join(text.split()) if ch.isprintable())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _question(prompt: list[dict]) -> str:
    users = [m["content"] for m in prompt if m["role"] == "user"]
    return users[-1] if users else ""


def _needed(r: prefs.Readiness) -> str:
    if r.method == "dpo":
        return f"Enough pairs to train ({prefs.MIN_PAIRS} needed, {prefs.HELD_OUT_PAIRS} held out)."
    if r.method == "kto":
        return (
            f"Enough single thumbs to train with KTO; {r.pairs_needed} more pairs for DPO "
            f"({prefs.MIN_PAIRS} needed, {prefs.HELD_OUT_PAIRS} held out)."
        )
    return (
        f"{r.pairs_needed} more pairs needed before training makes sense ({prefs.MIN_PAIRS}, "
        f"{prefs.HELD_OUT_PAIRS} of them held out to check the result); or {r.labelled_needed} "
        "more thumbs up/down for KTO."
    )


def cmd_list(args) -> int:
    eng = engine(args)
    prefs.rebuild(eng.store)
    pairs = eng.store.preferences.pairs.list()
    examples = eng.store.preferences.examples.list()
    ready = prefs.readiness(eng.store)
    if args.json:
        print_json(
            {
                "pairs": [p.to_dict() for p in pairs],
                "examples": [e.to_dict() for e in examples],
                "readiness": ready.to_dict(),
            }
        )
        return 0
    if pairs:
        rows = [
            [
                p.id,
                p.source + ("*" if p.edited else ""),
                _clip(_question(p.prompt), 30),
                _clip(p.chosen),
                _clip(p.rejected),
            ]
            for p in pairs
        ]
        print(table(rows, ["ID", "SOURCE", "QUESTION", "CHOSEN", "REJECTED"]))
    if examples:
        rows = [
            [
                e.id,
                "good" if e.desirable else "bad",
                e.source,
                _clip(_question(e.prompt), 30),
                _clip(e.answer, 50),
            ]
            for e in examples
        ]
        print(("\n" if pairs else "") + "Single answers (rm with --example):")
        print(table(rows, ["ID", "LABEL", "SOURCE", "QUESTION", "ANSWER"]))
    print(f"{len(pairs)} pairs, {len(examples)} single answers. {_needed(ready)}")
    return 0


def _export_lines(store, kind: str):
    if kind in ("pairs", "all"):
        for p in store.preferences.pairs.list():
            yield {
                "prompt": p.prompt,
                "chosen": p.chosen,
                "rejected": p.rejected,
                "source": p.source,
                "id": p.id,
                "created_at": p.created_at,
            }
    if kind in ("examples", "all"):
        for e in store.preferences.examples.list():
            yield {
                "prompt": e.prompt,
                "completion": e.answer,
                "label": e.desirable,
                "source": e.source,
                "id": e.id,
                "created_at": e.created_at,
            }


def cmd_export(args) -> int:
    eng = engine(args)
    prefs.rebuild(eng.store)
    lines = [json.dumps(x, ensure_ascii=False) + "\n" for x in _export_lines(eng.store, args.kind)]
    if args.file:
        from pathlib import Path

        Path(args.file).expanduser().write_text("".join(lines), encoding="utf-8")
        print(f"Wrote {len(lines)} records to {args.file}.", file=sys.stderr)
    else:
        sys.stdout.writelines(lines)
    return 0


def cmd_rm(args) -> int:
    eng = engine(args)
    repo = eng.store.preferences.examples if args.example else eng.store.preferences.pairs
    what = "single answer" if args.example else "pair"
    missing = [i for i in args.ids if not repo.delete(i)]
    for i in args.ids:
        if i not in missing:
            print(f"Dropped {what} {i}.")
    if missing:
        print(
            f"sastre: no {what} {', '.join(map(str, missing))}; see `sastre pairs list`.",
            file=sys.stderr,
        )
        return EXIT_USER_ERROR
    return 0


def cmd_import(args) -> int:
    from engine.preference_files import import_pairs

    eng = engine(args)
    rep = import_pairs(eng.store, args.file, args.format)
    for line in rep.errors[:ERRORS_SHOWN]:
        print(f"{rep.file} {line}", file=sys.stderr)
    if rep.error_count > ERRORS_SHOWN:
        print(f"... and {rep.error_count - ERRORS_SHOWN} more bad lines.", file=sys.stderr)
    if args.json:
        print_json(rep.to_dict())
    else:
        extra = f" and {rep.examples_added} single answers" if rep.examples_added else ""
        print(
            f"Imported {rep.pairs_added} pairs{extra} from {rep.file} (format {rep.format}); "
            f"{rep.duplicates} already there or dropped, {rep.error_count} bad lines skipped."
        )
    nothing = rep.pairs_added + rep.examples_added + rep.duplicates == 0
    return EXIT_USER_ERROR if nothing else 0


def cmd_pairs(args) -> int:
    return {"list": cmd_list, "export": cmd_export, "rm": cmd_rm, "import": cmd_import}[
        args.action
    ](args)


COMMANDS = {"pairs": cmd_pairs}

"""`sastre doctor` and `sastre gui`: check the installation, open the desktop app."""

from __future__ import annotations

import os
import sys

from desktop.cli.chat import repl
from desktop.cli.common import EXIT_USER_ERROR, print_json, sub


def add_parsers(subs) -> None:
    sub(subs, "gui", "Open the desktop app (the default with no command).")
    p = sub(subs, "doctor", "Check the installation and explain any problem.")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--check",
        action="store_true",
        help="Also check the database: integrity of the file and consistency of each "
        "collection's chunks, vectors and full-text index (exits 1 on a problem).",
    )
    p.add_argument(
        "--repair",
        action="store_true",
        help="Rebuild a damaged database: keep a copy in backups/, carry chats, feedback and "
        "settings over, and rebuild the document index from your files.",
    )


def cmd_doctor(args) -> int:
    from engine.doctor import as_dicts, collect

    if args.repair:
        return _repair(args)
    checks = collect(getattr(args, "data_dir", None), check_database=args.check)
    if args.json:
        print_json(as_dicts(checks))
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            print(f"{'ok ' if c.ok else '!! '} {c.name:<{width}}  {c.value}")
            if not c.ok and c.fix:
                print(f"    {'':<{width}}  fix: {c.fix}")
    return 0 if all(c.ok for c in checks) else EXIT_USER_ERROR


def _repair(args) -> int:
    from engine.doctor import repair

    report = repair(getattr(args, "data_dir", None))
    print(f"Kept a copy of the damaged database: {report.backup}")
    copied = ", ".join(f"{n} {t}" for t, n in sorted(report.copied.items()) if n)
    print(f"Carried over: {copied or 'nothing readable'}.")
    for table, n in sorted(report.lost.items()):
        print(f"Could not read {n} row(s) of {table}; they are still in the copy.")
    for name, counts in report.reindexed.items():
        done = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        print(f"Collection '{name}' rebuilt from its files: {done or 'no files found'}.")
    return 0 if not report.lost else EXIT_USER_ERROR


def cmd_gui(args) -> int:
    if (
        not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and sys.platform.startswith("linux")
    ):
        if os.environ.get("QT_QPA_PLATFORM") not in ("offscreen", "minimal"):
            print(
                "No display found, so the desktop window cannot open. The CLI is ready: try\n"
                '  sastre chat "Give me three tips for writing a cover letter"\n'
                "  sastre --help",
                file=sys.stderr,
            )
            return 0 if not sys.stdin.isatty() else repl(args)
    try:
        from desktop.app import run_gui
    except ImportError:
        print(
            "The desktop window is not available in this installation; starting the terminal chat.",
            file=sys.stderr,
        )
        return repl(args)
    return run_gui(getattr(args, "data_dir", None))


COMMANDS = {"doctor": cmd_doctor, "gui": cmd_gui}

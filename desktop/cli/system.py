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


def cmd_doctor(args) -> int:
    from engine.doctor import as_dicts, collect

    checks = collect(getattr(args, "data_dir", None))
    if args.json:
        print_json(as_dicts(checks))
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            print(f"{'ok ' if c.ok else '!! '} {c.name:<{width}}  {c.value}")
            if not c.ok and c.fix:
                print(f"    {'':<{width}}  fix: {c.fix}")
    return 0 if all(c.ok for c in checks) else EXIT_USER_ERROR


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

"""The `sastre` command: a thin layer over the engine, one module per command group.

Errors meant for the user (engine.errors.USER_ERRORS) become one line on
stderr and a non-zero exit, here and nowhere else. Anything unexpected is
logged with its traceback in <data dir>/logs and reported in one line too.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from desktop.cli import chat, models, pairs, personalize, rag, serve, system, train
from desktop.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_USER_ERROR,
    Parser,
    SafeText,
    add_global,
)
from engine.errors import USER_ERRORS

# In the order `sastre --help` lists them.
GROUPS = (system, chat, models, rag, personalize, train, pairs, serve)
COMMANDS = {name: fn for group in GROUPS for name, fn in group.COMMANDS.items()}


def build_parser() -> Parser:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("sastre")
    except PackageNotFoundError:
        ver = "dev"
    parser = Parser(
        prog="sastre",
        description="Sastre tailors a local language model to your work, privately, offline.",
    )
    parser.add_argument("--version", action="version", version=f"sastre {ver}")
    add_global(parser)
    subs = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for group in GROUPS:
        group.add_parsers(subs)
    return parser


def _log_crash(args) -> Path | None:
    try:
        from engine.platform import resolve_data_dir

        logs = resolve_data_dir(getattr(args, "data_dir", None)) / "logs"
        logs.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = logs / "sastre.log"
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)  # private text
        with open(fd, "a", encoding="utf-8") as f:
            f.write(traceback.format_exc() + "\n")
        return path
    except OSError:
        return None


def _damaged(exc: BaseException) -> bool:
    from store.errors import DamagedDatabaseError

    return isinstance(exc, DamagedDatabaseError)


def main(argv: list[str] | None = None) -> int:
    """Run one command. Everything printed goes through SafeText (no terminal escapes)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeText(out), SafeText(err, keep_cr=True)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "gui"
    try:
        return COMMANDS[command](args)
    except USER_ERRORS as exc:
        hint = " Run `sastre doctor --repair` to do it now." if _damaged(exc) else ""
        print(f"sastre: {exc}{hint}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("\nsastre: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if exc.errno == 28:
            print(
                f"sastre: the disk is full ({exc.filename or ''}). Free some space and try "
                "again; saved chats are intact.",
                file=sys.stderr,
            )
            return EXIT_USER_ERROR
        log = _log_crash(args)
        print(f"sastre: {exc}. Details: {log}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception as exc:  # noqa: BLE001 - the single place unexpected errors are reported
        log = _log_crash(args)
        print(
            f"sastre: unexpected error: {type(exc).__name__}: {exc}. Details were written to "
            f"{log}; please report it.",
            file=sys.stderr,
        )
        return EXIT_USER_ERROR

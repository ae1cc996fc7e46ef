"""What every `sastre` command group shares: the parser pieces, the engine, output helpers."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from desktop.format import human_params, human_size
from engine.config import GenerationConfig, help_for

EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_USAGE",
    "EXIT_USER_ERROR",
    "ConsoleProgress",
    "Parser",
    "add_generation_flags",
    "add_global",
    "cancel_on_interrupt",
    "engine",
    "human_params",
    "human_size",
    "print_json",
    "sub",
    "table",
]


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line instead of usage + error
        self.exit(EXIT_USAGE, f"sastre: {message}. See `{self.prog} --help`.\n")


def add_global(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="Folder for Sastre's database and models (default: $SASTRE_HOME, else the "
        "platform's user data folder).",
    )


def sub(subs, name: str, help: str) -> argparse.ArgumentParser:
    """A subcommand that also takes the global options."""
    p = subs.add_parser(name, help=help, description=help)
    add_global(p)
    return p


def add_generation_flags(p: argparse.ArgumentParser, names: tuple[str, ...]) -> None:
    """Sampling flags whose help text comes from GenerationConfig."""
    types = {"temperature": float, "top_p": float, "max_tokens": int, "seed": int,
             "repetition_penalty": float}  # fmt: skip
    for name in names:
        flag = "--" + name.replace("_", "-")
        p.add_argument(
            flag, dest=name, type=types[name], default=None, help=help_for(GenerationConfig, name)
        )


def generation_config(eng, args, names: tuple[str, ...]) -> GenerationConfig:
    """The saved generation settings, with the flags the user gave on top."""
    given = {k: getattr(args, k) for k in names if getattr(args, k, None) is not None}
    return GenerationConfig.from_dict({**eng.store.settings.get("generation", {}), **given})


def engine(args):
    from engine.context import Engine

    return Engine(getattr(args, "data_dir", None))


def print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=None))


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(fmt.format(*map(str, r)).rstrip() for r in [header, *rows])


class ConsoleProgress:
    """A one-line progress bar on stderr for (message, fraction) callbacks."""

    def __init__(self):
        self._last = ""

    def __call__(self, message: str, fraction: float) -> None:
        if not sys.stderr.isatty():
            if message != self._last:
                print(f"{message}", file=sys.stderr)
                self._last = message
            return
        bar = "#" * int(fraction * 30)
        print(f"\r{message[:50]:<50} [{bar:<30}] {fraction:4.0%}", end="", file=sys.stderr)
        if fraction >= 1:
            print(file=sys.stderr)


class cancel_on_interrupt:
    """First Ctrl-C sets the cancel event (the job stops cleanly); a second one aborts."""

    def __init__(self, event: threading.Event):
        self.event = event

    def __enter__(self):
        if threading.current_thread() is not threading.main_thread():
            self.old = None
            return self

        def handler(signum, frame):
            if self.event.is_set():
                raise KeyboardInterrupt
            self.event.set()

        self.old = signal.signal(signal.SIGINT, handler)
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            signal.signal(signal.SIGINT, self.old)
        return False

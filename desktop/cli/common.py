"""What every `sastre` command group shares: the parser pieces, the engine, output helpers."""

from __future__ import annotations

import argparse
import io
import json
import re
import signal
import sys
import threading

from desktop.format import human_params, human_size
from engine.config import GenerationConfig, help_for

EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

__all__ = [
    "MAX_ID",
    "SafeText",
    "clean_terminal",
    "row_id",
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


# -- terminal safety ------------------------------------------------------------------
# Text from documents and models may carry terminal control sequences (OSC 52 writes
# the clipboard, CSI clears the screen, OSC 0 sets the title). Whole sequences go
# first, then any control character left (so a sequence split across two writes is
# harmless: its ESC is gone). Tab and newline stay; carriage return only on stderr.
_SEQUENCE = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC ... ST
    r"|\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI
    r"|\x9b[0-?]*[ -/]*[@-~]?|\x9d[^\x07\x9c]*[\x07\x9c]?"  # 8-bit CSI, OSC
    r"|\x1b[ -/]*[0-~]?"  # two-character escapes
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_KEEP_CR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_terminal(text: str, keep_cr: bool = False) -> str:
    """Text safe to print: terminal control sequences and control characters removed.

    Bidirectional overrides go too: they make a terminal show text in another order.
    """
    text = _SEQUENCE.sub("", text)
    return (_CONTROL_KEEP_CR if keep_cr else _CONTROL).sub("", text)


class SafeText(io.TextIOBase):
    """A stdout/stderr wrapper that cleans everything written through it.

    `main()` installs it, so every printer (search hits, answers, chats, errors)
    goes through one helper whatever the command.
    """

    def __init__(self, raw, keep_cr: bool = False):
        self.raw, self.keep_cr = raw, keep_cr

    def write(self, text: str) -> int:
        self.raw.write(clean_terminal(text, self.keep_cr))
        return len(text)

    def flush(self) -> None:
        self.raw.flush()

    def isatty(self) -> bool:
        return self.raw.isatty()

    def fileno(self) -> int:
        return self.raw.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self.raw, "encoding", "utf-8")


MAX_ID = 2**63 - 1  # SQLite's largest rowid


def row_id(text: str) -> int:
    """An argparse type for ids: a clear message instead of an overflow deep in SQLite."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an id (a whole number)") from None
    if not 1 <= value <= MAX_ID:
        raise argparse.ArgumentTypeError(f"{text} is not an id: ids go from 1 to {MAX_ID}")
    return value


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
    types = {
        "temperature": float,
        "top_p": float,
        "max_tokens": int,
        "seed": int,
        "repetition_penalty": float,
    }
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
    """First Ctrl-C sets the cancel event (the job stops cleanly); a second one aborts.

    SIGTERM and SIGHUP (a process manager, a closing terminal) count as Ctrl-C, so
    they too stop cleanly and keep what was done (the partial answer, the run so far).
    """

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

        signals = [signal.SIGINT] + [
            getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
        ]
        self.old = {sig: signal.signal(sig, handler) for sig in signals}
        return self

    def __exit__(self, *exc):
        for sig, old in (self.old or {}).items():
            signal.signal(sig, old)
        return False


def add_best_of_flags(p: argparse.ArgumentParser) -> None:
    """--best-of N and --reward-model NAME (engine/best_of.py)."""
    from engine.best_of import MAX_N

    p.add_argument(
        "--best-of",
        type=int,
        default=1,
        metavar="N",
        help=f"Sample N answers (up to {MAX_N}) and keep the one the reward model scores "
        "highest; about N times the time of one answer (default: 1, off). Needs a reward "
        "model: `sastre train reward`.",
    )
    p.add_argument(
        "--reward-model",
        metavar="NAME",
        help="The reward model for --best-of (default: the newest for the model).",
    )


def best_of_line(best: dict | None) -> str | None:
    """'best of 4 · reward 1.30 · took 3.1 s', or None when best of N was off."""
    if not best:
        return None
    score = best["scores"][best["chosen"]]
    return f"best of {best['sampled']} · reward {score:.2f} · took {best['seconds']:.1f} s"

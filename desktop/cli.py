"""The `sastre` command: a thin layer over the engine.

Errors meant for the user (engine.errors.USER_ERRORS) become one line on
stderr and a non-zero exit, here and nowhere else. Anything unexpected is
logged with its traceback in <data dir>/logs and reported in one line too.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import traceback
from pathlib import Path

from desktop.cli_personalize import COMMANDS as PERSONALIZE_COMMANDS
from desktop.cli_personalize import add_parsers as add_personalize_parsers
from desktop.cli_rag import COMMANDS as RAG_COMMANDS
from desktop.cli_rag import add_parsers as add_rag_parsers
from desktop.cli_train import COMMANDS as TRAIN_COMMANDS
from desktop.cli_train import add_parsers as add_train_parsers
from engine.config import GenerationConfig, help_for
from engine.errors import USER_ERRORS, SastreError

EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line instead of usage + error
        self.exit(EXIT_USAGE, f"sastre: {message}. See `{self.prog} --help`.\n")


def _add_global(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="Folder for Sastre's database and models (default: $SASTRE_HOME, else the "
        "platform's user data folder).",
    )


def _sub(subs, name: str, help: str) -> argparse.ArgumentParser:
    p = subs.add_parser(name, help=help, description=help)
    _add_global(p)
    return p


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
    _add_global(parser)
    subs = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    _sub(subs, "gui", "Open the desktop app (the default with no command).")

    p = _sub(subs, "chat", "Ask the model; the answer streams as it is generated.")
    p.add_argument("text", nargs="?", help="Your message (read from stdin if omitted and piped).")
    p.add_argument(
        "--model", "-m", help="Installed model name or model folder (default: the default model)."
    )
    p.add_argument("--system", help="System prompt for a new chat.")
    p.add_argument(
        "--chat", type=int, metavar="ID", help="Continue chat ID (see `sastre chats list`)."
    )
    p.add_argument("--no-save", action="store_true", help="Do not save this exchange.")
    p.add_argument(
        "--json", action="store_true", help="Print one JSON object at the end instead of streaming."
    )
    p.add_argument("--persona", metavar="NAME", help="Use a persona (see `sastre personas list`).")
    p.add_argument(
        "--adapter", metavar="NAME", help="Use a trained adapter (see `sastre adapters list`)."
    )
    p.add_argument(
        "--show-prompt",
        action="store_true",
        help="Print the exact prompt sent, part by part with token counts, before the answer "
        '(with --json: the field "prompt").',
    )
    p.add_argument(
        "--no-personalize",
        action="store_true",
        help="Leave out memories and examples from your feedback.",
    )
    for name, flag, typ in (
        ("temperature", "--temperature", float),
        ("top_p", "--top-p", float),
        ("max_tokens", "--max-tokens", int),
        ("seed", "--seed", int),
        ("repetition_penalty", "--repetition-penalty", float),
    ):
        p.add_argument(
            flag, dest=name, type=typ, default=None, help=help_for(GenerationConfig, name)
        )

    p = _sub(subs, "models", "List, import, download, quantize and remove models.")
    ms = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    q = _sub(ms, "list", "Show installed models.")
    q.add_argument("--json", action="store_true")
    q = _sub(ms, "import", "Add a local Hugging Face-layout folder or a .gguf file.")
    q.add_argument("path")
    q.add_argument("--name", help="Name to give it (default: folder or file name).")
    q.add_argument(
        "--copy",
        action="store_true",
        help="Copy a folder into the data folder instead of using it in place.",
    )
    q = _sub(ms, "pull", "Download a model from the Hugging Face hub (resumes).")
    q.add_argument("repo_id")
    q.add_argument("--name")
    q = _sub(ms, "quantize", "Make a 4- or 8-bit copy of a model.")
    q.add_argument("name")
    q.add_argument("--bits", type=int, choices=(4, 8), required=True)
    q.add_argument("--group-size", type=int, default=64, choices=(32, 64, 128))
    q.add_argument("--name", dest="out_name", help="Name of the copy (default: NAME-Nbit).")
    q = _sub(ms, "rm", "Remove a model (deletes its files when Sastre made them).")
    q.add_argument("name")
    q = _sub(ms, "default", "Set the model used when none is given.")
    q.add_argument("name")
    _sub(ms, "prepare", "Prepare the embedded default model now (done on first use otherwise).")

    p = _sub(subs, "chats", "Read back saved chats.")
    cs = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    q = _sub(cs, "list", "List chats, newest first.")
    q.add_argument("--search", help="Only chats whose title or messages contain this text.")
    q.add_argument("--json", action="store_true")
    q = _sub(cs, "show", "Print one chat.")
    q.add_argument("id", type=int)
    q.add_argument("--json", action="store_true")
    q = _sub(cs, "rm", "Delete a chat.")
    q.add_argument("id", type=int)

    add_rag_parsers(subs, _sub)  # index, watch, search, ask, collections, docs
    add_personalize_parsers(subs, _sub)  # feedback, personas, memory
    add_train_parsers(subs, _sub)  # datasets, train, adapters, eval

    p = _sub(subs, "doctor", "Check the installation and explain any problem.")
    p.add_argument("--json", action="store_true")
    return parser


# -- helpers ------------------------------------------------------------------


def _engine(args):
    from engine.context import Engine

    return Engine(getattr(args, "data_dir", None))


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=None))


def _human_size(n: int | None) -> str:
    if n is None:
        return "-"
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _human_params(n: int | None) -> str:
    if not n:
        return "-"
    return f"{n / 1e9:.1f}B" if n >= 1e9 else f"{n / 1e6:.0f}M"


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(fmt.format(*map(str, r)).rstrip() for r in [header, *rows])


class _ConsoleProgress:
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


# -- commands -----------------------------------------------------------------


def cmd_chat(args) -> int:
    text = args.text
    if text is None:
        if sys.stdin.isatty():
            return repl(args)
        text = sys.stdin.read()
    if not text.strip():
        raise SastreError(
            'The message is empty. Give it as an argument: sastre chat "your question".'
        )
    overrides = {
        k: getattr(args, k)
        for k in ("temperature", "top_p", "max_tokens", "seed", "repetition_penalty")
    }
    eng = _engine(args)
    config = GenerationConfig.from_dict(
        {
            **eng.store.settings.get("generation", {}),
            **{k: v for k, v in overrides.items() if v is not None},
        }
    )
    cancel = threading.Event()
    result = None
    stream_out = not args.json
    with _sigint_sets(cancel):
        for ev in eng.chat.send(
            text,
            chat_id=args.chat,
            model=args.model,
            system=args.system,
            config=config,
            save=not args.no_save,
            cancel=cancel,
            progress=_ConsoleProgress(),
            persona=args.persona,
            personalize=not args.no_personalize,
            adapter=args.adapter,
        ):
            if ev.parts is not None and args.show_prompt and stream_out:
                from engine.personalize import format_parts

                print(format_parts(ev.parts) + "\n", flush=True)
            if stream_out and ev.text:
                sys.stdout.write(ev.text)
                sys.stdout.flush()
            if ev.result:
                result = ev.result
    if args.json:
        extra = {"prompt": {"text": result.prompt, "parts": result.prompt_parts}}
        _print_json({**result.public(), **(extra if args.show_prompt else {})})
    else:
        sys.stdout.write("\n")
        if result.finish_reason == "cancelled":
            print("[stopped; the partial answer was kept]", file=sys.stderr)
        if result.chat_id is not None and sys.stderr.isatty():
            print(
                f"[chat {result.chat_id} · {result.model} · {result.generation_tps:.1f} tok/s]",
                file=sys.stderr,
            )
    return EXIT_INTERRUPTED if result.finish_reason == "cancelled" else 0


class _sigint_sets:
    """First Ctrl-C sets the cancel event (generation stops cleanly); a second one aborts."""

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


def repl(args) -> int:
    """An interactive chat in the terminal (used when no display is available)."""
    eng = _engine(args)
    chat_id = args.chat if hasattr(args, "chat") else None
    print("Sastre chat. Type your message and press Enter; Ctrl-C stops an answer; Ctrl-D quits.")
    while True:
        try:
            text = input("\n> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not text.strip():
            continue
        cancel = threading.Event()
        with _sigint_sets(cancel):
            for ev in eng.chat.send(
                text, chat_id=chat_id, cancel=cancel, progress=_ConsoleProgress()
            ):
                sys.stdout.write(ev.text)
                sys.stdout.flush()
                if ev.result:
                    chat_id = ev.result.chat_id
        print()


def cmd_models(args) -> int:
    eng = _engine(args)
    mm = eng.models
    if args.action == "list":
        infos = mm.list()
        if args.json:
            _print_json([i.to_dict() for i in infos])
            return 0
        if not infos:
            print(
                "No models yet. The embedded default model is prepared on first use "
                "(or now with `sastre models prepare`)."
            )
            return 0
        rows = [
            [("* " if i.is_default else "  ") + i.name, i.architecture or "-", _human_params(i.parameters),
             i.quantization or "-", _human_size(i.size_bytes), i.path + ("" if i.present else "  (MISSING)")]
            for i in infos
        ]  # fmt: skip
        print(_table(rows, ["  NAME", "ARCHITECTURE", "PARAMS", "QUANTIZATION", "SIZE", "PATH"]))
        return 0
    if args.action == "import":
        rec = mm.import_path(args.path, name=args.name, copy=args.copy, progress=_ConsoleProgress())
        print(f"Imported '{rec.name}' ({rec.architecture}, {rec.quantization}) from {args.path}")
    elif args.action == "pull":
        from tqdm.auto import tqdm

        rec = mm.pull(args.repo_id, name=args.name, tqdm_class=tqdm)
        print(f"Downloaded '{rec.name}' to {rec.path}")
    elif args.action == "quantize":
        rec = mm.quantize(args.name, args.bits, args.group_size, args.out_name)
        print(f"Created '{rec.name}' ({rec.quantization}, {_human_size(rec.size_bytes)})")
    elif args.action == "rm":
        rec = mm.remove(args.name)
        what = "deleted its files" if rec.managed else f"its folder {rec.path} was left in place"
        print(f"Removed '{rec.name}' ({what}).")
    elif args.action == "default":
        mm.set_default(args.name)
        print(f"Default model: {args.name}")
    elif args.action == "prepare":
        rec = mm.prepare_embedded(progress=_ConsoleProgress())
        print(f"Ready: '{rec.name}' at {rec.path}")
    return 0


def cmd_chats(args) -> int:
    eng = _engine(args)
    chats = eng.store.chats
    if args.action == "list":
        items = chats.list(search=args.search)
        if args.json:
            _print_json([c.to_dict() for c in items])
        elif not items:
            print('No chats yet. Start one with: sastre chat "your question"')
        else:
            rows = [[c.id, c.updated_at.replace("T", " ")[:16], c.message_count, c.model or "-", c.title]
                    for c in items]  # fmt: skip
            print(_table(rows, ["ID", "UPDATED", "MSGS", "MODEL", "TITLE"]))
        return 0
    chat = chats.get(args.id)
    if chat is None:
        raise SastreError(f"There is no chat {args.id}. See `sastre chats list`.")
    if args.action == "rm":
        chats.delete(args.id)
        print(f"Deleted chat {args.id} ({chat.title!r}).")
        return 0
    msgs = chats.messages(args.id)
    if args.json:
        _print_json({**chat.to_dict(), "messages": [m.to_dict() for m in msgs]})
        return 0
    print(f"# {chat.title}  (chat {chat.id}, {chat.model or '-'})")
    if chat.system_prompt:
        print(f"[system] {chat.system_prompt}")
    for m in msgs:
        print(f"\n[{m.role}{' #' + str(m.id)}]")
        print(m.content)
        if m.role == "assistant" and m.generation_tokens:
            extra = " (stopped)" if m.finish_reason == "cancelled" else ""
            print(
                f"  -- {m.model} · {m.generation_tokens} tokens · {m.generation_tps or 0:.1f} tok/s{extra}"
            )
    return 0


def cmd_doctor(args) -> int:
    from engine.doctor import as_dicts, collect

    checks = collect(getattr(args, "data_dir", None))
    if args.json:
        _print_json(as_dicts(checks))
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


COMMANDS = {
    "chat": cmd_chat,
    "models": cmd_models,
    "chats": cmd_chats,
    "doctor": cmd_doctor,
    "gui": cmd_gui,
    **RAG_COMMANDS,
    **TRAIN_COMMANDS,
    **PERSONALIZE_COMMANDS,
}


def _log_crash(args) -> Path | None:
    try:
        from engine.platform import resolve_data_dir

        logs = resolve_data_dir(getattr(args, "data_dir", None)) / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        path = logs / "sastre.log"
        with open(path, "a", encoding="utf-8") as f:
            f.write(traceback.format_exc() + "\n")
        return path
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "gui"
    try:
        return COMMANDS[command](args)
    except USER_ERRORS as exc:
        print(f"sastre: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("\nsastre: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if exc.errno == 28:
            print(f"sastre: the disk is full ({exc.filename or ''}). Free some space and try again; "
                  "saved chats are intact.", file=sys.stderr)  # fmt: skip
            return EXIT_USER_ERROR
        log = _log_crash(args)
        print(f"sastre: {exc}. Details: {log}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception as exc:  # noqa: BLE001 - the single place unexpected errors are reported
        log = _log_crash(args)
        print(f"sastre: unexpected error: {type(exc).__name__}: {exc}. Details were written to {log}; "
              "please report it.", file=sys.stderr)  # fmt: skip
        return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())

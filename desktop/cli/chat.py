"""`sastre chat` and `sastre chats`: ask, continue, read back and manage chats."""

from __future__ import annotations

import sys
import threading

from desktop.cli.common import (
    EXIT_INTERRUPTED,
    ConsoleProgress,
    Parser,
    add_best_of_flags,
    add_generation_flags,
    best_of_line,
    cancel_on_interrupt,
    engine,
    generation_config,
    print_json,
    row_id,
    sub,
    table,
)
from engine.errors import SastreError

GENERATION_FLAGS = ("temperature", "top_p", "max_tokens", "seed", "repetition_penalty")


def add_parsers(subs) -> None:
    p = sub(subs, "chat", "Ask the model; the answer streams as it is generated.")
    p.add_argument("text", nargs="?", help="Your message (read from stdin if omitted and piped).")
    p.add_argument(
        "--model", "-m", help="Installed model name or model folder (default: the default model)."
    )
    p.add_argument("--system", help="System prompt for a new chat.")
    p.add_argument(
        "--chat", type=row_id, metavar="ID", help="Continue chat ID (see `sastre chats list`)."
    )
    again = p.add_mutually_exclusive_group()
    again.add_argument(
        "--regenerate",
        type=row_id,
        metavar="MESSAGE_ID",
        help="Answer the question of answer MESSAGE_ID again; earlier versions are kept "
        "(see `sastre chats versions`).",
    )
    again.add_argument(
        "--edit",
        type=row_id,
        metavar="MESSAGE_ID",
        help="Replace your message MESSAGE_ID (and what followed it) with TEXT and answer it.",
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
    add_generation_flags(p, GENERATION_FLAGS)
    add_best_of_flags(p)

    p = sub(subs, "chats", "Read back saved chats.")
    cs = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    q = sub(cs, "list", "List chats, newest first.")
    q.add_argument("--search", help="Only chats whose title or messages contain this text.")
    q.add_argument("--json", action="store_true")
    q = sub(cs, "show", "Print one chat.")
    q.add_argument("id", type=row_id)
    q.add_argument("--json", action="store_true")
    q = sub(cs, "rm", "Delete a chat.")
    q.add_argument("id", type=row_id)
    q = sub(cs, "versions", "List the versions of an answer (after `sastre chat --regenerate`).")
    q.add_argument("message_id", type=row_id, metavar="MESSAGE_ID")
    q.add_argument("--json", action="store_true")
    q = sub(cs, "prefer", "Prefer one version of an answer: it is shown and liked over the rest.")
    q.add_argument("message_id", type=row_id, metavar="MESSAGE_ID")
    q.add_argument("index", type=int, metavar="INDEX", help="The version's index (from 0).")


def _message_text(args) -> str:
    text = args.text
    if text is None and not sys.stdin.isatty():
        text = sys.stdin.read()
    if not (text or "").strip():
        raise SastreError(
            'The message is empty. Give it as an argument: sastre chat "your question".'
        )
    return text


def _turn(eng, args, cancel: threading.Event):
    """The stream of events of the turn the flags ask for: a new message, an edit, or a
    regenerated answer."""
    choices = dict(
        model=args.model,
        config=generation_config(eng, args, GENERATION_FLAGS),
        save=not args.no_save,
        persona=args.persona,
        personalize=not args.no_personalize,
        adapter=args.adapter,
        best_of=args.best_of,
        reward_model=args.reward_model,
    )
    hooks = dict(cancel=cancel, progress=ConsoleProgress())
    if args.regenerate is not None:
        if args.text is not None:
            raise SastreError("--regenerate asks the same question again: give no TEXT.")
        return eng.chat.regenerate(args.regenerate, **hooks, **choices)
    if args.edit is not None:
        return eng.chat.edit(args.edit, _message_text(args), **hooks, **choices)
    text = _message_text(args)
    return eng.chat.send(text, chat_id=args.chat, system=args.system, **hooks, **choices)


def cmd_chat(args) -> int:
    if args.text is None and args.regenerate is None and sys.stdin.isatty():
        return repl(args)
    eng = engine(args)
    cancel = threading.Event()
    result = None
    stream_out = not args.json
    with cancel_on_interrupt(cancel):
        for ev in _turn(eng, args, cancel):
            if ev.parts is not None and args.show_prompt and stream_out:
                from engine.prompts import format_parts

                print(format_parts(ev.parts) + "\n", flush=True)
            if stream_out and ev.text:
                sys.stdout.write(ev.text)
                sys.stdout.flush()
            if ev.result:
                result = ev.result
    _report(result, args)
    return EXIT_INTERRUPTED if result.finish_reason == "cancelled" else 0


def _report(result, args) -> None:
    if args.json:
        extra = {"prompt": {"text": result.prompt, "parts": result.prompt_parts}}
        best = {"best_of": result.best_of} if result.best_of else {}
        print_json({**result.public(), **best, **(extra if args.show_prompt else {})})
        return
    sys.stdout.write("\n")
    if line := best_of_line(result.best_of):
        print(f"[{line}]", file=sys.stderr)
    if result.finish_reason == "cancelled":
        print("[stopped; the partial answer was kept]", file=sys.stderr)
    if result.chat_id is not None and sys.stderr.isatty():
        print(
            f"[chat {result.chat_id} · message {result.message_id} · {result.model} · "
            f"{result.generation_tps:.1f} tok/s]",
            file=sys.stderr,
        )


def repl(args) -> int:
    """An interactive chat in the terminal (used when no display is available)."""
    eng = engine(args)
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
        with cancel_on_interrupt(cancel):
            for ev in eng.chat.send(
                text,
                chat_id=chat_id,
                cancel=cancel,
                progress=ConsoleProgress(),
                best_of=getattr(args, "best_of", 1),
                reward_model=getattr(args, "reward_model", None),
            ):
                sys.stdout.write(ev.text)
                sys.stdout.flush()
                if ev.result:
                    chat_id = ev.result.chat_id
        print()


def cmd_chats(args) -> int:
    eng = engine(args)
    return {
        "list": _list_chats,
        "show": _show_chat,
        "rm": _remove_chat,
        "versions": _versions,
        "prefer": _prefer,
    }[args.action](eng, args)


def _list_chats(eng, args) -> int:
    items = eng.store.chats.list(search=args.search)
    if args.json:
        print_json([c.to_dict() for c in items])
    elif not items:
        print('No chats yet. Start one with: sastre chat "your question"')
    else:
        rows = [
            [c.id, c.updated_at.replace("T", " ")[:16], c.message_count, c.model or "-", c.title]
            for c in items
        ]
        print(table(rows, ["ID", "UPDATED", "MSGS", "MODEL", "TITLE"]))
    return 0


def _chat_or_fail(eng, chat_id: int):
    chat = eng.store.chats.get(chat_id)
    if chat is None:
        raise SastreError(f"There is no chat {chat_id}. See `sastre chats list`.")
    return chat


def _remove_chat(eng, args) -> int:
    chat = _chat_or_fail(eng, args.id)
    eng.store.chats.delete(args.id)
    print(f"Deleted chat {args.id} ({chat.title!r}).")
    return 0


def _show_chat(eng, args) -> int:
    chat = _chat_or_fail(eng, args.id)
    msgs = eng.store.chats.messages(args.id)
    if args.json:
        print_json({**chat.to_dict(), "messages": [m.to_dict() for m in msgs]})
        return 0
    print(f"# {chat.title}  (chat {chat.id}, {chat.model or '-'})")
    if chat.system_prompt:
        print(f"[system] {chat.system_prompt}")
    for m in msgs:
        print(f"\n[{m.role} #{m.id}]")
        print(m.content)
        if m.role == "assistant" and m.generation_tokens:
            extra = " (stopped)" if m.finish_reason == "cancelled" else ""
            print(
                f"  -- {m.model} · {m.generation_tokens} tokens · "
                f"{m.generation_tps or 0:.1f} tok/s{extra}"
            )
        if m.role == "assistant" and (n := len(eng.store.chats.versions(m.id))) > 1:
            print(f"  -- version {m.version + 1} of {n}: `sastre chats versions {m.id}`")
    return 0


def _versions(eng, args) -> int:
    versions = eng.chat.versions(args.message_id)
    if args.json:
        print_json([v.public() for v in versions])
        return 0
    for v in versions:
        marks = [m for m, on in (("shown", v.shown), ("preferred", v.preferred)) if on]
        who = v.model or "-" if not v.adapter else f"{v.model} + {v.adapter}"
        print(f"[{v.index}] {who}" + (f"  ({', '.join(marks)})" if marks else ""))
        print(f"    {v.content}")
    return 0


def _prefer(eng, args) -> int:
    v = eng.chat.prefer(args.message_id, args.index)
    print(f"Preferred version {v.index} of answer {args.message_id}; it is the one shown now.")
    return 0


COMMANDS = {"chat": cmd_chat, "chats": cmd_chats}

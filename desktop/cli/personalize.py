"""`sastre feedback / personas / memory`: personalization from the command line.

A thin layer over the store and engine.personalize; desktop.cli turns errors into one line.
"""

from __future__ import annotations

import json
import sys

from desktop.cli.common import MAX_ID, engine, print_json, row_id, sub
from engine.errors import SastreError


def add_parsers(subs) -> None:
    """Add the personalization subcommands to the main parser."""
    p = sub(
        subs,
        "feedback",
        "Rate an answer: `sastre feedback MESSAGE_ID up|down`, or `sastre feedback export`.",
    )
    p.add_argument(
        "target", metavar="MESSAGE_ID|export", help="An answer's id (see `sastre chats show`)."
    )
    p.add_argument("rating", nargs="?", choices=("up", "down", "clear"), help="Your rating.")
    p.add_argument("--reason", help="Why (optional).")
    p.add_argument("--correction", help="The answer you wanted instead (optional).")

    p = sub(subs, "personas", "Named system prompts with their techniques and defaults.")
    ps = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    q = sub(ps, "list", "List personas.")
    q.add_argument("--json", action="store_true")
    q = sub(ps, "show", "Show one persona.")
    q.add_argument("name")
    q.add_argument("--json", action="store_true")
    for action, help in (("add", "Create a persona."), ("edit", "Change a persona.")):
        q = sub(ps, action, help)
        q.add_argument("name")
        q.add_argument("--system", help="System prompt: role, tone and scope.")
        q.add_argument("--description")
        q.add_argument("--collection", help="Default document collection (cited answers).")
        q.add_argument("--adapter", help="Default LoRA adapter.")
        q.add_argument("--format", dest="output_format", help="Output format instructions.")
        q.add_argument(
            "--cot",
            choices=("on", "off"),
            help="Chain of thought: reason step by step, then 'Answer:'.",
        )
        q.add_argument(
            "--feedback-examples",
            choices=("on", "off"),
            help="Use liked/disliked answers to similar questions as examples (default on).",
        )
        q.add_argument(
            "--example",
            nargs=2,
            action="append",
            metavar=("USER", "ASSISTANT"),
            help="A few-shot example (repeatable; replaces the persona's examples).",
        )
        if action == "edit":
            q.add_argument("--rename", metavar="NEW_NAME")
    q = sub(ps, "duplicate", "Copy a persona under a new name.")
    q.add_argument("name")
    q.add_argument("new_name")
    q = sub(ps, "rm", "Delete a persona.")
    q.add_argument("name")

    p = sub(subs, "memory", "Facts about you that go into every prompt once accepted.")
    ms = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    q = sub(ms, "list", "List memories (accepted and proposed).")
    q.add_argument("--json", action="store_true")
    q = sub(ms, "add", "Add an accepted memory.")
    q.add_argument("text")
    q = sub(ms, "accept", "Accept a proposed memory.")
    q.add_argument("id", type=row_id)
    q = sub(ms, "edit", "Change a memory's text (and accept it).")
    q.add_argument("id", type=row_id)
    q.add_argument("text")
    q = sub(ms, "rm", "Delete a memory.")
    q.add_argument("id", type=row_id)


def cmd_feedback(args) -> int:
    eng = engine(args)
    if args.target == "export":
        for rec in eng.store.feedback.export():
            sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return 0
    try:
        message_id = int(args.target)
        if not 1 <= message_id <= MAX_ID:
            raise ValueError(args.target)
    except ValueError:
        raise SastreError(
            f"{args.target!r} is not a message id. Use `sastre feedback MESSAGE_ID up|down` "
            "(ids are shown by `sastre chats show ID`) or `sastre feedback export`."
        ) from None
    if args.rating is None:
        raise SastreError("Say up or down: `sastre feedback MESSAGE_ID up|down`.")
    if args.rating == "clear":
        eng.store.feedback.clear(message_id)
        print(f"Cleared the rating of answer {message_id}.")
        return 0
    fb = eng.store.feedback.rate(
        message_id, 1 if args.rating == "up" else -1, args.reason, args.correction
    )
    print(f"Rated answer {message_id} {'up' if fb.rating > 0 else 'down'}.")
    return 0


def _persona_from_args(args, base):
    from store.personas import Persona

    p = Persona.from_dict(base.to_dict()) if base else Persona(name=args.name)
    if getattr(args, "rename", None):
        p.name = args.rename
    for attr, key in (
        ("system", "system_prompt"),
        ("description", "description"),
        ("collection", "collection"),
        ("adapter", "adapter"),
        ("output_format", "output_format"),
    ):
        if getattr(args, attr) is not None:
            setattr(p, key, getattr(args, attr))
    if args.cot is not None:
        p.chain_of_thought = args.cot == "on"
    if args.feedback_examples is not None:
        p.use_feedback = args.feedback_examples == "on"
    if args.example:
        p.examples = [{"user": u, "assistant": a} for u, a in args.example]
    return p


def cmd_personas(args) -> int:
    from engine.personalize import ensure_builtin_personas

    eng = engine(args)
    repo = eng.store.personas
    ensure_builtin_personas(eng.store)
    if args.action == "list":
        items = repo.list()
        if args.json:
            print_json([p.to_dict() for p in items])
        else:
            for p in items:
                print(f"{p.name:<22} {'(built-in) ' if p.builtin else ''}{p.description}")
        return 0
    if args.action == "add":
        p = repo.add(_persona_from_args(args, None))
        print(f"Added persona {p.name!r}. Use it with: sastre chat --persona {p.name} ...")
        return 0
    if args.action == "duplicate":
        p = repo.duplicate(args.name, args.new_name)
        print(f"Copied {args.name!r} to {p.name!r}.")
        return 0
    base = repo.get(args.name)
    if base is None:
        raise SastreError(f"There is no persona {args.name!r}. See `sastre personas list`.")
    if args.action == "show":
        if args.json:
            print_json(base.to_dict())
            return 0
        for k, v in base.to_dict().items():
            if k not in ("id", "created_at", "updated_at"):
                print(f"{k}: {v}")
    elif args.action == "edit":
        p = repo.update(args.name, _persona_from_args(args, base))
        print(f"Saved persona {p.name!r}.")
    elif args.action == "rm":
        repo.delete(args.name)
        print(f"Deleted persona {args.name!r}.")
    return 0


def cmd_memory(args) -> int:
    eng = engine(args)
    repo = eng.store.memories
    if args.action == "list":
        items = repo.list()
        if args.json:
            print_json([m.to_dict() for m in items])
        elif not items:
            print('No memories yet. Add one with: sastre memory add "I prefer short answers"')
        else:
            for m in items:
                print(f"{m.id:>4}  {m.status:<8}  {m.text}")
        return 0
    if args.action == "add":
        mid = repo.add(args.text, status="accepted")
        print(f"Remembered ({mid}): {repo.get(mid).text}")
    elif args.action == "accept":
        repo.accept(args.id)
        print(f"Accepted memory {args.id}.")
    elif args.action == "edit":
        repo.update(args.id, text=args.text, status="accepted")
        print(f"Saved memory {args.id}.")
    elif args.action == "rm":
        if not repo.delete(args.id):
            raise SastreError(f"There is no memory {args.id}. See `sastre memory list`.")
        print(f"Forgot memory {args.id}.")
    return 0


COMMANDS = {"feedback": cmd_feedback, "personas": cmd_personas, "memory": cmd_memory}

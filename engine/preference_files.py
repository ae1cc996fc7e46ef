"""Import preference data from files: HH-RLHF, OpenAssistant, SHP, generic JSONL.

- hh: {"chosen", "rejected"}: two whole dialogues ("\\n\\nHuman: ...\\n\\nAssistant: ...")
  that share everything before the last answer.
- oasst: message trees ({"prompt": {"text", "role", "replies": [...]}}, replies with a
  "rank", 0 the best), a prompt with ranked replies ({"prompt", "replies": [{"text",
  "rank"}]}), or the flat export (one message per line with message_id / parent_id).
  Each prompt gives its best reply over each other ranked one.
- shp: {"history", "human_ref_A", "human_ref_B"} with "labels" (1: A is better) or
  "score_A" / "score_B".
- jsonl: {"prompt", "chosen", "rejected"}; the prompt a string or chat `messages`
  (also under "messages"), the answers strings or chat lists. {"prompt", "completion",
  "label"} lines (TRL's unpaired format) become single labelled answers.

A bad line is reported (line number and what is wrong) and skipped; the rest is
imported. Importing a file twice adds nothing the second time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import SastreError
from engine.preferences import content_key
from store import Store
from store.preferences import LabelledAnswer, PreferencePair

FORMATS = ("auto", "hh", "oasst", "shp", "jsonl")
MAX_ERRORS_KEPT = 1000  # a wrong --format on a huge file must not fill memory with messages


class PreferenceImportError(SastreError):
    pass


class LineError(ValueError):
    """What is wrong with one line; the importer adds its number."""


@dataclass
class ImportReport:
    file: str
    format: str
    lines: int = 0
    pairs_added: int = 0
    examples_added: int = 0
    duplicates: int = 0  # already there (the same file imported before) or dropped
    errors: list[str] = field(default_factory=list)  # "line N: what is wrong"
    error_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


Chat = list[dict[str, str]]
Row = tuple[str, Chat, str, str | bool]  # ('pair', prompt, chosen, rejected) | ('example', ...)


# -- formats ---------------------------------------------------------------------------
_TURN = re.compile(r"\n\n(Human|Assistant): ?")


def _hh_turns(text: Any, side: str) -> Chat:
    if not isinstance(text, str) or not text.strip():
        raise LineError(f"'{side}' must be a dialogue string")
    parts = _TURN.split(text if text.startswith("\n\n") else "\n\n" + text.lstrip("\n"))
    if parts[0].strip() or len(parts) < 3:
        raise LineError(f"'{side}' is not a '\\n\\nHuman: ... \\n\\nAssistant: ...' dialogue")
    roles = {"Human": "user", "Assistant": "assistant"}
    return [
        {"role": roles[r], "content": c.strip()}
        for r, c in zip(parts[1::2], parts[2::2], strict=True)
    ]


def _hh(obj: dict) -> Iterator[Row]:
    chosen, rejected = (
        _hh_turns(obj.get("chosen"), "chosen"),
        _hh_turns(obj.get("rejected"), "rejected"),
    )
    if chosen[-1]["role"] != "assistant" or rejected[-1]["role"] != "assistant":
        raise LineError("a dialogue does not end with an Assistant answer")
    if chosen[:-1] != rejected[:-1]:
        raise LineError("'chosen' and 'rejected' differ before their last answer")
    yield "pair", chosen[:-1], chosen[-1]["content"], rejected[-1]["content"]


def _shp(obj: dict) -> Iterator[Row]:
    history, a, b = obj.get("history"), obj.get("human_ref_A"), obj.get("human_ref_B")
    if not all(isinstance(x, str) and x.strip() for x in (history, a, b)):
        raise LineError("needs 'history', 'human_ref_A' and 'human_ref_B' as text")
    if obj.get("labels") in (0, 1):
        a_wins = obj["labels"] == 1
    elif isinstance(obj.get("score_A"), int | float) and isinstance(
        obj.get("score_B"), int | float
    ):
        if obj["score_A"] == obj["score_B"]:
            raise LineError("score_A and score_B are equal, so neither answer is preferred")
        a_wins = obj["score_A"] > obj["score_B"]
    else:
        raise LineError(
            "needs 'labels' (1: A is better, 0: B is better) or 'score_A' and 'score_B'"
        )
    good, bad = (a, b) if a_wins else (b, a)
    yield "pair", [{"role": "user", "content": history.strip()}], good, bad


def _ranked(prompt: Chat, replies: list) -> Iterator[Row]:
    ranked = [
        r
        for r in replies
        if isinstance(r, dict)
        and isinstance(r.get("rank"), int)
        and isinstance(r.get("text"), str)
        and r["text"].strip()
    ]
    ranked.sort(key=lambda r: r["rank"])
    for worse in ranked[1:]:
        if worse["rank"] > ranked[0]["rank"]:
            yield "pair", prompt, ranked[0]["text"], worse["text"]


def _oasst_tree(node: dict, before: Chat) -> Iterator[Row]:
    """Walk a message tree: at each prompter message, its best reply over each other."""
    role = "user" if node.get("role") in ("prompter", "user") else "assistant"
    text = node.get("text")
    if not isinstance(text, str):
        raise LineError("a message in the tree has no 'text'")
    here = [*before, {"role": role, "content": text.strip()}]
    replies = node.get("replies") or []
    if not isinstance(replies, list):
        raise LineError("'replies' must be a list")
    if role == "user":
        yield from _ranked(here, replies)
    for child in replies:
        if isinstance(child, dict):
            yield from _oasst_tree(child, here)


def _oasst(obj: dict) -> Iterator[Row]:
    prompt = obj.get("prompt")
    if isinstance(prompt, dict):
        rows = list(_oasst_tree(prompt, []))
    elif isinstance(prompt, str | list) and isinstance(obj.get("replies"), list):
        rows = list(_ranked(_prompt(prompt), obj["replies"]))
    else:
        raise LineError("needs a 'prompt' message tree, or a 'prompt' with ranked 'replies'")
    if not rows:
        raise LineError("no prompt here has two replies of different rank")
    yield from rows


def _prompt(value: Any) -> Chat:
    if isinstance(value, str) and value.strip():
        return [{"role": "user", "content": value.strip()}]
    if (
        isinstance(value, list)
        and value
        and all(
            isinstance(m, dict)
            and m.get("role") in ("system", "user", "assistant")
            and isinstance(m.get("content"), str)
            for m in value
        )
    ):
        return [{"role": m["role"], "content": m["content"]} for m in value]
    raise LineError("'prompt' must be text or a list of {'role', 'content'} messages")


def _answer(value: Any, side: str) -> str | Chat:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, list) and value and isinstance(value[-1], dict):
        if value[-1].get("role") == "assistant" and isinstance(value[-1].get("content"), str):
            return [{"role": m.get("role"), "content": m.get("content")} for m in value]
    raise LineError(f"'{side}' must be text or chat messages ending with an assistant answer")


def _jsonl(obj: dict) -> Iterator[Row]:
    if "completion" in obj and "label" in obj:
        if not isinstance(obj["label"], bool):
            raise LineError("'label' must be true (a good answer) or false")
        if not isinstance(obj["completion"], str) or not obj["completion"].strip():
            raise LineError("'completion' must be text")
        yield "example", _prompt(obj.get("prompt")), obj["completion"], obj["label"]
        return
    if "chosen" not in obj or "rejected" not in obj:
        raise LineError("needs 'chosen' and 'rejected' (and 'prompt' or 'messages')")
    chosen, rejected = _answer(obj["chosen"], "chosen"), _answer(obj["rejected"], "rejected")
    raw = obj.get("prompt", obj.get("messages"))
    if isinstance(chosen, list):
        if raw is None:  # conversational pairs: the prompt is inside each side
            if not isinstance(rejected, list) or chosen[:-1] != rejected[:-1] or not chosen[:-1]:
                raise LineError("'chosen' and 'rejected' differ before their last answer")
            raw = chosen[:-1]
        chosen = chosen[-1]["content"]
    if isinstance(rejected, list):
        rejected = rejected[-1]["content"]
    if raw is None:
        raise LineError("has no 'prompt' (or 'messages')")
    prompt = _prompt(raw)
    yield "pair", prompt, chosen, rejected


PARSERS = {"hh": _hh, "shp": _shp, "oasst": _oasst, "jsonl": _jsonl}


def detect(obj: Any) -> str | None:
    """The format of one parsed line, or None."""
    if not isinstance(obj, dict):
        return None
    if "human_ref_A" in obj or "history" in obj:
        return "shp"
    if "message_id" in obj and "parent_id" in obj or "message_tree_id" in obj or "replies" in obj:
        return "oasst"
    if isinstance(obj.get("prompt"), dict):
        return "oasst"
    if "prompt" in obj or "messages" in obj:
        return "jsonl"
    chosen = obj.get("chosen")
    if isinstance(chosen, str) and "Human:" in chosen:
        return "hh"
    if "chosen" in obj and "rejected" in obj:
        return "jsonl"
    return None


# -- reading ---------------------------------------------------------------------------
def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of the non-blank lines; a JSON array gives one item a 'line'."""
    try:
        with path.open(encoding="utf-8") as f:
            first = f.read(1)
            while first and first.isspace():
                first = f.read(1)
            f.seek(0)
            if first == "[":
                try:
                    items = json.load(f)
                except json.JSONDecodeError as exc:
                    raise PreferenceImportError(f"{path} is not valid JSON ({exc}).") from exc
                for i, item in enumerate(items, 1):
                    yield i, json.dumps(item)
                return
            for i, line in enumerate(f, 1):
                if line.strip():
                    yield i, line
    except UnicodeDecodeError as exc:
        raise PreferenceImportError(f"{path} is not UTF-8 text ({exc}). Save it as UTF-8.") from exc
    except OSError as exc:
        raise PreferenceImportError(f"{path} cannot be read ({exc.strerror}).") from exc


def _flat_oasst(
    messages: list[tuple[int, dict]], report: ImportReport
) -> Iterator[tuple[int, Row]]:
    """The flat OpenAssistant export: rebuild the trees from message_id / parent_id."""
    by_id = {m["message_id"]: m for _, m in messages}
    children: dict[Any, list[dict]] = {}
    for n, m in messages:
        parent = m.get("parent_id")
        if parent is not None and parent not in by_id:
            _error(report, n, f"its parent_id {parent!r} is not in the file")
            continue
        children.setdefault(parent, []).append(m)
    line = {id(m): n for n, m in messages}

    def tree(m: dict) -> dict:
        return {**m, "replies": [tree(c) for c in children.get(m["message_id"], [])]}

    for root in children.get(None, []):
        try:
            for row in _oasst_tree(tree(root), []):
                yield line[id(root)], row
        except LineError as exc:
            _error(report, line[id(root)], str(exc))


def _error(report: ImportReport, line: int, what: str) -> None:
    report.error_count += 1
    if len(report.errors) < MAX_ERRORS_KEPT:
        report.errors.append(f"line {line}: {what}")


def _rows(path: Path, fmt: str, report: ImportReport) -> Iterator[tuple[int, Row]]:
    flat: list[tuple[int, dict]] = []
    for n, text in _lines(path):
        report.lines += 1
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            _error(report, n, f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        kind = fmt if fmt != "auto" else (report.format if report.format != "auto" else detect(obj))
        if kind is None:
            keys = ", ".join(sorted(obj)[:6]) if isinstance(obj, dict) else type(obj).__name__
            _error(
                report,
                n,
                f"not a preference record of a known kind (keys: {keys}); name its format: hh, oasst, shp or jsonl",
            )
            continue
        report.format = kind
        if not isinstance(obj, dict):
            _error(report, n, f"expected a JSON object, got {type(obj).__name__}")
        elif kind == "oasst" and "message_id" in obj:
            flat.append((n, obj))
        else:
            try:
                for row in PARSERS[kind](obj):
                    yield n, row
            except LineError as exc:
                _error(report, n, str(exc))
    yield from _flat_oasst(flat, report)


def import_pairs(store: Store, file: str | Path, format: str = "auto") -> ImportReport:
    """Import a preference file into the store; see the module doc for the formats."""
    if format not in FORMATS:
        raise PreferenceImportError(f"Unknown format '{format}'; use one of {', '.join(FORMATS)}.")
    path = Path(file).expanduser()
    if not path.is_file():
        raise PreferenceImportError(f"{path} does not exist. Give the path of a .jsonl file.")
    report = ImportReport(path.name, format)
    pairs, examples = store.preferences.pairs, store.preferences.examples
    with store.db.tx():  # one transaction: an interrupted import adds nothing
        for n, (kind, prompt, answer, other) in _rows(path, format, report):
            origin = {"file": path.name, "line": n, "format": report.format}
            if kind == "pair":
                if not answer.strip() or answer.strip() == str(other).strip():
                    _error(report, n, "'chosen' and 'rejected' are the same or empty")
                    continue
                key = content_key("pair:import", prompt, answer, str(other))
                if pairs.dropped(key) or key in _existing(pairs, key):
                    report.duplicates += 1
                    continue
                pairs.save(
                    PreferencePair(None, prompt, answer, str(other), "imported", key, origin)
                )
                report.pairs_added += 1
            else:
                key = content_key("example:import", prompt, answer, str(other))
                if key in _existing(examples, key):
                    report.duplicates += 1
                    continue
                examples.save(
                    LabelledAnswer(None, prompt, answer, bool(other), "imported", key, origin)
                )
                report.examples_added += 1
    return report


def _existing(repo, key: str) -> set[str]:
    row = repo.db.one(f"SELECT origin_key FROM {repo.table} WHERE origin_key = ?", (key,))
    return {row[0]} if row else set()

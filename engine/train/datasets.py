"""Build training datasets from chats, documents or JSONL files, and check them.

Examples use mlx-lm's formats so its dataset classes tokenize them:
chat {"messages": [...]}, completions {"prompt", "completion"}, text {"text"}.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import SastreError, not_found
from store import Store
from store.datasets import DatasetRecord

FORMATS = ("chat", "completions", "text")
ROLES = ("system", "user", "assistant", "tool")


class DatasetError(SastreError):
    pass


@dataclass
class DatasetStats:
    examples: int
    train: int
    valid: int
    format: str
    tokens: int | None = None  # with a tokenizer; else None
    characters: int = 0
    duplicates: int = 0
    empty: int = 0
    too_long: int = 0
    max_tokens: int | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def valid_name(name: str) -> str:
    name = name.strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}", name):
        raise DatasetError(
            f"'{name}' is not a valid name: use letters, digits, '.', '_' or '-' (e.g. my-notes)."
        )
    return name


def detect_format(example: dict) -> str:
    if "messages" in example:
        return "chat"
    if "prompt" in example and "completion" in example:
        return "completions"
    if "text" in example:
        return "text"
    raise DatasetError(
        f"Unknown example keys {sorted(example)[:5]}: each line needs 'messages' (chat), "
        "'prompt' and 'completion' (completions), or 'text'."
    )


def example_text(example: dict) -> str:
    """All the text of an example, for counting and duplicate checks."""
    fmt = detect_format(example)
    if fmt == "chat":
        return "\n".join(str(m.get("content") or "") for m in example["messages"])
    if fmt == "completions":
        return f"{example['prompt']}\n{example['completion']}"
    return str(example["text"])


def _check(example: Any, where: str) -> dict:
    if not isinstance(example, dict):
        raise DatasetError(f"{where}: expected a JSON object, got {type(example).__name__}.")
    fmt = detect_format(example)
    if fmt == "chat":
        msgs = example["messages"]
        if not isinstance(msgs, list) or not all(
            isinstance(m, dict) and isinstance(m.get("role"), str) and m["role"] in ROLES
            for m in msgs
        ):
            raise DatasetError(
                f"{where}: 'messages' must be a list of {{'role', 'content'}} objects with role "
                f"one of {', '.join(ROLES)}."
            )
        if not any(m["role"] == "assistant" for m in msgs):
            raise DatasetError(f"{where}: 'messages' has no assistant message to learn from.")
        return {
            "messages": [{"role": m["role"], "content": _str(m, "content", where)} for m in msgs]
        }
    if fmt == "completions":
        return {
            "prompt": _str(example, "prompt", where, required=True),
            "completion": _str(example, "completion", where, required=True),
        }
    return {"text": _str(example, "text", where, required=True)}


def _str(obj: dict, key: str, where: str, required: bool = False) -> str:
    value = obj.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        kind = "null" if value is None else type(value).__name__
        raise DatasetError(f"{where}: '{key}' must be text, not {kind}.")
    return str(value)


_MAX_REPORTED = 10


def _parse_rows(text: str, name: str) -> tuple[list[tuple[str, Any]], list[str]]:
    """(where, parsed row) pairs and one problem per line that is not JSON."""
    rows, problems = [], []
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            return [], [f"{name} is not valid JSON ({exc})"]
        except RecursionError:
            return [], [f"{name} nests JSON too deeply to read"]
        if not isinstance(items, list):
            return [], [f"{name} is not a JSON array of examples"]
        return [(f"{name} item {i}", r) for i, r in enumerate(items, 1)], []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append((f"{name} line {i}", json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(f"{name} line {i} is not valid JSON ({exc.msg})")
        except RecursionError:
            problems.append(f"{name} line {i} nests JSON too deeply to read")
    return rows, problems


def read_jsonl(path: str | Path) -> list[dict]:
    """Read and validate a JSONL file (a JSON array is accepted too).

    Every bad line is reported (the first ten by name) and nothing is kept unless
    all are good: a dataset with holes would train on something else than asked.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise DatasetError(f"{path} does not exist. Give the path of a .jsonl file.")
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is fine
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path} cannot be read as UTF-8 text ({exc}).") from exc
    rows, problems = _parse_rows(text, path.name)
    out, formats = [], {}
    for where, row in rows:
        try:
            example = _check(row, where)
        except DatasetError as exc:
            problems.append(str(exc).rstrip("."))
            continue
        out.append(example)
        formats.setdefault(detect_format(example), where)
    if len(formats) > 1:
        problems.append(
            f"{path.name} mixes formats ("
            + ", ".join(f"{fmt} from {where}" for fmt, where in formats.items())
            + "); use one format per file"
        )
    if problems:
        shown = "; ".join(problems[:_MAX_REPORTED])
        more = (
            f"; and {len(problems) - _MAX_REPORTED} more" if len(problems) > _MAX_REPORTED else ""
        )
        raise DatasetError(
            f"{len(problems)} problem(s) in {path.name}: {shown}{more}. Fix them and import "
            "again; nothing was saved."
        )
    if not out:
        raise DatasetError(f"{path} has no examples.")
    return out


def from_chats(store: Store, system: str | None = None) -> list[dict]:
    """Liked answers and corrected answers (the correction replaces the original)."""
    out = []
    for fb in reversed(store.feedback.list()):
        if not fb.question:
            continue
        answer = fb.correction or (fb.answer if fb.rating > 0 else None)
        if not answer:
            continue
        msgs = [{"role": "system", "content": system}] if system else []
        msgs += [{"role": "user", "content": fb.question}, {"role": "assistant", "content": answer}]
        out.append({"messages": msgs})
    if not out:
        raise DatasetError(
            "No liked or corrected answers yet. Rate answers with 👍 or write a correction in "
            "chat (or `sastre feedback`), then build the dataset again."
        )
    return out


def from_docs(store: Store, collection: str) -> list[dict]:
    """Chunks of a collection as raw text, for domain-adaptive continued pre-training."""
    col = store.documents.collection(collection)
    if col is None:
        raise not_found(
            "collection",
            collection,
            [c.name for c in store.documents.collections()],
            "Index documents first with `sastre index PATH -c NAME`.",
            DatasetError,
        )
    out = [
        {"text": c.text}
        for batch in store.documents.iter_chunks(col.id)
        for c in batch
        if c.text.strip()
    ]
    if not out:
        raise DatasetError(f"Collection '{collection}' has no text yet; index some documents.")
    return out


def split(
    examples: list[dict], valid_fraction: float = 0.1, seed: int = 0
) -> list[tuple[str, dict]]:
    """A reproducible train/validation split; at least one validation example when possible."""
    idx = list(range(len(examples)))
    random.Random(seed).shuffle(idx)
    n_valid = 0
    if len(examples) >= 2 and valid_fraction > 0:
        n_valid = max(1, round(len(examples) * valid_fraction))
    valid = set(idx[:n_valid])
    return [("valid" if i in valid else "train", ex) for i, ex in enumerate(examples)]


def token_count(tokenizer: Any, example: dict) -> int:
    fmt = detect_format(example)
    if fmt == "text":
        return len(tokenizer.encode(example["text"]))
    msgs = example.get("messages") or [
        {"role": "user", "content": example["prompt"]},
        {"role": "assistant", "content": example["completion"]},
    ]
    if getattr(tokenizer, "chat_template", None):
        return len(tokenizer.apply_chat_template(msgs, return_dict=False))
    return len(tokenizer.encode(example_text(example)))


def analyse(
    rows: list[tuple[str, dict]], tokenizer: Any = None, max_seq_length: int = 2048
) -> DatasetStats:
    """Counts, tokens and the problems a person should know about before training."""
    examples = [ex for _, ex in rows]
    fmt = detect_format(examples[0]) if examples else "text"
    seen: set[str] = set()
    dup = empty = too_long = 0
    tokens: int | None = 0 if tokenizer is not None else None
    longest = 0
    chars = 0
    for ex in examples:
        text = example_text(ex)
        chars += len(text)
        if not text.strip() or (fmt != "text" and not _target(ex).strip()):
            empty += 1
        digest = hashlib.sha1(text.strip().encode()).hexdigest()
        dup += digest in seen
        seen.add(digest)
        if tokenizer is not None:
            n = token_count(tokenizer, ex)
            tokens += n
            longest = max(longest, n)
            too_long += n > max_seq_length
    stats = DatasetStats(
        examples=len(examples),
        train=sum(s == "train" for s, _ in rows),
        valid=sum(s == "valid" for s, _ in rows),
        format=fmt,
        tokens=tokens,
        characters=chars,
        duplicates=dup,
        empty=empty,
        too_long=too_long,
        max_tokens=longest if tokenizer is not None else None,
    )
    if dup:
        stats.warnings.append(f"{dup} duplicate example(s): they weigh more in training.")
    if empty:
        stats.warnings.append(f"{empty} empty example(s): they teach nothing; remove them.")
    if too_long:
        stats.warnings.append(
            f"{too_long} example(s) longer than {max_seq_length} tokens will be truncated."
        )
    if stats.valid == 0:
        stats.warnings.append("No validation examples: add more data to measure progress.")
    if stats.examples < 10:
        stats.warnings.append(f"Only {stats.examples} example(s); a few dozen work much better.")
    return stats


def _target(example: dict) -> str:
    if "messages" in example:
        answers = [m["content"] for m in example["messages"] if m["role"] == "assistant"]
        return answers[-1] if answers else ""
    return example.get("completion", "")


def save(
    store: Store,
    name: str,
    examples: list[dict],
    source: str,
    tokenizer: Any = None,
    valid_fraction: float = 0.1,
    replace: bool = False,
) -> DatasetRecord:
    name = valid_name(name)
    if not examples:
        raise DatasetError("The dataset has no examples; nothing was saved.")
    rows = split(examples, valid_fraction)
    stats = analyse(rows, tokenizer)
    return store.datasets.create(
        name, stats.format, source, rows, stats=stats.to_dict(), replace=replace
    )


def get(store: Store, name: str) -> DatasetRecord:
    rec = store.datasets.get(name)
    if rec is None:
        raise not_found(
            "dataset",
            name,
            [d.name for d in store.datasets.list()],
            "Create one with `sastre datasets import FILE --name NAME`, `from-chats` or "
            "`from-docs`.",
            DatasetError,
        )
    return rec

"""Preference data: pairs (prompt, chosen, rejected) and single labelled examples.

Rows are built by engine.preferences from feedback, answer versions and A/B votes,
or imported from files. Each row carries an `origin_key` (what it was built from);
saving a key twice updates the row instead of adding one, and a key the user
dropped is remembered (without its text) so that rebuilding leaves it out.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from store.db import Database, dumps, loads, now
from store.errors import StoreError

PAIR_SOURCES = ("liked_regeneration", "correction", "preferred_version", "ab_vote", "imported")
EXAMPLE_SOURCES = ("feedback", "imported")


@dataclass
class PreferencePair:
    id: int | None
    prompt: list[dict[str, str]]  # chat messages, ending with the user's message
    chosen: str
    rejected: str
    source: str  # one of PAIR_SOURCES
    origin_key: str
    origin: dict[str, Any] = field(default_factory=dict)  # message / feedback / vote ids
    edited: bool = False
    created_at: str | None = None
    updated_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LabelledAnswer:
    """One answer with a thumbs label and no counterpart (KTO learns from these)."""

    id: int | None
    prompt: list[dict[str, str]]
    answer: str
    desirable: bool
    source: str  # one of EXAMPLE_SOURCES
    origin_key: str
    origin: dict[str, Any] = field(default_factory=dict)
    edited: bool = False
    created_at: str | None = None
    updated_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def twin_key(p: PreferencePair) -> str:
    """What makes two pairs the same preference: the question and the two answers (the
    earlier turns may differ: a pair kept from a deleted chat has lost them)."""
    question = p.prompt[-1]["content"].strip() if p.prompt else ""
    text = json.dumps([question, p.chosen.strip(), p.rejected.strip()], ensure_ascii=False)
    return hashlib.sha1(text.encode()).hexdigest()[:24]


def _pair(row) -> PreferencePair:
    d = dict(row)
    d.pop("twin_key", None)
    d["prompt"], d["origin"], d["edited"] = (
        loads(d["prompt"]),
        loads(d["origin"], {}),
        bool(d["edited"]),
    )
    return PreferencePair(**d)


def _example(row) -> LabelledAnswer:
    d = dict(row)
    d["prompt"], d["origin"] = loads(d["prompt"]), loads(d["origin"], {})
    d["edited"], d["desirable"] = bool(d["edited"]), bool(d["desirable"])
    return LabelledAnswer(**d)


class _Table:
    """What pairs and examples share: get, list, count, delete (remembering the key)."""

    table = ""
    what = ""

    def __init__(self, db: Database):
        self.db = db

    def _row(self, row):
        raise NotImplementedError

    def get(self, item_id: int):
        row = self.db.one(f"SELECT * FROM {self.table} WHERE id = ?", (item_id,))
        return self._row(row) if row else None

    def require(self, item_id: int):
        item = self.get(item_id)
        if item is None:
            raise StoreError(
                f"There is no preference {self.what} {item_id}; list them with "
                "`sastre pairs list` (the number is the first column)."
            )
        return item

    def list(self, source: str | None = None, limit: int = 100000) -> list:
        sql, params = f"SELECT * FROM {self.table}", ()
        if source is not None:
            sql, params = sql + " WHERE source = ?", (source,)
        rows = self.db.query(sql + " ORDER BY id LIMIT ?", (*params, limit))
        return [self._row(r) for r in rows]

    def count(self, source: str | None = None) -> int:
        if source is None:
            return self.db.one(f"SELECT count(*) FROM {self.table}")[0]
        return self.db.one(f"SELECT count(*) FROM {self.table} WHERE source = ?", (source,))[0]

    def counts(self) -> dict[str, int]:
        rows = self.db.query(f"SELECT source, count(*) FROM {self.table} GROUP BY source")
        return {r[0]: r[1] for r in rows}

    def keys(self, sources: tuple[str, ...]) -> dict[str, Any]:
        """origin_key -> row of the given sources, for a rebuild to compare with."""
        marks = ", ".join("?" * len(sources))
        rows = self.db.query(
            f"SELECT * FROM {self.table} WHERE source IN ({marks}) ORDER BY id", sources
        )
        return {r["origin_key"]: self._row(r) for r in rows}

    def delete(self, item_id: int, remember: bool = True) -> bool:
        """Drop a row; `remember` keeps its key so that a rebuild does not bring it back."""
        with self.db.tx() as c:
            row = c.execute(
                f"SELECT origin_key FROM {self.table} WHERE id = ?", (item_id,)
            ).fetchone()
            if row is None:
                return False
            c.execute(f"DELETE FROM {self.table} WHERE id = ?", (item_id,))
            if remember:
                c.execute(
                    "INSERT OR IGNORE INTO preference_dropped(origin_key, dropped_at)"
                    " VALUES (?, ?)",
                    (row[0], now()),
                )
            return True

    def dropped(self, origin_key: str) -> bool:
        row = self.db.one("SELECT 1 FROM preference_dropped WHERE origin_key = ?", (origin_key,))
        return row is not None


class PairRepo(_Table):
    table = "preference_pairs"
    what = "pair"

    def _row(self, row) -> PreferencePair:
        return _pair(row)

    def save(self, p: PreferencePair) -> PreferencePair:
        """Insert by origin_key, or update the row that has it (unless the user edited it)."""
        if p.source not in PAIR_SOURCES:
            raise ValueError(f"unknown pair source {p.source!r}")
        ts = now()
        values = (dumps(p.prompt), p.chosen, p.rejected, p.source, p.origin_key, twin_key(p))
        with self.db.tx() as c:
            c.execute(
                "INSERT INTO preference_pairs(prompt, chosen, rejected, source, origin_key,"
                " twin_key, origin, edited, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(origin_key) DO UPDATE SET prompt = excluded.prompt,"
                " chosen = excluded.chosen, rejected = excluded.rejected,"
                " twin_key = excluded.twin_key, source = excluded.source,"
                " origin = excluded.origin, updated_at = excluded.updated_at"
                " WHERE preference_pairs.edited = 0",
                (*values, dumps(p.origin), int(p.edited), p.created_at or ts, ts),
            )
            row = c.execute(
                "SELECT * FROM preference_pairs WHERE origin_key = ?", (p.origin_key,)
            ).fetchone()
        return _pair(row)

    def update(
        self,
        pair_id: int,
        *,
        prompt: list[dict[str, str]] | None = None,
        chosen: str | None = None,
        rejected: str | None = None,
    ) -> PreferencePair:
        """The user's edit: the row is marked edited, and rebuilds no longer change it."""
        old = self.require(pair_id)
        old.prompt = old.prompt if prompt is None else prompt
        old.chosen = old.chosen if chosen is None else chosen
        old.rejected = old.rejected if rejected is None else rejected
        with self.db.tx() as c:
            c.execute(
                "UPDATE preference_pairs SET prompt = ?, chosen = ?, rejected = ?, twin_key = ?,"
                " edited = 1, updated_at = ? WHERE id = ?",
                (dumps(old.prompt), old.chosen, old.rejected, twin_key(old), now(), pair_id),
            )
        return self.require(pair_id)

    def twin(self, p: PreferencePair) -> bool:
        """A stored pair with the same question and answers (whatever its earlier turns)."""
        row = self.db.one(
            "SELECT 1 FROM preference_pairs WHERE twin_key = ? LIMIT 1", (twin_key(p),)
        )
        return row is not None


class ExampleRepo(_Table):
    table = "preference_examples"
    what = "example"

    def _row(self, row) -> LabelledAnswer:
        return _example(row)

    def save(self, e: LabelledAnswer) -> LabelledAnswer:
        if e.source not in EXAMPLE_SOURCES:
            raise ValueError(f"unknown example source {e.source!r}")
        ts = now()
        with self.db.tx() as c:
            c.execute(
                "INSERT INTO preference_examples(prompt, answer, desirable, source, origin_key,"
                " origin, edited, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(origin_key) DO UPDATE SET prompt = excluded.prompt,"
                " answer = excluded.answer, desirable = excluded.desirable,"
                " origin = excluded.origin, updated_at = excluded.updated_at"
                " WHERE preference_examples.edited = 0",
                (
                    dumps(e.prompt),
                    e.answer,
                    int(e.desirable),
                    e.source,
                    e.origin_key,
                    dumps(e.origin),
                    int(e.edited),
                    e.created_at or ts,
                    ts,
                ),
            )
            row = c.execute(
                "SELECT * FROM preference_examples WHERE origin_key = ?", (e.origin_key,)
            ).fetchone()
        return _example(row)

    def update(
        self,
        example_id: int,
        *,
        prompt: list[dict[str, str]] | None = None,
        answer: str | None = None,
        desirable: bool | None = None,
    ) -> LabelledAnswer:
        old = self.require(example_id)
        with self.db.tx() as c:
            c.execute(
                "UPDATE preference_examples SET prompt = ?, answer = ?, desirable = ?, edited = 1,"
                " updated_at = ? WHERE id = ?",
                (
                    dumps(old.prompt if prompt is None else prompt),
                    old.answer if answer is None else answer,
                    int(old.desirable if desirable is None else desirable),
                    now(),
                    example_id,
                ),
            )
        return self.require(example_id)


class PreferenceRepo:
    """`store.preferences.pairs` and `.examples`, plus the reads a rebuild needs."""

    def __init__(self, db: Database):
        self.db = db
        self.pairs = PairRepo(db)
        self.examples = ExampleRepo(db)

    def rated_or_preferred_parents(self) -> list[int]:
        """User messages whose answers (any version) carry a rating or a preference."""
        rows = self.db.query(
            "SELECT DISTINCT m.parent_id FROM messages m LEFT JOIN feedback f"
            " ON f.message_id = m.id WHERE m.role = 'assistant' AND m.parent_id IS NOT NULL"
            " AND (f.id IS NOT NULL OR m.preferred_at IS NOT NULL) ORDER BY m.parent_id"
        )
        return [r[0] for r in rows]

    def existing_messages(self, ids: list[int]) -> set[int]:
        if not ids:
            return set()
        marks = ", ".join("?" * len(ids))
        rows = self.db.query(f"SELECT id FROM messages WHERE id IN ({marks})", tuple(ids))
        return {r[0] for r in rows}

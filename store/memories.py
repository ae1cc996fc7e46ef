"""Memories: facts about the user, proposed from chats, accepted or edited by the user."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from store.db import Database, now
from store.errors import StoreError

STATUSES = ("proposed", "accepted")


@dataclass
class Memory:
    id: int
    text: str
    status: str  # 'proposed' or 'accepted'; only accepted ones reach the prompt
    source_message_id: int | None
    created_at: str
    updated_at: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class MemoryRepo:
    def __init__(self, db: Database):
        self.db = db

    def add(self, text: str, status: str = "accepted", source_message_id: int | None = None) -> int:
        text = " ".join(text.split())
        if not text:
            raise StoreError('A memory needs some text, e.g. `sastre memory add "I am a nurse"`.')
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        ts = now()
        with self.db.tx() as c:
            dup = c.execute(
                "SELECT id FROM memories WHERE lower(text) = lower(?)", (text,)
            ).fetchone()
            if dup:  # the same fact said twice is one memory
                return dup[0]
            return c.execute(
                "INSERT INTO memories(text, status, source_message_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (text, status, source_message_id, ts, ts),
            ).lastrowid

    def get(self, memory_id: int) -> Memory | None:
        row = self.db.one("SELECT * FROM memories WHERE id = ?", (memory_id,))
        return Memory(**dict(row)) if row else None

    def list(self, status: str | None = None) -> list[Memory]:
        sql, params = "SELECT * FROM memories", ()
        if status:
            sql, params = sql + " WHERE status = ?", (status,)
        return [Memory(**dict(r)) for r in self.db.query(sql + " ORDER BY id", params)]

    def update(self, memory_id: int, text: str | None = None, status: str | None = None) -> None:
        m = self.get(memory_id)
        if m is None:
            raise StoreError(f"There is no memory {memory_id}. See `sastre memory list`.")
        text = " ".join(text.split()) if text is not None else m.text
        if not text or (status or m.status) not in STATUSES:
            raise StoreError("A memory needs some text and a status of proposed or accepted.")
        with self.db.tx() as c:
            c.execute(
                "UPDATE memories SET text = ?, status = ?, updated_at = ? WHERE id = ?",
                (text, status or m.status, now(), memory_id),
            )

    def accept(self, memory_id: int) -> None:
        self.update(memory_id, status="accepted")

    def delete(self, memory_id: int) -> bool:
        with self.db.tx() as c:
            return c.execute("DELETE FROM memories WHERE id = ?", (memory_id,)).rowcount > 0

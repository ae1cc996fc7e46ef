"""Chats and messages. Assistant messages keep the exact prompt that was sent."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from store.db import Database, dumps, loads
from store.migrations import now


@dataclass
class Message:
    id: int | None
    chat_id: int
    role: str
    content: str
    prompt: str | None = None
    model: str | None = None
    adapter: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    prompt_tokens: int | None = None
    generation_tokens: int | None = None
    prompt_tps: float | None = None
    generation_tps: float | None = None
    peak_memory_mb: float | None = None
    finish_reason: str | None = None
    parent_id: int | None = None
    created_at: str | None = None
    sources: list[dict[str, Any]] | None = None  # numbered sources of a cited answer
    prompt_parts: list[dict[str, Any]] | None = None  # [{name, text, tokens}] as sent
    persona: str | None = None
    # Earlier answers to the same question, kept on regenerate: [{content, model, adapter}]
    versions: list[dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Chat:
    id: int
    title: str
    model: str | None
    adapter: str | None
    system_prompt: str | None
    created_at: str
    updated_at: str
    message_count: int = 0
    persona: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_MESSAGE_COLS = (
    "chat_id, parent_id, role, content, prompt, model, adapter, params, prompt_tokens, "
    "generation_tokens, prompt_tps, generation_tps, peak_memory_mb, finish_reason, created_at, "
    "sources, prompt_parts, persona"
)


def _message(row) -> Message:
    d = dict(row)
    d["params"] = loads(d["params"], {})
    d["sources"] = loads(d.get("sources"))
    d["prompt_parts"] = loads(d.get("prompt_parts"))
    d["versions"] = loads(d.get("versions"))
    return Message(**d)


class ChatRepo:
    def __init__(self, db: Database):
        self.db = db

    def create(
        self,
        title: str = "",
        model: str | None = None,
        adapter: str | None = None,
        system_prompt: str | None = None,
        persona: str | None = None,
    ) -> int:
        ts = now()
        with self.db.tx() as c:
            cur = c.execute(
                "INSERT INTO chats(title, model, adapter, system_prompt, created_at, updated_at,"
                " persona) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (title, model, adapter, system_prompt, ts, ts, persona),
            )
            return cur.lastrowid

    def get(self, chat_id: int) -> Chat | None:
        row = self.db.one(
            "SELECT c.*, (SELECT count(*) FROM messages m WHERE m.chat_id = c.id) AS message_count"
            " FROM chats c WHERE c.id = ?",
            (chat_id,),
        )
        return Chat(**dict(row)) if row else None

    def list(self, search: str | None = None, limit: int = 1000) -> list[Chat]:
        sql = (
            "SELECT c.*, (SELECT count(*) FROM messages m WHERE m.chat_id = c.id) AS message_count"
            " FROM chats c"
        )
        params: tuple = ()
        if search:
            sql += (
                " WHERE c.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m"
                " WHERE m.chat_id = c.id AND m.content LIKE ? ESCAPE '\\')"
            )
            # % and _ in what the user typed are literal characters, not wildcards.
            pattern = "%" + re.sub(r"([\\%_])", r"\\\1", search) + "%"
            params = (pattern, pattern)
        sql += " ORDER BY c.updated_at DESC, c.id DESC LIMIT ?"
        return [Chat(**dict(r)) for r in self.db.query(sql, (*params, limit))]

    def rename(self, chat_id: int, title: str) -> None:
        with self.db.tx() as c:
            c.execute(
                "UPDATE chats SET title = ?, updated_at = ? WHERE id = ?", (title, now(), chat_id)
            )

    def update(self, chat_id: int, **fields: Any) -> None:
        allowed = {"model", "adapter", "system_prompt", "title", "persona"}
        bad = set(fields) - allowed
        if bad:
            raise ValueError(f"unknown chat fields: {sorted(bad)}")
        if not fields:
            return
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self.db.tx() as c:
            c.execute(
                f"UPDATE chats SET {cols}, updated_at = ? WHERE id = ?",
                (*fields.values(), now(), chat_id),
            )

    def delete(self, chat_id: int) -> bool:
        with self.db.tx() as c:
            return c.execute("DELETE FROM chats WHERE id = ?", (chat_id,)).rowcount > 0

    def add_message(self, msg: Message) -> int:
        msg.created_at = msg.created_at or now()
        values = (
            msg.chat_id, msg.parent_id, msg.role, msg.content, msg.prompt, msg.model,
            msg.adapter, dumps(msg.params or {}), msg.prompt_tokens, msg.generation_tokens,
            msg.prompt_tps, msg.generation_tps, msg.peak_memory_mb, msg.finish_reason,
            msg.created_at, None if msg.sources is None else dumps(msg.sources),
            None if msg.prompt_parts is None else dumps(msg.prompt_parts), msg.persona,
        )  # fmt: skip
        with self.db.tx() as c:
            cur = c.execute(
                f"INSERT INTO messages({_MESSAGE_COLS}) VALUES ({', '.join('?' * len(values))})",
                values,
            )
            c.execute("UPDATE chats SET updated_at = ? WHERE id = ?", (msg.created_at, msg.chat_id))
            msg.id = cur.lastrowid
            return msg.id

    def messages(self, chat_id: int) -> list[Message]:
        rows = self.db.query("SELECT * FROM messages WHERE chat_id = ? ORDER BY id", (chat_id,))
        return [_message(r) for r in rows]

    def message(self, message_id: int) -> Message | None:
        row = self.db.one("SELECT * FROM messages WHERE id = ?", (message_id,))
        return _message(row) if row else None

    def set_versions(self, message_id: int, versions: list[dict[str, Any]]) -> None:
        with self.db.tx() as c:
            c.execute(
                "UPDATE messages SET versions = ? WHERE id = ?",
                (dumps(versions) if versions else None, message_id),
            )

    def swap_version(self, message_id: int, index: int) -> Message:
        """Make earlier version `index` the answer; the current text becomes a version."""
        m = self.message(message_id)
        if m is None or not m.versions or not 0 <= index < len(m.versions):
            raise ValueError(f"message {message_id} has no version {index}")
        versions = list(m.versions)
        chosen = versions[index]
        versions[index] = {"content": m.content, "model": m.model, "adapter": m.adapter}
        with self.db.tx() as c:
            c.execute(
                "UPDATE messages SET content = ?, model = ?, adapter = ?, versions = ? WHERE id = ?",
                (chosen["content"], chosen.get("model"), chosen.get("adapter"), dumps(versions),
                 message_id),
            )  # fmt: skip
        return self.message(message_id)

    def delete_messages_from(self, chat_id: int, message_id: int) -> int:
        """Drop a message and everything after it (edit-and-resend, regenerate)."""
        with self.db.tx() as c:
            return c.execute(
                "DELETE FROM messages WHERE chat_id = ? AND id >= ?", (chat_id, message_id)
            ).rowcount

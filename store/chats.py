"""Chats and messages. Assistant messages keep the exact prompt that was sent."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from store.db import Database, dumps, loads, now
from store.errors import StoreError


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
    # Versions of an answer are sibling rows (same parent_id); `active` is the one shown,
    # `version` its place among them, `preferred_at` when the user picked it.
    active: bool = True
    version: int = 0
    preferred_at: str | None = None
    # A document answer's sentences: [{text, sources: [n], support}] (engine.rag.attribution)
    sentences: list[dict[str, Any]] | None = None

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
    collection: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_MESSAGE_COLS = (
    "chat_id, parent_id, role, content, prompt, model, adapter, params, prompt_tokens, "
    "generation_tokens, prompt_tps, generation_tps, peak_memory_mb, finish_reason, created_at, "
    "sources, prompt_parts, persona, active, version, sentences"
)


def _message(row) -> Message:
    d = dict(row)
    d["params"] = loads(d["params"], {})
    d["sources"] = loads(d.get("sources"))
    d["prompt_parts"] = loads(d.get("prompt_parts"))
    d["sentences"] = loads(d.get("sentences"))
    d["active"] = bool(d["active"])
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
        collection: str | None = None,
    ) -> int:
        ts = now()
        with self.db.tx() as c:
            cur = c.execute(
                "INSERT INTO chats(title, model, adapter, system_prompt, created_at, updated_at,"
                " persona, collection) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (title, model, adapter, system_prompt, ts, ts, persona, collection),
            )
            return cur.lastrowid

    def get(self, chat_id: int) -> Chat | None:
        row = self.db.one(
            "SELECT c.*, (SELECT count(*) FROM messages m WHERE m.chat_id = c.id AND m.active)"
            " AS message_count FROM chats c WHERE c.id = ?",
            (chat_id,),
        )
        return Chat(**dict(row)) if row else None

    def list(self, search: str | None = None, limit: int = 1000) -> list[Chat]:
        sql = (
            "SELECT c.*, (SELECT count(*) FROM messages m WHERE m.chat_id = c.id AND m.active)"
            " AS message_count FROM chats c"
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
        allowed = {"model", "adapter", "system_prompt", "title", "persona", "collection"}
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
        """Save a message. A new answer to a question already answered becomes its next
        version: the shown one, with the earlier versions kept beside it."""
        msg.created_at = msg.created_at or now()
        with self.db.tx() as c:
            if msg.role == "assistant" and msg.parent_id is not None:
                row = c.execute(
                    "SELECT max(version) FROM messages WHERE parent_id = ? AND role = 'assistant'",
                    (msg.parent_id,),
                ).fetchone()
                msg.version = 0 if row[0] is None else row[0] + 1
                c.execute(
                    "UPDATE messages SET active = 0 WHERE parent_id = ? AND role = 'assistant'",
                    (msg.parent_id,),
                )
            msg.active = True
            values = (
                msg.chat_id,
                msg.parent_id,
                msg.role,
                msg.content,
                msg.prompt,
                msg.model,
                msg.adapter,
                dumps(msg.params or {}),
                msg.prompt_tokens,
                msg.generation_tokens,
                msg.prompt_tps,
                msg.generation_tps,
                msg.peak_memory_mb,
                msg.finish_reason,
                msg.created_at,
                None if msg.sources is None else dumps(msg.sources),
                None if msg.prompt_parts is None else dumps(msg.prompt_parts),
                msg.persona,
                1,
                msg.version,
                None if msg.sentences is None else dumps(msg.sentences),
            )
            cur = c.execute(
                f"INSERT INTO messages({_MESSAGE_COLS}) VALUES ({', '.join('?' * len(values))})",
                values,
            )
            c.execute("UPDATE chats SET updated_at = ? WHERE id = ?", (msg.created_at, msg.chat_id))
            msg.id = cur.lastrowid
            return msg.id

    def messages(self, chat_id: int, all_versions: bool = False) -> list[Message]:
        """The conversation as shown (one version per answer), or every row."""
        where = "" if all_versions else " AND active"
        rows = self.db.query(
            f"SELECT * FROM messages WHERE chat_id = ?{where} ORDER BY id", (chat_id,)
        )
        return [_message(r) for r in rows]

    def message(self, message_id: int) -> Message | None:
        row = self.db.one("SELECT * FROM messages WHERE id = ?", (message_id,))
        return _message(row) if row else None

    def versions(self, message_id: int) -> list[Message]:
        """Every version of an answer (itself included), first generated first."""
        m = self.message(message_id)
        if m is None or m.role != "assistant":
            return []
        if m.parent_id is None:
            return [m]
        rows = self.db.query(
            "SELECT * FROM messages WHERE parent_id = ? AND role = 'assistant'"
            " ORDER BY version, id",
            (m.parent_id,),
        )
        return [_message(r) for r in rows]

    def prefer(self, message_id: int) -> Message:
        """Show this version and record that the user preferred it (now) over its siblings."""
        m = self.message(message_id)
        if m is None or m.role != "assistant":
            raise StoreError(f"Message {message_id} is not an answer, so it has no versions.")
        with self.db.tx() as c:
            if m.parent_id is not None:
                c.execute(
                    "UPDATE messages SET active = 0, preferred_at = NULL"
                    " WHERE parent_id = ? AND role = 'assistant'",
                    (m.parent_id,),
                )
            c.execute(
                "UPDATE messages SET active = 1, preferred_at = ? WHERE id = ?", (now(), m.id)
            )
        return self.message(message_id)

    def delete_later_turns(self, chat_id: int, question_id: int) -> int:
        """Drop the turns after a question, keeping the question and its answers' versions
        (regenerate)."""
        with self.db.tx() as c:
            return c.execute(
                "DELETE FROM messages WHERE chat_id = ? AND id > ?"
                " AND NOT (role = 'assistant' AND parent_id IS ?)",
                (chat_id, question_id, question_id),
            ).rowcount

    def delete_messages_from(self, chat_id: int, message_id: int) -> int:
        """Drop a message and everything after it (edit-and-resend)."""
        with self.db.tx() as c:
            return c.execute(
                "DELETE FROM messages WHERE chat_id = ? AND id >= ?", (chat_id, message_id)
            ).rowcount

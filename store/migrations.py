"""Ordered, named schema migrations, each recorded once in `migrations`.

Append new migrations at the end of MIGRATIONS; never edit or reorder an
applied one. Each runs in its own transaction with its record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from store.errors import StoreError


def m0001_core(conn) -> None:
    conn.executescript(
        """
        CREATE TABLE models (
            name TEXT PRIMARY KEY,
            path TEXT NOT NULL,
            managed INTEGER NOT NULL DEFAULT 1,   -- 1: folder lives in the data dir
            source TEXT,                          -- 'embedded', 'import', 'hub:<repo>', 'quantize:<name>'
            architecture TEXT,
            parameters INTEGER,
            quantization TEXT,
            size_bytes INTEGER,
            added_at TEXT NOT NULL
        );
        CREATE TABLE chats (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            model TEXT,
            adapter TEXT,
            system_prompt TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
            parent_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
            role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
            content TEXT NOT NULL,
            prompt TEXT,            -- the exact text sent to the model (assistant rows)
            model TEXT,
            adapter TEXT,
            params TEXT,            -- JSON generation settings
            prompt_tokens INTEGER,
            generation_tokens INTEGER,
            prompt_tps REAL,
            generation_tps REAL,
            peak_memory_mb REAL,
            finish_reason TEXT,     -- 'stop', 'length', 'cancelled', 'error'
            created_at TEXT NOT NULL
        );
        CREATE INDEX messages_chat ON messages(chat_id, id);
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL     -- JSON
        );
        """
    )


MIGRATIONS: list[tuple[str, Callable]] = [
    ("0001_core", m0001_core),
]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def applied_migrations(db) -> list[str]:
    return [r[0] for r in db.query("SELECT name FROM migrations ORDER BY rowid")]


def apply_migrations(db) -> list[str]:
    """Apply pending migrations in order; return the names applied now."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = set(applied_migrations(db))
    known = {name for name, _ in MIGRATIONS}
    unknown = done - known
    if unknown:
        raise StoreError(
            f"The database {db.path} was written by a newer Sastre (migrations "
            f"{', '.join(sorted(unknown))}). Update Sastre, or use another --data-dir."
        )
    applied = []
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        with db.tx() as conn:
            # executescript would COMMIT our transaction; run statements one by one.
            fn(_ScriptConn(conn))
            conn.execute("INSERT INTO migrations(name, applied_at) VALUES (?, ?)", (name, now()))
        applied.append(name)
    return applied


class _ScriptConn:
    """Lets migrations call executescript() without it committing the transaction."""

    def __init__(self, conn):
        self._conn = conn

    def executescript(self, script: str) -> None:
        import sqlean

        buf = ""
        for line in script.splitlines(keepends=True):
            buf += line
            if sqlean.complete_statement(buf):
                if buf.strip():
                    self._conn.execute(buf)
                buf = ""
        if buf.strip():
            self._conn.execute(buf)

    def execute(self, *args):
        return self._conn.execute(*args)

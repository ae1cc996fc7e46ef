"""Key/value settings stored as JSON."""

from __future__ import annotations

from typing import Any

from store.db import Database, dumps, loads


class SettingsRepo:
    def __init__(self, db: Database):
        self.db = db

    def get(self, key: str, default: Any = None) -> Any:
        row = self.db.one("SELECT value FROM settings WHERE key = ?", (key,))
        return loads(row[0]) if row else default

    def set(self, key: str, value: Any) -> None:
        with self.db.tx() as c:
            c.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, dumps(value)),
            )

    def delete(self, key: str) -> None:
        with self.db.tx() as c:
            c.execute("DELETE FROM settings WHERE key = ?", (key,))

    def all(self) -> dict[str, Any]:
        return {r[0]: loads(r[1]) for r in self.db.query("SELECT key, value FROM settings")}

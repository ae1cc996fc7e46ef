"""The registry of installed models (the folders themselves live on disk)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from store.db import Database, now


@dataclass
class ModelRecord:
    name: str
    path: str
    managed: bool = True
    source: str | None = None
    architecture: str | None = None
    parameters: int | None = None
    quantization: str | None = None
    size_bytes: int | None = None
    added_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ModelRepo:
    def __init__(self, db: Database):
        self.db = db

    def add(self, rec: ModelRecord) -> None:
        rec.added_at = rec.added_at or now()
        d = rec.to_dict()
        d["managed"] = int(rec.managed)
        cols = ", ".join(d)
        with self.db.tx() as c:
            c.execute(
                f"INSERT OR REPLACE INTO models({cols}) VALUES ({', '.join('?' * len(d))})",
                tuple(d.values()),
            )

    def get(self, name: str) -> ModelRecord | None:
        row = self.db.one("SELECT * FROM models WHERE name = ?", (name,))
        return _record(row) if row else None

    def list(self) -> list[ModelRecord]:
        return [_record(r) for r in self.db.query("SELECT * FROM models ORDER BY name")]

    def remove(self, name: str) -> bool:
        with self.db.tx() as c:
            return c.execute("DELETE FROM models WHERE name = ?", (name,)).rowcount > 0


def _record(row) -> ModelRecord:
    d = dict(row)
    d["managed"] = bool(d["managed"])
    return ModelRecord(**d)

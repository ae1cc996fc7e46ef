"""Training datasets: a name, where the examples came from, and the examples.

Each example is one JSON object in mlx-lm's formats: {"messages": [...]},
{"prompt", "completion"} or {"text"}; `split` is 'train' or 'valid'.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from store.db import Database, dumps, loads, now
from store.errors import StoreError


@dataclass
class DatasetRecord:
    id: int | None
    name: str
    format: str  # 'chat', 'completions' or 'text'
    source: str  # 'chats', 'docs:<collection>', 'import:<file>'
    stats: dict[str, Any] = field(default_factory=dict)
    created_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class DatasetRepo:
    def __init__(self, db: Database):
        self.db = db

    def create(
        self,
        name: str,
        format: str,
        source: str,
        examples: list[tuple[str, dict]],
        stats: dict[str, Any] | None = None,
        replace: bool = False,
    ) -> DatasetRecord:
        """Save a dataset and its (split, example) rows in one transaction."""
        with self.db.tx() as c:
            old = c.execute("SELECT id FROM datasets WHERE name = ?", (name,)).fetchone()
            if old is not None:
                if not replace:
                    raise StoreError(
                        f"A dataset named '{name}' already exists. Choose another --name, or "
                        f"remove it first with `sastre datasets rm {name}`."
                    )
                c.execute("DELETE FROM datasets WHERE id = ?", (old[0],))
            cur = c.execute(
                "INSERT INTO datasets(name, format, source, stats, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (name, format, source, dumps(stats or {}), now()),
            )
            ds_id = cur.lastrowid
            c.executemany(
                "INSERT INTO dataset_examples(dataset_id, seq, split, data) VALUES (?, ?, ?, ?)",
                [(ds_id, i, split, dumps(ex)) for i, (split, ex) in enumerate(examples)],
            )
        return self.get(name)

    def get(self, name: str) -> DatasetRecord | None:
        row = self.db.one("SELECT * FROM datasets WHERE name = ?", (name,))
        return _record(row) if row else None

    def list(self) -> list[DatasetRecord]:
        return [_record(r) for r in self.db.query("SELECT * FROM datasets ORDER BY name")]

    def examples(self, name: str, split: str | None = None) -> list[dict]:
        sql = (
            "SELECT e.data FROM dataset_examples e JOIN datasets d ON d.id = e.dataset_id"
            " WHERE d.name = ?"
        )
        params: tuple = (name,)
        if split is not None:
            sql, params = sql + " AND e.split = ?", (name, split)
        return [loads(r[0]) for r in self.db.query(sql + " ORDER BY e.seq", params)]

    def remove(self, name: str) -> bool:
        with self.db.tx() as c:
            return c.execute("DELETE FROM datasets WHERE name = ?", (name,)).rowcount > 0


def _record(row) -> DatasetRecord:
    d = dict(row)
    d["stats"] = loads(d["stats"], {})
    return DatasetRecord(**d)

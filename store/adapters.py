"""Trained adapters (the files live in <data dir>/adapters/NAME), their runs and A/B votes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from store.db import Database, dumps, loads, now

REWARD = "reward"  # the method of a reward model (engine.train.reward), kept beside adapters


@dataclass
class AdapterRecord:
    name: str
    path: str
    base_model: str
    method: str  # 'lora', 'qlora', 'dpo', 'ipo', 'kto' or 'reward' (a reward model)
    datasets: list[dict[str, Any]] = field(default_factory=list)  # [{"name", "weight"}]
    params: dict[str, Any] = field(default_factory=dict)  # hyper-parameters
    metrics: dict[str, Any] = field(default_factory=dict)  # the evaluation report
    status: str = "training"  # 'training', 'ready', 'cancelled', 'failed'
    parent: str | None = None  # adapter this one continued from
    created_at: str | None = None
    updated_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_JSON = ("datasets", "params", "metrics")


class AdapterRepo:
    def __init__(self, db: Database):
        self.db = db

    def save(self, rec: AdapterRecord) -> AdapterRecord:
        """Insert or update by name."""
        ts = now()
        rec.created_at = rec.created_at or ts
        rec.updated_at = ts
        d = rec.to_dict()
        for k in _JSON:
            d[k] = dumps(d[k])
        cols = ", ".join(d)
        updates = ", ".join(f"{k} = excluded.{k}" for k in d if k not in ("name", "created_at"))
        with self.db.tx() as c:
            c.execute(
                f"INSERT INTO adapters({cols}) VALUES ({', '.join('?' * len(d))})"
                f" ON CONFLICT(name) DO UPDATE SET {updates}",
                tuple(d.values()),
            )
        return rec

    def get(self, name: str) -> AdapterRecord | None:
        row = self.db.one("SELECT * FROM adapters WHERE name = ?", (name,))
        return _record(row) if row else None

    def list(self, reward: bool | None = False) -> list[AdapterRecord]:
        """LoRA adapters (the default), reward models (`reward=True`) or both (None)."""
        rows = [_record(r) for r in self.db.query("SELECT * FROM adapters ORDER BY created_at")]
        return [r for r in rows if reward is None or (r.method == REWARD) == reward]

    def remove(self, name: str) -> bool:
        with self.db.tx() as c:
            return c.execute("DELETE FROM adapters WHERE name = ?", (name,)).rowcount > 0

    def add_vote(self, prompt: str, a: str, b: str, winner: str) -> None:
        """One blind A/B comparison: `winner` is an adapter name, or 'tie'."""
        with self.db.tx() as c:
            c.execute(
                "INSERT INTO ab_votes(prompt, adapter_a, adapter_b, winner, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (prompt, a, b, winner, now()),
            )

    def wins(self) -> dict[str, int]:
        rows = self.db.query("SELECT winner, COUNT(*) FROM ab_votes GROUP BY winner")
        return {r[0]: r[1] for r in rows}


def _record(row) -> AdapterRecord:
    d = dict(row)
    for k in _JSON:
        d[k] = loads(d[k], [] if k == "datasets" else {})
    return AdapterRecord(**d)

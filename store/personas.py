"""Personas: named system prompts with their prompt techniques and defaults."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from store.db import Database, IntegrityError, dumps, loads, now
from store.errors import StoreError


@dataclass
class Persona:
    name: str
    system_prompt: str = ""
    description: str = ""
    collection: str | None = None  # default document collection (cited answers)
    adapter: str | None = None  # default LoRA adapter
    examples: list[dict[str, str]] = field(default_factory=list)  # [{"user", "assistant"}]
    chain_of_thought: bool = False
    output_format: str = ""
    use_feedback: bool = True  # liked / disliked answers become examples
    builtin: bool = False
    id: int | None = None
    created_at: str | None = None
    updated_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Persona:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


_EDITABLE = (
    "name",
    "system_prompt",
    "description",
    "collection",
    "adapter",
    "examples",
    "chain_of_thought",
    "output_format",
    "use_feedback",
)


def _persona(row) -> Persona:
    d = dict(row)
    d["examples"] = loads(d["examples"], [])
    for k in ("chain_of_thought", "use_feedback", "builtin"):
        d[k] = bool(d[k])
    return Persona(**d)


def _values(p: Persona) -> tuple:
    return (
        p.name.strip(),
        p.system_prompt,
        p.description,
        p.collection or None,
        p.adapter or None,
        dumps(p.examples or []),
        int(p.chain_of_thought),
        p.output_format or "",
        int(p.use_feedback),
    )


class PersonaRepo:
    def __init__(self, db: Database):
        self.db = db

    def list(self) -> list[Persona]:
        return [_persona(r) for r in self.db.query("SELECT * FROM personas ORDER BY name")]

    def get(self, name: str) -> Persona | None:
        row = self.db.one("SELECT * FROM personas WHERE name = ?", (name,))
        return _persona(row) if row else None

    def add(self, persona: Persona) -> Persona:
        if not persona.name.strip():
            raise StoreError("A persona needs a name.")
        ts = now()
        try:
            with self.db.tx() as c:
                c.execute(
                    f"INSERT INTO personas({', '.join(_EDITABLE)}, builtin, created_at, updated_at)"
                    f" VALUES ({', '.join('?' * len(_EDITABLE))}, ?, ?, ?)",
                    (*_values(persona), int(persona.builtin), ts, ts),
                )
        except IntegrityError:
            raise StoreError(
                f"There is already a persona named {persona.name!r}. Pick another name, or "
                f"edit it with `sastre personas edit {persona.name!r}`."
            ) from None
        return self.get(persona.name.strip())

    def update(self, name: str, persona: Persona) -> Persona:
        """Replace persona `name` with `persona` (which may carry a new name)."""
        if self.get(name) is None:
            raise StoreError(f"There is no persona {name!r}. See `sastre personas list`.")
        cols = ", ".join(f"{k} = ?" for k in _EDITABLE)
        try:
            with self.db.tx() as c:
                c.execute(
                    f"UPDATE personas SET {cols}, updated_at = ? WHERE name = ?",
                    (*_values(persona), now(), name),
                )
        except IntegrityError:
            raise StoreError(f"There is already a persona named {persona.name!r}.") from None
        return self.get(persona.name.strip())

    def duplicate(self, name: str, new_name: str) -> Persona:
        p = self.get(name)
        if p is None:
            raise StoreError(f"There is no persona {name!r}. See `sastre personas list`.")
        p.name, p.builtin, p.id = new_name, False, None
        return self.add(p)

    def delete(self, name: str) -> bool:
        with self.db.tx() as c:
            return c.execute("DELETE FROM personas WHERE name = ?", (name,)).rowcount > 0

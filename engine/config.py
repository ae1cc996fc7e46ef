"""Configuration dataclasses. Each field's help lives in its metadata, so the
CLI's --help and the GUI's tooltips come from one place."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


def opt(default: Any, help: str, **meta: Any) -> Any:
    return field(default=default, metadata={"help": help, **meta})


class Settings:
    """What every configuration dataclass shares: from/to a dict, and a check of each
    field against its metadata (min, max, choices)."""

    @classmethod
    def from_dict(cls: type[T], data: dict[str, Any] | None) -> T:
        """Build from a dict, ignoring unknown keys so saved settings survive upgrades."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def validate(self) -> None:
        from engine.errors import SastreError

        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            lo, hi = f.metadata.get("min"), f.metadata.get("max")
            choices = f.metadata.get("choices")
            if value is None:
                continue
            if choices is not None and value not in choices:
                raise SastreError(
                    f"Setting {f.name.replace('_', '-')}={value!r} is not known; use one of "
                    f"{', '.join(choices)}."
                )
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                raise SastreError(
                    f"Setting {f.name.replace('_', '-')}={value} is out of range; use a value "
                    f"between {lo} and {hi}."
                )


@dataclass
class GenerationConfig(Settings):
    """Sampling settings. A field left as None is "auto": engine/sampling.py picks it for
    the model's size and the task (document answers, chat); a value set here always wins."""

    max_tokens: int = opt(512, "Most tokens to generate for one answer.", min=1, max=32768)
    temperature: float | None = opt(
        None,
        "Sampling temperature; 0 always picks the likeliest token. Auto: 0 for document "
        "answers and small models.",
        min=0.0,
        max=2.0,
    )
    top_p: float | None = opt(
        None,
        "Nucleus sampling: keep the smallest set of tokens whose probability adds up to this.",
        min=0.0,
        max=1.0,
    )
    min_p: float = opt(
        0.0, "Drop tokens less likely than this fraction of the likeliest one.", min=0.0, max=1.0
    )
    top_k: int = opt(0, "Keep only the k likeliest tokens (0: no limit).", min=0, max=1000)
    repetition_penalty: float | None = opt(
        None, "Penalise tokens already in the recent context (1: off).", min=1.0, max=2.0
    )
    max_repeats: int | None = opt(
        None,
        "Stop an answer that writes the same passage this many times in a row (0: never).",
        min=0,
        max=100,
    )
    seed: int | None = opt(None, "Random seed, for answers you can reproduce.")


def help_for(cls: type, name: str) -> str:
    return next(f.metadata.get("help", "") for f in dataclasses.fields(cls) if f.name == name)


def choices_for(cls: type, name: str) -> tuple | None:
    """A setting's allowed values, for a command-line option that sets it."""
    return next(f.metadata.get("choices") for f in dataclasses.fields(cls) if f.name == name)

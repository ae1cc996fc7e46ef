"""Citation markers in answers: "[1]", "[1, 3]", "[1][2]". The one parser for them.

A marker preceded by a backslash or "!" (escaped text, an image) or followed by "("
(a Markdown link) is not a citation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

GROUP = re.compile(r"(?<![\\!])((?:\[\d{1,3}(?:\s*,\s*\d{1,3})*\])+)(?!\()")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Citation:
    start: int
    end: int
    numbers: tuple[int, ...]


def find(text: str) -> Iterator[Citation]:
    """Every group of citation markers in `text`, in order."""
    for m in GROUP.finditer(text or ""):
        yield Citation(m.start(), m.end(), tuple(int(n) for n in _NUMBER.findall(m.group(1))))


def cited_numbers(text: str, n_sources: int | None = None) -> set[int]:
    """The source numbers `text` cites (only 1..n_sources when that is given)."""
    nums = {n for c in find(text) for n in c.numbers}
    return {n for n in nums if 1 <= n and (n_sources is None or n <= n_sources)}


def marker(numbers: list[int] | tuple[int, ...]) -> str:
    """The text of a citation of these sources: "[1][3]"."""
    return "".join(f"[{n}]" for n in numbers)

"""How degenerate free-running answers are: repeated lines and n-grams, distinct-n, length.

Over-optimised preference training shows up as answers that loop on one line or
phrase, or shrink to nothing. These are measured on the held-out prompts' greedy
answers before and after a run; an adapter that got clearly worse is not
promotable (the numbers are stored with it).
"""

from __future__ import annotations

import re

NGRAM = 4
LOOPING = 0.3  # an answer with over 30% repeated 4-grams or lines is degenerate


def _words(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text.lower())


def repeated_lines(text: str) -> float:
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    return 1.0 - len(set(lines)) / len(lines) if lines else 0.0


def repeated_ngrams(text: str, n: int = NGRAM) -> float:
    w = _words(text)
    grams = [tuple(w[i : i + n]) for i in range(len(w) - n + 1)]
    return 1.0 - len(set(grams)) / len(grams) if grams else 0.0


def distinct(text: str, n: int = 2) -> float:
    w = _words(text)
    grams = [tuple(w[i : i + n]) for i in range(len(w) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def is_degenerate(text: str) -> bool:
    return not text.strip() or repeated_ngrams(text) > LOOPING or repeated_lines(text) > LOOPING


def measure(answers: list[str]) -> dict:
    """Means over the answers, and how many are degenerate."""
    n = max(1, len(answers))
    return {
        "answers": len(answers),
        "degenerate": sum(is_degenerate(a) for a in answers),
        "repeated_lines": round(sum(map(repeated_lines, answers)) / n, 4),
        "repeated_ngrams": round(sum(map(repeated_ngrams, answers)) / n, 4),
        "distinct_2": round(sum(map(distinct, answers)) / n, 4),
        "mean_words": round(sum(len(_words(a)) for a in answers) / n, 1),
    }


def verdict(before: dict, after: dict) -> str | None:
    """Why the adapter must not be promoted, or None when it did not degenerate."""
    if after["degenerate"] > before["degenerate"]:
        return (
            f"{after['degenerate']} of {after['answers']} held-out answers now repeat "
            f"themselves or are empty (before: {before['degenerate']})."
        )
    if after["repeated_ngrams"] > before["repeated_ngrams"] + 0.15:
        return (
            f"Repeated phrases rose from {before['repeated_ngrams']:.0%} to "
            f"{after['repeated_ngrams']:.0%} of the answers' 4-grams."
        )
    if before["mean_words"] and after["mean_words"] < 0.3 * before["mean_words"]:
        return (
            f"Answers shrank from {before['mean_words']:.0f} to {after['mean_words']:.0f} words "
            "on average."
        )
    return None

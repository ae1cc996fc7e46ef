"""Prompt assembly: which messages go to the model, within the context window."""

from __future__ import annotations

from collections.abc import Callable

DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant. Answer clearly and accurately."


def fit_history(
    system: str | None,
    history: list[dict[str, str]],
    user: str,
    count_tokens: Callable[[list[dict[str, str]]], int],
    budget: int,
) -> list[dict[str, str]]:
    """System + as many recent turns as fit in `budget` tokens + the new user message.

    Whole turns are dropped from the oldest end, so the model never sees half a
    question; the system prompt and the new message are always kept.
    """
    head = [{"role": "system", "content": system}] if system else []
    tail = [{"role": "user", "content": user}]
    kept = list(history)
    while kept and count_tokens(head + kept + tail) > budget:
        # Drop the oldest user turn and the answers that followed it.
        drop = 1
        while drop < len(kept) and kept[drop]["role"] != "user":
            drop += 1
        kept = kept[drop:]
    return head + kept + tail

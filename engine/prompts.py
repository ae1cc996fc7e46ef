"""Prompt assembly: the messages sent to the model and their named parts, within a budget.

`assemble` is a pure function: given the pieces (system prompt, technique, memories,
examples, history, question) and a token counter, it returns the chat messages and the
named parts with their token counts -- exactly what is sent, so the prompt inspector and
`sastre chat --show-prompt` show the same thing the model saw.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant. Answer clearly and accurately."

COT_INSTRUCTION = (
    "Think step by step. Write your reasoning first, then a last line that starts with "
    '"Answer:" followed by the final answer.'
)


@dataclass
class PromptPart:
    """One named piece of a prompt as sent; tokens counted with the model's tokenizer."""

    name: str  # system, technique, memories, avoid, example, history, sources, user, template
    text: str
    tokens: int
    detail: str = ""  # e.g. "liked, similarity 0.82"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Example:
    user: str
    assistant: str
    source: str  # 'persona' (written by the user) or 'liked'
    similarity: float | None = None
    feedback_id: int | None = None


@dataclass
class Avoid:
    user: str
    answer: str
    reason: str | None
    similarity: float


@dataclass
class Assembly:
    messages: list[dict[str, str]]
    parts: list[PromptPart] = field(default_factory=list)

    @property
    def part_dicts(self) -> list[dict[str, Any]]:
        return [p.to_dict() for p in self.parts]


def technique_text(chain_of_thought: bool, output_format: str) -> str:
    out = []
    if output_format.strip():
        out.append(f"Output format: {output_format.strip()}")
    if chain_of_thought:
        out.append(COT_INSTRUCTION)
    return "\n".join(out)


def memory_text(memories: Sequence[str]) -> str:
    if not memories:
        return ""
    return "What you know about the user:\n" + "\n".join(f"- {m}" for m in memories)


def avoid_text(avoid: Sequence[Avoid], limit: int = 300) -> str:
    if not avoid:
        return ""
    lines = ["The user disliked these earlier answers to similar questions; do not repeat them:"]
    for a in avoid:
        ans = a.answer if len(a.answer) <= limit else a.answer[: limit - 1] + "…"
        why = f" (reason: {a.reason})" if a.reason else ""
        lines.append(f'- To "{a.user}" the answer "{ans}" was disliked{why}.')
    return "\n".join(lines)


def assemble(
    *,
    system: str | None,
    user: str,
    count_text: Callable[[str], int],
    count_messages: Callable[[list[dict[str, str]]], int],
    budget: int,
    technique: str = "",
    memories: Sequence[str] = (),
    examples: Sequence[Example] = (),
    avoid: Sequence[Avoid] = (),
    history: Sequence[dict[str, str]] = (),
    question: str | None = None,
    example_budget: int = 400,
    memory_budget: int = 200,
) -> Assembly:
    """The messages to send and their named parts, within `budget` tokens.

    Order: system (persona + technique + memories + what to avoid), few-shot
    examples as earlier turns, as much recent history as fits, the new message.
    Examples are kept in the order given (best first) while they fit in
    `example_budget`; memories likewise within `memory_budget`; history turns
    are dropped oldest first. `question` is the user's own words when `user` is
    a longer message wrapping them (retrieved sources + question).
    """
    parts: list[PromptPart] = []

    def part(name: str, text: str, detail: str = "") -> None:
        if text:
            parts.append(PromptPart(name, text, count_text(text), detail))

    sys_pieces = [
        ("system", (system or "").strip()),
        ("technique", technique.strip()),
        ("memories", memory_text(_within(memories, lambda m: count_text(m) + 2, memory_budget))),
        ("avoid", avoid_text(avoid)),
    ]
    system_text = "\n\n".join(t for _, t in sys_pieces if t)
    for name, text in sys_pieces:
        part(name, text)
    head = [{"role": "system", "content": system_text}] if system_text else []
    shots: list[dict[str, str]] = []
    for ex in _fitting_examples(examples, count_text, example_budget):
        shots += [
            {"role": "user", "content": ex.user},
            {"role": "assistant", "content": ex.assistant},
        ]
        detail = ex.source + (
            f", similarity {ex.similarity:.2f}" if ex.similarity is not None else ""
        )
        part("example", f"User: {ex.user}\nAssistant: {ex.assistant}", detail)
    tail = [{"role": "user", "content": user}]
    kept = _recent_history(history, lambda h: count_messages(head + shots + h + tail), budget)
    for m in kept:
        part("history", f"{m['role'].capitalize()}: {m['content']}")
    if question is not None and question != user:
        part("sources", user.replace(question, "").strip())
        part("user", question)
    else:
        part("user", user)
    messages = head + shots + kept + tail
    overhead = count_messages(messages) - sum(p.tokens for p in parts)
    parts.append(PromptPart("template", "(chat template: role markers and separators)", overhead))
    return Assembly(messages, parts)


def _within(items: Sequence[str], cost: Callable[[str], int], budget: int) -> list[str]:
    """The first items, in order, while their cost fits in `budget`."""
    kept, used = [], 0
    for item in items:
        if used + cost(item) > budget:
            break
        kept.append(item)
        used += cost(item)
    return kept


def _fitting_examples(
    examples: Sequence[Example], count_text: Callable[[str], int], budget: int
) -> list[Example]:
    """Examples in the order given (best first) while they fit; a shorter, less similar
    one may still fit after a long one did not."""
    kept, used = [], 0
    for ex in examples:
        t = count_text(ex.user) + count_text(ex.assistant) + 8
        if used + t <= budget:
            kept.append(ex)
            used += t
    return kept


def _recent_history(
    history: Sequence[dict[str, str]],
    count_with: Callable[[list[dict[str, str]]], int],
    budget: int,
) -> list[dict[str, str]]:
    """As much recent history as fits: whole turns are dropped oldest first, so the model
    never sees half a question."""
    kept = list(history)
    while kept and count_with(kept) > budget:
        drop = 1  # the oldest user turn and the answers that followed it
        while drop < len(kept) and kept[drop]["role"] != "user":
            drop += 1
        kept = kept[drop:]
    return kept


def format_parts(parts: Sequence[dict[str, Any]] | Sequence[PromptPart]) -> str:
    """The prompt's parts as text, for `--show-prompt` and the inspector."""
    rows = [p.to_dict() if isinstance(p, PromptPart) else p for p in parts]
    total = sum(p["tokens"] for p in rows)
    out = []
    for p in rows:
        detail = f", {p['detail']}" if p.get("detail") else ""
        out.append(f"── {p['name']} ({p['tokens']} tokens{detail}) ──\n{p['text']}")
    out.append(f"── total: {total} tokens ──")
    return "\n".join(out)

"""Personalization: personas, prompt techniques, memories and few-shot from feedback.

`assemble` is a pure function: given the pieces (persona, memories, examples,
history, question) and a token counter, it returns the chat messages and the
named parts with their token counts -- exactly what is sent, so the prompt
inspector and `sastre chat --show-prompt` show the same thing the model saw.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from engine.config import Settings, opt
from resources import ROOT as RESOURCES

if TYPE_CHECKING:
    from store import Store
    from store.feedback import Feedback


COT_INSTRUCTION = (
    "Think step by step. Write your reasoning first, then a last line that starts with "
    '"Answer:" followed by the final answer.'
)
ANSWER_MARK = re.compile(r"^\s*(?:final answer|answer|respuesta(?: final)?)\s*:\s*", re.I | re.M)


@dataclass
class PersonalizeConfig(Settings):
    example_budget: int = opt(400, "Most prompt tokens for few-shot examples.", min=0)
    max_liked: int = opt(3, "Most liked answers added as examples.", min=0, max=20)
    max_disliked: int = opt(2, "Most disliked answers described as what to avoid.", min=0)
    min_similarity: float = opt(
        0.35, "Only rated questions at least this similar (cosine) are used.", min=0.0, max=1.0
    )
    memory_budget: int = opt(200, "Most prompt tokens for accepted memories.", min=0)
    retrieval_weight: float = opt(
        0.3, "Largest up/down weight feedback gives a cited chunk (0: off).", min=0.0, max=0.9
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


# -- the pure part -------------------------------------------------------------------------


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

    kept_mem: list[str] = []
    used = 0
    for m in memories:
        t = count_text(m) + 2
        if used + t > memory_budget:
            break
        kept_mem.append(m)
        used += t
    sys_pieces = [
        ("system", (system or "").strip()),
        ("technique", technique.strip()),
        ("memories", memory_text(kept_mem)),
        ("avoid", avoid_text(avoid)),
    ]
    system_text = "\n\n".join(t for _, t in sys_pieces if t)
    for name, text in sys_pieces:
        part(name, text)
    head = [{"role": "system", "content": system_text}] if system_text else []

    shots: list[dict[str, str]] = []
    used = 0
    for ex in examples:
        t = count_text(ex.user) + count_text(ex.assistant) + 8
        if used + t > example_budget:
            continue  # a shorter, less similar example may still fit
        used += t
        shots += [
            {"role": "user", "content": ex.user},
            {"role": "assistant", "content": ex.assistant},
        ]
        detail = ex.source + (
            f", similarity {ex.similarity:.2f}" if ex.similarity is not None else ""
        )
        part("example", f"User: {ex.user}\nAssistant: {ex.assistant}", detail)

    tail = [{"role": "user", "content": user}]
    kept = list(history)
    while kept and count_messages(head + shots + kept + tail) > budget:
        drop = 1  # the oldest user turn and the answers that followed it
        while drop < len(kept) and kept[drop]["role"] != "user":
            drop += 1
        kept = kept[drop:]
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


def split_reasoning(text: str) -> tuple[str, str]:
    """(reasoning, final answer) of a chain-of-thought answer; ('', text) without a mark."""
    marks = list(ANSWER_MARK.finditer(text))
    if not marks:
        return "", text
    m = marks[-1]
    return text[: m.start()].strip(), text[m.end() :].strip()


# -- memories: rule-based proposals ---------------------------------------------------------
# The 135M default model cannot extract facts reliably, so statements are matched by
# first-person patterns (English and Spanish) and proposed; the user decides.

_MEMORY_PATTERNS = [
    r"\bI(?:'m| am) (?:a|an) [^.!?,;\n]{2,80}",
    r"\bI(?:'m| am) (?:from|based in) [^.!?,;\n]{2,60}",
    r"\bI (?:live|work|study) (?:in|at|as|on) [^.!?,;\n]{2,80}",
    r"\bmy name is [^.!?,\n]{2,40}",
    r"\bcall me [^.!?,\n]{2,40}",
    r"\bI (?:prefer|like|want|need) (?:short|long|brief|detailed|concise|simple|answers|replies|you to)"
    r"[^.!?,;\n]{0,80}",
    r"\b(?:always )?(?:answer|reply|respond|write) (?:to me )?in (?:English|Spanish|French|German|"
    r"Italian|Portuguese|Catalan)\b[^.!?,;\n]{0,40}",
    r"\bsoy (?:una? )?(?!de\b)[^.!?,;\n]{3,80}",
    r"\bsoy de [^.!?,;\n]{2,60}",
    r"\b(?:vivo|trabajo|estudio) (?:en|como) [^.!?,;\n]{2,80}",
    r"\bme llamo [^.!?,\n]{2,40}",
    r"\bprefiero [^.!?,;\n]{2,80}",
    r"\b(?:respóndeme|contéstame|responde|contesta|escríbeme) (?:siempre )?en [^.!?,;\n]{2,40}",
]
_MEMORY_RE = re.compile("|".join(f"(?:{p})" for p in _MEMORY_PATTERNS), re.I)


def propose_memories(text: str) -> list[str]:
    """Facts and preferences the user stated about themselves, as short sentences."""
    if "?" in text and len(text) < 40:  # "am I a ...?" questions are not statements
        return []
    out: list[str] = []
    for m in _MEMORY_RE.finditer(text):
        fact = m.group().strip().rstrip(",;:")
        fact = fact[0].upper() + fact[1:]
        if fact.lower() not in (f.lower() for f in out):
            out.append(fact)
    return out


# -- personas from resources ----------------------------------------------------------------


def builtin_personas() -> list[dict[str, Any]]:
    return json.loads((RESOURCES / "personas.json").read_text(encoding="utf-8"))


def ensure_builtin_personas(store: Store) -> None:
    """Add the built-in personas once; a user who deletes one does not get it back."""
    from store.personas import Persona

    if store.settings.get("personas_seeded"):
        return
    for d in builtin_personas():
        if store.personas.get(d["name"]) is None:
            store.personas.add(Persona.from_dict({**d, "builtin": True}))
    store.settings.set("personas_seeded", True)


# -- feedback: examples, things to avoid, retrieval weights --------------------------------


@dataclass
class FeedbackMatches:
    liked: list[Example] = field(default_factory=list)
    avoid: list[Avoid] = field(default_factory=list)
    rated: list[tuple[Feedback, float]] = field(default_factory=list)  # all similar ones


def similar_feedback(
    store: Store,
    embedder_fn: Callable[[], Any],
    question: str,
    config: PersonalizeConfig,
) -> FeedbackMatches:
    """Liked answers to similar questions (as examples) and disliked ones (to avoid).

    With no feedback stored, returns at once without loading the embedding model.
    """
    if store.feedback.count() == 0:
        return FeedbackMatches()
    emb = embedder_fn()
    table = store.feedback.vector_table(emb.model_id, emb.dimension)
    missing = store.feedback.missing_vectors(table)
    if missing:
        vecs = emb.embed([q for _, q in missing])
        store.feedback.add_vectors(
            table, [(fid, v.tolist()) for (fid, _), v in zip(missing, vecs, strict=True)]
        )
    k = max(8, 2 * (config.max_liked + config.max_disliked))
    found = [
        (f, s)
        for f, s in store.feedback.similar(table, emb.embed_query(question).tolist(), k)
        if s >= config.min_similarity and f.question
    ]
    out = FeedbackMatches(rated=found)
    for f, s in found:
        if f.rating > 0 and len(out.liked) < config.max_liked:
            out.liked.append(Example(f.question, f.answer or "", "liked", s, f.id))
        elif f.rating < 0:
            if f.correction and len(out.liked) < config.max_liked:
                # A corrected answer is the liked answer the user wrote.
                out.liked.append(Example(f.question, f.correction, "corrected", s, f.id))
            if len(out.avoid) < config.max_disliked:
                out.avoid.append(Avoid(f.question, f.answer or "", f.reason, s))
    return out


def chunk_weights(rated: Sequence[tuple[Feedback, float]], cap: float) -> dict[int, float]:
    """Weight per chunk from feedback on similar questions, bounded to [-cap, cap].

    Liked answers' cited chunks go up, disliked ones' go down, scaled by how similar
    the rated question is. Reversible: it is computed from the current ratings at each
    question, so clearing or flipping a rating undoes it.
    """
    if cap <= 0:
        return {}
    acc: dict[int, float] = {}
    for f, sim in rated:
        for cid in f.chunk_ids or []:
            acc[cid] = acc.get(cid, 0.0) + f.rating * sim * cap
    return {c: max(-cap, min(cap, w)) for c, w in acc.items() if w}


def reweight_hits(hits: list, weights: dict[int, float], cap: float) -> list:
    """Hits re-ordered by score x (1 + weight); a hit pushed to -cap is dropped if others remain."""
    if not weights:
        return hits
    keep = [h for h in hits if weights.get(h.chunk_id, 0.0) > -cap + 1e-9] or hits
    return sorted(keep, key=lambda h: -h.score * (1 + weights.get(h.chunk_id, 0.0)))

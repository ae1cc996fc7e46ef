"""The pieces of one chat turn: its plan, its prompt, and the records it yields.

A turn is: resolve a `TurnPlan` (engine.chat.ChatService.plan) -> assemble the prompt
(`build_prompt`) -> save the question -> stream -> save the answer. This module holds the
data and the pure steps; the service that owns the model and the store is engine.chat.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from engine import feedback as fbm
from engine.config import GenerationConfig
from engine.prompts import DEFAULT_SYSTEM_PROMPT, Assembly, Example, PromptPart, assemble

if TYPE_CHECKING:
    from engine.generate import LoadedModel
    from engine.personalize import PersonalizeConfig
    from engine.rag import Retrieval
    from engine.rag.types import Source
    from store.chats import Chat
    from store.personas import Persona

TITLE_LIMIT = 60
# What `sastre chat --json` promises; the other ChatResult fields are for the app.
PUBLIC_FIELDS = (
    "chat_id", "message_id", "text", "model", "adapter", "prompt_tokens", "generation_tokens",
    "prompt_tps", "generation_tps", "peak_memory_mb",
)  # fmt: skip  # names packed: one per line would be 12 lines


@dataclass
class ChatResult:
    chat_id: int | None
    message_id: int | None
    text: str
    model: str
    adapter: str | None
    prompt_tokens: int
    generation_tokens: int
    prompt_tps: float
    generation_tps: float
    peak_memory_mb: float
    finish_reason: str
    cached_tokens: int = 0
    prompt: str = ""
    # Answers from a collection: the numbered sources [n] refers to (n, path, page,
    # heading, text, chunk_id) and the time retrieval took.
    sources: list[Source] = field(default_factory=list)
    retrieval_ms: float | None = None
    # Personalization: the prompt's named parts with token counts (what the inspector
    # shows), the persona used, and facts proposed as memories from the user's message.
    prompt_parts: list[dict] = field(default_factory=list)
    persona: str | None = None
    memories_proposed: list[int] = field(default_factory=list)
    # Document answers: each sentence with the sources that support it (rag/attribution.py).
    sentences: list[dict] = field(default_factory=list)
    # Best of N: {"n", "reward_model", "scores", "chosen", "answers", "seconds"}; None: off.
    best_of: dict | None = None

    def public(self) -> dict:
        """The fields `sastre chat --json` promises."""
        d = asdict(self)
        return {k: d[k] for k in PUBLIC_FIELDS}


@dataclass
class ChatEvent:
    """A streamed piece of text; the last event carries the result."""

    text: str
    result: ChatResult | None = None
    parts: list[dict] | None = None  # the prompt's parts, on an event before the first token


@dataclass
class TurnPlan:
    """Everything a turn needs, resolved once, before any model loads."""

    text: str  # the user's own words
    chat: Chat | None
    model: str | None  # registry name; None: the default model
    adapter: str | None  # to load: a name, "" for none, None for the default rule
    asked_adapter: str | None  # what the caller chose explicitly (a new chat records it)
    persona: Persona | None
    system: str
    collection: str | None
    config: GenerationConfig
    personalize: bool
    history: list[dict[str, str]]
    save: bool
    # Regenerate answers this saved question again; edit-and-resend replaces this message
    # and everything after it. Both act on the store only once the model is ready.
    question_id: int | None = None
    replace_from: int | None = None
    # Best of N (1: off): sample N answers, keep the one the reward model scores highest.
    best_of: int = 1
    reward_model: str | None = None  # its name; None: the newest for the model

    @property
    def chat_id(self) -> int | None:
        return self.chat.id if self.chat is not None else None

    @property
    def uses_feedback(self) -> bool:
        return self.personalize and (self.persona is None or self.persona.use_feedback)


@dataclass
class AnswerVersion:
    """One version of an answer, as `sastre chats versions` and the app show it."""

    index: int
    message_id: int
    content: str
    model: str | None
    adapter: str | None
    preferred: bool
    preferred_at: str | None
    shown: bool
    generation_tokens: int | None
    generation_tps: float | None
    rating: int | None

    def public(self) -> dict:
        return {
            "index": self.index,
            "content": self.content,
            "model": self.model,
            "adapter": self.adapter,
            "preferred": self.preferred,
        }


@dataclass
class SavedQuestion:
    chat_id: int | None
    user_id: int | None
    memories_proposed: list[int] = field(default_factory=list)


def chat_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """A chat's title from its first message: one line, plain words, at most `limit` chars."""
    import re

    plain = re.sub(r"[*_`#>\[\]]+", "", text)  # Markdown marks are not part of a title
    line = " ".join(plain.split()) or " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def history_before(messages: list, before: int | None) -> list[dict[str, str]]:
    """The conversation shown so far (one version per answer), stopping before `before`."""
    return [
        {"role": m.role, "content": m.content}
        for m in messages
        if m.role in ("user", "assistant") and m.content and (before is None or m.id < before)
    ]


def build_prompt(
    plan: TurnPlan,
    loaded: LoadedModel,
    memories: list[str],
    matches: fbm.FeedbackMatches,
    pcfg: PersonalizeConfig,
    retrieval: Retrieval | None = None,
    weights: dict[int, float] | None = None,
) -> Assembly:
    """The messages to send, within the model's context, and their named parts."""
    from engine.generate import encode, render_chat
    from engine.prompts import technique_text

    tok = loaded.tokenizer
    system, user_text = plan.system, plan.text
    if retrieval is not None:
        from engine.rag import answer

        persona = None if plan.system == DEFAULT_SYSTEM_PROMPT else plan.system
        system = answer.system_prompt(retrieval.language, persona)
        user_text = answer.user_message(retrieval)
    pers = plan.persona
    shots = [
        Example(e.get("user", ""), e.get("assistant", ""), "persona")
        for e in (pers.examples if pers else [])
        if e.get("user") and e.get("assistant")
    ]
    out = assemble(
        system=system,
        user=user_text,
        question=plan.text,
        count_text=lambda t: len(tok.encode(t, add_special_tokens=False)),
        count_messages=lambda msgs: len(encode(tok, render_chat(tok, msgs))),
        budget=max(256, loaded.context_length - plan.config.max_tokens),
        technique=technique_text(pers.chain_of_thought, pers.output_format) if pers else "",
        memories=memories,
        examples=shots + matches.liked,
        avoid=matches.avoid,
        history=plan.history,
        example_budget=pcfg.example_budget,
        memory_budget=pcfg.memory_budget,
    )
    if retrieval is not None and weights:
        out.parts.insert(-1, weights_part(weights, {h.chunk_id for h in retrieval.hits}))
    return out


def weights_part(weights: dict[int, float], kept: set[int]) -> PromptPart:
    """What feedback did to retrieval, shown in the inspector (not sent as text)."""
    text = ", ".join(
        f"chunk {c}: {w:+.2f}" + ("" if c in kept else " (dropped)") for c, w in weights.items()
    )
    return PromptPart(
        "retrieval weights", text, 0, "from feedback on similar questions; not sent as text"
    )


def result_of(
    plan: TurnPlan,
    saved: SavedQuestion,
    loaded_name: str,
    adapter: str | None,
    text: str,
    last: Any,
    reason: str,
    prompt: str = "",
    prompt_tokens: int = 0,
    parts: list[dict] | None = None,
    retrieval: Retrieval | None = None,
) -> ChatResult:
    """The turn's result from the last generation chunk (None when nothing was generated)."""
    return ChatResult(
        chat_id=saved.chat_id,
        message_id=None,
        text=text,
        model=loaded_name,
        adapter=adapter,
        prompt_tokens=prompt_tokens,
        generation_tokens=last.generation_tokens if last else 0,
        prompt_tps=round(last.prompt_tps, 2) if last else 0.0,
        generation_tps=round(last.generation_tps, 2) if last else 0.0,
        peak_memory_mb=round(last.peak_memory_mb, 1) if last else 0.0,
        finish_reason=reason,
        cached_tokens=last.cached_tokens if last else 0,
        prompt=prompt,
        sources=retrieval.sources() if retrieval and retrieval.answerable else [],
        retrieval_ms=retrieval.retrieval_ms if retrieval else None,
        prompt_parts=parts or [],
        persona=plan.persona.name if plan.persona else None,
        memories_proposed=saved.memories_proposed,
    )

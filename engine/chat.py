"""Chat: turn a user message into a streamed, saved answer.

Owns the loaded model (one at a time) and its Generator; saves the user
message before generating and the answer, with the exact prompt and its
statistics, after -- including a partial answer when the user stops it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from engine import sampling
from engine.config import GenerationConfig
from engine.errors import ChatNotFoundError, SastreError
from engine.models import ModelManager, Progress
from engine.prompts import DEFAULT_SYSTEM_PROMPT
from store import Store
from store.chats import Message

if TYPE_CHECKING:
    from engine.generate import Generator
    from engine.rag import Library, Retrieval
    from engine.rag.types import Source
    from store.personas import Persona


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
    # Document answers: each sentence with the sources that support it (attribution.py).
    sentences: list[dict] = field(default_factory=list)

    def public(self) -> dict:
        """The fields `sastre chat --json` promises."""
        d = asdict(self)
        for k in ("finish_reason", "cached_tokens", "prompt", "sources", "retrieval_ms",
                  "prompt_parts", "persona", "memories_proposed", "sentences"):  # fmt: skip
            d.pop(k)
        return d


@dataclass
class ChatEvent:
    """A streamed piece of text; the last event carries the result."""

    text: str
    result: ChatResult | None = None
    parts: list[dict] | None = None  # the prompt's parts, on an event before the first token


class ChatService:
    def __init__(
        self,
        store: Store,
        models: ModelManager,
        library: Callable[[], Library] | None = None,
    ):
        self.store = store
        self.models = models
        self._library = library  # the document library, made on first use
        # Embeds questions for few-shot from feedback; default: the library's embedder.
        self.embedder: Callable[[], object] | None = None
        self._generator: Generator | None = None
        self._key: tuple[str, str | None] | None = None

    def generator(
        self, model: str | None = None, progress: Progress | None = None, adapter: str | None = None
    ) -> Generator:
        """The loaded model; `adapter` (a trained LoRA name, '' for none) is swapped in place
        when only the adapter changes, without reloading the base."""
        from engine.generate import Generator, load_model, set_adapter  # MLX loads on first use

        if adapter and model is None and (arec := self.store.adapters.get(adapter)) is not None:
            model = arec.base_model
        rec = self.models.resolve(model, progress)
        key = (rec.path, self._adapter_path(rec.name, adapter))
        if (
            self._generator is not None
            and self._key
            and self._key[0] == key[0]
            and self._key != key
        ):
            set_adapter(self._generator.loaded, key[1])  # same base: no reload
            self._generator.reset_cache()
            self._key = key
        if self._generator is None or self._key != key:
            self._generator = None  # free the old weights before loading new ones
            self._generator = Generator(load_model(rec.path, name=rec.name, adapter_path=key[1]))
            self._key = key
        return self._generator

    def _chat_adapter(self, name: str, model: str | None) -> str | None:
        """A chat's stored adapter choice, unless it is gone or belongs to another model
        (the chat's model was changed since): then the default applies."""
        if name == "":
            return ""
        rec = self.store.adapters.get(name)
        if rec is None or (model is not None and rec.base_model != model):
            return None
        return name

    def _adapter_path(self, model_name: str, adapter: str | None) -> str | None:
        """The adapter's folder: the one asked for, else the default one for this model."""
        from engine.errors import SastreError

        if adapter == "":
            return None
        name = adapter or self.store.settings.get("adapter")
        rec = self.store.adapters.get(name) if name else None
        if rec is None or rec.base_model != model_name:
            if adapter:
                raise SastreError(
                    f"Adapter '{adapter}' "
                    + ("does not exist" if rec is None else f"was trained on {rec.base_model}")
                    + f" and cannot be used with {model_name}. See `sastre adapters list`."
                )
            return None  # the default adapter belongs to another model
        return rec.path

    def send(
        self,
        text: str,
        *,
        chat_id: int | None = None,
        model: str | None = None,
        system: str | None = None,
        config: GenerationConfig | None = None,
        save: bool = True,
        cancel: threading.Event | None = None,
        progress: Progress | None = None,
        collection: str | None = None,
        persona: str | None = None,
        personalize: bool = True,
        adapter: str | None = None,
        replace_from: int | None = None,
    ) -> Iterator[ChatEvent]:
        """Stream an answer; with `collection`, a cited answer from those documents.

        `replace_from` (a message id of `chat_id`) asks again from that message on
        (regenerate, edit-and-resend): the history stops before it, and it and later
        messages are removed only once the model is ready to answer, so a failure to
        load keeps them.

        `persona` names a stored persona (system prompt, techniques, default
        collection); `personalize=False` leaves out memories and feedback examples.
        """
        from engine import personalize as pz
        from engine.generate import encode, render_chat

        config = config or GenerationConfig()
        config.validate()
        history: list[dict[str, str]] = []
        chat = None
        if chat_id is not None:
            chat = self.store.chats.get(chat_id)
            if chat is None:
                raise ChatNotFoundError(f"There is no chat {chat_id}. See `sastre chats list`.")
            model = model or chat.model
            system = system if system is not None else chat.system_prompt
            history = [
                {"role": m.role, "content": m.content}
                for m in self.store.chats.messages(chat_id)
                if m.role in ("user", "assistant") and m.content
                and (replace_from is None or m.id < replace_from)
            ]  # fmt: skip
        pers = self._persona(persona if persona is not None else (chat.persona if chat else None))
        if pers is not None:
            if chat is not None and chat.persona != pers.name and save:
                self.store.chats.update(chat.id, persona=pers.name)  # later turns keep it
            system = system if system is not None else (pers.system_prompt or None)
            collection = collection or pers.collection
        pcfg = pz.PersonalizeConfig.from_dict(self.store.settings.get("personalize", {}))
        matches = pz.FeedbackMatches()
        if personalize and (pers is None or pers.use_feedback):
            matches = pz.similar_feedback(self.store, self._embedder, text, pcfg)
        retrieval = None
        weights: dict[int, float] = {}
        if collection is not None:
            retrieval = self._retrieve(text, collection)
            weights = pz.chunk_weights(matches.rated, pcfg.retrieval_weight)
            weights = {
                h.chunk_id: weights[h.chunk_id] for h in retrieval.hits if h.chunk_id in weights
            }
            retrieval.hits = pz.reweight_hits(retrieval.hits, weights, pcfg.retrieval_weight)
            if not retrieval.answerable:
                yield self._no_answer(
                    text, retrieval, chat_id, model, system, save, progress, replace_from
                )
                return
        asked = adapter  # None: the chat's own choice, else the persona's, else the default
        if chat is not None:
            if adapter is None and chat.adapter is not None:
                adapter = self._chat_adapter(chat.adapter, model)
            elif adapter is not None and adapter != chat.adapter and save:
                self.store.chats.update(chat.id, adapter=adapter)  # later turns keep it
        if adapter is None and pers is not None and pers.adapter:
            adapter = pers.adapter  # a persona can bring its own adapter
        gen = self.generator(model, progress, adapter=adapter)
        loaded = gen.loaded
        task = sampling.DOCUMENTS if retrieval is not None else sampling.CHAT
        config = sampling.resolve(config, task, loaded.n_params)
        system = system if system is not None else DEFAULT_SYSTEM_PROMPT
        saved_system, user_text = system, text
        if retrieval is not None:
            from engine.rag import answer

            persona = None if system == DEFAULT_SYSTEM_PROMPT else system
            system = answer.system_prompt(retrieval.language, persona)
            user_text = answer.user_message(retrieval)
        tok = loaded.tokenizer

        def count(msgs: list[dict[str, str]]) -> int:
            return len(encode(tok, render_chat(tok, msgs)))

        budget = max(256, loaded.context_length - config.max_tokens)
        memories = [m.text for m in self.store.memories.list("accepted")] if personalize else []
        shots = [
            pz.Example(e.get("user", ""), e.get("assistant", ""), "persona")
            for e in (pers.examples if pers else [])
            if e.get("user") and e.get("assistant")
        ]
        plan = pz.assemble(
            system=system,
            user=user_text,
            question=text,
            count_text=lambda t: len(tok.encode(t, add_special_tokens=False)),
            count_messages=count,
            budget=budget,
            technique=pz.technique_text(pers.chain_of_thought, pers.output_format) if pers else "",
            memories=memories,
            examples=shots + matches.liked,
            avoid=matches.avoid,
            history=history,
            example_budget=pcfg.example_budget,
            memory_budget=pcfg.memory_budget,
        )
        if retrieval is not None and weights:
            kept = {h.chunk_id for h in retrieval.hits}
            plan.parts.insert(-1, pz.PromptPart(
                "retrieval weights",
                ", ".join(f"chunk {c}: {w:+.2f}" + ("" if c in kept else " (dropped)")
                          for c, w in weights.items()),
                0, "from feedback on similar questions; not sent as text"))  # fmt: skip
        messages = plan.messages
        prompt = render_chat(tok, messages)
        tokens = encode(tok, prompt)

        yield ChatEvent("", parts=plan.part_dicts)
        user_id = None
        proposed: list[int] = []
        if save:
            if chat_id is not None and replace_from is not None:
                self.store.chats.delete_messages_from(chat_id, replace_from)
            if chat_id is None:
                chat_id = self.store.chats.create(
                    title=_title(text), model=loaded.name, system_prompt=saved_system,
                    persona=pers.name if pers else None, adapter=asked,
                )  # fmt: skip
            user_id = self.store.chats.add_message(Message(None, chat_id, "user", text))
            proposed = [
                self.store.memories.add(f, status="proposed", source_message_id=user_id)
                for f in pz.propose_memories(text)
                if not any(m.text.lower() == f.lower() for m in self.store.memories.list())
            ]

        parts: list[str] = []
        last = None
        failed = False
        suffix = ""
        try:
            for chunk in gen.stream(tokens, config, cancel):
                parts.append(chunk.text)
                last = chunk
                if chunk.finish_reason is None:
                    yield ChatEvent(chunk.text)
        except Exception:
            failed = True
            raise
        finally:
            # Runs on normal end, on cancel and when the caller stops early (Ctrl-C):
            # whatever was produced is kept.
            answer = "".join(parts)
            sentences = []
            if retrieval is not None:
                from engine.rag.attribution import finish_answer

                # [n] per sentence where the model wrote none; citations always map to sources
                embed = None if failed else self._passage_embed(retrieval)
                cited, sentences = finish_answer(answer, retrieval, embed)
                suffix = cited[len(answer) :] if cited.startswith(answer) else ""
                answer = cited
            reason = (
                "error"
                if failed
                else (last.finish_reason if last and last.finish_reason else "cancelled")
            )
            result = ChatResult(
                chat_id=chat_id,
                message_id=None,
                text=answer,
                model=loaded.name,
                adapter=loaded.adapter,
                prompt_tokens=len(tokens),
                generation_tokens=last.generation_tokens if last else 0,
                prompt_tps=round(last.prompt_tps, 2) if last else 0.0,
                generation_tps=round(last.generation_tps, 2) if last else 0.0,
                peak_memory_mb=round(last.peak_memory_mb, 1) if last else 0.0,
                finish_reason=reason,
                cached_tokens=last.cached_tokens if last else 0,
                prompt=prompt,
                sources=retrieval.sources() if retrieval else [],
                retrieval_ms=retrieval.retrieval_ms if retrieval else None,
                prompt_parts=plan.part_dicts,
                persona=pers.name if pers else None,
                memories_proposed=proposed,
                sentences=[x.to_dict() for x in sentences],
            )
            if save:
                result.message_id = self.store.chats.add_message(
                    Message(
                        None,
                        chat_id,
                        "assistant",
                        answer,
                        prompt=prompt,
                        model=loaded.name,
                        adapter=loaded.adapter,
                        params=config.to_dict(),
                        prompt_tokens=result.prompt_tokens,
                        generation_tokens=result.generation_tokens,
                        prompt_tps=result.prompt_tps,
                        generation_tps=result.generation_tps,
                        peak_memory_mb=result.peak_memory_mb,
                        finish_reason=reason,
                        parent_id=user_id,
                        sources=[s.to_dict() for s in result.sources] or None,
                        prompt_parts=result.prompt_parts,
                        persona=result.persona,
                    )
                )
        yield ChatEvent((last.text if last and last.finish_reason else "") + suffix, result)

    def _persona(self, name: str | None) -> Persona | None:
        if not name:
            return None
        from engine.personalize import ensure_builtin_personas

        ensure_builtin_personas(self.store)
        p = self.store.personas.get(name)
        if p is None:
            raise SastreError(f"There is no persona {name!r}. See `sastre personas list`.")
        return p

    def _embedder(self):
        if self.embedder is not None:
            return self.embedder()
        if self._library is None:
            raise SastreError("This chat service has no embedder for feedback examples.")
        return self._library().embedder()

    def _passage_embed(self, retrieval: Retrieval):
        """The retrieval's embedding model (already loaded), for sentence citations."""
        if self._library is None:
            return None
        return self._library().embedder(retrieval.model).embed

    def _retrieve(self, text: str, collection: str) -> Retrieval:
        if self._library is None:
            from engine.errors import SastreError

            raise SastreError("This chat service has no document library; use Engine.chat.")
        return self._library().retrieve(text, collection)

    def _no_answer(
        self,
        text: str,
        retrieval: Retrieval,
        chat_id: int | None,
        model: str | None,
        system: str | None,
        save: bool,
        progress: Progress | None,
        replace_from: int | None = None,
    ) -> ChatEvent:
        """The documents do not cover the question: say so without asking the model."""
        from engine.rag.answer import no_answer_text

        name = self.models.resolve(model, progress).name
        answer = no_answer_text(retrieval.language)
        result = ChatResult(
            chat_id=chat_id, message_id=None, text=answer, model=name, adapter=None,
            prompt_tokens=0, generation_tokens=0, prompt_tps=0.0, generation_tps=0.0,
            peak_memory_mb=0.0, finish_reason="stop", retrieval_ms=retrieval.retrieval_ms,
        )  # fmt: skip
        if save:
            if chat_id is not None and replace_from is not None:
                self.store.chats.delete_messages_from(chat_id, replace_from)
            if chat_id is None:
                result.chat_id = self.store.chats.create(
                    title=_title(text), model=name, system_prompt=system
                )
            user_id = self.store.chats.add_message(Message(None, result.chat_id, "user", text))
            result.message_id = self.store.chats.add_message(
                Message(
                    None, result.chat_id, "assistant", answer, model=name,
                    finish_reason="stop", parent_id=user_id, sources=[],
                )
            )  # fmt: skip
        return ChatEvent(answer, result)


def _title(text: str, limit: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"

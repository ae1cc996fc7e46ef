"""Chat: turn a user message into a streamed, saved answer; regenerate, edit, prefer.

Owns the loaded model (one at a time) and its Generator. A turn (engine.turn) is a plan ->
prompt -> save the question -> stream -> save the answer, with the exact prompt and its
statistics -- including a partial answer when the user stops it. Every rule a front end
needs (which adapter applies, a chat's title, an answer's versions) is asked of this service.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from engine import best_of as best
from engine import feedback as fbm
from engine import sampling
from engine.config import GenerationConfig
from engine.errors import ChatNotFoundError, SastreError, not_found
from engine.models import ModelManager, Progress
from engine.personalize import PersonalizeConfig, propose_memories
from engine.prompts import DEFAULT_SYSTEM_PROMPT
from engine.turn import (
    AnswerVersion,
    ChatEvent,
    ChatResult,
    SavedQuestion,
    TurnPlan,
    build_prompt,
    chat_title,
    history_before,
    result_of,
)
from store import Store
from store.chats import Message

if TYPE_CHECKING:
    from engine.generate import Generator
    from engine.rag import Library, Retrieval
    from store.personas import Persona

__all__ = ["AnswerVersion", "ChatEvent", "ChatResult", "ChatService", "TurnPlan", "chat_title"]


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

    # -- the loaded model ---------------------------------------------------------------
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

    def default_adapter(self, model: str | None, persona: str | None = None) -> str | None:
        """The adapter answers use when the chat has not picked one: the persona's, else the
        one set with `adapters use` if it was trained on `model`."""
        pers = self.store.personas.get(persona) if persona else None
        if pers is not None and pers.adapter:
            return pers.adapter
        name = self.store.settings.get("adapter")
        rec = self.store.adapters.get(name) if name else None
        if rec is None or (model is not None and rec.base_model != model):
            return None
        return name

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
        if adapter == "":
            return None
        name = adapter or self.default_adapter(model_name)
        rec = self.store.adapters.get(name) if name else None
        if rec is not None and rec.method == "reward":
            raise SastreError(
                f"'{name}' is a reward model, not an adapter: it scores answers for best of N "
                "(`sastre chat --best-of N --reward-model NAME`). See `sastre adapters list`."
            )
        if rec is None or rec.base_model != model_name:
            if adapter:
                raise SastreError(
                    f"Adapter '{adapter}' "
                    + ("does not exist" if rec is None else f"was trained on {rec.base_model}")
                    + f" and cannot be used with {model_name}. See `sastre adapters list`."
                )
            return None  # the default adapter belongs to another model
        return rec.path

    # -- chats --------------------------------------------------------------------------
    def create_chat(
        self,
        text: str,
        model: str | None = None,
        adapter: str | None = None,
        persona: str | None = None,
        collection: str | None = None,
        system: str | None = None,
    ) -> int:
        """A new, empty chat titled after its first message."""
        return self.store.chats.create(
            title=chat_title(text),
            model=model,
            adapter=adapter,
            system_prompt=system,
            persona=persona,
            collection=collection or None,
        )

    def _chat(self, chat_id: int):
        chat = self.store.chats.get(chat_id)
        if chat is None:
            raise ChatNotFoundError(f"There is no chat {chat_id}. See `sastre chats list`.")
        return chat

    # -- a turn's plan ------------------------------------------------------------------
    def plan(
        self,
        text: str,
        *,
        chat_id: int | None = None,
        model: str | None = None,
        system: str | None = None,
        config: GenerationConfig | None = None,
        save: bool = True,
        collection: str | None = None,
        persona: str | None = None,
        personalize: bool = True,
        adapter: str | None = None,
        before: int | None = None,
        history: list[dict[str, str]] | None = None,
        best_of: int = 1,
        reward_model: str | None = None,
    ) -> TurnPlan:
        """Resolve what a turn uses: the chat's choices, then the persona's, then defaults.

        `collection=None` keeps the chat's collection (or the persona's); '' means none.
        `before` (a message id) ends the history there, for regenerate and edit.
        `history` (role/content dicts) is a conversation held elsewhere (the local
        server's clients); a chat's own messages take its place. `best_of` > 1 samples
        that many answers and keeps the one `reward_model` scores highest."""
        config = config or GenerationConfig()
        config.validate()
        if not 1 <= int(best_of) <= best.MAX_N:
            raise SastreError(f"Best of N takes N from 1 (off) to {best.MAX_N}, not {best_of}.")
        chat = self._chat(chat_id) if chat_id is not None else None
        history = list(history or [])
        if chat is not None:
            model = model or chat.model
            system = system if system is not None else chat.system_prompt
            collection = chat.collection if collection is None else collection
            history = history_before(self.store.chats.messages(chat.id), before)
        pers = self._persona(persona if persona is not None else (chat.persona if chat else None))
        if pers is not None:
            system = system if system is not None else (pers.system_prompt or None)
            collection = pers.collection if collection is None else collection
        asked, chosen = adapter, adapter
        if chat is not None and adapter is None and chat.adapter is not None:
            chosen = self._chat_adapter(chat.adapter, model)
        if chosen is None and pers is not None and pers.adapter:
            chosen = pers.adapter  # a persona can bring its own adapter
        return TurnPlan(
            text=text,
            chat=chat,
            model=model,
            adapter=chosen,
            asked_adapter=asked,
            persona=pers,
            system=system if system is not None else DEFAULT_SYSTEM_PROMPT,
            collection=collection or None,
            config=config,
            personalize=personalize,
            history=history,
            save=save,
            best_of=int(best_of),
            reward_model=reward_model or None,
        )

    # -- the operations -----------------------------------------------------------------
    def send(
        self,
        text: str,
        *,
        cancel: threading.Event | None = None,
        progress: Progress | None = None,
        **choices,
    ) -> Iterator[ChatEvent]:
        """Stream an answer; with `collection`, a cited answer from those documents.

        `choices` are `plan`'s: chat_id, model, system, config, save, collection, persona
        (a stored persona: system prompt, techniques, default collection), personalize
        (False leaves out memories and feedback examples) and adapter."""
        yield from self.run(self.plan(text, **choices), cancel, progress)

    def regenerate(
        self,
        message_id: int,
        *,
        cancel: threading.Event | None = None,
        progress: Progress | None = None,
        **choices,
    ) -> Iterator[ChatEvent]:
        """Answer the question of answer `message_id` again. The new answer becomes the
        shown version; earlier versions stay, each with its model, adapter and rating.
        Later turns go, once the model is ready (a model that fails to load loses nothing)."""
        answer = self.store.chats.message(message_id)
        if answer is None or answer.role != "assistant":
            raise SastreError(
                f"Message {message_id} is not an answer, so it cannot be regenerated. "
                "See `sastre chats show CHAT_ID`."
            )
        question = self.store.chats.message(answer.parent_id) if answer.parent_id else None
        if question is None or question.role != "user":
            raise SastreError(f"The question of answer {message_id} is no longer saved.")
        plan = self.plan(question.content, chat_id=answer.chat_id, before=question.id, **choices)
        plan.question_id = question.id
        yield from self.run(plan, cancel, progress)

    def edit(
        self,
        message_id: int,
        text: str,
        *,
        cancel: threading.Event | None = None,
        progress: Progress | None = None,
        **choices,
    ) -> Iterator[ChatEvent]:
        """Replace user message `message_id` (and the turns after it) with `text`, and
        answer it. The old messages go only once the model is ready."""
        msg = self.store.chats.message(message_id)
        if msg is None or msg.role != "user":
            raise SastreError(
                f"Message {message_id} is not one of your messages, so it cannot be edited. "
                "See `sastre chats show CHAT_ID`."
            )
        plan = self.plan(text, chat_id=msg.chat_id, before=msg.id, **choices)
        plan.replace_from = msg.id
        yield from self.run(plan, cancel, progress)

    def versions(self, message_id: int) -> list[AnswerVersion]:
        """Every version of an answer, first generated first."""
        rows = self.store.chats.versions(message_id)
        if not rows:
            raise SastreError(
                f"Message {message_id} is not an answer. See `sastre chats show CHAT_ID`."
            )
        return [
            AnswerVersion(
                index=i,
                message_id=m.id,
                content=m.content,
                model=m.model,
                adapter=m.adapter,
                preferred=m.preferred_at is not None,
                preferred_at=m.preferred_at,
                shown=m.active,
                generation_tokens=m.generation_tokens,
                generation_tps=m.generation_tps,
                rating=(fb.rating if (fb := self.store.feedback.get(m.id)) else None),
            )
            for i, m in enumerate(rows)
        ]

    def prefer(self, message_id: int, index: int) -> AnswerVersion:
        """The user prefers version `index` of an answer: it is shown from now on, recorded
        as preferred (with the time), liked, and the other versions disliked unless rated."""
        versions = self.versions(message_id)
        if not 0 <= index < len(versions):
            raise SastreError(
                f"Answer {message_id} has versions 0 to {len(versions) - 1}, not {index}. "
                f"See `sastre chats versions {message_id}`."
            )
        chosen = versions[index]
        self.store.chats.prefer(chosen.message_id)
        others = [v.message_id for v in versions if v.index != index]
        self.store.feedback.prefer(chosen.message_id, others)
        from engine.preferences import rebuild

        rebuild(self.store)  # the preferred version over each other one, as pairs
        return self.versions(message_id)[index]

    # -- a turn -------------------------------------------------------------------------
    def run(
        self,
        plan: TurnPlan,
        cancel: threading.Event | None = None,
        progress: Progress | None = None,
    ) -> Iterator[ChatEvent]:
        """Retrieve, load, assemble, save the question, stream and save the answer."""
        from engine.generate import encode, render_chat

        pcfg = PersonalizeConfig.from_dict(self.store.settings.get("personalize", {}))
        matches = fbm.FeedbackMatches()
        if plan.uses_feedback:
            matches = fbm.similar_feedback(self.store, self._embedder, plan.text, pcfg)
        retrieval, weights = None, {}
        if plan.collection is not None:
            retrieval = self._retrieve(plan.text, plan.collection)
            weights = fbm.reweight_retrieval(retrieval, matches.rated, pcfg.retrieval_weight)
            if not retrieval.answerable:
                yield self._no_answer(plan, retrieval, progress)
                return
        gen = self.generator(plan.model, progress, adapter=plan.adapter)
        task = sampling.DOCUMENTS if retrieval is not None else sampling.CHAT
        plan.config = sampling.resolve(plan.config, task, gen.loaded.n_params)  # Auto fields
        memories = (
            [m.text for m in self.store.memories.list("accepted")] if plan.personalize else []
        )
        assembly = build_prompt(plan, gen.loaded, memories, matches, pcfg, retrieval, weights)
        prompt = render_chat(gen.loaded.tokenizer, assembly.messages)
        tokens = encode(gen.loaded.tokenizer, prompt)
        judge = None
        if plan.best_of > 1:  # fail before the question is saved
            rec = best.reward_record(self.store, plan.reward_model, gen.loaded.name)
            judge = best.Judge(rec, gen.loaded, self._key[1] if self._key else None)
        yield ChatEvent("", parts=assembly.part_dicts)
        saved = self._save_question(plan, gen.loaded.name)
        yield from self._stream(
            plan, saved, gen, tokens, prompt, assembly.part_dicts, retrieval, cancel, judge
        )

    def _stream(self, plan, saved, gen, tokens, prompt, parts, retrieval, cancel, judge=None):
        """Generate and save the answer; whatever was produced is kept, also on cancel and
        when the caller stops early (Ctrl-C). With a `judge` (best of N), N answers are
        sampled and the best one is streamed at once."""
        pieces: list[str] = []
        last = None
        failed = False
        suffix = ""
        picked = None
        try:
            if judge is not None:
                question = plan.history + [{"role": "user", "content": plan.text}]
                picked = judge.pick(gen, tokens, plan.config, plan.best_of, question, cancel)
                chunks = picked.chunks
            else:
                chunks = gen.stream(tokens, plan.config, cancel)
            for chunk in chunks:
                pieces.append(chunk.text)
                last = chunk
                if chunk.finish_reason is None:
                    yield ChatEvent(chunk.text)
        except Exception:
            failed = True
            raise
        finally:
            answer = "".join(pieces)
            sentences = []
            if retrieval is not None:
                from engine.rag.attribution import finish_answer

                # [n] per sentence where the model wrote none; citations always map to sources
                embed = None if failed else self._passage_embed(retrieval)
                cited, sentences = finish_answer(answer, retrieval, embed)
                suffix = cited[len(answer) :] if cited.startswith(answer) else ""
                answer = cited
            reason = "error" if failed else (last and last.finish_reason) or "cancelled"
            result = result_of(
                plan,
                saved,
                gen.loaded.name,
                gen.loaded.adapter,
                answer,
                last,
                reason,
                prompt,
                len(tokens),
                parts,
                retrieval,
            )
            result.sentences = [x.to_dict() for x in sentences]
            result.best_of = picked.report() if picked is not None else None
            self._save_answer(plan, saved, result)
        yield ChatEvent((last.text if last and last.finish_reason else "") + suffix, result)

    def _save_question(self, plan: TurnPlan, model_name: str) -> SavedQuestion:
        """Record the question (the model is ready, so regenerate / edit may now drop what
        they replace) and the chat's choices that later turns keep."""
        chats = self.store.chats
        if not plan.save:
            return SavedQuestion(plan.chat_id, None)
        chat_id = plan.chat_id
        if chat_id is None:
            chat_id = chats.create(
                title=chat_title(plan.text),
                model=model_name,
                system_prompt=plan.system,
                persona=plan.persona.name if plan.persona else None,
                adapter=plan.asked_adapter,
                collection=plan.collection,
            )
        else:
            self._remember_choices(plan)
        if plan.replace_from is not None:
            chats.delete_messages_from(chat_id, plan.replace_from)
        if plan.question_id is not None:
            chats.delete_later_turns(chat_id, plan.question_id)
            return SavedQuestion(chat_id, plan.question_id)
        user_id = chats.add_message(Message(None, chat_id, "user", plan.text))
        known = {m.text.lower() for m in self.store.memories.list()}
        proposed = [
            self.store.memories.add(f, status="proposed", source_message_id=user_id)
            for f in propose_memories(plan.text)
            if f.lower() not in known
        ]
        return SavedQuestion(chat_id, user_id, proposed)

    def _remember_choices(self, plan: TurnPlan) -> None:
        """A chat keeps the persona, adapter and collection its last turn used."""
        chat, changes = plan.chat, {}
        if plan.persona is not None and chat.persona != plan.persona.name:
            changes["persona"] = plan.persona.name
        if plan.asked_adapter is not None and plan.asked_adapter != chat.adapter:
            changes["adapter"] = plan.asked_adapter
        if plan.collection != chat.collection:
            changes["collection"] = plan.collection
        if changes:
            self.store.chats.update(chat.id, **changes)

    def _save_answer(self, plan: TurnPlan, saved: SavedQuestion, result: ChatResult) -> None:
        if not plan.save:
            return
        result.message_id = self.store.chats.add_message(
            Message(
                None,
                saved.chat_id,
                "assistant",
                result.text,
                prompt=result.prompt or None,
                model=result.model,
                adapter=result.adapter,
                params={**plan.config.to_dict(), **best.saved(result.best_of)},
                prompt_tokens=result.prompt_tokens,
                generation_tokens=result.generation_tokens,
                prompt_tps=result.prompt_tps,
                generation_tps=result.generation_tps,
                peak_memory_mb=result.peak_memory_mb,
                finish_reason=result.finish_reason,
                parent_id=saved.user_id,
                sources=_saved_sources(result) if plan.collection else None,
                sentences=result.sentences or None,
                prompt_parts=result.prompt_parts or None,
                persona=result.persona,
            )
        )

    def _no_answer(self, plan: TurnPlan, retrieval: Retrieval, progress) -> ChatEvent:
        """The documents do not cover the question: say so without asking the model."""
        from engine.rag.answer import no_answer_text

        name = self.models.resolve(plan.model, progress).name
        saved = self._save_question(plan, name)
        text = no_answer_text(retrieval.language)
        result = result_of(plan, saved, name, None, text, None, "stop", retrieval=retrieval)
        self._save_answer(plan, saved, result)
        return ChatEvent(text, result)

    # -- collaborators ------------------------------------------------------------------
    def _persona(self, name: str | None) -> Persona | None:
        if not name:
            return None
        from engine.personalize import ensure_builtin_personas

        ensure_builtin_personas(self.store)
        p = self.store.personas.get(name)
        if p is None:
            known = [x.name for x in self.store.personas.list()]
            raise not_found("persona", name, known, "See `sastre personas list`.")
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
            raise SastreError("This chat service has no document library; use Engine.chat.")
        return self._library().retrieve(text, collection)


def _saved_sources(result: ChatResult) -> list[dict]:
    """The answer's sources as saved, each marked with whether the answer cites it (what
    feedback on the answer re-weights)."""
    from engine.rag.citations import cited_numbers

    cited = cited_numbers(result.text, len(result.sources))
    return [{**s.to_dict(), "cited": s.n in cited} for s in result.sources]

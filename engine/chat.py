"""Chat: turn a user message into a streamed, saved answer.

Owns the loaded model (one at a time) and its Generator; saves the user
message before generating and the answer, with the exact prompt and its
statistics, after -- including a partial answer when the user stops it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from engine.config import GenerationConfig
from engine.errors import ChatNotFoundError
from engine.models import ModelManager, Progress
from engine.prompts import DEFAULT_SYSTEM_PROMPT, fit_history
from store import Store
from store.chats import Message

if TYPE_CHECKING:
    from engine.generate import Generator


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

    def public(self) -> dict:
        """The fields `sastre chat --json` promises."""
        d = asdict(self)
        for k in ("finish_reason", "cached_tokens", "prompt"):
            d.pop(k)
        return d


@dataclass
class ChatEvent:
    """A streamed piece of text; the last event carries the result."""

    text: str
    result: ChatResult | None = None


class ChatService:
    def __init__(self, store: Store, models: ModelManager):
        self.store = store
        self.models = models
        self._generator: Generator | None = None
        self._key: tuple[str, str | None] | None = None

    def generator(self, model: str | None = None, progress: Progress | None = None) -> Generator:
        from engine.generate import Generator, load_model  # MLX loads on first use only

        rec = self.models.resolve(model, progress)
        key = (rec.path, None)
        if self._generator is None or self._key != key:
            self._generator = None  # free the old weights before loading new ones
            self._generator = Generator(load_model(rec.path, name=rec.name))
            self._key = key
        return self._generator

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
    ) -> Iterator[ChatEvent]:
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
            ]
        gen = self.generator(model, progress)
        loaded = gen.loaded
        system = system if system is not None else DEFAULT_SYSTEM_PROMPT
        tok = loaded.tokenizer

        def count(msgs: list[dict[str, str]]) -> int:
            return len(encode(tok, render_chat(tok, msgs)))

        budget = max(256, loaded.context_length - config.max_tokens)
        messages = fit_history(system, history, text, count, budget)
        prompt = render_chat(tok, messages)
        tokens = encode(tok, prompt)

        user_id = None
        if save:
            if chat_id is None:
                chat_id = self.store.chats.create(
                    title=_title(text), model=loaded.name, system_prompt=system
                )
            user_id = self.store.chats.add_message(Message(None, chat_id, "user", text))

        parts: list[str] = []
        last = None
        failed = False
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
                    )
                )
        yield ChatEvent(last.text if last and last.finish_reason else "", result)


def _title(text: str, limit: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"

"""POST /v1/chat/completions: an OpenAI request -> one `Engine.chat.send` turn -> OpenAI's
response (whole, or as server-sent chunks).

Sastre's extensions sit beside OpenAI's fields in the body (the `openai` client's
`extra_body`): `collection` (a cited answer from those documents; the sources come
back in the response), `persona`, `personalize` (memories and liked answers; off
unless asked) and `save` (store the exchange as a chat the app shows).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop.serve.catalog import ApiError, ModelChoice, refuse_paths, resolve_chat_model
from desktop.serve.config import ServerConfig
from engine.config import GenerationConfig
from engine.errors import SastreError
from engine.rag.types import Source

if TYPE_CHECKING:
    from desktop.serve.executor import EngineJob
    from engine.chat import ChatResult
    from engine.context import Engine

_ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}


@dataclass
class ChatRequest:
    model: ModelChoice
    text: str
    history: list[dict[str, str]]
    system: str | None
    config: GenerationConfig
    stream: bool = False
    include_usage: bool = False
    stop: list[str] = field(default_factory=list)
    collection: str | None = None
    persona: str | None = None
    personalize: bool = False
    save: bool = False

    @property
    def messages(self) -> list[dict[str, str]]:
        head = [{"role": "system", "content": self.system}] if self.system else []
        return head + self.history + [{"role": "user", "content": self.text}]


def _content(value: Any, index: int) -> str:
    """A message's text: a string, or OpenAI's list of parts (only text parts are read)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        texts = []
        for part in value:
            if not isinstance(part, dict) or part.get("type") != "text":
                raise ApiError(
                    400,
                    f"messages[{index}]: only text content is supported.",
                    "unsupported_content",
                    f"messages[{index}].content",
                )
            texts.append(str(part.get("text", "")))
        return "".join(texts)
    if value is None:
        return ""
    raise ApiError(
        400,
        f"messages[{index}].content must be a string.",
        "invalid_type",
        f"messages[{index}].content",
    )


def split_messages(messages: Any) -> tuple[str | None, list[dict[str, str]], str]:
    """(system, earlier turns, the last user message) from OpenAI's `messages`."""
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "'messages' must be a non-empty list.", "invalid_messages", "messages")
    systems, turns = [], []
    for i, m in enumerate(messages):
        role = _ROLES.get(m.get("role") if isinstance(m, dict) else None)
        if role is None:
            raise ApiError(
                400,
                f"messages[{i}]: role must be system, user or assistant (tools are not supported).",
                "invalid_role",
                f"messages[{i}].role",
            )
        text = _content(m.get("content"), i)
        if role == "system":
            systems.append(text)
        elif text:
            turns.append({"role": role, "content": text})
    if not turns or turns[-1]["role"] != "user":
        raise ApiError(
            400, "The last message must come from the user.", "invalid_messages", "messages"
        )
    system = "\n\n".join(s for s in systems if s) or None
    return system, turns[:-1], turns[-1]["content"]


def _number(body: dict, name: str, kind: type, default: Any = None) -> Any:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApiError(400, f"'{name}' must be a number.", "invalid_type", name)
    if kind is int and int(value) != value:
        raise ApiError(400, f"'{name}' must be a whole number.", "invalid_type", name)
    return kind(value)


def parse_chat(
    body: dict, engine: Engine, cfg: ServerConfig, default_model: str, defaults: GenerationConfig
) -> ChatRequest:
    system, history, text = split_messages(body.get("messages"))
    model = resolve_chat_model(engine, body.get("model"), default_model)
    gen = GenerationConfig.from_dict(defaults.to_dict())
    max_tokens = _number(body, "max_completion_tokens", int, None)
    max_tokens = _number(body, "max_tokens", int, max_tokens)
    if max_tokens is not None:
        if not 1 <= max_tokens <= cfg.max_tokens:
            raise ApiError(
                400,
                f"'max_tokens' must be between 1 and {cfg.max_tokens} (the server's limit).",
                "max_tokens_out_of_range",
                "max_tokens",
            )
        gen.max_tokens = max_tokens
    gen.max_tokens = min(gen.max_tokens, cfg.max_tokens)
    gen.temperature = _number(body, "temperature", float, gen.temperature)
    gen.top_p = _number(body, "top_p", float, gen.top_p)
    gen.seed = _number(body, "seed", int, gen.seed)
    try:
        gen.validate()
    except SastreError as exc:
        raise ApiError(400, str(exc), "invalid_parameter") from exc
    if body.get("n", 1) != 1:
        raise ApiError(400, "Only n=1 is supported.", "unsupported_parameter", "n")
    stop = body.get("stop") or []
    stop = [stop] if isinstance(stop, str) else stop
    if not isinstance(stop, list) or len(stop) > 4 or not all(isinstance(s, str) for s in stop):
        raise ApiError(
            400, "'stop' must be a string or a list of up to 4 strings.", "invalid_stop", "stop"
        )
    collection = body.get("collection")
    for name in ("collection", "persona"):
        if body.get(name) is not None and not isinstance(body.get(name), str):
            raise ApiError(400, f"'{name}' must be a name.", "invalid_type", name)
    if collection:
        refuse_paths(collection, "collection")
    options = body.get("stream_options") or {}
    return ChatRequest(
        model=model,
        text=text,
        history=history,
        system=system,
        config=gen,
        stream=bool(body.get("stream", False)),
        include_usage=bool(isinstance(options, dict) and options.get("include_usage")),
        stop=[s for s in stop if s],
        collection=collection or None,
        persona=body.get("persona") or None,
        personalize=bool(body.get("personalize", False)),
        save=bool(body.get("save", False)),
    )


class StopScanner:
    """Cuts the answer at the first stop string, holding back text that may begin one."""

    def __init__(self, stops: list[str]):
        self.stops = stops
        self.hit = False
        self._held = ""

    def feed(self, text: str) -> str:
        if self.hit or not self.stops:
            return "" if self.hit else text
        buf = self._held + text
        found = [i for i in (buf.find(s) for s in self.stops) if i >= 0]
        if found:
            self.hit, self._held = True, ""
            return buf[: min(found)]
        keep = 0
        for s in self.stops:
            for n in range(min(len(s) - 1, len(buf)), 0, -1):
                if buf.endswith(s[:n]):
                    keep = max(keep, n)
                    break
        self._held = buf[len(buf) - keep :]
        return buf[: len(buf) - keep]

    def flush(self) -> str:
        out, self._held = ("" if self.hit else self._held), ""
        return out


# What a chat template adds around the messages, at most: role markers per message, a
# default system prompt or date line once (generous: real templates add 5-40 tokens).
TEMPLATE_TOKENS = 512
MESSAGE_TOKENS = 16


def surely_fits(messages: list[dict[str, str]], cap: int) -> bool:
    """True when the messages cannot come to more than `cap` prompt tokens, known without
    tokenizing them: each token of a byte-level BPE or SentencePiece tokenizer stands for
    at least one byte of the text. Rendering and encoding the conversation only to count
    it took ~6 ms of each request's time to first token; the exact count is still made
    when the bound does not settle it."""
    size = sum(len(m["content"].encode()) + MESSAGE_TOKENS for m in messages)
    return size + TEMPLATE_TOKENS <= cap


def chat_job(engine: Engine, req: ChatRequest, cfg: ServerConfig):
    """The function run on the engine thread: emits ('delta', text) then ('result', dict)."""

    def run(job: EngineJob) -> None:
        from engine.generate import encode, render_chat

        gen = engine.chat.generator(req.model.base, adapter=req.model.adapter)
        tok = gen.loaded.tokenizer
        cap = min(cfg.max_prompt_tokens, gen.loaded.context_length - req.config.max_tokens)
        if (
            not surely_fits(req.messages, cap)
            and (n := len(encode(tok, render_chat(tok, req.messages)))) > cap
        ):
            raise ApiError(
                400,
                f"The messages are {n} tokens; this server accepts at most {cap} with "
                f"max_tokens={req.config.max_tokens}. Send a shorter conversation.",
                "context_length_exceeded",
                "messages",
            )
        scanner = StopScanner(req.stop)
        first = req.stream  # hand the first streamed text over before the next token

        def emit(text: str) -> None:
            nonlocal first
            job.emit("delta", text)
            if first:
                first = False
                job.hand_over()

        for ev in engine.chat.send(
            req.text,
            model=req.model.base,
            adapter=req.model.adapter,
            system=req.system,
            config=req.config,
            save=req.save,
            cancel=job.cancel,
            collection=req.collection,
            persona=req.persona,
            personalize=req.personalize,
            history=req.history,
        ):
            if ev.result is not None:
                tail = scanner.feed(ev.text) + scanner.flush()
                if tail:
                    job.emit("delta", tail)
                job.emit("result", (ev.result, scanner.hit))
            elif ev.text and (out := scanner.feed(ev.text)):
                emit(out)
            if scanner.hit:
                job.cancel.set()  # stop generating; the result event still comes

    return run


def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"


def finish_reason(result: ChatResult, stopped: bool) -> str:
    if stopped or result.finish_reason in ("stop", "cancelled"):
        return "stop"
    return "length" if result.finish_reason == "length" else "stop"


def usage(result: ChatResult) -> dict[str, int]:
    p, c = result.prompt_tokens, result.generation_tokens
    return {
        "prompt_tokens": p,
        "completion_tokens": c,
        "total_tokens": p + c,
        "prompt_tokens_details": {"cached_tokens": result.cached_tokens},
    }


def extras(result: ChatResult) -> dict[str, Any]:
    """Sastre's fields beside OpenAI's: the sources [n] refers to, and where it was saved."""
    return {
        "sources": [_source(s) for s in result.sources],
        "sastre": {
            "chat_id": result.chat_id,
            "message_id": result.message_id,
            "persona": result.persona,
            "adapter": result.adapter,
            "retrieval_ms": result.retrieval_ms,
            "prompt_tps": result.prompt_tps,
            "generation_tps": result.generation_tps,
        },
    }


def _source(s: Source) -> dict:
    return s.to_dict()


def completion(cid: str, model_id: str, text: str, result: ChatResult, stopped: bool) -> dict:
    return {
        "id": cid,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model_id,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish_reason(result, stopped),
                "logprobs": None,
            }
        ],
        "usage": usage(result),
        **extras(result),
    }


def chunk(cid: str, model_id: str, created: int, delta: dict, finish: str | None = None) -> dict:
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model_id,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }

"""The ASGI app: OpenAI-compatible endpoints over the engine, behind SecurityMiddleware.

Every model call goes through the executor onto the engine thread; nothing here
downloads, imports, creates or deletes a model.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from desktop.serve import chat as chatapi
from desktop.serve.catalog import (
    ApiError,
    chat_model_ids,
    collection_or_error,
    embedding_model_ids,
    resolve_embedding_model,
)
from desktop.serve.config import ServerConfig
from desktop.serve.executor import (
    POLL_S,
    EngineCall,
    EngineJob,
    Executor,
    QueueFull,
    QueueTimeout,
)
from desktop.serve.feedback import AnswerLog, rate
from desktop.serve.security import SecurityMiddleware, allowed_hosts, error_body
from engine.config import GenerationConfig
from engine.errors import USER_ERRORS, ModelLoadError, ModelNotFoundError

if TYPE_CHECKING:
    from engine.context import Engine

log = logging.getLogger("sastre.serve")


@dataclass
class ServerState:
    engine: Engine
    executor: Executor
    config: ServerConfig
    default_model: str  # a model id: NAME or NAME:ADAPTER
    token: Callable[[], str]
    answers: AnswerLog = field(default_factory=AnswerLog)


def api_error_response(exc: BaseException) -> JSONResponse:
    if isinstance(exc, ApiError):
        return JSONResponse(
            error_body(exc.message, exc.type, exc.code, exc.param), exc.status, headers=exc.headers
        )
    if isinstance(exc, ModelNotFoundError):
        return JSONResponse(
            error_body(str(exc), "invalid_request_error", "model_not_found", "model"), 404
        )
    if isinstance(exc, ModelLoadError):
        return JSONResponse(error_body(str(exc), "server_error", "model_load_failed"), 500)
    if type(exc).__name__ == "CollectionNotFoundError":
        return JSONResponse(
            error_body(str(exc), "invalid_request_error", "collection_not_found", "collection"), 404
        )
    if isinstance(exc, USER_ERRORS):
        return JSONResponse(error_body(str(exc), "invalid_request_error", "invalid_request"), 400)
    log.error("Unexpected server error", exc_info=exc)
    return JSONResponse(
        error_body(
            f"Unexpected error: {type(exc).__name__}: {exc}. Your saved data is intact.",
            "server_error",
            "internal_error",
        ),
        500,
    )


async def _json_body(request: Request) -> dict:
    try:
        body = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"The request body is not valid JSON ({exc}).", "invalid_json") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.", "invalid_json")
    return body


async def _start(state: ServerState, request: Request, fn: Callable[[EngineJob], Any]):
    """An EngineCall that the engine thread has taken up, or None if the client left."""
    call = EngineCall(state.executor, fn)
    cfg = state.config
    try:
        started = await call.start(cfg.max_queue, cfg.queue_timeout_s, request.is_disconnected)
    except QueueFull:
        raise ApiError(
            429,
            f"The server already has {cfg.max_queue} requests queued or "
            "running; try again in a few seconds.",
            "queue_full",
            type_="rate_limit_error",
            headers={"Retry-After": "5"},
        ) from None
    except QueueTimeout:
        raise ApiError(
            503,
            f"The model was busy for {cfg.queue_timeout_s:g} s; try again shortly.",
            "queue_timeout",
            type_="server_error",
            headers={"Retry-After": "10"},
        ) from None
    return call if started else None


async def list_models(request: Request) -> Response:
    state: ServerState = request.app.state.sastre
    created = int(time.time())
    data = [
        {"id": mid, "object": "model", "created": created, "owned_by": "sastre", "sastre": info}
        for mid, info in chat_model_ids(state.engine)
    ]
    data += [
        {
            "id": mid,
            "object": "model",
            "created": created,
            "owned_by": "sastre",
            "sastre": {"kind": "embedding"},
        }
        for mid in embedding_model_ids(state.engine)
    ]
    return JSONResponse({"object": "list", "data": data})


async def chat_completions(request: Request) -> Response:
    state: ServerState = request.app.state.sastre
    body = await _json_body(request)
    defaults = GenerationConfig.from_dict(state.engine.store.settings.get("generation", {}))
    req = chatapi.parse_chat(body, state.engine, state.config, state.default_model, defaults)
    if req.collection:
        collection_or_error(state.engine, req.collection)
    call = await _start(state, request, chatapi.chat_job(state.engine, req, state.config))
    if call is None:
        return Response(status_code=499)
    cid = chatapi.completion_id()
    if req.stream:
        first = await _first_event(call, request)  # load errors still get a proper status
        if first is None:
            return Response(status_code=499)
        if first[0] == "error":
            return api_error_response(first[1])
        return StreamingResponse(
            _sse(state, req, call, cid, first),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    return await _whole(state, request, req, call, cid)


async def _first_event(call: EngineCall, request: Request) -> tuple[str, Any] | None:
    """The job's first event, or None if the client went away first (the job is cancelled)."""
    while (ev := await call.next_event(POLL_S)) is None:
        if await request.is_disconnected():
            call.cancel()
            return None
    return ev


async def _whole(
    state: ServerState, request: Request, req: chatapi.ChatRequest, call: EngineCall, cid: str
) -> Response:
    parts: list[str] = []
    while True:
        ev = await call.next_event(POLL_S)
        if ev is None:
            if await request.is_disconnected():
                call.cancel()
                return Response(status_code=499)
            continue
        kind, payload = ev
        if kind == "end":
            return api_error_response(RuntimeError("the answer ended without a result"))
        if kind == "error":
            return api_error_response(payload)
        if kind == "delta":
            parts.append(payload)
        elif kind == "result":
            result, stopped = payload
            text = "".join(parts)
            state.answers.add(cid, req.text, text, result, req.system)
            return JSONResponse(chatapi.completion(cid, req.model.id, text, result, stopped))


def _sse_line(data: dict) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _sse(
    state: ServerState, req: chatapi.ChatRequest, call: EngineCall, cid: str, first
) -> AsyncIterator[str]:
    created = int(time.time())
    parts: list[str] = []
    try:
        yield _sse_line(
            chatapi.chunk(cid, req.model.id, created, {"role": "assistant", "content": ""})
        )
        pending = [first] if first is not None else []
        while True:
            kind, payload = pending.pop() if pending else await call.next_event(None)
            if kind == "end":
                break
            if kind == "error":
                err = api_error_response(payload)
                yield _sse_line(json.loads(err.body))
                break
            if kind == "delta":
                payload += call.ready_deltas()
                parts.append(payload)
                yield _sse_line(chatapi.chunk(cid, req.model.id, created, {"content": payload}))
                call.job.delivered.set()  # written: the engine thread may go on
            elif kind == "result":
                result, stopped = payload
                state.answers.add(cid, req.text, "".join(parts), result, req.system)
                last = chatapi.chunk(
                    cid, req.model.id, created, {}, chatapi.finish_reason(result, stopped)
                )
                yield _sse_line({**last, **chatapi.extras(result)})
                if req.include_usage:
                    tail = chatapi.chunk(cid, req.model.id, created, {})
                    yield _sse_line({**tail, "choices": [], "usage": chatapi.usage(result)})
        yield "data: [DONE]\n\n"
    finally:
        call.cancel()  # the client went away (or we are done): free the engine thread


async def embeddings(request: Request) -> Response:
    state: ServerState = request.app.state.sastre
    body = await _json_body(request)
    texts = body.get("input")
    texts = [texts] if isinstance(texts, str) else texts
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise ApiError(
            400,
            "'input' must be a string or a list of strings (token ids are not supported).",
            "invalid_input",
            "input",
        )
    if len(texts) > state.config.max_inputs:
        raise ApiError(
            400,
            f"At most {state.config.max_inputs} inputs per request.",
            "too_many_inputs",
            "input",
        )
    fmt = body.get("encoding_format") or "float"
    if fmt not in ("float", "base64"):
        raise ApiError(
            400, "'encoding_format' must be float or base64.", "invalid_format", "encoding_format"
        )
    model_id = resolve_embedding_model(state.engine, body.get("model"), body.get("collection"))

    def run(job: EngineJob) -> None:
        emb = state.engine.library.embedder(model_id)
        job.emit("result", (np.asarray(emb.embed(texts), dtype=np.float32), _count(emb, texts)))

    call = await _start(state, request, run)
    if call is None:
        return Response(status_code=499)
    async for kind, payload in call.events():
        if kind == "error":
            return api_error_response(payload)
        vectors, tokens = payload
    data = [
        {
            "object": "embedding",
            "index": i,
            "embedding": base64.b64encode(v.tobytes()).decode() if fmt == "base64" else v.tolist(),
        }
        for i, v in enumerate(vectors)
    ]
    return JSONResponse(
        {
            "object": "list",
            "data": data,
            "model": model_id,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
    )


def _count(emb: Any, texts: list[str]) -> int:
    """Input tokens by the embedding model's own tokenizer, where it has one."""
    load = getattr(emb, "load", None)
    tokenizer = getattr(load(), "tokenizer", None) if load is not None else None
    if tokenizer is None:
        return 0
    return sum(len(tokenizer.encode(t, add_special_tokens=False)) for t in texts)


async def feedback(request: Request) -> Response:
    state: ServerState = request.app.state.sastre
    body = await _json_body(request)
    out = await asyncio.to_thread(rate, state.engine, state.answers, body)
    return JSONResponse(out)


async def _on_error(request: Request, exc: Exception) -> Response:
    return api_error_response(exc)


async def _not_found(request: Request, exc: Exception) -> Response:
    return JSONResponse(
        error_body(
            f"There is no endpoint {request.method} {request.url.path}. "
            "See the README's server section.",
            "invalid_request_error",
            "unknown_endpoint",
        ),
        404,
    )


def build_app(state: ServerState) -> SecurityMiddleware:
    app = Starlette(
        routes=[
            Route("/v1/models", list_models, methods=["GET"]),
            Route("/v1/chat/completions", chat_completions, methods=["POST"]),
            Route("/v1/embeddings", embeddings, methods=["POST"]),
            Route("/v1/feedback", feedback, methods=["POST"]),
        ],
        exception_handlers={
            ApiError: _on_error,
            **{e: _on_error for e in USER_ERRORS},
            Exception: _on_error,
            404: _not_found,
            405: _not_found,
        },
    )
    app.state.sastre = state
    cfg = state.config
    return SecurityMiddleware(
        app,
        token=state.token,
        hosts=allowed_hosts(cfg.host, cfg.port),
        origins=cfg.allowed_origins,
        max_body_bytes=cfg.max_body_bytes,
        any_ip_host=cfg.host in ("0.0.0.0", "::"),
    )

"""Model ids the server answers to: installed models by name, each ready adapter as
`BASE:ADAPTER`, embedding models by their id. Only ids from the registry; never a path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.errors import not_found

if TYPE_CHECKING:
    from engine.context import Engine

_PATH_LIKE = re.compile(r"[/\\~]|^\.|\.\.")


class ApiError(Exception):
    """An error for the HTTP caller, in OpenAI's shape."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str,
        param: str | None = None,
        type_: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param
        self.type = type_
        self.headers = headers or {}


@dataclass
class ModelChoice:
    id: str  # as the caller named it (after 'default' is replaced)
    base: str
    adapter: str  # '' for the base model alone


def refuse_paths(value: str, param: str = "model") -> None:
    if _PATH_LIKE.search(value):
        raise ApiError(
            400,
            f"'{value}' looks like a file path. Models are chosen by id from GET /v1/models; "
            "paths are never accepted.",
            "invalid_model_id",
            param,
        )


def chat_model_ids(engine: Engine) -> list[tuple[str, dict]]:
    """(id, details) for every installed model and every ready adapter."""
    default = engine.models.default_name()
    out = [
        (m.name, {"kind": "chat", "base": m.name, "adapter": None, "default": m.name == default})
        for m in engine.models.list()
        if m.present
    ]
    names = {name for name, _ in out}
    for a in engine.store.adapters.list():
        if a.status == "ready" and a.base_model in names:
            out.append(
                (
                    f"{a.base_model}:{a.name}",
                    {"kind": "chat", "base": a.base_model, "adapter": a.name, "default": False},
                )
            )
    return out


def resolve_chat_model(engine: Engine, model_id: str | None, default_id: str) -> ModelChoice:
    """The base model and adapter a request's `model` names (empty or 'default': the server's)."""
    model_id = (model_id or "").strip()
    if model_id in ("", "default"):
        model_id = default_id
    refuse_paths(model_id)
    base, _, adapter = model_id.partition(":")
    rec = engine.store.models.get(base)
    if rec is None:
        known = ", ".join(i for i, _ in chat_model_ids(engine)) or "none"
        raise ApiError(
            404,
            f"There is no model '{model_id}' (models: {known}). See GET /v1/models.",
            "model_not_found",
            "model",
        )
    if adapter:
        arec = engine.store.adapters.get(adapter)
        if arec is None:
            raise ApiError(
                404,
                f"There is no adapter '{adapter}'. See GET /v1/models.",
                "model_not_found",
                "model",
            )
        if arec.base_model != base:
            raise ApiError(
                400,
                f"Adapter '{adapter}' was trained on {arec.base_model}, not {base}; use the "
                f"model id '{arec.base_model}:{adapter}'.",
                "adapter_base_mismatch",
                "model",
            )
        if arec.status != "ready":
            raise ApiError(
                400,
                f"Adapter '{adapter}' is not ready ({arec.status}).",
                "adapter_not_ready",
                "model",
            )
    return ModelChoice(model_id, base, adapter)


def embedding_model_ids(engine: Engine) -> list[str]:
    """The configured embedding model first, then the other bundled one (when its package
    is installed) and every collection's, without repeats."""
    from engine.rag.embed import bundled_models, resolve_model

    ids: list[str] = []
    try:
        ids.append(resolve_model(engine.library.default_embedding_model())[0])
    except Exception:  # noqa: BLE001 - a missing default still lets collections' models list
        pass
    for mid in bundled_models() + [c.embedding_model for c in engine.library.collections()]:
        if mid and mid not in ids:
            ids.append(mid)
    return ids


def resolve_embedding_model(engine: Engine, model_id: str | None, collection: str | None) -> str:
    """The embedding model for a request: the collection's, else one from the list."""
    if collection:
        refuse_paths(collection, "collection")
        return collection_or_error(engine, collection).embedding_model
    ids = embedding_model_ids(engine)
    model_id = (model_id or "").strip()
    if model_id in ("", "default") and ids:
        return ids[0]
    if model_id not in ids:
        refuse_paths(model_id)  # hub-style ids from the list contain '/'; others may not
        raise ApiError(
            404,
            f"There is no embedding model '{model_id}' (embedding models: "
            f"{', '.join(ids) or 'none'}).",
            "model_not_found",
            "model",
        )
    return model_id


def collection_or_error(engine: Engine, name: str):
    col = engine.store.documents.collection(name)
    if col is None:
        known = [c.name for c in engine.library.collections()]
        raise ApiError(
            404,
            str(not_found("collection", name, known, "")).strip(),
            "collection_not_found",
            "collection",
        )
    return col

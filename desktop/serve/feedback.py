"""POST /v1/feedback: thumbs, reason and correction on an answer this server returned.

It lands in the same store.feedback as the app's thumbs, so it feeds few-shot
examples, preference pairs and `sastre feedback export`. A saved answer is rated
by its message; an answer that was not saved is kept here (the last few hundred,
in memory) and saved as a chat when it is rated, since a rating needs the
question and the answer it rated.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.serve.catalog import ApiError
from store.chats import Message

if TYPE_CHECKING:
    from engine.chat import ChatResult
    from engine.context import Engine

_RATINGS = {"up": 1, "down": -1, "+1": 1, "-1": -1, 1: 1, -1: -1, "good": 1, "bad": -1}


@dataclass
class Answer:
    message_id: int | None
    question: str
    text: str
    model: str
    adapter: str | None
    system: str | None
    sources: list[dict]


class AnswerLog:
    """Recent answers by completion id."""

    def __init__(self, size: int = 512):
        self.size = size
        self._items: OrderedDict[str, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, cid: str, question: str, text: str, result: ChatResult, system: str | None):
        answer = Answer(
            result.message_id,
            question,
            text,
            result.model,
            result.adapter,
            system,
            [x.to_dict() for x in result.sources],
        )
        with self._lock:
            self._items[cid] = answer
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get(self, cid: str) -> Answer | None:
        with self._lock:
            return self._items.get(cid)


def _saved(engine: Engine, answer: Answer) -> int:
    """The answer's message id, saving the exchange as a chat first if it was not saved."""
    if answer.message_id is not None:
        return answer.message_id
    store = engine.store
    chat_id = engine.chat.create_chat(
        answer.question, model=answer.model, adapter=answer.adapter or None, system=answer.system
    )
    user_id = store.chats.add_message(Message(None, chat_id, "user", answer.question))
    answer.message_id = store.chats.add_message(
        Message(
            None,
            chat_id,
            "assistant",
            answer.text,
            model=answer.model,
            adapter=answer.adapter,
            finish_reason="stop",
            parent_id=user_id,
            sources=answer.sources or None,
        )
    )
    return answer.message_id


def rate(engine: Engine, log: AnswerLog, body: dict) -> dict[str, Any]:
    rating = _RATINGS.get(body.get("rating"))  # type: ignore[arg-type]
    if rating is None:
        raise ApiError(400, "'rating' must be 'up' or 'down'.", "invalid_rating", "rating")
    for name in ("reason", "correction"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise ApiError(400, f"'{name}' must be text.", "invalid_type", name)
    cid = body.get("id")
    if cid is not None:
        answer = log.get(str(cid))
        if answer is None:
            raise ApiError(
                404,
                f"No answer '{cid}' from this server is known (answers are "
                "kept until the server stops; saved ones can be rated by "
                "'message_id').",
                "answer_not_found",
                "id",
            )
        message_id = _saved(engine, answer)
    else:
        message_id = body.get("message_id")
        if isinstance(message_id, bool) or not isinstance(message_id, int):
            raise ApiError(
                400,
                "Give the answer's 'id' (from the completion) or its 'message_id'.",
                "missing_id",
                "id",
            )
        msg = engine.store.chats.message(message_id)
        if msg is None or msg.role != "assistant":
            raise ApiError(
                404,
                f"Message {message_id} is not an answer in this data folder.",
                "answer_not_found",
                "message_id",
            )
    fb = engine.store.feedback.rate(message_id, rating, body.get("reason"), body.get("correction"))
    return {
        "object": "feedback",
        "id": cid,
        "message_id": message_id,
        "chat_id": fb.chat_id,
        "rating": "up" if fb.rating > 0 else "down",
        "reason": fb.reason,
        "correction": fb.correction,
    }

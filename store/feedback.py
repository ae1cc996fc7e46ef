"""Thumbs up / down on answers, with an optional reason and corrected answer.

One current rating per message. Each row copies the question and the answer it
rated, so it stays usable (as a preference pair's chosen or rejected side)
after the answer is regenerated or its chat deleted.
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass
from typing import Any

from store.db import Database, dumps, loads, now
from store.errors import StoreError
from store.vectors import create_vec_table, vector_blob


@dataclass
class Feedback:
    id: int | None
    message_id: int | None
    chat_id: int | None
    rating: int  # +1 or -1
    reason: str | None = None
    correction: str | None = None
    question: str | None = None
    answer: str | None = None
    model: str | None = None
    adapter: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    chunk_ids: list[int] | None = None  # chunks the rated answer cited (retrieval weights)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FeedbackRepo:
    def __init__(self, db: Database):
        self.db = db

    def rate(
        self,
        message_id: int,
        rating: int,
        reason: str | None = None,
        correction: str | None = None,
    ) -> Feedback:
        """Set (or replace) the rating of an assistant message; returns the stored row."""
        if rating not in (-1, 1):
            raise ValueError("rating must be +1 or -1")
        with self.db.tx() as c:
            msg = c.execute(
                "SELECT id, chat_id, role, content, model, adapter, parent_id, sources FROM messages"
                " WHERE id = ?",
                (message_id,),
            ).fetchone()
            if msg is None or msg["role"] != "assistant":
                raise StoreError(
                    f"Message {message_id} is not an answer in this data folder, so it cannot "
                    "be rated. Reload the chat and try again."
                )
            question = _question(c, msg)
            ts = now()
            c.execute(
                "INSERT INTO feedback(message_id, chat_id, rating, reason, correction, question,"
                " answer, model, adapter, created_at, updated_at, chunk_ids)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(message_id) DO UPDATE SET rating = excluded.rating,"
                # Re-rating without a correction keeps the one given before.
                " reason = excluded.reason,"
                " correction = coalesce(excluded.correction, feedback.correction),"
                " answer = excluded.answer, updated_at = excluded.updated_at",
                (
                    message_id,
                    msg["chat_id"],
                    rating,
                    _clean(reason),
                    _clean(correction),
                    question,
                    msg["content"],
                    msg["model"],
                    msg["adapter"],
                    ts,
                    ts,
                    _cited_chunks(msg["sources"]),
                ),
            )
        return self.get(message_id)

    def add_detached(
        self,
        chat_id: int | None,
        question: str | None,
        answer: str,
        rating: int,
        reason: str | None = None,
        model: str | None = None,
        adapter: str | None = None,
    ) -> int:
        """A rating for an answer that is no longer a message (an earlier version)."""
        ts = now()
        with self.db.tx() as c:
            return c.execute(
                "INSERT INTO feedback(message_id, chat_id, rating, reason, question, answer, model,"
                " adapter, created_at, updated_at) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (chat_id, rating, _clean(reason), question, answer, model, adapter, ts, ts),
            ).lastrowid

    def prefer(self, chosen_id: int, other_ids: list[int]) -> Feedback:
        """The user preferred one version of an answer: it is liked, the other versions are
        disliked, except where the user already rated a version (their rating stands)."""
        for mid in other_ids:
            if self.get(mid) is None:
                self.rate(mid, -1, reason="another version was preferred")
        if self.get(chosen_id) is None:
            return self.rate(chosen_id, 1, reason="preferred over the other versions")
        return self.get(chosen_id)

    def get(self, message_id: int) -> Feedback | None:
        row = self.db.one("SELECT * FROM feedback WHERE message_id = ?", (message_id,))
        return _feedback(row) if row else None

    def for_chat(self, chat_id: int) -> dict[int, Feedback]:
        rows = self.db.query(
            "SELECT * FROM feedback WHERE chat_id = ? AND message_id IS NOT NULL", (chat_id,)
        )
        return {r["message_id"]: _feedback(r) for r in rows}

    def clear(self, message_id: int) -> bool:
        meta = self._vec_meta()
        with self.db.tx() as c:
            row = c.execute(
                "SELECT id FROM feedback WHERE message_id = ?", (message_id,)
            ).fetchone()
            if row is None:
                return False
            if meta:  # an id can be reused after a delete: its old vector must go too
                c.execute(f"DELETE FROM {meta['table']} WHERE rowid = ?", (row[0],))
            c.execute("DELETE FROM feedback WHERE id = ?", (row[0],))
            return True

    def list(self, rating: int | None = None, limit: int = 10000) -> list[Feedback]:
        sql, params = "SELECT * FROM feedback", ()
        if rating is not None:
            sql, params = sql + " WHERE rating = ?", (rating,)
        rows = self.db.query(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))
        return [_feedback(r) for r in rows]

    def export(self) -> list[dict[str, Any]]:
        """Records for training: prompt, answer, rating, reason, correction, model, adapter."""
        return [
            {
                "prompt": f.question,
                "answer": f.answer,
                "rating": "up" if f.rating > 0 else "down",
                "reason": f.reason,
                "correction": f.correction,
                "model": f.model,
                "adapter": f.adapter,
                "message_id": f.message_id,
                "created_at": f.created_at,
            }
            for f in reversed(self.list())
        ]

    # -- prompt vectors (few-shot from liked answers) ------------------------------------
    # One vec0 table, keyed by feedback id, holds the embedding of each rated question;
    # settings["feedback_vectors"] records the model and table, so that a new embedding
    # model starts a new table instead of mixing spaces.
    def vector_table(self, model_id: str, dimension: int) -> str:
        meta = self._vec_meta()
        if meta and meta["model"] == model_id and meta["dimension"] == dimension:
            return meta["table"]
        table = f"feedback_vec_{dimension}_{zlib.crc32(model_id.encode())}"
        with self.db.tx() as c:
            if meta:
                c.execute(f"DROP TABLE IF EXISTS {meta['table']}")
            create_vec_table(c, table, dimension, if_not_exists=True)
            c.execute(
                "INSERT INTO settings(key, value) VALUES ('feedback_vectors', ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (dumps({"model": model_id, "dimension": dimension, "table": table}),),
            )
        return table

    def _vec_meta(self) -> dict | None:
        row = self.db.one("SELECT value FROM settings WHERE key = 'feedback_vectors'")
        return loads(row[0]) if row else None

    def missing_vectors(self, table: str) -> list[tuple[int, str]]:
        """(feedback id, question) of rated answers whose question is not embedded yet."""
        rows = self.db.query(
            f"SELECT id, question FROM feedback WHERE question IS NOT NULL"
            f" AND id NOT IN (SELECT rowid FROM {table})"
        )
        return [(r[0], r[1]) for r in rows]

    def add_vectors(self, table: str, items: list[tuple[int, list[float]]]) -> None:
        with self.db.tx() as c:
            for fid, vec in items:
                c.execute(
                    f"INSERT OR REPLACE INTO {table}(rowid, embedding) VALUES (?, ?)",
                    (fid, vector_blob(vec)),
                )

    def similar(self, table: str, vector: list[float], k: int = 8) -> list[tuple[Feedback, float]]:
        """The k rated answers whose questions are nearest; (feedback, cosine similarity)."""
        rows = self.db.query(
            f"WITH knn AS (SELECT rowid, distance FROM {table} WHERE embedding MATCH ? AND k = ?)"
            " SELECT f.*, knn.distance AS _distance FROM knn JOIN feedback f ON f.id = knn.rowid"
            " ORDER BY knn.distance, f.id",
            (vector_blob(vector), k),
        )
        out = []
        for r in rows:
            d = dict(r)
            dist = d.pop("_distance")
            out.append((_feedback(d), round(1.0 - dist, 4)))
        return out

    def count(self) -> int:
        return self.db.one("SELECT count(*) FROM feedback")[0]


def _feedback(row) -> Feedback:
    d = dict(row)
    d["chunk_ids"] = loads(d.get("chunk_ids"))
    return Feedback(**d)


def _cited_chunks(sources: str | None) -> str | None:
    """Chunk ids of the sources an answer cites (the engine marks them `cited` when it saves
    the answer); all its sources if it cites none."""
    srcs = loads(sources) or []
    if not srcs:
        return None
    cited = any(s.get("cited") for s in srcs)
    ids = [s["chunk_id"] for s in srcs if s.get("chunk_id") and (not cited or s.get("cited"))]
    return dumps(ids) if ids else None


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _question(c, msg) -> str | None:
    """The user message this answer replied to (its parent, else the one before it)."""
    row = None
    if msg["parent_id"] is not None:
        row = c.execute("SELECT content FROM messages WHERE id = ?", (msg["parent_id"],)).fetchone()
    if row is None:
        row = c.execute(
            "SELECT content FROM messages WHERE chat_id = ? AND id < ? AND role = 'user'"
            " ORDER BY id DESC LIMIT 1",
            (msg["chat_id"], msg["id"]),
        ).fetchone()
    return row[0] if row else None

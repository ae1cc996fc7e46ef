"""Feedback at answer time: liked answers to similar questions become examples, disliked
ones become what to avoid, and the chunks they cited are weighted up or down."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.prompts import Avoid, Example

if TYPE_CHECKING:
    from engine.personalize import PersonalizeConfig
    from store import Store
    from store.feedback import Feedback


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


def reweight_retrieval(retrieval, rated: Sequence[tuple[Feedback, float]], cap: float) -> dict:
    """Re-order a retrieval's hits by feedback on similar questions (in place); returns the
    weights of the chunks it found, for the prompt inspector."""
    weights = chunk_weights(rated, cap)
    weights = {h.chunk_id: weights[h.chunk_id] for h in retrieval.hits if h.chunk_id in weights}
    retrieval.hits = reweight_hits(retrieval.hits, weights, cap)
    return weights

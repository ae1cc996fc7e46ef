"""Hybrid retrieval: vector KNN (sqlite-vec, cosine) + BM25 (FTS5), fused by reciprocal rank."""

from __future__ import annotations

import time

import numpy as np

from engine.rag.config import RagConfig
from engine.rag.embed import Embedder
from engine.rag.lang import detect_language, fts_match, query_terms, words
from engine.rag.types import Retrieval, SearchHit
from store import Store
from store.documents import Collection

MODES = ("hybrid", "vector", "bm25")
# FTS5 column weights: text, heading, title (a match in a heading or title says more).
BM25_WEIGHTS = (1.0, 2.0, 2.0)
PREFILTER = 200  # binary-code candidates re-ranked exactly, in large collections
COMMON_SHARE = 0.2


def search(
    store: Store,
    col: Collection,
    embedder: Embedder | None,
    query: str,
    *,
    k: int,
    config: RagConfig,
    mode: str = "hybrid",
    query_vector: np.ndarray | None = None,
) -> list[SearchHit]:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    docs = store.documents
    n = max(config.candidates, k)
    vec: list[tuple[int, float]] = []
    bm: list[tuple[int, float]] = []
    qv = None
    total = docs.chunk_count(col.id)
    large = total > config.exact_search_limit
    if mode in ("hybrid", "vector"):
        qv = query_vector if query_vector is not None else embedder.embed_query(query)
        vec = docs.knn(col, qv, n, prefilter=max(PREFILTER, 4 * n) if large else 0)
    if mode in ("hybrid", "bm25"):
        match = fts_match(
            query, drop=_common_terms(docs, col, query, total) if large else frozenset()
        )
        if match:
            bm = docs.bm25(col, match, n, BM25_WEIGHTS)
    scores: dict[int, float] = {}
    vrank = {cid: r for r, (cid, _) in enumerate(vec, 1)}
    brank = {cid: r for r, (cid, _) in enumerate(bm, 1)}
    sims = {cid: 1.0 - d for cid, d in vec}
    for cid, r in vrank.items():
        scores[cid] = scores.get(cid, 0.0) + config.vector_weight / (config.rrf_k + r)
    for cid, r in brank.items():
        scores[cid] = scores.get(cid, 0.0) + config.bm25_weight / (config.rrf_k + r)
    # Ties (same ranks, swapped) go to the better vector rank: meaning over word overlap.
    top = sorted(scores, key=lambda c: (-scores[c], vrank.get(c, n + 1), c))[:k]
    rows = docs.chunks(top)
    if qv is not None:
        missing = [c for c in top if c not in sims]
        for cid, v in docs.vectors(col, missing).items():
            sims[cid] = float(np.dot(v, qv))
    return [
        SearchHit(
            chunk_id=c,
            path=rows[c].path,
            page=rows[c].page,
            heading=rows[c].heading,
            text=rows[c].text,
            score=scores[c],
            title=rows[c].title,
            similarity=sims.get(c),
            vector_rank=vrank.get(c),
            bm25_rank=brank.get(c),
        )
        for c in top
        if c in rows
    ]


def _common_terms(docs, col: Collection, query: str, total: int) -> frozenset[str]:
    """Query terms found in over COMMON_SHARE of a large collection's chunks: their BM25
    weight is near zero, but scoring their long posting lists is what makes a keyword
    search slow."""
    freq = docs.term_frequencies(col, query_terms(query))
    return frozenset(t for t, df in freq.items() if df > COMMON_SHARE * total)


def keyword_coverage(query: str, text: str, prefix_len: int = 4) -> float:
    """Share of the query's content words found in text (a long word's prefix counts)."""
    terms = query_terms(query)
    if not terms:
        return 0.0
    have = set(words(text))
    prefixes = {w[: prefix_len + 1] for w in have if len(w) > prefix_len + 2}
    hit = sum(
        1
        for t in terms
        if t in have or (len(t) > prefix_len + 2 and t[: prefix_len + 1] in prefixes)
    )
    return hit / len(terms)


def retrieve_for_answer(
    store: Store,
    col: Collection,
    embedder: Embedder,
    question: str,
    config: RagConfig,
) -> Retrieval:
    """The sources for a cited answer, and whether they plausibly hold it.

    A tiny model asked about something the documents do not cover invents an
    answer; so when neither the meaning (cosine similarity) nor the words
    (most query terms present) of the best sources match, we say so instead.
    """
    t0 = time.perf_counter()
    hits = search(store, col, embedder, question, k=config.max_sources, config=config)
    ms = (time.perf_counter() - t0) * 1000
    best_sim = max((h.similarity for h in hits if h.similarity is not None), default=-1.0)
    coverage = max(
        (keyword_coverage(question, f"{h.title} {h.heading or ''} {h.text}") for h in hits),
        default=0.0,
    )
    answerable = bool(hits) and (
        best_sim >= config.min_similarity or (coverage >= 0.75 and len(query_terms(question)) >= 2)
    )
    return Retrieval(
        question=question,
        hits=hits,
        answerable=answerable,
        language=detect_language(question),
        retrieval_ms=round(ms, 1),
        model=col.embedding_model,
    )

"""Hybrid retrieval: vector KNN (sqlite-vec, or an in-memory copy for large collections,
cosine) + BM25 (FTS5), fused by a convex combination of scores (or reciprocal rank)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from engine.rag.config import RagConfig
from engine.rag.embed import MULTILINGUAL_MODEL, Embedder
from engine.rag.lang import (
    PREFIX_LEN,
    detect_language,
    fts_match,
    has_prefix_term,
    query_terms,
    words,
)
from engine.rag.types import Retrieval, SearchHit
from store import Store
from store.documents import Collection

MODES = ("hybrid", "vector", "bm25")
# FTS5 column weights: text, heading, title (a match in a heading or title says more);
# the stems column's weight is the `stem_weight` setting.
BM25_WEIGHTS = (1.0, 2.0, 2.0)
COMMON_SHARE = 0.05  # large collections: keyword terms in more chunks than this are dropped
KEEP_TERMS = 2


class MemoryVectors:
    """In-memory copies of large collections' vectors, for exact KNN at NumPy speed.

    sqlite-vec stays the store (and searches small collections itself); its 0.1.9 wheels
    scan without SIMD, several times slower than a BLAS matrix-vector product. A copy is
    read once and re-read when the collection's revision changes. While `busy()` says the
    vectors are being written (an indexing run), a stale copy is not re-read after every
    file: knn returns None and the caller asks sqlite-vec. Thread-safe.
    """

    def __init__(self, busy: Callable[[], bool] = lambda: False):
        self._copies: dict[int, tuple[tuple, np.ndarray, np.ndarray]] = {}
        self._lock = threading.Lock()
        self.busy = busy

    def knn(
        self, docs, col: Collection, query: np.ndarray, k: int
    ) -> list[tuple[int, float]] | None:
        key = (col.vec_table, docs.revision(col.id))
        with self._lock:
            copy = self._copies.get(col.id)
            if copy is None or copy[0] != key:
                if self.busy():
                    return None
                copy = (key, *docs.all_vectors(col))
                self._copies[col.id] = copy
        _, ids, matrix = copy
        if not len(ids):
            return []
        sims = matrix @ np.asarray(query, dtype=np.float32)
        k = min(k, len(ids))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(int(ids[i]), float(1.0 - sims[i])) for i in top]

    def drop(self, collection_id: int) -> None:
        with self._lock:
            self._copies.pop(collection_id, None)


def fusion_for(config: RagConfig, col: Collection) -> str:
    """The fusion a collection's searches use. 'auto' follows bench/rag_quality.py on the
    hard set: multilingual-e5 with rrf 0.934 file recall@5 vs 0.908 convex (Spanish over
    English 0.879 vs 0.818); MiniLM with convex 0.895 vs 0.868 rrf (BENCHMARKS.md,
    "Retrieval quality, hard set")."""
    if config.fusion != "auto":
        return config.fusion
    return "rrf" if col.embedding_model == MULTILINGUAL_MODEL else "convex"


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
    memory: MemoryVectors | None = None,
) -> list[SearchHit]:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    docs = store.documents
    n = max(config.candidates, k)
    vec: list[tuple[int, float]] = []
    bm: list[tuple[int, float]] = []
    qv = None
    total = docs.chunk_count(col.id)
    if mode in ("hybrid", "vector"):
        qv = query_vector if query_vector is not None else embedder.embed_query(query)
        found = None
        if total > config.memory_search_above and memory is not None:
            found = memory.knn(docs, col, qv, n)
        vec = found if found is not None else docs.knn(col, qv, n)
    if mode in ("hybrid", "bm25"):
        match = fts_match(
            query,
            drop=_common_terms(docs, col, query, total)
            if total > config.prune_terms_above
            else frozenset(),
            stems=config.stem_weight > 0,
        )
        if match:
            bm = docs.bm25(col, match, n, (*BM25_WEIGHTS, config.stem_weight))
    vrank = {cid: r for r, (cid, _) in enumerate(vec, 1)}
    brank = {cid: r for r, (cid, _) in enumerate(bm, 1)}
    sims = {cid: 1.0 - d for cid, d in vec}
    fuse = rrf if fusion_for(config, col) == "rrf" else convex
    scores = fuse(list(sims.items()), [(cid, -s) for cid, s in bm], config)
    # Ties (same ranks, swapped) go to the better vector rank: meaning over word overlap.
    ranked = sorted(scores, key=lambda c: (-scores[c], vrank.get(c, n + 1), c))
    top = _cap_per_file(docs, ranked, k, config.max_per_file)
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


def _cap_per_file(docs, ranked: list[int], k: int, cap: int) -> list[int]:
    """The first k of `ranked` with at most `cap` chunks of one file (0: no cap)."""
    if not cap:
        return ranked[:k]
    owner = docs.chunk_documents(ranked)
    taken: dict[int, int] = {}
    out = []
    for cid in ranked:
        doc = owner.get(cid)
        if taken.get(doc, 0) >= cap:
            continue
        taken[doc] = taken.get(doc, 0) + 1
        out.append(cid)
        if len(out) == k:
            break
    return out


Scored = list[tuple[int, float]]  # (chunk id, score; higher is better), best first


def convex(vector: Scored, keyword: Scored, config: RagConfig) -> dict[int, float]:
    """Weighted sum of the two scores, each scaled to [0, 1] between its lowest possible
    value (cosine -1, BM25 0: what a chunk missing from that list gets) and the best
    candidate's. Unlike rank fusion it keeps how far apart candidates are: a chunk far ahead
    in one list stays ahead. (The theoretical-min-max convex combination of Bruch et al.,
    "An Analysis of Fusion Functions for Hybrid Retrieval", 2023.)"""
    sims, keyword = dict(vector), dict(keyword)  # cosine similarity; -BM25
    wv, wb = config.vector_weight, config.bm25_weight
    top_v = max(sims.values(), default=1.0) + 1.0
    top_b = max(keyword.values(), default=1.0)
    out: dict[int, float] = {}
    for cid in sims.keys() | keyword.keys():
        v = (sims[cid] + 1.0) / top_v if cid in sims and top_v > 0 else 0.0
        b = keyword[cid] / top_b if cid in keyword and top_b > 0 else 0.0
        out[cid] = (wv * v + wb * b) / ((wv + wb) or 1.0)
    return out


def rrf(vector: Scored, keyword: Scored, config: RagConfig) -> dict[int, float]:
    """Reciprocal rank fusion: only the ranks count."""
    out: dict[int, float] = {}
    for hits, weight in ((vector, config.vector_weight), (keyword, config.bm25_weight)):
        for r, (cid, _) in enumerate(hits, 1):
            out[cid] = out.get(cid, 0.0) + weight / (config.rrf_k + r)
    return out


def _common_terms(docs, col: Collection, query: str, total: int) -> frozenset[str]:
    """Query terms found in over COMMON_SHARE of a large collection's chunks (the rarest
    KEEP_TERMS always stay): their BM25 weight is small, and scoring their long posting
    lists is what makes a keyword search slow. The same goes for the prefix term of a kept
    word ("confi"* for "configuration") when the prefix is that common: returned as "confi*".
    """
    terms = query_terms(query)
    freq = docs.term_frequencies(col, terms)
    common = [t for t in terms if freq.get(t, 0) > COMMON_SHARE * total]
    room = KEEP_TERMS - (len(terms) - len(common))
    if room > 0:
        common = sorted(common, key=lambda t: freq[t])[room:]
    prefixes = {t[: PREFIX_LEN + 1] for t in terms if t not in common and has_prefix_term(t)}
    common += [f"{p}*" for p in prefixes if docs.prefix_frequency(col, p) > COMMON_SHARE * total]
    return frozenset(common)


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
    memory: MemoryVectors | None = None,
) -> Retrieval:
    """The sources for a cited answer, and whether they plausibly hold it.

    A tiny model asked about something the documents do not cover invents an
    answer; so when neither the meaning (cosine similarity) nor the words
    (most query terms present) of the best sources match, we say so instead.
    """
    t0 = time.perf_counter()
    hits = search(
        store, col, embedder, question, k=config.max_sources, config=config, memory=memory
    )
    ms = (time.perf_counter() - t0) * 1000
    best_sim = max((h.similarity for h in hits if h.similarity is not None), default=-1.0)
    coverage = max(
        (keyword_coverage(question, f"{h.title} {h.heading or ''} {h.text}") for h in hits),
        default=0.0,
    )
    floor = (
        config.min_similarity_multilingual
        if col.embedding_model == MULTILINGUAL_MODEL
        else config.min_similarity
    )
    answerable = bool(hits) and (
        best_sim >= floor or (coverage >= 0.75 and len(query_terms(question)) >= 2)
    )
    return Retrieval(
        question=question,
        hits=hits,
        answerable=answerable,
        language=detect_language(question),
        retrieval_ms=round(ms, 1),
        model=col.embedding_model,
    )

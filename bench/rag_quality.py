"""Retrieval quality on bench/rag_eval: recall@5 and MRR@5 for vector-only, BM25-only and
hybrid search (file level; file + page for PDF questions), English and Spanish questions,
plus how often `ask` refuses questions the documents cannot answer.

    python bench/rag_quality.py                 # index into a temporary folder, report
    python bench/rag_quality.py --data-dir D    # reuse (or create) an index in D
    python bench/rag_quality.py --write         # also update BENCHMARKS.md (## Retrieval)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from rag_common import machine, write_subsection  # noqa: E402

EVAL = Path(__file__).resolve().parent / "rag_eval"
K = 5


def load_questions() -> list[dict]:
    return [
        json.loads(line) for line in (EVAL / "questions.jsonl").read_text().splitlines() if line
    ]


def rank_of(hits, file: str, pages: list[int] | None) -> int | None:
    for i, h in enumerate(hits, 1):
        if os.path.basename(h.path) == file and (pages is None or h.page in pages):
            return i
    return None


# Table rows: (search mode, RagConfig settings changed for that row).
ROWS = {
    "vector": ("vector", {}),
    "bm25": ("bm25", {}),
    "hybrid": ("hybrid", {}),
    "hybrid (rrf)": ("hybrid", {"fusion": "rrf"}),
    "hybrid (in-memory)": ("hybrid", {"memory_search_above": 0}),
    "hybrid (pruned keywords)": ("hybrid", {"prune_terms_above": 0}),
}


def evaluate(lib, questions, modes) -> dict:
    rows: dict = {}
    for mode in modes:
        lib_mode, changes = ROWS[mode]
        saved = {k: getattr(lib.config, k) for k in changes}
        for k, v in changes.items():
            setattr(lib.config, k, v)
        try:
            for q in questions:
                if not q["file"]:
                    continue
                hits = lib.search(q["q"], "eval", k=K, mode=lib_mode)
                for level, pages in (("file", None), ("page", q.get("pages"))):
                    if level == "page" and not pages:
                        continue
                    r = rank_of(hits, q["file"], pages)
                    for lang in ("all", q["lang"]):
                        cell = rows.setdefault((mode, level, lang), {"n": 0, "hit": 0, "rr": 0.0})
                        cell["n"] += 1
                        cell["hit"] += r is not None
                        cell["rr"] += 1.0 / r if r else 0.0
        finally:
            for k, v in saved.items():
                setattr(lib.config, k, v)
    return rows


def gate(lib, questions) -> dict:
    out = {"answerable_kept": 0, "answerable": 0, "unanswerable_refused": 0, "unanswerable": 0}
    for q in questions:
        ok = lib.retrieve(q["q"], "eval").answerable
        if q["file"]:
            out["answerable"] += 1
            out["answerable_kept"] += ok
        else:
            out["unanswerable"] += 1
            out["unanswerable_refused"] += not ok
    return out


def margins(rows) -> str:
    """Hybrid minus the better of vector and BM25 alone, per metric."""
    parts = []
    for level, what, label in (("file", "hit", "file recall@5"), ("file", "rr", "file MRR@5"),
                               ("page", "hit", "PDF page recall@5"), ("page", "rr", "PDF page MRR@5")):  # fmt: skip

        def v(mode, level=level, what=what):
            c = rows[(mode, level, "all")]
            return c[what] / c["n"]

        parts.append(f"{label} {v('hybrid') - max(v('vector'), v('bm25')):+.3f}")
    return "Hybrid minus the better single retriever: " + ", ".join(parts) + "."


def table(rows, modes) -> str:
    lines = [
        "| retriever | file recall@5 | file MRR@5 | PDF file+page recall@5 | PDF file+page MRR@5 "
        "| EN file recall@5 | ES file recall@5 |",
        "|---|---|---|---|---|---|---|",
    ]

    def cell(mode, level, lang, what):
        c = rows.get((mode, level, lang))
        if not c or not c["n"]:
            return "-"
        return f"{(c['hit'] if what == 'r' else c['rr']) / c['n']:.3f}"

    for m in modes:
        lines.append(
            f"| {m} | {cell(m, 'file', 'all', 'r')} | {cell(m, 'file', 'all', 'm')} | "
            f"{cell(m, 'page', 'all', 'r')} | {cell(m, 'page', 'all', 'm')} | "
            f"{cell(m, 'file', 'en', 'r')} | {cell(m, 'file', 'es', 'r')} |"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data-dir", help="Index here (kept); default: a temporary folder.")
    ap.add_argument("--write", action="store_true", help="Update BENCHMARKS.md.")
    args = ap.parse_args()

    from engine.rag import Library
    from store import Store

    data = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="sastre-eval-"))
    store = Store.open(data)
    lib = Library(store, data)
    t0 = time.perf_counter()
    report = lib.index([EVAL / "docs"], "eval")
    index_s = time.perf_counter() - t0
    if not report.ok:
        print(json.dumps(report.to_dict(), indent=1), file=sys.stderr)
        return 1
    col = lib.collection("eval")
    questions = load_questions()
    modes = list(ROWS)
    rows = evaluate(lib, questions, modes)
    g = gate(lib, questions)
    n_en = sum(1 for q in questions if q["file"] and q["lang"] == "en")
    n_es = sum(1 for q in questions if q["file"] and q["lang"] == "es")
    n_pdf = sum(1 for q in questions if q["file"] and q.get("pages"))
    body = f"""Evaluation set `bench/rag_eval/` ({col.documents} documents, {col.chunks} chunks of
≤{col.chunk_tokens} tokens; {n_en} English and {n_es} Spanish questions with a known answer
file, {n_pdf} of them on PDFs with the answer page; {g["unanswerable"]} questions the documents
cannot answer). Embedding model: {col.embedding_model}. Hybrid search fuses the two
candidate lists (50 each) by `fusion = {lib.config.fusion}`; "hybrid (rrf)" fuses them by
reciprocal rank (k = {lib.config.rrf_k}) instead. The last two rows are what
large collections do: "in-memory" searches an in-memory copy of the vectors (above
`memory_search_above` chunks; it must equal "hybrid"), "pruned keywords" leaves out query
words and word prefixes found in over 5% of chunks (above `prune_terms_above` chunks; forced
on here to show what it costs in quality).

{table(rows, modes)}

{margins(rows)}

`ask` relevance gate (answer only when the best source is similar enough or shares most
query words): {g["answerable_kept"]}/{g["answerable"]} answerable questions answered,
{g["unanswerable_refused"]}/{g["unanswerable"]} unanswerable ones refused.

Machine: {machine()}.{"" if report.count("unchanged") else f" Indexing the set took {index_s:.0f} s."}
Reproduce: `python bench/rag_quality.py --write`."""
    print(body)
    if args.write:
        write_subsection("Retrieval quality", body)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Retrieval quality on bench/rag_eval (easy) or bench/rag_hard (hard): recall@5 and MRR@5 for vector-only, BM25-only and
hybrid search (file level; file + page for PDF questions), English and Spanish questions,
plus how often `ask` refuses questions the documents cannot answer.

    python bench/rag_quality.py                 # index into a temporary folder, report
    python bench/rag_quality.py --data-dir D    # reuse (or create) an index in D
    python bench/rag_quality.py --write         # also update BENCHMARKS.md (## Retrieval)
    python bench/rag_quality.py --set hard      # the hard set (near-identical release notes)
"""

from __future__ import annotations

import argparse
import functools
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

SETS = {
    "easy": Path(__file__).resolve().parent / "rag_eval",
    "hard": Path(__file__).resolve().parent / "rag_hard",
}
EVAL = SETS["easy"]
K = 5


def load_questions(folder: Path = EVAL) -> list[dict]:
    lines = (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line]


def rank_of(hits, file: str, pages: list[int] | None, docs: Path | None = None) -> int | None:
    """1-based rank of the first hit in `file` (a path under docs; the easy set gives
    a bare name) and, when pages are given, on one of them."""
    for i, h in enumerate(hits, 1):
        name = Path(os.path.relpath(h.path, docs)).as_posix() if docs else os.path.basename(h.path)
        if name == file and (pages is None or h.page in pages):
            return i
    return None


def group(q: dict) -> str:
    """'en', 'es' (same-language questions) or 'es>en' / 'en>es' (question over documents
    in the other language; hard set: the Spanish documents live under es-*)."""
    doc_lang = "es" if q["file"].startswith("es-") else "en"
    return q["lang"] if q["lang"] == doc_lang or "/" not in q["file"] else f"{q['lang']}>{doc_lang}"


# Table rows: (search mode, RagConfig settings changed for that row).
ROWS = {
    "vector": ("vector", {}),
    "bm25": ("bm25", {}),
    "hybrid": ("hybrid", {}),
    "hybrid (rrf)": ("hybrid", {"fusion": "rrf"}),
    "hybrid (no per-file cap)": ("hybrid", {"max_per_file": 0}),
    "hybrid (1 chunk per file)": ("hybrid", {"max_per_file": 1}),
    "hybrid (in-memory)": ("hybrid", {"memory_search_above": 0}),
    "hybrid (pruned keywords)": ("hybrid", {"prune_terms_above": 0}),
    "bm25 (no stems)": ("bm25", {"stem_weight": 0.0}),
    "hybrid (no stems)": ("hybrid", {"stem_weight": 0.0}),
    "hybrid (rrf; no stems)": ("hybrid", {"fusion": "rrf", "stem_weight": 0.0}),
}


def evaluate(lib, questions, modes, docs: Path | None = None) -> dict:
    rows: dict = {}
    for mode in modes:
        lib_mode, changes = ROWS[mode]
        saved = {k: getattr(lib.config, k) for k in changes}
        for k, v in changes.items():
            setattr(lib.config, k, v)
        try:
            for q in questions:
                if q["file"]:
                    tally(rows, mode, q, lib.search(q["q"], "eval", k=K, mode=lib_mode), docs)
        finally:
            for k, v in saved.items():
                setattr(lib.config, k, v)
    return rows


def tally(rows: dict, mode: str, q: dict, hits, docs: Path | None = None) -> None:
    """Count one question's hits into the table cells of a row (file and, for questions
    with pages, file + page; all questions and the question's language group)."""
    for level, pages in (("file", None), ("page", q.get("pages"))):
        if level == "page" and not pages:
            continue
        r = rank_of(hits, q["file"], pages, docs)
        for lang in ("all", group(q)):
            cell = rows.setdefault((mode, level, lang), {"n": 0, "hit": 0, "rr": 0.0})
            cell["n"] += 1
            cell["hit"] += r is not None
            cell["rr"] += 1.0 / r if r else 0.0


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
    for level, what, label in (
        ("file", "hit", "file recall@5"),
        ("file", "rr", "file MRR@5"),
        ("page", "hit", "PDF page recall@5"),
        ("page", "rr", "PDF page MRR@5"),
    ):

        def v(mode, level=level, what=what):
            c = rows[(mode, level, "all")]
            return c[what] / c["n"]

        parts.append(f"{label} {v('hybrid') - max(v('vector'), v('bm25')):+.3f}")
    return "Hybrid minus the better single retriever: " + ", ".join(parts) + "."


GROUPS = {"en": "EN", "es": "ES", "es>en": "ES over EN docs", "en>es": "EN over ES docs"}


def table(rows, modes) -> str:
    groups = [g for g in GROUPS if any((m, "file", g) in rows for m in modes)]
    head = [
        "retriever",
        "file recall@5",
        "file MRR@5",
        "PDF file+page recall@5",
        "PDF file+page MRR@5",
    ] + [f"{GROUPS[g]} file recall@5" for g in groups]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def cell(mode, level, lang, what):
        c = rows.get((mode, level, lang))
        if not c or not c["n"]:
            return "-"
        return f"{(c['hit'] if what == 'r' else c['rr']) / c['n']:.3f}"

    for m in modes:
        cells = [
            m,
            cell(m, "file", "all", "r"),
            cell(m, "file", "all", "m"),
            cell(m, "page", "all", "r"),
            cell(m, "page", "all", "m"),
        ]
        cells += [cell(m, "file", g, "r") for g in groups]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def counts(questions) -> str:
    n = {}
    for q in questions:
        if q["file"]:
            n[group(q)] = n.get(group(q), 0) + 1
    parts = [f"{v} {GROUPS[g]}" for g, v in n.items()]
    return ", ".join(parts) + " questions with a known answer file"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--set", choices=tuple(SETS), default="easy", help="Which evaluation set.")
    ap.add_argument("--data-dir", help="Index here (kept); default: a temporary folder.")
    ap.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="RagConfig settings for the whole run (e.g. embedding_model=...).",
    )
    ap.add_argument("--json", help="Also write the raw cells to this file.")
    ap.add_argument("--write", action="store_true", help="Update BENCHMARKS.md.")
    ap.add_argument("--modes", help="Comma-separated table rows to run (default: all).")
    args = ap.parse_args()

    from engine.rag import Library
    from engine.rag.config import RagConfig
    from store import Store

    folder = SETS[args.set]
    data = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="sastre-eval-"))
    store = Store.open(data)
    cfg = RagConfig.from_dict(
        {
            k: json.loads(v) if v[:1] in "0123456789-[{tf" else v
            for k, v in (c.split("=", 1) for c in args.config)
        }
    )
    lib = Library(store, data, config=cfg)
    t0 = time.perf_counter()
    report = lib.index([folder / "docs"], "eval")
    index_s = time.perf_counter() - t0
    if not report.ok:
        print(json.dumps(report.to_dict(), indent=1), file=sys.stderr)
        return 1
    col = lib.collection("eval")
    questions = load_questions(folder)
    emb = lib.embedder(col.embedding_model)
    emb.embed_query = functools.lru_cache(maxsize=None)(emb.embed_query)  # once per question
    modes = args.modes.split(",") if args.modes else list(ROWS)
    rows = evaluate(lib, questions, modes, folder / "docs" if args.set == "hard" else None)
    if args.json:
        Path(args.json).write_text(json.dumps({"|".join(k): v for k, v in rows.items()}))
    if args.modes:  # a quick look: no gate, no report
        print(table(rows, modes))
        return 0
    g = gate(lib, questions)
    n_pdf = sum(1 for q in questions if q["file"] and q.get("pages"))
    unanswerable = (
        f"; {g['unanswerable']} questions the documents cannot answer" if g["unanswerable"] else ""
    )
    body = f"""Evaluation set `bench/{folder.name}/` ({col.documents} documents, {col.chunks} chunks of
≤{col.chunk_tokens} tokens; {counts(questions)}, {n_pdf} of them on PDFs with the answer
page{unanswerable}). Embedding model: {col.embedding_model}. Hybrid search fuses the two
candidate lists ({lib.config.candidates} each) by `fusion = {lib.config.fusion}`; "hybrid (rrf)"
fuses them by reciprocal rank (k = {lib.config.rrf_k}) instead. "in-memory" searches an
in-memory copy of the vectors (what collections above `memory_search_above` chunks do; it
must equal "hybrid"), "pruned keywords" leaves out query words and word prefixes found in
over 5% of chunks (above `prune_terms_above` chunks; forced on here to show what it costs);
"no stems" matches exact words and prefixes only (`stem_weight = 0`).

{table(rows, modes)}

{margins(rows)}

`ask` relevance gate (answer only when the best source is similar enough or shares most
query words): {g["answerable_kept"]}/{g["answerable"]} answerable questions answered{f", {g['unanswerable_refused']}/{g['unanswerable']} unanswerable ones refused" if g["unanswerable"] else ""}.

Machine: {machine()}.{"" if report.count("unchanged") else f" Indexing the set took {index_s:.0f} s."}
Reproduce: `python bench/rag_quality.py --set {args.set} --write`."""
    print(body)
    if args.write:
        title = "Retrieval quality" if args.set == "easy" else "Retrieval quality, hard set"
        write_subsection(title, body)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

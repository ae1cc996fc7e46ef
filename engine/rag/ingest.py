"""Indexing: scan paths, parse in worker processes, embed in batches, write per file.

The pipeline: a scan decides which files changed (size + mtime, then content
hash in the worker); a ParserPool thread parses and chunks them while this
thread embeds chunks from several files per model call and writes each file,
chunks + vectors + FTS rows, in its own transaction. Killing the process at any
moment loses at most the files in flight; the next run redoes only those.

Just over 500 lines: scan, the re-indexing rules and the embed/write loop of one run are
kept together, because the rules (unchanged, stale chunk format, retry) decide what the
loop sees.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import queue
import stat as stat_mod
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.errors import SastreError
from engine.rag import secrets
from engine.rag.chunk import CHUNK_FORMAT
from engine.rag.config import RagConfig
from engine.rag.embed import Embedder
from engine.rag.errors import EmbeddingModelMismatchError, IndexPathError
from engine.rag.parse import detect_format
from engine.rag.types import Chunk, FileOutcome, IndexProgress, IndexReport
from engine.rag.workers import ParseJob, ParseResult, ParserPool, WorkerSettings
from store import Store
from store.documents import Collection, NewChunk

ProgressCallback = Callable[[IndexProgress], None]
SKIP_DIRS = {"__pycache__", "node_modules", "site-packages", ".git", ".venv", "venv"}


@dataclass
class FileEntry:
    path: str
    format: str
    size: int
    mtime_ns: int


@dataclass
class ScanResult:
    files: list[FileEntry] = field(default_factory=list)
    outcomes: list[FileOutcome] = field(default_factory=list)  # skipped before parsing
    folders: list[str] = field(default_factory=list)  # walked completely: deletions count
    explicit: list[str] = field(default_factory=list)  # files named on the command line
    missing: list[str] = field(default_factory=list)


def _stat_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return "broken symlink (its target does not exist)"
    if exc.errno == errno.EACCES:
        return "permission denied"
    return f"cannot read it ({exc.strerror or exc})"


def scan(paths: Sequence[str | os.PathLike], include_hidden: bool = False) -> ScanResult:
    """Find indexable files under paths (folders recursively), following symlinks once."""
    res = ScanResult()
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: dict[tuple[int, int], str] = {}

    def add_file(path: str) -> None:
        try:
            st = os.stat(path)
        except OSError as exc:
            res.outcomes.append(FileOutcome(path, "skipped", _stat_reason(exc)))
            return
        if not stat_mod.S_ISREG(st.st_mode):
            res.outcomes.append(FileOutcome(path, "skipped", "not a regular file"))
            return
        fmt = detect_format(path)
        if fmt is None:
            ext = os.path.splitext(path)[1].lower()
            reason = f"unsupported file type ({ext})"
            if secrets.secret_file_name(path):
                reason = f"looks like a secrets file ({ext}); never indexed"
            res.outcomes.append(FileOutcome(path, "skipped", reason))
            return
        key = (st.st_dev, st.st_ino)
        if key in seen_files:
            res.outcomes.append(FileOutcome(path, "skipped", f"same file as {seen_files[key]}"))
            return
        seen_files[key] = path
        res.files.append(FileEntry(path, fmt, st.st_size, st.st_mtime_ns))

    def walk(root: str) -> None:
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                st = os.stat(folder)
                if (st.st_dev, st.st_ino) in seen_dirs:
                    res.outcomes.append(
                        FileOutcome(folder, "skipped", "symlink loop (a folder already visited)")
                    )
                    continue
                seen_dirs.add((st.st_dev, st.st_ino))
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                res.outcomes.append(FileOutcome(folder, "skipped", f"folder: {_stat_reason(exc)}"))
                continue
            subdirs = []
            for e in entries:
                if not include_hidden and (e.name.startswith(".") or e.name in SKIP_DIRS):
                    continue
                try:
                    is_dir = e.is_dir()
                except OSError as exc:
                    res.outcomes.append(FileOutcome(e.path, "skipped", _stat_reason(exc)))
                    continue
                if is_dir:
                    subdirs.append(e.path)
                elif e.is_symlink() and not os.path.exists(e.path):
                    try:
                        os.stat(e.path)
                    except OSError as exc:
                        res.outcomes.append(FileOutcome(e.path, "skipped", _stat_reason(exc)))
                else:
                    add_file(e.path)
            stack.extend(reversed(subdirs))

    for p in paths:
        path = os.path.abspath(os.fspath(p))
        if os.path.isdir(path):
            res.folders.append(path)
            walk(path)
        elif os.path.lexists(path):
            res.explicit.append(path)
            add_file(path)
        else:
            res.missing.append(path)
    res.files.sort(key=lambda f: f.path)
    return res


def under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def embed_text(title: str | None, chunk: Chunk) -> str:
    """What the embedding model sees: where the chunk is (its context header, or for a
    chunk stored before headers existed, the document's title), then the chunk."""
    head = " — ".join(x for x in (chunk.context or title, chunk.heading) if x)
    return f"{head}\n{chunk.text}" if head else chunk.text


def default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 2) - 1))


@dataclass
class _Pending:
    res: ParseResult
    vectors: list[np.ndarray | None]
    next: int = 0  # first chunk not yet sent to the embedder

    @property
    def done(self) -> bool:
        return all(v is not None for v in self.vectors)


class Indexer:
    """One indexing run into one collection (see Library.index)."""

    def __init__(
        self,
        store: Store,
        collection: str,
        embedder_for: Callable[[str | None], Embedder],
        config: RagConfig,
        embedding_model: str | None = None,
        parse_fn: str | None = None,
    ):
        self.store = store
        self.docs = store.documents
        self.name = collection
        self.embedder_for = embedder_for
        self.config = config
        self.embedding_model = embedding_model
        self.parse_fn = parse_fn
        self.col: Collection | None = self.docs.collection(collection)
        self.embedder: Embedder | None = None

    # -- collection and model ----------------------------------------------------------------
    def _check_model(self) -> None:
        col, wanted = self.col, self.embedding_model
        if col is None or wanted is None:
            return
        from engine.rag.embed import resolve_model

        model_id = resolve_model(wanted)[0]
        if model_id != col.embedding_model:
            raise EmbeddingModelMismatchError(
                f"Collection '{col.name}' was built with embedding model {col.embedding_model} "
                f"({col.dimension} dimensions), not {model_id}. Index into another collection "
                f"(--collection), or re-embed this one: sastre collections reembed {col.name} "
                f"--embedding-model {wanted}"
            )

    def _get_embedder(self) -> Embedder:
        if self.embedder is None:
            model = self.col.embedding_model if self.col else self.embedding_model
            self.embedder = self.embedder_for(model)  # None: the library's default model
        return self.embedder

    def _ensure_collection(self) -> Collection:
        if self.col is None:
            emb = self._get_embedder()
            tokens = self.config.chunk_tokens
            if tokens > emb.max_tokens - 2:
                raise SastreError(
                    f"chunk_tokens={tokens} is more than embedding model {emb.model_id} reads "
                    f"({emb.max_tokens} tokens); set chunk_tokens to {emb.max_tokens - 16} or less."
                )
            self.col = self.docs.create_collection(
                self.name,
                emb.model_id,
                emb.dimension,
                tokens,
                self.config.chunk_overlap,
                CHUNK_FORMAT,
            )
        return self.col

    # -- the run ---------------------------------------------------------------------
    def run(
        self,
        paths: Sequence[str | os.PathLike],
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        pause: threading.Event | None = None,
    ) -> IndexReport:
        self._check_model()
        cancel = cancel or threading.Event()
        t0 = time.monotonic()
        report = IndexReport(self.name)
        prog = IndexProgress("scanning")
        notify = _Notifier(progress, prog, t0)
        notify(force=True)

        found = scan(paths, self.config.include_hidden)
        states = self.docs.states(self.col.id) if self.col else {}
        for path in found.missing:
            if not any(under(p, path) for p in states):
                raise IndexPathError(
                    f"No such file or folder: {path}. Check the path; nothing was indexed."
                )
        report.files.extend(found.outcomes)
        prog.skipped = len(found.outcomes)
        jobs: list[ParseJob] = []
        # A collection chunked by an older Sastre re-parses every file once (see
        # store.migrations.m_retrieval): its stored chunks lack context headers.
        stale = self.col is not None and self.col.chunk_format < CHUNK_FORMAT
        for f in found.files:
            st = states.get(f.path)
            same = st and (st.size, st.mtime_ns) == (f.size, f.mtime_ns)
            if same and st.status != "failed" and not stale:
                report.files.append(FileOutcome(f.path, "unchanged"))
                continue
            known = st.content_hash if st and st.status != "failed" and not stale else None
            jobs.append(ParseJob(f.path, f.format, f.size, f.mtime_ns, known))
        prog.unchanged = report.count("unchanged")
        prog.files_total = len(jobs)
        prog.bytes_total = sum(j.size for j in jobs)

        if jobs:
            self._index_jobs(jobs, report, prog, notify, cancel, pause)
        if not cancel.is_set():
            self._remove_deleted(found, states, report, prog, notify)
            if self.col is not None:
                for root in found.folders + found.explicit:
                    self.docs.add_root(self.col.id, root)
            if (
                stale
                and report.ok
                and set(states)
                <= {f.path for f in found.files}
                | {f.path for f in report.files if f.status == "removed"}
            ):
                self.docs.set_chunk_format(self.col, CHUNK_FORMAT)
        report.cancelled = cancel.is_set()
        report.elapsed_s = time.monotonic() - t0
        prog.phase = "done"
        notify(force=True)
        return report

    def _remove_deleted(self, found, states, report, prog, notify) -> None:
        if self.col is None:
            return
        present = {f.path for f in found.files}  # a broken link or loop loses its document
        gone = [
            p
            for p in states
            if p not in present
            and (any(under(p, d) for d in found.folders) or any(under(p, m) for m in found.missing))
        ]
        if gone:
            prog.phase = "removing"
            notify(force=True)
        for p in sorted(gone):
            if self.docs.remove_document(self.col, p):
                report.files.append(FileOutcome(p, "removed"))
                prog.removed += 1

    def _settings(self, emb: Embedder | None) -> WorkerSettings:
        tok_json = emb.tokenizer_json() if emb is not None else None
        tokens = self.col.chunk_tokens if self.col else self.config.chunk_tokens
        overlap = self.col.chunk_overlap if self.col else self.config.chunk_overlap
        return WorkerSettings(
            tokenizer_json=tok_json,
            chunk_tokens=tokens,
            chunk_overlap=overlap,
            max_bytes=int(self.config.max_file_mb * 1e6),
            memory_mb=self.config.parse_memory_mb,
            parse_fn=self.parse_fn,
            secrets=secrets.policy_for(self.store.settings, self.name),
            unit_tokens=self.config.unit_tokens,
        )

    def _index_jobs(self, jobs, report, prog, notify, cancel, pause) -> None:
        emb = self._get_embedder()
        workers = self.config.workers or default_workers()
        pool = ParserPool(self._settings(emb), min(workers, len(jobs)), self.config.parse_timeout_s)
        stop = threading.Event()  # pool stop: cancel, or an error here

        def watch_cancel() -> None:
            while not stop.wait(0.1):
                if cancel.is_set():
                    stop.set()

        for j in jobs:
            pool.jobs.put(j)
        thread = threading.Thread(target=pool.run, args=(stop, pause), daemon=True)
        thread.start()
        canceller = threading.Thread(target=watch_cancel, daemon=True)
        canceller.start()
        finished = False
        try:
            prog.phase = "loading"
            notify(force=True)
            self._ensure_collection()
            prog.phase = "indexing"
            self._consume(pool, len(jobs), report, prog, notify, cancel, pause)
            finished = not cancel.is_set()
        finally:
            if not finished:
                stop.set()  # kills the workers, discarding files in flight
            pool.jobs.put(None)
            thread.join(timeout=30)
            stop.set()
            canceller.join()
        if pool.error is not None and not cancel.is_set():
            raise pool.error

    def _consume(self, pool, outstanding, report, prog, notify, cancel, pause) -> None:
        pending: deque[_Pending] = deque()
        target = self.config.embed_batch * 4  # ST sorts by length within one call
        while outstanding > 0 and not cancel.is_set():
            if pool.error is not None:
                raise pool.error
            if pause is not None and pause.is_set():
                prog.phase = "paused"
                notify()
                time.sleep(0.1)
                continue
            prog.phase = "indexing"
            waiting = sum(len(p.vectors) - p.next for p in pending)
            try:
                res = pool.results.get(timeout=0.02 if waiting else 0.2)
            except queue.Empty:
                res = None
            if res is not None:
                prog.current = res.job.path
                outstanding -= self._handle(res, pending, report, prog, pool)
                waiting = sum(len(p.vectors) - p.next for p in pending)
                if waiting < target and not pool.results.empty():
                    notify()
                    continue
            if waiting:
                self._embed_batch(pending, target)
            while pending and pending[0].done:
                outstanding -= self._write(pending.popleft(), report, prog, pool)
            notify()

    def _finish(self, res: ParseResult, status: str, report, prog, reason=None, chunks=0) -> int:
        report.files.append(FileOutcome(res.job.path, status, reason, chunks))
        setattr(prog, status, getattr(prog, status) + 1)
        prog.files_done += 1
        prog.bytes_done += res.job.size
        return 1

    def _retry(self, res: ParseResult, pool, report, prog) -> int:
        """A file changed under us: parse it again (twice at most), else skip it for now."""
        job = res.job
        try:
            st = os.stat(job.path)
        except FileNotFoundError:
            if self.docs.remove_document(self.col, job.path):  # an earlier version is gone too
                return self._finish(res, "removed", report, prog)
            return self._finish(res, "skipped", report, prog, "deleted while being indexed")
        except OSError as exc:
            return self._finish(res, "skipped", report, prog, _stat_reason(exc))
        if job.attempt >= 2:
            return self._finish(
                res, "skipped", report, prog, "kept changing while being indexed; run again later"
            )
        pool.jobs.put(
            ParseJob(
                job.path, job.format, st.st_size, st.st_mtime_ns, job.known_hash, job.attempt + 1
            )
        )
        prog.bytes_total += st.st_size - job.size
        return 0

    def _handle(self, res: ParseResult, pending, report, prog, pool) -> int:
        col = self.col
        if res.status == "changed":
            return self._retry(res, pool, report, prog)
        if res.status == "unchanged":
            doc = self.docs.document(col.id, res.job.path)
            if doc is not None:
                self.docs.touch_document(doc.id, res.size, res.mtime_ns)
            return self._finish(res, "unchanged", report, prog)
        if res.status in ("skipped", "failed"):
            self.docs.mark_document(
                col,
                res.job.path,
                status=res.status,
                error=res.reason or "unknown error",
                size=res.size or res.job.size,
                mtime_ns=res.mtime_ns or res.job.mtime_ns,
                content_hash=res.content_hash,
                format=res.job.format,
            )
            return self._finish(res, res.status, report, prog, res.reason)
        pending.append(_Pending(res, [None] * len(res.chunks)))
        return 0

    def _embed_batch(self, pending: deque[_Pending], target: int) -> None:
        texts, slots = [], []
        for p in pending:
            while p.next < len(p.vectors) and len(texts) < target:
                texts.append(embed_text(p.res.title, p.res.chunks[p.next]))
                slots.append((p, p.next))
                p.next += 1
            if len(texts) >= target:
                break
        if not texts:
            return
        vectors = self.embedder.embed(texts)
        for (p, i), v in zip(slots, vectors, strict=True):
            p.vectors[i] = v

    def _write(self, p: _Pending, report, prog, pool) -> int:
        res = p.res
        try:
            st = os.stat(res.job.path)
        except OSError:
            return self._retry(res, pool, report, prog)  # gone or unreadable since parsing
        if (st.st_size, st.st_mtime_ns) != (res.size, res.mtime_ns):
            return self._retry(res, pool, report, prog)
        chunks = [
            NewChunk(
                c.seq, c.text, c.page, c.heading, c.start_char, c.end_char, c.token_count, c.context
            )
            for c in res.chunks
        ]
        dim = self.col.dimension
        vectors = np.stack(p.vectors) if p.vectors else np.zeros((0, dim), np.float32)
        self.docs.write_document(
            self.col,
            res.job.path,
            format=res.job.format,
            title=res.title,
            size=res.size,
            mtime_ns=res.mtime_ns,
            content_hash=res.content_hash,
            pages=res.pages,
            chunks=chunks,
            vectors=vectors,
        )
        prog.chunks_done += len(chunks)
        return self._finish(res, "indexed", report, prog, res.reason, len(chunks))


class _Notifier:
    """Calls the progress callback at most every 0.2 s (always for phase changes)."""

    def __init__(self, callback: ProgressCallback | None, prog: IndexProgress, t0: float):
        self.callback, self.prog, self.t0 = callback, prog, t0
        self.last = 0.0

    def __call__(self, force: bool = False) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        if force or now - self.last >= 0.2:
            self.last = now
            self.prog.elapsed_s = now - self.t0
            self.callback(dataclasses.replace(self.prog))  # a snapshot: safe to hand to the GUI

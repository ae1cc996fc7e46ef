import json

import pytest

from store import Store
from store.chats import Message
from store.db import DB_FILENAME, connect
from store.errors import StoreError
from store.migrations import MIGRATIONS, applied_migrations


def test_migrations_from_empty_and_recorded_once(tmp_path):
    db = connect(tmp_path)
    assert applied_migrations(db) == [name for name, _ in MIGRATIONS]
    tables = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"models", "chats", "messages", "settings", "migrations"} <= tables
    db.close()
    db = connect(tmp_path)  # reopening applies nothing twice
    assert len(applied_migrations(db)) == len(MIGRATIONS)
    db.close()


def _saved_before_auto_sampling(tmp_path, generation: dict) -> dict:
    """`generation` saved by a Sastre from before 0710_auto_sampling, then opened now."""
    db = connect(tmp_path)
    db.execute("DELETE FROM migrations WHERE name = '0710_auto_sampling'")
    db.execute(
        "INSERT INTO settings(key, value) VALUES ('generation', ?)", (json.dumps(generation),)
    )
    db.close()
    store = Store.open(tmp_path)
    try:
        return store.settings.get("generation")
    finally:
        store.close()


def test_the_old_forms_saved_sampling_defaults_become_auto(tmp_path):
    from engine import sampling
    from engine.config import GenerationConfig

    old = {"max_tokens": 300, "temperature": 0.7, "top_p": 0.9, "repetition_penalty": 1.1}
    now = _saved_before_auto_sampling(tmp_path / "a", old)
    assert now == {
        "max_tokens": 300,
        "temperature": None,
        "top_p": None,
        "repetition_penalty": None,
    }
    cfg = sampling.resolve(GenerationConfig.from_dict(now), sampling.DOCUMENTS, 135_000_000)
    assert (cfg.temperature, cfg.max_tokens) == (0.0, 300)  # the user's own value kept
    # A value the user chose is never taken for an old default.
    mine = {**old, "temperature": 0.5}
    assert _saved_before_auto_sampling(tmp_path / "b", mine) == mine


def test_connection_has_vec_fts5_wal_and_foreign_keys(tmp_path):
    db = connect(tmp_path)
    assert db.versions()["sqlite_vec"].startswith("v")
    assert db.one("PRAGMA journal_mode")[0] == "wal"
    assert db.one("PRAGMA foreign_keys")[0] == 1
    db.execute("CREATE VIRTUAL TABLE t_fts USING fts5(body)")
    db.execute("INSERT INTO t_fts VALUES ('a tailor cuts cloth')")
    assert db.one("SELECT count(*) FROM t_fts WHERE t_fts MATCH 'tailor'")[0] == 1
    db.execute("CREATE VIRTUAL TABLE t_vec USING vec0(embedding float[2] distance_metric=cosine)")
    from store.vectors import vector_blob

    db.execute("INSERT INTO t_vec(rowid, embedding) VALUES (1, ?)", (vector_blob([1.0, 0.0]),))
    db.execute("INSERT INTO t_vec(rowid, embedding) VALUES (2, ?)", (vector_blob([0.0, 1.0]),))
    row = db.one(
        "SELECT rowid FROM t_vec WHERE embedding MATCH ? AND k = 1", (vector_blob([0.9, 0.1]),)
    )
    assert row[0] == 1


def test_database_from_newer_version_is_refused(tmp_path):
    db = connect(tmp_path)
    db.execute("INSERT INTO migrations VALUES ('9999_future', 'x')")
    db.close()
    with pytest.raises(StoreError, match="newer Sastre"):
        connect(tmp_path)


def test_corrupt_database_is_explained_and_left_untouched(tmp_path):
    path = tmp_path / DB_FILENAME
    junk = b"this is not sqlite at all" * 200
    path.write_bytes(junk)
    with pytest.raises(StoreError, match="damaged") as info:
        connect(tmp_path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == junk


def test_chats_round_trip_and_cascade(tmp_path):
    store = Store.open(tmp_path)
    cid = store.chats.create(title="Cover letters", model="m")
    uid = store.chats.add_message(Message(None, cid, "user", "hola"))
    aid = store.chats.add_message(
        Message(
            None,
            cid,
            "assistant",
            "¡Hola!",
            prompt="<p>",
            params={"temperature": 0.1},
            generation_tokens=3,
            finish_reason="stop",
            parent_id=uid,
        )
    )
    msgs = store.chats.messages(cid)
    assert [m.role for m in msgs] == ["user", "assistant"]
    assert msgs[1].prompt == "<p>" and msgs[1].params == {"temperature": 0.1}
    assert store.chats.message(aid).parent_id == uid
    assert store.chats.get(cid).message_count == 2
    assert [c.id for c in store.chats.list(search="Hola")] == [cid]
    assert store.chats.list(search="nothing-like-this") == []
    assert store.chats.delete(cid)
    assert store.db.one("SELECT count(*) FROM messages")[0] == 0


def test_failed_transaction_loses_nothing_saved(tmp_path):
    store = Store.open(tmp_path)
    cid = store.chats.create(title="keep me")
    with pytest.raises(RuntimeError):
        with store.db.tx() as c:
            c.execute("DELETE FROM chats")
            raise RuntimeError("crash mid-write")
    assert store.chats.get(cid).title == "keep me"


def test_settings(tmp_path):
    store = Store.open(tmp_path)
    assert store.settings.get("x", 5) == 5
    store.settings.set("x", {"a": [1, 2]})
    store.settings.set("x", {"a": [3]})
    assert store.settings.get("x") == {"a": [3]}
    store.settings.delete("x")
    assert store.settings.all() == {}


def test_unwritable_data_dir_is_explained(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="--data-dir"):
        connect(blocker / "sub")


def test_full_disk_is_explained_and_saved_chats_survive(tmp_path):
    store = Store.open(tmp_path)
    cid = store.chats.create(title="saved before")
    store.chats.add_message(Message(None, cid, "user", "keep this"))
    # SQLite's own "database or disk is full" (SQLITE_FULL), by capping the file's pages.
    pages = store.db.one("PRAGMA page_count")[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError, match="full") as info:
        store.chats.add_message(Message(None, cid, "assistant", "x" * 200_000))
    assert "intact" in str(info.value)
    store.close()
    store = Store.open(tmp_path)
    assert [m.content for m in store.chats.messages(cid)] == ["keep this"]


def _before(name: str):
    names = [n for n, _ in MIGRATIONS]
    return MIGRATIONS[: names.index(name)]


def test_answer_versions_of_earlier_versions_become_their_own_rows(tmp_path):
    from store.db import dumps, now
    from store.migrations import _ScriptConn

    db = connect(tmp_path, migrate=False)
    db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    with db.tx() as c:  # before 0400: earlier versions were a JSON list on the answer
        for name, fn in _before("0400_message_versions"):
            fn(_ScriptConn(c))
            c.execute("INSERT INTO migrations VALUES (?, ?)", (name, now()))
        c.execute("INSERT INTO chats(title, created_at, updated_at) VALUES ('t', 'x', 'x')")
        c.execute(
            "INSERT INTO messages(chat_id, role, content, created_at) VALUES (1, 'user', 'q', 'x')"
        )
        old = [{"content": "v0", "model": "m0", "adapter": None}, {"content": "v1", "model": "m1"}]
        c.execute(
            "INSERT INTO messages(chat_id, parent_id, role, content, model, generation_tokens,"
            " created_at, versions) VALUES (1, 1, 'assistant', 'v2', 'm2', 9, 'x', ?)",
            (dumps(old),),
        )
        c.execute("INSERT INTO chats(title, created_at, updated_at) VALUES ('u', 'x', 'x')")
    db.close()
    store = Store.open(tmp_path)
    shown = store.chats.messages(1)
    assert [m.content for m in shown] == ["q", "v2"] and shown[1].generation_tokens == 9
    versions = store.chats.versions(shown[1].id)
    assert [(v.content, v.model, v.active) for v in versions] == [
        ("v0", "m0", False),
        ("v1", "m1", False),
        ("v2", "m2", True),
    ]
    assert store.chats.get(1).message_count == 2


def test_vector_tables_of_earlier_versions_migrate_with_their_vectors(tmp_path):
    import numpy as np

    from store.db import now
    from store.migrations import _ScriptConn

    db = connect(tmp_path, migrate=False)
    db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    with db.tx() as c:  # the schema before 0300: a float and a bit column per vector table
        for name, fn in _before("0300_vector_revision"):
            fn(_ScriptConn(c))
            c.execute("INSERT INTO migrations VALUES (?, ?)", (name, now()))
        c.execute(
            "INSERT INTO collections(name, embedding_model, dimension, chunk_tokens,"
            " chunk_overlap, vec_table, fts_table, created_at, updated_at)"
            " VALUES ('c', 'm', 8, 64, 8, 'chunks_vec_1_0', 'chunks_fts_1', 'x', 'x')"
        )
        c.execute(
            "CREATE VIRTUAL TABLE chunks_vec_1_0 USING vec0("
            "embedding float[8] distance_metric=cosine, embedding_bits bit[8])"
        )
        vecs = np.eye(8, dtype=np.float32)[:3]
        for i, v in enumerate(vecs, 1):
            c.execute(
                "INSERT INTO chunks_vec_1_0(rowid, embedding, embedding_bits)"
                " VALUES (?, ?, vec_quantize_binary(?))",
                (i, v.tobytes(), v.tobytes()),
            )
    db.close()
    store = Store.open(tmp_path)
    col = store.documents.collection("c")
    assert col.vec_table == "chunks_vec_1_1" and col.revision == 0
    assert col.chunk_format == 1  # 0600: chunked before context headers, re-parsed on next index
    ids, matrix = store.documents.all_vectors(col)
    assert ids.tolist() == [1, 2, 3] and np.array_equal(matrix, vecs)
    assert store.documents.knn(col, vecs[1], 1)[0][0] == 2
    gone = store.db.one("SELECT 1 FROM sqlite_master WHERE name = 'chunks_vec_1_0'")
    assert gone is None
    store.close()


def test_keyword_indexes_of_earlier_versions_gain_stems(tmp_path):
    from store.db import now
    from store.migrations import _ScriptConn

    db = connect(tmp_path, migrate=False)
    db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    with db.tx() as c:  # before 0800: text, heading and title columns, no stems
        for name, fn in _before("0800_stems"):
            fn(_ScriptConn(c))
            c.execute("INSERT INTO migrations VALUES (?, ?)", (name, now()))
        c.execute(
            "INSERT INTO collections(name, embedding_model, dimension, chunk_tokens,"
            " chunk_overlap, vec_table, fts_table, created_at, updated_at)"
            " VALUES ('c', 'm', 8, 64, 8, 'chunks_vec_1_0', 'chunks_fts_1', 'x', 'x')"
        )
        c.execute(
            "CREATE VIRTUAL TABLE chunks_fts_1 USING fts5(text, heading, title, content='',"
            " contentless_delete=1, tokenize='unicode61 remove_diacritics 2', prefix='5')"
        )
        c.execute("CREATE VIRTUAL TABLE chunks_fts_1_vocab USING fts5vocab(chunks_fts_1, 'row')")
        c.execute(
            "INSERT INTO documents(collection_id, path, title, status, chunk_count,"
            " token_count, indexed_at) VALUES (1, '/d/a.txt', 'Notas', 'indexed', 2, 9, 'x')"
        )
        for i, (text, ctx) in enumerate(
            (("Los gatos duermen.", "a.txt — Notas"), ("The dog keeps running.", None)), 1
        ):
            c.execute(
                "INSERT INTO chunks(id, document_id, seq, text, token_count, context)"
                " VALUES (?, 1, ?, ?, 4, ?)",
                (i, i, text, ctx),
            )
            c.execute(
                "INSERT INTO chunks_fts_1(rowid, text, heading, title) VALUES (?, ?, '', ?)",
                (i, text, ctx or "Notas"),
            )
    db.close()
    store = Store.open(tmp_path)
    col = store.documents.collection("c")

    def match(expr):
        return [cid for cid, _ in store.documents.bm25(col, expr, 10, (1.0, 2.0, 2.0, 1.0))]

    assert match('stems : "gat"') == [1] and match('stems : "run"') == [2]
    assert sorted(match('stems : "not"')) == [
        1,
        2,
    ]  # the header, or the title where none was stored
    assert match('{text heading title} : "duermen"') == [1]  # the words stay
    assert store.db.one("SELECT count(*) FROM chunks_fts_1")[0] == 2
    assert store.documents.term_frequencies(col, ["dog"]) == {"dog": 1}  # vocab rebuilt
    store.close()

"""A damaged page in the middle of the database is found, named, and repaired without losing chats."""

from __future__ import annotations

import pytest

from engine.doctor import database_checks, repair
from engine.rag import Library, RagConfig
from store import Store
from store.chats import Message
from store.db import DB_FILENAME
from store.errors import DamagedDatabaseError
from tests.fakes import HashEmbedder


def library(store, data_dir) -> Library:
    return Library(
        store,
        data_dir,
        config=RagConfig(workers=1),
        embedder_factory=lambda name: HashEmbedder(32, model_id="test/hash-32"),
    )


def build(tmp_path) -> tuple:
    data, folder = tmp_path / "data", tmp_path / "docs"
    folder.mkdir()
    for i in range(40):
        (folder / f"note{i:02}.md").write_text(
            f"# Note {i}\n\n" + f"Paragraph {i} about lighthouse number {i}. " * 60
        )
    store = Store.open(data)
    chats = []
    for i in range(30):
        chat = store.chats.create(f"chat {i}")
        store.chats.add_message(Message(None, chat, "user", f"question {i}"))
        answer = store.chats.add_message(Message(None, chat, "assistant", f"answer {i}"))
        store.feedback.rate(answer, 1 if i % 2 else -1, correction=f"better {i}")
        chats.append(chat)
    library(store, data).index([folder])
    store.close()
    return data, folder, chats


def damage_page_of(data, table: str) -> None:
    """Overwrite one leaf page in the middle of `table` with garbage."""
    store = Store.open(data)
    pages = [
        r[0]
        for r in store.db.query(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
            (table,),
        )
    ]
    page_size = store.db.one("PRAGMA page_size")[0]
    store.close()
    assert len(pages) >= 3, pages
    page = pages[len(pages) // 2]
    with open(data / DB_FILENAME, "r+b") as f:
        f.seek((page - 1) * page_size)
        f.write(b"\xa5" * page_size)


@pytest.mark.parametrize("table", ["chunks", "documents"])
def test_damage_is_found_named_and_repaired(tmp_path, table):
    data, folder, chats = build(tmp_path)
    damage_page_of(data, table)

    store = Store.open(data)  # the schema is intact: opening works, chats still list
    try:
        assert len(store.chats.list()) == 30
        checks = database_checks(store)
        assert not checks[0].ok and "doctor --repair" in checks[0].fix
        lib = library(store, data)
        damaged = []  # any other exception fails the test: it would be an "unexpected error"
        for read in (
            lib.documents,
            lambda: lib.search("lighthouse", mode="bm25", k=50),
            lambda: lib.search("lighthouse", mode="vector", k=50),
        ):
            try:
                read()
            except DamagedDatabaseError as exc:
                damaged.append(str(exc))
        assert damaged and all("is damaged" in m and "Nothing was deleted" in m for m in damaged)
    finally:
        store.close()

    report = repair(data, library_factory=library)
    assert (data / "backups").is_dir() and report.backup.startswith(str(data / "backups"))
    assert report.copied["messages"] == 60 and report.copied["feedback"] == 30
    assert not report.lost
    assert report.reindexed == {"default": {"indexed": 40}}

    store = Store.open(data)
    try:
        assert all(c.ok for c in database_checks(store)), database_checks(store)
        assert sorted(c.id for c in store.chats.list()) == sorted(chats)
        fb = store.feedback.list()
        assert len(fb) == 30 and {f.correction for f in fb} == {f"better {i}" for i in range(30)}
        hits = library(store, data).search("lighthouse number 7", mode="bm25")
        assert hits and "lighthouse" in hits[0].text
    finally:
        store.close()

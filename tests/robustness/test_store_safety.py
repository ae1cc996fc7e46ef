"""Private data stays private: owner-only files, and removed documents leave no text behind."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from engine.rag import Library, RagConfig
from store import Store
from store.db import DB_FILENAME
from tests.fakes import HashEmbedder

SECRET_WORD = "zanzibarquokka"  # one word that appears nowhere else


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_data_folder_and_database_files_are_owner_only(tmp_path):
    data = tmp_path / "data"
    store = Store.open(data)
    store.settings.set("x", "1")  # makes SQLite write the -wal and -shm files
    try:
        assert mode(data) == 0o700
        for name in (DB_FILENAME, f"{DB_FILENAME}-wal", f"{DB_FILENAME}-shm"):
            assert mode(data / name) == 0o600, name
    finally:
        store.close()


def test_an_open_existing_folder_is_tightened_and_says_what_changed(tmp_path):
    data = tmp_path / "data"
    Store.open(data).close()
    (data / "logs").mkdir()
    (data / "logs" / "sastre.log").write_text("a private question")
    (data / "models").mkdir()
    (data / "notes-of-the-user.txt").write_text("not Sastre's")
    for path, m in [(data, 0o755), (data / DB_FILENAME, 0o644), (data / "logs", 0o755)]:
        path.chmod(m)
    (data / "logs" / "sastre.log").chmod(0o644)
    (data / "models").chmod(0o755)
    (data / "notes-of-the-user.txt").chmod(0o644)
    store = Store.open(data)
    store.close()
    assert mode(data) == 0o700 and mode(data / DB_FILENAME) == 0o600
    assert mode(data / "logs") == 0o700 and mode(data / "logs" / "sastre.log") == 0o600
    assert mode(data / "models") == 0o700
    assert mode(data / "notes-of-the-user.txt") == 0o644  # not ours to change
    assert store.db.tightened == {
        ".": "0755 -> 0700",
        DB_FILENAME: "0644 -> 0600",
        "logs": "0755 -> 0700",
        "logs/sastre.log": "0644 -> 0600",
        "models": "0755 -> 0700",
    }


def test_doctor_notes_a_folder_that_was_readable_by_others(tmp_path):
    from engine.doctor import collect

    data = tmp_path / "data"
    Store.open(data).close()
    data.chmod(0o755)
    checks = {c.name: c for c in collect(data, check_hub=False)}
    assert "0755 -> 0700" in checks["privacy"].value
    checks = {c.name: c for c in collect(data, check_hub=False)}
    assert checks["privacy"].value.startswith("owner only")


@pytest.mark.parametrize("how", ["document", "collection"])
def test_removed_documents_leave_no_text_in_the_database_file(tmp_path, how):
    data = tmp_path / "data"
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "secret.md").write_text(
        "# Trip\n\n" + f"The hidden island is {SECRET_WORD}. " * 50 + "\n"
    )
    (folder / "other.md").write_text("# Other\n\nNothing to see in this one.\n")
    store = Store.open(data)
    lib = Library(
        store,
        data,
        config=RagConfig(workers=1),
        embedder_factory=lambda name: HashEmbedder(32, model_id="test/hash-32"),
    )
    try:
        lib.index([folder])
        assert SECRET_WORD.encode() in _all_bytes(data)  # the check can see the text
        if how == "document":
            lib.remove_document(folder / "secret.md")
        else:
            lib.remove_collection("default")
        assert SECRET_WORD.encode() not in _all_bytes(data)  # while the app still runs
    finally:
        store.close()
    assert SECRET_WORD.encode() not in _all_bytes(data)


def _all_bytes(data: Path) -> bytes:
    return b"".join(p.read_bytes() for p in data.glob(f"{DB_FILENAME}*"))

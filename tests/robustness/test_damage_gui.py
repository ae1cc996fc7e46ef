"""The desktop app notices a damaged database at start and offers to repair it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QMessageBox  # noqa: E402

from desktop import recovery  # noqa: E402
from store import Store  # noqa: E402
from store.db import REPAIR_FLAG  # noqa: E402
from store.errors import DamagedDatabaseError  # noqa: E402
from tests.robustness.test_damage import build, damage_page_of  # noqa: E402


def answer(monkeypatch, button_text: str) -> list[str]:
    """Make QMessageBox dialogs answer themselves; return the texts they showed."""
    shown: list[str] = []

    def exec_(box):
        shown.append(box.text())
        (chosen,) = [b for b in box.buttons() if b.text() == button_text]
        monkeypatch.setattr(box, "clickedButton", lambda: chosen)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    return shown


def test_damage_is_offered_for_repair_at_start(qtbot, tmp_path, monkeypatch):
    data, _, chats = build(tmp_path)
    assert recovery.damage_found(data) is None
    damage_page_of(data, "chunks")
    detail = recovery.damage_found(data)
    assert detail and ("malformed" in detail or "btree" in detail.lower() or "page" in detail)

    shown = answer(monkeypatch, "Not now")
    assert recovery.offer_repair(data, detail) is None
    assert "Part of Sastre's database is damaged" in shown[0] and "Nothing is deleted" in shown[0]
    assert not (data / "backups").exists()

    shown = answer(monkeypatch, "Repair now")
    report = recovery.offer_repair(data, detail)
    assert report is not None and report.copied["messages"] == 60
    assert "The database was repaired" in shown[-1] and "indexed again" in shown[-1]
    assert recovery.damage_found(data) is None
    store = Store.open(data)
    assert sorted(c.id for c in store.chats.list()) == sorted(chats)
    store.close()


def test_a_failed_read_leaves_a_note_that_the_next_start_sees(tmp_path):
    data, _, _ = build(tmp_path)
    damage_page_of(data, "documents")
    store = Store.open(data)
    try:
        store.documents.documents(None, None)
    except DamagedDatabaseError:
        pass
    finally:
        store.close()
    assert (data / REPAIR_FLAG).exists()
    assert "a read failed" in recovery.damage_found(data)

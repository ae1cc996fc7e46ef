"""The Library, Settings, Models, Personas panels, the sidebar and the main window, offscreen,
on real temporary data: what a person sees and can do (see also test_desktop.py)."""

# ruff: noqa: F811 - the window fixtures are shared with test_desktop by import

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from store.chats import Message  # noqa: E402
from tests.test_desktop import (  # noqa: E402, F401
    WAIT_MS,
    library_engine,
    make_window,
    wait_library,
    window,
)


def poll_until(qtbot, panel, predicate, polls: int = 4) -> None:
    """Run the watcher's poll (as its timer does) until the table shows what is expected."""
    for _ in range(polls):
        job = panel.check_watched()
        if job is not None:
            with qtbot.waitSignal(job.done, timeout=WAIT_MS):
                pass
        if predicate():
            return
    assert predicate(), panel.documents_shown()


def shown(panel) -> dict[str, str]:
    return {os.path.basename(p): status for p, status in panel.documents_shown()}


# -- Library: watched folders ---------------------------------------------------------------


def test_watched_folder_shows_added_skipped_and_unsupported_files_at_once(
    qtbot, library_engine, make_window, tmp_path
):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "first.txt").write_text("The boiler is serviced every October.")
    w = make_window()
    panel = w.library
    panel._watch_timer.stop()
    panel.add_paths([str(folder)], "home")
    wait_library(qtbot, panel)
    assert shown(panel) == {"first.txt": "Indexed"}
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    (folder / "blank.md").write_text("   \n")
    (folder / "kettle.txt").write_text("Descale the kettle with vinegar once a month.")
    # The current collection stays selected: no switching away and back.
    poll_until(qtbot, panel, lambda: len(shown(panel)) == 4)
    rows = shown(panel)
    assert rows["kettle.txt"] == "Indexed"
    assert rows["blank.md"] == "Skipped: no text in this file"
    assert rows["photo.png"] == "Skipped: unsupported file type (.png)"
    assert "2 skipped" in panel.stats.text()
    panel.filter.setCurrentIndex(panel.filter.findData("skipped"))
    panel.refresh_documents()
    assert set(shown(panel)) == {"photo.png", "blank.md"}
    # A skipped file that becomes readable is indexed and shown so.
    (folder / "blank.md").write_text("# Garden\nWater the roses at dawn.")
    panel.filter.setCurrentIndex(0)
    poll_until(qtbot, panel, lambda: shown(panel).get("blank.md") == "Indexed")


def test_a_skip_reason_is_shown_whole_and_in_spanish(qtbot, library_engine, make_window, tmp_path):
    from tests.fixtures import docs

    folder = tmp_path / "docs"
    folder.mkdir()
    pdf = docs.make_pdf(tmp_path / "orchard.pdf", docs.PDF_PAGES).read_bytes()
    (folder / "old-scan.pdf").write_bytes(pdf[: len(pdf) // 3])
    w = make_window()
    panel = w.library
    panel._watch_timer.stop()
    panel.add_paths([str(folder)], "scans")
    wait_library(qtbot, panel)
    status = shown(panel)["old-scan.pdf"]
    assert status.startswith("Skipped: malformed PDF (")
    assert panel.detail.isHidden()
    panel.tree.topLevelItem(0).setSelected(True)
    assert not panel.detail.isHidden() and panel.detail.wordWrap()
    assert panel.detail.text() == f"old-scan.pdf — {status}"  # the whole reason, wrapped
    assert panel.tree.topLevelItem(0).toolTip(1) == status
    w.settings.set_language("es")
    qtbot.waitUntil(lambda: w.tabs.tabText(2) == "Modelos")
    try:
        es = shown(panel)["old-scan.pdf"]
        assert es.startswith("Omitido: PDF dañado (") and status[len("Skipped: malformed PDF (") :] in es
        assert panel.stats.text().startswith("0 documentos · 0 fragmentos")
    finally:
        w.settings.set_language("en")
        qtbot.waitUntil(lambda: w.tabs.tabText(2) == "Models")


def test_skip_reasons_are_translated_with_their_details():
    from desktop.panels.library_docs import reason_text

    assert reason_text("unsupported file type (.png)") == "unsupported file type (.png)"
    assert reason_text("folder: permission denied") == "folder: permission denied"
    assert reason_text("something new (x)") == "something new (x)"
    assert reason_text(None) == ""

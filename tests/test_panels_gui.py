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


def test_the_watch_poll_never_waits_for_the_database_on_the_gui_thread(
    qtbot, library_engine, make_window, tmp_path
):
    """While an indexing job holds the database (a long write), the 5-second poll
    returns at once: it reads the collections in its job, not on the GUI thread
    (the load run's GUI stalls)."""
    import threading

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "first.txt").write_text("The boiler is serviced every October.")
    w = make_window()
    panel = w.library
    panel._watch_timer.stop()
    panel.add_paths([str(folder)], "home")
    wait_library(qtbot, panel)
    held, released = threading.Event(), threading.Event()

    def long_write() -> None:
        with w.ctx.store.db.lock:
            held.set()
            released.wait(10)
        released.set()

    writer = threading.Thread(target=long_write)
    writer.start()
    assert held.wait(10)
    job = panel.check_watched()
    returned_while_held = not released.is_set()
    released.set()
    writer.join()
    assert returned_while_held, "check_watched waited for the database on the GUI thread"
    assert job is not None
    with qtbot.waitSignal(job.done, timeout=WAIT_MS):
        pass
    (folder / "kettle.txt").write_text("Descale the kettle with vinegar once a month.")
    poll_until(qtbot, panel, lambda: "kettle.txt" in shown(panel))


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
        assert (
            es.startswith("Omitido: PDF dañado (")
            and status[len("Skipped: malformed PDF (") :] in es
        )
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


# -- Personas -----------------------------------------------------------------------------


def test_every_persona_field_has_a_label_and_collection_and_adapter_are_pickers(
    qtbot, library_engine, make_window, tmp_path
):
    from PySide6.QtWidgets import QComboBox

    from store.adapters import AdapterRecord

    folder = tmp_path / "recipes"
    folder.mkdir()
    (folder / "bread.txt").write_text("Bake the loaf at 230 degrees for 35 minutes.")
    store = library_engine.store
    store.adapters.save(
        AdapterRecord("kitchen", str(tmp_path / "a"), "tiny", "lora", status="ready")
    )
    w = make_window()
    w.library._watch_timer.stop()
    w.library.add_paths([str(folder)], "recipes")
    wait_library(qtbot, w.library)
    panel = w.personas
    for key, field in panel.fields:
        label = panel.form.labelForField(field)
        assert label is not None and label.text(), key
    assert isinstance(panel.collection, QComboBox) and isinstance(panel.adapter, QComboBox)
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    assert panel.collection.itemData(0) is None and panel.collection.findData("recipes") > 0
    assert panel.adapter.findData("kitchen") > 0
    panel.name.setText("baker")
    panel.collection.setCurrentIndex(panel.collection.findData("recipes"))
    panel.adapter.setCurrentIndex(panel.adapter.findData("kitchen"))
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    p = store.personas.get("baker")
    assert (p.collection, p.adapter) == ("recipes", "kitchen")
    # A persona's choice that no longer exists is kept (shown as not found), not dropped.
    store.personas.update("baker", type(p)(**{**p.__dict__, "collection": "gone"}))
    panel.refresh()
    panel.list.setCurrentRow(
        [panel.list.item(i).text() for i in range(panel.list.count())].index("baker")
    )
    assert panel.collection.currentData() == "gone" and "gone" in panel.collection.currentText()
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert store.personas.get("baker").collection == "gone"


def test_builtin_persona_descriptions_in_spanish(qtbot, window):
    panel = window.personas
    names = [panel.list.item(i).text() for i in range(panel.list.count())]
    row = names.index("concise-coder")
    window.settings.set_language("es")
    qtbot.waitUntil(lambda: window.tabs.tabText(2) == "Modelos")
    try:
        panel.list.setCurrentRow(row)
        assert panel.list.item(row).toolTip() == "Asistente de programación conciso."
        assert panel.description.text() == "Asistente de programación conciso."
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)  # unchanged: kept
        stored = window.ctx.store.personas.get("concise-coder").description
        assert stored == "Concise programming assistant."
    finally:
        window.settings.set_language("en")
        qtbot.waitUntil(lambda: window.tabs.tabText(2) == "Models")


# -- File dialogs ----------------------------------------------------------------------------


def test_file_dialogs_start_in_the_home_folder(qtbot, window, monkeypatch):
    from PySide6.QtCore import QDir
    from PySide6.QtWidgets import QFileDialog

    started = []

    def record(result):
        def dialog(parent, caption="", folder="", *args, **kwargs):
            started.append((caption, folder))
            return result

        return dialog

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", record(""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", record(("", "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", record(([], "")))
    window.library.add_folder()
    window.library.add_files()
    window.models.import_folder()
    window.models.import_gguf()
    window.settings._choose_data_dir()
    window.training.import_file()
    assert len(started) == 6
    assert all(folder == QDir.homePath() for _, folder in started), started


# -- Main window and sidebar -------------------------------------------------------------------


def test_sidebar_shows_chat_titles_as_plain_text_with_the_whole_title_as_tooltip(qtbot, window):
    store = window.ctx.store
    long_title = "**Pruning** the `apple` trees in late winter, and [what to cut](http://x) first"
    cid = store.chats.create(title=long_title)
    store.chats.add_message(Message(None, cid, "user", "When?"))
    window.ctx.events.chats_changed.emit()
    item = window.chat_list.list.item(0)
    plain = "Pruning the apple trees in late winter, and what to cut first"
    assert item.text() == plain
    assert item.toolTip().startswith(plain + "\n")
    window.open_chat(cid)
    assert window.windowTitle() == plain


def test_sidebar_keeps_a_readable_width_when_the_window_shrinks_and_grows(qtbot, window, tmp_path):
    from desktop.panels.chat_list import SIDEBAR_MIN

    store = window.ctx.store
    doc = tmp_path / "lease.txt"
    doc.write_text("The rent is due on the first day of each month.")
    cid = store.chats.create(title="Lease")
    q = store.chats.add_message(Message(None, cid, "user", "When is the rent due?"))
    source = {
        "n": 1,
        "path": str(doc),
        "page": None,
        "heading": None,
        "text": "The rent…",
        "chunk_id": 1,
    }
    store.chats.add_message(
        Message(
            None, cid, "assistant", "On the first [1].", model="tiny", parent_id=q, sources=[source]
        )
    )
    window.ctx.events.chats_changed.emit()
    window.open_chat(cid)
    window.chat.show_sources(window.chat.assistant_widgets()[-1], 1)  # the widest chat view
    widths = []
    for size in ((1200, 780), (1024, 700), (800, 600), (1400, 900)):
        window.resize(*size)
        qtbot.wait(10)
        widths.append(window.chat_split.sizes()[0])
    assert min(widths) >= SIDEBAR_MIN, widths
    assert widths[-1] >= widths[0], widths


def test_help_menu_opens_the_bundled_user_guide(qtbot, window):
    assert window.act_guide in window.help_menu.actions()
    window.act_guide.trigger()
    guide = window.guide
    assert guide is not None and guide.isVisible()
    assert guide.chapter_titles()[0] == "Getting started with Sastre"
    assert "built-in model" in guide.text.toPlainText()
    guide.close()
    window.settings.set_language("es")
    qtbot.waitUntil(lambda: window.tabs.tabText(2) == "Modelos")
    try:
        window.act_guide.trigger()
        assert window.guide.chapter_titles()[0] == "Guía rápida de Sastre"
    finally:
        window.guide.close()
        window.settings.set_language("en")
        qtbot.waitUntil(lambda: window.tabs.tabText(2) == "Models")


def test_status_bar_says_what_the_sample_indexing_is_doing(qtbot, window):
    from engine.rag.types import IndexProgress

    shown = []
    window.ctx.events.status.connect(lambda text, ms: shown.append((text, ms)))
    window.library._job_collection = "Sastre guide"
    window.library.banner.start("")
    window.library._on_progress(IndexProgress("loading"))
    # Until replaced (0): loading the embedding model can take longer than any timeout.
    assert shown[-1] == ("Sastre guide: Loading the embedding model…", 0)
    assert window.statusBar().currentMessage() == "Sastre guide: Loading the embedding model…"


def test_no_gui_text_tells_the_user_to_run_commands(window):
    from PySide6.QtWidgets import QLabel

    texts = [w.text() for w in window.findChildren(QLabel)] + [
        w.toolTip() for w in window.findChildren(QLabel)
    ]
    joined = "\n".join(texts)
    for bad in ("--data-dir", "SASTRE_HOME", "`sastre", "sastre "):
        assert bad not in joined, bad


# -- Training panel: what its buttons act on, its status line, its report ----------------------


def test_training_buttons_wait_for_something_to_act_on_and_the_status_ends(qtbot, window):
    from desktop.panels.training import report_html
    from store.adapters import AdapterRecord

    store, panel = window.ctx.store, window.training
    store.adapters.save(AdapterRecord("done", "/nowhere", "tiny", "lora", status="ready"))
    store.adapters.save(AdapterRecord("halfway", "/nowhere", "tiny", "lora", status="cancelled"))
    panel.refresh()
    panel.adapter_list.setCurrentRow(-1)
    assert not panel.use_button.isEnabled() and not panel.delete_button.isEnabled()
    assert not panel.resume_button.isEnabled()
    panel.adapter_name.setText("halfway")
    assert panel.resume_button.isEnabled()
    panel.adapter_name.setText("done")
    assert not panel.resume_button.isEnabled()
    names = [panel.adapter_list.item(i).data(256) for i in range(panel.adapter_list.count())]
    panel.adapter_list.setCurrentRow(names.index("done"))
    assert panel.use_button.isEnabled() and panel.delete_button.isEnabled()
    panel.adapter_list.setCurrentRow(names.index("halfway"))
    assert not panel.use_button.isEnabled() and panel.delete_button.isEnabled()

    panel._on_update({"kind": "status", "message": "Evaluating"})
    assert panel.stats.text() == "Evaluating…"
    metrics = {
        "val_loss_before": 2.0,
        "val_loss_after": 1.5,
        "general_ppl_before": 21.1,
        "general_ppl_after": 23.9,
        "forgetting": True,
        "status": "ready",
        "steps": 6,
    }
    from engine.train.run import TrainReport

    panel._on_finished(TrainReport("done", "lora", "ready", 6, 6, evaluation=metrics))
    assert "Evaluating" not in panel.stats.text() and panel.stats.text()
    html = report_html({"metrics": metrics})
    assert "21.100 → 23.900" in html and "forget some general knowledge" in html


# -- Plain words: errors never send the user to the command line ------------------------------


def test_engine_errors_shown_in_the_app_point_to_the_window_not_to_commands(tiny_engine):
    from desktop.messages import for_people
    from engine.errors import USER_ERRORS

    try:
        tiny_engine.models.get("ghost")
    except USER_ERRORS as exc:
        raw = str(exc)
    assert "`sastre models" in raw  # the CLI's advice, kept for the CLI
    shown = for_people(raw)
    assert "sastre" not in shown and "`" not in shown
    assert shown.startswith("No model named 'ghost'") and shown.endswith("See the Models tab.")
    assert for_people("Nothing to do here.") == "Nothing to do here."
    db = "The database is newer than this Sastre. Update Sastre, or use another --data-dir."
    assert for_people(db) == (
        "The database is newer than this Sastre. Update Sastre. "
        "Choose another data folder in Settings."
    )
    first = "No collections yet: index a folder first with `sastre index PATH -c NAME`."
    assert for_people(first) == "No collections yet. See the Library tab."


def test_every_engine_message_template_matches_the_sentences_it_makes():
    """The catalog scripts/translations.py extracts from engine/ and store/ matches the
    messages those templates produce, whatever the values, and gives the values back."""
    from desktop._strings_generated import ENGINE_MESSAGES
    from desktop.messages import _templates

    assert len(ENGINE_MESSAGES) > 150
    by_source = {t.source: t for t in _templates()}
    for source in ENGINE_MESSAGES:
        t = by_source[source]
        values = [f"v{i} (x)" for i in range(len(t.quoted))]
        made = source.format(*values)
        m = t.regex.fullmatch(made)
        assert m, source
        assert source.format(*m.groups()) == made, source


def test_engine_errors_are_shown_in_spanish(qtbot, window, tmp_path):
    from PySide6.QtCore import QCoreApplication

    from desktop.messages import for_people
    from engine.config import GenerationConfig
    from engine.errors import USER_ERRORS

    def raised(fn) -> str:
        try:
            fn()
        except USER_ERRORS as exc:
            return str(exc)
        raise AssertionError("no error")

    engine = window.ctx.engine
    ghost = raised(lambda: engine.models.get("ghost"))
    setting = raised(lambda: GenerationConfig.from_dict({"temperature": 9}).validate())
    missing = raised(lambda: engine.models.import_path(str(tmp_path / "nowhere")))
    assert for_people(ghost).startswith("No model named 'ghost'")  # English by default
    window.settings.set_language("es")
    qtbot.waitUntil(lambda: window.tabs.tabText(2) == "Modelos")
    try:
        shown = for_people(ghost)
        place = QCoreApplication.translate("Messages", "See the Models tab.")
        assert place != "See the Models tab." and shown.endswith(place)
        assert "'ghost'" in shown and "named" not in shown and "known" not in shown
        assert "modelo" in shown  # the kind inside the sentence is translated too
        out_of_range = for_people(setting)
        assert "temperature=9" in out_of_range and "out of range" not in out_of_range
        not_there = for_people(missing)
        assert str(tmp_path / "nowhere") in not_there and "does not exist" not in not_there
        # Shown where a person sees it: the Models panel's message line.
        window.models.show_message(missing, error=True)
        assert window.models.message.text() == not_there
        assert for_people("Nothing to do here.") == "Nothing to do here."  # unknown: kept
    finally:
        window.settings.set_language("en")
        qtbot.waitUntil(lambda: window.tabs.tabText(2) == "Models")


def test_a_persona_error_in_the_status_bar_has_no_command_in_it(qtbot, window):
    panel = window.personas
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    panel.name.setText("document-assistant")  # taken by a built-in persona
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    text = window.statusBar().currentMessage()
    assert "document-assistant" in text and "sastre" not in text and "`" not in text
    assert text.endswith("See the Personas tab.")


def test_rename_and_delete_chat_wait_for_a_chat(qtbot, window):
    assert not window.act_rename.isEnabled() and not window.act_delete.isEnabled()
    cid = window.ctx.store.chats.create(title="Groceries")
    window.ctx.events.chats_changed.emit()
    window.open_chat(cid)
    assert window.act_rename.isEnabled() and window.act_delete.isEnabled()
    window.new_chat()
    assert not window.act_delete.isEnabled()


def test_engine_words_in_the_panels_are_translated(qtbot, window):
    from desktop.panels.library_docs import reason_text
    from desktop.panels.models import _quantization_label

    window.settings.set_language("es")
    qtbot.waitUntil(lambda: window.tabs.tabText(2) == "Modelos")
    try:
        assert _quantization_label("4-bit (group 64)") == "4 bits (grupo 64)"
        assert reason_text("unsupported file type (.png)") == "tipo de archivo no compatible (.png)"
        assert reason_text("folder: permission denied") == "carpeta: permiso denegado"
    finally:
        window.settings.set_language("en")
        qtbot.waitUntil(lambda: window.tabs.tabText(2) == "Models")


def test_sidebar_squeezed_to_its_minimum_still_shows_its_buttons_in_spanish(qtbot, window):
    window.settings.set_language("es")
    qtbot.waitUntil(lambda: window.tabs.tabText(2) == "Modelos")
    try:
        window.resize(1024, 700)
        window.chat_split.setSizes([0, 5000])  # the splitter stops at the sidebar's minimum
        qtbot.wait(10)
        button = window.chat_list.new_button
        assert button.text() == "Nueva conversación"
        assert button.width() >= button.sizeHint().width()
    finally:
        window.settings.set_language("en")
        qtbot.waitUntil(lambda: window.tabs.tabText(2) == "Models")

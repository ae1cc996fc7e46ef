"""The desktop app, offscreen, on a tiny real model: chat, stop, feedback, sources, errors."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from engine.errors import SastreError  # noqa: E402
from store.chats import Message  # noqa: E402

WAIT_MS = 60_000


@pytest.fixture
def make_window(qtbot, tiny_engine):
    """Build (and later close) main windows around the tiny engine."""
    from desktop.app import build_context, create_window
    from desktop.context import ui_settings

    tiny_engine.store.settings.set("generation", {"max_tokens": 16, "temperature": 0.0})
    from tests.fakes import HashEmbedder

    tiny_engine.chat.embedder = lambda: HashEmbedder(64)  # feedback examples, without torch
    ui = ui_settings(tiny_engine.data_dir)
    ui.setValue("language", "en")
    ui.setValue("appearance", "light")
    ui.sync()
    windows = []

    def make():
        ctx = build_context(tiny_engine)
        w = create_window(ctx)
        w.show()
        windows.append((w, ctx))
        return w

    yield make
    for w, ctx in windows:
        if ctx.translations is not None:
            ctx.translations.apply("en")
        try:
            w.close()  # deletes it (WA_DeleteOnClose), unless a test closed it already
        except RuntimeError:
            pass


@pytest.fixture
def window(make_window):
    return make_window()


def send_and_wait(qtbot, w, text: str):
    chat = w.chat
    chat.input.setPlainText(text)
    QTest.keyClick(chat.input, Qt.Key.Key_Return)
    assert chat.job is not None
    job = chat.job
    with qtbot.waitSignal(job.done, timeout=WAIT_MS):
        pass
    return job


def test_window_title_panels_and_unambiguous_shortcuts(window):
    from PySide6.QtGui import QGuiApplication

    # Qt shows "<title> — Sastre" (the application's display name): the title never repeats it.
    assert QGuiApplication.applicationDisplayName() == "Sastre"
    assert "Sastre" not in window.windowTitle()
    keys = [k.toString() for a in window.actions() for k in a.shortcuts()]
    assert len(keys) == len(set(keys)), keys
    assert {"Ctrl+N", "Ctrl+Return", "Esc", "Ctrl+K"} <= set(keys)
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "Chat",
        "Library",
        "Models",
        "Settings",
        "Personas",
        "Memory",
        "Training",
    ]


def test_send_streams_an_answer_and_saves_it(qtbot, window):
    chat = window.chat
    chat.input.setPlainText("Hello there")
    QTest.keyClick(chat.input, Qt.Key.Key_Return)
    job = chat.job
    tokens: list[str] = []
    job.token.connect(tokens.append)
    with qtbot.waitSignal(job.finished, timeout=WAIT_MS) as blocker:
        pass
    result = blocker.args[0]
    assert tokens and "".join(tokens) == result.text
    qtbot.waitUntil(lambda: chat.job is None)
    msgs = window.ctx.store.chats.messages(result.chat_id)
    assert [m.role for m in msgs] == ["user", "assistant"]
    user_w, answer_w = chat.widgets
    assert user_w.message.id == msgs[0].id and user_w.message.content == "Hello there"
    assert answer_w.message.id == msgs[1].id == result.message_id
    assert answer_w.view.markdown() == result.text
    meta = answer_w.meta.full_text()
    assert "tiny" in meta and "tokens/s" in meta
    assert window.chat_list.ids() == [result.chat_id]
    assert window.windowTitle() == "Hello there"
    assert chat.input.toPlainText() == ""


def test_stop_mid_answer_keeps_the_partial_answer(qtbot, window):
    window.ctx.store.settings.set(
        "generation", {"max_tokens": 2000, "temperature": 0.0, "max_repeats": 0}
    )
    chat = window.chat
    chat.input.setPlainText("Tell me a long story")
    chat.send_or_stop()
    job = chat.job
    with qtbot.waitSignal(job.token, timeout=WAIT_MS):
        pass
    assert chat.send_button.text() == "Stop"
    QTest.keyClick(window, Qt.Key.Key_Escape)  # the Stop shortcut
    with qtbot.waitSignal(job.done, timeout=WAIT_MS):
        pass
    answer = window.ctx.store.chats.messages(chat.chat_id)[-1]
    assert answer.role == "assistant" and answer.finish_reason == "cancelled"
    assert 0 < answer.generation_tokens < 2000
    assert "stopped" in chat.assistant_widgets()[-1].meta.full_text()
    assert chat.send_button.text() == "Send"


def test_thumbs_reason_and_correction_are_saved(qtbot, window):
    send_and_wait(qtbot, window, "Is Paris the capital of France?")
    answer = window.chat.assistant_widgets()[-1]
    mid = answer.message.id
    store = window.ctx.store
    qtbot.mouseClick(answer.up_button, Qt.MouseButton.LeftButton)
    assert store.feedback.get(mid).rating == 1
    assert answer.feedback.isVisible()
    qtbot.mouseClick(answer.down_button, Qt.MouseButton.LeftButton)
    assert store.feedback.get(mid).rating == -1
    answer.feedback.reason.setText("wrong facts")
    answer.feedback.correction.setPlainText("Yes, Paris is the capital of France.")
    qtbot.mouseClick(answer.feedback.save_button, Qt.MouseButton.LeftButton)
    fb = store.feedback.get(mid)
    assert (fb.rating, fb.reason) == (-1, "wrong facts")
    assert fb.correction == "Yes, Paris is the capital of France."
    assert fb.question == "Is Paris the capital of France?" and fb.answer == answer.message.content
    # Reopening the chat shows the rating.
    window.chat.open_chat(window.chat.chat_id)
    again = window.chat.assistant_widgets()[-1]
    assert again.down_button.isChecked() and not again.up_button.isChecked()
    # Clicking the lit thumb clears the rating.
    qtbot.mouseClick(again.down_button, Qt.MouseButton.LeftButton)
    assert store.feedback.get(mid) is None


def test_regenerate_and_edit_and_resend(qtbot, window):
    send_and_wait(qtbot, window, "first question")
    chat, store = window.chat, window.ctx.store
    first_answer = chat.assistant_widgets()[-1].message.id
    store.feedback.rate(first_answer, -1, reason="bad")
    qtbot.mouseClick(chat.assistant_widgets()[-1].regenerate_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(chat.job.done, timeout=WAIT_MS):
        pass
    msgs = store.chats.messages(chat.chat_id)
    assert [m.role for m in msgs] == ["user", "assistant"]
    assert msgs[0].content == "first question"
    assert store.feedback.get(msgs[1].id) is None  # the new answer is not rated
    # The rated answer stays as an earlier version, its feedback linked to it.
    kept = store.feedback.list(rating=-1)
    assert [(f.message_id, f.question) for f in kept] == [(first_answer, "first question")]
    assert [v.id for v in store.chats.versions(msgs[1].id)] == [first_answer, msgs[1].id]

    user = chat.user_widgets()[-1]
    qtbot.mouseClick(user.edit_button, Qt.MouseButton.LeftButton)
    assert user.editor.isVisible()
    user.edit_box.setPlainText("second try")
    qtbot.mouseClick(user.send_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(chat.job.done, timeout=WAIT_MS):
        pass
    msgs = store.chats.messages(chat.chat_id)
    assert [(m.role, m.content) for m in msgs][0] == ("user", "second try")
    assert len(msgs) == 2


def _click_citation(qtbot, view, n: int) -> None:
    """Click the rendered [n] in a Markdown view, where a person would."""
    doc = view.document()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.charFormat().anchorHref() == f"cite:{n}":
                cursor = QTextCursor(doc)
                cursor.setPosition(frag.position() + 1)
                rect = view.cursorRect(cursor)
                pos = QPoint(rect.left() - 2, rect.center().y())
                qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
                return
            it += 1
        block = block.next()
    raise AssertionError(f"no citation [{n}] rendered")


def test_citation_click_opens_the_sources_pane(qtbot, window, tmp_path):
    store = window.ctx.store
    doc = tmp_path / "handbook.pdf"
    doc.write_bytes(b"%PDF-1.4\n")
    chat_id = store.chats.create(title="Holidays", model="tiny")
    q = store.chats.add_message(Message(None, chat_id, "user", "How many holidays?"))
    sources = [
        {
            "n": 1,
            "path": str(doc),
            "page": 4,
            "heading": "Leave",
            "text": "25 days a year.",
            "chunk_id": 7,
        },
        {
            "n": 2,
            "path": str(tmp_path / "faq.md"),
            "page": None,
            "heading": "FAQ > Leave",
            "text": "Unused days carry over until March.",
            "chunk_id": 9,
        },
    ]
    store.chats.add_message(
        Message(
            None,
            chat_id,
            "assistant",
            "You get **25 days** [1]; they carry over [2].",
            model="tiny",
            parent_id=q,
            sources=sources,
            generation_tps=12.5,
            generation_tokens=14,
            finish_reason="stop",
        )
    )
    window.chat.open_chat(chat_id)
    answer = window.chat.assistant_widgets()[-1]
    assert not answer.sources_button.isHidden() and answer.sources_button.text() == "2 sources"
    pane = window.chat.sources
    assert not pane.isVisible()
    qtbot.waitUntil(answer.view.isVisible)
    with qtbot.waitSignal(answer.citation_clicked, timeout=5000) as clicked:
        _click_citation(qtbot, answer.view, 2)
    assert clicked.args == [2]
    assert pane.isVisible() and pane.current == 2
    card = pane.card(2)
    assert card.property("current") is True
    assert "faq.md" in card.title.text() and "FAQ > Leave" in card.where.text()
    assert "carry over" in card.snippet.text()
    first = pane.card(1)
    assert "page 4" in first.where.text() and first.open_button.text() == "Open at page 4"
    opened = []
    window.chat.sources.open_requested.disconnect()
    window.chat.sources.open_requested.connect(lambda p, page: opened.append((p, page)))
    qtbot.mouseClick(first.open_button, Qt.MouseButton.LeftButton)
    assert opened == [(str(doc), 4)]


def test_markdown_never_loads_remote_resources(qtbot, monkeypatch):
    from PySide6.QtGui import QDesktopServices, QTextDocument

    from desktop.widgets.markdown_view import MarkdownView

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    view = MarkdownView(auto_height=True)
    qtbot.addWidget(view)
    view.set_markdown(
        "# Title\n\n![tracker](https://example.com/pixel.png)\n\n"
        "<img src='http://example.com/x.png'>\n\n[a link](https://example.com/)\n\n"
        "```python\nprint('[1]')\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n"
    )
    view.show()
    html = view.document().toHtml()
    assert "pixel.png" not in html and "remote image not loaded" in html
    assert (
        view.loadResource(
            QTextDocument.ResourceType.ImageResource.value, QUrl("https://example.com/x.png")
        )
        is None
    )
    assert "https://example.com/x.png" in view.refused
    links = []
    view.link_clicked.connect(links.append)
    view.anchorClicked.emit(QUrl("https://example.com/"))
    assert links == [QUrl("https://example.com/")] and opened == []
    assert "cite:1" not in html  # [1] inside code is not a citation
    assert "monospace" in html or "Mono" in html


def select_broken_model(window, tiny_model_dir, tmp_path) -> None:
    """Register a model whose folder is then deleted, and pick it in the chat."""
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(tiny_model_dir, broken)
    window.ctx.engine.models.import_path(broken, name="broken")
    shutil.rmtree(broken)
    window.ctx.events.models_changed.emit()
    window.chat.pickers.select_model("broken")


def test_engine_failure_shows_an_error_and_the_app_keeps_working(
    qtbot, window, tiny_model_dir, tmp_path, monkeypatch
):

    ctx, chat = window.ctx, window.chat
    select_broken_model(window, tiny_model_dir, tmp_path)
    chat.input.setPlainText("Will this work?")
    chat.send_or_stop()
    with qtbot.waitSignal(chat.job.failed, timeout=WAIT_MS) as failed:
        pass
    assert "is missing" in failed.args[0]
    qtbot.waitUntil(lambda: chat.job is None)
    assert chat.error_banner.isVisible() and "is missing" in chat.error_label.text()
    assert "is missing" in window.statusBar().currentMessage()
    assert chat.input.toPlainText() == "Will this work?"  # nothing typed was lost
    assert ctx.store.chats.list() == []  # no empty chat left behind

    # An unexpected error inside the engine is reported the same way.
    def boom(*args, **kwargs):
        raise RuntimeError("kaput")

    monkeypatch.setattr(ctx.engine.chat, "send", boom)
    chat.pickers.select_model("tiny")
    chat.send_or_stop()
    with qtbot.waitSignal(chat.job.failed, timeout=WAIT_MS) as failed:
        pass
    assert "Unexpected error: RuntimeError: kaput" in failed.args[0]
    monkeypatch.undo()

    qtbot.waitUntil(lambda: chat.job is None)
    chat.input.setPlainText("And now?")
    chat.send_or_stop()
    with qtbot.waitSignal(chat.job.finished, timeout=WAIT_MS):
        pass
    qtbot.waitUntil(lambda: chat.job is None)
    assert not chat.error_banner.isVisible()
    assert [m.role for m in ctx.store.chats.messages(chat.chat_id)] == ["user", "assistant"]


def test_a_failed_regenerate_keeps_the_answer(qtbot, window, tiny_model_dir, tmp_path):

    ctx, chat = window.ctx, window.chat
    send_and_wait(qtbot, window, "keep me")
    before = [(m.id, m.content) for m in ctx.store.chats.messages(chat.chat_id)]
    select_broken_model(window, tiny_model_dir, tmp_path)
    qtbot.mouseClick(chat.assistant_widgets()[-1].regenerate_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(chat.job.failed, timeout=WAIT_MS):
        pass
    qtbot.waitUntil(lambda: chat.job is None)
    assert [(m.id, m.content) for m in ctx.store.chats.messages(chat.chat_id)] == before
    assert [w.message.id for w in chat.user_widgets() + chat.assistant_widgets()] == [
        i for i, _ in before
    ]  # the transcript shows them again
    assert chat.error_banner.isVisible() and "is missing" in chat.error_label.text()


def test_switch_language_to_spanish_and_back(qtbot, window):
    from PySide6.QtWidgets import QLabel, QPushButton

    send_and_wait(qtbot, window, "hola")  # message widgets retranslate too
    panels = [
        window.chat_list,
        window.chat,
        window.library,
        window.models,
        window.settings,
        window.personas,
        window.memory,
        window.training,
        window.chat.user_widgets()[-1],
        window.chat.assistant_widgets()[-1],
    ]

    def texts(w):
        return [x.text() for x in w.findChildren(QPushButton) + w.findChildren(QLabel)]

    window.training.open_ab()  # the blind A/B window too
    panels.append(window.training.ab_dialog)
    english = [texts(p) for p in panels]
    settings = window.settings
    settings.set_language("es")
    qtbot.waitUntil(lambda: window.tabs.tabText(2) == "Modelos")
    unchanged = [type(p).__name__ for p, en in zip(panels, english, strict=True) if texts(p) == en]
    assert unchanged == []
    assert window.chat.send_button.text() == "Enviar"
    assert window.chat_list.new_button.text() == "Nueva conversación"
    assert window.ctx.ui.value("language") == "es"
    settings.set_language("en")
    qtbot.waitUntil(lambda: window.tabs.tabText(2) == "Models")
    assert window.chat.send_button.text() == "Send"


def test_chat_list_new_rename_search_delete(qtbot, window, monkeypatch):
    store = window.ctx.store
    a = store.chats.create(title="Budget 2025")
    b = store.chats.create(title="Holiday plans")
    store.chats.add_message(Message(None, b, "user", "Where to go in spring?"))
    window.ctx.events.chats_changed.emit()
    panel = window.chat_list
    assert set(panel.ids()) == {a, b}
    QTest.keyClicks(panel.search, "spring")
    qtbot.waitUntil(lambda: panel.ids() == [b], timeout=3000)
    panel.search.clear()
    qtbot.waitUntil(lambda: len(panel.ids()) == 2, timeout=3000)
    panel.list.setCurrentRow(panel.ids().index(a))
    assert window.chat.chat_id == a
    item = panel.list.currentItem()
    item.setText("Budget 2026")
    assert store.chats.get(a).title == "Budget 2026"
    monkeypatch.setattr(panel, "confirm", lambda title, text: True)
    panel.delete_current()
    assert store.chats.get(a) is None and panel.ids() == [b]
    assert window.chat.chat_id is None
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.chat.chat_id is None and window.chat.input.hasFocus()
    QTest.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert panel.search.hasFocus()


def test_window_remembers_size_and_last_chat(qtbot, make_window):
    w = make_window()
    chat_id = w.ctx.store.chats.create(title="Remember me")
    w.ctx.events.chats_changed.emit()
    w.chat.open_chat(chat_id)
    w.resize(780, 560)
    w.tabs.setCurrentIndex(2)
    w.close()
    again = make_window()
    assert again.chat.chat_id == chat_id
    assert again.tabs.currentIndex() == 2
    assert (again.width(), again.height()) == (780, 560)


def test_models_panel_lists_sets_default_and_explains_offline(qtbot, window, monkeypatch):
    panel = window.models
    names = [panel.tree.topLevelItem(i).text(0) for i in range(panel.tree.topLevelItemCount())]
    assert names == ["tiny"]
    assert panel.tree.topLevelItem(0).text(2) == "float32"
    panel.repo.setText("mlx-community/SmolLM2-360M-Instruct")
    job = panel.download()
    with qtbot.waitSignal(job.done, timeout=WAIT_MS):
        pass
    assert not panel.message.isHidden() and "Offline" in panel.message.text()
    monkeypatch.setattr(panel, "confirm", lambda title, text: True)
    panel.select("tiny")
    job = panel.delete()
    with qtbot.waitSignal(job.done, timeout=WAIT_MS):
        pass
    assert window.ctx.store.models.get("tiny") is None
    assert panel.tree.topLevelItemCount() == 0


def test_settings_generation_defaults_and_tooltips(qtbot, window):
    from engine.config import GenerationConfig, help_for

    settings = window.settings
    settings.gen_fields["temperature"].setValue(0.3)
    settings.gen_fields["max_tokens"].setValue(64)
    saved = window.ctx.store.settings.get("generation")
    assert saved["temperature"] == pytest.approx(0.3) and saved["max_tokens"] == 64
    assert settings.gen_fields["top_p"].toolTip() == help_for(GenerationConfig, "top_p")
    assert window.ctx.generation_config().max_tokens == 64


def test_sampling_fields_left_on_auto_stay_auto(qtbot, window):
    """Only what the user set is saved as a value; the rest stays None ("Auto") so the
    engine picks it for the model and the task."""
    settings = window.settings
    window.ctx.store.settings.delete("generation")
    settings.load()
    top_p = settings.gen_fields["top_p"]
    assert top_p.value() == top_p.minimum() and top_p.text() == "Auto"
    settings.gen_fields["temperature"].setValue(0.9)
    saved = window.ctx.store.settings.get("generation")
    assert saved["temperature"] == pytest.approx(0.9)
    assert saved["top_p"] is None and saved["repetition_penalty"] is None
    settings.gen_fields["temperature"].setValue(settings.gen_fields["temperature"].minimum())
    assert window.ctx.store.settings.get("generation")["temperature"] is None


def test_unexpected_errors_show_a_dialog_and_are_logged(qtbot, window, tmp_path, monkeypatch):
    import sys

    from PySide6.QtWidgets import QMessageBox

    from desktop.app import install_excepthook, setup_logging

    log = setup_logging(tmp_path)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: shown.append(a[2]))
    old = sys.excepthook
    try:
        install_excepthook(window, log)
        try:
            raise ValueError("surprise")
        except ValueError:
            sys.excepthook(*sys.exc_info())
        try:
            raise SastreError("A message for the user.")
        except SastreError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = old
    assert "ValueError: surprise" in shown[0] and str(log) in shown[0]
    assert shown[1] == "A message for the user."
    assert "surprise" in log.read_text()


# -- the library (real parser processes, a deterministic fake embedder) --------------------


@pytest.fixture
def library_engine(tiny_engine):
    from engine.rag import Library, RagConfig
    from tests.fakes import HashEmbedder

    cfg = RagConfig(workers=1, parse_timeout_s=30.0, min_similarity=-1.0)
    tiny_engine._library = Library(
        tiny_engine.store,
        tiny_engine.data_dir,
        config=cfg,
        embedder_factory=lambda name: HashEmbedder(64, model_id="test/hash-64"),
        parse_fn="tests.fixtures.docs:hostile_parse",
    )
    return tiny_engine


def wait_library(qtbot, panel):
    qtbot.waitUntil(lambda: panel.job is None and not panel._queue, timeout=WAIT_MS)


def test_add_a_folder_and_see_its_documents_indexed(qtbot, library_engine, make_window, tmp_path):
    from tests.fixtures import docs

    folder = docs.make_library_folder(tmp_path / "docs")
    (folder / "empty.md").write_text("  \n")
    pdf = (folder / "orchard.pdf").read_bytes()
    (folder / "broken.pdf").write_bytes(pdf[: len(pdf) // 3])
    (folder / "crash.txt").write_text("its parser process dies")  # see docs.hostile_parse
    w = make_window()
    panel = w.library
    panel._watch_timer.stop()
    updates = []
    panel.add_paths([str(folder)], "work")
    panel.job.update.connect(updates.append)
    wait_library(qtbot, panel)
    assert updates and updates[-1].phase == "done"
    assert panel.current() == "work"
    shown = {os.path.basename(p): status for p, status in panel.documents_shown()}
    assert shown["orchard.pdf"] == "Indexed" and shown["sourdough.md"] == "Indexed"
    assert shown["empty.md"].startswith("Skipped: ")
    assert shown["broken.pdf"].startswith("Skipped: malformed PDF")
    assert shown["crash.txt"].startswith("Failed: ")
    assert "6 documents" in panel.stats.text() and "2 skipped, 1 failed" in panel.stats.text()
    assert str(folder) in panel.stats.text()
    assert "6 indexed" in panel.message.text()
    # The chat can now answer from it.
    assert w.chat.pickers.collection_combo.findData("work") >= 0

    # A new file in the watched folder is picked up by the watcher.
    (folder / "kettle.txt").write_text("Descale the kettle with vinegar once a month.")
    for _ in range(3):  # first poll syncs, then a change must settle for one poll
        job = panel.check_watched()
        if job is not None:
            with qtbot.waitSignal(job.done, timeout=WAIT_MS):
                pass
    qtbot.waitUntil(
        lambda: any(p.endswith("kettle.txt") for p, _ in panel.documents_shown()), timeout=5000
    )


def test_a_chat_remembers_its_documents_and_persona(qtbot, library_engine, make_window, tmp_path):
    from tests.fixtures import docs

    folder = docs.make_library_folder(tmp_path / "docs")
    w = make_window()
    w.library._watch_timer.stop()
    w.library.add_paths([str(folder)], "home")
    wait_library(qtbot, w.library)
    chat, store = w.chat, w.ctx.store
    chat.refresh_collections()
    chat.set_collection("home")
    chat.pickers.refresh_personas()
    chat.pickers.set_persona("concise-coder")
    send_and_wait(qtbot, w, "When should I prune apple trees?")
    with_docs = chat.chat_id
    assert store.chats.get(with_docs).collection == "home"
    chat.open_chat(None)
    chat.set_collection(None)  # a new chat without documents or persona
    chat.pickers.set_persona(None)
    send_and_wait(qtbot, w, "hello")
    assert store.chats.get(chat.chat_id).collection is None
    chat.open_chat(with_docs)  # reopening shows what that chat used
    assert chat.selected_collection() == "home"
    assert chat.pickers.selected_persona() == "concise-coder"


def test_indexing_can_be_paused_resumed_and_cancelled(qtbot, library_engine, make_window, tmp_path):
    from tests.fixtures import docs

    folder = docs.make_library_folder(tmp_path / "docs")
    w = make_window()
    panel = w.library
    panel._watch_timer.stop()
    panel.add_paths([str(folder)], "pausing")
    job = panel.job
    assert panel.progress_frame.isVisibleTo(panel)
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    assert job.pause_event.is_set() and panel.pause_button.text() == "Resume"
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    assert not job.pause_event.is_set() and panel.pause_button.text() == "Pause"
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert job.cancel_event.is_set()
    wait_library(qtbot, panel)
    assert not panel.progress_frame.isVisibleTo(panel)


def test_chat_answers_from_a_collection_with_clickable_citations(
    qtbot, library_engine, make_window, tmp_path
):
    from tests.fixtures import docs

    folder = docs.make_library_folder(tmp_path / "docs")
    w = make_window()
    w.library._watch_timer.stop()
    w.library.add_paths([str(folder)], "home")
    wait_library(qtbot, w.library)
    qtbot.mouseClick(w.library.ask_button, Qt.MouseButton.LeftButton)
    chat = w.chat
    assert chat.selected_collection() == "home"
    chat.input.setPlainText("When should I prune apple trees?")
    chat.send_or_stop()
    with qtbot.waitSignal(chat.job.finished, timeout=WAIT_MS) as done:
        pass
    result = done.args[0]
    assert result.sources and result.sources[0].n == 1
    qtbot.waitUntil(lambda: chat.job is None)
    answer = chat.assistant_widgets()[-1]
    assert len(answer.sources) == len(result.sources)
    assert "[1]" in answer.message.content  # citations always map to sources
    qtbot.waitUntil(answer.view.isVisible)
    _click_citation(qtbot, answer.view, 1)
    assert chat.sources.isVisible() and chat.sources.current == 1
    assert chat.sources.card(1).path == result.sources[0].path
    # Reopened later, the answer still has its sources (saved with the message).
    chat.open_chat(chat.chat_id)
    assert len(chat.assistant_widgets()[-1].sources) == len(result.sources)
    # Each sentence's support is saved with the answer: a reopened chat marks the
    # unsupported ones again (the tiny model writes no sentences, so they are set here).
    import json

    sentences = [
        {"text": "Prune in late winter.", "sources": [1], "support": 0.9, "checked": True},
        {"text": "Use a golden saw.", "sources": [], "support": 0.1, "checked": True},
    ]
    w.ctx.store.db.execute(
        "UPDATE messages SET sentences = ? WHERE id = ?",
        (json.dumps(sentences), answer.message.id),
    )
    chat.open_chat(chat.chat_id)
    assert chat.assistant_widgets()[-1].view._unsupported == ["Use a golden saw."]


def test_first_run_prepares_the_model_and_offers_the_sample(qtbot, engine, make_window):
    """A fresh data folder: the built-in model is prepared with progress, then the user
    guide is offered as a sample collection and answers come from it."""
    engine.store.settings.delete("default_model")  # as on a fresh install
    from desktop.app import needs_embedded_model, prepare_embedded
    from engine.models import EMBEDDED_NAME
    from engine.rag import Library, RagConfig
    from tests.fakes import HashEmbedder

    engine._library = Library(
        engine.store,
        engine.data_dir,
        config=RagConfig(workers=1, min_similarity=-1.0),
        embedder_factory=lambda name: HashEmbedder(64, model_id="test/hash-64"),
    )
    assert needs_embedded_model(engine)
    w = make_window()
    w.library._watch_timer.stop()
    prepare_embedded(w.ctx, w)
    job = w.ctx.service.jobs[-1]
    with qtbot.waitSignal(job.done, timeout=300_000):
        pass
    assert job.state == "finished", job.error
    assert engine.store.models.get(EMBEDDED_NAME) is not None and not needs_embedded_model(engine)

    chat = w.chat
    assert not chat.welcome.sample_banner.isHidden()
    qtbot.mouseClick(chat.welcome.sample_add, Qt.MouseButton.LeftButton)
    assert chat.welcome.sample_banner.isHidden()
    wait_library(qtbot, w.library)
    qtbot.waitUntil(lambda: chat.selected_collection() == "Sastre guide", timeout=5000)
    names = [os.path.basename(d.path) for d in engine.library.documents("Sastre guide")]
    assert "01-getting-started.md" in names


def test_every_ui_string_has_a_spanish_translation_and_the_qm_is_current(tmp_path):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    if not shutil.which("pyside6-lupdate", path=str(Path(sys.executable).parent)) and not (
        shutil.which("pyside6-lupdate")
    ):
        pytest.skip("pyside6-lupdate is not installed")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    check = subprocess.run(
        [sys.executable, str(root / "scripts" / "translations.py"), "--check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    ts = root / "resources" / "i18n" / "sastre_es.ts"
    fresh = tmp_path / "fresh.qm"
    lrelease = shutil.which("pyside6-lrelease", path=env["PATH"])
    subprocess.run([lrelease, str(ts), "-qm", str(fresh)], check=True, capture_output=True)
    assert fresh.read_bytes() == ts.with_suffix(".qm").read_bytes(), "run scripts/translations.py"


def test_language_follows_the_system_unless_chosen(monkeypatch):
    from PySide6.QtCore import QLocale

    from desktop import i18n

    monkeypatch.setattr(i18n.QLocale, "system", staticmethod(lambda: QLocale("es_MX")))
    assert i18n.resolve("system") == "es" and i18n.resolve(None) == "es"
    assert i18n.resolve("en") == "en"
    monkeypatch.setattr(i18n.QLocale, "system", staticmethod(lambda: QLocale("fr_FR")))
    assert i18n.resolve("system") == "en"  # no French yet: English


def test_the_gui_stays_responsive_and_repaints_in_batches(qtbot, window, monkeypatch):
    import time

    from PySide6.QtCore import QTimer

    from desktop.widgets.message import AssistantMessage

    window.ctx.store.settings.set(
        "generation", {"max_tokens": 300, "temperature": 0.0, "max_repeats": 0}
    )
    renders = []
    original = AssistantMessage.set_text
    monkeypatch.setattr(
        AssistantMessage, "set_text", lambda self, t: (renders.append(len(t)), original(self, t))
    )
    gaps, last = [], [time.monotonic()]

    def tick():
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    chat = window.chat
    chat.input.setPlainText("Tell me a long story")
    chat.send_or_stop()
    tokens = []
    chat.job.token.connect(tokens.append)
    with qtbot.waitSignal(chat.job.done, timeout=WAIT_MS):
        pass
    timer.stop()
    gaps.sort()
    assert gaps[len(gaps) // 2] < 0.05, f"median event-loop gap {gaps[len(gaps) // 2]:.3f}s"
    assert len(tokens) > 50 and len(renders) < len(tokens) / 2  # painted on a timer


def test_confirming_a_deletion_names_the_action_and_cancel_keeps(qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

    from desktop.widgets.dialogs import confirm_destructive

    parent = QWidget()
    qtbot.addWidget(parent)

    def press(text: str) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        next(b for b in box.buttons() if b.text() == text).click()

    QTimer.singleShot(50, lambda: press("Remove"))
    assert confirm_destructive(parent, "Remove?", "Gone for good.", "Remove") is True
    QTimer.singleShot(50, lambda: press("Cancel"))
    assert confirm_destructive(parent, "Remove?", "Gone for good.", "Remove") is False

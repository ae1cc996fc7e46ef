"""Every panel at 1024x700, in English and in Spanish: no label, button or picker cuts its text.

The window is filled with real data first (a collection with a skipped file, a chat whose
answer has sources, with the Sources pane open, an adapter, a dataset), so that the
texts measured are the ones a person sees. A widget counts as clipped when its text needs
more room than it has: wider than the label or button (QFontMetrics), taller than a
word-wrapped label, or a picker's current item wider than its field. Labels that elide on
purpose (ElidedLabel, with the full text as tooltip) are not counted.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QRect  # noqa: E402
from PySide6.QtGui import QTextDocument  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLabel,
    QStyle,
    QStyleOptionComboBox,
    QToolButton,
    QWidget,
)

from store.chats import Message  # noqa: E402
from tests.test_desktop import library_engine, make_window  # noqa: E402, F401

SIZE = (1024, 700)
TABS = ("chat", "library", "models", "settings", "personas", "memory", "training")


def _plain(label: QLabel) -> str:
    text = label.text()
    if label.textFormat() != label.textFormat().PlainText and "<" in text:
        doc = QTextDocument()
        doc.setHtml(text)
        text = doc.toPlainText()
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _label_problem(w: QLabel) -> str | None:
    from desktop.widgets.labels import ElidedLabel

    if isinstance(w, ElidedLabel) or not w.text() or w.pixmap() is not None and not w.text():
        return None
    room = w.contentsRect()
    fm = w.fontMetrics()
    if w.wordWrap():
        need = w.heightForWidth(w.width())
        if need > w.height() + 1:
            return f"needs {need}px of height, has {w.height()}"
        return None
    width = max(fm.horizontalAdvance(line) for line in _plain(w).splitlines() or [""])
    if width > room.width() + 1:
        return f"needs {width}px, has {room.width()}"
    return None


def _button_problem(w: QAbstractButton) -> str | None:
    if not w.text():
        return None
    if isinstance(w, QToolButton) and w.toolButtonStyle().name == "ToolButtonIconOnly":
        return None
    need = w.sizeHint().width()
    if need > w.width() + 1:
        return f"needs {need}px, has {w.width()}"
    return None


def _combo_problem(w: QComboBox) -> str | None:
    if w.isEditable() or not w.currentText():
        return None
    opt = QStyleOptionComboBox()
    w.initStyleOption(opt)
    field = w.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, opt, QStyle.SubControl.SC_ComboBoxEditField, w
    )
    need = w.fontMetrics().horizontalAdvance(w.currentText())
    if not w.itemIcon(w.currentIndex()).isNull():
        need += w.iconSize().width() + 4
    if need > field.width() + 1:
        return f"needs {need}px, has {field.width()}"
    return None


def _in_scroll_area(w: QWidget, root: QWidget) -> bool:
    p = w.parentWidget()
    while p is not None and p is not root:
        if isinstance(p, QAbstractScrollArea):
            return True
        p = p.parentWidget()
    return False


def clipped(root: QWidget, inside: QWidget | None = None) -> list[str]:
    """'Class "text": why' for each visible widget of `root` (or of its part `inside`)
    that cuts its text."""
    window = QRect(QPoint(0, 0), root.size())
    out = []
    for w in (inside or root).findChildren(QWidget):
        if not w.isVisibleTo(root) or w.width() <= 0 or w.window() is not root:
            continue
        if isinstance(w, QLabel):
            problem, text = _label_problem(w), _plain(w)
        elif isinstance(w, QAbstractButton):
            problem, text = _button_problem(w), w.text()
        elif isinstance(w, QComboBox):
            problem, text = _combo_problem(w), w.currentText()
        else:
            continue
        if problem is None and text and not _in_scroll_area(w, root):
            rect = QRect(w.mapTo(root, QPoint(0, 0)), w.size())
            if not window.contains(rect):
                problem = "reaches past the window's edge"
        if problem:
            out.append(f"{type(w).__name__} {text[:40]!r}: {problem}")
    return out


def stage(w, tmp_path) -> None:
    """Real data in every panel: a collection, a chat with sources, an adapter and a dataset."""
    import json

    from tests.fixtures import docs

    eng = w.ctx.engine
    folder = docs.make_library_folder(tmp_path / "docs")
    pdf = (folder / "orchard.pdf").read_bytes()
    (folder / "old-scan.pdf").write_bytes(pdf[: len(pdf) // 3])
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    w.library._watch_timer.stop()
    w.library.add_paths([str(folder)], "Household")
    qtbot_wait(lambda: w.library.job is None and not w.library._queue)
    chats = eng.store.chats
    chat = chats.create(title="**Pruning** the orchard in a very long title that goes on")
    q = chats.add_message(Message(None, chat, "user", "When should I prune apple trees?"))
    src = {"n": 1, "path": str(folder / "orchard.pdf"), "page": 1, "heading": "Pruning"}
    src.update(text="Prune apple trees in late winter.", chunk_id=1)
    answer = Message(None, chat, "assistant", "In late winter [1].", model="tiny", parent_id=q)
    answer.sources, answer.generation_tokens, answer.generation_tps = [src], 5, 10.0
    chats.add_message(answer)
    data = tmp_path / "style.jsonl"
    rows = [{"prompt": f"Question {i}?", "completion": f"Answer {i}."} for i in range(12)]
    data.write_text("\n".join(json.dumps(r) for r in rows))
    eng.training.import_dataset(str(data), "style", model="tiny")
    w.ctx.events.chats_changed.emit()
    w.ctx.events.models_changed.emit()
    w.open_chat(chat)
    answer = w.chat.assistant_widgets()[-1]
    width = SIZE[0]
    w.chat_split.setSizes([250, width - 250])
    w.chat.show_sources(answer, 1)
    w.chat.splitter.setSizes([width - 250 - 360, 360])  # as scripts/screenshots.py does


_QTBOT = {}


def qtbot_wait(predicate) -> None:
    _QTBOT["bot"].waitUntil(predicate, timeout=60_000)


@pytest.fixture
def staged(qtbot, make_window, library_engine, tiny_model_dir, tmp_path):  # noqa: F811
    _QTBOT["bot"] = qtbot
    # The tiny model under the built-in model's name: its pickers are as wide as a user's.
    library_engine.models.import_path(tiny_model_dir, name="SmolLM2-135M-Instruct")
    library_engine.models.set_default("SmolLM2-135M-Instruct")
    w = make_window()
    w.resize(*SIZE)
    stage(w, tmp_path)
    return w


def problems(w, qtbot, language: str) -> dict[str, list[str]]:
    """What each panel cuts, in `language`; the window is back in English afterwards."""
    if language != "en":
        w.settings.set_language(language)
        qtbot.waitUntil(lambda: w.tabs.tabText(2) != "Models")
    try:
        w.resize(*SIZE)
        found = {}
        for name in TABS:
            w.show_panel(name)
            for _ in range(3):
                QApplication.processEvents()
            found[name] = clipped(w)
        found["sidebar"] = clipped(w, inside=w.chat_list)
        found["chat"] = [p for p in found["chat"] if p not in found["sidebar"]]
        return found
    finally:
        if language != "en":
            w.settings.set_language("en")
            qtbot.waitUntil(lambda: w.tabs.tabText(2) == "Models")


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_panel_cuts_its_text_at_1024x700(qtbot, staged, language):
    found = problems(staged, qtbot, language)
    bad = {n: items for n, items in found.items() if items}
    assert not bad, "\n".join(f"{n}: {i}" for n, items in bad.items() for i in items)


def test_the_check_finds_a_cut_button(qtbot):
    """The measure itself: a button narrower than its text is reported, a wide one is not."""
    from PySide6.QtWidgets import QPushButton

    root = QWidget()
    qtbot.addWidget(root)
    root.resize(400, 100)
    ok = QPushButton("Fits", root)
    ok.resize(ok.sizeHint())
    cut = QPushButton("Empezar a entrenar", root)
    cut.setGeometry(0, 40, 40, 30)
    label = QLabel("Importar JSONL…", root)
    label.setGeometry(100, 0, 30, 20)
    root.show()
    found = clipped(root)
    assert any("Empezar a entrenar" in f for f in found)
    assert any("Importar JSONL" in f for f in found)
    assert not any("Fits" in f for f in found)

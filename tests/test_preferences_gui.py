"""The whole preference loop in the app, offscreen on the tiny model: thumbs down ->
regenerate -> prefer a version -> the pair appears in the Training tab -> Learn from my
feedback -> blind A/B of the new adapter against the current one -> promote."""

from __future__ import annotations

import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from engine import preferences as prefs  # noqa: E402
from tests.test_desktop import make_window, send_and_wait  # noqa: E402,F401

WAIT_MS = 120_000


def wait(qtbot, job):
    with qtbot.waitSignal(job.done, timeout=WAIT_MS):
        pass
    assert job.state == "finished", job.error


def imported_pairs(tmp_path, n: int):
    f = tmp_path / "pairs.jsonl"
    f.write_text(
        "\n".join(
            json.dumps(
                {"prompt": f"Question {i}?", "chosen": f"Answer {i}.", "rejected": "No idea."}
            )
            for i in range(n)
        )
    )
    return f


def test_thumbs_down_regenerate_prefer_learn_compare_promote(qtbot, request, tmp_path):
    window = request.getfixturevalue("make_window")()
    store, chat = window.ctx.store, window.chat
    send_and_wait(qtbot, window, "Name a colour")
    first = chat.assistant_widgets()[-1]
    store.db.execute("UPDATE messages SET content = 'Potato.' WHERE id = ?", (first.message.id,))
    chat.reload()
    first = chat.assistant_widgets()[-1]
    qtbot.mouseClick(first.down_button, Qt.MouseButton.LeftButton)
    assert store.feedback.get(first.message.id).rating == -1
    chat.regenerate(first.message.id)
    wait(qtbot, chat.job)
    w = chat.assistant_widgets()[-1]  # the tiny model's text is noise: make it readable
    store.db.execute("UPDATE messages SET content = 'Blue.' WHERE id = ?", (w.message.id,))
    chat.reload()
    w = chat.assistant_widgets()[-1]
    qtbot.mouseClick(w.prefer_button, Qt.MouseButton.LeftButton)  # prefer the new version

    window.show_panel("training")
    section = window.training.preferences
    section.refresh()
    texts = [section.pair_list.item(i).text() for i in range(section.pair_list.count())]
    assert len(texts) == 1 and "Name a colour" in texts[0] and "Potato." in texts[0]
    (pair,) = store.preferences.pairs.list()
    assert (pair.chosen, pair.rejected, pair.source) == ("Blue.", "Potato.", "preferred_version")
    assert store.preferences.examples.count() == 0  # both thumbs are in the pair
    assert not section.learn_button.isEnabled()
    assert f"{prefs.MIN_PAIRS - 1} more pairs needed" in section.needed.text()

    section.import_path(str(imported_pairs(tmp_path, prefs.MIN_PAIRS - 1)))
    qtbot.waitUntil(lambda: section.pair_list.count() == prefs.MIN_PAIRS, timeout=WAIT_MS)
    assert section.learn_button.isEnabled()
    assert "Trains a new adapter" in section.plan.text()

    # A learning rate too small to change the tiny model's answers: a real run on it would
    # otherwise make them empty, and the degeneration check would refuse to promote it.
    store.settings.set("preference_training", {"learning_rate": 1e-8, "epochs": 1.0})
    section.learn()
    job = section.job
    assert job is not None and section.stop_button.isEnabled()
    wait(qtbot, job)
    new = section.last_adapter
    rec = store.adapters.get(new)
    assert rec.status == "ready" and rec.method in ("dpo", "ipo", "kto")
    assert "is ready" in section.result.text()
    assert section.compare_button.isEnabled()

    section.compare()
    dialog = section.promote_dialog
    dialog.confirm = lambda title, text: True
    rounds = 0
    while dialog.index < len(dialog.prompts):
        qtbot.waitUntil(lambda: bool(dialog.answers), timeout=WAIT_MS)
        assert all(new not in h.text() for h in dialog.headers.values())  # blind
        pick = next(a["label"] for a in dialog.answers if a["adapter"] == new).lower()
        dialog.vote(pick)
        assert any(new in h.text() for h in dialog.headers.values())  # revealed after
        rounds += 1
        dialog.next_prompt()
    assert rounds == len(dialog.prompts) >= 1
    assert dialog.tally.wins == rounds and dialog.promote_button.isEnabled()
    dialog.scope.setCurrentIndex(dialog.scope.findData("default"))
    dialog.promote()
    assert store.settings.get("adapter") == new
    (comparison,) = store.adapters.get(new).metrics["comparisons"]
    assert (comparison["decision"], comparison["scope"]) == ("promoted", "default")
    assert comparison["wins"] == rounds and comparison["current"] is None
    assert store.adapters.wins().get(new) == rounds
    dialog.close()
    section.refresh()
    assert "You made it the default" in section.result.text()


def test_a_blind_ab_vote_in_the_comparison_dialog_is_a_pair(qtbot, request):
    from desktop.panels.ab_compare import ABDialog
    from store.adapters import AdapterRecord

    window = request.getfixturevalue("make_window")()
    store = window.ctx.store
    for name in ("one", "two"):
        store.adapters.save(AdapterRecord(name, "/x", "tiny", "lora", status="ready"))
    dialog = ABDialog(window.ctx, window)
    qtbot.addWidget(dialog)
    view = dialog.view
    view.asked = ("one", "two", "Say hi")
    view._on_answers(
        [
            {"label": "A", "adapter": "two", "text": "Hello!"},
            {"label": "B", "adapter": "one", "text": "Go away."},
        ]
    )
    view.vote("a")
    (pair,) = store.preferences.pairs.list()
    assert (pair.chosen, pair.rejected, pair.source) == ("Hello!", "Go away.", "ab_vote")
    assert pair.prompt == [{"role": "user", "content": "Say hi"}]


def test_learn_pause_stop_and_resume(qtbot, request, tmp_path):
    """A real preference run from the section, stopped and resumed from its checkpoint."""
    window = request.getfixturevalue("make_window")()
    store = window.ctx.store
    window.show_panel("training")
    section = window.training.preferences
    section.import_path(str(imported_pairs(tmp_path, prefs.MIN_PAIRS)))
    qtbot.waitUntil(lambda: section.learn_button.isEnabled(), timeout=WAIT_MS)
    store.settings.set("preference_training", {"iters": 400, "learning_rate": 1e-8})
    section.learn()
    job = section.job
    name = section.last_adapter
    qtbot.waitUntil(lambda: store.adapters.get(name) is not None, timeout=WAIT_MS)
    section.pause_button.setChecked(True)
    assert job.pause_event.is_set() and section.pause_button.text() == "Continue"
    section.stop()
    with qtbot.waitSignal(job.done, timeout=WAIT_MS):
        pass
    assert store.adapters.get(name).status == "cancelled"
    assert "Resume continues" in section.result.text() and section.resume_button.isVisible()
    store.settings.set("preference_training", {})
    section.resume()
    wait(qtbot, section.job)
    assert store.adapters.get(name).status == "ready"
    assert not section.resume_button.isVisible()

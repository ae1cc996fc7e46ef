"""Best of N in the app, offscreen on the tiny model: the toggle is disabled with the
reason until a reward model exists; "Train a reward model (optional)" in the Training
tab trains one and shows its held-out accuracy; then the toggle turns on, is kept for
the next session, and the answer's footer shows the best of N and its cost."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from engine import preferences as prefs  # noqa: E402
from tests.test_desktop import make_window, send_and_wait  # noqa: E402,F401
from tests.test_preferences_gui import imported_pairs, wait  # noqa: E402


def test_best_of_toggle_train_reward_model_and_footer(qtbot, request, tmp_path):
    window = request.getfixturevalue("make_window")()
    store, chat = window.ctx.store, window.chat
    toggle = chat.best_of
    chat._refresh_best_of()
    assert not toggle.check.isEnabled() and toggle.n() == 1
    assert "Train a reward model" in toggle.check.toolTip()

    window.show_panel("training")
    section = window.training.preferences
    section.refresh()
    assert not section.reward_button.isEnabled()  # no pairs yet
    section.import_path(str(imported_pairs(tmp_path, prefs.MIN_PAIRS)))
    qtbot.waitUntil(lambda: section.pair_list.count() == prefs.MIN_PAIRS, timeout=120_000)
    assert section.reward_button.isEnabled() and "optional" in section.reward_button.text()
    section.learn_reward()
    wait(qtbot, section.job)
    (rec,) = store.adapters.list(reward=True)
    assert rec.status == "ready" and "held-out pair accuracy" in section.result.text()
    assert f"{rec.metrics['acc_after']:.2f}" in section.result.text()

    window.show_panel("chat")
    chat._refresh_best_of()
    assert toggle.check.isEnabled() and rec.name in toggle.check.toolTip()
    toggle.check.setChecked(True)
    toggle.n_combo.setCurrentIndex(toggle.n_combo.findData(3))
    toggle._changed()
    assert toggle.n() == 3 and "about 3× the time" in toggle.check.toolTip()
    send_and_wait(qtbot, window, "Name a colour")
    w = chat.assistant_widgets()[-1]
    saved = store.chats.message(w.message.id)
    b = saved.params["best_of"]
    assert b["n"] == 3 and len(b["scores"]) == 3 and saved.content == b["answers"][b["chosen"]]
    assert "best of 3 · reward" in w.meta_text() and "took" in w.meta_text()
    chat._refresh_best_of()
    assert "At the last answer's speed" in toggle.check.toolTip()  # the estimate
    again = request.getfixturevalue("make_window")()  # the choice is kept
    again.chat._refresh_best_of()
    assert again.chat.best_of.n() == 3

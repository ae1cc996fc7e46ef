"""The Training panel, offscreen: pick a dataset, train with a preset, see the curves and
the report, pause/stop, and use the adapter in chat; the before/after prompts, the blind A/B
comparison, and the chat's per-chat adapter picker."""

from __future__ import annotations

import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from tests.test_desktop import make_window  # noqa: E402,F401
from tests.test_train_lora import ROWS  # noqa: E402

WAIT_MS = 120_000


@pytest.fixture
def panel(request, tmp_path):
    window = request.getfixturevalue("make_window")()
    f = tmp_path / "math.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in ROWS))
    window.ctx.engine.training.import_dataset(str(f), "math")
    window.show_panel("training")
    p = window.training
    p.refresh()
    return p


def test_train_from_the_panel_shows_curves_and_report(qtbot, panel):
    assert panel.dataset_combo.currentData() == "math"
    assert "24 examples" in panel.dataset_info.text() and "math" not in panel.preview.toPlainText()
    panel.adapter_name.setText("gui-a")
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("quick"))
    panel.start()
    job = panel.job
    assert job is not None and panel.stop_button.isEnabled()
    with qtbot.waitSignal(job.done, timeout=WAIT_MS):
        pass
    assert job.state == "finished", job.error
    assert len(panel.plot.train) >= 1 and len(panel.plot.val) >= 2
    assert "validation loss" in panel.report.toPlainText()
    items = [panel.adapter_list.item(i).text() for i in range(panel.adapter_list.count())]
    assert any(t.startswith("gui-a") and "ready" in t for t in items)
    panel.adapter_list.setCurrentRow(0)
    panel.use_selected()
    assert panel.ctx.store.settings.get("adapter") == "gui-a"
    panel.plot.grab()  # paints without error


def test_stop_keeps_a_checkpoint_and_resume_finishes(qtbot, panel):
    panel.adapter_name.setText("gui-b")
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("thorough"))
    panel.start()
    job = panel.job
    # Stop once the run exists (stopping a job that has not started creates nothing).
    qtbot.waitUntil(lambda: panel.ctx.store.adapters.get("gui-b") is not None, timeout=WAIT_MS)
    panel.pause_button.setChecked(True)
    assert job.pause_event.is_set()
    panel.stop()
    with qtbot.waitSignal(job.done, timeout=WAIT_MS):
        pass
    assert panel.ctx.store.adapters.get("gui-b").status == "cancelled"
    panel.start(resume=True)
    with qtbot.waitSignal(panel.job.done, timeout=WAIT_MS) if panel.job else _noop():
        pass
    assert panel.ctx.store.adapters.get("gui-b").status == "ready"


class _noop:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


# -- before/after prompts, blind A/B, the chat's adapter picker ---------------------------
FAST = dict(
    rank=4,
    layers=2,
    iters=6,
    batch_size=4,
    learning_rate=2e-3,
    steps_per_eval=3,
    eval_prompts=["What is 3 plus 3?"],
    eval_max_tokens=4,
)


def on_engine(qtbot, ctx, fn):
    """Run `fn()` as an engine-thread job (MLX lives there) and return its result."""
    job = ctx.service.submit("test", lambda h: fn())
    with qtbot.waitSignal(job.done, timeout=WAIT_MS):
        pass
    assert job.state == "finished", job.error
    return job.result


@pytest.fixture
def two_adapters(qtbot, panel):
    """Two ready adapters of the tiny model ('ab-one', 'ab-two'), one of another model, and a
    failed one: only the first two can answer in chat or be compared."""
    from engine.train.config import TrainConfig
    from store.adapters import AdapterRecord

    ctx = panel.ctx
    tr = ctx.engine.training
    for name, seed in (("ab-one", 0), ("ab-two", 1)):
        cfg = TrainConfig(**{**FAST, "seed": seed})
        on_engine(qtbot, ctx, lambda n=name, c=cfg: tr.train([("math", 1.0)], n, config=c))
    for name, base, status in (
        ("zz-other", "other-model", "ready"),
        ("zz-failed", "tiny", "failed"),
    ):
        ctx.store.adapters.save(AdapterRecord(name, "/nowhere", base, "lora", status=status))
    panel.refresh()
    return panel


def test_deleting_an_adapter_asks_first(qtbot, two_adapters, monkeypatch):
    panel, store = two_adapters, two_adapters.ctx.store
    panel.adapter_list.setCurrentRow(0)
    asked = []
    monkeypatch.setattr(panel, "confirm", lambda title, text: asked.append(title) or False)
    panel.delete_button.click()
    assert asked == ["Delete adapter ab-one?"] and store.adapters.get("ab-one") is not None
    monkeypatch.setattr(panel, "confirm", lambda title, text: True)
    panel.delete_button.click()
    assert store.adapters.get("ab-one") is None
    shown = [panel.adapter_list.item(i).text() for i in range(panel.adapter_list.count())]
    assert not any(t.startswith("ab-one ") for t in shown) and len(shown) == 3


def test_prompts_picked_for_before_after_reach_the_report(qtbot, panel, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    assert panel.window().chat.pickers.adapter_combo.isHidden()  # no adapters yet: no picker
    defaults = panel.ctx.engine.training.default_prompts([("math", 1.0)])
    assert panel.prompts() == defaults and len(defaults) == 2  # the validation questions
    monkeypatch.setattr(
        QInputDialog, "getMultiLineText", lambda *a, **k: ("How much is\n5 plus 5?", True)
    )
    panel.add_prompt()
    assert panel.prompt_list.currentItem().text() == "How much is 5 plus 5?"  # one line shown
    panel.prompt_list.setCurrentRow(0)
    panel.remove_prompt()
    wanted = [defaults[1], "How much is\n5 plus 5?"]
    assert panel.prompts() == wanted
    panel._show_dataset()  # a dataset change keeps prompts the user edited
    assert panel.prompts() == wanted
    assert panel.config().eval_prompts == wanted

    panel.adapter_name.setText("gui-p")
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("quick"))
    panel.start()
    with qtbot.waitSignal(panel.job.done, timeout=WAIT_MS):
        pass
    samples = panel.ctx.store.adapters.get("gui-p").metrics["samples"]
    assert [s["prompt"] for s in samples] == wanted
    assert all({"before", "after"} <= set(s) for s in samples)
    text = panel.report.toPlainText()
    assert "Before" in text and "After" in text and "5 plus 5?" in text
    panel.reset_prompts()
    assert panel.prompts() == defaults


def _texts(widget) -> str:
    from PySide6.QtWidgets import QLabel, QPushButton

    from desktop.widgets.markdown_view import MarkdownView

    parts = [widget.window().windowTitle()]
    for w in widget.findChildren(QLabel) + widget.findChildren(QPushButton):
        parts += [w.text(), w.toolTip()]
    parts += [v.toPlainText() for v in widget.findChildren(MarkdownView)]
    return "\n".join(parts)


def test_blind_ab_hides_the_adapters_until_the_vote(qtbot, two_adapters):
    panel = two_adapters
    panel.adapter_list.setCurrentRow(0)
    panel.open_ab()
    view = panel.ab_dialog.view
    names = [view.a_combo.itemData(i) for i in range(view.a_combo.count())]
    assert names == ["ab-one", "ab-two", "zz-other"]  # ready adapters only
    assert (view.a_combo.currentData(), view.b_combo.currentData()) == ("ab-one", "ab-two")
    view.prompt.setPlainText("What is 4 plus 4?")
    view.generate()
    with qtbot.waitSignal(view.job.done, timeout=WAIT_MS):
        pass
    assert {a["label"] for a in view.answers} == {"A", "B"}
    shown = _texts(view)
    assert "ab-one" not in shown and "ab-two" not in shown, shown
    assert all(b.isEnabled() for b in view.vote_buttons.values())
    assert view.ctx.store.adapters.wins() == {}

    view.vote_buttons["a"].click()
    winner = next(a["adapter"] for a in view.answers if a["label"] == "A")
    assert view.ctx.store.adapters.wins() == {winner: 1}
    assert f"Answer A: {winner}" in view.headers["A"].text()
    assert "ab-one 1" in view.result.text() or "ab-two 1" in view.result.text()
    assert not any(b.isEnabled() for b in view.vote_buttons.values())
    view.vote("b")  # one vote per pair of answers
    assert view.ctx.store.adapters.wins() == {winner: 1}

    errors = []
    panel.ctx.events.error.connect(errors.append)
    view.b_combo.setCurrentIndex(view.b_combo.findData("zz-other"))
    view.generate()
    with qtbot.waitSignal(view.job.done, timeout=WAIT_MS):
        pass
    assert "different base models" in view.status.text() and errors
    view.b_combo.setCurrentIndex(view.b_combo.findData("ab-one"))
    view.generate()
    assert view.job is None and "two different adapters" in view.status.text()

    # Stop: the answers are cut short, and nothing is left to vote on.
    view.b_combo.setCurrentIndex(view.b_combo.findData("ab-two"))
    view.generate_button.click()
    assert view.generate_button.text() == "Stop"
    with qtbot.waitSignal(view.job.cancelled, timeout=WAIT_MS):
        view.generate_button.click()  # at once: the tiny model may end its answers early
    qtbot.waitUntil(lambda: view.job is None, timeout=WAIT_MS)
    assert view.status.text() == "Stopped." and view.answers == []
    assert view.generate_button.text() == "Generate"


def test_chat_adapter_picker_is_per_chat_and_swaps_in_place(qtbot, two_adapters):
    from tests.test_desktop import send_and_wait

    window = two_adapters.window()
    window.show_panel("chat")
    chat, store = window.chat, two_adapters.ctx.store
    combo = chat.pickers.adapter_combo
    assert [combo.itemData(i) for i in range(combo.count())] == [None, "", "ab-one", "ab-two"]
    assert combo.currentText() == "Default" and not combo.isHidden()

    def pick(name):
        combo.setCurrentIndex(combo.findData(name))
        combo.activated.emit(combo.currentIndex())

    pick("ab-one")
    send_and_wait(qtbot, window, "What is 2 plus 2?")
    first = chat.chat_id
    assert store.chats.get(first).adapter == "ab-one"
    assert store.chats.messages(first)[-1].adapter == "ab-one"
    model = chat.ctx.engine.chat._generator.loaded.model
    pick("")
    assert store.chats.get(first).adapter == ""
    send_and_wait(qtbot, window, "And 3 plus 3?")
    assert store.chats.messages(first)[-1].adapter is None
    assert chat.ctx.engine.chat._generator.loaded.model is model  # the base was not reloaded

    two_adapters.ctx.engine.training.use("ab-two")  # the default adapter ("Use in chat")
    chat.open_chat(None)
    assert combo.currentData() is None and combo.currentText() == "Default (ab-two)"
    send_and_wait(qtbot, window, "What is 1 plus 1?")
    second = chat.chat_id
    assert second != first and store.chats.get(second).adapter is None
    assert store.chats.messages(second)[-1].adapter == "ab-two"
    chat.open_chat(first)
    assert combo.currentData() == ""  # each chat keeps its own choice
    pick("ab-two")
    chat.open_chat(second)
    assert combo.currentData() is None
    chat.open_chat(first)
    assert combo.currentData() == "ab-two"

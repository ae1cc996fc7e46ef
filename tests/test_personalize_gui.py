"""Personalization in the desktop app, offscreen: personas, memory, inspector, reasoning."""

# ruff: noqa: F811 - the window fixtures are shared with test_desktop by import

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from store.chats import Message  # noqa: E402
from tests.test_desktop import make_window, send_and_wait, window  # noqa: E402, F401


def test_persona_editor_create_edit_duplicate_delete(qtbot, window):
    panel = window.personas
    store = panel.ctx.store
    assert {"document-assistant", "asistente-es", "concise-coder"} <= {
        panel.list.item(i).text() for i in range(panel.list.count())
    }
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    panel.name.setText("cook")
    panel.system.setPlainText("Answer only about cooking; politely refuse the rest.")
    panel.output_format.setText("bullets")
    panel.cot.setChecked(True)
    panel.use_feedback.setChecked(False)
    panel.examples.setPlainText(
        "User: Salt?\nAssistant: - A pinch\n- To taste\n\nUser: Oil?\nAssistant: Olive."
    )
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    p = store.personas.get("cook")
    assert p.chain_of_thought and not p.use_feedback and p.output_format == "bullets"
    assert p.examples == [
        {"user": "Salt?", "assistant": "- A pinch\n- To taste"},
        {"user": "Oil?", "assistant": "Olive."},
    ]
    # The chat's persona picker follows.
    assert window.chat.pickers.persona_combo.findData("cook") >= 0

    panel.description.setText("Kitchen help")
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert store.personas.get("cook").description == "Kitchen help"
    qtbot.mouseClick(panel.duplicate_button, Qt.MouseButton.LeftButton)
    assert store.personas.get("cook copy").system_prompt == p.system_prompt
    assert panel.editing == "cook copy"
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert store.personas.get("cook copy") is None and store.personas.get("cook") is not None
    assert window.chat.pickers.persona_combo.findData("cook copy") < 0


def test_memory_panel_and_proposals_from_chat(qtbot, window):
    panel = window.memory
    store = panel.ctx.store
    panel.edit.setText("I prefer short answers")
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert [(m.text, m.status) for m in store.memories.list()] == [
        ("I prefer short answers", "accepted")
    ]
    send_and_wait(qtbot, window, "I am a nurse in Madrid. Hello!")
    proposed = store.memories.list("proposed")
    assert [m.text for m in proposed] == ["I am a nurse in Madrid"]
    assert panel.list.count() == 2 and "(proposed)" in panel.list.item(1).text()
    panel.list.setCurrentRow(1)
    assert panel.accept_button.isEnabled()
    qtbot.mouseClick(panel.accept_button, Qt.MouseButton.LeftButton)
    assert store.memories.get(proposed[0].id).status == "accepted"
    panel.list.setCurrentRow(1)
    panel.edit.setText("I am a nurse in Sevilla")
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert store.memories.get(proposed[0].id).text == "I am a nurse in Sevilla"
    panel.list.setCurrentRow(0)
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert [m.text for m in store.memories.list()] == ["I am a nurse in Sevilla"]


def test_prompt_inspector_shows_parts_with_tokens(qtbot, window):
    store = window.chat.ctx.store
    store.memories.add("I am a nurse")
    window.chat.pickers.refresh_personas()
    window.chat.pickers.set_persona("concise-coder")
    send_and_wait(qtbot, window, "Sort a list in Python")
    answer = window.chat.assistant_widgets()[-1]
    assert answer.inspect_button.isVisible()
    qtbot.mouseClick(answer.inspect_button, Qt.MouseButton.LeftButton)
    dlg = window.chat.inspector
    names = [dlg.tree.topLevelItem(i).text(0) for i in range(dlg.tree.topLevelItemCount())]
    assert names[:3] == ["system", "technique", "memories"]
    assert "example" in names and names[-3:] == ["user", "template", "full prompt (as sent)"]
    tokens = [int(dlg.tree.topLevelItem(i).text(1)) for i in range(len(names) - 1)]
    assert sum(tokens) == answer.message.prompt_tokens
    dlg.tree.setCurrentItem(dlg.tree.topLevelItem(2))
    assert "I am a nurse" in dlg.text.toPlainText()
    dlg.tree.setCurrentItem(dlg.tree.topLevelItem(len(names) - 1))
    assert dlg.text.toPlainText() == answer.message.prompt
    assert store.chats.get(window.chat.chat_id).persona == "concise-coder"
    dlg.close()


def test_inspector_for_an_answer_saved_before_parts_existed(qtbot):
    from desktop.widgets.prompt_inspector import PromptInspector

    m = Message(7, 1, "assistant", "hi", prompt="<s>old prompt", prompt_tokens=3)
    dlg = PromptInspector(m)
    qtbot.addWidget(dlg)
    assert dlg.tree.topLevelItem(0).text(0) == "prompt"
    assert dlg.text.toPlainText() == "<s>old prompt"


def test_chain_of_thought_reasoning_folds_away(qtbot):
    from desktop.widgets.message import AssistantMessage

    w = AssistantMessage(Message(1, 1, "assistant", "2 and 2 make 4.\nAnswer: 4"))
    qtbot.addWidget(w)
    w.show()
    assert w.reasoning == "2 and 2 make 4."
    assert w.reasoning_button.isVisible() and not w.reasoning_view.isVisible()
    assert "2 and 2" not in w.view.markdown() and "4" in w.view.markdown()
    w.reasoning_button.click()
    assert w.reasoning_view.isVisible() and w.reasoning_view.text() == "2 and 2 make 4."
    w.set_text("plain answer")
    assert not w.reasoning_button.isVisible()


def test_regenerate_keeps_both_versions_and_choosing_is_feedback(qtbot, window):
    store = window.chat.ctx.store
    send_and_wait(qtbot, window, "Name a colour")
    first = window.chat.assistant_widgets()[-1].message
    # Make the first answer recognisable and rate it, then regenerate it.
    store.db.execute("UPDATE messages SET content = 'FIRST' WHERE id = ?", (first.id,))
    store.feedback.rate(first.id, -1, reason="too vague")
    window.chat.reload()
    window.chat.regenerate(first.id)
    with qtbot.waitSignal(window.chat.job.done, timeout=60_000):
        pass
    w = window.chat.assistant_widgets()[-1]
    second = store.chats.message(w.message.id)
    assert second.id != first.id and second.active
    assert [v.content for v in store.chats.versions(second.id)] == ["FIRST", second.content]
    assert w.versions_bar.isVisible() and w.version_label.text() == "Version 2 of 2"
    assert not w.down_button.isChecked()  # the new version has no rating of its own
    qtbot.mouseClick(w.prev_version, Qt.MouseButton.LeftButton)
    # Version 1 shows its own text, statistics and rating, still linked to its row.
    assert w.version_pos == 0 and "FIRST" in w.view.markdown()
    assert w.message.id == first.id and w.down_button.isChecked()
    assert store.feedback.get(first.id).reason == "too vague"
    qtbot.mouseClick(w.prefer_button, Qt.MouseButton.LeftButton)  # prefer the first one
    shown = store.chats.messages(window.chat.chat_id)
    assert shown[-1].id == first.id and shown[-1].preferred_at
    assert store.feedback.get(first.id).rating == -1  # the user's own rating stands
    assert store.feedback.get(second.id).rating == -1  # not preferred, not rated: disliked
    window.chat.reload()
    w = window.chat.assistant_widgets()[-1]
    assert w.message.id == first.id and w.version_label.text() == "Version 1 of 2"


def test_personalization_settings_reach_the_next_answer(qtbot, window):
    from desktop.panels.settings import SettingsPanel
    from engine.config import help_for
    from engine.personalize import PersonalizeConfig

    store = window.ctx.store

    def liked_examples() -> list[dict]:
        parts = window.chat.assistant_widgets()[-1].message.prompt_parts
        return [p for p in parts if p["name"] == "example" and p["detail"].startswith("liked")]

    send_and_wait(qtbot, window, "how do I boil an egg")
    qtbot.mouseClick(window.chat.assistant_widgets()[-1].up_button, Qt.MouseButton.LeftButton)
    send_and_wait(qtbot, window, "how do I boil an egg fast")
    assert len(liked_examples()) == 1

    fields = window.settings.pers_fields
    assert fields["max_liked"].maximum() == 20 and fields["memory_budget"].maximum() == 100_000
    assert fields["min_similarity"].toolTip() == help_for(PersonalizeConfig, "min_similarity")
    fields["max_liked"].setValue(0)
    fields["min_similarity"].setValue(0.2)  # lower: not why the example goes
    saved = store.settings.get("personalize")
    assert saved["max_liked"] == 0 and saved["min_similarity"] == pytest.approx(0.2)
    send_and_wait(qtbot, window, "how do I boil an egg fast")
    assert liked_examples() == []

    reopened = SettingsPanel(window.ctx)
    qtbot.addWidget(reopened)
    assert reopened.pers_fields["max_liked"].value() == 0
    assert reopened.pers_fields["min_similarity"].value() == pytest.approx(0.2)
    qtbot.mouseClick(reopened.pers.reset, Qt.MouseButton.LeftButton)
    assert store.settings.get("personalize") is None
    assert reopened.pers_fields["max_liked"].value() == PersonalizeConfig().max_liked

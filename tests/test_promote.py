"""Promoting a preference adapter after a blind A/B: the tally, where it applies, refusals."""

from __future__ import annotations

import pytest

from engine import promote
from engine.errors import SastreError
from store import Store
from store.adapters import AdapterRecord
from store.chats import Message
from store.personas import Persona


@pytest.fixture
def store(data_dir):
    s = Store.open(data_dir)
    s.adapters.save(
        AdapterRecord("new", "/x", "tiny", "dpo", status="ready", metrics={"promotable": True})
    )
    yield s
    s.close()


ANSWERS = [
    {"label": "A", "adapter": promote.BASE, "text": "Potato."},
    {"label": "B", "adapter": "new", "text": "Sage green."},
]


def test_votes_are_counted_stored_and_become_pairs(store):
    t = promote.Tally("new", None)
    assert promote.record_vote(store, t, "Colour?", ANSWERS, "b") == "new"
    assert promote.record_vote(store, t, "Colour?", ANSWERS, "a") == promote.BASE
    assert promote.record_vote(store, t, "Colour?", ANSWERS, "tie") == "tie"
    assert (t.wins, t.losses, t.ties, t.total, t.new_preferred) == (1, 1, 1, 3, False)
    assert store.adapters.wins() == {"new": 1, promote.BASE: 1, "tie": 1}
    chosen = {(p.chosen, p.rejected) for p in store.preferences.pairs.list()}
    assert chosen == {("Sage green.", "Potato."), ("Potato.", "Sage green.")}


def test_promote_to_default_chat_or_persona_is_stored_with_the_adapter(store):
    t = promote.Tally("new", "old", wins=3, losses=1)
    promote.promote(store, t, "default")
    assert store.settings.get("adapter") == "new"
    chat = store.chats.create("c")
    promote.promote(store, t, f"chat:{chat}")
    assert store.chats.get(chat).adapter == "new"
    store.personas.add(Persona("cook", system_prompt="Cook."))
    promote.promote(store, t, "persona:cook")
    assert store.personas.get("cook").adapter == "new"
    comps = store.adapters.get("new").metrics["comparisons"]
    assert [c["scope"] for c in comps] == ["default", f"chat:{chat}", "persona:cook"]
    assert comps[0]["wins"] == 3 and comps[0]["current"] == "old"
    promote.keep_current(store, promote.Tally("new", "old", losses=2))
    assert store.adapters.get("new").metrics["comparisons"][-1]["decision"] == "kept"


def test_a_degenerate_or_missing_adapter_is_not_promoted(store):
    rec = store.adapters.get("new")
    rec.metrics = {"promotable": False, "not_promotable_reason": "3 of 6 answers repeat."}
    store.adapters.save(rec)
    with pytest.raises(SastreError, match="3 of 6 answers repeat"):
        promote.promote(store, promote.Tally("new", None, wins=5), "default")
    assert store.settings.get("adapter") is None
    with pytest.raises(SastreError, match="not ready"):
        promote.promote(store, promote.Tally("gone", None, wins=5), "default")
    rec.metrics = {}
    store.adapters.save(rec)
    with pytest.raises(SastreError, match="no persona 'nobody'"):
        promote.promote(store, promote.Tally("new", None, wins=5), "persona:nobody")


def test_history_prompts_are_recent_distinct_user_questions(store):
    chat = store.chats.create("c")
    for text in ("First?", "Second?", "first?", "x" * 1000, "Third?"):
        store.chats.add_message(Message(None, chat, "user", text))
        store.chats.add_message(Message(None, chat, "assistant", "ok"))
    assert promote.history_prompts(store, n=3) == ["Third?", "first?", "Second?"]
    # A question a pair was made from comes last: the new adapter was trained on it.
    from store.preferences import PreferencePair

    store.preferences.pairs.save(
        PreferencePair(None, [{"role": "user", "content": "Third?"}], "a", "b", "imported", "k")
    )
    assert promote.history_prompts(store, n=4) == ["first?", "Second?", "Third?"]

"""Preference data built from feedback, answer versions and A/B votes (a real SQLite file)."""

from __future__ import annotations

import pytest

from engine import preferences as prefs
from engine.errors import SastreError
from store import Store
from store.chats import Message
from store.errors import StoreError
from store.preferences import PreferencePair


@pytest.fixture
def store(data_dir):
    s = Store.open(data_dir)
    yield s
    s.close()


def turn(store, chat, question, *answers):
    """A user message and its answer versions (sibling rows with the same parent)."""
    q = store.chats.add_message(Message(None, chat, "user", question))
    ids = [
        store.chats.add_message(Message(None, chat, "assistant", a, model="m", parent_id=q))
        for a in answers
    ]
    return q, ids


def test_disliked_answer_and_liked_regeneration_make_a_pair(store):
    chat = store.chats.create("c")
    turn(store, chat, "Hi", "Hello! How can I help?")
    _, (bad, good) = turn(store, chat, "Capital of France?", "Lyon.", "Paris.")
    store.feedback.rate(bad, -1)
    store.feedback.rate(good, 1)
    rep = prefs.rebuild(store)
    assert rep.pairs_added == 1 and rep.examples_added == 0
    (p,) = store.preferences.pairs.list()
    assert (p.chosen, p.rejected, p.source) == ("Paris.", "Lyon.", "liked_regeneration")
    assert p.prompt == [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "Capital of France?"},
    ]
    assert p.origin["messages"] == [good, bad]
    # Idempotent: a second rebuild changes nothing.
    assert not prefs.rebuild(store).changed
    assert store.preferences.pairs.count() == 1


def test_correction_pairs_and_unpaired_thumbs_become_examples(store):
    chat = store.chats.create("c")
    _, (a1,) = turn(store, chat, "2+2?", "5")
    _, (a2,) = turn(store, chat, "Say hi", "Hi!")
    _, (a3,) = turn(store, chat, "Say bye", "Goodbye, cruel world")
    store.feedback.rate(a1, -1, reason="wrong", correction="4")
    store.feedback.rate(a2, 1)
    store.feedback.rate(a3, -1)
    prefs.rebuild(store)
    (p,) = store.preferences.pairs.list()
    assert (p.chosen, p.rejected, p.source) == ("4", "5", "correction")
    assert p.prompt[-1] == {"role": "user", "content": "2+2?"} and len(p.prompt) == 1
    ex = {e.answer: e.desirable for e in store.preferences.examples.list()}
    assert ex == {"Hi!": True, "Goodbye, cruel world": False}
    # Changing a rating moves the answer: now its thumbs-up pairs with nothing and a
    # cleared rating drops what it made.
    store.feedback.rate(a1, 1)
    rep = prefs.rebuild(store)
    assert rep.pairs_removed == 1 and store.preferences.pairs.count() == 0
    assert "5" in {e.answer for e in store.preferences.examples.list()}
    store.feedback.clear(a2)
    prefs.rebuild(store)
    assert "Hi!" not in {e.answer for e in store.preferences.examples.list()}


def test_dropped_and_edited_rows_survive_rebuilds(store):
    chat = store.chats.create("c")
    _, (bad, good) = turn(store, chat, "Q1", "bad one", "good one")
    _, (b2, g2) = turn(store, chat, "Q2", "bad two", "good two")
    for m, r in ((bad, -1), (good, 1), (b2, -1), (g2, 1)):
        store.feedback.rate(m, r)
    prefs.rebuild(store)
    first, second = store.preferences.pairs.list()
    assert store.preferences.pairs.delete(first.id)
    edited = store.preferences.pairs.update(second.id, chosen="better two")
    assert edited.edited and edited.chosen == "better two"
    rep = prefs.rebuild(store)
    assert not rep.changed
    (left,) = store.preferences.pairs.list()
    assert left.chosen == "better two"
    # Even when its origin no longer holds, the user's edit is kept.
    store.feedback.clear(g2)
    prefs.rebuild(store)
    assert [p.chosen for p in store.preferences.pairs.list()] == ["better two"]
    with pytest.raises(StoreError, match="no preference pair 999"):
        store.preferences.pairs.update(999, chosen="x")


def test_pairs_outlive_a_deleted_chat_but_not_a_cleared_rating(store):
    chat = store.chats.create("c")
    _, (bad, good) = turn(store, chat, "Q", "no", "yes")
    _, (a,) = turn(store, chat, "Fix", "broken")
    store.feedback.rate(bad, -1)
    store.feedback.rate(good, 1)
    store.feedback.rate(a, -1, correction="fixed")
    prefs.rebuild(store)
    before = {(p.chosen, p.rejected) for p in store.preferences.pairs.list()}
    assert before == {("yes", "no"), ("fixed", "broken")}
    store.chats.delete(chat)  # feedback stays as text; so do the pairs made from it
    rep = prefs.rebuild(store)
    assert {(p.chosen, p.rejected) for p in store.preferences.pairs.list()} == before
    assert rep.pairs_added == 0 and store.preferences.pairs.count() == 2


def test_the_preferred_version_beats_every_other_version(store):
    chat = store.chats.create("c")
    _, (v0, v1, v2) = turn(store, chat, "Name a colour", "Potato.", "Blue.", "Seven.")
    store.chats.prefer(v1)
    store.feedback.prefer(v1, [v0, v2])  # what ChatService.prefer does
    prefs.rebuild(store)
    got = [(p.chosen, p.rejected, p.source) for p in store.preferences.pairs.list()]
    assert got == [
        ("Blue.", "Potato.", "preferred_version"),
        ("Blue.", "Seven.", "preferred_version"),
    ]
    assert store.preferences.examples.count() == 0  # the thumbs prefer() set are in pairs
    # Preferring another version later (its earlier thumbs-down stands, but the preference
    # is newer) makes it the chosen side; no pair says the opposite.
    store.chats.prefer(v2)
    store.feedback.prefer(v2, [v0, v1])
    rep = prefs.rebuild(store)
    got = {(p.chosen, p.rejected, p.source) for p in store.preferences.pairs.list()}
    assert got == {
        ("Seven.", "Potato.", "preferred_version"),
        ("Seven.", "Blue.", "preferred_version"),
        ("Blue.", "Potato.", "liked_regeneration"),
    }  # the thumbs still say so
    assert (rep.pairs_removed, rep.pairs_updated) == (1, 1)  # Blue > Seven goes
    # The conversation of a later turn shows the version on screen, not the others.
    q2, (a2,) = turn(store, chat, "Why?", "Because.")
    store.feedback.rate(a2, -1, correction="Because it is a colour.")
    prefs.rebuild(store)
    (p,) = store.preferences.pairs.list("correction")
    assert [m["content"] for m in p.prompt] == ["Name a colour", "Seven.", "Why?"]


def test_detached_feedback_rows_pair_with_the_liked_answer(store):
    """Ratings kept as text only (earlier versions saved before versions were rows)."""
    chat = store.chats.create("c")
    _, (a,) = turn(store, chat, "Name a colour", "Blue")
    store.feedback.rate(a, 1)
    store.feedback.add_detached(chat, "Name a colour", "Potato", -1)
    prefs.rebuild(store)
    (p,) = store.preferences.pairs.list()
    assert (p.chosen, p.rejected, p.source) == ("Blue", "Potato", "liked_regeneration")
    assert store.preferences.examples.count() == 0


def test_ab_vote_is_a_pair_and_a_tie_is_not(store):
    answers = [
        {"label": "A", "adapter": "new", "text": "Short."},
        {"label": "B", "adapter": "old", "text": "Long and rambling."},
    ]
    assert prefs.record_ab_vote(store, "Explain X", answers, "tie") is None
    p = prefs.record_ab_vote(store, "Explain X", answers, "new")
    assert (p.chosen, p.rejected, p.source) == ("Short.", "Long and rambling.", "ab_vote")
    assert prefs.record_ab_vote(store, "Explain X", answers, "new").id == p.id  # no twin
    assert not prefs.rebuild(store).changed  # a rebuild keeps votes


def test_readiness_counts_what_is_missing(store):
    r = prefs.readiness(store)
    assert (r.ready, r.pairs_needed, r.method) == (False, prefs.MIN_PAIRS, None)
    for i in range(prefs.MIN_PAIRS - 1):
        store.preferences.pairs.save(
            PreferencePair(
                None, [{"role": "user", "content": f"q{i}"}], "good", "bad", "imported", f"k{i}"
            )
        )
    r = prefs.readiness(store)
    assert (r.pairs, r.pairs_needed, r.ready) == (prefs.MIN_PAIRS - 1, 1, False)
    store.preferences.pairs.save(
        PreferencePair(
            None, [{"role": "user", "content": "last"}], "good", "bad", "imported", "last"
        )
    )
    r = prefs.readiness(store)
    assert (r.ready, r.method, r.pairs_needed) == (True, "dpo", 0)
    pairs = prefs.training_pairs(store)
    assert len(pairs) == prefs.MIN_PAIRS and pairs[0].chosen == "good"
    labelled = prefs.training_labelled(store)
    assert sum(x.desirable for x in labelled) == prefs.MIN_PAIRS == len(labelled) / 2


def test_training_examples_all_or_only_from_feedback(store):
    chat = store.chats.create("c")
    _, (bad, good) = turn(store, chat, "Q", "worse", "better")
    store.feedback.rate(bad, -1)
    store.feedback.rate(good, 1)
    store.preferences.pairs.save(
        PreferencePair(None, [{"role": "user", "content": "I"}], "a", "b", "imported", "imp")
    )
    assert len(prefs.training_examples(store, "dpo")) == 2  # rebuilds first
    (mine,) = prefs.training_examples(store, "ipo", which="feedback")
    assert (mine.chosen, mine.rejected) == ("better", "worse")
    thumbs = prefs.training_examples(store, "kto", which="feedback")
    assert [(t.answer, t.desirable) for t in thumbs] == [("better", True), ("worse", False)]


def test_training_pairs_by_source_and_unknown_names(store):
    store.preferences.pairs.save(
        PreferencePair(None, [{"role": "user", "content": "I"}], "a", "b", "imported", "imp")
    )
    assert len(prefs.training_pairs(store, "imported")) == 1
    assert prefs.training_pairs(store, "correction") == []
    with pytest.raises(SastreError, match="'nope' names no preference pairs"):
        prefs.training_pairs(store, "nope")

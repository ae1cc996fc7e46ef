"""The feedback store: one current rating per answer, kept after the answer is gone."""

import pytest

from store import Store
from store.chats import Message
from store.errors import StoreError


@pytest.fixture
def store(data_dir):
    s = Store.open(data_dir)
    yield s
    s.close()


def _exchange(store, question="What is 2+2?", answer="4"):
    chat = store.chats.create(title="math")
    q = store.chats.add_message(Message(None, chat, "user", question))
    a = store.chats.add_message(
        Message(None, chat, "assistant", answer, model="m", adapter="a1", parent_id=q)
    )
    return chat, q, a


def test_rate_replace_and_clear(store):
    chat, q, a = _exchange(store)
    fb = store.feedback.rate(a, 1)
    assert (fb.rating, fb.question, fb.answer, fb.model, fb.adapter) == (
        1,
        "What is 2+2?",
        "4",
        "m",
        "a1",
    )
    fb = store.feedback.rate(a, -1, reason="  wrong  ", correction="Four.")
    assert (fb.rating, fb.reason, fb.correction) == (-1, "wrong", "Four.")
    assert len(store.feedback.list()) == 1  # one current rating per message
    assert store.feedback.for_chat(chat)[a].rating == -1
    assert [f.message_id for f in store.feedback.list(rating=-1)] == [a]
    assert store.feedback.clear(a) and store.feedback.get(a) is None


def test_only_answers_can_be_rated(store):
    _, q, _ = _exchange(store)
    with pytest.raises(StoreError):
        store.feedback.rate(q, 1)
    with pytest.raises(ValueError):
        store.feedback.rate(q, 2)


def test_feedback_outlives_its_answer_and_chat(store):
    chat, q, a = _exchange(store)
    store.feedback.rate(a, -1, correction="Four.")
    store.chats.delete_messages_from(chat, q)  # regenerate / edit-and-resend
    kept = store.feedback.list()
    assert len(kept) == 1 and kept[0].message_id is None
    assert (kept[0].question, kept[0].answer, kept[0].correction) == ("What is 2+2?", "4", "Four.")
    store.chats.delete(chat)
    assert store.feedback.list()[0].chat_id is None

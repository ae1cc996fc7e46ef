"""Input edge cases end in a clear per-item message; the rest of the input stays usable."""

from __future__ import annotations

import json

import pytest

from engine.train import datasets as ds
from store import Store
from store.chats import Message


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "data")
    yield s
    s.close()


def write(tmp_path, text: str | bytes, name="data.jsonl"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


GOOD = (
    '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}'
)


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"messages": []}\n', "data.jsonl line 1: 'messages' has no assistant message"),
        ('{"text": null}\n', "data.jsonl line 1: 'text' must be text, not null"),
        ('{"prompt": "q", "completion": {"a": 1}}\n', "'completion' must be text, not dict"),
        ('{"messages": [{"role": ["user"], "content": "x"}]}\n', "'messages' must be a list"),
        ("[" * 100_000 + "]" * 100_000, "data.jsonl nests JSON too deeply to read"),
        ('{"a":' * 50_000 + "1" + "}" * 50_000 + "\n", "line 1 nests JSON too deeply"),
        (f'[{GOOD}, {{"text": "plain"}}]', "mixes formats (chat from data.jsonl item 1, text from"),
        ("42", "data.jsonl line 1: expected a JSON object, got int"),
    ],
)
def test_bad_datasets_are_refused_with_the_item_named(tmp_path, text, message):
    with pytest.raises(ds.DatasetError) as error:
        ds.read_jsonl(write(tmp_path, text))
    assert message in str(error.value) and "nothing was saved" in str(error.value)


def test_every_bad_line_is_reported(tmp_path):
    lines = [GOOD, "{oops", GOOD, '{"text": null}', "not json", GOOD]
    with pytest.raises(ds.DatasetError) as error:
        ds.read_jsonl(write(tmp_path, "\n".join(lines)))
    text = str(error.value)
    assert text.startswith("3 problem(s) in data.jsonl:")
    for n in (2, 4, 5):
        assert f"data.jsonl line {n}" in text
    many = "\n".join(["{bad"] * 25)
    with pytest.raises(ds.DatasetError, match="line 10 is not valid JSON.*; and 15 more"):
        ds.read_jsonl(write(tmp_path, many))


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    rows = ds.read_jsonl(write(tmp_path, b"\xef\xbb\xbf" + GOOD.encode() + b"\n"))
    assert rows[0]["messages"][1]["content"] == "hello"
    rows = ds.read_jsonl(write(tmp_path, b"\xef\xbb\xbf[" + GOOD.encode() + b"]"))
    assert len(rows) == 1


def test_numbers_as_text_are_kept_as_text(tmp_path):
    rows = ds.read_jsonl(write(tmp_path, json.dumps({"prompt": 2, "completion": 4})))
    assert rows == [{"prompt": "2", "completion": "4"}]


def test_chat_search_treats_like_wildcards_literally(store):
    a = store.chats.create("Budget at 50% of plan")
    store.chats.create("Holiday plans")
    b = store.chats.create("file_name conventions")
    store.chats.create("filename ideas")
    assert [c.id for c in store.chats.list(search="%")] == [a]
    assert [c.id for c in store.chats.list(search="_")] == [b]
    assert [c.id for c in store.chats.list(search="e_n")] == [b]
    assert len(store.chats.list(search="plan")) == 2


def test_rerating_an_answer_keeps_its_correction(store):
    chat = store.chats.create("t")
    store.chats.add_message(Message(None, chat, "user", "What is 2+2?"))
    answer = store.chats.add_message(Message(None, chat, "assistant", "5"))
    store.feedback.rate(answer, -1, reason="wrong", correction="4")
    again = store.feedback.rate(answer, -1)
    assert again.correction == "4"
    flipped = store.feedback.rate(answer, 1, reason="fine after all")
    assert flipped.correction == "4" and flipped.rating == 1
    assert store.feedback.rate(answer, -1, correction="four").correction == "four"

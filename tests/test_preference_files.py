"""Importing preference files: HH-RLHF, OpenAssistant, SHP and generic JSONL, bad lines too."""

from __future__ import annotations

import json

import pytest

from engine.preference_files import PreferenceImportError, import_pairs
from store import Store


@pytest.fixture
def store(data_dir):
    s = Store.open(data_dir)
    yield s
    s.close()


def write(tmp_path, name, lines):
    f = tmp_path / name
    f.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return f


def pairs(store):
    return [(p.prompt, p.chosen, p.rejected) for p in store.preferences.pairs.list()]


def test_hh_dialogues_share_a_prefix(store, tmp_path):
    f = write(
        tmp_path,
        "hh.jsonl",
        [
            {
                "chosen": "\n\nHuman: Hi\n\nAssistant: Hello.\n\nHuman: A joke?\n\nAssistant: Why not!",
                "rejected": "\n\nHuman: Hi\n\nAssistant: Hello.\n\nHuman: A joke?\n\nAssistant: No.",
            },
            {
                "chosen": "\n\nHuman: Q\n\nAssistant: A",
                "rejected": "\n\nHuman: Other\n\nAssistant: B",
            },
            "{not json",
            {"chosen": "no turns here", "rejected": "\n\nHuman: Q\n\nAssistant: B"},
        ],
    )
    rep = import_pairs(store, f)
    assert (rep.format, rep.pairs_added, rep.error_count) == ("hh", 1, 3)
    assert rep.errors[0] == "line 2: 'chosen' and 'rejected' differ before their last answer"
    assert rep.errors[1].startswith("line 3: not valid JSON")
    assert rep.errors[2].startswith("line 4: 'chosen' is not a")
    assert pairs(store) == [
        (
            [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello."},
                {"role": "user", "content": "A joke?"},
            ],
            "Why not!",
            "No.",
        )
    ]
    # The same file again adds nothing.
    again = import_pairs(store, f, format="hh")
    assert (again.pairs_added, again.duplicates) == (0, 1)


def test_oasst_trees_ranked_replies_and_flat_messages(store, tmp_path):
    tree = {
        "message_tree_id": "t1",
        "prompt": {
            "text": "Name a fruit",
            "role": "prompter",
            "replies": [
                {"text": "Banana", "role": "assistant", "rank": 1, "replies": []},
                {
                    "text": "Apple",
                    "role": "assistant",
                    "rank": 0,
                    "replies": [
                        {
                            "text": "Another?",
                            "role": "prompter",
                            "replies": [
                                {"text": "Pear", "role": "assistant", "rank": 0},
                                {"text": "Rock", "role": "assistant", "rank": 1},
                            ],
                        }
                    ],
                },
                {"text": "Unranked", "role": "assistant"},
            ],
        },
    }
    simple = {
        "prompt": "Say hi",
        "replies": [{"text": "hey", "rank": 1}, {"text": "Hi!", "rank": 0}],
    }
    f = write(
        tmp_path,
        "oasst.jsonl",
        [tree, simple, {"prompt": "Lonely", "replies": [{"text": "only one", "rank": 0}]}],
    )
    rep = import_pairs(store, f, format="oasst")
    assert (rep.pairs_added, rep.error_count) == (3, 1)
    assert rep.errors == ["line 3: no prompt here has two replies of different rank"]
    got = {(p[-1]["content"], c, r) for p, c, r in pairs(store)}
    assert got == {
        ("Name a fruit", "Apple", "Banana"),
        ("Another?", "Pear", "Rock"),
        ("Say hi", "Hi!", "hey"),
    }
    deep = next(p for p, c, _ in pairs(store) if c == "Pear")
    assert [m["content"] for m in deep] == ["Name a fruit", "Apple", "Another?"]

    flat = write(
        tmp_path,
        "flat.jsonl",
        [
            {"message_id": "a", "parent_id": None, "text": "Why?", "role": "prompter"},
            {
                "message_id": "b",
                "parent_id": "a",
                "text": "Because.",
                "role": "assistant",
                "rank": 1,
            },
            {
                "message_id": "c",
                "parent_id": "a",
                "text": "Here is why",
                "role": "assistant",
                "rank": 0,
            },
            {"message_id": "d", "parent_id": "zz", "text": "lost", "role": "assistant", "rank": 0},
        ],
    )
    rep = import_pairs(store, flat)
    assert (rep.format, rep.pairs_added) == ("oasst", 1)
    assert rep.errors == ["line 4: its parent_id 'zz' is not in the file"]


def test_shp_labels_and_scores(store, tmp_path):
    f = write(
        tmp_path,
        "shp.jsonl",
        [
            {"history": "Best pet?", "human_ref_A": "Cats", "human_ref_B": "Rocks", "labels": 1},
            {
                "history": "Best tea?",
                "human_ref_A": "Mud",
                "human_ref_B": "Green",
                "score_A": 2,
                "score_B": 9,
            },
            {"history": "Tie?", "human_ref_A": "x", "human_ref_B": "y", "score_A": 3, "score_B": 3},
            {"history": "No label", "human_ref_A": "x", "human_ref_B": "y"},
        ],
    )
    rep = import_pairs(store, f)
    assert (rep.format, rep.pairs_added) == ("shp", 2)
    assert {(c, r) for _, c, r in pairs(store)} == {("Cats", "Rocks"), ("Green", "Mud")}
    assert [e.split(":")[0] for e in rep.errors] == ["line 3", "line 4"]
    assert "equal" in rep.errors[0] and "'labels'" in rep.errors[1]


def test_generic_jsonl_strings_chat_prompts_and_labelled_lines(store, tmp_path):
    chat = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"}]
    f = write(
        tmp_path,
        "pairs.jsonl",
        [
            {"prompt": "Hello?", "chosen": "Hi.", "rejected": "Go away."},
            {"messages": chat, "chosen": "4", "rejected": "Let me think at length..."},
            {
                "prompt": chat,
                "chosen": [{"role": "assistant", "content": "Four"}],
                "rejected": [{"role": "assistant", "content": "5"}],
            },
            {
                "chosen": [*chat, {"role": "assistant", "content": "4."}],
                "rejected": [*chat, {"role": "assistant", "content": "22"}],
            },
            {"prompt": "Rate me", "completion": "A fine answer", "label": True},
            {"prompt": "x", "chosen": "same", "rejected": "same"},
            {"prompt": 5, "chosen": "a", "rejected": "b"},
            {"prompt": "Rate me", "completion": "meh", "label": "yes"},
            [1, 2],
        ],
    )
    rep = import_pairs(store, f, format="jsonl")
    assert (rep.pairs_added, rep.examples_added, rep.error_count) == (4, 1, 4), rep.errors
    assert [e.split(":")[0] for e in rep.errors] == ["line 6", "line 7", "line 8", "line 9"]
    got = pairs(store)
    assert got[0] == ([{"role": "user", "content": "Hello?"}], "Hi.", "Go away.")
    assert all(p == chat for p, _, _ in got[1:])
    assert [c for _, c, _ in got[1:]] == ["4", "Four", "4."]
    (ex,) = store.preferences.examples.list()
    assert (ex.answer, ex.desirable, ex.source) == ("A fine answer", True, "imported")


def test_unknown_file_and_format_are_explained(store, tmp_path):
    with pytest.raises(PreferenceImportError, match="does not exist"):
        import_pairs(store, tmp_path / "nope.jsonl")
    f = write(tmp_path, "x.jsonl", [{"prompt": "a", "chosen": "b", "rejected": "c"}])
    with pytest.raises(PreferenceImportError, match="Unknown format 'csv'"):
        import_pairs(store, f, format="csv")
    g = write(tmp_path, "odd.jsonl", [{"foo": 1}])
    rep = import_pairs(store, g)
    assert rep.pairs_added == 0 and "name its format" in rep.errors[0]
    bad = tmp_path / "latin1.jsonl"
    bad.write_bytes('{"prompt": "caf\xe9"}'.encode("latin-1"))
    with pytest.raises(PreferenceImportError, match="not UTF-8"):
        import_pairs(store, bad)

"""`sastre pairs list / export / rm / import`, through the real entry point."""

from __future__ import annotations

import json

from desktop.cli import main
from engine import preferences as prefs
from store import Store
from store.chats import Message


def sastre(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_list_export_rm(capsys, data_dir, tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text(
        "\n".join(
            [
                json.dumps({"prompt": "Hi?", "chosen": "Hello.", "rejected": "Go away."}),
                "{broken",
                json.dumps({"prompt": "2+2?", "chosen": "4", "rejected": "5"}),
                json.dumps({"prompt": "Nice?", "completion": "Very", "label": True}),
            ]
        )
    )
    code, out, err = sastre(capsys, "pairs", "import", f, "--data-dir", data_dir)
    assert code == 0, err
    assert "Imported 2 pairs and 1 single answers from p.jsonl (format jsonl)" in out
    assert "p.jsonl line 2: not valid JSON" in err

    code, out, err = sastre(capsys, "pairs", "import", f, "--json", "--data-dir", data_dir)
    rep = json.loads(out)
    assert code == 0 and (rep["pairs_added"], rep["duplicates"]) == (0, 3)

    code, out, _ = sastre(capsys, "pairs", "list", "--data-dir", data_dir)
    assert "Hello." in out and "Go away." in out and "Very" in out
    assert f"{prefs.MIN_PAIRS - 2} more pairs needed" in out
    code, out, _ = sastre(capsys, "pairs", "list", "--json", "--data-dir", data_dir)
    listed = json.loads(out)
    assert [p["chosen"] for p in listed["pairs"]] == ["Hello.", "4"]
    assert listed["readiness"]["pairs_needed"] == prefs.MIN_PAIRS - 2
    assert listed["readiness"]["ready"] is False

    out_file = tmp_path / "out.jsonl"
    code, _, err = sastre(capsys, "pairs", "export", out_file, "--data-dir", data_dir)
    assert code == 0 and "Wrote 2 records" in err
    lines = [json.loads(x) for x in out_file.read_text().splitlines()]
    assert lines[1]["prompt"] == [{"role": "user", "content": "2+2?"}]
    assert (lines[1]["chosen"], lines[1]["rejected"], lines[1]["source"]) == ("4", "5", "imported")
    code, out, _ = sastre(capsys, "pairs", "export", "--kind", "all", "--data-dir", data_dir)
    assert [json.loads(x).get("label") for x in out.splitlines()] == [None, None, True]

    first = listed["pairs"][0]["id"]
    code, out, _ = sastre(capsys, "pairs", "rm", first, "--data-dir", data_dir)
    assert code == 0 and f"Dropped pair {first}." in out
    code, _, err = sastre(capsys, "pairs", "rm", first, "--data-dir", data_dir)
    assert code == 1 and f"no pair {first}" in err
    code, out, _ = sastre(capsys, "pairs", "list", "--json", "--data-dir", data_dir)
    assert [p["chosen"] for p in json.loads(out)["pairs"]] == ["4"]
    # Importing the export again adds nothing: the dropped pair stays dropped.
    code, out, _ = sastre(capsys, "pairs", "import", out_file, "--data-dir", data_dir)
    assert code == 0 and "Imported 0 pairs" in out and "2 already there or dropped" in out


def test_list_builds_pairs_from_feedback(capsys, data_dir):
    store = Store.open(data_dir)
    chat = store.chats.create("c")
    q = store.chats.add_message(Message(None, chat, "user", "Capital of Peru?"))
    bad = store.chats.add_message(Message(None, chat, "assistant", "Quito", parent_id=q))
    good = store.chats.add_message(Message(None, chat, "assistant", "Lima", parent_id=q))
    store.feedback.rate(bad, -1)
    store.feedback.rate(good, 1)
    store.close()
    code, out, _ = sastre(capsys, "pairs", "list", "--json", "--data-dir", data_dir)
    (p,) = json.loads(out)["pairs"]
    assert (p["chosen"], p["rejected"], p["source"]) == ("Lima", "Quito", "liked_regeneration")


def test_import_of_a_file_with_no_usable_line_fails(capsys, data_dir, tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_text('{"history": "q", "human_ref_A": "a", "human_ref_B": "b"}\n')
    code, out, err = sastre(capsys, "pairs", "import", f, "--format", "shp", "--data-dir", data_dir)
    assert code == 1 and "bad.jsonl line 1: needs 'labels'" in err
    code, _, err = sastre(
        capsys, "pairs", "import", tmp_path / "none.jsonl", "--data-dir", data_dir
    )
    assert code == 1 and "does not exist" in err


def test_down_regenerate_prefer_then_the_pair_is_listed(capsys, data_dir, tiny_model_dir):
    """The whole loop through the real entry point, on the tiny model."""
    assert (
        sastre(
            capsys, "models", "import", tiny_model_dir, "--name", "tiny", "--data-dir", data_dir
        )[0]
        == 0
    )
    assert sastre(capsys, "models", "default", "tiny", "--data-dir", data_dir)[0] == 0

    def chat(*args):
        code, out, err = sastre(
            capsys, "chat", *args, "--json", "--max-tokens", "4", "--data-dir", data_dir
        )
        assert code == 0, err
        return json.loads(out)

    first = chat("Name a colour")
    assert sastre(capsys, "feedback", first["message_id"], "down", "--data-dir", data_dir)[0] == 0
    again = chat("--regenerate", first["message_id"], "--temperature", "1", "--seed", "3")
    store = Store.open(data_dir)  # the tiny model writes noise: give both readable texts
    for mid, text in ((first["message_id"], "Potato."), (again["message_id"], "Blue.")):
        store.db.execute("UPDATE messages SET content = ? WHERE id = ?", (text, mid))
    store.close()
    code, _, err = sastre(
        capsys, "chats", "prefer", again["message_id"], "1", "--data-dir", data_dir
    )
    assert code == 0, err
    code, out, _ = sastre(capsys, "pairs", "list", "--json", "--data-dir", data_dir)
    (p,) = json.loads(out)["pairs"]
    assert (p["chosen"], p["rejected"], p["source"]) == ("Blue.", "Potato.", "preferred_version")
    assert p["prompt"] == [{"role": "user", "content": "Name a colour"}]


CONTRACT = {
    "adapter",
    "method",
    "pairs_train",
    "pairs_heldout",
    "pref_acc_before",
    "pref_acc_after",
    "reward_margin_before",
    "reward_margin_after",
    "degeneration_before",
    "degeneration_after",
    "forgetting",
}


def test_pairs_import_then_train_dpo_on_all_pairs(capsys, data_dir, tiny_model_dir, tmp_path):
    """The issue's script contract: `sastre pairs import FILE`, then
    `sastre train dpo --pairs all --adapter NAME --json` prints the report last."""
    d = ["--data-dir", data_dir]
    assert sastre(capsys, "models", "import", tiny_model_dir, "--name", "tiny", *d)[0] == 0
    f = tmp_path / "pairs.jsonl"
    f.write_text(
        "\n".join(
            json.dumps(
                {
                    "prompt": f"List {i} fruits.",
                    "chosen": "1. Apple\n2. Pear",
                    "rejected": "Apple and pear.",
                }
            )
            for i in range(prefs.MIN_PAIRS)
        )
    )
    assert sastre(capsys, "pairs", "import", f, *d)[0] == 0
    code, out, err = sastre(
        capsys,
        "train",
        "dpo",
        "--pairs",
        "all",
        "--adapter",
        "p1",
        "--model",
        "tiny",
        "--iters",
        "2",
        "--rank",
        "4",
        "--layers",
        "2",
        "--json",
        *d,
    )
    assert code == 0, err
    rep = json.loads(out.strip().splitlines()[-1])
    assert CONTRACT <= set(rep) and rep["adapter"] == "p1"
    assert rep["pairs_train"] + rep["pairs_heldout"] == prefs.MIN_PAIRS

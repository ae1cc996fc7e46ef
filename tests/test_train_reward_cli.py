"""`sastre train reward` and `sastre chat --best-of` on the tiny llama: the --json
contracts, the listing, rm, and the message when there is no reward model."""

from __future__ import annotations

import json

from desktop.cli import main
from tests.test_train_preference import PAIRS

KEYS = {
    "reward_model",
    "pairs_train",
    "pairs_heldout",
    "acc_before",
    "acc_after",
    "margin_before",
    "margin_after",
}


def sastre(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_train_reward_then_chat_best_of(capsys, data_dir, tiny_model_dir, tmp_path):
    d = ["--data-dir", data_dir]
    assert sastre(capsys, "models", "import", tiny_model_dir, "--name", "tiny", *d)[0] == 0
    ask = ["chat", "What is 3 plus 3?", "--max-tokens", "4", "--json", *d]
    code, _, err = sastre(capsys, *ask, "--best-of", "2")
    assert code == 1 and "sastre train reward" in err  # says what to do
    f = tmp_path / "pairs.jsonl"
    rows = [
        {"prompt": p.prompt[0]["content"], "chosen": p.chosen, "rejected": p.rejected}
        for p in PAIRS
    ]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n{bad\n")
    code, out, err = sastre(
        capsys, "train", "reward", "--pairs", f, "--name", "judge", "--iters", "4", "--json", *d
    )
    assert code == 0, err
    assert "line 13 skipped" in err
    rep = json.loads(out.strip().splitlines()[-1])
    assert KEYS <= set(rep) and rep["reward_model"] == "judge"
    assert (rep["pairs_train"], rep["pairs_heldout"]) == (10, 2)
    assert 0.0 <= rep["acc_after"] <= 1.0 and rep["margin_after"] != rep["margin_before"]
    code, out, _ = sastre(capsys, "adapters", "list", "--json", *d)
    listed = {a["name"]: a["method"] for a in json.loads(out)}
    assert listed == {"judge": "reward"}
    code, out, err = sastre(capsys, *ask, "--best-of", "3")
    assert code == 0, err
    res = json.loads(out)
    b = res["best_of"]
    assert b["n"] == 3 and b["reward_model"] == "judge" and len(b["scores"]) == 3
    assert res["text"] == b["answers"][b["chosen"]]
    code, _, err = sastre(capsys, *ask, "--best-of", "99")
    assert code == 1 and "from 1 (off) to 8" in err
    code, _, err = sastre(capsys, *ask, "--adapter", "judge")
    assert code == 1 and "is a reward model, not an adapter" in err
    assert sastre(capsys, "adapters", "rm", "judge", *d)[0] == 0
    code, out, _ = sastre(capsys, "adapters", "list", "--json", *d)
    assert json.loads(out) == []

"""`sastre train dpo` on the tiny llama: the --json contract, bad lines, no data yet."""

from __future__ import annotations

import json

from desktop.cli import main
from tests.test_train_preference import PAIRS

KEYS = {
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
FAST = ["--model", "tiny", "--iters", "4", "--rank", "4", "--layers", "2", "--lr", "1e-3"]


def sastre(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_train_dpo_from_a_file_then_chat_with_it(capsys, data_dir, tiny_model_dir, tmp_path):
    d = ["--data-dir", data_dir]
    assert sastre(capsys, "models", "import", tiny_model_dir, "--name", "tiny", *d)[0] == 0
    f = tmp_path / "pairs.jsonl"
    lines = [
        json.dumps({"prompt": p.prompt[0]["content"], "chosen": p.chosen, "rejected": p.rejected})
        for p in PAIRS[:6]
    ]
    lines += [
        json.dumps({"messages": p.prompt, "chosen": p.chosen, "rejected": p.rejected})
        for p in PAIRS[6:]
    ]
    lines.insert(3, '{"prompt": "no answers here"}')
    lines.insert(5, "not json")
    f.write_text("\n".join(lines))
    code, out, err = sastre(
        capsys, "train", "dpo", "--pairs", f, "--adapter", "pref", *FAST, "--json", *d
    )
    assert code == 0, err
    assert "line 4 skipped: missing 'chosen'" in err and "line 6 skipped" in err
    rep = json.loads(out.strip().splitlines()[-1])
    assert KEYS <= set(rep) and rep["adapter"] == "pref" and rep["method"] == "dpo"
    assert rep["pairs_train"] + rep["pairs_heldout"] == 12 and "curves" not in rep
    code, out, err = sastre(
        capsys, "chat", "hi", "--adapter", "pref", "--json", "--max-tokens", "3", *d
    )
    assert code == 0, err
    assert json.loads(out)["adapter"] == "pref"
    code, out, err = sastre(capsys, "eval", "--adapter", "pref", "--json", *d)
    assert code == 0, err
    assert json.loads(out)["pref_acc_after"] == rep["pref_acc_after"]
    code, out, err = sastre(capsys, "eval", "--adapter", "pref", *d)
    assert code == 0 and "preference accuracy" in out, err
    code, _, err = sastre(capsys, "eval", "--adapter", "pref", "--recompute", *d)
    assert code != 0 and "without --recompute" in err
    code, out, err = sastre(
        capsys, "train", "dpo", "--pairs", f, "--adapter", "k", "--method", "kto", *FAST, *d
    )
    assert code == 0, err
    assert "preference accuracy" in out


def test_train_dpo_without_data_says_so(capsys, data_dir, tiny_model_dir):
    d = ["--data-dir", data_dir]
    assert sastre(capsys, "models", "import", tiny_model_dir, "--name", "tiny", *d)[0] == 0
    code, _, err = sastre(capsys, "train", "dpo", "--pairs", "all", "--adapter", "x", *d)
    assert code != 0 and "No preference data yet" in err

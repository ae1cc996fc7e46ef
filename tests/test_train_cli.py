"""The training CLI contract on the tiny llama: datasets, train lora, adapters, eval, chat."""

from __future__ import annotations

import json

import pytest

from desktop.cli import main
from tests.test_train_lora import ROWS


def sastre(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli(capsys, data_dir, tiny_model_dir, tmp_path):
    assert sastre(capsys, "models", "import", tiny_model_dir, "--name", "tiny",
                  "--data-dir", data_dir)[0] == 0  # fmt: skip
    assert sastre(capsys, "models", "default", "tiny", "--data-dir", data_dir)[0] == 0
    f = tmp_path / "math.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in ROWS))
    return data_dir, f


def test_datasets_train_adapters_eval_chat(capsys, cli):
    d, f = cli
    code, out, err = sastre(capsys, "datasets", "import", f, "--name", "math", "--data-dir", d)
    assert code == 0, err
    assert "24 examples (22 train / 2 validation)" in out and "tokens" in out
    code, out, _ = sastre(capsys, "datasets", "list", "--json", "--data-dir", d)
    assert json.loads(out)[0]["stats"]["examples"] == 24
    code, out, _ = sastre(
        capsys, "datasets", "show", "math", "--json", "--limit", "2", "--data-dir", d
    )
    assert len(json.loads(out)["preview"]) == 2

    code, out, err = sastre(
        capsys, "train", "lora", "--dataset", "math", "--adapter", "add", "--rank", "4",
        "--layers", "2", "--iters", "6", "--lr", "0.002", "--batch-size", "4",
        "--prompt", "What is 3 plus 3?", "--json", "--data-dir", d,
    )  # fmt: skip
    assert code == 0, err
    rep = json.loads(out)
    assert rep["status"] == "ready" and rep["val_loss_after"] < rep["val_loss_before"]
    assert "6/6" in err  # the progress line

    code, out, _ = sastre(capsys, "eval", "--adapter", "add", "--json", "--data-dir", d)
    ev = json.loads(out)
    assert set(ev) == {"val_loss_before", "val_loss_after", "general_ppl_before",
                       "general_ppl_after", "forgetting"}  # fmt: skip
    assert ev["val_loss_after"] == rep["val_loss_after"]

    code, out, _ = sastre(capsys, "adapters", "list", "--json", "--data-dir", d)
    (a,) = json.loads(out)
    assert a["name"] == "add" and a["base_model"] == "tiny" and a["params"]["rank"] == 4
    assert a["in_use"] is False

    code, out, err = sastre(capsys, "chat", "hi", "--adapter", "add", "--json", "--max-tokens",
                            "3", "--no-save", "--data-dir", d)  # fmt: skip
    assert code == 0, err and json.loads(out)["adapter"] == "add"
    assert json.loads(out)["adapter"] == "add"
    assert sastre(capsys, "adapters", "use", "add", "--data-dir", d)[0] == 0
    code, out, _ = sastre(capsys, "adapters", "list", "--json", "--data-dir", d)
    assert json.loads(out)[0]["in_use"] is True

    code, out, err = sastre(capsys, "adapters", "export", "add", "--format", "peft", "--out",
                            d / "peft", "--data-dir", d)  # fmt: skip
    assert code == 0, err and (d / "peft" / "adapter_model.safetensors").is_file()
    code, out, err = sastre(
        capsys, "adapters", "fuse", "add", "--name", "tiny-add", "--data-dir", d
    )
    assert code == 0 and "tiny-add" in out, err
    assert sastre(capsys, "adapters", "rm", "add", "--data-dir", d)[0] == 0
    assert sastre(capsys, "datasets", "rm", "math", "--data-dir", d)[0] == 0


def test_errors_are_one_line(capsys, cli):
    d, _ = cli
    code, _, err = sastre(capsys, "train", "lora", "--dataset", "nope", "--adapter", "x",
                          "--data-dir", d)  # fmt: skip
    assert code == 1 and err.startswith("sastre: No dataset named 'nope'") and err.count("\n") == 1
    code, _, err = sastre(capsys, "eval", "--adapter", "ghost", "--data-dir", d)
    assert code == 1 and "No adapter named 'ghost'" in err
    code, _, err = sastre(capsys, "chat", "hi", "--adapter", "ghost", "--data-dir", d)
    assert code == 1 and "ghost" in err


def test_blind_ab_records_the_winner(capsys, cli):
    d, f = cli
    assert sastre(capsys, "datasets", "import", f, "--name", "math", "--data-dir", d)[0] == 0
    for name, seed in (("x", "0"), ("y", "1")):
        code, _, err = sastre(capsys, "train", "lora", "--dataset", "math", "--adapter", name,
                              "--rank", "4", "--layers", "2", "--iters", "3", "--seed", seed,
                              "--prompt", "hi", "--data-dir", d)  # fmt: skip
        assert code == 0, err
    code, out, err = sastre(capsys, "adapters", "ab", "x", "y", "--prompt", "What is 1 plus 1?",
                            "--pick", "a", "--max-tokens", "4", "--data-dir", d)  # fmt: skip
    assert code == 0, err
    assert "--- A ---" in out and "--- B ---" in out and "Recorded:" in out
    from engine.context import Engine

    eng = Engine(d)
    assert sum(eng.store.adapters.wins().values()) == 1
    eng.close()

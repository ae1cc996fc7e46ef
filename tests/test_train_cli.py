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
    assert (
        sastre(
            capsys, "models", "import", tiny_model_dir, "--name", "tiny", "--data-dir", data_dir
        )[0]
        == 0
    )
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
        capsys,
        "train",
        "lora",
        "--dataset",
        "math",
        "--adapter",
        "add",
        "--rank",
        "4",
        "--layers",
        "2",
        "--iters",
        "6",
        "--lr",
        "0.002",
        "--batch-size",
        "4",
        "--prompt",
        "What is 3 plus 3?",
        "--json",
        "--data-dir",
        d,
    )
    assert code == 0, err
    rep = json.loads(out)
    assert rep["status"] == "ready" and rep["val_loss_after"] < rep["val_loss_before"]
    assert "6/6" in err  # the progress line

    code, out, _ = sastre(capsys, "eval", "--adapter", "add", "--json", "--data-dir", d)
    ev = json.loads(out)
    assert set(ev) == {
        "val_loss_before",
        "val_loss_after",
        "general_ppl_before",
        "general_ppl_after",
        "forgetting",
    }
    assert ev["val_loss_after"] == rep["val_loss_after"]

    code, out, _ = sastre(capsys, "adapters", "list", "--json", "--data-dir", d)
    (a,) = json.loads(out)
    assert a["name"] == "add" and a["base_model"] == "tiny" and a["params"]["rank"] == 4
    assert a["in_use"] is False

    code, out, err = sastre(
        capsys,
        "chat",
        "hi",
        "--adapter",
        "add",
        "--json",
        "--max-tokens",
        "3",
        "--no-save",
        "--data-dir",
        d,
    )
    assert code == 0, err and json.loads(out)["adapter"] == "add"
    assert json.loads(out)["adapter"] == "add"
    assert sastre(capsys, "adapters", "use", "add", "--data-dir", d)[0] == 0
    code, out, _ = sastre(capsys, "adapters", "list", "--json", "--data-dir", d)
    assert json.loads(out)[0]["in_use"] is True

    code, out, err = sastre(
        capsys,
        "adapters",
        "export",
        "add",
        "--format",
        "peft",
        "--out",
        d / "peft",
        "--data-dir",
        d,
    )
    assert code == 0, err and (d / "peft" / "adapter_model.safetensors").is_file()
    code, out, err = sastre(
        capsys, "adapters", "fuse", "add", "--name", "tiny-add", "--data-dir", d
    )
    assert code == 0 and "tiny-add" in out, err
    assert sastre(capsys, "adapters", "rm", "add", "--data-dir", d)[0] == 0
    assert sastre(capsys, "datasets", "rm", "math", "--data-dir", d)[0] == 0


def test_errors_are_one_line(capsys, cli):
    d, _ = cli
    code, _, err = sastre(
        capsys, "train", "lora", "--dataset", "nope", "--adapter", "x", "--data-dir", d
    )
    assert code == 1 and err.startswith("sastre: No dataset named 'nope'") and err.count("\n") == 1
    code, _, err = sastre(capsys, "eval", "--adapter", "ghost", "--data-dir", d)
    assert code == 1 and "No adapter named 'ghost'" in err
    code, _, err = sastre(capsys, "chat", "hi", "--adapter", "ghost", "--data-dir", d)
    assert code == 1 and "ghost" in err


def test_blind_ab_records_the_winner(capsys, cli):
    d, f = cli
    assert sastre(capsys, "datasets", "import", f, "--name", "math", "--data-dir", d)[0] == 0
    for name, seed in (("x", "0"), ("y", "1")):
        code, _, err = sastre(
            capsys,
            "train",
            "lora",
            "--dataset",
            "math",
            "--adapter",
            name,
            "--rank",
            "4",
            "--layers",
            "2",
            "--iters",
            "3",
            "--seed",
            seed,
            "--prompt",
            "hi",
            "--data-dir",
            d,
        )
        assert code == 0, err
    code, out, err = sastre(
        capsys,
        "adapters",
        "ab",
        "x",
        "y",
        "--prompt",
        "What is 1 plus 1?",
        "--pick",
        "a",
        "--max-tokens",
        "4",
        "--data-dir",
        d,
    )
    assert code == 0, err
    assert "--- A ---" in out and "--- B ---" in out and "Recorded:" in out
    from engine.context import Engine

    eng = Engine(d)
    assert sum(eng.store.adapters.wins().values()) == 1
    eng.close()


def test_pause_and_continue_from_the_terminal(capsys, cli):
    """The real entry point in a subprocess: SIGUSR1 pauses between steps, again continues."""
    import os
    import signal
    import subprocess
    import sys
    import threading
    import time
    from pathlib import Path

    d, f = cli
    assert sastre(capsys, "datasets", "import", f, "--name", "math", "--data-dir", d)[0] == 0
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "sastre"),
            "train",
            "lora",
            "--dataset",
            "math",
            "--adapter",
            "p",
            "--rank",
            "4",
            "--layers",
            "2",
            "--iters",
            "300",
            "--batch-size",
            "2",
            "--save-every",
            "1000",
            "--prompt",
            "hi",
            "--data-dir",
            str(d),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    lines: list[tuple[float, str]] = []  # (when read, line) of stderr
    reader = threading.Thread(
        target=lambda: lines.extend((time.monotonic(), ln) for ln in proc.stderr), daemon=True
    )
    reader.start()

    def wait_for(text: str) -> float:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            for t, ln in list(lines):
                if text in ln:
                    return t
            assert proc.poll() is None, "".join(ln for _, ln in lines)
            time.sleep(0.02)
        raise AssertionError(f"no {text!r} in {''.join(ln for _, ln in lines)}")

    wait_for("[#")  # training is under way
    proc.send_signal(signal.SIGUSR1)
    paused = wait_for("Paused")
    time.sleep(2.0)
    resumed = time.monotonic()
    proc.send_signal(signal.SIGUSR1)
    assert proc.wait(timeout=120) == 0
    reader.join(10)
    err = "".join(ln for _, ln in lines)
    assert f"kill -USR1 {proc.pid}" in err and "Continuing." in err and "300/300" in err
    steps = [int(ln.split("] ")[1].split("/")[0]) for _, ln in lines if ln.startswith("[")]
    assert steps == list(range(steps[0], 301))  # every step once, none lost to the pause
    held = [ln for t, ln in lines if paused + 0.5 < t < resumed and ln.startswith("[")]
    assert not held, held  # nothing trained while paused (the step under way may finish)


def test_eval_recompute_measures_again_with_new_prompts(capsys, cli):
    d, f = cli
    assert sastre(capsys, "datasets", "import", f, "--name", "math", "--data-dir", d)[0] == 0
    code, out, err = sastre(
        capsys,
        "train",
        "lora",
        "--dataset",
        "math",
        "--adapter",
        "e",
        "--rank",
        "4",
        "--layers",
        "2",
        "--iters",
        "6",
        "--lr",
        "0.002",
        "--prompt",
        "hi",
        "--json",
        "--data-dir",
        d,
    )
    assert code == 0, err
    rep = json.loads(out)
    code, out, err = sastre(
        capsys, "eval", "--adapter", "e", "--prompt", "What is 2 plus 2?", "--json", "--data-dir", d
    )
    assert code == 0, err
    again = json.loads(out)
    for k in ("val_loss_before", "val_loss_after", "general_ppl_before", "general_ppl_after"):
        assert again[k] == pytest.approx(rep[k], rel=1e-3), k  # same weights, same numbers
    from engine.context import Engine

    eng = Engine(d)
    stored = eng.store.adapters.get("e").metrics
    assert [s["prompt"] for s in stored["samples"]] == ["What is 2 plus 2?"]
    assert stored["steps"] == rep["steps"] and stored["curves"]  # the run's own numbers stay
    eng.close()
    assert sastre(capsys, "datasets", "rm", "math", "--data-dir", d)[0] == 0
    code, _, err = sastre(capsys, "eval", "--adapter", "e", "--recompute", "--data-dir", d)
    assert code == 1 and "math" in err and "--recompute" in err and err.count("\n") == 1


def test_a_stopped_run_in_the_terminal_says_how_to_resume(capsys):
    """The one place lora, dpo and reward runs go through in the CLI."""
    import threading
    from types import SimpleNamespace

    from desktop.cli.progress import run_in_terminal

    seen = {}

    def train(callback, cancel, pause):
        seen.update(callback=callback, cancel=cancel, pause=pause)
        return SimpleNamespace(status="cancelled", steps=3, total=10)

    rep = run_in_terminal(train, "sastre train dpo --adapter a --resume")
    assert rep.status == "cancelled" and seen["callback"] is not None
    assert isinstance(seen["cancel"], threading.Event) and not seen["pause"].is_set()
    err = capsys.readouterr().err
    assert "Stopped at step 3/10; resume with `sastre train dpo --adapter a --resume`." in err

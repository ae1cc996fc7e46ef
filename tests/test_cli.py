"""The CLI contract, run in-process (fast) and once through the installed entry point."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.cli import main


def sastre(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def tiny_cli(capsys, data_dir, tiny_model_dir):
    code, out, err = sastre(
        capsys, "models", "import", tiny_model_dir, "--name", "tiny", "--data-dir", data_dir
    )
    assert code == 0, err
    assert sastre(capsys, "models", "default", "tiny", "--data-dir", data_dir)[0] == 0
    return data_dir


def test_chat_json_contract_and_chats_commands(capsys, tiny_cli):
    code, out, err = sastre(
        capsys,
        "chat",
        "Give me three tips",
        "--json",
        "--max-tokens",
        "8",
        "--temperature",
        "0",
        "--top-p",
        "0.5",
        "--seed",
        "1",
        "--system",
        "Be kind.",
        "--data-dir",
        tiny_cli,
    )
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == {
        "chat_id",
        "message_id",
        "text",
        "model",
        "adapter",
        "prompt_tokens",
        "generation_tokens",
        "prompt_tps",
        "generation_tps",
        "peak_memory_mb",
    }
    assert result["model"] == "tiny" and result["adapter"] is None
    assert 0 < result["generation_tokens"] <= 8

    code, out, _ = sastre(capsys, "chats", "list", "--json", "--data-dir", tiny_cli)
    chats = json.loads(out)
    assert [c["id"] for c in chats] == [result["chat_id"]]
    code, out, _ = sastre(
        capsys, "chats", "show", result["chat_id"], "--json", "--data-dir", tiny_cli
    )
    shown = json.loads(out)
    assert shown["system_prompt"] == "Be kind."
    assert shown["messages"][1]["content"] == result["text"]
    assert shown["messages"][1]["params"]["top_p"] == 0.5

    # --chat continues the same conversation.
    code, out, _ = sastre(
        capsys,
        "chat",
        "more",
        "--chat",
        result["chat_id"],
        "--json",
        "--max-tokens",
        "4",
        "--data-dir",
        tiny_cli,
    )
    assert json.loads(out)["chat_id"] == result["chat_id"]
    code, out, _ = sastre(capsys, "chats", "show", result["chat_id"], "--data-dir", tiny_cli)
    assert out.count("[user #") == 2 and "Give me three tips" in out

    # --no-save leaves no trace; rm removes.
    code, out, _ = sastre(
        capsys, "chat", "secret", "--no-save", "--json", "--max-tokens", "3", "--data-dir", tiny_cli
    )
    assert json.loads(out)["chat_id"] is None
    assert sastre(capsys, "chats", "rm", result["chat_id"], "--data-dir", tiny_cli)[0] == 0
    assert "No chats yet" in sastre(capsys, "chats", "list", "--data-dir", tiny_cli)[1]


def test_chat_streams_plain_text(capsys, tiny_cli):
    code, out, _ = sastre(
        capsys,
        "chat",
        "hi",
        "--max-tokens",
        "6",
        "--temperature",
        "1",
        "--seed",
        "2",
        "--data-dir",
        tiny_cli,
    )
    assert code == 0
    code, shown, _ = sastre(capsys, "chats", "show", "1", "--json", "--data-dir", tiny_cli)
    answer = json.loads(shown)["messages"][1]["content"]
    # What is printed is the saved answer, less the control characters the terminal
    # would act on (the tiny model writes random bytes).
    from desktop.cli.common import clean_terminal

    assert answer.strip() and out == clean_terminal(answer) + "\n"


def test_models_list_quantize_rm(capsys, tiny_cli, tiny_model_dir):
    code, out, _ = sastre(capsys, "models", "list", "--data-dir", tiny_cli)
    assert code == 0
    assert "* tiny" in out and "llama" in out and "float32" in out and str(tiny_model_dir) in out
    code, out, err = sastre(
        capsys,
        "models",
        "quantize",
        "tiny",
        "--bits",
        "4",
        "--group-size",
        "32",
        "--data-dir",
        tiny_cli,
    )
    assert code == 0, err
    models = {
        m["name"]: m
        for m in json.loads(sastre(capsys, "models", "list", "--json", "--data-dir", tiny_cli)[1])
    }
    q = models["tiny-4bit"]
    assert q["quantization"] == "4-bit (group 32)" and q["managed"]
    assert q["parameters"] == models["tiny"]["parameters"]
    assert q["size_bytes"] < models["tiny"]["size_bytes"]
    code, out, _ = sastre(
        capsys,
        "chat",
        "hi",
        "--model",
        "tiny-4bit",
        "--json",
        "--max-tokens",
        "4",
        "--data-dir",
        tiny_cli,
    )
    assert code == 0 and json.loads(out)["model"] == "tiny-4bit"
    assert sastre(capsys, "models", "rm", "tiny-4bit", "--data-dir", tiny_cli)[0] == 0
    assert not Path(q["path"]).exists()
    # Removing an imported folder only unregisters it.
    assert sastre(capsys, "models", "rm", "tiny", "--data-dir", tiny_cli)[0] == 0
    assert (tiny_model_dir / "config.json").exists()


@pytest.mark.parametrize(
    "args, expect",
    [
        (["chat", "hi", "--model", "nope"], "No model named 'nope'"),
        (["models", "import", "/does/not/exist"], "does not exist"),
        (["models", "pull", "someone/some-model"], "Offline"),
        (["models", "quantize", "tiny", "--bits", "4"], "No model named 'tiny'"),
        (["chats", "show", "42"], "no chat 42"),
        (["chat", "hi", "--chat", "42"], "no chat 42"),
        (["chat", "   "], "empty"),
    ],
)
def test_bad_input_gets_one_clear_line(capsys, data_dir, args, expect):
    code, out, err = sastre(capsys, *args, "--data-dir", data_dir)
    assert code == 1
    assert expect in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_unknown_option_is_a_usage_error(capsys, data_dir):
    with pytest.raises(SystemExit) as info:
        main(["chat", "hi", "--bogus", "--data-dir", str(data_dir)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--bogus" in err and len(err.strip().splitlines()) == 1


def test_corrupt_database_is_reported_and_kept(capsys, data_dir):
    data_dir.mkdir(parents=True)
    db = data_dir / "sastre.db"
    db.write_bytes(b"garbage" * 100)
    code, _, err = sastre(capsys, "chats", "list", "--data-dir", data_dir)
    assert code == 1 and "damaged" in err and "Traceback" not in err
    assert db.read_bytes() == b"garbage" * 100


def test_broken_model_folder_is_reported(capsys, data_dir, tiny_model_dir, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in tiny_model_dir.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    assert sastre(capsys, "models", "import", broken, "--data-dir", data_dir)[0] == 0
    (broken / "model.safetensors").write_bytes(b"\x00" * 10)
    code, _, err = sastre(capsys, "chat", "hi", "--model", "broken", "--data-dir", data_dir)
    assert code == 1 and "Could not load the model" in err and len(err.strip().splitlines()) == 1


def test_sastre_home_env_selects_the_data_dir(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SASTRE_HOME", str(tmp_path / "home"))
    assert sastre(capsys, "chats", "list")[0] == 0
    assert (tmp_path / "home" / "sastre.db").exists()


def test_doctor_reports(capsys, data_dir):
    code, out, _ = sastre(capsys, "doctor", "--json", "--data-dir", data_dir)
    checks = {c["name"]: c for c in json.loads(out)}
    assert {"platform", "mlx", "blas", "sqlite", "models", "hub", "data dir"} <= set(checks)
    assert "sqlite-vec" in checks["sqlite"]["value"]
    assert checks["data dir"]["value"] == str(data_dir.resolve())
    if Path("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0").exists():
        assert checks["blas"]["value"].startswith("OpenBLAS")
    assert "offline" in checks["hub"]["value"] or "reachable" in checks["hub"]["value"]


def test_ctrl_c_stops_cleanly_and_keeps_the_partial_answer(tiny_cli):
    """The real entry point in a subprocess: SIGINT mid-answer."""
    from store import Store

    store = Store.open(tiny_cli)  # a long answer: greedy, and no loop stop to end it first
    store.settings.set("generation", {"max_repeats": 0})
    store.close()
    exe = Path(sys.executable).parent / "sastre"
    proc = subprocess.Popen(
        [
            str(exe),
            "chat",
            "tell me a long story",
            "--max-tokens",
            "20000",
            "--temperature",
            "0",
            "--data-dir",
            str(tiny_cli),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ},
    )
    first = proc.stdout.read(1)  # wait until the answer is streaming
    assert first
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"partial answer was kept" in err and b"Traceback" not in err
    code = main(["chats", "show", "1", "--json", "--data-dir", str(tiny_cli)])
    assert code == 0


def test_regenerate_edit_versions_and_prefer_through_the_cli(capsys, tiny_cli):
    def chat_json(*args):
        code, out, err = sastre(
            capsys, "chat", *args, "--json", "--max-tokens", "6", "--data-dir", tiny_cli
        )
        assert code == 0, err
        return json.loads(out)

    first = chat_json("Name a colour", "--temperature", "0")
    again = chat_json("--regenerate", first["message_id"], "--temperature", "1", "--seed", "5")
    assert set(again) == set(first)
    assert again["chat_id"] == first["chat_id"] and again["message_id"] != first["message_id"]

    code, out, err = sastre(
        capsys, "chats", "versions", again["message_id"], "--json", "--data-dir", tiny_cli
    )
    assert code == 0, err
    versions = json.loads(out)
    assert [set(v) for v in versions] == [{"index", "content", "model", "adapter", "preferred"}] * 2
    assert [v["index"] for v in versions] == [0, 1]
    assert [v["content"] for v in versions] == [first["text"], again["text"]]
    assert not any(v["preferred"] for v in versions)

    code, out, err = sastre(
        capsys, "chats", "prefer", again["message_id"], "0", "--data-dir", tiny_cli
    )
    assert code == 0, err
    code, out, _ = sastre(
        capsys, "chats", "versions", first["message_id"], "--json", "--data-dir", tiny_cli
    )
    assert [v["preferred"] for v in json.loads(out)] == [True, False]
    code, out, _ = sastre(
        capsys, "chats", "show", first["chat_id"], "--json", "--data-dir", tiny_cli
    )
    shown = json.loads(out)["messages"]
    assert [m["id"] for m in shown][-1] == first["message_id"]  # the preferred one is shown

    user_id = shown[0]["id"]
    edited = chat_json("--edit", user_id, "Name a fruit")
    assert edited["chat_id"] == first["chat_id"]
    code, out, _ = sastre(
        capsys, "chats", "show", first["chat_id"], "--json", "--data-dir", tiny_cli
    )
    msgs = json.loads(out)["messages"]
    assert [m["content"] for m in msgs] == ["Name a fruit", edited["text"]]

    code, _, err = sastre(
        capsys, "chats", "prefer", edited["message_id"], "3", "--data-dir", tiny_cli
    )
    assert code == 1 and "versions 0 to 0" in err
    code, _, err = sastre(capsys, "chat", "--regenerate", msgs[0]["id"], "--data-dir", tiny_cli)
    assert code == 1 and "is not an answer" in err

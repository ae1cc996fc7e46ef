"""The CLI prints no terminal escapes from documents, names bad ids plainly, stops cleanly on
SIGTERM, lists failures first, and checks and repairs a damaged database."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from desktop.cli import main
from desktop.cli.common import clean_terminal
from store import Store
from store.chats import Message
from tests.robustness.helpers import CLI, ROOT, child_env
from tests.robustness.test_damage import build, damage_page_of, library

HOSTILE = (
    "Orchard report.\x1b]52;c;cm0gLXJmIH4=\x07 The codling moth\x1b[2J\x1b[H is back."
    "\x1b]0;pwned\x1b\\ Trap counts rose.\x9b31m Red\x1bc \u202eevil\u202c\x07\x08 end."
)
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def sastre(capsys, *args):
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse refuses the arguments themselves
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_terminal_removes_sequences_and_controls():
    assert clean_terminal(HOSTILE) == (
        "Orchard report. The codling moth is back. Trap counts rose. Red evil end."
    )
    assert clean_terminal("a\tb\nc\r") == "a\tb\nc"
    assert clean_terminal("progress\r", keep_cr=True) == "progress\r"
    # A sequence split over two writes is harmless: its ESC never gets out.
    assert clean_terminal("\x1b") + clean_terminal("]52;c;eA==\x07") == "]52;c;eA=="


def test_search_docs_and_chats_print_no_control_sequences(capsys, data_dir, tmp_path, fake_library):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "orchard.md").write_text(f"# Moths\x1b]0;title\x07\n\n{HOSTILE}\n")
    (folder / "evil\x1b[2Jname.md").write_text("# Evil\n\nAnother codling moth note.\n")
    outputs = []
    for args in (
        ["index", folder],
        ["search", "codling moth trap counts"],
        ["search", "codling moth", "--json"],
        ["docs", "list"],
    ):
        code, out, err = sastre(capsys, *args, "--data-dir", data_dir)
        assert code == 0, err
        outputs += [out, err]
    store = Store.open(data_dir)
    chat = store.chats.create(f"title {HOSTILE}")
    store.chats.add_message(Message(None, chat, "user", HOSTILE))
    store.chats.add_message(Message(None, chat, "assistant", HOSTILE))
    store.close()
    for args in (["chats", "show", chat], ["chats", "list"], ["chats", "show", chat, "--json"]):
        code, out, err = sastre(capsys, *args, "--data-dir", data_dir)
        assert code == 0, err
        outputs += [out, err]
    joined = "".join(outputs)
    assert "codling moth" in joined and "Trap counts rose" in joined
    assert not FORBIDDEN.search(joined.replace("\n", "").replace("\t", "")), repr(
        FORBIDDEN.search(joined)
    )


HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "args",
    [
        ["feedback", HUGE, "up"],
        ["chats", "show", HUGE],
        ["chats", "rm", HUGE],
        ["memory", "rm", HUGE],
        ["memory", "accept", "-5"],
        ["chat", "hi", "--chat", HUGE],
    ],
)
def test_huge_ids_get_one_clear_line(capsys, data_dir, args):
    code, out, err = sastre(capsys, *args, "--data-dir", data_dir)
    assert code in (1, 2) and "unexpected" not in err and "Overflow" not in err, err
    assert len(err.strip().splitlines()) == 1 and "id" in err, err


def test_store_maps_an_overflowing_id_to_a_plain_error(tmp_path):
    from store.errors import StoreError

    store = Store.open(tmp_path / "data")
    try:
        with pytest.raises(StoreError, match="too large for the database"):
            store.chats.delete(10**30)
        with pytest.raises(StoreError, match="too large for the database"):
            store.chats.get(10**30)
    finally:
        store.close()


def test_sigterm_during_chat_keeps_the_partial_answer(tiny_cli):
    from store import Store

    store = Store.open(tiny_cli)  # a long answer: the loop stop must not end it first
    store.settings.set("generation", {"max_repeats": 0})
    store.close()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CLI,
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
        env=child_env(),
        cwd=ROOT,
    )
    assert proc.stdout.read(1)  # the answer is streaming
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()[-2000:]
    assert b"partial answer was kept" in err
    listed = subprocess.run(
        [sys.executable, "-c", CLI, "chats", "list", "--json", "--data-dir", str(tiny_cli)],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=ROOT,
    )
    (chat,) = json.loads(listed.stdout)
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            CLI,
            "chats",
            "show",
            str(chat["id"]),
            "--json",
            "--data-dir",
            str(tiny_cli),
        ],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=ROOT,
    )
    answer = json.loads(shown.stdout)["messages"][-1]
    assert answer["role"] == "assistant" and answer["finish_reason"] == "cancelled"
    assert answer["content"]


def test_index_summary_lists_failures_first(capsys, data_dir, tmp_path, fake_library):
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(60):
        (folder / f"photo{i:02}.xyz").write_bytes(b"\x00")
    (folder / "zz-boom.md").write_text("# Boom\n\nThis one kills its parser.\n")
    (folder / "fine.md").write_text("# Fine\n\nA normal note.\n")
    code, out, _ = sastre(capsys, "index", folder, "--data-dir", data_dir)
    lines = out.splitlines()
    assert "1 failed" in lines[0] and "60 skipped" in lines[0]
    assert lines[1].strip().startswith("failed") and "zz-boom.md" in lines[1]
    assert "killed by signal 6" in lines[1]
    assert lines[-1].strip().startswith("… and 11 more")


def test_doctor_check_and_repair_on_a_damaged_database(capsys, tmp_path, monkeypatch):
    data, folder, chats = build(tmp_path)
    code, out, _ = sastre(capsys, "doctor", "--check", "--data-dir", data)
    assert code == 0 and "integrity" in out and "consistent (" in out
    damage_page_of(data, "documents")
    code, out, err = sastre(capsys, "docs", "list", "--data-dir", data)
    assert code == 1 and "is damaged" in err and "unexpected" not in err, err
    code, out, _ = sastre(capsys, "doctor", "--check", "--data-dir", data)
    assert code == 1 and "!!  integrity" in out and "doctor --repair" in out

    from engine import doctor

    real = doctor.repair
    monkeypatch.setattr(doctor, "repair", lambda d: real(d, library_factory=library))
    code, out, err = sastre(capsys, "doctor", "--repair", "--data-dir", data)
    assert code == 0, err
    assert "Kept a copy of the damaged database" in out and "60 messages" in out
    assert "Collection 'default' rebuilt from its files: 40 indexed." in out
    code, out, _ = sastre(capsys, "doctor", "--check", "--data-dir", data)
    assert code == 0
    code, out, _ = sastre(capsys, "chats", "list", "--json", "--data-dir", data)
    assert sorted(c["id"] for c in json.loads(out)) == sorted(chats)
    assert os.listdir(data / "backups")


def test_docs_rm_leaves_no_text_in_the_database_file(capsys, data_dir, tmp_path, fake_library):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "diary.md").write_text("# Diary\n\n" + "The quokkazanzibar plan is on. " * 40)
    (folder / "other.md").write_text("# Other\n\nNothing here.\n")
    assert sastre(capsys, "index", folder, "--data-dir", data_dir)[0] == 0
    files = lambda: b"".join(p.read_bytes() for p in data_dir.glob("sastre.db*"))  # noqa: E731
    assert b"quokkazanzibar" in files()
    code, _, err = sastre(capsys, "docs", "rm", folder / "diary.md", "--data-dir", data_dir)
    assert code == 0, err
    assert b"quokkazanzibar" not in files()

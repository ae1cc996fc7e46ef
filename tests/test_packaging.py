"""A wheel (not only a checkout) carries the data files the app reads at run time."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_ships_translations_personas_guide_and_eval_set(tmp_path):
    from engine.personalize import RESOURCES
    from engine.train.evaluate import GENERAL_SET

    src = tmp_path / "src"  # a copy: no build/ folder left from an earlier build
    skip = {".git", ".venv", "build", "dist", "tests", "bench", "docs", ".sastre-test-cache"}
    shutil.copytree(
        ROOT,
        src,
        ignore=lambda d, names: [
            n for n in names if n in skip or n.endswith((".egg-info", "_cache", "__pycache__"))
        ],
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(src),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0 and "No module named" in out.stderr:
        pytest.skip(f"cannot build a wheel here: {out.stderr.strip().splitlines()[-1]}")
    assert out.returncode == 0, out.stderr
    (wheel,) = tmp_path.glob("sastre-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    needed = [RESOURCES / "personas.json", GENERAL_SET, RESOURCES / "i18n" / "sastre_es.qm"]
    needed += sorted((RESOURCES / "sample").glob("*.md"))
    for path in needed:
        assert path.relative_to(ROOT).as_posix() in names

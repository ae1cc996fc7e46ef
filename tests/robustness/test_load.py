"""The load test runs on demand only (minutes): `scripts/robustness.sh load`. Here, with
SASTRE_LOAD=1, a small version checks that the harness itself works; the crash it
found is reproduced in a few seconds by qt_stress (longer: SASTRE_STRESS_S=60)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.robustness.helpers import ROOT, child_env


def test_job_traffic_never_wears_down_none_or_true():
    """Pool jobs searching and writing one Store, the engine thread streaming, the GUI
    appending tokens: more calls than None and True have references, and no abort
    (PySide6 6.12.0 on Python 3.11 took one reference per call: none_dealloc)."""
    seconds = os.environ.get("SASTRE_STRESS_S")
    args = ["--seconds", seconds] if seconds else []
    proc = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-m", "tests.robustness.qt_stress", *args],
        capture_output=True,
        text=True,
        timeout=120 + float(seconds or 0),
        env=child_env(QT_QPA_PLATFORM="offscreen"),
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("ok:"), proc.stdout
    assert "dealloc" not in proc.stderr, proc.stderr[-3000:]


def test_a_leaking_pyside_build_is_found_and_defused():
    from desktop import pyside_refs

    found = pyside_refs.protect()
    assert found == pyside_refs.protect()  # measured once
    if found:  # a faulty build: None and True can no longer be worn down
        assert min(sys.getrefcount(None), sys.getrefcount(True)) > sys.maxsize // 8
        assert "PySide6" in pyside_refs.describe(found)
    else:
        assert pyside_refs.leaks() == {}


@pytest.mark.skipif(not os.environ.get("SASTRE_LOAD"), reason="on demand: SASTRE_LOAD=1")
def test_load_harness_reports_its_figures(tmp_path):
    from tests.robustness.load import run

    figures = run(tmp_path, files=100, chunks=1000, answers=1)
    assert figures["indexed_chunks"] > 0 and figures["answers"] >= 1
    assert figures["longest_stall_ms"] > 0 and figures["peak_rss_mb"] > 0

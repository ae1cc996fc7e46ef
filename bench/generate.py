"""Generation speed: Sastre's path vs raw mlx_lm.stream_generate, with and without OpenBLAS.

    .venv/bin/python bench/generate.py [--rounds 5] [--max-tokens 128] [--model PATH]

Each BLAS setting runs in its own process (the BLAS must be chosen before MLX
is imported). Inside a process the two paths alternate round by round on the
same loaded model, prompt and greedy settings, so machine noise hits both
alike; medians and the Sastre/raw ratio are reported. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROMPT = (
    "Here are my notes from this week's project meeting. "
    + " ".join(
        f"Item {i}: the team reviewed task {i}, agreed on next steps, and assigned an owner."
        for i in range(30)
    )
    + " Summarise the notes in five bullet points."
)


def worker(model_path: str, rounds: int, max_tokens: int) -> dict:
    from engine.platform import blas_info

    blas = blas_info()[0]
    import mlx.core as mx
    from mlx_lm.generate import stream_generate
    from mlx_lm.sample_utils import make_sampler

    from engine.config import GenerationConfig
    from engine.generate import Generator, encode, load_model, render_chat

    loaded = load_model(model_path)
    tok = loaded.tokenizer
    tokens = encode(tok, render_chat(tok, [{"role": "user", "content": PROMPT}]))
    cfg = GenerationConfig(
        max_tokens=max_tokens, temperature=0.0, repetition_penalty=1.0, max_repeats=0
    )  # every run writes max_tokens tokens: no loop stop

    def raw():
        stream = stream_generate(
            loaded.model, tok, mx.array(tokens), max_tokens=max_tokens, sampler=make_sampler(0.0)
        )
        last = deque(stream, maxlen=1)[0]
        return last.prompt_tps, last.generation_tps, last.generation_tokens, last.peak_memory * 1000

    def sastre():
        last = deque(Generator(loaded).stream(tokens, cfg), maxlen=1)[0]  # fresh cache: cold prompt
        return last.prompt_tps, last.generation_tps, last.generation_tokens, last.peak_memory_mb

    raw(), sastre()  # warm up both paths
    res = {"raw": [], "sastre": []}
    for _ in range(rounds):
        res["raw"].append(raw())
        res["sastre"].append(sastre())

    # What the prompt cache saves on a follow-up turn of the same chat.
    import time

    def ttft(g, toks):
        t0 = time.perf_counter()
        stream = g.stream(toks, cfg)
        next(stream)
        stream.close()
        return time.perf_counter() - t0

    cached, cold, follow = [], [], []
    for _ in range(rounds):
        gen = Generator(loaded)
        answer = gen.generate(tokens, cfg)  # turn 1 fills the cache
        history = [
            {"role": "user", "content": PROMPT},
            {"role": "assistant", "content": answer},
            {"role": "user", "content": "Now make it three bullets."},
        ]
        follow = encode(tok, render_chat(tok, history))
        cached.append(ttft(gen, follow))
        cold.append(ttft(Generator(loaded), follow))

    med = lambda xs, i: statistics.median(x[i] for x in xs)  # noqa: E731
    return {
        "blas": blas,
        "prompt_tokens": len(tokens),
        "follow_up_tokens": len(follow),
        "raw_prefill_tps": med(res["raw"], 0),
        "raw_decode_tps": med(res["raw"], 1),
        "sastre_prefill_tps": med(res["sastre"], 0),
        "sastre_decode_tps": med(res["sastre"], 1),
        "generated_tokens": med(res["sastre"], 2),
        "raw_peak_mb": max(x[3] for x in res["raw"]),
        "sastre_peak_mb": max(x[3] for x in res["sastre"]),
        "followup_ttft_cached_s": statistics.median(cached),
        "followup_ttft_cold_s": statistics.median(cold),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument(
        "--model", help="model folder (default: the embedded SmolLM2, prepared if needed)"
    )
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.model, args.rounds, args.max_tokens)))
        return
    if not args.model:
        import tempfile

        from engine.context import Engine

        eng = Engine(tempfile.mkdtemp(prefix="sastre-bench-"))
        args.model = eng.models.prepare_embedded().path
    rows = []
    for blas in ("openblas", "reference"):
        env = {**os.environ, "SASTRE_BLAS": "reference" if blas == "reference" else ""}
        cmd = [
            sys.executable,
            __file__,
            "--worker",
            "--model",
            args.model,
            "--rounds",
            str(args.rounds),
            "--max-tokens",
            str(args.max_tokens),
        ]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    print(f"Model: {args.model}\n")
    print(
        "| BLAS | prompt tok | prefill tok/s raw | prefill tok/s Sastre | ratio | decode tok/s raw | "
        "decode tok/s Sastre | ratio | peak MB raw / Sastre |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['blas']} | {r['prompt_tokens']} | {r['raw_prefill_tps']:.0f} | "
            f"{r['sastre_prefill_tps']:.0f} | {r['sastre_prefill_tps'] / r['raw_prefill_tps']:.3f} | "
            f"{r['raw_decode_tps']:.1f} | {r['sastre_decode_tps']:.1f} | "
            f"{r['sastre_decode_tps'] / r['raw_decode_tps']:.3f} | "
            f"{r['raw_peak_mb']:.0f} / {r['sastre_peak_mb']:.0f} |"
        )
    print("\nFollow-up turn, time to first token (prompt cache vs cold):")
    for r in rows:
        print(
            f"- {r['blas']}: {r['follow_up_tokens']} prompt tokens, cached "
            f"{r['followup_ttft_cached_s'] * 1000:.0f} ms vs cold {r['followup_ttft_cold_s'] * 1000:.0f} ms "
            f"({r['followup_ttft_cold_s'] / r['followup_ttft_cached_s']:.1f}x)"
        )


if __name__ == "__main__":
    main()

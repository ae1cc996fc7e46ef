"""LoRA training speed: Sastre's loop vs mlx_lm's train() vs PEFT + PyTorch (CPU).

    .venv/bin/python bench/lora.py [--iters 12] [--model PATH] [--skip-peft]

Same model (default: the embedded SmolLM2-135M-Instruct, fp32), the same data
(tests/fixtures/train_data.py, chat format, prompts masked), the same batches
(mlx-lm's iterate_batches, seed 0), rank 8 on the last 4 blocks, batch 4,
Adam at 2e-4. Each backend runs in its own process so peak memory (max RSS
and, for MLX, mx.get_peak_memory) is its own. The first 2 steps (compile,
warm-up) are excluded; medians are reported. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RANK, LAYERS, BATCH, LR, SEQ, WARMUP = 8, 4, 4, 2e-4, 96, 2


def _mlx_setup(model_path: str):
    import mlx.core as mx
    from mlx_lm.tuner.datasets import CacheDataset, create_dataset
    from mlx_lm.utils import load

    from engine.train import lora
    from engine.train.config import TrainConfig
    from tests.fixtures.train_data import examples

    model, tok = load(model_path)
    cfg = TrainConfig(
        rank=RANK,
        layers=LAYERS,
        batch_size=BATCH,
        learning_rate=LR,
        max_seq_length=SEQ,
        steps_per_eval=10**6,
        save_every=10**6,
    )

    class Opts:
        mask_prompt = True

    data = CacheDataset(create_dataset(examples(), tok, Opts()))
    mx.random.seed(0)
    lora.apply_lora(model, cfg)
    return model, data, cfg


def run_sastre(model_path: str, iters: int) -> dict:
    import mlx.core as mx
    import mlx.optimizers as optim

    from engine.train import lora
    from engine.train.callbacks import TrainingCallback

    model, data, cfg = _mlx_setup(model_path)
    cfg.iters = iters
    times, tokens = [], []
    last = {"t": 0.0}

    class CB(TrainingCallback):
        def on_step(self, r):
            now = time.perf_counter()
            times.append(now - last["t"])
            tokens.append(r.trained_tokens)
            last["t"] = now

    last["t"] = time.perf_counter()
    lora.run_loop(model, optim.Adam(learning_rate=LR), data, None, cfg, CB())
    return _summary(times, tokens, mx.get_peak_memory())


def run_mlx_lm(model_path: str, iters: int) -> dict:
    import mlx.core as mx
    import mlx.optimizers as optim
    from mlx_lm.tuner.callbacks import TrainingCallback
    from mlx_lm.tuner.trainer import TrainingArgs, train

    model, data, cfg = _mlx_setup(model_path)
    times, tokens = [], []
    last = {"t": 0.0, "tok": 0}

    class CB(TrainingCallback):
        def on_train_loss_report(self, info):
            now = time.perf_counter()
            times.append(now - last["t"])
            tokens.append(info["trained_tokens"])
            last["t"] = now

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        args = TrainingArgs(
            batch_size=BATCH,
            iters=iters,
            steps_per_report=1,
            steps_per_eval=10**6,
            steps_per_save=10**6,
            max_seq_length=SEQ,
            adapter_file=f"{tmp}/a.safetensors",
        )
        last["t"] = time.perf_counter()
        # mlx-lm's iterate_batches is unseeded by default: seed it the same way.
        from functools import partial

        from mlx_lm.tuner.trainer import iterate_batches

        train(
            model,
            optim.Adam(learning_rate=LR),
            data,
            None,
            args=args,
            iterate_batches=partial(iterate_batches, seed=0),
            training_callback=CB(),
        )
    return _summary(times, tokens, mx.get_peak_memory())


def run_peft(model_path: str, iters: int) -> dict:
    import numpy as np
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model_mlx, data, cfg = _mlx_setup(model_path)  # same batches from mlx-lm
    del model_mlx
    from mlx_lm.tuner.trainer import iterate_batches

    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(model_path, torch_dtype=torch.float32)
    n = base.config.num_hidden_layers
    pcfg = LoraConfig(
        r=RANK,
        lora_alpha=20.0 * RANK,
        lora_dropout=0.0,
        target_modules=[
            "q_proj",
            "k_proj",
            "v_proj",
            "o_proj",
            "gate_proj",
            "up_proj",
            "down_proj",
        ],
        layers_to_transform=list(range(n - LAYERS, n)),
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(base, pcfg)
    model.train()
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=LR)
    batches = iterate_batches(data, BATCH, SEQ, loop=True, seed=0)
    times, tokens, total = [], [], 0
    for _ in range(iters):
        batch, lengths = next(batches)
        b, ln = np.array(batch), np.array(lengths)
        tic = time.perf_counter()
        ids = torch.tensor(b[:, :-1], dtype=torch.long)
        labels = torch.tensor(b[:, 1:], dtype=torch.long)
        steps = np.arange(1, labels.shape[1] + 1)
        mask = (steps >= ln[:, :1]) & (steps <= ln[:, 1:])
        labels[~torch.tensor(mask)] = -100
        logits = model(input_ids=ids).logits
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100
        )
        opt.zero_grad()
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - tic)
        total += int(mask.sum())
        tokens.append(total)
    return _summary(times, tokens, 0)


def _summary(times: list[float], tokens: list[int], mlx_peak: int) -> dict:
    t = times[WARMUP:]
    per_step = [tokens[i] - tokens[i - 1] for i in range(WARMUP, len(tokens))]
    return {
        "step_s": statistics.median(t),
        "tokens_per_s": sum(per_step) / sum(t),
        "mlx_peak_mb": mlx_peak / 1e6,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "steps": len(times),
    }


def default_model() -> str:
    import tempfile

    from engine.context import Engine

    with tempfile.TemporaryDirectory() as d:
        eng = Engine(d)
        path = eng.models.prepare_embedded().path
        eng.close()
    return path


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--iters", type=int, default=12)
    p.add_argument("--model", help="Model folder (default: the embedded SmolLM2, fp32).")
    p.add_argument("--skip-peft", action="store_true")
    p.add_argument("--worker", choices=("sastre", "mlx_lm", "peft"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        if args.worker != "peft":  # before mlx loads, as the app does (engine/__init__)
            from engine.platform import preload_blas

            preload_blas()
        fn = {"sastre": run_sastre, "mlx_lm": run_mlx_lm, "peft": run_peft}[args.worker]
        print(json.dumps(fn(args.model, args.iters)))
        return 0
    model = args.model or default_model()
    backends = ["sastre", "mlx_lm"] + ([] if args.skip_peft else ["peft"])
    results = {}
    for name in backends:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--worker",
                name,
                "--model",
                model,
                "--iters",
                str(args.iters),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if out.returncode != 0:
            results[name] = {"error": out.stderr.strip().splitlines()[-1]}
        else:
            results[name] = json.loads(out.stdout.strip().splitlines()[-1])
    s = results["sastre"]
    print(
        f"Model {Path(model).name}, rank {RANK}, last {LAYERS} blocks, batch {BATCH}, "
        f"max {SEQ} tokens, {args.iters} steps (first {WARMUP} excluded)\n"
    )
    print("| backend | step (median) | tokens/s | Sastre speed ratio | MLX peak | max RSS |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        if "error" in r:
            print(f"| {name} | failed: {r['error'][:80]} | | | | |")
            continue
        ratio = r["step_s"] / s["step_s"]  # >1: Sastre is faster than this backend
        peak = f"{r['mlx_peak_mb']:.0f} MB" if r["mlx_peak_mb"] else "-"
        print(
            f"| {name} | {r['step_s']:.2f} s | {r['tokens_per_s']:.1f} | {ratio:.2f}x | "
            f"{peak} | {r['max_rss_mb']:.0f} MB |"
        )
    print("\nSastre speed ratio: that backend's step time / Sastre's (1.00 = same speed).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

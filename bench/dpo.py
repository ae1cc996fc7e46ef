"""DPO training speed and memory: Sastre vs mlx-lm-lora vs TRL's DPOTrainer (CPU).

    .venv/bin/python bench/dpo.py [--iters 8] [--model PATH] [--skip-trl]

Needs, for the comparison only (not Sastre's dependencies): `pip install mlx-lm-lora`
and `pip install trl peft accelerate datasets`.

Same model (default: the embedded SmolLM2-135M-Instruct, fp32), the same 40 pairs
(tests/fixtures/pref_data.py: numbered list vs paragraph), LoRA rank 8 on the last 4
blocks, 2 pairs a step, at most 96 tokens, Adam 5e-5, sigmoid DPO with beta 0.1 and
no NLL term (what the other two compute). Sastre scores the pairs with the
reference once, before training, on the same model (that one-time pass is reported
apart), and puts chosen and rejected through one forward pass; mlx-lm-lora keeps a
second, frozen copy of the model and runs it on every step; TRL with PEFT uses the
base with the adapter disabled as its reference, every step. Each backend runs in its
own process so peak memory (max RSS and, for MLX, mx.get_peak_memory) is its own. The
first 2 steps (compile, warm-up) are excluded; medians are reported.
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

RANK, LAYERS, BATCH, LR, SEQ, BETA, WARMUP = 8, 4, 2, 5e-5, 96, 0.1, 2


def _rows() -> list[dict]:
    from tests.fixtures.pref_data import pairs

    return [
        {"prompt": p.prompt[0]["content"], "chosen": p.chosen, "rejected": p.rejected}
        for p in pairs()
    ]


class _Timer:
    def __init__(self):
        self.times, self.last = [], time.perf_counter()

    def tick(self) -> None:
        now = time.perf_counter()
        self.times.append(now - self.last)
        self.last = now


def run_sastre(model_path: str, iters: int) -> dict:
    import mlx.core as mx
    import mlx.optimizers as optim
    from mlx_lm.utils import load

    from engine.train import loop, lora, reference
    from engine.train import preference as pr
    from engine.train.callbacks import TrainingCallback

    model, tok = load(model_path)
    cfg = pr.PreferenceConfig(
        rank=RANK,
        layers=LAYERS,
        batch_size=BATCH,
        learning_rate=LR,
        max_seq_length=SEQ,
        beta=BETA,
        nll_weight=0.0,
        iters=iters,
    )
    mx.random.seed(0)
    lora.apply_lora(model, cfg)
    examples = [
        pr.PreferenceExample(pr.messages(r["prompt"]), r["chosen"], r["rejected"]) for r in _rows()
    ]
    seqs = pr.sequences(tok, examples, SEQ)
    tic = time.perf_counter()
    ref = reference.compute(model, seqs, SEQ)
    ref_seconds = time.perf_counter() - tic
    timer = _Timer()

    class CB(TrainingCallback):
        def on_step(self, r):
            timer.tick()

    opt = optim.Adam(learning_rate=LR)
    timer.last = time.perf_counter()
    loop.run_loop(
        model, opt, pr.make_loss(cfg), pr.batches(examples, seqs, ref, cfg), CB(), iters=iters
    )
    return _summary(timer.times, mx.get_peak_memory(), reference_s=ref_seconds)


def run_mlx_lm_lora(model_path: str, iters: int) -> dict:
    import mlx.core as mx
    import mlx.optimizers as optim
    from mlx_lm.tuner.callbacks import TrainingCallback
    from mlx_lm.utils import load
    from mlx_lm_lora.trainer.datasets import DPODataset
    from mlx_lm_lora.trainer.dpo_trainer import DPOTrainingArgs, train_dpo

    from engine.train import lora
    from engine.train.config import TrainConfig

    # train_dpo sets Metal's wired-memory limit first; on the CPU build there is none.
    mx.set_wired_limit = lambda *_a: 0
    real_info = mx.device_info
    mx.device_info = lambda: {"max_recommended_working_set_size": 0, **real_info()}
    model, tok = load(model_path)
    ref_model, _ = load(model_path)  # mlx-lm-lora's reference: a second, frozen copy
    ref_model.freeze()
    mx.random.seed(0)
    lora.apply_lora(model, TrainConfig(rank=RANK, layers=LAYERS, scale=20.0))
    data = DPODataset(_rows(), tok)
    timer = _Timer()

    class CB(TrainingCallback):
        def on_train_loss_report(self, info):
            timer.tick()

    import tempfile

    import numpy as np

    np.random.seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        args = DPOTrainingArgs(
            batch_size=BATCH,
            iters=iters,
            steps_per_report=1,
            steps_per_eval=10**6,
            steps_per_save=10**6,
            max_seq_length=SEQ,
            beta=BETA,
            loss_type="sigmoid",
            adapter_file=f"{tmp}/a.safetensors",
        )
        timer.last = time.perf_counter()
        train_dpo(
            model,
            ref_model,
            optim.Adam(learning_rate=LR),
            data,
            None,
            args=args,
            training_callback=CB(),
            loss_type="sigmoid",
        )
    return _summary(timer.times, mx.get_peak_memory())


def run_trl(model_path: str, iters: int) -> dict:
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import DPOConfig, DPOTrainer

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(model_path, torch_dtype=torch.float32)
    tok = AutoTokenizer.from_pretrained(model_path)
    n = model.config.num_hidden_layers
    peft = LoraConfig(
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
    rows = [
        {
            "prompt": [{"role": "user", "content": r["prompt"]}],
            "chosen": [{"role": "assistant", "content": r["chosen"]}],
            "rejected": [{"role": "assistant", "content": r["rejected"]}],
        }
        for r in _rows()
    ]
    timer = _Timer()

    class CB(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            timer.tick()

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        cfg = DPOConfig(
            output_dir=tmp,
            per_device_train_batch_size=BATCH,
            max_steps=iters,
            learning_rate=LR,
            beta=BETA,
            loss_type="sigmoid",
            max_length=SEQ,
            logging_steps=10**6,
            save_strategy="no",
            report_to=[],
            use_cpu=True,
            lr_scheduler_type="constant",
            warmup_steps=0,
            seed=0,
            dataloader_num_workers=0,
        )
        trainer = DPOTrainer(
            model=model,
            args=cfg,
            train_dataset=Dataset.from_list(rows),
            processing_class=tok,
            peft_config=peft,
            callbacks=[CB()],
        )
        timer.last = time.perf_counter()
        trainer.train()
    return _summary(timer.times, 0)


def _summary(times: list[float], mlx_peak: int, **extra) -> dict:
    t = times[WARMUP:]
    return {
        "step_s": statistics.median(t),
        "mlx_peak_mb": mlx_peak / 1e6,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "steps": len(times),
        **extra,
    }


WORKERS = {"sastre": run_sastre, "mlx_lm_lora": run_mlx_lm_lora, "trl": run_trl}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--iters", type=int, default=8)
    p.add_argument("--model", help="Model folder (default: the embedded SmolLM2, fp32).")
    p.add_argument("--skip-trl", action="store_true")
    p.add_argument("--worker", choices=tuple(WORKERS), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        if args.worker != "trl":  # before mlx loads, as the app does (engine/__init__)
            from engine.platform import preload_blas

            preload_blas()
        print(json.dumps(WORKERS[args.worker](args.model, args.iters)))
        return 0
    from bench.lora import default_model

    model = args.model or default_model()
    backends = ["sastre", "mlx_lm_lora"] + ([] if args.skip_trl else ["trl"])
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
            results[name] = {"error": (out.stderr.strip().splitlines() or ["?"])[-1]}
        else:
            results[name] = json.loads(out.stdout.strip().splitlines()[-1])
    _table(model, args.iters, results)
    return 0


def _table(model: str, iters: int, results: dict) -> None:
    s = results["sastre"]
    print(
        f"Model {Path(model).name}, rank {RANK}, last {LAYERS} blocks, {BATCH} pairs a step, "
        f"max {SEQ} tokens, {iters} steps (first {WARMUP} excluded)\n"
    )
    print(
        "| backend | step (median) | Sastre speed vs this | MLX peak | Sastre MLX peak vs this "
        "| max RSS | Sastre RSS vs this |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        if "error" in r or "error" in s:
            print(f"| {name} | failed: {r.get('error', '')[:90]} | | | | | |")
            continue
        speed = r["step_s"] / s["step_s"]  # >1: Sastre is faster
        peak = f"{r['mlx_peak_mb']:.0f} MB" if r["mlx_peak_mb"] else "-"
        pratio = f"{s['mlx_peak_mb'] / r['mlx_peak_mb']:.2f}x" if r["mlx_peak_mb"] else "-"
        print(
            f"| {name} | {r['step_s']:.2f} s | {speed:.2f}x | {peak} | {pratio} | "
            f"{r['max_rss_mb']:.0f} MB | {s['max_rss_mb'] / r['max_rss_mb']:.2f}x |"
        )
    if "reference_s" in s:
        print(f"\nSastre's one-time reference pass over the 40 pairs: {s['reference_s']:.1f} s.")
    print(
        "Speed: that backend's step time / Sastre's (>1: Sastre faster). Memory: Sastre's "
        "/ that backend's (<1: Sastre uses less)."
    )


if __name__ == "__main__":
    sys.exit(main())

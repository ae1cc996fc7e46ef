"""The optional reward model and best of N, on the real embedded model.

    .venv/bin/python bench/reward.py [--epochs 1] [--n 4] [--max-tokens 48]

Trains a reward model (a head on the frozen SmolLM2-135M-Instruct, Bradley-Terry
loss) on the 32 training pairs of tests/fixtures/pref_data.py (numbered list vs the
same advice as a paragraph), reports its held-out pair accuracy and training time,
then answers the 8 held-out prompts twice with the same sampling (temperature 0.7,
the same seeds): one sample, and best of N scored by the reward model. It reports
how often each answer has the preferred behaviour (a numbered list, pref_data.is_list),
the rate over all N samples (what one sample gives on average), and the time ratio.
Prints one JSON object last.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--max-tokens", type=int, default=48)
    ap.add_argument(
        "--suffix",
        default="",
        help='Appended to each held-out question (e.g. " Give me a few tips."), so that some '
        "samples are lists and the reward model has something to choose.",
    )
    args = ap.parse_args()

    from engine.config import GenerationConfig
    from engine.context import Engine
    from engine.train import preference as pr
    from engine.train.reward import RewardConfig
    from tests.fixtures import pref_data as pd

    eng = Engine(Path(tempfile.mkdtemp()) / "data")
    eng.models.prepare_embedded()
    cfg = RewardConfig(max_seq_length=96, epochs=args.epochs)
    tic = time.perf_counter()
    rep = eng.training.train_reward(pd.pairs(), name="judge", config=cfg)
    train_s = time.perf_counter() - tic
    ev = rep.evaluation
    _, held = pr.split(pd.pairs(), cfg.heldout_fraction, cfg.seed)  # the run's own split

    one, best, every, t_one, t_best = [], [], [], 0.0, 0.0
    for i, e in enumerate(held):
        q = e.prompt[-1]["content"] + args.suffix
        gc = GenerationConfig(max_tokens=args.max_tokens, temperature=0.7, seed=1000 * i)
        tic = time.perf_counter()
        single = list(eng.chat.send(q, config=gc, save=False, personalize=False))[-1].result
        t_one += time.perf_counter() - tic
        tic = time.perf_counter()
        res = list(eng.chat.send(q, config=gc, save=False, personalize=False, best_of=args.n))[
            -1
        ].result
        t_best += time.perf_counter() - tic
        one.append(pd.is_list(single.text))
        best.append(pd.is_list(res.text))
        every += [pd.is_list(a) for a in res.best_of["answers"]]
        print(f"{q!r}: one {one[-1]}, best {best[-1]}, samples {every[-args.n :]}", file=sys.stderr)
    out = {
        "pairs_train": ev["pairs_train"],
        "pairs_heldout": ev["pairs_heldout"],
        "acc_before": ev["acc_before"],
        "acc_after": ev["acc_after"],
        "margin_after": ev["margin_after"],
        "train_steps": rep.steps,
        "train_seconds": round(train_s, 1),
        "n": args.n,
        "suffix": args.suffix,
        "prompts": len(held),
        "list_rate_one_sample": round(sum(one) / len(one), 3),
        "list_rate_all_samples": round(sum(every) / len(every), 3),
        "list_rate_best_of_n": round(sum(best) / len(best), 3),
        "seconds_one": round(t_one / len(held), 2),
        "seconds_best_of_n": round(t_best / len(held), 2),
        "time_ratio": round(t_best / t_one, 2),
    }
    print(json.dumps(out))
    eng.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

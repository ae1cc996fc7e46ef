"""Best of N at chat time: sample N answers, score each with the reward model
(engine.train.reward), keep the best one.

The samples use distinct seeds and a temperature above 0 even when the settings
(or the auto defaults for a small model) are greedy: N greedy answers would be one
answer N times. The reward model was trained on the base, so a chat adapter is
taken off while the answers are scored and put back after. The scores, the other
answers and the time taken are saved with the answer (in its params).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from engine.config import GenerationConfig
from engine.errors import SastreError
from store import Store
from store.adapters import REWARD, AdapterRecord

MAX_N = 8
SAMPLE_TEMPERATURE = 0.7  # when the turn's own temperature is 0 (greedy)
CHOICES = (1, 2, 3, 4, 6, 8)  # what the app's N picker offers; 1 is off


class RewardModelMissing(SastreError):
    pass


def reward_models(store: Store, model: str | None = None) -> list[AdapterRecord]:
    """Ready reward models, oldest first; only those trained on `model` if given."""
    out = [r for r in store.adapters.list(reward=True) if r.status == "ready"]
    return [r for r in out if model is None or r.base_model == model]


def reward_record(store: Store, name: str | None, model: str) -> AdapterRecord:
    """The reward model a turn uses: the one named, else the newest for `model`."""
    if name:
        rec = store.adapters.get(name)
        if rec is None or rec.method != REWARD or rec.status != "ready":
            known = ", ".join(r.name for r in reward_models(store)) or "none yet"
            raise RewardModelMissing(
                f"There is no reward model '{name}' ready (reward models: {known}). Train "
                "one in the Training panel or with `sastre train reward --name NAME`."
            )
        if rec.base_model != model:
            raise RewardModelMissing(
                f"Reward model '{name}' was trained on {rec.base_model}, not {model}; use it "
                "with its own model, or train one for this model."
            )
        return rec
    mine = reward_models(store, model)
    if not mine:
        raise RewardModelMissing(
            f"Best of N needs a reward model for {model} and there is none yet: train one in "
            "the Training panel (Train a reward model) or with `sastre train reward --name "
            "NAME`, or turn best of N off."
        )
    return mine[-1]


def sample_configs(config: GenerationConfig, n: int) -> list[GenerationConfig]:
    """N settings that differ in seed only, each sampling (temperature > 0)."""
    seed = config.seed if config.seed is not None else random.randrange(2**31 - n)
    temp = config.temperature if config.temperature else SAMPLE_TEMPERATURE
    base = config.to_dict()
    return [GenerationConfig.from_dict({**base, "temperature": temp, "seed": seed + i}) for i in range(n)]  # fmt: skip


@dataclass
class Picked:
    """The samples, their scores and the winner (its generation chunks, to replay)."""

    reward_model: str
    n: int
    answers: list[str]
    scores: list[float]
    chosen: int
    seconds: float
    chunks: list[Any] = field(default_factory=list)

    def report(self) -> dict:
        return {
            "n": self.n,
            "sampled": len(self.answers),
            "reward_model": self.reward_model,
            "scores": [round(s, 4) for s in self.scores],
            "chosen": self.chosen,
            "answers": self.answers,
            "seconds": round(self.seconds, 2),
        }


class Judge:
    """A reward model for one turn, on the chat's loaded model (no second copy)."""

    def __init__(self, rec: AdapterRecord, loaded: Any, adapter_path: str | None):
        self.rec, self.loaded, self.adapter_path = rec, loaded, adapter_path

    def pick(
        self,
        gen: Any,
        tokens: list[int],
        config: GenerationConfig,
        n: int,
        question: list[dict[str, str]],
        cancel: threading.Event | None = None,
    ) -> Picked:
        tic = time.perf_counter()
        samples: list[list[Any]] = []
        for cfg in sample_configs(config, n):
            if cancel is not None and cancel.is_set() and samples:
                break  # stopped: the best of those already sampled
            chunks = list(gen.stream(tokens, cfg, cancel))
            samples.append(chunks)
            if chunks and chunks[-1].finish_reason == "cancelled":
                break
        answers = ["".join(c.text for c in ch) for ch in samples]
        scores = self.score(question, answers)
        best = max(range(len(scores)), key=lambda i: scores[i])
        took = time.perf_counter() - tic
        return Picked(self.rec.name, n, answers, scores, best, took, samples[best])

    def score(self, question: list[dict[str, str]], answers: list[str]) -> list[float]:
        from engine.generate import set_adapter
        from engine.train import reward as rw

        loaded = self.loaded
        if loaded.adapter:
            set_adapter(loaded, None)  # the reward model reads the base's hidden states
        try:
            rm = rw.load(loaded.model, self.rec.path)
            return rw.score_answers(rm, loaded.tokenizer, question, answers)
        finally:
            if self.adapter_path:
                set_adapter(loaded, self.adapter_path)


def saved(report: dict | None) -> dict:
    """What an answer's params keep of best of N."""
    return {"best_of": report} if report else {}


def estimate_seconds(n: int, last_tokens: int | None, last_tps: float | None) -> float | None:
    """About how long best of `n` takes, from the last answer's length and speed."""
    if not last_tokens or not last_tps:
        return None
    return n * last_tokens / last_tps

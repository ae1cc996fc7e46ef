"""How an answer is sampled: defaults per model size and task, stop tokens, loop detection.

One rule for the chat turn, `sastre ask` and the server. A setting the user chose
(a value in GenerationConfig) always wins; a field left as None ("auto") is filled
here. Small models (like the built-in 135M one) wander and loop when sampled at the
usual 0.7, and document answers should say what the sources say, so both decode
greedily; larger models chatting keep some variety. The measurements behind the
numbers are in BENCHMARKS.md ("Answer quality", from bench/answers.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from engine.config import GenerationConfig

CHAT, DOCUMENTS = "chat", "documents"
SMALL_MODEL_PARAMS = 1_500_000_000

# Filled into the fields a config leaves as None: (task, small model?) -> values.
# A small model decoding greedily repeats its own phrases: with a penalty of 1.05 on the
# answer's recent tokens 5 of 51 answers of the built-in model were degenerate, with
# 1.15 none, and more were on topic (BENCHMARKS.md, "Answer quality").
_AUTO: dict[tuple[str, bool], dict[str, Any]] = {
    (DOCUMENTS, True): {"temperature": 0.0, "top_p": 1.0, "repetition_penalty": 1.15},
    (DOCUMENTS, False): {"temperature": 0.0, "top_p": 1.0, "repetition_penalty": 1.05},
    (CHAT, True): {"temperature": 0.0, "top_p": 1.0, "repetition_penalty": 1.15},
    (CHAT, False): {"temperature": 0.7, "top_p": 0.9, "repetition_penalty": 1.05},
}
MAX_REPEATS = 3  # a stretch of output written this many times in a row ends the answer
LOOP_MIN_TOKENS = 24  # ...when the repeated part is at least this long in all
LOOP_MAX_PERIOD = 64

# Tokens that end a turn or a text in the chat formats in use. A model that writes one
# has finished its answer; one that starts a new turn (<|im_start|>) has finished too.
END_TOKENS = frozenset(
    {
        "<|endoftext|>",
        "<|im_end|>",
        "<|im_start|>",
        "<|eot_id|>",
        "<|eom_id|>",
        "<|end_of_text|>",
        "<|start_header_id|>",
        "<|end|>",
        "<|user|>",
        "<|return|>",
        "<end_of_turn>",
        "<start_of_turn>",
        "</s>",
        "<eos>",
    }
)


def approx_params(config: dict) -> int | None:
    """Parameters of a transformer from its config.json (None when it does not say)."""
    try:
        hidden = int(config["hidden_size"])
        layers = int(config["num_hidden_layers"])
        inter = int(config.get("intermediate_size") or 4 * hidden)
        vocab = int(config.get("vocab_size") or 0)
    except (KeyError, TypeError, ValueError):
        return None
    embed = vocab * hidden * (1 if config.get("tie_word_embeddings", True) else 2)
    return embed + layers * (4 * hidden * hidden + 3 * hidden * inter)


def resolve(
    config: GenerationConfig | None, task: str = CHAT, n_params: int | None = None
) -> GenerationConfig:
    """A copy of `config` with every auto (None) sampling field filled for the task and model.

    The user's explicit values are kept as they are. An unknown size counts as small:
    the safe side for the models Sastre ships and trains.
    """
    cfg = config or GenerationConfig()
    small = n_params is None or n_params < SMALL_MODEL_PARAMS
    auto = _AUTO.get((task, small), _AUTO[(CHAT, small)])
    filled = {k: v for k, v in auto.items() if getattr(cfg, k) is None}
    if cfg.max_repeats is None:
        filled["max_repeats"] = MAX_REPEATS
    return dataclasses.replace(cfg, **filled) if filled else cfg


def is_resolved(config: GenerationConfig) -> bool:
    return all(getattr(config, k) is not None for k in (*_AUTO[(CHAT, True)], "max_repeats"))


def looping(tokens: Sequence[int], repeats: int = MAX_REPEATS) -> bool:
    """True when the end of `tokens` is one stretch written `repeats` times in a row, and
    the repeated text is long enough (LOOP_MIN_TOKENS) not to be an ordinary '...' or list."""
    if repeats < 2:
        return False
    tokens = list(tokens)
    n = len(tokens)
    for period in range(1, LOOP_MAX_PERIOD + 1):
        span = period * max(repeats, -(-LOOP_MIN_TOKENS // period))
        if span > n:
            continue
        # periodic with this period <=> equal to itself shifted by one period
        if tokens[n - span + period :] == tokens[n - span : n - period]:
            return True
    return False

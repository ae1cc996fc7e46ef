"""Training settings: one dataclass, help in field metadata (CLI help and GUI tooltips)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.config import Settings, opt

# GUI presets: (rank, layers, epochs)
PRESETS = {
    "quick": {"rank": 4, "layers": 4, "epochs": 1.0},
    "balanced": {"rank": 8, "layers": 8, "epochs": 2.0},
    "thorough": {"rank": 16, "layers": 16, "epochs": 4.0},
}


@dataclass
class TrainConfig(Settings):
    preset: str = opt("balanced", "quick, balanced or thorough: fills rank, layers and epochs.")
    rank: int | None = opt(None, "LoRA rank: more learns more, costs memory.", min=1, max=256)
    layers: int | None = opt(
        None, "How many of the last transformer blocks get adapters.", min=1, max=1000
    )
    iters: int | None = opt(None, "Training steps (default: from --epochs).", min=1, max=10**7)
    epochs: float | None = opt(None, "Passes over the training split.", min=0.01, max=1000.0)
    learning_rate: float | None = opt(None, "Adam learning rate.", min=1e-8, max=1.0)
    batch_size: int | None = opt(None, "Examples per step.", min=1, max=1024)
    max_seq_length: int | None = opt(
        None, "Longest example in tokens; longer ones are truncated.", min=8, max=131072
    )
    scale: float = opt(20.0, "LoRA scale (mlx-lm's; PEFT's alpha is scale x rank).", min=0.0)
    dropout: float = opt(0.0, "LoRA dropout.", min=0.0, max=0.9)
    mask_prompt: bool = opt(True, "Chat/completions data: learn only the answers, not the prompts.")
    steps_per_eval: int | None = opt(None, "Validation every N steps.", min=1)
    save_every: int | None = opt(None, "Checkpoint every N steps (resume from it).", min=1)
    seed: int = opt(0, "Random seed (batch order, LoRA init).")
    forgetting_threshold: float = opt(
        0.1,
        "Flag forgetting when general-set perplexity rises more than this fraction.",
        min=0.0,
    )
    eval_prompts: list | None = opt(None, "Prompts answered before and after, side by side.")
    eval_max_tokens: int = opt(64, "Longest before/after answer, in tokens.", min=1, max=4096)

    def resolved(
        self, *, n_layers: int, parameters: int, n_train: int, longest: int, context: int
    ) -> TrainConfig:
        """Fill unset values from the preset, the model and the dataset size."""
        if self.preset not in PRESETS:
            from engine.errors import SastreError

            raise SastreError(f"Unknown preset '{self.preset}'; use one of {', '.join(PRESETS)}.")
        p = PRESETS[self.preset]
        c = TrainConfig.from_dict(self.to_dict())
        c.rank = c.rank or p["rank"]
        c.layers = min(c.layers or p["layers"], n_layers)
        c.batch_size = c.batch_size or max(1, min(4, n_train))
        c.batch_size = min(c.batch_size, max(1, n_train))
        if c.iters is None:
            epochs = c.epochs or p["epochs"]
            c.iters = max(10, math.ceil(epochs * n_train / c.batch_size))
        # Small models tolerate (and need) a larger step than multi-billion ones.
        c.learning_rate = c.learning_rate or (2e-4 if parameters < 1e9 else 1e-4)
        if c.max_seq_length is None:
            c.max_seq_length = min(context, 2048, max(64, 32 * math.ceil(longest / 32)))
        c.steps_per_eval = c.steps_per_eval or max(1, min(200, c.iters // 5))
        c.save_every = c.save_every or max(1, min(100, c.iters // 4))
        return c

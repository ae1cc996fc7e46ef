"""Training on the user's data: datasets, LoRA/QLoRA, evaluation, adapters.

Built on mlx-lm's tuner (`linear_to_lora_layers`, `iterate_batches`,
`default_loss`, `evaluate`); see engine.train.lora for why Sastre drives those
building blocks with its own small loop instead of calling `train()`.
"""

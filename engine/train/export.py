"""Adapters out of Sastre: fused model folder, PEFT-style safetensors, GGUF; and back.

PEFT stores lora_A (r x in) and lora_B (out x r) with scaling alpha / r; mlx-lm
stores lora_a (in x r), lora_b (r x out) with a direct `scale`. So
lora_A = lora_a.T, lora_B = lora_b.T and lora_alpha = scale * r.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from engine.errors import SastreError
from engine.train import files
from engine.train.lora import ADAPTER_FILE, CONFIG_FILE

GGUF_TYPES = ("llama", "mistral", "mixtral")  # what mlx_lm.gguf writes
_MLX_KEY = re.compile(r"^(?P<path>.+)\.lora_(?P<ab>[ab])$")


def fuse(
    base_path: str | Path, adapter_path: str | Path, out: str | Path, dequantize: bool = False
) -> Path:
    """Merge the adapter into the base weights and save a normal model folder."""
    from mlx.utils import tree_unflatten
    from mlx_lm.utils import dequantize_model, load, save

    out = Path(out)
    if out.exists():
        raise SastreError(f"{out} already exists; choose another name or remove it.")
    model, tokenizer, config = load(
        str(base_path), adapter_path=str(adapter_path), return_config=True
    )
    fused = [
        (n, m.fuse(dequantize=dequantize)) for n, m in model.named_modules() if hasattr(m, "fuse")
    ]
    if fused:
        model.update_modules(tree_unflatten(fused))
    if dequantize:
        model = dequantize_model(model)
        config.pop("quantization", None)
        config.pop("quantization_config", None)
    tmp = out.with_name(f".{out.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    save(tmp, str(base_path), model, tokenizer, config, donate_model=False)
    tmp.rename(out)  # a half-written folder never carries the final name
    return out


def export_peft(adapter_path: str | Path, out: str | Path, base_name: str = "") -> Path:
    """adapter_model.safetensors + adapter_config.json that PEFT (and vLLM, llama.cpp's
    convert_lora_to_gguf) read."""
    import mlx.core as mx

    adapter_path, out = Path(adapter_path), Path(out)
    cfg = json.loads((adapter_path / CONFIG_FILE).read_text())
    lp = cfg["lora_parameters"]
    weights = mx.load(str(adapter_path / ADAPTER_FILE))
    tensors, targets, layers = {}, set(), set()
    for key, value in weights.items():
        m = _MLX_KEY.match(key)
        if not m:
            continue
        path = m["path"]
        targets.add(path.rsplit(".", 1)[-1])
        if (lm := re.search(r"layers\.(\d+)\.", path)) is not None:
            layers.add(int(lm[1]))
        name = "A" if m["ab"] == "a" else "B"
        tensors[f"base_model.model.{path}.lora_{name}.weight"] = value.T.astype(mx.float32)
    files.save_safetensors(out / "adapter_model.safetensors", tensors, {"format": "pt"})
    files.write_json(
        out / "adapter_config.json",
        {
            "peft_type": "LORA",
            "task_type": "CAUSAL_LM",
            "base_model_name_or_path": base_name or cfg.get("sastre", {}).get("base_model", ""),
            "r": lp["rank"],
            "lora_alpha": lp["scale"] * lp["rank"],
            "lora_dropout": lp.get("dropout", 0.0),
            "target_modules": sorted(targets),
            "layers_to_transform": sorted(layers),
            "bias": "none",
            "fan_in_fan_out": False,
            "inference_mode": True,
        },
    )
    return out


def import_peft(peft_path: str | Path, out: str | Path) -> Path:
    """A PEFT LoRA folder back into an mlx-lm adapter folder (the round-trip check)."""
    import mlx.core as mx

    peft_path, out = Path(peft_path), Path(out)
    pc = json.loads((peft_path / "adapter_config.json").read_text())
    weights = mx.load(str(peft_path / "adapter_model.safetensors"))
    tensors = {}
    for key, value in weights.items():
        m = re.match(r"^base_model\.model\.(.+)\.lora_([AB])\.weight$", key)
        if m:
            tensors[f"{m[1]}.lora_{m[2].lower()}"] = value.T
    layers = pc.get("layers_to_transform") or []
    n_layers = (max(layers) - min(layers) + 1) if layers else 0
    files.save_safetensors(out / ADAPTER_FILE, tensors)
    files.write_json(
        out / CONFIG_FILE,
        {
            "fine_tune_type": "lora",
            "num_layers": n_layers,
            "lora_parameters": {
                "rank": pc["r"],
                "scale": pc["lora_alpha"] / pc["r"],
                "dropout": pc.get("lora_dropout", 0.0),
            },
        },
    )
    return out


def export_gguf(fused_path: str | Path, out_file: str | Path) -> Path:
    """GGUF of a fused, unquantized model, for the architectures mlx-lm can write."""
    import mlx.core as mx
    from mlx_lm.gguf import convert_to_gguf

    fused_path = Path(fused_path)
    config = json.loads((fused_path / "config.json").read_text())
    if config.get("model_type") not in GGUF_TYPES:
        raise SastreError(
            f"mlx-lm writes GGUF only for {', '.join(GGUF_TYPES)} models, not "
            f"{config.get('model_type')}; export the fused folder or PEFT files instead."
        )
    if config.get("quantization"):
        raise SastreError("GGUF export needs an unquantized model: fuse with --dequantize.")
    weights = {}
    for st in sorted(fused_path.glob("*.safetensors")):
        weights.update(mx.load(str(st)))
    convert_to_gguf(fused_path, weights, config, str(out_file))
    return Path(out_file)

"""Reference log-probs for preference training: computed once, cached on disk.

The reference is the policy as it starts: the base model with the new adapter's
LoRA layers at zero (exactly the base), or the base with the starting adapter
(--base-adapter). Its log-probs of every answer are computed once, before
training, on the same model object (never a second copy in memory), and saved
under <data dir>/cache/reference/, keyed by the base model's weights, the
starting adapter's weights and the token sequences (so the pairs' content, the
chat template and the length limit). Another run on the same data reuses them;
a changed base or starting adapter computes them anew.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from engine.train import files

BATCH = 4


def _fingerprint(folder: str | Path | None) -> list | None:
    """Weights files of a model or adapter folder: name, size, and a hash of the head."""
    if folder is None:
        return None
    out = []
    for p in sorted(Path(folder).glob("*.safetensors")):
        with open(p, "rb") as f:
            head = hashlib.sha256(f.read(1 << 20)).hexdigest()
        out.append([p.name, p.stat().st_size, p.stat().st_mtime_ns, head])
    return out


def cache_key(
    base: str,
    base_path: str,
    adapter: str | None,
    adapter_path: str | None,
    seqs: list[tuple[list[int], int]],
) -> str:
    h = hashlib.sha256()
    h.update(
        json.dumps([base, _fingerprint(base_path), adapter, _fingerprint(adapter_path)]).encode()
    )
    for s, start in seqs:
        h.update(json.dumps([start, s]).encode())
    return h.hexdigest()[:32]


def compute(model, seqs: list[tuple[list[int], int]], max_len: int, callback=None) -> list[float]:
    """Summed answer log-probs of each sequence under `model` as it is now."""
    import mlx.core as mx

    from engine.train.preference import pack, sequence_logps

    model.eval()
    out: list[float] = []
    for i in range(0, len(seqs), BATCH):
        if callback is not None:
            callback.on_status("Scoring the answers with the reference", i / len(seqs))
        tokens, lengths = pack(seqs[i : i + BATCH], max_len)
        logp, _ = sequence_logps(model, tokens, lengths)
        mx.eval(logp)
        out += [float(x) for x in logp.tolist()]
    return out


def logps(model, seqs, max_len: int, cache_dir: Path, key: str, callback=None):
    """(log-probs, whether they came from the cache)."""
    import mlx.core as mx

    path = Path(cache_dir) / f"{key}.safetensors"
    if path.is_file():
        values = mx.load(str(path))["logps"].tolist()
        if len(values) == len(seqs):
            return [float(v) for v in values], True
    values = compute(model, seqs, max_len, callback)
    files.save_safetensors(path, {"logps": mx.array(values, dtype=mx.float32)})
    return values, False

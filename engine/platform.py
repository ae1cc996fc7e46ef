"""Platform facts: which BLAS MLX uses, which device, where data lives.

`preload_blas()` must run before the first `import mlx.core`: MLX's Linux CPU
build ships a slow reference BLAS, and a system OpenBLAS loaded first with
RTLD_GLOBAL takes over its symbols (fp32 matmuls ran 10-40x faster here).
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

# Debian/Ubuntu package paths, most specific first (libopenblas0-pthread).
_OPENBLAS_CANDIDATES = (
    "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
    "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
    "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
    "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
    "/usr/lib64/libopenblas.so.0",
)

_blas_state: dict[str, str | None] = {"name": None, "path": None}
# A pip-installed OpenBLAS (cmeel-openblas: unprefixed cblas_* symbols; needs libgfortran.so.5).
_PIP_OPENBLAS = "cmeel.prefix/lib/libopenblas.so.0"
SLOW_BLAS_NOTE = (
    "MLX is using its slow bundled BLAS: prompts read ~14x and training runs ~11x slower."
)


def openblas_candidates(site_dirs: list[str] | None = None) -> list[str]:
    """Where an OpenBLAS MLX can use may be: Debian's, then one pip put in this Python."""
    import sysconfig

    sites = site_dirs if site_dirs is not None else [sysconfig.get_paths()["purelib"]]
    return [*_OPENBLAS_CANDIDATES, *(os.path.join(d, _PIP_OPENBLAS) for d in sites)]


def find_openblas(site_dirs: list[str] | None = None) -> str | None:
    return next((p for p in openblas_candidates(site_dirs) if os.path.exists(p)), None)


def openblas_fix(which=None, is_root: bool | None = None, gfortran: bool | None = None) -> str:
    """The exact command that gets this machine an OpenBLAS MLX can use."""
    import shutil

    which = which or shutil.which
    if is_root is None:
        is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if which("apt-get"):
        return ("" if is_root else "sudo ") + "apt-get install libopenblas0-pthread"
    if which("dnf"):
        return ("" if is_root else "sudo ") + "dnf install openblas-threads"
    if gfortran is None:
        gfortran = any(os.path.exists(os.path.join(d, "libgfortran.so.5")) for d in _LIB_DIRS)
    if gfortran:
        return f"{sys.executable} -m pip install cmeel-openblas"
    return "install your distribution's OpenBLAS package (libopenblas.so.0)"


_LIB_DIRS = ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib")


def preload_blas() -> str:
    """Load OpenBLAS globally before MLX on Linux; return the BLAS MLX will use.

    Set SASTRE_BLAS=reference to keep MLX's bundled BLAS (used by the benchmark).
    """
    if _blas_state["name"]:
        return _blas_state["name"]
    name = "Accelerate" if sys.platform == "darwin" else "reference (bundled with MLX)"
    if sys.platform.startswith("linux") and os.environ.get("SASTRE_BLAS") != "reference":
        if "mlx.core" in sys.modules:
            # Too late to interpose; report honestly rather than pretend.
            name = "unknown (MLX was imported before Sastre could load OpenBLAS)"
        else:
            for path in openblas_candidates():
                if os.path.exists(path):
                    try:
                        ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
                    except OSError:
                        continue
                    name, _blas_state["path"] = "OpenBLAS", path
                    break
    _blas_state["name"] = name
    return name


def blas_info() -> tuple[str, str | None]:
    """(name, library path) of the BLAS in use; preloads it if nobody did."""
    return preload_blas(), _blas_state["path"]


@dataclass
class DeviceInfo:
    backend: str  # "gpu (Metal)" or "cpu"
    name: str
    memory_bytes: int | None


def device_info() -> DeviceInfo:
    preload_blas()
    import mlx.core as mx

    dev = mx.default_device()
    backend = "gpu (Metal)" if dev.type == mx.gpu and sys.platform == "darwin" else str(dev.type)
    info: dict = {}
    try:
        info = dict(mx.device_info())
    except Exception:  # noqa: BLE001 - older MLX or CPU builds lack it
        info = {}
    name = str(
        info.get("device_name")
        or info.get("architecture")
        or platform.processor()
        or platform.machine()
    )
    mem = info.get("memory_size") or _total_memory()
    return DeviceInfo(backend=backend.replace("DeviceType.", ""), name=name, memory_bytes=mem)


def _total_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("Sastre", appauthor=False))


def resolve_data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """--data-dir, then $SASTRE_HOME, then the platform's user data folder."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get("SASTRE_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()

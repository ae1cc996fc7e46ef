"""The training service: datasets, runs, adapters -- what the CLI and GUI call.

Runs on the engine thread (MLX). A run loads its own copy of the base model
(LoRA layers change the module tree, so the chat's copy is left alone).
"""

from __future__ import annotations

import json
import random
import shutil
import threading
from pathlib import Path
from typing import Any

from engine.errors import SastreError, not_found
from engine.models import ModelManager
from engine.train import datasets as ds
from engine.train import files
from engine.train.callbacks import TrainingCallback
from engine.train.config import TrainConfig
from engine.train.loop import TrainingError
from engine.train.run import TrainingRun, TrainReport
from store import Store
from store.adapters import AdapterRecord


class AdapterNotFoundError(SastreError):
    pass


class TrainingService:
    def __init__(self, store: Store, models: ModelManager, data_dir: Path):
        self.store = store
        self.models = models
        self.adapters_dir = Path(data_dir) / "adapters"

    # -- datasets ---------------------------------------------------------------------
    def _tokenizer(self, model: str | None = None):
        """The tokenizer of the model (default one) for token counts; None if unavailable."""
        try:
            from mlx_lm.utils import load_tokenizer

            return load_tokenizer(Path(self.models.resolve(model).path))
        except Exception:  # noqa: BLE001 - counts are optional; the dataset is still built
            return None

    def import_dataset(self, path: str, name: str, model: str | None = None, **kw) -> Any:
        rows = ds.read_jsonl(path)
        return ds.save(
            self.store, name, rows, f"import:{Path(path).name}", self._tokenizer(model), **kw
        )

    def dataset_from_chats(self, name: str, model: str | None = None, **kw) -> Any:
        return ds.save(
            self.store, name, ds.from_chats(self.store), "chats", self._tokenizer(model), **kw
        )

    def dataset_from_docs(self, collection: str, name: str, model: str | None = None, **kw) -> Any:
        rows = ds.from_docs(self.store, collection)
        return ds.save(self.store, name, rows, f"docs:{collection}", self._tokenizer(model), **kw)

    # -- adapters ----------------------------------------------------------------------
    def adapter(self, name: str) -> AdapterRecord:
        rec = self.store.adapters.get(name)
        if rec is None:
            raise not_found(
                "adapter",
                name,
                [a.name for a in self.store.adapters.list()],
                "Train one with `sastre train lora --dataset NAME --adapter NAME`.",
                AdapterNotFoundError,
            )
        return rec

    def remove_adapter(self, name: str) -> AdapterRecord:
        rec = self.adapter(name)
        self.store.adapters.remove(name)
        shutil.rmtree(rec.path, ignore_errors=True)
        if self.store.settings.get("adapter") == name:
            self.store.settings.set("adapter", None)
        return rec

    def use(self, name: str | None) -> AdapterRecord | None:
        """The adapter chat uses by default (with its base model); None turns it off."""
        rec = self.adapter(name) if name else None
        self.store.settings.set("adapter", name)
        return rec

    # -- training -----------------------------------------------------------------------
    def train(
        self,
        datasets: list[tuple[str, float]],
        adapter: str,
        *,
        model: str | None = None,
        config: TrainConfig | None = None,
        resume: bool = False,
        parent: str | None = None,
        callback: TrainingCallback | None = None,
        cancel: threading.Event | None = None,
        pause: threading.Event | None = None,
    ) -> TrainReport:
        """Train (or resume) a LoRA/QLoRA adapter on weighted datasets."""
        from engine.train import evaluate as ev
        from engine.train import lora

        run = TrainingRun(self, adapter, callback, cancel, pause)
        if resume:
            saved = run.saved()
            config = TrainConfig.from_dict(saved["config"])
            datasets = [(d["name"], d["weight"]) for d in saved["datasets"]]
            model, parent = saved["base_model"], saved.get("parent")
        else:
            run.new()
        config = config or TrainConfig()
        config.validate()
        prec, model = self._parent(parent, model)
        if not datasets:
            raise ds.DatasetError("Give at least one --dataset to train on.")
        for name, _ in datasets:
            ds.get(self.store, name)  # fail before the model loads
        run.load(model)
        train_set, val_set, longest, n_train = self._build(datasets, run.tokenizer, config)
        cfg = self._resolve(run, config, prec, n_train, longest)
        run.attach(cfg, prec)
        dlist = [{"name": n, "weight": w} for n, w in datasets]
        # "config" as asked: resume re-resolves it identically
        meta = {"datasets": dlist, "parent": parent, "config": config.to_dict()}
        meta["resolved"] = cfg.to_dict()
        run.start("qlora" if run.quantized else "lora", meta, dlist, parent)
        general = ev.general_dataset(run.tokenizer)
        state = run.begin(resume, lambda: ev.measure(run.net, run.tokenizer, cfg, val_set, general))
        if before_val := state["before"].get("val_loss"):
            run.cb.on_val_loss_report({"iteration": 0, "val_loss": before_val})
        validate = lora.validation(run.net, val_set, cfg, run.cb) if val_set is not None else None
        result = run.loop(
            lora.default_loss, lora.batches(train_set, cfg), validate, cfg.steps_per_eval
        )
        if result.cancelled:
            return run.cancelled(result)
        return run.finish(result, lambda: self._lora_report(run, val_set, general, datasets))

    def train_preferences(
        self,
        examples: list,
        *,
        adapter: str,
        method: str | None = None,
        config: Any = None,
        base_adapter: str | None = None,
        callbacks: TrainingCallback | None = None,
        cancel: threading.Event | None = None,
        pause: threading.Event | None = None,
        model: str | None = None,
        resume: bool = False,
    ) -> TrainReport:
        """DPO / IPO / KTO on `examples` (PreferenceExample pairs, LabelledExample thumbs)
        as a new LoRA, or continuing `base_adapter`; `resume` continues a stopped run."""
        from engine.train.preference_run import train_preferences

        return train_preferences(
            self,
            examples,
            adapter=adapter,
            method=method,
            config=config,
            base_adapter=base_adapter,
            callbacks=callbacks,
            cancel=cancel,
            pause=pause,
            model=model,
            resume=resume,
        )

    def train_reward(self, examples: list, *, name: str, **kw) -> TrainReport:
        """The optional reward model (engine.train.reward) on preference pairs; `kw`: config,
        callbacks, cancel, pause, model, resume."""
        from engine.train.reward import train_reward

        return train_reward(self, examples, name=name, **kw)

    def reward_model(self, name: str | None, model: str) -> AdapterRecord:
        """A ready reward model for base `model`: the one named, else the newest."""
        from engine.best_of import reward_record

        return reward_record(self.store, name, model)

    def _parent(
        self, parent: str | None, model: str | None
    ) -> tuple[AdapterRecord | None, str | None]:
        """The adapter a run continues (and so its base model), or None."""
        if not parent:
            return None, model
        prec = self.adapter(parent)
        model = model or prec.base_model
        if model != prec.base_model:
            raise TrainingError(
                f"Adapter '{parent}' was trained on {prec.base_model}, not {model}; "
                "continue it on its own base model."
            )
        return prec, model

    def _resolve(self, run: TrainingRun, config: TrainConfig, prec, n_train: int, longest: int):
        """Unset settings from the preset, model and data; a parent fixes the adapter shape."""
        from engine.train import lora

        if prec is not None:
            pcfg = json.loads((Path(prec.path) / lora.CONFIG_FILE).read_text())
            config.rank = pcfg["lora_parameters"]["rank"]
            config.scale = pcfg["lora_parameters"]["scale"]
            config.layers = pcfg["num_layers"]
        return config.resolved(
            n_layers=len(run.net.layers),
            parameters=run.base.parameters or 0,
            n_train=n_train,
            longest=longest,
            context=int(run.mconfig.get("max_position_embeddings") or 2048),
        )

    def _lora_report(self, run: TrainingRun, val_set, general, datasets) -> dict:
        """Held-out loss and general perplexity after, answers before/after, forgetting."""
        from engine.train import evaluate as ev

        cfg, vals = run.cfg, run.val_points()
        val_after = vals[-1][1] if vals and vals[-1][0] == cfg.iters else None
        after = ev.measure(run.net, run.tokenizer, cfg, val_set, general, val_after)
        prompts = cfg.eval_prompts or self.default_prompts(datasets)
        samples = ev.side_by_side(run.net, run.tokenizer, prompts, cfg.eval_max_tokens)
        return ev.report(run.state["before"], after, cfg.forgetting_threshold, samples)

    def evaluate(
        self,
        name: str,
        prompts: list[str] | None = None,
        callback: TrainingCallback | None = None,
    ) -> dict:
        """Measure a ready adapter again, as a run does at its end (validation loss of its
        datasets' held-out split and general perplexity, each with and without the adapter,
        plus before/after answers to `prompts`, default: those of the run), and store it."""
        from mlx_lm.utils import load

        from engine.train import evaluate as ev
        from engine.train import lora

        cb = callback or TrainingCallback()
        rec = self.adapter(name)
        if rec.method in ("dpo", "ipo", "kto"):
            raise lora.TrainingError(
                f"Adapter '{name}' learnt from preferences; its report (preference accuracy, "
                "degeneration, forgetting) was measured when it was trained and is stored: "
                f"`sastre eval --adapter {name}` without --recompute shows it."
            )
        if rec.status != "ready":
            raise lora.TrainingError(
                f"Adapter '{name}' is {rec.status}: finish it first with "
                f"`sastre train lora --adapter {name} --resume`."
            )
        missing = [d["name"] for d in rec.datasets if self.store.datasets.get(d["name"]) is None]
        if missing:
            raise ds.DatasetError(
                f"Adapter '{name}' was trained on dataset(s) {', '.join(missing)}, which were "
                "removed; its held-out split is gone. `sastre eval` without --recompute shows "
                "the report stored at training time."
            )
        cb.on_status("Loading the model", 0.0)
        base = self.models.resolve(rec.base_model)
        net, tokenizer = load(base.path, adapter_path=rec.path)
        cfg = TrainConfig.from_dict(rec.params)
        _, val_set, _, _ = self._build(
            [(d["name"], d["weight"]) for d in rec.datasets], tokenizer, cfg
        )
        general = ev.general_dataset(tokenizer)
        cb.on_status("Evaluating", None)
        net.eval()
        with ev.adapters_off(net):
            before = ev.measure(net, tokenizer, cfg, val_set, general)
        after = ev.measure(net, tokenizer, cfg, val_set, general)
        old = rec.metrics or {}
        if prompts is None:
            prompts = [s["prompt"] for s in old.get("samples", [])] or cfg.eval_prompts
            prompts = prompts or self.default_prompts(
                [(d["name"], d["weight"]) for d in rec.datasets]
            )
        samples = ev.side_by_side(net, tokenizer, prompts, cfg.eval_max_tokens)
        rep = {**old, **ev.report(before, after, cfg.forgetting_threshold, samples)}
        files.write_json(Path(rec.path) / "report.json", rep)
        rec.metrics = rep
        self.store.adapters.save(rec)
        return rep

    def default_prompts(self, datasets: list[tuple[str, float]]) -> list[str]:
        """A few held-out prompts from the first dataset's validation split."""
        out = []
        for ex in self.store.datasets.examples(datasets[0][0], "valid")[:3]:
            if "messages" in ex:
                users = [m["content"] for m in ex["messages"] if m["role"] == "user"]
                if users:
                    out.append(users[-1])
            elif "prompt" in ex:
                out.append(ex["prompt"])
        from engine.train.evaluate import DEFAULT_PROMPTS

        return out or DEFAULT_PROMPTS

    def _build(self, datasets: list[tuple[str, float]], tokenizer, cfg: TrainConfig):
        """mlx-lm datasets for a weighted mix; weights repeat or subsample examples."""
        from mlx_lm.tuner.datasets import CacheDataset, ConcatenatedDataset, create_dataset

        rng = random.Random(cfg.seed)
        train_parts, val_parts = [], []
        for name, weight in datasets:
            rec = ds.get(self.store, name)
            train = self.store.datasets.examples(name, "train")
            valid = self.store.datasets.examples(name, "valid")
            if weight <= 0:
                raise ds.DatasetError(f"The weight of dataset '{name}' must be above 0.")
            whole, frac = int(weight), weight - int(weight)
            mixed = train * whole + rng.sample(train, round(frac * len(train)))
            opts = _Opts(mask_prompt=cfg.mask_prompt and rec.format != "text")
            if mixed:
                train_parts.append(create_dataset(mixed, tokenizer, opts))
            if valid:
                val_parts.append(create_dataset(valid, tokenizer, opts))
        if not train_parts:
            raise ds.DatasetError("The datasets have no training examples.")
        train_set = CacheDataset(ConcatenatedDataset(train_parts))
        val_set = CacheDataset(ConcatenatedDataset(val_parts)) if val_parts else None
        longest = max(len(train_set[i][0]) for i in range(len(train_set)))
        return train_set, val_set, longest, len(train_set)


class _Opts:
    def __init__(self, mask_prompt: bool):
        self.mask_prompt = mask_prompt


def fuse_adapter(
    service: TrainingService, name: str, out_name: str | None = None, dequantize: bool = False
) -> Any:
    """Fuse an adapter into its base and register the result as a new model."""
    from engine.models import valid_name
    from engine.train import export

    rec = service.adapter(name)
    base = service.models.resolve(rec.base_model)
    out_name = valid_name(out_name or f"{rec.base_model}-{name}")
    service.models._check_free(out_name)
    target = service.models.models_dir / out_name
    target.parent.mkdir(parents=True, exist_ok=True)
    export.fuse(base.path, rec.path, target, dequantize=dequantize)
    return service.models._register(out_name, target, f"fuse:{name}", managed=True)


def export_adapter(service: TrainingService, name: str, out: str | Path, fmt: str = "peft") -> Path:
    """Write an adapter for other tools: 'peft', 'mlx' (the folder as is), 'fused' or 'gguf'."""
    from engine.train import export

    rec = service.adapter(name)
    out = Path(out).expanduser()
    if fmt == "peft":
        return export.export_peft(rec.path, out, rec.base_model)
    if fmt == "mlx":
        shutil.copytree(rec.path, out)
        return out
    base = service.models.resolve(rec.base_model)
    if fmt == "fused":
        return export.fuse(base.path, rec.path, out)
    if fmt == "gguf":
        fused = export.fuse(base.path, rec.path, out.with_suffix(".fused"), dequantize=True)
        try:
            return export.export_gguf(
                fused, out if out.suffix == ".gguf" else out.with_suffix(".gguf")
            )
        finally:
            shutil.rmtree(fused, ignore_errors=True)
    raise SastreError(f"Unknown export format '{fmt}'; use peft, mlx, fused or gguf.")


def ab_answers(
    service: TrainingService,
    chat: Any,
    a: str,
    b: str,
    prompt: str,
    max_tokens: int = 128,
    seed: int | None = None,
    cancel: threading.Event | None = None,
) -> list[dict]:
    """Answers of adapters `a` and `b` to one prompt, in random order for a blind pick.

    Both run on the chat's loaded base model; only the adapter is swapped. A set `cancel`
    stops the answer under way (and skips the other); the caller checks it.
    """
    from engine.config import GenerationConfig
    from engine.generate import encode, render_chat

    ra, rb = service.adapter(a), service.adapter(b)
    if ra.base_model != rb.base_model:
        raise SastreError(
            f"'{a}' ({ra.base_model}) and '{b}' ({rb.base_model}) have different base models; "
            "compare adapters of the same model."
        )
    cfg = GenerationConfig(temperature=0.0, max_tokens=max_tokens)
    out = []
    for name in (a, b):
        gen = chat.generator(ra.base_model, adapter=name)
        tok = gen.loaded.tokenizer
        gen.reset_cache()
        text = gen.generate(
            encode(tok, render_chat(tok, [{"role": "user", "content": prompt}])), cfg, cancel
        )
        out.append({"adapter": name, "text": text.strip()})
    random.Random(seed).shuffle(out)
    for label, item in zip("AB", out, strict=True):
        item["label"] = label
    return out

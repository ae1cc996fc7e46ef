from __future__ import annotations

import pytest


@pytest.fixture
def fake_library(monkeypatch):
    """Engine.library with the fake embedder (and a parser that crashes on *boom* files)."""
    from engine.context import Engine
    from engine.rag import Library, RagConfig
    from tests.fakes import HashEmbedder

    def library(self):
        if self._library is None:
            self._library = Library(
                self.store,
                self.data_dir,
                config=RagConfig(workers=1, parse_timeout_s=20.0),
                embedder_factory=lambda name: HashEmbedder(64, model_id="test/hash-64"),
                parse_fn="tests.robustness.helpers:crash_on_boom",
            )
        return self._library

    monkeypatch.setattr(Engine, "library", property(library))


@pytest.fixture
def tiny_cli(capsys, data_dir, tiny_model_dir):
    from desktop.cli import main

    assert (
        main(
            ["models", "import", str(tiny_model_dir), "--name", "tiny", "--data-dir", str(data_dir)]
        )
        == 0
    )
    assert main(["models", "default", "tiny", "--data-dir", str(data_dir)]) == 0
    capsys.readouterr()
    return data_dir

"""The engine's entry object: one per data folder, shared by the CLI and the GUI."""

from __future__ import annotations

from pathlib import Path

from engine.chat import ChatService
from engine.models import ModelManager
from engine.platform import resolve_data_dir
from store import Store


class Engine:
    """Store + model manager + chat service for one data folder."""

    def __init__(self, data_dir: str | Path | None = None):
        self.data_dir = resolve_data_dir(data_dir)
        self.store = Store.open(self.data_dir)
        self.models = ModelManager(self.store, self.data_dir)
        self.chat = ChatService(self.store, self.models)

    def close(self) -> None:
        self.store.close()

"""The engine's entry object: one per data folder, shared by the CLI and the GUI."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from engine.chat import ChatService
from engine.models import ModelManager
from engine.platform import resolve_data_dir
from store import Store

if TYPE_CHECKING:
    from engine.rag import Library
    from engine.train.service import TrainingService


class Engine:
    """Store + model manager + chat service for one data folder."""

    def __init__(self, data_dir: str | Path | None = None):
        self.data_dir = resolve_data_dir(data_dir)
        self.store = Store.open(self.data_dir)
        self.models = ModelManager(self.store, self.data_dir)
        self.chat = ChatService(self.store, self.models, library=lambda: self.library)
        self._library: Library | None = None

    @property
    def library(self) -> Library:
        """The document library (engine.rag.Library), made on first use."""
        if self._library is None:
            from engine.rag import Library

            self._library = Library(self.store, self.data_dir)
        return self._library

    @property
    def training(self) -> TrainingService:
        """Datasets, LoRA runs and adapters (engine.train), made on first use."""
        if getattr(self, "_training", None) is None:
            from engine.train.service import TrainingService

            self._training = TrainingService(self.store, self.models, self.data_dir)
        return self._training

    def close(self) -> None:
        self.store.close()

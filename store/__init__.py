"""Everything that persists: one SQLite database per data folder."""

from __future__ import annotations

from pathlib import Path

from store.adapters import AdapterRepo
from store.chats import ChatRepo
from store.datasets import DatasetRepo
from store.db import Database, connect
from store.documents import DocumentRepo
from store.feedback import FeedbackRepo
from store.memories import MemoryRepo
from store.models import ModelRepo
from store.personas import PersonaRepo
from store.preferences import PreferenceRepo
from store.settings import SettingsRepo


class Store:
    """The database and its typed accessors, handed to the engine and the GUI."""

    def __init__(self, db: Database):
        self.db = db
        self.chats = ChatRepo(db)
        self.models = ModelRepo(db)
        self.settings = SettingsRepo(db)
        self.documents = DocumentRepo(db)
        self.feedback = FeedbackRepo(db)
        self.personas = PersonaRepo(db)
        self.memories = MemoryRepo(db)
        self.datasets = DatasetRepo(db)
        self.adapters = AdapterRepo(db)
        self.preferences = PreferenceRepo(db)

    @classmethod
    def open(cls, data_dir: str | Path) -> Store:
        return cls(connect(data_dir))

    def close(self) -> None:
        self.db.close()

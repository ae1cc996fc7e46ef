"""Everything that persists: one SQLite database per data folder."""

from __future__ import annotations

from pathlib import Path

from store.chats import ChatRepo
from store.db import Database, connect
from store.models import ModelRepo
from store.settings import SettingsRepo


class Store:
    """The database and its typed accessors, handed to the engine and the GUI."""

    def __init__(self, db: Database):
        self.db = db
        self.chats = ChatRepo(db)
        self.models = ModelRepo(db)
        self.settings = SettingsRepo(db)

    @classmethod
    def open(cls, data_dir: str | Path) -> Store:
        return cls(connect(data_dir))

    def close(self) -> None:
        self.db.close()

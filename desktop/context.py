"""The one context object handed to every panel (git-cola style): no module globals."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Signal

from engine.config import GenerationConfig

if TYPE_CHECKING:
    from desktop.engine_thread import EngineService
    from desktop.i18n import Translations
    from engine.context import Engine
    from store import Store


class Events(QObject):
    """App-wide notifications between panels (the main window wires nothing by hand)."""

    status = Signal(str, int)  # message, timeout ms (0: until replaced)
    error = Signal(str)  # a message for the user, shown in the status bar
    models_changed = Signal()
    collections_changed = Signal()
    chats_changed = Signal()
    settings_changed = Signal()
    open_chat = Signal(int)  # chat id (0: a new chat)
    use_collection = Signal(str)  # answer from this collection in the chat
    show_panel = Signal(str)  # 'chat', 'library', 'models', 'settings'
    personas_changed = Signal()
    memories_changed = Signal()


@dataclass
class AppContext:
    engine: Engine
    service: EngineService
    ui: QSettings  # window size, layout, last chat: scoped to the data folder
    translations: Translations | None = None
    events: Events = field(default_factory=Events)
    generating_chat: int | None = None  # the chat an answer is being written for

    @property
    def store(self) -> Store:
        return self.engine.store

    @property
    def data_dir(self) -> Path:
        return Path(self.engine.data_dir)

    @property
    def library(self) -> Any | None:
        """The document library (engine.rag.Library), or None if it cannot be loaded."""
        try:
            return getattr(self.engine, "library", None)
        except ImportError:  # a broken install: the rest of the app still works
            return None

    def generation_config(self) -> GenerationConfig:
        return GenerationConfig.from_dict(self.store.settings.get("generation", {}))

    def status(self, message: str, timeout_ms: int = 5000) -> None:
        self.events.status.emit(message, timeout_ms)

    def error(self, message: str) -> None:
        from desktop.messages import for_people

        self.events.error.emit(for_people(message))


def ui_settings(data_dir: Path) -> QSettings:
    return QSettings(str(Path(data_dir) / "ui.ini"), QSettings.Format.IniFormat)

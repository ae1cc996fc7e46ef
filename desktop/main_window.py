"""The main window: assembles the panels, the actions and their shortcuts. Nothing else."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QWidget,
)

from desktop.context import AppContext
from desktop.i18n import Retranslates
from desktop.panels.chat import ChatPanel
from desktop.panels.chat_list import ChatListPanel, plain_title
from desktop.panels.library import LibraryPanel
from desktop.panels.memory import MemoryPanel
from desktop.panels.models import ModelsPanel
from desktop.panels.personas import PersonasPanel
from desktop.panels.settings import SettingsPanel
from desktop.panels.training import TrainingPanel
from desktop.widgets.dialogs import GuideDialog
from desktop.widgets.server_switch import ServerSwitch

SIDEBAR_WIDTH = 250

TABS = ("chat", "library", "models", "settings", "personas", "memory", "training")


class MainWindow(Retranslates, QMainWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setMinimumSize(760, 480)
        # Deleted when closed: a closed window must not react to later language or
        # palette changes (its data folder may be closed by then).
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

        self.chat_list = ChatListPanel(ctx)
        self.chat = ChatPanel(ctx)
        self.chat_split = QSplitter(Qt.Orientation.Horizontal)
        self.chat_split.setChildrenCollapsible(False)
        self.chat_split.addWidget(self.chat_list)
        self.chat_split.addWidget(self.chat)
        self.chat_split.setStretchFactor(1, 1)
        self.chat_split.setSizes([SIDEBAR_WIDTH, 950])
        self.library = LibraryPanel(ctx)
        self.models = ModelsPanel(ctx)
        self.settings = SettingsPanel(ctx)
        self.personas = PersonasPanel(ctx)
        self.memory = MemoryPanel(ctx)
        self.training = TrainingPanel(ctx)

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        for w in (
            self.chat_split,
            self.library,
            self.models,
            self.settings,
            self.personas,
            self.memory,
            self.training,
        ):
            self.tabs.addTab(w, "")
        self.setCentralWidget(self.tabs)

        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setMaximumHeight(12)
        self.busy.hide()
        self.statusBar().addPermanentWidget(self.busy)
        self.model_status = QLabel(self)
        self.model_status.setObjectName("muted")
        self.statusBar().addPermanentWidget(self.model_status)
        self.server_switch = ServerSwitch(ctx, self)
        self.statusBar().addPermanentWidget(self.server_switch)

        self.chat_list.chat_selected.connect(self.chat.open_chat)
        self.chat.chat_changed.connect(self._chat_changed)
        self.chat.sample_requested.connect(self.add_sample)
        self.chat.busy_changed.connect(lambda busy: self.act_stop.setEnabled(busy))
        ctx.events.status.connect(self.show_status)
        ctx.events.error.connect(self.show_error)
        ctx.events.models_changed.connect(self._update_model_status)
        ctx.events.open_chat.connect(lambda i: self.open_chat(i or None))
        ctx.events.show_panel.connect(self.show_panel)
        ctx.events.use_collection.connect(self.use_collection)
        ctx.service.job_started.connect(self._job_started)

        self._make_actions()
        self.act_stop.setEnabled(False)
        self.act_rename.setEnabled(False)  # until a chat is open
        self.act_delete.setEnabled(False)
        self.retranslate()
        self.restore_state()

    # -- actions ------------------------------------------------------------------
    def _action(self, name: str, shortcuts, slot, menu=None) -> QAction:
        a = QAction(self)
        a.setObjectName(name)
        if shortcuts:
            a.setShortcuts(
                [s if isinstance(s, QKeySequence) else QKeySequence(s) for s in shortcuts]
            )
        a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        a.triggered.connect(slot)
        self.addAction(a)
        if menu is not None:
            menu.addAction(a)
        return a

    def _make_actions(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.chat_menu = bar.addMenu("")
        self.view_menu = bar.addMenu("")
        self.help_menu = bar.addMenu("")
        self.act_new = self._action("new_chat", ["Ctrl+N"], self.new_chat, self.file_menu)
        self.file_menu.addSeparator()
        quit_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit) or [
            QKeySequence("Ctrl+Q")
        ]
        self.act_quit = self._action("quit", quit_keys, self.close, self.file_menu)
        self.act_send = self._action(
            "send", ["Ctrl+Return", "Ctrl+Enter"], self._send, self.chat_menu
        )
        self.act_stop = self._action("stop", ["Esc", "Ctrl+."], self.chat.stop, self.chat_menu)
        self.chat_menu.addSeparator()
        self.act_rename = self._action("rename_chat", ["F2"], self._rename_chat, self.chat_menu)
        self.act_delete = self._action(
            "delete_chat", [], self.chat_list.delete_current, self.chat_menu
        )
        self.act_search = self._action(
            "focus_search", ["Ctrl+K", "Ctrl+F"], self.focus_search, self.view_menu
        )
        self.act_focus_input = self._action(
            "focus_input", ["Ctrl+L"], self._focus_input, self.view_menu
        )
        self.view_menu.addSeparator()
        self.act_tabs = []
        for i, name in enumerate(TABS):
            a = self._action(
                f"show_{name}",
                [f"Ctrl+{i + 1}"],
                lambda _=False, n=name: self.show_panel(n),
                self.view_menu,
            )
            self.act_tabs.append(a)
        self.act_settings = self._action(
            "settings", ["Ctrl+,"], lambda: self.show_panel("settings")
        )
        self.act_guide = self._action("guide", ["F1"], self.show_guide, self.help_menu)
        self.help_menu.addSeparator()
        self.act_about = self._action("about", [], self.about, self.help_menu)
        self.guide: GuideDialog | None = None

    def new_chat(self) -> None:
        self.show_panel("chat")
        self.chat.open_chat(None)
        self.chat.focus_input()

    def open_chat(self, chat_id: int | None) -> None:
        self.show_panel("chat")
        self.chat.open_chat(chat_id)

    def _send(self) -> None:
        self.show_panel("chat")
        self.chat.send()

    def _rename_chat(self) -> None:
        self.show_panel("chat")
        self.chat_list.rename_current()

    def focus_search(self) -> None:
        self.show_panel("chat")
        self.chat_list.focus_search()

    def _focus_input(self) -> None:
        self.show_panel("chat")
        self.chat.focus_input()

    def show_panel(self, name: str) -> None:
        if name in TABS:
            self.tabs.setCurrentIndex(TABS.index(name))

    def _chat_changed(self, chat_id: int | None) -> None:
        self.ctx.ui.setValue("chat/last", chat_id or 0)
        self.chat_list.select(chat_id)
        chat = self.ctx.store.chats.get(chat_id) if chat_id else None
        for a in (self.act_rename, self.act_delete):  # nothing to act on in a new chat
            a.setEnabled(chat is not None)
        # Qt adds the application's name ("… — Sastre"); the title is the chat's alone.
        self.setWindowTitle(plain_title(chat.title) if chat and chat.title else "")

    def use_collection(self, name: str) -> None:
        self.chat.refresh_collections()
        self.chat.set_collection(name)
        self.show_panel("chat")
        self.chat.focus_input()

    def add_sample(self) -> None:
        self.library.add_sample()
        self.show_status(
            self.tr("Indexing Sastre's user guide so that you can ask it questions…"), 0
        )

    def show_guide(self) -> None:
        """The bundled user guide, in a window of its own (offline)."""
        if self.guide is None:
            language = self.ctx.translations.language if self.ctx.translations else "en"
            self.guide = GuideDialog(language, self)
        self.guide.show()
        self.guide.raise_()

    def about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About Sastre"),
            self.tr(
                "Sastre tailors a local language model to your work, privately: everything "
                "runs on this computer.\n\nData folder: {0}"
            ).format(self.ctx.data_dir),
        )

    # -- status ----------------------------------------------------------------------
    def show_status(self, message: str, timeout_ms: int = 5000) -> None:
        self.statusBar().showMessage(message, timeout_ms)

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 15000)

    def _job_started(self, job) -> None:
        self.busy.show()
        self.busy.setToolTip(job.name)
        job.done.connect(self._job_ended)

    def _job_ended(self) -> None:
        self.busy.setVisible(self.ctx.service.busy())

    def _update_model_status(self) -> None:
        self.model_status.setText(
            self.tr("Default model: {0}").format(self.ctx.engine.models.default_name())
        )

    # -- state --------------------------------------------------------------------------
    def restore_state(self) -> None:
        ui = self.ctx.ui
        geometry = ui.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 780)
        for key, splitter in (
            ("window/chat_split", self.chat_split),
            ("window/sources_split", self.chat.splitter),
        ):
            state = ui.value(key)
            if isinstance(state, QByteArray) and not state.isEmpty():
                splitter.restoreState(state)
        self.tabs.setCurrentIndex(int(ui.value("window/tab", 0) or 0) % len(TABS))
        last = int(ui.value("chat/last", 0) or 0)
        if last and self.ctx.store.chats.get(last) is not None:
            self.chat.open_chat(last)

    def save_state(self) -> None:
        ui = self.ctx.ui
        ui.setValue("window/geometry", self.saveGeometry())
        ui.setValue("window/chat_split", self.chat_split.saveState())
        ui.setValue("window/sources_split", self.chat.splitter.saveState())
        ui.setValue("window/tab", self.tabs.currentIndex())
        ui.setValue("chat/last", self.chat.chat_id or 0)
        ui.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.save_state()
        self.library.shutdown()
        self.server_switch.shutdown()  # before the engine thread it runs on stops
        self.ctx.service.shutdown()
        super().closeEvent(event)

    # -- text ------------------------------------------------------------------------------
    def retranslate(self) -> None:
        if self.guide is not None:  # reopened in the new language
            self.guide.close()
            self.guide.deleteLater()
            self.guide = None
        for i, text in enumerate(
            (
                self.tr("Chat"),
                self.tr("Library"),
                self.tr("Models"),
                self.tr("Settings"),
                self.tr("Personas"),
                self.tr("Memory"),
                self.tr("Training"),
            )
        ):
            self.tabs.setTabText(i, text)
            self.act_tabs[i].setText(text)
        self.file_menu.setTitle(self.tr("&File"))
        self.chat_menu.setTitle(self.tr("&Chat"))
        self.view_menu.setTitle(self.tr("&View"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.act_new.setText(self.tr("New chat"))
        self.act_quit.setText(self.tr("Quit"))
        self.act_send.setText(self.tr("Send"))
        self.act_stop.setText(self.tr("Stop answer"))
        self.act_rename.setText(self.tr("Rename chat"))
        self.act_delete.setText(self.tr("Delete chat…"))
        self.act_search.setText(self.tr("Search chats"))
        self.act_focus_input.setText(self.tr("Go to message box"))
        self.act_settings.setText(self.tr("Settings"))
        self.act_about.setText(self.tr("About Sastre"))
        self.act_guide.setText(self.tr("User guide"))
        self._update_model_status()

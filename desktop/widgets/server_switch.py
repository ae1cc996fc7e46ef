"""The status bar's server switch: starts and stops the local OpenAI-compatible server inside
the app, on the app's engine thread (one loaded model for both), and copies snippets.

The server listens on this computer only (127.0.0.1 and ::1); the port comes from
the setting "server" {"port": ...} (default 8765).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu, QMessageBox, QToolButton, QWidget

from desktop.context import AppContext
from desktop.i18n import Retranslates
from desktop.serve.config import ServerConfig, read_token
from desktop.serve.snippets import curl_snippet, python_snippet
from engine.errors import USER_ERRORS

log = logging.getLogger("sastre.desktop")


class ServerSwitch(Retranslates, QToolButton):
    ready = Signal()  # emitted from the server's thread once it accepts requests

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.server = None
        self.setObjectName("server_switch")
        self.setCheckable(True)
        self.setAutoRaise(True)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.menu_ = QMenu(self)
        self.act_python = self.menu_.addAction("", lambda: self._copy(python_snippet))
        self.act_curl = self.menu_.addAction("", lambda: self._copy(curl_snippet))
        self.act_token = self.menu_.addAction("", self._copy_token)
        self.act_show = self.menu_.addAction("", self.show_details)
        self.menu_.addSeparator()
        self.act_rotate = self.menu_.addAction("", self.rotate_token)
        self.setMenu(self.menu_)
        self.toggled.connect(self._toggled)
        self.ready.connect(self._update)
        self.retranslate()

    def sizeHint(self) -> QSize:  # noqa: N802 - the theme's menu arrow is not counted
        return super().sizeHint() + QSize(14, 0)

    # -- on / off ---------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.server is not None and self.server.running

    def _toggled(self, on: bool) -> None:
        if on and self.server is None:
            self.start()
        elif not on and self.server is not None:
            self.stop()

    def start(self) -> None:
        from desktop.serve.qt_executor import EngineThreadExecutor
        from desktop.serve.runner import Server, make_state

        cfg = ServerConfig.from_dict(self.ctx.store.settings.get("server", {}))
        cfg.host = "127.0.0.1"  # the app never listens beyond this computer
        try:
            executor = EngineThreadExecutor(self.ctx.service)
            state = make_state(self.ctx.engine, executor, cfg, None, None)
            self.server = Server(state, on_ready=lambda _s: self.ready.emit())
        except USER_ERRORS as exc:
            self.ctx.error(self.tr("The API server could not start: {0}").format(exc))
            self.setChecked(False)
            return
        self.server.start()
        self._update()

    def stop(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            server.stop()
            server.state.executor.shutdown()
        self.setChecked(False)
        self._update()

    def shutdown(self) -> None:
        """Before the app's engine thread stops."""
        self.stop()

    # -- address, token, snippets ---------------------------------------------------------
    @property
    def url(self) -> str:
        return self.server.url if self.server is not None else ""

    def _model(self) -> str:
        return self.server.state.default_model if self.server else ""

    def _copy(self, make) -> None:
        if self.server is None:
            self.ctx.status(self.tr("Turn the API server on first."))
            return
        QGuiApplication.clipboard().setText(
            make(self.url, read_token(self.ctx.data_dir), self._model())
        )
        self.ctx.status(self.tr("Copied to the clipboard."))

    def _copy_token(self) -> None:
        QGuiApplication.clipboard().setText(read_token(self.ctx.data_dir))
        self.ctx.status(self.tr("Token copied to the clipboard."))

    def details_text(self) -> str:
        token = read_token(self.ctx.data_dir)
        if self.server is None:
            return self.tr("The API server is off.\n\nToken: {0}").format(token)
        return self.tr(
            "Address: {0}\nToken: {1}\nModel: {2}\n\nOther programs on this computer can use "
            "your models, adapters and collections with this address and token (an "
            "OpenAI-compatible API)."
        ).format(self.url, token, self._model())

    def show_details(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information, self.tr("API server"), self.details_text(), parent=self
        )
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if self.server is not None:
            token = read_token(self.ctx.data_dir)
            box.setDetailedText(python_snippet(self.url, token, self._model()))
        box.exec()

    def rotate_token(self) -> None:
        answer = QMessageBox.question(
            self,
            self.tr("New token"),
            self.tr(
                "Make a new token? Programs using the old one will stop working until "
                "they use the new one."
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            read_token(self.ctx.data_dir, rotate=True)
            self.ctx.status(self.tr("A new token was made."))

    # -- text ----------------------------------------------------------------------------
    def _update(self) -> None:
        on = self.server is not None
        ready = on and self.server.ready.is_set()
        if not on:
            self.setText(self.tr("API server: off"))
        elif not ready:
            self.setText(self.tr("API server: starting…"))
        else:
            address = self.url.removeprefix("http://").removesuffix("/v1")
            self.setText(self.tr("API server: {0}").format(address))
        self.setToolTip(
            self.tr(
                "Let other programs on this computer use your models through an "
                "OpenAI-compatible API. Click to turn it on or off; the arrow copies "
                "ready-made snippets."
            )
        )

    def retranslate(self) -> None:
        self.act_python.setText(self.tr("Copy Python snippet"))
        self.act_curl.setText(self.tr("Copy curl snippet"))
        self.act_token.setText(self.tr("Copy token"))
        self.act_show.setText(self.tr("Show address and token…"))
        self.act_rotate.setText(self.tr("Make a new token…"))
        self._update()

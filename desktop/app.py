"""Start the desktop app: QApplication, context, main window, first run, error handling."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from desktop import i18n, pyside_refs, theme
from desktop.context import AppContext, ui_settings
from desktop.engine_thread import EngineService, JobHandle
from desktop.gc_policy import IdleCollector
from engine.errors import USER_ERRORS
from store.errors import DamagedDatabaseError

log = logging.getLogger("sastre.desktop")


def application() -> QApplication:
    pyside_refs.protect()  # before any thread starts; see the module
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Sastre")
    app.setOrganizationName("Sastre")
    app.setApplicationDisplayName("Sastre")
    font = app.font()
    if 0 < font.pointSizeF() < 10:  # bare X11 sessions default to 9 pt: hard to read
        font.setPointSizeF(10)
        app.setFont(font)
    return app


def choose_data_dir(explicit: str | os.PathLike | None) -> Path:
    """--data-dir, then SASTRE_HOME, then the folder picked in Settings, then the default."""
    from engine.platform import resolve_data_dir

    if explicit or os.environ.get("SASTRE_HOME"):
        return resolve_data_dir(explicit)
    from desktop.panels.settings import global_settings

    picked = global_settings().value("data_dir")
    return resolve_data_dir(picked or None)


def setup_logging(data_dir: Path) -> Path:
    logs = Path(data_dir) / "logs"
    logs.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = logs / "sastre.log"
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))  # private text
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("sastre")
    root.setLevel(logging.INFO)
    if not any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        root.addHandler(handler)
    return path


def build_context(engine, app: QApplication | None = None) -> AppContext:
    """The context panels receive; tests build it around their own engine."""
    app = app or application()
    ui = ui_settings(engine.data_dir)
    log_path = Path(engine.data_dir) / "logs" / "sastre.log"
    translations = i18n.Translations(app)
    translations.apply(ui.value("language", i18n.SYSTEM))
    theme.apply(ui.value("appearance", "system"))
    theme.follow_system()
    service = EngineService(log_path=str(log_path))
    return AppContext(engine=engine, service=service, ui=ui, translations=translations)


def create_window(ctx: AppContext):
    from desktop.main_window import MainWindow

    return MainWindow(ctx)


def install_excepthook(parent: QWidget | None, log_path: Path) -> None:
    """Unexpected errors become a dialog and a log entry instead of ending the app."""
    showing = {"now": False}

    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("Unhandled error:\n%s", text)
        sys.__stderr__.write(text)
        if showing["now"]:
            return
        showing["now"] = True
        try:
            if isinstance(exc, USER_ERRORS):
                from desktop.messages import for_people

                message = for_people(str(exc))
                if isinstance(exc, DamagedDatabaseError):
                    message += "\n\n" + QCoreApplication.translate(
                        "App", "Restart Sastre: it will offer to repair the database."
                    )
            else:
                message = QCoreApplication.translate(
                    "App",
                    "Something went wrong: {0}: {1}\n\nYour saved data is intact. Details were "
                    "written to {2}; please include them if you report this.",
                ).format(exc_type.__name__, exc, log_path)
            QMessageBox.critical(parent, "Sastre", message)
        finally:
            showing["now"] = False

    sys.excepthook = hook


def needs_embedded_model(engine) -> bool:
    from engine.models import EMBEDDED_NAME

    if engine.models.default_name() != EMBEDDED_NAME:
        return False
    rec = engine.store.models.get(EMBEDDED_NAME)
    return rec is None or not Path(rec.path).is_dir()


def prepare_embedded(ctx: AppContext, parent: QWidget) -> None:
    """First run: convert the built-in model on the engine thread, with a progress dialog."""
    dialog = QProgressDialog(parent)
    dialog.setWindowTitle(QCoreApplication.translate("App", "Getting Sastre ready"))
    dialog.setLabelText(
        QCoreApplication.translate(
            "App",
            "Preparing the built-in model (once, about a minute). You can start typing meanwhile.",
        )
    )
    dialog.setCancelButtonText(QCoreApplication.translate("App", "Later"))
    dialog.setRange(0, 1000)
    dialog.setWindowModality(Qt.WindowModality.NonModal)
    dialog.setMinimumDuration(0)
    dialog.setMinimumWidth(460)

    def run(h: JobHandle):
        def progress(message: str, fraction: float) -> None:
            h.check()
            h.progress(message, fraction)

        return ctx.engine.models.prepare_embedded(progress=progress)

    job = ctx.service.submit("prepare model", run)
    intro = dialog.labelText()
    job.progress.connect(
        lambda msg, f: (dialog.setValue(int(f * 1000)), dialog.setLabelText(f"{intro}\n\n{msg}"))
    )
    job.finished.connect(lambda _rec: ctx.events.models_changed.emit())
    job.finished.connect(
        lambda _rec: ctx.status(
            QCoreApplication.translate("App", "The built-in model is ready."), 5000
        )
    )
    job.failed.connect(ctx.error)
    job.failed.connect(lambda msg: QMessageBox.warning(parent, "Sastre", msg))
    job.done.connect(dialog.close)
    dialog.canceled.connect(job.cancel)
    dialog.show()


def warm_up(ctx: AppContext) -> None:
    """Load MLX and the default model on the engine thread while the user reads the window,
    so the first answer starts at once (a failure here is reported when they ask)."""

    def run(h: JobHandle):
        try:
            ctx.engine.chat.generator()
        except USER_ERRORS:
            pass

    ctx.service.submit("warm up", run)


def _check_damage(path: Path):
    """Before anything reads the database: offer a repair if it is damaged."""
    from desktop.recovery import damage_found, offer_repair

    detail = damage_found(path)
    return offer_repair(path, detail) if detail else None


def run_gui(data_dir: str | os.PathLike | None = None) -> int:
    """The `sastre gui` entry point: open the main window and run until it closes."""
    from engine.context import Engine

    app = application()
    app.setQuitOnLastWindowClosed(True)
    path = choose_data_dir(data_dir)
    log_path = setup_logging(path)
    if refs := pyside_refs.protect():  # measured before the log was open
        log.warning(pyside_refs.describe(refs))
    install_excepthook(None, log_path)
    repaired = _check_damage(path)
    try:
        engine = Engine(path)
    except USER_ERRORS as exc:
        from desktop.messages import for_people

        QMessageBox.critical(None, "Sastre", for_people(str(exc)))
        return 1
    ctx = build_context(engine, app)
    if repaired is not None:
        from desktop.recovery import reindex

        QTimer.singleShot(500, lambda: reindex(ctx, repaired))
    window = create_window(ctx)
    install_excepthook(window, log_path)
    window.show()
    IdleCollector(ctx.service, app, window)  # the window owns it
    if needs_embedded_model(engine):
        QTimer.singleShot(300, lambda: prepare_embedded(ctx, window))
    else:
        QTimer.singleShot(300, lambda: warm_up(ctx))
    try:
        return app.exec()
    finally:
        engine.close()

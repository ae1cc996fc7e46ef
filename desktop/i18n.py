"""UI languages: English (the source strings) and Spanish, from Qt translation files.

The language follows the system locale unless the user picks one in Settings;
switching installs another QTranslator, and Qt sends every widget a
LanguageChange event, on which each panel re-applies its texts (`retranslate`).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator

from resources import ROOT as RESOURCES

I18N_DIR = RESOURCES / "i18n"
LANGUAGES = {"en": "English", "es": "Español"}  # each shown in its own language
SYSTEM = "system"


class Retranslates:
    """For a widget with a `retranslate()` that sets its texts: calls it when the language
    changes. List it before the Qt class: `class Panel(Retranslates, QWidget)`."""

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def system_language() -> str:
    name = QLocale.system().name().split("_")[0]
    return name if name in LANGUAGES else "en"


def resolve(choice: str | None) -> str:
    """The language to show for a Settings choice ('system', 'en', 'es')."""
    if choice in LANGUAGES:
        return choice
    return system_language()


class Translations:
    """Owns the installed translators; `apply()` switches language at run time."""

    def __init__(self, app: QCoreApplication):
        self.app = app
        self.language = "en"
        self._installed: list[QTranslator] = []

    def apply(self, choice: str | None) -> str:
        lang = resolve(choice)
        for t in self._installed:
            self.app.removeTranslator(t)
        self._installed = []
        if lang != "en":
            ours = QTranslator(self.app)
            if ours.load(str(I18N_DIR / f"sastre_{lang}.qm")):
                self._installed.append(ours)
            qt = QTranslator(self.app)  # Qt's own dialogs and buttons
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if qt.load(f"qtbase_{lang}", qt_dir):
                self._installed.append(qt)
            for t in self._installed:
                self.app.installTranslator(t)
        self.language = lang
        QLocale.setDefault(QLocale(lang))
        return lang

"""Light and dark appearance. Follows the system's colour scheme unless Settings says otherwise.

Fusion with our own two palettes looks the same on every platform; widgets
that draw their own colours (the chat view) ask `colors()` for the current set
and re-render on QEvent.PaletteChange.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

APPEARANCES = ("system", "light", "dark")


@dataclass(frozen=True)
class Colors:
    dark: bool
    window: str
    base: str
    alt: str  # sidebars, assistant bubbles
    text: str
    muted: str
    border: str
    accent: str
    accent_text: str
    user_bubble: str
    code_bg: str
    error: str
    good: str
    bad: str


LIGHT = Colors(
    dark=False,
    window="#f5f5f3",
    base="#ffffff",
    alt="#efeee9",
    text="#1d2127",
    muted="#6b7079",
    border="#dcdad3",
    accent="#2f62d8",
    accent_text="#ffffff",
    user_bubble="#e6edfb",
    code_bg="#f1f1ee",
    error="#b3261e",
    good="#1f7a3d",
    bad="#b3261e",
)
DARK = Colors(
    dark=True,
    window="#1d1f23",
    base="#25282d",
    alt="#2b2e34",
    text="#e6e7ea",
    muted="#9aa0aa",
    border="#3a3e45",
    accent="#5b8cff",
    accent_text="#0d1117",
    user_bubble="#2c3a56",
    code_bg="#1b1d21",
    error="#ff8a80",
    good="#6fd38f",
    bad="#ff8a80",
)

_state: dict = {"choice": "system", "colors": LIGHT}


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def colors() -> Colors:
    return _state["colors"]


def _palette(c: Colors) -> QPalette:
    p = QPalette()
    roles = QPalette.ColorRole
    for role, value in (
        (roles.Window, c.window),
        (roles.WindowText, c.text),
        (roles.Base, c.base),
        (roles.AlternateBase, c.alt),
        (roles.Text, c.text),
        (roles.Button, c.base),
        (roles.ButtonText, c.text),
        (roles.ToolTipBase, c.base),
        (roles.ToolTipText, c.text),
        (roles.PlaceholderText, c.muted),
        (roles.Highlight, c.accent),
        (roles.HighlightedText, c.accent_text),
        (roles.Link, c.accent),
        (roles.Mid, c.border),
        (roles.Midlight, c.alt),
        (roles.Light, c.base),
        (roles.Dark, c.border),
        (roles.Shadow, "#000000"),
        (roles.BrightText, c.error),
    ):
        p.setColor(role, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(disabled, role, QColor(c.muted))
    return p


def stylesheet(c: Colors) -> str:
    return f"""
    QToolTip {{ color: {c.text}; background: {c.base}; border: 1px solid {c.border};
               padding: 4px; }}
    QTabWidget::pane {{ border: none; border-top: 1px solid {c.border}; }}
    QTabBar::tab {{ padding: 7px 16px; border: none; color: {c.muted}; background: transparent; }}
    QTabBar::tab:selected {{ color: {c.text}; border-bottom: 2px solid {c.accent}; }}
    QTabBar::tab:hover {{ color: {c.text}; }}
    QPushButton {{ padding: 5px 12px; border: 1px solid {c.border}; border-radius: 6px;
                  background: {c.base}; }}
    QPushButton:hover {{ border-color: {c.accent}; }}
    QPushButton:disabled {{ color: {c.muted}; }}
    QPushButton[primary="true"] {{ background: {c.accent}; color: {c.accent_text};
                                  border-color: {c.accent}; font-weight: 600; }}
    QPushButton[primary="true"]:disabled {{ background: {c.alt}; color: {c.muted};
                                           border-color: {c.border}; }}
    QPushButton[danger="true"] {{ color: {c.error}; }}
    QToolButton {{ border: 1px solid transparent; border-radius: 5px; padding: 3px; }}
    QToolButton:hover {{ border-color: {c.border}; background: {c.alt}; }}
    QToolButton:checked {{ background: {c.alt}; border-color: {c.border}; }}
    QLineEdit, QPlainTextEdit {{
        border: 1px solid {c.border}; border-radius: 6px; padding: 4px 6px;
        background: {c.base}; }}
    QLineEdit:focus, QPlainTextEdit:focus {{ border-color: {c.accent}; }}
    QListWidget, QTreeWidget, QTableWidget {{ border: none; background: {c.base}; }}
    QTreeWidget {{ border: 1px solid {c.border}; border-radius: 8px; padding: 2px; }}
    QTreeWidget::item {{ padding: 5px 4px; }}
    QHeaderView::section {{ background: {c.base}; color: {c.muted}; border: none;
                           border-bottom: 1px solid {c.border}; padding: 6px 6px;
                           font-weight: 600; }}
    QListWidget#chatList {{ background: {c.alt}; }}
    QListWidget#chatList::item {{ padding: 7px 8px; border-radius: 6px; margin: 1px 4px; }}
    QListWidget#chatList::item:selected {{ background: {c.base}; color: {c.text};
                                           border: 1px solid {c.border}; }}
    QWidget#sidebar {{ background: {c.alt}; }}
    QWidget#sourcesPane {{ background: {c.alt}; }}
    QScrollArea#transcript {{ border: none; background: {c.base}; }}
    QWidget#transcriptInner {{ background: {c.base}; }}
    QFrame#composer {{ border: 1px solid {c.border}; border-radius: 10px; background: {c.base}; }}
    QFrame#composer QPlainTextEdit {{ border: none; background: transparent; }}
    QFrame#userBubble {{ background: {c.user_bubble}; border-radius: 12px; }}
    QFrame#sourceCard {{ background: {c.base}; border: 1px solid {c.border}; border-radius: 8px; }}
    QFrame#sourceCard[current="true"] {{ border: 2px solid {c.accent}; }}
    QFrame#banner {{ background: {c.user_bubble}; border-radius: 8px; }}
    QFrame#errorBanner {{ border: 1px solid {c.error}; border-radius: 8px; }}
    QLabel#muted {{ color: {c.muted}; }}
    QLabel#error {{ color: {c.error}; }}
    QLabel#title {{ font-size: 15px; font-weight: 600; }}
    QSplitter::handle {{ background: {c.border}; }}
    QSplitter::handle:horizontal {{ width: 1px; }}
    QSplitter::handle:vertical {{ height: 1px; }}
    QWidget#chatMain {{ background: {c.base}; }}
    QProgressBar {{ border: 1px solid {c.border}; border-radius: 5px; text-align: center;
                   background: {c.base}; height: 14px; }}
    QProgressBar::chunk {{ background: {c.accent}; border-radius: 4px; }}
    """


def apply(choice: str | None = None) -> Colors:
    """Apply 'system', 'light' or 'dark'; returns the colours now in use."""
    app = QApplication.instance()
    if choice is not None:
        _state["choice"] = choice if choice in APPEARANCES else "system"
    mode = _state["choice"]
    dark = system_is_dark() if mode == "system" else mode == "dark"
    c = DARK if dark else LIGHT
    _state["colors"] = c
    app.setStyle("Fusion")
    app.setPalette(_palette(c))
    app.setStyleSheet(stylesheet(c))
    return c


def follow_system() -> None:
    """Re-apply when the system switches between light and dark (connected once)."""
    if _state.get("following"):
        return
    _state["following"] = True
    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda *_: apply())

"""Line icons drawn for Sastre (24x24, stroked in the current text colour)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from desktop import theme

_PATHS = {
    "thumb_up": '<path d="M7 11v10H4a1 1 0 0 1-1-1v-8a1 1 0 0 1 1-1h3zm0 0 4-8a2 2 0 0 1 3 2'
    'l-1 5h6a2 2 0 0 1 2 2.4l-1.5 7A2 2 0 0 1 17.5 21H7"/>',
    "thumb_down": '<g transform="rotate(180 12 12)"><path d="M7 11v10H4a1 1 0 0 1-1-1v-8a1 1 0 0'
    ' 1 1-1h3zm0 0 4-8a2 2 0 0 1 3 2l-1 5h6a2 2 0 0 1 2 2.4l-1.5 7A2 2 0 0 1 17.5 21H7"/></g>',
    "copy": '<rect x="9" y="9" width="12" height="12" rx="2"/>'
    '<path d="M5 15H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v1"/>',
    "regenerate": '<path d="M20 12a8 8 0 1 1-2.34-5.66"/><path d="M20 4v5h-5"/>',
    "edit": '<path d="M4 20h4L19 9l-4-4L4 16z"/><path d="M13 7l4 4"/>',
    "send": '<path d="M12 19V5"/><path d="M5 12l7-7 7 7"/>',
    "stop": '<rect x="6" y="6" width="12" height="12" rx="2" fill="currentColor"/>',
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "search": '<circle cx="11" cy="11" r="7"/><path d="M21 21l-5-5"/>',
    "file": '<path d="M14 3H6a1 1 0 0 0-1 1v16a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V8z"/>'
    '<path d="M14 3v5h5"/>',
    "folder": '<path d="M3 6a1 1 0 0 1 1-1h5l2 2h9a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0'
    ' 1-1-1z"/>',
    "trash": '<path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13"/>',
    "close": '<path d="M6 6l12 12M18 6L6 18"/>',
    "pause": '<path d="M8 5v14M16 5v14"/>',
    "play": '<path d="M7 5l12 7-12 7z"/>',
    "star": '<path d="M12 3l2.8 5.7 6.2.9-4.5 4.4 1 6.2L12 17.3 6.5 20.2l1-6.2L3 9.6l6.2-.9z"/>',
    "download": '<path d="M12 4v11M7 10l5 5 5-5M5 20h14"/>',
    "open": '<path d="M14 4h6v6M20 4l-9 9M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1'
    ' 1-1h5"/>',
    "sources": '<path d="M5 4h10l4 4v12H5z"/><path d="M8 11h8M8 15h6"/>',
    "chat": '<path d="M4 5h16v11H9l-5 4z"/>',
    "refresh": '<path d="M20 12a8 8 0 1 1-2.34-5.66"/><path d="M20 4v5h-5"/>',
}

_cache: dict[tuple[str, str, int], QIcon] = {}


def svg(name: str, color: str) -> bytes:
    body = _PATHS[name].replace("currentColor", color)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" '
        f'stroke="{color}" stroke-width="1.8" stroke-linecap="round" '
        f'stroke-linejoin="round">{body}</svg>'
    ).encode()


def pixmap(name: str, color: str, size: int = 18) -> QPixmap:
    app = QGuiApplication.instance()
    dpr = app.devicePixelRatio() if app else 1.0
    pm = QPixmap(int(size * dpr), int(size * dpr))
    pm.fill(Qt.GlobalColor.transparent)
    renderer = QSvgRenderer(QByteArray(svg(name, color)))
    p = QPainter(pm)
    renderer.render(p, QRectF(0, 0, pm.width(), pm.height()))
    p.end()
    pm.setDevicePixelRatio(dpr)
    return pm


def icon(name: str, color: str | None = None, size: int = 18) -> QIcon:
    """An icon in `color` (default: the theme's muted text colour)."""
    c = theme.colors()
    color = color or c.muted
    key = (name, color, size)
    if key not in _cache:
        ic = QIcon(pixmap(name, color, size))
        ic.addPixmap(pixmap(name, c.accent, size), QIcon.Mode.Active)
        ic.addPixmap(pixmap(name, c.accent, size), QIcon.Mode.Normal, QIcon.State.On)
        _cache[key] = ic
    return _cache[key]

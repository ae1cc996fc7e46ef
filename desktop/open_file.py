"""Open a document in the system's viewer, at a page where the viewer allows it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices

# Linux PDF viewers that take a page number on the command line.
_PAGE_VIEWERS = (
    ("evince", ["--page-label={page}"]),
    ("okular", ["-p", "{page}"]),
    ("zathura", ["-P", "{page}"]),
    ("qpdfview", []),  # takes FILE#PAGE
)


def viewer_command(path: Path, page: int | None) -> list[str] | None:
    """A command that opens a PDF at `page`, if a viewer that supports it is installed."""
    if page is None or path.suffix.lower() != ".pdf" or not sys.platform.startswith("linux"):
        return None
    for exe, args in _PAGE_VIEWERS:
        found = shutil.which(exe)
        if not found:
            continue
        if exe == "qpdfview":
            return [found, "--unique", f"{path}#{page}"]
        return [found, *[a.format(page=page) for a in args], str(path)]
    return None


def open_document(path: str | Path, page: int | None = None) -> str | None:
    """Open `path`; return a message for the user if it could not be opened."""
    p = Path(path)
    if not p.exists():
        return QCoreApplication.translate(
            "OpenFile", "{0} no longer exists. Re-index the collection or add the file again."
        ).format(p)
    cmd = viewer_command(p, page)
    if cmd:
        try:
            subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return None
        except OSError:
            pass
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(p))):
        return QCoreApplication.translate(
            "OpenFile", "No application is set up to open {0}. Open it from {1} yourself."
        ).format(p.name, p.parent)
    return None

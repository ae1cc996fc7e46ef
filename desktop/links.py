"""What a click on a link may open. Links in answers come from a model or a document.

- The app's own citation links (cite:N) show source N in the sources pane; the pane's
  buttons open the user's indexed files.
- Any other link (file:, http:, //host/...) is never opened with one click: the full
  target is shown and the user is asked first.
- Refused outright: a file URL or path naming another host (file://host/..., //host/...,
  \\\\host\\...: opening it may contact that host), and any scheme other than file,
  http, https and mailto (javascript:, data:, smb:, app-launching schemes).

`classify` is the policy (pure, no Qt); `follow` applies it for a view's link signal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

CITE, ASK, REFUSE = "cite", "ask", "refuse"
ASKABLE_SCHEMES = ("http", "https", "mailto")
_LOCAL_HOSTS = ("", "localhost")


@dataclass(frozen=True)
class Link:
    action: str  # CITE, ASK or REFUSE
    target: str  # the full target, as shown to the user
    path: str | None = None  # a local file's path (file links)
    n: int | None = None  # the source number (citations)
    reason: str = ""  # why it was refused (English; the GUI shows its own words)


def local_path(target: str) -> str | None:
    """The local path a file URL or path names; None when it names another host."""
    t = target.strip()
    if t.startswith(("\\\\", "//")):
        return None  # UNC / network-path reference: another machine
    if t.lower().startswith("file:"):
        parts = urlsplit(t)
        if parts.netloc.lower() not in _LOCAL_HOSTS:
            return None
        path = unquote(parts.path)
        return None if path.startswith("//") else path
    return t


def classify(href: str) -> Link:
    href = (href or "").strip()
    parts = urlsplit(href)
    scheme = parts.scheme.lower()
    if scheme == CITE:
        try:
            return Link(CITE, href, n=int(parts.path))
        except ValueError:
            return Link(REFUSE, href, reason="not a citation number")
    if scheme == "file" or (not scheme and href.startswith(("//", "\\\\"))):
        path = local_path(href)
        if path is None:
            return Link(REFUSE, href, reason="it names another computer")
        return Link(ASK, path, path=path)
    if scheme in ASKABLE_SCHEMES:
        return Link(ASK, href)
    if not scheme and href.startswith("/"):
        return Link(ASK, href, path=href)
    return Link(REFUSE, href, reason=f"links of type '{scheme or 'relative'}' are not opened")


def follow(
    parent,
    href: str,
    show_source: Callable[[int], None],
    open_path: Callable[[str], None],
    status: Callable[[str], None],
) -> None:
    """Apply the policy to a clicked link: show a source, ask before opening, or refuse."""
    from PySide6.QtCore import QCoreApplication, QUrl
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QMessageBox

    def tr(text: str) -> str:
        return QCoreApplication.translate("Links", text)

    link = classify(href)
    if link.action == CITE:
        show_source(link.n)
        return
    if link.action == REFUSE:
        note = tr("This link was not opened: it points to another computer or a program.")
        status(f"{note} {link.target}")
        return
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(tr("Open this link?"))
    box.setText(tr("The answer links to a target outside the app. Open it?"))
    box.setInformativeText(link.target)  # the full target, never a label chosen by the text
    box.setStandardButtons(QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    if box.exec() != QMessageBox.StandardButton.Open:
        return
    if link.path is not None:
        open_path(link.path)
    else:
        QDesktopServices.openUrl(QUrl(link.target))

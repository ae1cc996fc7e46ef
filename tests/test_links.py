"""The link policy: only citations act at once; everything else asks, or is refused."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from desktop.links import ASK, CITE, REFUSE, classify, local_path


@pytest.mark.parametrize(
    "href, action",
    [
        ("cite:3", CITE),
        ("file:///usr/bin/xcalc", ASK),
        ("file:///home/me/notes/lease.pdf", ASK),
        ("/home/me/notes/lease.pdf", ASK),
        ("https://example.com/?q=secret", ASK),
        ("mailto:someone@example.com", ASK),
        ("file://evil.example.com/share/x.pdf", REFUSE),
        ("file:////evil.example.com/share/x.pdf", REFUSE),
        ("//evil.example.com/share/x.pdf", REFUSE),
        ("\\\\evil\\share\\x.pdf", REFUSE),
        ("javascript:alert(1)", REFUSE),
        ("data:text/html,<script>1</script>", REFUSE),
        ("smb://host/share", REFUSE),
        ("vscode://file/etc/passwd", REFUSE),
        ("notes/relative.txt", REFUSE),
        ("cite:x", REFUSE),
    ],
)
def test_link_policy(href, action):
    assert classify(href).action == action


def test_asked_links_show_the_full_target():
    link = classify("file:///usr/bin/xcalc")
    assert (link.target, link.path) == ("/usr/bin/xcalc", "/usr/bin/xcalc")
    assert classify("cite:2").n == 2
    assert classify("file://localhost/tmp/a%20b.txt").path == "/tmp/a b.txt"


def test_local_path_refuses_other_hosts():
    assert local_path("/home/me/a.pdf") == "/home/me/a.pdf"
    assert local_path("//host/share/a.pdf") is None
    assert local_path("file://host/a.pdf") is None


def test_a_click_on_a_model_link_asks_and_never_opens_by_itself(qtbot, monkeypatch):
    """A model-written link to a program, labelled like a citation, is shown in full and
    only opened when the user says so; a link to another host is refused."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QMessageBox

    from desktop import links
    from desktop.widgets.markdown_view import MarkdownView

    opened, asked, shown = [], [], []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)

    def fake_exec(box):
        asked.append(box.informativeText())
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    view = MarkdownView(auto_height=True)
    qtbot.addWidget(view)
    view.set_markdown("See [\\[1\\]](file:///usr/bin/xcalc) and [2] and [x](file://host/a).")
    clicked = []
    view.link_clicked.connect(lambda url: clicked.append(url))
    view.citation_clicked.connect(shown.append)
    for href in ("file:///usr/bin/xcalc", "cite:2", "file://host/a"):
        view.anchorClicked.emit(QUrl(href))
    for url in clicked:
        links.follow(view, url.toString(), shown.append, opened.append, lambda _t: None)
    assert shown == [2]
    assert asked == ["/usr/bin/xcalc"]
    assert opened == []

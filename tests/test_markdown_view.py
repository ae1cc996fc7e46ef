"""Model output is text, never markup; the app's Sources line always shows."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QUrl

from desktop.widgets.markdown_view import MarkdownView, prepare_markdown

SOURCES = "\n\nSources:\n[1] lease.pdf, p. 2\n[2] notes.md"


def _anchors(view) -> list[str]:
    out = []
    block = view.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            f = it.fragment()
            if f.isValid() and f.charFormat().isAnchor():
                out.append(f.charFormat().anchorHref())
            it += 1
        block = block.next()
    return out


def test_html_from_the_model_is_shown_literally_and_sources_stay(qtbot):
    view = MarkdownView(auto_height=True)
    qtbot.addWidget(view)
    answer = (
        'The rent is due monthly <source n="1" from="lease.pdf">the tenant pays</source> '
        "and <b>on time</b>. <a href='file:///usr/bin/xcalc'>details</a>\n\n"
        "<div style='display:none'>hidden</div>" + SOURCES
    )
    view.set_markdown(answer)
    text = view.document().toPlainText()
    assert '<source n="1" from="lease.pdf">' in text
    assert "<b>on time</b>" in text and "<div style='display:none'>hidden</div>" in text
    assert "Sources:" in text and "lease.pdf, p. 2" in text
    anchors = _anchors(view)
    assert "cite:1" in anchors and "cite:2" in anchors
    assert not any("xcalc" in a for a in anchors)  # raw <a href> is not a link


def test_an_unclosed_code_fence_does_not_swallow_the_sources(qtbot):
    view = MarkdownView(auto_height=True)
    qtbot.addWidget(view)
    view.set_markdown("Here is code:\n\n```python\nprint('x')" + SOURCES)
    assert "cite:1" in _anchors(view) and "cite:2" in _anchors(view)
    assert "```" not in prepare_markdown("no fence here" + SOURCES)


def test_remote_resources_are_never_loaded_from_raw_html(qtbot):
    view = MarkdownView(auto_height=True)
    qtbot.addWidget(view)
    view.set_markdown("<img src='https://example.com/p.png'> ![x](https://example.com/q.png)")
    html = view.document().toHtml()
    assert "<img" not in html.replace("&lt;img", "")
    assert view.refused == [] or all("example.com" in u for u in view.refused)
    assert view.loadResource(2, QUrl("https://example.com/p.png")) is None


def test_unsupported_sentences_are_underlined_with_a_tooltip(qtbot):
    from PySide6.QtGui import QTextCharFormat

    view = MarkdownView(auto_height=True)
    qtbot.addWidget(view)
    view.set_markdown("The rent is 950 euros [1]. The flat has a **pool** on the roof." + SOURCES)
    view.mark_unsupported(["The flat has a **pool** on the roof."])
    doc = view.document()
    marked, plain = [], []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            f = it.fragment()
            if f.isValid():
                fmt = f.charFormat()
                dotted = fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.DotLine
                (marked if dotted else plain).append(f.text())
                if dotted:
                    assert fmt.toolTip() == "Not found in your documents"
            it += 1
        block = block.next()
    assert "".join(marked) == "The flat has a pool on the roof."
    assert "The rent is 950 euros" in "".join(plain)

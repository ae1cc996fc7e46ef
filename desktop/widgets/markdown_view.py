"""Markdown rendered locally: code blocks, lists, tables, clickable citations [n].

Model output and document text are data, not instructions, and may contain
markup, links and images pointing anywhere. It is text, never markup: raw HTML
(a model-invented `<source ...>` tag, `<a href>`, `<img>`) is shown literally
(Qt's MarkdownNoHTML); only the Markdown subset renders. A code fence the model
leaves open is closed before the app's own "Sources:" block, so that block and its
links always show. Nothing remote is ever loaded: remote images are replaced by a
note before rendering, `loadResource` refuses every non-local URL as a second guard,
and links are never followed (the view emits `link_clicked`; desktop/links.py
decides what a click may open).
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QCoreApplication, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextFrameFormat,
)
from PySide6.QtWidgets import QSizePolicy, QTextBrowser

from desktop import theme
from engine.rag import citations as cite_parser

LOCAL_SCHEMES = ("", "file", "qrc", "data")
CITE_SCHEME = "cite"

_CODE = re.compile(r"(```.*?(?:```|$)|~~~.*?(?:~~~|$)|`[^`\n]*`)", re.S)
_REF_DEFINITION = re.compile(r"^ {0,3}\[\d{1,3}\]:", re.M)
_FENCE = re.compile(r"^ {0,3}(```|~~~)", re.M)
# The block engine/rag/answer.py appends: a blank line, "Sources:" and "[n] label" lines.
_SOURCES_BLOCK = re.compile(r"\n\n(?:Sources|Fuentes):\n(?:\[\d{1,3}\] [^\n]*(?:\n|$))+\Z")
FEATURES = QTextDocument.MarkdownFeature(
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub.value
    | QTextDocument.MarkdownFeature.MarkdownNoHTML.value
)
_REMOTE_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([a-zA-Z][\w+.-]*:[^)\s>]*)>?[^)]*\)")


def is_local(url: QUrl) -> bool:
    return url.scheme().lower() in LOCAL_SCHEMES


def prepare_markdown(text: str, citations: bool = True) -> str:
    """Turn [n] into cite: links and remote images into a note, outside code; close a
    code fence left open before the app's Sources block."""
    m = _SOURCES_BLOCK.search(text)
    body, block = (text[: m.start()], text[m.start() :]) if m else (text, "")
    if len(_FENCE.findall(body)) % 2:
        body += "\n" + _FENCE.findall(body)[-1]
    return _prepare(body, citations) + _prepare(block, citations)


def _prepare(text: str, citations: bool) -> str:
    parts = _CODE.split(text)
    for i in range(0, len(parts), 2):  # even indices: not code
        part = _REMOTE_IMAGE.sub(_image_note, parts[i])
        if citations:
            part = cite_parser.GROUP.sub(_cite_links, part)
        parts[i] = part
    return "".join(parts)


def _cite_links(m: re.Match) -> str:
    line_start = m.string.rfind("\n", 0, m.start()) + 1
    if _REF_DEFINITION.match(m.string, line_start) and m.string[m.end() : m.end() + 1] == ":":
        return m.group(0)  # "[1]: url" at the start of a line defines a link; keep it
    nums = next(cite_parser.find(m.group(0))).numbers
    return "".join(f"[\\[{n}\\]]({CITE_SCHEME}:{n})" for n in nums)


def _image_note(m: re.Match) -> str:
    if is_local(QUrl(m.group(2))):
        return m.group(0)
    alt = m.group(1).strip() or QCoreApplication.translate("MarkdownView", "image")
    note = QCoreApplication.translate("MarkdownView", "{0}: remote image not loaded")
    return "*[" + note.format(alt) + "]*"


def style_document(doc: QTextDocument, colors: theme.Colors) -> None:
    """Monospace + shaded code blocks, readable tables, citation pills."""
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    code_bg = QColor(colors.code_bg)
    cursor = QTextCursor(doc)
    cursor.beginEditBlock()
    block = doc.begin()
    prev_code = False
    while block.isValid():
        fmt = block.blockFormat()
        is_code = fmt.hasProperty(QTextFormat.Property.BlockCodeFence) or fmt.hasProperty(
            QTextFormat.Property.BlockCodeLanguage
        )
        nxt = block.next()
        next_code = nxt.isValid() and (
            nxt.blockFormat().hasProperty(QTextFormat.Property.BlockCodeFence)
            or nxt.blockFormat().hasProperty(QTextFormat.Property.BlockCodeLanguage)
        )
        if is_code:
            bf = QTextBlockFormat(fmt)
            bf.setBackground(code_bg)
            bf.setLeftMargin(4)
            bf.setRightMargin(4)
            bf.setTopMargin(0 if prev_code else 6)
            bf.setBottomMargin(0 if next_code else 6)
            bf.setNonBreakableLines(True)
            cursor.setPosition(block.position())
            cursor.setBlockFormat(bf)
            cursor.setPosition(
                block.position() + max(0, block.length() - 1), QTextCursor.KeepAnchor
            )
            cf = QTextCharFormat()
            cf.setFontFamilies([fixed.family()])
            cf.setFontFixedPitch(True)
            cursor.mergeCharFormat(cf)
        else:
            in_table = QTextCursor(block).currentTable() is not None
            if in_table:
                pass
            elif block.textList() is None and not fmt.hasProperty(
                QTextFormat.Property.HeadingLevel
            ):
                bf = QTextBlockFormat(fmt)
                bf.setTopMargin(3)
                bf.setBottomMargin(7)
                bf.setLineHeight(112, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
                cursor.setPosition(block.position())
                cursor.setBlockFormat(bf)
            elif block.textList() is not None:
                bf = QTextBlockFormat(fmt)
                bf.setTopMargin(2)
                bf.setBottomMargin(2)
                cursor.setPosition(block.position())
                cursor.setBlockFormat(bf)
            _style_fragments(cursor, block, fixed.family(), colors)
        prev_code = is_code
        block = nxt
    for frame in doc.rootFrame().childFrames():
        ff = frame.frameFormat()
        if ff.isTableFormat():
            tf = ff.toTableFormat()
            tf.setBorder(1)
            tf.setBorderBrush(QColor(colors.border))
            tf.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
            tf.setCellPadding(6)
            tf.setCellSpacing(0)
            tf.setBorderCollapse(True)
            tf.setTopMargin(6)
            tf.setBottomMargin(6)
            frame.setFrameFormat(tf)
    cursor.endEditBlock()


def _style_fragments(cursor: QTextCursor, block, fixed_family: str, colors: theme.Colors) -> None:
    it = block.begin()
    while not it.atEnd():
        frag = it.fragment()
        it += 1
        if not frag.isValid():
            continue
        cf = frag.charFormat()
        href = cf.anchorHref() if cf.isAnchor() else ""
        new = None
        if href.startswith(CITE_SCHEME + ":"):
            new = QTextCharFormat()
            new.setForeground(QColor(colors.accent))
            new.setFontUnderline(False)
            new.setFontWeight(700)
            new.setToolTip(
                QCoreApplication.translate("MarkdownView", "Show source {0}").format(
                    href.split(":", 1)[1]
                )
            )
        elif cf.isAnchor():
            new = QTextCharFormat()
            new.setForeground(QColor(colors.accent))
            new.setToolTip(href)
        elif "monospace" in (cf.fontFamilies() or []):
            new = QTextCharFormat()
            new.setFontFamilies([fixed_family])
            new.setBackground(QColor(colors.code_bg))
        if new is not None:
            cursor.setPosition(frag.position())
            cursor.setPosition(frag.position() + frag.length(), QTextCursor.KeepAnchor)
            cursor.mergeCharFormat(new)


_MARKERS = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+|\*\*|__|`")


def underline_sentences(doc: QTextDocument, sentences: list[str], colors: theme.Colors) -> int:
    """Dotted-underline each sentence found in the rendered text; return how many were."""
    found = 0
    fmt = QTextCharFormat()
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
    fmt.setUnderlineColor(QColor(colors.muted))
    fmt.setToolTip(QCoreApplication.translate("MarkdownView", "Not found in your documents"))
    for sentence in sentences:
        plain = " ".join(_MARKERS.sub("", sentence).split())
        cursor = doc.find(plain)
        if cursor.isNull():
            continue
        cursor.mergeCharFormat(fmt)
        found += 1
    return found


class MarkdownView(QTextBrowser):
    """A read-only Markdown view that never fetches anything remote.

    With auto_height=True it has no scroll bars and is exactly as tall as its
    text (used for chat messages inside one scrolling transcript).
    """

    citation_clicked = Signal(int)
    link_clicked = Signal(QUrl)

    def __init__(self, parent=None, auto_height: bool = False, citations: bool = True):
        super().__init__(parent)
        self._auto = auto_height
        self._citations = citations
        self._markdown = ""
        self._unsupported: list[str] = []
        self.refused: list[str] = []  # remote URLs something tried to load (for tests)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor)
        self.document().setDocumentMargin(2)
        if auto_height:
            self.setFrameShape(QTextBrowser.Shape.NoFrame)
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self.viewport().setAutoFillBackground(False)
            self.setStyleSheet("QTextBrowser { background: transparent; border: none; }")
            self.document().documentLayout().documentSizeChanged.connect(self._fit)

    # -- content ----------------------------------------------------------------
    def set_markdown(self, text: str) -> None:
        self._markdown = text
        self._render()

    def markdown(self) -> str:
        return self._markdown

    def mark_unsupported(self, sentences: list[str]) -> None:
        """Underline these sentences subtly, with the tooltip "Not found in your documents"
        (sentences of a document answer that no retrieved passage supports)."""
        self._unsupported = [s for s in sentences if s.strip()]
        self._render()

    def _render(self) -> None:
        doc = self.document()
        doc.setMarkdown(prepare_markdown(self._markdown, self._citations), FEATURES)
        style_document(doc, theme.colors())
        if self._unsupported:
            underline_sentences(doc, self._unsupported, theme.colors())
        if self._auto:
            self._fit()

    def loadResource(self, type_: int, url: QUrl):  # noqa: N802 - Qt override
        if not is_local(url):
            self.refused.append(url.toString())
            return None
        return super().loadResource(type_, url)

    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme() == CITE_SCHEME:
            try:
                self.citation_clicked.emit(int(url.path()))
            except ValueError:
                pass
            return
        self.link_clicked.emit(url)

    # -- sizing -----------------------------------------------------------------
    def _fit(self, *_args) -> None:
        doc = self.document()
        h = math.ceil(doc.size().height()) + 2 * self.frameWidth() + 2
        if self.height() != h:
            self.setFixedHeight(h)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._auto:
            self._fit()

    def sizeHint(self) -> QSize:  # noqa: N802
        if not self._auto:
            return super().sizeHint()
        return QSize(super().sizeHint().width(), self.height())

    def changeEvent(self, event) -> None:  # noqa: N802
        from PySide6.QtCore import QEvent

        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._markdown:
            self._render()

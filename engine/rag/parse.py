"""Turn file bytes into text blocks that keep their structure (pages, headings, definitions).

Runs inside parser worker processes (see workers.py): anything here may meet a
malformed or hostile file. Files that are not indexable in their form raise
SkipFile with the reason; anything else raised is reported as a failure.

Over 500 lines: one small parser per format (PDF, DOCX, HTML, Markdown, text, code) and
the limits they share; each is short, and they are read side by side.
"""

from __future__ import annotations

import io
import re
import zlib
from html.parser import HTMLParser
from pathlib import PurePath

from engine.rag.types import Block, ParsedDocument


class SkipFile(Exception):
    """The file cannot be indexed as it is (the message says why, for the user)."""


PDF = {".pdf"}
DOCX = {".docx"}
HTML = {".html", ".htm", ".xhtml"}
MARKDOWN = {".md", ".markdown", ".mdown", ".mkd", ".mdx"}
TEXT = {".txt", ".text", ".rst", ".log", ".csv", ".tsv", ".tex", ".org", ".adoc", ".asciidoc"}
CODE = {
    ".py",
    ".pyi",
    ".js",
    ".mjs",
    ".cjs",
    ".ts",
    ".tsx",
    ".jsx",
    ".java",
    ".kt",
    ".kts",
    ".scala",
    ".c",
    ".h",
    ".cc",
    ".cpp",
    ".cxx",
    ".hpp",
    ".hh",
    ".cs",
    ".go",
    ".rs",
    ".rb",
    ".php",
    ".swift",
    ".m",
    ".mm",
    ".lua",
    ".pl",
    ".pm",
    ".r",
    ".jl",
    ".sh",
    ".bash",
    ".zsh",
    ".fish",
    ".ps1",
    ".sql",
    ".css",
    ".scss",
    ".less",
    ".vue",
    ".svelte",
    ".dart",
    ".ex",
    ".exs",
    ".erl",
    ".hs",
    ".ml",
    ".clj",
    ".el",
    ".vim",
    ".toml",
    ".yaml",
    ".yml",
    ".ini",
    ".cfg",
    ".conf",
    ".json",
    ".xml",
    ".proto",
    ".graphql",
    ".gradle",
    ".cmake",
    ".mk",
}
# Extension-less files worth reading when they hold text (checked for binary content).
TEXT_NAMES = {
    "readme",
    "license",
    "licence",
    "copying",
    "notice",
    "news",
    "changelog",
    "changes",
    "history",
    "authors",
    "contributors",
    "todo",
    "install",
    "makefile",
    "dockerfile",
    "gemfile",
    "rakefile",
    "procfile",
    "vagrantfile",
    "jenkinsfile",
}


def detect_format(path: str) -> str | None:
    """The parser for a path ('pdf', 'docx', 'html', 'markdown', 'text', 'code'), or None."""
    p = PurePath(path)
    ext = p.suffix.lower()
    for fmt, exts in (
        ("pdf", PDF),
        ("docx", DOCX),
        ("html", HTML),
        ("markdown", MARKDOWN),
        ("text", TEXT),
        ("code", CODE),
    ):
        if ext in exts:
            return fmt
    stem = p.name.lower().split(".")[0]
    if stem in TEXT_NAMES:
        return "text"
    if not ext:
        return "text"  # extension-less: read it if it turns out to be text
    return None


def parse_bytes(data: bytes, path: str, fmt: str) -> ParsedDocument:
    parser = {
        "pdf": parse_pdf,
        "docx": parse_docx,
        "html": parse_html,
        "markdown": parse_markdown,
        "text": parse_text,
        "code": parse_code,
    }[fmt]
    doc = parser(data, path)
    doc.blocks, note = split_long_blocks([b for b in doc.blocks if b.text.strip()])
    if note:
        doc.notes.append(note)
    if not doc.blocks:
        raise SkipFile(
            "no extractable text (a scanned PDF? OCR is not supported)"
            if fmt == "pdf"
            else "no text in this file"
        )
    return doc


# -- text decoding --------------------------------------------------------------


def looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 with a byte-order mark
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control / len(head) > 0.10


def decode_text(data: bytes) -> str:
    return decode_text_noted(data)[0]


def decode_text_noted(data: bytes) -> tuple[str, str | None]:
    """The text, and a note for the report when it was not clean UTF-8.

    A file with valid UTF-8 sequences and a few broken bytes is UTF-8 with damage:
    the broken bytes become U+FFFD (guessing a legacy code page from them would
    garble every accented letter). A file with no valid multi-byte sequence at
    all is legacy 8-bit text: Windows-1252 when it fits, else the detector's guess.
    """
    if looks_binary(data):
        raise SkipFile("binary content, not text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8-sig", errors="replace")
    broken = text.count("\ufffd") - data.count("\ufffd".encode())
    multibyte = len(_UTF8_MULTIBYTE.findall(data))
    if multibyte >= broken:
        return text, f"not valid UTF-8: {broken} damaged byte sequence(s) shown as \ufffd"
    try:
        return data.decode("cp1252"), "not UTF-8: read as Windows-1252 (Western European)"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            text = data.decode(best.encoding, errors="replace")
            return text, f"not UTF-8: read as {best.encoding} (a guess)"
    except (ImportError, LookupError):
        pass
    return data.decode("latin-1"), "not UTF-8: read as Latin-1"


_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# Longer blocks are cut before tokenizing: a tokenizer fed one 50 MB line ran out of
# memory in the worker. Cuts fall on whitespace when there is any nearby.
MAX_BLOCK_CHARS = 20_000


def split_long_blocks(blocks: list[Block]) -> tuple[list[Block], str | None]:
    out: list[Block] = []
    longest = 0
    for b in blocks:
        if len(b.text) <= MAX_BLOCK_CHARS:
            out.append(b)
            continue
        longest = max(longest, len(b.text))
        text, start = b.text, 0
        while start < len(text):
            end = min(len(text), start + MAX_BLOCK_CHARS)
            if end < len(text):
                cut = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
                end = cut + 1 if cut > start + MAX_BLOCK_CHARS // 2 else end
            out.append(Block(text[start:end], page=b.page, heading=b.heading, kind=b.kind))
            start = end
    if not longest:
        return out, None
    size = f"{longest / 1e6:.1f} MB" if longest >= 1e6 else f"{longest / 1e3:.0f} KB"
    return out, f"a {size} paragraph or line was split into {MAX_BLOCK_CHARS:,}-character pieces"


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


# -- formats ---------------------------------------------------------------------------


def parse_text(data: bytes, path: str) -> ParsedDocument:
    text, note = decode_text_noted(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [Block(p) for p in _paragraphs(text)]
    return ParsedDocument("text", blocks, title=PurePath(path).name, notes=_notes(note))


_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _heading_path(stack: list[tuple[int, str]]) -> str | None:
    return " > ".join(t for _, t in stack[-3:]) or None


def _notes(note: str | None) -> list[str]:
    return [note] if note else []


def parse_markdown(data: bytes, path: str) -> ParsedDocument:
    text, note = decode_text_noted(data)
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":  # YAML front matter
        for i in range(1, min(len(lines), 200)):
            if lines[i].strip() in ("---", "..."):
                lines = lines[i + 1 :]
                break
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    buf: list[str] = []
    title = None
    in_fence = False

    def flush(kind: str = "text") -> None:
        body = "\n".join(buf).strip()
        buf.clear()
        if body:
            blocks.append(Block(body, heading=_heading_path(stack), kind=kind))

    def push(level: int, heading: str) -> None:
        nonlocal title
        flush()
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, heading))
        title = title or (heading if level == 1 else None)

    for i, line in enumerate(lines):
        if _FENCE.match(line):
            if in_fence:
                buf.append(line)
                flush("code")
            else:
                flush()
                buf.append(line)
            in_fence = not in_fence
            continue
        if in_fence:
            buf.append(line)
            continue
        m = _ATX.match(line)
        if m:
            push(len(m.group(1)), m.group(2).strip())
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and not buf and re.fullmatch(r"=+\s*|-{2,}\s*", nxt):
            push(1 if nxt.startswith("=") else 2, line.strip())
            continue
        if re.fullmatch(r"=+\s*|-{2,}\s*", line) and not buf:
            continue  # the underline of a setext heading
        if not line.strip():
            flush()
        else:
            buf.append(line)
    flush("code" if in_fence else "text")
    return ParsedDocument(
        "markdown", blocks, title=title or PurePath(path).name, notes=_notes(note)
    )


class _HTMLText(HTMLParser):
    BLOCK = {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "li",
        "ul",
        "ol",
        "tr",
        "table",
        "br",
        "hr",
        "dt",
        "dd",
        "dl",
        "blockquote",
        "pre",
        "main",
        "aside",
        "nav",
        "figure",
        "figcaption",
        "td",
        "th",
        "form",
        "fieldset",
        "address",
        "caption",
    }
    SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "object", "head"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.stack: list[tuple[int, str]] = []
        self.buf: list[str] = []
        self.skip = 0
        self.heading: tuple[int, list[str]] | None = None
        self.pre = 0
        self.title: str | None = None
        self._in_title = False

    def flush(self) -> None:
        text = "".join(self.buf)
        self.buf.clear()
        if not self.pre:
            text = re.sub(r"[ \t\r\f\v]+", " ", text)
            text = re.sub(r" *\n *", "\n", text)
        if text.strip():
            self.blocks.append(
                Block(
                    text.strip(),
                    heading=_heading_path(self.stack),
                    kind="code" if self.pre else "text",
                )
            )

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        if tag in self.SKIP:
            self.skip += 1
            return
        if re.fullmatch(r"h[1-6]", tag):
            self.flush()
            self.heading = (int(tag[1]), [])
        elif tag in self.BLOCK:
            self.flush() if tag != "br" else self.buf.append("\n")
            if tag == "pre":
                self.pre += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if re.fullmatch(r"h[1-6]", tag) and self.heading:
            level, parts = self.heading
            text = " ".join("".join(parts).split())
            self.heading = None
            if text:
                while self.stack and self.stack[-1][0] >= level:
                    self.stack.pop()
                self.stack.append((level, text))
        elif tag in self.BLOCK and tag != "br":
            self.flush()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data):
        if self._in_title:
            self.title = (self.title or "") + data
        if self.skip:
            return
        if self.heading is not None:
            self.heading[1].append(data)
        else:
            self.buf.append(data)


def parse_html(data: bytes, path: str) -> ParsedDocument:
    text, note = decode_text_noted(data)
    p = _HTMLText()
    p.feed(text)
    p.close()
    p.flush()
    title = " ".join((p.title or "").split()) or PurePath(path).name
    return ParsedDocument("html", p.blocks, title=title, notes=_notes(note))


def parse_docx(data: bytes, path: str) -> ParsedDocument:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if not data.startswith(b"PK"):
        raise SkipFile("not a real DOCX file (it is not a ZIP package)")
    from lxml.etree import LxmlError

    # Damaged compressed parts (zlib.error, EOFError) and XML (LxmlError) were found by
    # the fuzzer (tests/robustness): they can surface while the content is read, too.
    damaged = (
        zipfile.BadZipFile,
        PackageNotFoundError,
        KeyError,
        ValueError,
        zlib.error,
        EOFError,
        LxmlError,
    )
    try:
        return _docx_document(docx.Document(io.BytesIO(data)), path)
    except damaged as exc:
        raise SkipFile(f"malformed DOCX ({type(exc).__name__}: {exc})") from exc


def _docx_document(document, path: str) -> ParsedDocument:
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    title = document.core_properties.title or None
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):  # a table: one line per row
            rows = []
            for row in item.rows:
                cells = [" ".join(c.text.split()) for c in row.cells]
                rows.append(" | ".join(dict.fromkeys(c for c in cells if c)))
            text = "\n".join(r for r in rows if r)
            if text:
                blocks.append(Block(text, heading=_heading_path(stack)))
            continue
        text = item.text.strip()
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        m = re.match(r"(Heading|Título|Titulo)\s*(\d)", style, re.I)
        if m or style.lower() == "title":
            level = int(m.group(2)) if m else 0
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text))
            title = title or text
            continue
        blocks.append(Block(text, heading=_heading_path(stack)))
    return ParsedDocument("docx", blocks, title=title or PurePath(path).name)


def _pdf_paragraphs(text: str) -> str:
    """Re-flow PDF lines into paragraphs: join wrapped lines, undo hyphenation."""
    lines = [ln.rstrip() for ln in text.split("\n")]
    width = max((len(ln) for ln in lines), default=0)
    out: list[str] = []
    cur = ""
    for ln in lines:
        s = ln.strip()
        if not s:
            if cur:
                out.append(cur)
            cur = ""
            continue
        if cur.endswith("-") and s[:1].islower():
            cur = cur[:-1] + s
        else:
            cur = f"{cur} {s}" if cur else s
        # A short line that ends a sentence closes the paragraph.
        if s[-1:] in ".:!?" and len(ln) < 0.7 * width:
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return "\n\n".join(out)


_DOT_LEADERS = re.compile(r"(?:[ \t]*\.){4,}")  # tables of contents: "Intro . . . . 1"
_PAGE_NUMBER = re.compile(r"[ivxlc\d]{1,5}", re.I)


def parse_pdf(data: bytes, path: str) -> ParsedDocument:
    import pypdf
    from pypdf.errors import PdfReadError, PyPdfError

    if b"%PDF" not in data[:1024]:
        raise SkipFile("not a real PDF file (no %PDF header)")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except (NotImplementedError, PyPdfError) as exc:
                raise SkipFile(
                    f"encrypted PDF that Sastre cannot open ({exc}); save an unprotected copy "
                    "and index that"
                ) from exc
            if not ok:
                raise SkipFile(
                    "encrypted PDF: it needs a password to open; save an unprotected copy and index that"
                )
        pages = reader.pages
        n = len(pages)
        titles = _pdf_outline(reader)
        blocks: list[Block] = []
        heading = None
        for i in range(n):
            heading = titles.get(i + 1, heading)
            text = pages[i].extract_text() or ""
            text = _pdf_paragraphs(_DOT_LEADERS.sub(" … ", text.replace("\x00", "")))
            for para in _paragraphs(text):
                if not _PAGE_NUMBER.fullmatch(para):
                    blocks.append(Block(para, page=i + 1, heading=heading))
        meta_title = None
        try:
            meta_title = (reader.metadata or {}).get("/Title") or None
        except (PyPdfError, KeyError, ValueError):
            meta_title = None
    except SkipFile:
        raise
    except (
        PdfReadError,
        PyPdfError,
        KeyError,
        ValueError,
        TypeError,
        AssertionError,
        NotImplementedError,
        zlib.error,
        EOFError,  # damaged streams (found by the fuzzer)
    ) as exc:
        raise SkipFile(f"malformed PDF ({type(exc).__name__}: {exc})") from exc
    return ParsedDocument(
        "pdf", blocks, title=str(meta_title).strip() if meta_title else PurePath(path).name, pages=n
    )


def _pdf_outline(reader) -> dict[int, str]:
    """First outline (bookmark) title starting on each page, for headings of PDF chunks."""
    out: dict[int, str] = {}

    def walk(items, depth: int) -> None:
        for it in items:
            if isinstance(it, list):
                if depth < 3:
                    walk(it, depth + 1)
                continue
            try:
                page = reader.get_destination_page_number(it) + 1
            except Exception:  # noqa: BLE001 - a broken outline entry only loses a heading
                continue
            title = " ".join(str(getattr(it, "title", "") or "").split())
            if title and page > 0:
                out.setdefault(page, title)

    try:
        walk(reader.outline, 0)
    except Exception:  # noqa: BLE001 - outlines are optional and often broken
        return {}
    return out


_DEF = re.compile(
    r"^(?:export\s+)?(?:default\s+)?(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?(?:static\s+)?"
    r"(?:def|class|function|func|fn|struct|enum|trait|impl|interface|type|module|"
    r"object|protocol|extension|namespace|package|sub)\b"
)


def parse_code(data: bytes, path: str) -> ParsedDocument:
    """Source code split at top-level definitions; each one's first line is its heading."""
    text, note = decode_text_noted(data)
    lines = text.replace("\r\n", "\n").split("\n")
    blocks: list[Block] = []
    start, heading = 0, None

    def emit(end: int) -> None:
        body = "\n".join(lines[start:end]).strip("\n")
        if body.strip():
            blocks.append(Block(body, heading=heading, kind="code"))

    for i, line in enumerate(lines):
        if i > start and _DEF.match(line):
            # Keep decorators and comments directly above a definition with it.
            j = i
            while j > start and lines[j - 1].strip().startswith(("@", "#", "//", "/*", "*", "///")):
                j -= 1
            emit(j)
            start, heading = j, line.strip()[:100]
        elif i == 0 and _DEF.match(line):
            heading = line.strip()[:100]
    emit(len(lines))
    return ParsedDocument("code", blocks, title=PurePath(path).name, notes=_notes(note))

"""Structure-aware chunking measured in the embedding model's tokens.

A chunk never crosses a page or a heading, so its citation (file, page,
heading) is exact. Inside a section, sentences (code: lines) are packed up to
the token budget; the next chunk repeats the last sentences up to `overlap`
tokens. A sentence longer than the budget is cut at token boundaries.

List-like documents (release notes, changelogs, minutes, FAQs: many lines are list
items) are cut into their own units instead: each list item (with its continuation
lines) or paragraph is a unit, neighbours merge while together they stay within
`unit_tokens`, and only a unit longer than the budget is cut into sentences. A window
that mixes unrelated items matches every question a little and none well.

Every chunk carries a context header (the document's title, its first line, the file
name, the page): it is embedded and keyword-indexed with the chunk, so a chunk knows
which document it is from even when the identifier (a version, a date) is only at the
top of the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from engine.rag.types import Block, Chunk, ParsedDocument

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+|\n+")
_WORDS = re.compile(r"\S+")
_ITEM = re.compile(r"^[ \t]*(?:[*+•-]|\d{1,3}[.)])[ \t]+\S", re.M)
CHUNK_FORMAT = 2  # 1: no context headers, no list units (collections record theirs)
LIST_SHARE = 0.2  # a document whose lines are at least this share list items is list-like
HEADER_LINE = 120  # longest first line kept in a context header


class TokenCounter:
    """Counts and cuts text in the tokens of a Hugging Face `tokenizers` tokenizer.

    Built from the tokenizer's JSON (so parser processes can have it without
    torch); without one, whitespace-separated words stand in for tokens.
    """

    def __init__(self, tokenizer_json: str | None = None):
        self.tok = None
        if tokenizer_json:
            from tokenizers import Tokenizer

            self.tok = Tokenizer.from_str(tokenizer_json)
            self.tok.no_truncation()
            self.tok.no_padding()

    def count_many(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        if self.tok is None:
            return [len(_WORDS.findall(t)) for t in texts]
        return [len(e.ids) for e in self.tok.encode_batch(list(texts), add_special_tokens=False)]

    def count(self, text: str) -> int:
        return self.count_many([text])[0]

    def spans(self, text: str, max_tokens: int) -> list[tuple[int, int]]:
        """Character spans of consecutive windows of at most max_tokens tokens."""
        if self.tok is None:
            words = [m.span() for m in _WORDS.finditer(text)]
        else:
            enc = self.tok.encode(text, add_special_tokens=False)
            words = [o for o in enc.offsets if o[1] > o[0]]
        out = []
        for i in range(0, len(words), max_tokens):
            group = words[i : i + max_tokens]
            out.append((group[0][0], group[-1][1]))
        return out


@dataclass
class _Piece:
    text: str
    start: int  # in the document's full text
    end: int
    tokens: int
    sep: str  # joins it to the previous piece


def _split_block(block: Block, base: int) -> list[tuple[str, int, int, str]]:
    """(text, start, end, separator) pieces: sentences for prose, lines for code."""
    out = []
    text = block.text
    if block.kind == "code":
        for m in re.finditer(r"[^\n]*\S[^\n]*", text):
            out.append((m.group(), base + m.start(), base + m.end(), "\n"))
        return out
    pos, sep = 0, "\n\n"  # the first piece of a block starts a paragraph
    bounds = [(m.start(), m.end(), m.group()) for m in _SENTENCE_END.finditer(text)]
    for start, end, delim in bounds + [(len(text), len(text), "")]:
        seg = text[pos:start]
        if seg.strip():
            lead = len(seg) - len(seg.lstrip())
            s = seg.strip()
            out.append((s, base + pos + lead, base + pos + lead + len(s), sep))
            sep = "\n" if "\n" in delim else " "
        pos = end
    return out


def _sections(doc: ParsedDocument) -> list[tuple[int | None, str | None, list[tuple[Block, int]]]]:
    """Blocks grouped by (page, heading), with each block's offset in the full text."""
    sections: list[tuple[int | None, str | None, list[tuple[Block, int]]]] = []
    offset = 0
    for b in doc.blocks:
        if sections and sections[-1][0] == b.page and sections[-1][1] == b.heading:
            sections[-1][2].append((b, offset))
        else:
            sections.append((b.page, b.heading, [(b, offset)]))
        offset += len(b.text) + 2  # blocks are joined by a blank line
    return sections


def document_text(doc: ParsedDocument) -> str:
    """The full text that chunk offsets point into."""
    return "\n\n".join(b.text for b in doc.blocks)


def context_header(
    title: str | None, first_line: str | None, name: str | None, page: int | None
) -> str:
    """'title — first line — file name, page N', each part once."""
    parts: list[str] = []
    for part in (title, first_line, name):
        part = " ".join((part or "").split())
        if part and not any(part.lower() in p.lower() for p in parts):
            parts.append(part)
    head = " — ".join(parts)
    return f"{head}, page {page}" if page is not None else head


def first_line(doc: ParsedDocument) -> str | None:
    for b in doc.blocks:
        line = b.text.strip().split("\n", 1)[0].strip()
        if line:
            return line if len(line) <= HEADER_LINE else line[:HEADER_LINE].rsplit(" ", 1)[0]
    return None


def is_list_like(doc: ParsedDocument) -> bool:
    lines = items = 0
    for b in doc.blocks:
        if b.kind == "code":
            continue
        lines += sum(1 for line in b.text.split("\n") if line.strip())
        items += len(_ITEM.findall(b.text))
    return items >= 3 and items >= LIST_SHARE * lines


def _units(block: Block, base: int) -> list[tuple[str, int, int]]:
    """(text, start, end) of a block's list items (with continuation lines) and of the
    text before the first item."""
    starts = [0] + [m.start() for m in _ITEM.finditer(block.text) if m.start() > 0]
    out = []
    for a, z in zip(starts, starts[1:] + [len(block.text)], strict=True):
        seg = block.text[a:z]
        if seg.strip():
            lead = len(seg) - len(seg.lstrip())
            t = seg.strip()
            out.append((t, base + a + lead, base + a + lead + len(t)))
    return out


def _pieces(blocks, counter: TokenCounter, max_tokens: int) -> list[_Piece]:
    """Sentence (code: line) pieces of a section, none longer than max_tokens."""
    raw = [p for b, off in blocks for p in _split_block(b, off)]
    counts = counter.count_many([p[0] for p in raw])
    pieces: list[_Piece] = []
    for (text, start, end, sep), n in zip(raw, counts, strict=True):
        if n <= max_tokens:
            pieces.append(_Piece(text, start, end, n, sep))
            continue
        for i, (a, z) in enumerate(counter.spans(text, max_tokens)):
            part = text[a:z]
            pieces.append(
                _Piece(part, start + a, start + z, counter.count(part), sep if i == 0 else " ")
            )
    return pieces


def _unit_groups(
    blocks, counter: TokenCounter, max_tokens: int, overlap: int, unit_tokens: int
) -> list[list[_Piece]]:
    """Groups of a list-like section: units merged up to unit_tokens, long ones cut."""
    units = [(u, b) for b, off in blocks if b.kind != "code" for u in _units(b, off)]
    counts = counter.count_many([u[0] for u, _ in units])
    groups: list[list[_Piece]] = []
    run: list[_Piece] = []  # short units being merged
    for ((text, start, end), block), n in zip(units, counts, strict=True):
        if n > max_tokens:
            groups += [run] if run else []
            run = []
            sub = Block(text, block.page, block.heading, block.kind)
            groups += _pack(_pieces([(sub, start)], counter, max_tokens), max_tokens, overlap)
            continue
        if run and sum(p.tokens for p in run) + n > unit_tokens:
            groups.append(run)
            run = []
        run.append(_Piece(text, start, end, n, "\n"))
    if run:
        groups.append(run)
    code = [(b, off) for b, off in blocks if b.kind == "code"]
    if code:
        groups += _pack(_pieces(code, counter, max_tokens), max_tokens, overlap)
    return groups


def chunk_document(
    doc: ParsedDocument,
    counter: TokenCounter,
    max_tokens: int,
    overlap: int,
    *,
    name: str | None = None,
    unit_tokens: int | None = None,
) -> list[Chunk]:
    """Chunks of a document; `name` (the file name) goes into each context header.
    unit_tokens: how far list-item units of a list-like document merge (None or 0: no
    item units, sentences packed into windows as in any other document)."""
    overlap = max(0, min(overlap, max_tokens // 2))
    units = min(unit_tokens, max_tokens) if unit_tokens and is_list_like(doc) else None
    top = first_line(doc)
    chunks: list[Chunk] = []
    for page, heading, blocks in _sections(doc):
        if units:
            groups = _unit_groups(blocks, counter, max_tokens, overlap, units)
        else:
            groups = _pack(_pieces(blocks, counter, max_tokens), max_tokens, overlap)
        for group in groups:
            body = group[0].text + "".join(p.sep.replace("\n\n", "\n") + p.text for p in group[1:])
            chunks.append(
                Chunk(
                    seq=len(chunks),
                    text=body,
                    page=page,
                    heading=heading,
                    start_char=group[0].start,
                    end_char=group[-1].end,
                    token_count=sum(p.tokens for p in group),
                    context=context_header(doc.title, top, name, page),
                )
            )
    return chunks


def _pack(pieces: list[_Piece], max_tokens: int, overlap: int) -> list[list[_Piece]]:
    groups: list[list[_Piece]] = []
    cur: list[_Piece] = []
    size = 0
    fresh = 0  # pieces in cur that are not overlap from the previous chunk
    for p in pieces:
        if cur and size + p.tokens > max_tokens:
            groups.append(cur)
            tail: list[_Piece] = []
            t = 0
            for q in reversed(cur):
                if t + q.tokens > overlap or len(tail) + 1 >= len(cur):
                    break
                tail.insert(0, q)
                t += q.tokens
            if t + p.tokens > max_tokens:
                tail, t = [], 0
            cur, size, fresh = tail, t, 0
        cur.append(p)
        size += p.tokens
        fresh += 1
    if cur and fresh:
        groups.append(cur)
    return groups

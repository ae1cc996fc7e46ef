"""Structure-aware chunking measured in the embedding model's tokens.

A chunk never crosses a page or a heading, so its citation (file, page,
heading) is exact. Inside a section, sentences (code: lines) are packed up to
the token budget; the next chunk repeats the last sentences up to `overlap`
tokens. A sentence longer than the budget is cut at token boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from engine.rag.types import Block, Chunk, ParsedDocument

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+|\n+")
_WORDS = re.compile(r"\S+")


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


def chunk_document(
    doc: ParsedDocument, counter: TokenCounter, max_tokens: int, overlap: int
) -> list[Chunk]:
    overlap = max(0, min(overlap, max_tokens // 2))
    chunks: list[Chunk] = []
    for page, heading, blocks in _sections(doc):
        raw = [p for b, off in blocks for p in _split_block(b, off)]
        if not raw:
            continue
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
        for group in _pack(pieces, max_tokens, overlap):
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

"""Plain records exchanged by the library, the CLI and the GUI (no heavy imports)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Block:
    """A piece of parsed text with where it came from."""

    text: str
    page: int | None = None  # 1-based
    heading: str | None = None  # heading path, e.g. "Install > Linux"
    kind: str = "text"  # 'text' | 'code'


@dataclass
class ParsedDocument:
    format: str
    blocks: list[Block]
    title: str | None = None
    pages: int | None = None
    notes: list[str] = field(default_factory=list)  # for the report: decoding, splitting


@dataclass
class Chunk:
    seq: int
    text: str
    page: int | None
    heading: str | None
    start_char: int
    end_char: int
    token_count: int
    context: str | None = None  # header: title, first line, file name, page


@dataclass
class FileOutcome:
    """What happened to one file in an indexing run."""

    path: str
    status: str  # 'indexed' | 'unchanged' | 'skipped' | 'failed' | 'removed'
    reason: str | None = None
    chunks: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IndexProgress:
    """Reported to the progress callback while indexing (from the indexing thread)."""

    phase: str  # 'scanning' | 'loading' | 'indexing' | 'paused' | 'removing' | 'done'
    files_total: int = 0  # files to (re)process, after the unchanged ones were set aside
    files_done: int = 0
    chunks_done: int = 0
    bytes_total: int = 0
    bytes_done: int = 0
    elapsed_s: float = 0.0
    current: str | None = None
    indexed: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    removed: int = 0

    @property
    def chunks_per_s(self) -> float:
        return self.chunks_done / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def fraction(self) -> float:
        if self.bytes_total > 0:
            return min(1.0, self.bytes_done / self.bytes_total)
        return self.files_done / self.files_total if self.files_total else 1.0

    @property
    def eta_s(self) -> float | None:
        """Seconds left, from the bytes processed so far (None until there is a rate)."""
        f = self.fraction
        if f <= 0.0 or self.elapsed_s < 1.0:
            return None
        return self.elapsed_s * (1.0 - f) / f


@dataclass
class IndexReport:
    collection: str
    files: list[FileOutcome] = field(default_factory=list)
    elapsed_s: float = 0.0
    cancelled: bool = False

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def chunks(self) -> int:
        return sum(f.chunks for f in self.files if f.status == "indexed")

    @property
    def ok(self) -> bool:
        """True when every file was indexed, unchanged, removed or skipped with a reason."""
        return not self.cancelled and self.count("failed") == 0

    def to_dict(self) -> dict[str, Any]:
        counts = {
            s: self.count(s) for s in ("indexed", "unchanged", "skipped", "failed", "removed")
        }
        return {
            "collection": self.collection,
            **counts,
            "chunks": self.chunks,
            "elapsed_s": round(self.elapsed_s, 2),
            "cancelled": self.cancelled,
            "files": [f.to_dict() for f in self.files if f.status != "unchanged"],
        }


@dataclass
class SearchHit:
    chunk_id: int
    path: str
    page: int | None
    heading: str | None
    text: str
    score: float  # fused reciprocal-rank score (higher is better)
    title: str | None = None
    similarity: float | None = None  # cosine similarity, when the vector search found it
    vector_rank: int | None = None  # 1-based ranks in each retriever
    bm25_rank: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The fields `sastre search --json` promises."""
        return {
            "path": self.path,
            "page": self.page,
            "heading": self.heading,
            "chunk_id": self.chunk_id,
            "score": round(self.score, 6),
            "text": self.text,
        }


@dataclass
class Source:
    """One numbered passage an answer was built from; [n] in the answer refers to it.

    Saved with the answer as a dict (to_dict); front ends get Source objects only.
    """

    n: int
    path: str
    page: int | None = None
    heading: str | None = None
    text: str = ""
    chunk_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        """From a saved answer's sources (unknown keys ignored, missing ones default)."""
        return cls(
            n=int(data.get("n") or 0),
            path=str(data.get("path") or ""),
            page=data.get("page"),
            heading=data.get("heading"),
            text=str(data.get("text") or ""),
            chunk_id=data.get("chunk_id"),
        )


@dataclass
class Retrieval:
    """Search results prepared for a cited answer."""

    question: str
    hits: list[SearchHit]
    answerable: bool
    language: str  # 'en' | 'es'
    retrieval_ms: float
    model: str  # the embedding model used

    def sources(self) -> list[Source]:
        """Numbered sources as shown to the model and saved with the answer."""
        return [
            Source(n, h.path, h.page, h.heading, h.text, h.chunk_id)
            for n, h in enumerate(self.hits, 1)
        ]

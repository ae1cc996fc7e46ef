"""Sentence-level citations: which retrieved passage supports each sentence of an answer.

After generation, each sentence of a document answer is compared with the numbered
sources it was built from: cosine similarity from the embedding model already loaded
for retrieval (sentence vs. the whole passage and vs. its best sentence) and the
share of the sentence's content words found in the passage. A sentence whose best
passage scores at least SUPPORTED gets "[n]" where the model wrote none; one below it
is marked unsupported (the GUI underlines it: "not found in your documents").

    sentences = attribute(answer, retrieval.sources(), embedder.embed)
    text = cite(answer, sentences)          # [n] inserted where the model wrote none
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from engine.rag import citations
from engine.rag.embed import MULTILINGUAL_MODEL
from engine.rag.types import Retrieval, Source

SUPPORTED = 0.5  # support at or above this: the passage backs the sentence
MIN_WORDS = 3  # sentences with fewer content words ("Sure!") are not checked
# Cosine similarity mapped onto 0..1 from FLOOR over SPAN, per embedding model: each
# model has its own scale. multilingual-e5's cosines sit between about 0.75 and 0.95 for
# related and unrelated text alike; its range is MiniLM's (0.25 to 0.80) carried over by
# matching the two models' quantiles on the same sentence pairs (bench/rag_eval: MiniLM's
# 0.25 is e5's 0.855, its 0.80 (99.9th percentile) e5's 0.95).
_SIM_RANGE = {None: (0.25, 0.55), MULTILINGUAL_MODEL: (0.855, 0.095)}

_SENTENCE_END = re.compile(
    r"(?<=[.!?。])[\"')\]]*\s+(?=[\"'(\[]*[A-ZÁÉÍÓÚÑ¿¡0-9*<])|\n{2,}|\n(?=\s*[-*+] |\s*\d+[.)] )"
)
_MARKUP = re.compile(r"</?[a-zA-Z]|\"\s*>")  # tags echoed from the prompt: never cited
_LITERAL = re.compile(r"\d[\d.,:/-]*\d|\d|\"[^\"\n]{2,60}\"|“[^”\n]{2,60}”")
_CODE = re.compile(r"```.*?(?:```|$)|~~~.*?(?:~~~|$)", re.S)
_WORD = re.compile(r"[^\W_]+", re.U)
_STOP = frozenset(
    "the a an and or of to in on for with is are was were be been being it its this that "
    "these those as by at from can will would should could may might must has have had do "
    "does did not no yes but if then than so such there here also into about any all each "
    "more most other some only very just you your we our they them their he she his her "
    "which what how why who when where el la los las un una unos unas y o de del en con "
    "por para es son fue ser que se su sus al lo como más pero sin sobre este esta estos".split()
)


@dataclass
class SentenceSupport:
    """One sentence of an answer and the sources that support it."""

    text: str
    start: int  # character offsets in the answer
    end: int
    sources: list[int] = field(default_factory=list)  # source numbers n, best first
    support: float = 0.0  # 0..1: how well the best source backs the sentence
    checked: bool = True  # False: too short to check (never marked unsupported)
    cited_by_model: bool = False  # the model wrote [n] in this sentence itself

    @property
    def unsupported(self) -> bool:
        return self.checked and self.support < SUPPORTED

    def public(self) -> dict:
        """The fields `sastre ask --json` promises in "sentences"."""
        return {"text": self.text, "sources": self.sources, "support": round(self.support, 3)}

    def to_dict(self) -> dict:
        return asdict(self)


def unsupported_sentences(sentences: Sequence[dict]) -> list[str]:
    """The texts of the sentences no source supports, from saved SentenceSupport dicts."""
    return [s["text"] for s in sentences if s.get("checked") and s.get("support", 0) < SUPPORTED]


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP}


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence outside code blocks, citation markers included."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for code in [*_CODE.finditer(text), None]:
        stop = code.start() if code else len(text)
        spans += _split(text, pos, stop)
        pos = code.end() if code else stop
    return spans


def _split(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    out, start = [], lo
    for m in _SENTENCE_END.finditer(text, lo, hi):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, hi))
    spans = []
    for a, b in out:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((a, b))
    return spans


def _plain(sentence: str) -> str:
    return " ".join(citations.GROUP.sub(" ", sentence).replace("*", " ").split())


def attribute(
    answer: str,
    sources: Sequence[Source],
    embed: Callable[[Sequence[str]], np.ndarray] | None = None,
    model: str | None = None,
) -> list[SentenceSupport]:
    """Each sentence of `answer` with the sources that support it (see the module doc).

    `embed` maps texts to L2-normalised vectors (the library's embedder, whose model id is
    `model`: it sets the similarity scale); without it only word overlap is used.
    """
    spans = split_sentences(answer)
    out = [SentenceSupport(answer[a:b], a, b) for a, b in spans]
    if not out or not sources:
        for s in out:
            s.checked = len(content_words(_plain(s.text))) >= MIN_WORDS
        return out
    plain = [_plain(s.text) for s in out]
    scores = _scores(plain, [s.text for s in sources], embed, model)  # sentences x sources
    numbers = [s.n for s in sources]
    for i, s in enumerate(out):
        s.checked = len(content_words(plain[i])) >= MIN_WORDS and not _MARKUP.search(s.text)
        own = [n for n in citations.cited_numbers(s.text) if n in numbers]
        s.cited_by_model = bool(own)
        order = np.argsort(-scores[i])
        best = int(order[0])
        s.support = float(scores[i, best])
        if own:
            s.sources = own
            s.support = max(float(scores[i, numbers.index(n)]) for n in own)
        elif s.checked and s.support >= SUPPORTED:
            s.sources = [numbers[best]]
    return out


def _literals_found(sentences: list[str], passages: list[str]) -> np.ndarray:
    """1 where every number and quoted string of the sentence occurs in the passage, else
    0.5: a specific detail the passage lacks is the commonest made-up fact."""
    flat = [" ".join(p.lower().split()) for p in passages]
    out = np.ones((len(sentences), len(passages)), dtype=np.float32)
    for i, sentence in enumerate(sentences):
        literals = [m.strip('.,:;"“”').lower() for m in _LITERAL.findall(sentence)]
        for j, passage in enumerate(flat):
            if any(lit and lit not in passage for lit in literals):
                out[i, j] = 0.5
    return out


def _pairs(text: str) -> set[tuple[str, str]]:
    w = [x for x in _WORD.findall(text.lower()) if x not in _STOP]
    return set(zip(w, w[1:], strict=False))


def _share(part: set, whole: set) -> float:
    return len(part & whole) / len(part) if part else 0.0


def _scores(
    sentences: list[str],
    passages: list[str],
    embed: Callable[[Sequence[str]], np.ndarray] | None,
    model: str | None = None,
) -> np.ndarray:
    # Words, and pairs of neighbouring words: a made-up sentence often reuses a passage's
    # words (it is on topic) but not its phrases.
    words = [content_words(s) for s in sentences]
    pwords = [content_words(p) for p in passages]
    pairs = [_pairs(s) for s in sentences]
    ppairs = [_pairs(p) for p in passages]
    overlap = np.array(
        [
            [
                _share(w, pw) if not bg else 0.5 * _share(w, pw) + 0.5 * _share(bg, pbg)
                for pw, pbg in zip(pwords, ppairs, strict=True)
            ]
            for w, bg in zip(words, pairs, strict=True)
        ],
        dtype=np.float32,
    )
    if embed is None:
        return overlap * _literals_found(sentences, passages)
    # Whole passages and their sentences: a fact is often one sentence of a long passage.
    parts, owner = list(passages), list(range(len(passages)))
    for j, p in enumerate(passages):
        for a, b in split_sentences(p):
            parts.append(p[a:b])
            owner.append(j)
    vecs = embed(list(sentences) + parts)
    sims = vecs[: len(sentences)] @ vecs[len(sentences) :].T  # sentences x parts
    best = np.full((len(sentences), len(passages)), -1.0, dtype=np.float32)
    for k, j in enumerate(owner):
        best[:, j] = np.maximum(best[:, j], sims[:, k])
    floor, span = _SIM_RANGE.get(model, _SIM_RANGE[None])
    similarity = np.clip((best - floor) / span, 0.0, 1.0)
    return (0.5 * similarity + 0.5 * overlap) * _literals_found(sentences, passages)


def cite(answer: str, sentences: Sequence[SentenceSupport]) -> str:
    """`answer` with [n] after each supported sentence the model did not cite."""
    out, pos = [], 0
    for s in sentences:
        if s.cited_by_model or not s.sources:
            continue
        end = s.end
        # Before the closing punctuation: "... in March [2]." reads as a citation.
        while end > s.start and answer[end - 1] in ".!?:;":
            end -= 1
        out.append(answer[pos:end])
        out.append(" " + citations.marker(s.sources))
        pos = end
    out.append(answer[pos:])
    return "".join(out)


def finish_answer(
    answer: str, retrieval: Retrieval, embed: Callable[[Sequence[str]], np.ndarray] | None
) -> tuple[str, list[SentenceSupport]]:
    """The text to save for a document answer, and its sentences: [n] inserted where the
    model cited nothing, then the Sources block when the answer still cites nothing."""
    from engine.rag.answer import citation_suffix

    sentences = attribute(answer, retrieval.sources(), embed, retrieval.model)
    text = cite(answer, sentences)
    return text + citation_suffix(text, retrieval), sentences

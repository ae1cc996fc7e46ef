"""Word stems for keyword search: what BM25 indexes besides the words themselves.

Each word gets its English and its Spanish Snowball stem (pure-Python `snowballstemmer`),
lower-cased and without accents, so that "updated" meets "updates" and "actualizó" meets
"actualización" whatever the language of the document or of the question. Documents and
queries are stemmed by the same function; FTS5 folds the accents again (remove_diacritics).
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)
_local = threading.local()  # snowballstemmer's stemmers keep state: one pair per thread


def _stemmers():
    pair = getattr(_local, "pair", None)
    if pair is None:
        import snowballstemmer

        pair = (snowballstemmer.stemmer("english"), snowballstemmer.stemmer("spanish"))
        _local.pair = pair
    return pair


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=200_000)
def word_stems(word: str) -> tuple[str, ...]:
    """The distinct English and Spanish stems of one lower-case word (folded); none for
    numbers and one-letter words (the word columns match those exactly)."""
    if len(word) < 2 or word.isdigit():
        return ()
    en, es = _stemmers()
    out = []
    for stemmer in (en, es):
        s = _fold(stemmer.stemWord(word))
        if len(s) > 1 and s not in out:
            out.append(s)
    return tuple(out)


def stem_text(*parts: str | None) -> str:
    """The stems of every word of the given texts, space-separated (the FTS5 `stems` column)."""
    out: list[str] = []
    for part in parts:
        for w in _WORD.findall((part or "").lower()):
            out.extend(word_stems(w))
    return " ".join(out)

"""Small language helpers for English and Spanish: detection, stop words, query terms."""

from __future__ import annotations

import re
import unicodedata

from store.stems import word_stems

_EN = """a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself just me more most my myself no nor not now of off on once only or other our ours ourselves
out over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which while
who whom why will with would you your yours yourself yourselves does tell explain describe give
list show mean means say says said use used using get gets way ways happen happens""".split()

_ES = """a al algo algunas algunos ante antes como con contra cual cuales cuando de del desde
donde dos el ella ellas ellos en entre era eran es esa esas ese eso esos esta estaba estado
estan estar estas este esto estos fue fueron ha habia han hasta hay la las le les lo los mas me
mi mis mucho muy nada ni no nos nosotros o otra otras otro otros para pero poco por porque que
quien quienes se segun ser si sido sin sobre son su sus tambien te tiene tienen todo todos tu tus
un una unas uno unos usted y ya yo cual cuales cuanto cuantos cuantas como donde que quien
dice dicen decir explica explicar describe significa sirve hace hacer puede pueden debe deben
cosa cosas forma manera ocurre pasa""".split()

STOPWORDS = frozenset(_EN) | frozenset(_ES)
_ES_MARKERS = frozenset(
    "que qué cómo como cuál cuáles cuándo dónde por para los las del una unos unas es son está "
    "están hay qué se según sobre puedo debo tiene tienen el la lo y o pero con sin".split()
)
_EN_MARKERS = frozenset(
    "the what how which when where why who is are does do can should of to in for with and "
    "or a an this that it".split()
)

_WORD = re.compile(r"\w+", re.UNICODE)

NO_ANSWER = {
    "en": "The documents don't contain the answer to this question.",
    "es": "Los documentos no contienen la respuesta a esta pregunta.",
}


def fold(text: str) -> str:
    """Lower-case without diacritics (what FTS5's remove_diacritics does to tokens)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def detect_language(text: str) -> str:
    """'es' or 'en', by marker words and Spanish-only characters; English when unsure."""
    raw = text.lower()
    if any(ch in raw for ch in "¿¡ñ"):
        return "es"
    tokens = _WORD.findall(raw)
    es = sum(t in _ES_MARKERS for t in tokens) + 2 * sum(
        any(ch in t for ch in "áéíóú") for t in tokens
    )
    en = sum(t in _EN_MARKERS for t in tokens)
    return "es" if es > en else "en"


def query_terms(text: str, limit: int = 24) -> list[str]:
    """Distinct content words of a query (folded, stop words and 1-letter words dropped)."""
    out: list[str] = []
    for w in words(text):
        if len(w) < 2 or w in STOPWORDS or w in out:
            continue
        out.append(w)
    return out[:limit]


PREFIX_LEN = 4  # a word longer than PREFIX_LEN + 2 also matches by its first PREFIX_LEN + 1


def has_prefix_term(term: str, prefix_len: int = PREFIX_LEN) -> bool:
    return bool(prefix_len) and len(term) > prefix_len + 2 and not term.isdigit()


# A version, date or code: alphanumeric parts joined by . - + ~ : / (7.88.1-10+deb12u8,
# 2023c-4, 2025-03-19, CVE-2024-9681), with a digit somewhere.
_IDENT = re.compile(r"(?<![\w.])(?=[\w.+~:/-]*\d)\w+(?:[.+~:/-]\w+)+", re.UNICODE)


def identifiers(text: str) -> list[str]:
    """Version-like identifiers of a query, as FTS5 phrases of their parts ("2 4 0 1"): as a
    phrase, 2.4.0-1 matches that version only, while its digits one by one match any."""
    out = []
    for m in _IDENT.finditer(text):
        parts = words(m.group())
        if len(parts) > 1:
            out.append(" ".join(parts))
    return list(dict.fromkeys(out))


def query_stems(text: str, terms: list[str]) -> list[str]:
    """The English and Spanish stems of a query's words that are among `terms` (stemmed
    before folding, as documents are: store.stems)."""
    keep, out = set(terms), []
    for w in _WORD.findall(text.lower()):
        if fold(w) in keep:
            out.extend(word_stems(w))
    return list(dict.fromkeys(out))


def fts_match(
    text: str,
    prefix_len: int = PREFIX_LEN,
    drop: frozenset[str] = frozenset(),
    stems: bool = False,
) -> str | None:
    """An FTS5 MATCH expression: the query's terms OR-ed, each quoted (so no FTS5 syntax
    from the user gets through), plus a prefix term for long words so that related
    forms and Spanish/English cognates meet (configuración / configuration).
    Terms in `drop` (too common to matter, in a large collection) are left out, and so are
    prefixes given there as "confi*". Version-like identifiers are added as phrases.
    These match the word columns; with `stems`, the terms' English and Spanish stems also
    match the `stems` column (updated / updates, actualizó / actualización)."""
    terms = [t for t in query_terms(text) if t not in drop] or query_terms(text)
    phrases = identifiers(text)
    if not terms and not phrases:
        return None
    parts = [f'"{p}"' for p in phrases]
    for t in terms:
        parts.append(f'"{t}"')
        if has_prefix_term(t, prefix_len) and f"{t[: prefix_len + 1]}*" not in drop:
            parts.append(f'"{t[: prefix_len + 1]}"*')
    expr = "{text heading title} : (" + " OR ".join(dict.fromkeys(parts)) + ")"
    stemmed = query_stems(text, terms) if stems else []
    if stemmed:
        expr += " OR stems : (" + " OR ".join(f'"{s}"' for s in stemmed) + ")"
    return expr

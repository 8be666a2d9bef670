"""Danish full-text search: stemming, the query language, and snippets.

Text is stemmed with Snowball's Danish stemmer (PyStemmer) before it is indexed, so that
"jobklub", "jobklubber" and "Jobklubberne" meet in one stem. Words are lowercased but never
folded: æ, ø and å are letters of their own.

Query language (case-insensitive):
    jobklub beskæftigelse     both words (stemmed)
    "negativ social kontrol"  the exact phrase (stemmed, in order)
    -lukket                   without this word
    budget OR regnskab        either
    jobkl*                    a word starting with "jobkl"
    *klub*                    a substring inside words (compounds: "jobklubber", "klubhus")

The store turns a parsed query into SQL parameters; nothing from the query is pasted into SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import Stemmer

from referat.errors import ReferatError

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)
_TOKEN = re.compile(r'\s*(?:(?P<neg>-)?"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+)|(?P<quote>"))')
_STEMMER = Stemmer.Stemmer("danish")
MAX_QUERY_LENGTH = 500


class QueryError(ReferatError):
    """A search query that cannot be understood; the message says how to write it."""


def words(text: str) -> list[str]:
    """Lowercased words of a text; hyphenated compounds ("IT-systemer") stay one word."""
    return _WORD.findall(text.lower())


_STEMS: dict[str, str] = {}  # word -> stem memo: set and map operations in C beat stemming word by word
_MAX_STEMS = 1_000_000


def stems(text: str) -> list[str]:
    ws = words(text)
    missing = set(ws).difference(_STEMS)
    if missing:
        if len(_STEMS) + len(missing) > _MAX_STEMS:
            _STEMS.clear()
            missing = set(ws)
        batch = list(missing)
        _STEMS.update(zip(batch, _STEMMER.stemWords(batch)))
    return list(map(_STEMS.__getitem__, ws))


def stem_text(text: str) -> str:
    """The text as the index sees it: its words' stems, space-separated."""
    return " ".join(stems(text))


@dataclass(frozen=True, slots=True)
class Term:
    """One query term: stems (several for a phrase), or a prefix, or a substring."""

    stems: tuple[str, ...] = ()
    prefix: str | None = None
    substring: str | None = None
    negated: bool = False
    raw: str = ""  # as typed, for messages and for retrying a word as a substring

    def fts(self) -> str:
        """This term in FTS5 syntax; every piece is double-quoted, so no query text is FTS5 syntax."""
        if self.prefix is not None:
            return f'"{self.prefix}"*'
        return '"' + " ".join(self.stems) + '"'


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: groups of alternatives (OR) that must all match (AND), and exclusions."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    text: str = ""

    def fts(self) -> str | None:
        """The FTS5 MATCH expression for the word terms, or None when only substrings are asked for
        (substrings are matched in the trigram table)."""
        parts = []
        for group in self.groups:
            if group[0].substring is None:
                alts = [t.fts() for t in group]
                parts.append(alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")")
        if not parts:
            return None
        expr = " AND ".join(parts)
        for t in self.excluded:
            expr = f"{expr} NOT {t.fts()}"
        return expr

    @property
    def positive(self) -> list[Term]:
        return [t for g in self.groups for t in g]

    @property
    def substrings(self) -> list[str]:
        return [t.substring for t in self.positive if t.substring]


def _term(raw: str, phrase: bool, negated: bool) -> Term | None:
    if phrase:
        s = tuple(stems(raw))
        if not s:
            raise QueryError(f'the phrase "{raw}" has no words to search for')
        return Term(stems=s, negated=negated, raw=raw)
    if raw.startswith("*") and raw.endswith("*") and len(raw) > 2:
        inner = " ".join(words(raw.strip("*")))
        if len(inner) < 3:
            raise QueryError(f"'{raw}': a substring search needs at least 3 letters between the stars")
        return Term(substring=inner, negated=negated, raw=raw)
    if raw.endswith("*"):
        w = words(raw[:-1])
        if len(w) != 1 or len(w[0]) < 2:
            raise QueryError(f"'{raw}': a prefix search needs at least 2 letters before the star")
        return Term(prefix=w[0], negated=negated, raw=raw)
    if "*" in raw:
        raise QueryError(f"'{raw}': a star goes at the end of a word (jobkl*) or around it (*klub*)")
    s = tuple(stems(raw))
    if not s:
        return None  # punctuation only: nothing to search for
    return Term(stems=s, negated=negated, raw=raw)


def as_substrings(q: Query) -> Query | None:
    """A plain word query that found nothing, retried as substrings inside words: "klub" then finds
    "jobklubber" (Danish compounds). None when the query is not plain words of 3+ letters."""
    groups = []
    for g in q.groups:
        if len(g) != 1 or g[0].prefix or g[0].substring or len(g[0].stems) != 1:
            return None
        w = words(g[0].raw)
        if len(w) != 1 or len(w[0]) < 3:
            return None
        groups.append((Term(substring=w[0], raw=g[0].raw),))
    return Query(tuple(groups), (), q.text)


def parse_query(text: str) -> Query:
    """Parse the query language above; raises QueryError with a readable message."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is {len(text)} characters long; at most {MAX_QUERY_LENGTH} are allowed")
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        if m.group("quote"):
            raise QueryError('a quotation mark is not closed: write "exact phrase" with a quote at both ends')
        if m.group("word") == "OR":
            if not groups or pending_or:
                raise QueryError("OR must stand between two words: budget OR regnskab")
            pending_or = True
            continue
        raw = m.group("phrase") if m.group("phrase") is not None else m.group("word")
        negated = bool(m.group("neg")) or (m.group("word") or "").startswith("-")
        if m.group("word") and negated:
            raw = raw[1:]
        term = _term(raw, m.group("phrase") is not None, negated)
        if term is None:
            continue
        if term.substring is not None and (negated or pending_or or
                                           (pos < len(text) and text[pos:].lstrip().startswith("OR "))):
            raise QueryError(f"'{raw}': a substring search (*…*) stands alone: no OR, no minus")
        if negated:
            if pending_or:
                raise QueryError("OR cannot join an excluded word: write budget OR regnskab -lukket")
            excluded.append(term)
        elif pending_or:
            if groups[-1][0].substring is not None:
                raise QueryError("a substring search (*…*) stands alone: no OR, no minus")
            groups[-1].append(term)
            pending_or = False
        else:
            groups.append([term])
    if pending_or:
        raise QueryError("OR must stand between two words: budget OR regnskab")
    if not groups:
        if excluded:
            raise QueryError("a search needs at least one word to look for, not only words to exclude")
        raise QueryError("the query has no words to search for")
    if excluded and all(g[0].substring for g in groups):
        raise QueryError("words to exclude need at least one plain word to search for beside *…*")
    return Query(tuple(tuple(g) for g in groups), tuple(excluded), text)


def snippet(text: str, query: Query, width: int = 28) -> tuple[str, list[tuple[int, int]]]:
    """A window of about `width` words around the first hit, and the hits' (start, end) offsets in it.
    Hits are words whose stem, prefix or substring matches the query."""
    spans = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
    if not spans:
        return "", []
    lowered = [w.lower() for _, _, w in spans]
    hits = [i for i, (stem, word) in enumerate(zip(_STEMMER.stemWords(lowered), lowered)) if _hit(stem, word, query)]
    first = hits[0] if hits else 0
    lo = max(0, first - width // 3)
    hi = min(len(spans), lo + width)
    start, end = spans[lo][0], spans[hi - 1][1]
    out = ("… " if lo > 0 else "") + text[start:end] + (" …" if hi < len(spans) else "")
    shift = (2 if lo > 0 else 0) - start
    marks = [(spans[i][0] + shift, spans[i][1] + shift) for i in hits if lo <= i < hi]
    return " ".join(out.split("\n")), marks


def _hit(stem: str, word: str, query: Query) -> bool:
    for t in query.positive:
        if (t.prefix and word.startswith(t.prefix)) or (t.substring and t.substring in word) or stem in t.stems:
            return True
    return False

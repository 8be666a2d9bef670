"""Danish full-text search: stemming, the query language, and snippets.

Words are matched by their Snowball Danish stem, so that "jobklub" finds "jobklubber" and
"Jobklubberne". The word index (tantivy, referat.store.index) holds the stems of the words, made
by the index's own analyzer (runs of letters and digits, lowercased, never accent-folded: æ, ø and
å are letters of their own), and query words go through the same analyzer. Here the stems come from
PyStemmer (the same Snowball algorithm), for highlighting the forms of a query word in a hit.

Query language (case-insensitive):
    jobklub beskæftigelse     both words (every form of each)
    "negativ social kontrol"  the words in this order, next to each other (any form of each)
    -lukket                   without this word
    budget OR regnskab        either
    jobkl*                    a word starting with "jobkl"
    *klub*                    a substring inside words (compounds: "jobklubber", "klubhus")

The store turns a parsed query into index term queries and SQL parameters; nothing from the query is
pasted into SQL or parsed as index query syntax.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import Stemmer

from referat.errors import ReferatError

_INDEX_WORD = re.compile(r"[^\W_]+")
_LINE_BREAKS = re.compile(r"[ \t]*\n\s*")  # what one_line replaces (its property test compares the two)
_TOKEN = re.compile(r'\s*(?:(?P<neg>-)?"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+)|(?P<quote>"))')
_STEMMER = Stemmer.Stemmer("danish")
MAX_QUERY_LENGTH = 500
# Danish compounds run long ("Beskæftigelses- og Integrationsudvalgets" is 41 letters with its hyphen), but
# not this long; prefix and substring patterns past it would also overflow the index's automaton
MAX_WORD_LENGTH = 80


class QueryError(ReferatError):
    """A search query that cannot be understood; the message says how to write it. `code` names the
    fault and `params` its parts, so that other languages (the Danish pages: web/format.py) word it
    from those rather than from the English text."""

    def __init__(self, message: str, code: str = "other", **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def index_words(text: str) -> list[str]:
    """Words as SQLite's unicode61 tokenizer indexes them: runs of letters and digits, lowercased
    ("IT-systemer" is two words, it and systemer, in the index and so in queries)."""
    return _INDEX_WORD.findall(text.lower())


_STEMS: dict[str, str] = {}  # word -> stem memo: set and map operations in C beat stemming word by word
_MAX_STEMS = 1_000_000


def stems(text: str) -> list[str]:
    """Snowball Danish stems of the text's words (as the index splits them)."""
    ws = index_words(text)
    missing = set(ws).difference(_STEMS)
    if missing:
        if len(_STEMS) + len(missing) > _MAX_STEMS:
            _STEMS.clear()
            missing = set(ws)
        batch = list(missing)
        _STEMS.update(zip(batch, _STEMMER.stemWords(batch)))
    return list(map(_STEMS.__getitem__, ws))


# expand(stem, word) -> the indexed words with that stem (the archive looks them up)
Expander = Callable[[str, str], list[str]]


@dataclass(frozen=True, slots=True)
class Term:
    """One query term: a word (matched by stem), a phrase (words as written), a prefix or a substring."""

    stems: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    prefix: str | None = None
    substring: str | None = None
    negated: bool = False
    raw: str = ""  # as typed, for messages and for retrying a word as a substring


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: groups of alternatives (OR) that must all match (AND), and exclusions."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    text: str = ""

    @property
    def has_words(self) -> bool:
        return any(g[0].substring is None for g in self.groups)

    @property
    def positive(self) -> list[Term]:
        """The terms to find (not the excluded ones)."""
        return [t for g in self.groups for t in g]

    @property
    def substrings(self) -> list[str]:
        return [t.substring for t in self.positive if t.substring]


def _term(raw: str, phrase: bool, negated: bool) -> Term | None:
    if phrase:
        w = tuple(index_words(raw))
        if not w:
            raise QueryError(f'the phrase "{raw}" has no words to search for', "no_words")
        return Term(stems=tuple(stems(raw)), words=w, negated=negated, raw=raw)
    if raw.startswith("*") and raw.endswith("*") and len(raw) > 2:
        inner = index_words(raw.strip("*"))
        if len(inner) > 1:
            raise QueryError(f"'{raw}': a substring search looks inside one word: write *{max(inner, key=len)}*, "
                             "or search the words themselves", "substring_words", term=raw,
                             suggestion=f"*{max(inner, key=len)}*")
        if not inner or len(inner[0]) < 3:
            raise QueryError(f"'{raw}': a substring search needs at least 3 letters between the stars",
                             "substring_short", term=raw)
        if len(inner[0]) > MAX_WORD_LENGTH:
            raise QueryError(f"a substring of {len(inner[0])} letters: no word in the archive is longer than "
                             f"{MAX_WORD_LENGTH}", "word_length", length=len(inner[0]), limit=MAX_WORD_LENGTH)
        return Term(substring=inner[0], negated=negated, raw=raw)
    if raw.endswith("*"):
        w = index_words(raw[:-1])
        if len(w) != 1 or len(w[0]) < 2:
            raise QueryError(f"'{raw}': a prefix search needs at least 2 letters before the star", "prefix_short",
                             term=raw)
        if len(w[0]) > MAX_WORD_LENGTH:  # and the index's pattern automaton has a size limit
            raise QueryError(f"a prefix of {len(w[0])} letters: no word in the archive is longer than "
                             f"{MAX_WORD_LENGTH}", "word_length", length=len(w[0]), limit=MAX_WORD_LENGTH)
        return Term(prefix=w[0], negated=negated, raw=raw)
    if "*" in raw:
        raise QueryError(f"'{raw}': a star goes at the end of a word (jobkl*) or around it (*klub*)", "star_place",
                         term=raw)
    w = index_words(raw)
    if not w:
        return None  # punctuation only: nothing to search for
    if len(w) > 1:  # "IT-systemer" splits in the index into it + systemer: search it as a phrase
        return Term(stems=tuple(stems(raw)), words=tuple(w), negated=negated, raw=raw)
    return Term(stems=tuple(stems(raw)), words=(w[0],), negated=negated, raw=raw)


def as_substrings(q: Query) -> Query | None:
    """A plain word query that found nothing, retried as substrings inside words: "klub" then finds
    "jobklubber" (Danish compounds). None when the query is not plain words of 3+ letters."""
    groups = []
    for g in q.groups:
        if len(g) != 1 or g[0].prefix or g[0].substring or len(g[0].words) != 1 or len(g[0].words[0]) < 3:
            return None
        groups.append((Term(substring=g[0].words[0], raw=g[0].raw),))
    return Query(tuple(groups), (), q.text)


def parse_query(text: str) -> Query:
    """Parse the query language above; raises QueryError with a readable message."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is {len(text)} characters long; at most {MAX_QUERY_LENGTH} are allowed",
                         "query_length", length=len(text), limit=MAX_QUERY_LENGTH)
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
            raise QueryError('a quotation mark is not closed: write "exact phrase" with a quote at both ends',
                             "open_quote")
        if m.group("word") == "OR":
            if not groups or pending_or:
                raise QueryError("OR must stand between two words: budget OR regnskab", "or_place")
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
            raise QueryError(f"'{raw}': a substring search (*…*) stands alone: no OR, no minus", "substring_alone")
        if negated:
            if pending_or:
                raise QueryError("OR cannot join an excluded word: write budget OR regnskab -lukket", "or_excluded")
            excluded.append(term)
        elif pending_or:
            if groups[-1][0].substring is not None:
                raise QueryError("a substring search (*…*) stands alone: no OR, no minus", "substring_alone")
            groups[-1].append(term)
            pending_or = False
        else:
            groups.append([term])
    if pending_or:
        raise QueryError("OR must stand between two words: budget OR regnskab", "or_place")
    if not groups:
        if excluded:
            raise QueryError("a search needs at least one word to look for, not only words to exclude", "no_words")
        raise QueryError("the query has no words to search for", "no_words")
    if excluded and all(g[0].substring for g in groups):
        raise QueryError("words to exclude need at least one plain word to search for beside *…*", "no_words")
    return Query(tuple(tuple(g) for g in groups), tuple(excluded), text)


def highlighter(query: Query, expand: Expander) -> re.Pattern[str] | None:
    """One regex that finds the query's hits in original text: the indexed forms of each word (from
    the same expansion the search used), phrase words as written, prefixes and substrings."""
    alts: list[str] = []
    for t in query.positive:
        if t.prefix:
            alts.append(re.escape(t.prefix) + r"[^\W_]*")
        elif t.substring:
            alts.append(r"[^\W_]*" + re.escape(t.substring) + r"[^\W_]*")
        elif len(t.words) > 1:
            alts.extend(re.escape(w) for w in t.words)
        else:
            alts.extend(re.escape(f) for f in expand(t.stems[0], t.words[0]) or t.words)
    if not alts:
        return None
    return re.compile(r"(?<![^\W_])(?:" + "|".join(sorted(set(alts), key=len, reverse=True)) + r")(?![^\W_])",
                      re.IGNORECASE)


def one_line(text: str) -> str:
    r"""Each line break, with the spaces and tabs before it and all whitespace after it (further breaks
    included), as one space: what `re.sub(r"[ \t]*\n\s*", " ", text)` gives, 6x faster (that pattern is
    tried at every space of a hit's texts; bench/load.py's page and API searches spent 0.2 ms a hit on it)."""
    if "\n" not in text:
        return text
    head, *rest = text.split("\n")
    out = [head.rstrip(" \t")]
    for i, part in enumerate(rest):
        last = i == len(rest) - 1
        kept = part.lstrip()
        if not kept and not last:
            continue  # whitespace between two breaks: part of the same run
        out.append(" ")
        out.append(kept if last else kept.rstrip(" \t"))
    return "".join(out)


def snippet(text: str, pattern: re.Pattern[str] | None, width: int = 220) -> tuple[str, list[tuple[int, int]]]:
    """About `width` characters of text around the first hit, on word boundaries, and the hits'
    (start, end) offsets in the snippet. No hit: the start of the text and no marks. Line and paragraph
    breaks read as one space."""
    text = one_line(text)
    first = pattern.search(text) if pattern else None
    center = first.start() if first else 0
    start = max(0, center - width // 3)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < center else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > (first.end() if first else start) else end
    body = text[start:end]
    prefix = "… " if start > 0 else ""
    marks = [(m.start() + len(prefix), m.end() + len(prefix)) for m in pattern.finditer(body)] if pattern else []
    out = prefix + body + (" …" if end < len(text) else "")
    return out, marks

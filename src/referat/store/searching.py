"""Full-text search over the archive: a query and filters become an index query; the hits are ranked,
counted into facets and given snippets from the database.

`Searching` is a base of `Archive` (referat.store.archive); it needs from the Archive what
`IndexUpkeep` needs (the index is brought up to date before a search) and the two caches its __init__
sets: `_bodies` (committee and municipality by body id, for facets) and `_words_blob` (the stored words,
for substring search).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import tantivy
from sqlalchemy import text
from sqlalchemy.engine import Connection

from referat import vocab
from referat.dialect import run, sql_for
from referat.names import body_key, person_key
from referat.search import Query, QueryError, Term, as_substrings, highlighter, parse_query, snippet, stems
from referat.store import schema
from referat.store.browse import as_date, printed
from referat.store.index import FACETS_AGG, NO_KIND, SearchIndex, day_number
from referat.store.matching import match_filters
from referat.store.upkeep import IndexUpkeep

DECISION_KINDS = vocab.DECISION_KINDS


@dataclass(frozen=True, slots=True)
class Filters:
    """Search and export filters; None means no filter."""

    committee: str | None = None
    municipality: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    year: int | None = None
    decision_kind: str | None = None
    case_number: str | None = None
    person: str | None = None

    def __post_init__(self) -> None:
        if self.decision_kind is not None and self.decision_kind not in DECISION_KINDS:
            raise QueryError(f"unknown decision kind '{self.decision_kind}'; use one of {', '.join(DECISION_KINDS)}",
                             "unknown_kind", kind=self.decision_kind)
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise QueryError(f"the date range is empty: {self.date_from} is after {self.date_to}", "empty_dates",
                             start=self.date_from, end=self.date_to)


@dataclass(slots=True)
class Hit:
    id: str
    title: str
    number: int | str  # as printed (an int where it is one, "1.1" for a sub-item)
    case_number: str | None
    decision_kind: str | None
    date: dt.date | None
    committee: str
    municipality: str | None
    meeting_id: str
    score: float
    snippet: str = ""
    highlights: list[tuple[int, int]] = field(default_factory=list)


@dataclass(slots=True)
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    fallback: str | None = None  # "substring" when no word matched and compounds were searched instead
    # False for very common words: the hits are the best of the most recent matches, and facets are
    # counted over those (see Archive.EXACT_LIMIT); total is exact unless filters were given too
    exact: bool = True
    # what the committee, municipality and person filters matched (referat.store.matching): the stored
    # name, or None where a name matched nothing
    matched: dict[str, Any] = field(default_factory=dict)



class Searching(IndexUpkeep):
    """Search and its filters (see the module docstring for what it needs from the Archive)."""

    _bodies: dict[str, tuple[str, str]]
    _words_blob: tuple[int, str]

    # --- filters ---------------------------------------------------------------------------

    def _body_ids(self, conn: Connection, f: Filters) -> list[str]:
        # casefold in Python: SQLite's lower() folds only ASCII, and Ø, Æ, Å are letters here; a committee
        # is matched in any inflection (its key), in every municipality unless one is given
        key = body_key(f.committee) if f.committee else ""
        return [r.id for r in conn.execute(text("SELECT id, name, municipality, key FROM bodies"))
                if (not f.committee or r.name.casefold() == f.committee.casefold() or (key and r.key == key))
                and (not f.municipality or (r.municipality or "").casefold() == f.municipality.casefold())]

    def _filter_sql(self, conn: Connection, f: Filters) -> tuple[list[str], dict[str, Any]]:
        """WHERE fragments over items i (fixed SQL) and their parameters."""
        where: list[str] = []
        params: dict[str, Any] = {}
        if f.committee or f.municipality:
            ids = self._body_ids(conn, f)
            names = ", ".join(f":body{i}" for i in range(len(ids))) or "NULL"
            where.append(f"i.body_id IN ({names})")
            params.update({f"body{i}": v for i, v in enumerate(ids)})
        if f.date_from:
            where.append("i.date >= :date_from")
            params["date_from"] = f.date_from
        if f.date_to:
            where.append("i.date <= :date_to")
            params["date_to"] = f.date_to
        if f.year:
            where.append("i.year = :year")
            params["year"] = f.year
        if f.decision_kind:
            where.append("i.decision_kind = :decision_kind")
            params["decision_kind"] = f.decision_kind
        if f.case_number:
            where.append("i.case_number = :case_number")
            params["case_number"] = f.case_number.strip()
        if f.person:
            where.append("(i.pk IN (SELECT item_pk FROM attendance WHERE person_id = :person OR for_person_id = :person)"
                         " OR i.pk IN (SELECT item_pk FROM votes WHERE person_id = :person)"
                         " OR i.meeting_id IN (SELECT meeting_id FROM participants WHERE person_id = :person))")
            params["person"] = person_key(f.person)[1]
        return where, params

    def _filter_queries(self, conn: Connection, f: Filters) -> list[tantivy.Query] | None:
        """The filters as index queries; None when they can match nothing (an unknown committee)."""
        ix, out = self.search_index, []
        if f.committee or f.municipality:
            ids = self._body_ids(conn, f)
            if not ids:
                return None
            out.append(ix.terms("body_id", ids))
        if f.date_from or f.date_to:
            out.append(ix.days(day_number(f.date_from), day_number(f.date_to)))
        if f.year:
            out.append(ix.term("year", f.year))
        if f.decision_kind:
            out.append(ix.term("kind", f.decision_kind))
        if f.case_number:
            out.append(ix.term("case", f.case_number.strip()))
        if f.person:
            out.append(ix.term("person", person_key(f.person)[1]))
        return out

    # --- search ----------------------------------------------------------------------------

    def search(self, query: str | Query, filters: Filters | None = None, *, sort: str = "relevance",
               limit: int = 10, offset: int = 0, facets: bool = True) -> SearchResult:
        """Full-text search with filters, facets and snippets. Raises QueryError for a malformed query."""
        if sort not in ("relevance", "date"):
            raise QueryError(f"unknown sort '{sort}'; use relevance or date")
        if not 1 <= limit <= 1000 or offset < 0:
            raise QueryError("limit must be 1-1000 and offset 0 or more")
        q = parse_query(query) if isinstance(query, str) else query
        self._catch_up()
        searcher = self.search_index.searcher()
        with self._reads.connect() as conn:
            filters, matched = match_filters(conn, filters or Filters())
            tq = self._query(conn, searcher, q)
            result = self._search(conn, searcher, q, tq, filters, sort, limit, offset, facets)
            # retried as substrings only when a word is in no indexed form at all, not when filters
            # or other words leave nothing
            if result.total == 0 and q.has_words and not q.excluded and tq is None:
                fallback = as_substrings(q)
                if fallback is not None:
                    q = fallback
                    result = self._search(conn, searcher, q, self._query(conn, searcher, q), filters, sort, limit,
                                          offset, facets)
                    result.fallback = "substring"
            self._snippets(conn, q, result.hits)
        result.matched = matched
        return result

    def match(self, filters: Filters) -> tuple[Filters, dict[str, Any]]:
        """The filters with forgiving names resolved to stored ones, and what each matched (see
        referat.store.matching); search and export do this themselves."""
        with self.engine.connect() as conn:
            return match_filters(conn, filters)

    def _term_query(self, conn: Connection, searcher: tantivy.Searcher, t: Term) -> tantivy.Query | None:
        """One query term as an index query; None when no indexed word can match it."""
        ix, weights = self.search_index, schema.FTS_WEIGHTS
        if t.substring is not None:
            words = self._words_containing(conn, t.substring.lower())
            return tantivy.Query.const_score_query(ix.terms("words", words), 1.0) if words else None
        if t.prefix is not None:
            return ix.prefix(t.prefix, weights)
        tokens = ix.tokens(" ".join(t.words))
        if not tokens:
            return None
        if len(tokens) == 1 and ix.doc_freq(searcher, tokens[0]) == 0:
            return None
        return ix.phrase(tokens, weights)

    def _query(self, conn: Connection, searcher: tantivy.Searcher, q: Query) -> tantivy.Query | None:
        """The whole query (every group must match, excluded terms must not); None when a group can
        match nothing (no indexed form of its words)."""
        groups = []
        for group in q.groups:
            alts = [a for a in (self._term_query(conn, searcher, t) for t in group) if a is not None]
            if not alts:
                return None
            groups.append(SearchIndex.any_of(alts))
        excluded = [e for e in (self._term_query(conn, searcher, t) for t in q.excluded) if e is not None]
        return SearchIndex.filtered(SearchIndex.all_of(groups), [], excluded)

    # Everything is exact: tantivy counts and aggregates a million matches in tens of milliseconds. Above
    # EXACT_LIMIT matches (off by default; a safety valve for much larger archives) the best hits are
    # ranked among the SAMPLE newest matches and facets counted over those; the total stays exact and
    # the result says exact=False.
    EXACT_LIMIT = 1 << 62
    SAMPLE = 4_000

    def _search(self, conn: Connection, searcher: tantivy.Searcher, q: Query, tq: tantivy.Query | None,
                filters: Filters, sort: str, limit: int, offset: int, facets: bool) -> SearchResult:
        fq = self._filter_queries(conn, filters)
        if tq is None or fq is None:
            return SearchResult(q.text, 0, [], {})
        ix = self.search_index
        query = ix.filtered(tq, fq)
        # with facets, the aggregation's committee buckets (every item has one) give the total: one pass
        agg = searcher.aggregate(query, FACETS_AGG) if facets else None
        total = (sum(b["doc_count"] for b in agg["committee"]["buckets"]) + agg["committee"]["sum_other_doc_count"]
                 if agg is not None else searcher.search(query, 1, count=True).count)
        exact = total <= self.EXACT_LIMIT
        if not exact:
            sample = [pk for pk, _ in searcher.search(query, self.SAMPLE, count=False, order_by_field="pk").hits]
            query = ix.filtered(query, [ix.pks(sample)])
            agg = searcher.aggregate(query, FACETS_AGG) if facets else None
        # prefixes and substrings score a constant (a prefix names thousands of words, none more than another):
        # a query of only those has no ranking, so its hits come newest first rather than in index order
        unscored = all(t.prefix is not None or t.substring is not None for t in q.positive)
        scored = sort == "relevance" and not unscored
        ranked = self._ranked(conn, searcher, query, offset + limit, scored)[offset:]
        found = self._hits(conn, ranked)
        counted: dict[str, dict[str, int]] = {}
        if agg is not None and total:
            counted = self._facets(conn, agg)
        return SearchResult(q.text, total, found, counted, exact=exact)

    TIES = 2_000  # at most this many hits beyond the page are read to order tied ones

    def _ranked(self, conn: Connection, searcher: tantivy.Searcher, query: tantivy.Query, need: int,
                scored: bool) -> list[tuple[int, float]]:
        """The first `need` hits as (pk, score), by score (or date), ties broken the same way on every
        store and index layout: newest meeting first, then item id. tantivy orders equal scores by
        where a document sits in its segments, which differs between two stores of the same items; so
        the page is read with up to TIES hits after it, and the ones tied with the page's last are
        sorted here. One read: collecting 2,000 more hits costs tantivy about what collecting 10 does
        (every match is scored either way), while each further read scores every match again."""
        n = need + self.TIES
        hits = (searcher.search(query, n, count=False).hits if scored
                else searcher.search(query, n, count=False, order_by_field="date").hits)
        if not hits:
            return []
        addrs = [a for _, a in hits]
        pks = searcher.fast_field_values("pk", addrs)
        days = searcher.fast_field_values("date", addrs)
        rows = [(float(s) if scored else 0.0, int(d) if d is not None else 0, int(pk))
                for (s, _), pk, d in zip(hits, pks, days) if pk is not None]
        rows.sort(key=lambda r: (-r[0], -r[1]))
        if len(rows) > need:  # hits tied with the page's last one stay; the rest cannot reach the page
            last = rows[need - 1][:2]
            rows = [r for r in rows if (-r[0], -r[1]) <= (-last[0], -last[1])]
        ids = _item_ids(conn, [r[2] for r in rows])
        rows.sort(key=lambda r: (-r[0], -r[1], ids.get(r[2], "")))
        return [(pk, score) for score, _, pk in rows[:need]]

    def _facets(self, conn: Connection, agg: dict[str, Any]) -> dict[str, dict[str, int]]:
        if any(b["key"] not in self._bodies for b in agg["committee"]["buckets"]):  # a new body was ingested
            self._bodies = {r[0]: (r[1], r[2] or "")
                            for r in conn.exec_driver_sql("SELECT id, name, municipality FROM bodies")}
        bodies = self._bodies
        tallies: dict[str, Counter[str]] = {k: Counter() for k in ("committee", "municipality", "year", "decision_kind")}
        for b in agg["committee"]["buckets"]:
            name, municipality = bodies.get(b["key"], ("", ""))
            tallies["committee"][name] += b["doc_count"]
            tallies["municipality"][municipality] += b["doc_count"]
        for b in agg["year"]["buckets"]:
            tallies["year"]["" if not b["key"] else str(int(b["key"]))] += b["doc_count"]
        for b in agg["decision_kind"]["buckets"]:
            tallies["decision_kind"]["" if b["key"] == NO_KIND else b["key"]] += b["doc_count"]
        return {k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for k, v in tallies.items()}

    def _hits(self, conn: Connection, ranked: list[tuple[int, float]]) -> list[Hit]:
        """The hits' rows in one statement (a round trip each costs on a server)."""
        if not ranked:
            return []
        rows = {r[0]: r for r in run(
            conn, "SELECT i.pk, i.id, i.title, i.label, i.case_number, i.decision_kind, i.date, b.name, b.municipality, "
            f"i.meeting_id FROM items i JOIN bodies b ON b.id = i.body_id WHERE i.pk IN ({', '.join('?' * len(ranked))})",
            tuple(pk for pk, _ in ranked))}
        # a pk in the index but not (or no longer) in the database is never shown
        return [Hit(id=r[1], title=r[2], number=printed(r[3]) or 0, case_number=r[4], decision_kind=r[5],
                    date=as_date(r[6]), committee=r[7], municipality=r[8], meeting_id=r[9], score=float(score))
                for pk, score in ranked if (r := rows.get(pk)) is not None]

    def _snippets(self, conn: Connection, q: Query, hits: list[Hit]) -> None:
        """The first text of each hit (decision, then sections in order) that contains a hit, cut
        around it, with the hit words marked. A query word is marked in every form that has its stem:
        the index holds stems, so the forms are looked for in the hit's own texts (Danish stems are
        prefixes of their forms, so only words starting with the stem are stemmed to confirm)."""
        if not hits:
            return
        marks = ", ".join("?" * len(hits))
        ids = tuple(h.id for h in hits)
        by_item: dict[str, list[str]] = defaultdict(list)
        for item_id, txt, _, _ in run(conn, f"SELECT id, decision, 0, 0 FROM items WHERE id IN ({marks}) UNION ALL "
                                      "SELECT i.id, s.text, 1, s.ord FROM sections s JOIN items i ON i.pk = s.item_pk "
                                      f"WHERE i.id IN ({marks}) ORDER BY 1, 3, 4", ids + ids).tuples():
            if txt:
                by_item[item_id].append(txt)
        for h in hits:
            texts = by_item[h.id]
            lowered = "\n".join(texts).lower()

            def forms(stem: str, word: str, lowered: str = lowered) -> list[str]:
                found = _words_starting(lowered, stem.lower())
                return [w for w in found if w == word or stems(w) == [stem]]

            pattern = highlighter(q, forms)
            found = next((t for t in texts if pattern and pattern.search(t)), texts[0] if texts else "")
            h.snippet, h.highlights = snippet(found, pattern)


    def _words_containing(self, conn: Connection, part: str) -> list[str]:
        """Every stored word containing `part` (lowercase). The words sit in memory as one string, one
        per line, read again when the table has grown; str.find over it takes a few milliseconds."""
        top = conn.exec_driver_sql(f"SELECT coalesce(max({sql_for(conn).rowid}), 0) FROM words").scalar_one()
        if self._words_blob[0] != top:
            words = [r[0] for r in conn.exec_driver_sql("SELECT word FROM words")]
            self._words_blob = (top, "\n" + "\n".join(words) + "\n")
        blob = self._words_blob[1]
        found = []
        at = blob.find(part)
        while at >= 0:
            start, end = blob.rfind("\n", 0, at) + 1, blob.find("\n", at)
            found.append(blob[start:end])
            at = blob.find(part, end)
        return found



_WORD_TAIL = re.compile(r"[^\W_]*")


def _words_starting(lowered: str, stem: str) -> set[str]:
    r"""The words of a lower-cased text that start with `stem`. str.find, then a word-boundary check:
    a regex led by a lookbehind (`(?<![^\W_])stem…`, as this was) cannot skip ahead to the stem and
    tries every position of every hit's texts, 25 % of a search's time on a 20,000-item archive."""
    found: set[str] = set()
    at = lowered.find(stem) if stem else -1
    while at >= 0:
        if at == 0 or not (lowered[at - 1].isalnum()):
            found.add(lowered[at:_WORD_TAIL.match(lowered, at + len(stem)).end()])  # type: ignore[union-attr]
        at = lowered.find(stem, at + 1)
    return found



def _item_ids(conn: Connection, pks: list[int]) -> dict[int, str]:
    """Item ids by pk, read in chunks of bound parameters."""
    out: dict[int, str] = {}
    for at in range(0, len(pks), 500):
        part = pks[at:at + 500]
        out.update(run(conn, f"SELECT pk, id FROM items WHERE pk IN ({', '.join('?' * len(part))})", tuple(part)).all())
    return out



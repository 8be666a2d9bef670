"""The search index: tantivy, in a folder beside the SQLite file (``referat.db.tantivy/``).

Why not FTS5: FTS5 scores every match with BM25 (~1 µs each, DESIGN.md §5), so a word in a quarter of a
million items costs 250 ms, and indexing the body text was half of ingest time. tantivy scores in Rust
with block-max pruning, counts and aggregates facets over fast columns, and indexes on its own thread
(figures side by side in bench/README.md).

SQLite stays the record; the index holds, per item (keyed by items.pk), the searchable texts stemmed
(Snowball Danish, the same algorithm PyStemmer runs; æ, ø, å are never folded) and the filter and facet
values. The archive writes both per ingest batch: SQLite rows first, in their transaction; then the
index's deletes and additions, committed before SQLite commits, so that a failing batch leaves neither.
If SQLite fails after the index committed (a crash between the two commits), the next open sees that
they differ and rebuilds the index from SQLite (`SearchIndex.stale`).

No query text is ever parsed by tantivy's query parser: queries are built from terms (`Query.term_query`
and friends), so nothing a user types is syntax.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import tantivy

from referat.errors import ReferatError

ANALYZER = "da_stem"
WORDS_ANALYZER = "da_words"
TEXT_FIELDS = ("title", "decision", "recommendation", "body")
VERSION = "2"  # bump when the schema or the analyzer changes: the index is then rebuilt from SQLite
NO_KIND = "-"  # decision_kind of items without one (terms aggregation needs a value)


class IndexBusyError(ReferatError):
    """The search index is being written by another process (tantivy allows one writer)."""


def analyzer() -> tantivy.TextAnalyzer:
    """Words as runs of letters and digits, lowercased, Snowball Danish stem. remove_long keeps giant
    tokens (base64, URLs) out of the dictionary."""
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(80))
            .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.stemmer("danish")).build())


def words_analyzer() -> tantivy.TextAnalyzer:
    """Words as written (lowercased, not stemmed): the `words` field that substring searches ask for
    the words containing the substring (referat.search.index_words splits the same way)."""
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(80))
            .filter(tantivy.Filter.lowercase()).build())


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("pk", stored=False, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        b.add_text_field(name, stored=False, tokenizer_name=ANALYZER, index_option="position")
    # title and decision words as written, for substring searches (*klub*); no positions, no scores
    b.add_text_field("words", stored=False, tokenizer_name=WORDS_ANALYZER, index_option="basic")
    for name in ("body_id", "kind"):  # facets: fast columns
        b.add_text_field(name, stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    for name in ("case", "person"):
        b.add_text_field(name, stored=False, tokenizer_name="raw", index_option="basic")
    b.add_integer_field("year", indexed=True, fast=True)
    b.add_integer_field("date", indexed=True, fast=True)  # yyyymmdd
    return b.build()


def day_number(d: dt.date | str | None) -> int | None:
    """A date as the integer yyyymmdd (ordered like the date)."""
    if d is None:
        return None
    if not isinstance(d, dt.date):
        d = dt.date.fromisoformat(str(d)[:10])
    return d.year * 10000 + d.month * 100 + d.day


class SearchIndex:
    """One tantivy index. `path` None keeps it in memory (for databases that are not files)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.schema = _schema()
        self.analyzer = analyzer()
        self._writer: tantivy.IndexWriter | None = None
        self.fresh = False  # created now (not opened): the archive fills it from SQLite
        self.threads = 1  # indexing threads of its writer: one beside an ingest, every core where only searches run
        if path is not None:
            version = Path(path) / "referat-version"
            if Path(path).exists() and (not version.exists() or version.read_text().strip() != VERSION):
                shutil.rmtree(path)
            if not Path(path).exists():
                Path(path).mkdir(parents=True)
                version.write_text(VERSION)
                self.fresh = True
        else:
            self.fresh = True
        self.index = tantivy.Index(self.schema, path=path, reuse=True)
        self.index.register_tokenizer(ANALYZER, self.analyzer)
        self.index.register_tokenizer(WORDS_ANALYZER, words_analyzer())

    # --- writing ---------------------------------------------------------------------------

    @property
    def writer(self) -> tantivy.IndexWriter:
        # one indexing thread beside an ingest: the other core runs Python (parsing, SQLite)
        if self._writer is None:
            try:
                self._writer = self.index.writer(heap_size=256_000_000 * self.threads, num_threads=self.threads)
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise
                raise IndexBusyError(f"{self.path}: another process is writing this archive; try again when it "
                                     "is done") from None
        return self._writer

    def add(self, docs: Sequence[dict[str, Any]]) -> None:
        """Hand documents to the indexing thread now (it indexes them while the caller goes on writing
        SQLite); nothing is visible before commit(), and rollback() forgets them."""
        w = self.writer
        for d in docs:
            w.add_document(self._document(d))

    def delete(self, pks: Sequence[int]) -> None:
        w = self.writer
        for pk in pks:
            w.delete_documents_by_term("pk", pk)

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self.index.reload()

    def rollback(self) -> None:
        if self._writer is not None:
            self._writer.rollback()

    def apply(self, deletes: Sequence[int], docs: Sequence[dict[str, Any]]) -> None:
        """Delete items by pk, add items, commit: all or nothing."""
        try:
            self.delete(deletes)
            self.add(docs)
            self.commit()
        except BaseException:
            self.rollback()
            raise

    def _document(self, d: dict[str, Any]) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_integer("pk", d["pk"])
        for name in TEXT_FIELDS:
            if d.get(name):
                doc.add_text(name, d[name])
        doc.add_text("words", f"{d.get('title') or ''}\n{d.get('decision') or ''}")
        doc.add_text("body_id", d["body_id"])
        doc.add_text("kind", d.get("kind") or NO_KIND)
        if d.get("case"):
            doc.add_text("case", d["case"].strip())
        for p in d.get("persons", ()):
            doc.add_text("person", p)
        if d.get("year") is not None:
            doc.add_integer("year", int(d["year"]))
        day = day_number(d.get("date"))
        if day is not None:
            doc.add_integer("date", day)
        return doc

    def clear(self) -> None:
        w = self.writer
        w.delete_all_documents()
        w.commit()
        self.index.reload()

    def close(self) -> None:
        """Let background merges finish and release the writer's lock."""
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None

    # --- the change log's position (PostgreSQL; see migration 0009) ---------------------------

    def applied(self) -> int | None:
        """The last change-log entry this index holds, as recorded in its folder; None for an index in
        memory, a new folder, or one never brought up to date from a change log (then it is rebuilt)."""
        if self.path is None or self.fresh:
            return None
        mark = Path(self.path) / "referat-applied"
        try:
            return int(mark.read_text().strip())
        except (OSError, ValueError):
            return None

    def forget_applied(self) -> None:
        """Drop the recorded position (before a rebuild: an index cut short must not claim one)."""
        if self.path is not None:
            (Path(self.path) / "referat-applied").unlink(missing_ok=True)

    def set_applied(self, seq: int) -> None:
        """Record (after a commit) that the index holds every change up to seq; a crash before this
        line replays the changes, which is harmless (a change re-reads the item's current row)."""
        self.fresh = False
        if self.path is None:
            return
        mark = Path(self.path) / "referat-applied"
        tmp = mark.with_suffix(".tmp")
        tmp.write_text(str(seq))
        tmp.replace(mark)

    # --- reading ---------------------------------------------------------------------------

    def searcher(self) -> tantivy.Searcher:
        return self.index.searcher()

    def tokens(self, text: str) -> list[str]:
        """The index terms of a text (stems, as indexing makes them)."""
        return self.analyzer.analyze(text)

    def doc_freq(self, searcher: tantivy.Searcher, stem: str) -> int:
        return max(searcher.doc_freq(f, stem) for f in TEXT_FIELDS)

    def max_pk(self, searcher: tantivy.Searcher) -> int:
        hits = searcher.search(tantivy.Query.all_query(), 1, count=False, order_by_field="pk").hits
        return int(hits[0][0]) if hits else 0

    # --- query pieces (all built from terms; no query parser) ----------------------------------

    def word(self, stem: str, weights: Sequence[float]) -> tantivy.Query:
        return self._fields(lambda f: tantivy.Query.term_query(self.schema, f, stem), weights)

    def phrase(self, stems: list[str], weights: Sequence[float]) -> tantivy.Query:
        if len(stems) == 1:
            return self.word(stems[0], weights)
        return self._fields(lambda f: tantivy.Query.phrase_query(self.schema, f, list(stems)), weights)

    def prefix(self, prefix: str, weights: Sequence[float]) -> tantivy.Query:
        """Index terms (stems) starting with the prefix, and the prefix's own stem: "jobklubbe*" finds
        jobklubber (stem jobklub). Constant score: a prefix names many words, none more than another."""
        pattern = re.escape(prefix) + ".*"
        parts = [tantivy.Query.regex_query(self.schema, f, pattern) for f in TEXT_FIELDS]
        own = self.tokens(prefix)
        if own and own[0] != prefix:
            parts.append(self.word(own[0], weights))
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, p) for p in parts])

    def _fields(self, make: Any, weights: Sequence[float]) -> tantivy.Query:
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.boost_query(make(f), w)) for f, w in zip(TEXT_FIELDS, weights)])

    def pks(self, pks: Iterable[int]) -> tantivy.Query:
        return tantivy.Query.term_set_query(self.schema, "pk", list(pks))

    def terms(self, field: str, values: Sequence[Any]) -> tantivy.Query:
        return tantivy.Query.term_set_query(self.schema, field, list(values))

    def term(self, field: str, value: Any) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field, value)

    def days(self, lo: int | None, hi: int | None) -> tantivy.Query:
        return tantivy.Query.range_query(self.schema, "date", tantivy.FieldType.Integer, lo, hi)

    @staticmethod
    def filtered(query: tantivy.Query, filters: Sequence[tantivy.Query], excluded: Sequence[tantivy.Query] = ()
                 ) -> tantivy.Query:
        """query AND every filter (scoring nothing) AND NOT any excluded."""
        if not filters and not excluded:
            return query
        parts = [(tantivy.Occur.Must, query)]
        parts += [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters]
        parts += [(tantivy.Occur.MustNot, e) for e in excluded]
        return tantivy.Query.boolean_query(parts)

    @staticmethod
    def all_of(queries: Sequence[tantivy.Query]) -> tantivy.Query:
        if len(queries) == 1:
            return queries[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])

    @staticmethod
    def any_of(queries: Sequence[tantivy.Query]) -> tantivy.Query:
        if len(queries) == 1:
            return queries[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


FACETS_AGG = {
    "committee": {"terms": {"field": "body_id", "size": 65000}},
    "year": {"terms": {"field": "year", "size": 1000, "missing": 0}},
    "decision_kind": {"terms": {"field": "kind", "size": 100}},
}

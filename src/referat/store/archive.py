"""The archive: one Python API over the database. The CLI, JSON API and web pages call this.

SQLite (one file, embedded) is the default. Every document is written in one transaction: it is
stored whole or not at all. Queries are built from fixed SQL fragments with bound parameters;
no text from a document or a query is ever pasted into SQL.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Table, create_engine, event, text
from sqlalchemy.engine import Connection

from referat.cases import load_kle
from referat.errors import NotFoundError
from referat.link import relink
from referat.search import NOTHING, Query, QueryError, as_substrings, highlighter, parse_query, snippet, stems
from referat.store import linked, schema
from referat.names import person_key
from referat.store.rows import Rows

DEFAULT_DB = "referat.db"
MIGRATIONS = Path(__file__).parent / "migrations"
DECISION_KINDS = ("approved", "recommended", "noted", "approved_with_changes", "other")


def default_db() -> str:
    return os.environ.get("REFERAT_DB", DEFAULT_DB)


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
            raise QueryError(f"unknown decision kind '{self.decision_kind}'; use one of {', '.join(DECISION_KINDS)}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise QueryError(f"the date range is empty: {self.date_from} is after {self.date_to}")


@dataclass(slots=True)
class Hit:
    id: str
    title: str
    number: int
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


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's recipe for pysqlite: let SQLAlchemy emit BEGIN itself, so that SAVEPOINTs work
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA cache_size = -262144")  # 256 MB of page cache: FTS5 segment merges read a lot
    cur.execute("PRAGMA temp_store = MEMORY")
    cur.close()


class Archive:
    """An archive of ingested minutes in one database."""

    def __init__(self, db: str | Path | None = None) -> None:
        self.db = str(db or default_db())
        url = self.db if "://" in self.db else f"sqlite:///{self.db}"
        self.engine: Engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _pragmas)
            event.listen(self.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        self.migrate()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (a new database is created at it)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------------------

    def has_document(self, sha256: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT 1 FROM documents WHERE id = :id"), {"id": sha256}).first() is not None

    def store_many(self, batch: list[Rows]) -> list[str | Exception]:
        """Write several documents in one transaction; if any fails, the batch is rolled back and each
        document is written again in a transaction of its own, so that the failing one is reported
        (its exception in the result list) and the others land whole. One commit per batch is what
        makes bulk ingest fast: a commit with FTS5 segments costs milliseconds, and so does a savepoint.
        Then the links the new meetings can affect are recomputed (referat.link)."""
        changed: set[str] = set()
        try:
            with self.engine.begin() as conn:
                results: list[str | Exception] = [self._store(conn, rows, changed) for rows in batch]
        except Exception as exc:  # noqa: BLE001 - find the culprit document by document
            changed.clear()
            if len(batch) == 1:
                return [exc]
            results = []
            for rows in batch:
                try:
                    with self.engine.begin() as conn:
                        mine: set[str] = set()
                        results.append(self._store(conn, rows, mine))
                    changed |= mine
                except Exception as exc:  # noqa: BLE001 - reported per document; the batch goes on
                    results.append(exc)
        if changed:
            with self.engine.begin() as conn:
                relink(conn, changed)
        return results

    def link(self) -> int:
        """Recompute every link of the archive (ingest keeps them current; this is for a full rebuild)."""
        with self.engine.begin() as conn:
            return relink(conn)

    def _store(self, conn: Connection, rows: Rows, changed: set[str]) -> str:
        """Store one document; adds the ids of the meetings it creates or replaces to `changed`."""
        if conn.execute(text("SELECT 1 FROM documents WHERE id = :id"), {"id": rows.document["id"]}).first():
            return "skipped"
        old = {r[0] for r in conn.execute(
            text("SELECT id FROM documents WHERE path = :path UNION "
                 "SELECT document_id FROM meetings WHERE id = :meeting"),
            {"path": rows.document["path"], "meeting": rows.meeting["id"]})}
        for doc_id in old:
            changed.update(r[0] for r in conn.execute(text("SELECT id FROM meetings WHERE document_id = :d"),
                                                       {"d": doc_id}))
            self._delete_document(conn, doc_id)
        self._insert(conn, rows)
        changed.add(rows.meeting["id"])
        return "replaced" if old else "ingested"

    def _delete_document(self, conn: Connection, doc_id: str) -> None:
        pks = [r[0] for r in conn.execute(
            text("SELECT i.pk FROM items i JOIN meetings m ON m.id = i.meeting_id WHERE m.document_id = :d"),
            {"d": doc_id})]
        for table in (schema.FTS_TABLE, schema.TRIGRAM_TABLE):
            conn.execute(text(f"DELETE FROM {table} WHERE rowid = :pk"), [{"pk": pk} for pk in pks] or [{"pk": -1}])
        conn.execute(text("DELETE FROM documents WHERE id = :d"), {"d": doc_id})

    def _insert(self, conn: Connection, rows: Rows) -> None:
        """Bulk inserts at the driver level: the statements come from the schema's tables, values are
        bound as tuples (SQLAlchemy's per-row parameter processing was a third of ingest time)."""
        _put(conn, schema.documents, [rows.document])
        _put(conn, schema.bodies, [rows.body], "OR IGNORE")
        _put(conn, schema.people, list(rows.people.values()), "OR IGNORE")
        _put(conn, schema.meetings, [rows.meeting])
        _put(conn, schema.participants, rows.participants)
        if rows.items:
            # one writer holds the transaction, so the next integer keys are ours to assign
            base = conn.exec_driver_sql("SELECT coalesce(max(pk), 0) FROM items").scalar_one()
            pks = [base + 1 + i for i in range(len(rows.items))]
            _put(conn, schema.items, [{**r, "pk": pk} for r, pk in zip(rows.items, pks)])
            for table, children in rows.children.items():
                _put(conn, schema.metadata.tables[table], [{**c, "item_pk": pks[c["item"]]} for c in children])
            conn.exec_driver_sql(
                f"INSERT INTO {schema.FTS_TABLE} (rowid, title, decision, recommendation, body) VALUES (?, ?, ?, ?, ?)",
                [(pk, f["title"], f["decision"], f["recommendation"], f["body"]) for f, pk in zip(rows.fts, pks)])
            conn.exec_driver_sql(f"INSERT INTO {schema.TRIGRAM_TABLE} (rowid, text) VALUES (?, ?)",
                                 [(pk, f["trigram"]) for f, pk in zip(rows.fts, pks)])
        _put(conn, schema.warnings, rows.warnings)

    # --- filters ---------------------------------------------------------------------------

    def _filter_sql(self, conn: Connection, f: Filters) -> tuple[list[str], dict[str, Any]]:
        """WHERE fragments over items i (fixed SQL) and their parameters."""
        where: list[str] = []
        params: dict[str, Any] = {}
        if f.committee or f.municipality:
            # casefold in Python: SQLite's lower() folds only ASCII, and Ø, Æ, Å are letters here
            ids = [r.id for r in conn.execute(text("SELECT id, name, municipality FROM bodies"))
                   if (not f.committee or r.name.casefold() == f.committee.casefold())
                   and (not f.municipality or (r.municipality or "").casefold() == f.municipality.casefold())]
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

    # --- search ----------------------------------------------------------------------------

    def search(self, query: str | Query, filters: Filters | None = None, *, sort: str = "relevance",
               limit: int = 10, offset: int = 0, facets: bool = True) -> SearchResult:
        """Full-text search with filters, facets and snippets. Raises QueryError for a malformed query."""
        if sort not in ("relevance", "date"):
            raise QueryError(f"unknown sort '{sort}'; use relevance or date")
        if not 1 <= limit <= 1000 or offset < 0:
            raise QueryError("limit must be 1-1000 and offset 0 or more")
        q = parse_query(query) if isinstance(query, str) else query
        filters = filters or Filters()
        with self.engine.connect() as conn:
            expand = StemExpander(conn)
            result = self._search(conn, q, expand, filters, sort, limit, offset, facets)
            # retried as substrings only when a word is in no indexed form at all, not when filters
            # or other words leave nothing
            if result.total == 0 and q.has_words and not q.excluded and q.fts(expand) == NOTHING:
                fallback = as_substrings(q)
                if fallback is not None:
                    q = fallback
                    result = self._search(conn, q, expand, filters, sort, limit, offset, facets)
                    result.fallback = "substring"
            self._snippets(conn, q, expand, result.hits)
        return result

    # Query plan. FTS5's BM25 scores every match (~1 µs apiece, DESIGN.md §5), counting matches is
    # ~25x cheaper, and reading facet columns costs ~0.5 µs a match. Up to EXACT_LIMIT estimated
    # matches everything is exact. Above it (very common words), the best hits are ranked among the
    # SAMPLE most recently ingested matches (FTS5 walks its index newest-first and stops) and facets are
    # counted over those; the total stays exact without filters. The result says so (exact=False).
    EXACT_LIMIT = 8_000
    SAMPLE = 4_000

    def _search(self, conn: Connection, q: Query, expand: StemExpander, filters: Filters, sort: str, limit: int,
                offset: int, facets: bool) -> SearchResult:
        fts = q.fts(expand)
        if fts == NOTHING:
            return SearchResult(q.text, 0, [], {})
        where, params = self._filter_sql(conn, filters)
        weights = ", ".join(str(w) for w in schema.FTS_WEIGHTS)
        estimate = expand.estimate(q) if fts is not None else None
        sampled = estimate is not None and estimate > self.EXACT_LIMIT
        if fts is not None:
            source = f"SELECT rowid AS pk, {{score}} AS score FROM {schema.FTS_TABLE} WHERE {schema.FTS_TABLE} MATCH :match"
            params["match"] = fts
        else:
            source = f"SELECT rowid AS pk, 0.0 AS score FROM {schema.TRIGRAM_TABLE} WHERE text LIKE :sub0 ESCAPE '\\'"
        for i, sub in enumerate(q.substrings):
            params[f"sub{i}"] = "%" + sub.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            if fts is not None or i > 0:
                source += f" AND rowid IN (SELECT rowid FROM {schema.TRIGRAM_TABLE} WHERE text LIKE :sub{i} ESCAPE '\\')"
        if sampled:
            source += " ORDER BY rowid DESC LIMIT :sample"
            params["sample"] = self.SAMPLE if not where else 2 * self.SAMPLE
        # BM25 only where ranking needs it: counting and facets read the matches unscored
        ranked, unscored = source.replace("{score}", f"bm25({schema.FTS_TABLE}, {weights})"), source.replace("{score}", "0.0")
        source = ranked
        # CROSS JOIN keeps SQLite from driving the join from a filter index and re-running the full-text
        # query once per item (seconds instead of milliseconds)
        cond = " WHERE " + " AND ".join(where) if where else ""
        matched = f"FROM ({source}) h CROSS JOIN items i ON i.pk = h.pk{cond}"
        matched_unscored = f"FROM ({unscored}) h CROSS JOIN items i ON i.pk = h.pk{cond}"
        if sort == "relevance" and not where:
            # ranking needs no item columns: let SQLite keep the top rows without touching items
            top_sql = f"SELECT pk, score FROM ({source}) ORDER BY score LIMIT :limit OFFSET :offset"
        else:
            order = "h.score, i.date DESC" if sort == "relevance" else "i.date DESC, i.pk DESC"
            top_sql = f"SELECT h.pk, h.score {matched} ORDER BY {order} LIMIT :limit OFFSET :offset"
        top = conn.execute(text(top_sql), {**params, "limit": limit, "offset": offset}).all()
        found = [self._hit(conn, pk, score) for pk, score in top]
        if where or fts is None:
            total = conn.execute(text(f"SELECT count(*) {matched_unscored}"), params).scalar_one()
        else:
            total = conn.execute(text(f"SELECT count(*) FROM {schema.FTS_TABLE} WHERE {schema.FTS_TABLE} MATCH :match"),
                                 {"match": fts}).scalar_one()
        counted: dict[str, dict[str, int]] = {}
        if facets and total:
            names = {r[0]: r[1] for r in conn.exec_driver_sql("SELECT id, name FROM bodies")}
            tallies: dict[str, Counter[str]] = {"committee": Counter(), "year": Counter(), "decision_kind": Counter()}
            facet_sql = (f"WITH m AS MATERIALIZED (SELECT i.body_id AS b, i.year AS y, i.decision_kind AS k "
                         f"{matched_unscored}) SELECT 'committee', b, count(*) FROM m GROUP BY b UNION ALL "
                         "SELECT 'year', y, count(*) FROM m GROUP BY y UNION ALL "
                         "SELECT 'decision_kind', k, count(*) FROM m GROUP BY k")
            for facet, key, n in conn.execute(text(facet_sql), params).all():
                label = names.get(key, "") if facet == "committee" else ("" if key is None else str(key))
                tallies[facet][label] += n
            counted = {k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for k, v in tallies.items()}
        return SearchResult(q.text, total, found, counted, exact=not sampled)

    def _hit(self, conn: Connection, pk: int, score: float) -> Hit:
        r = conn.exec_driver_sql(
            "SELECT i.id, i.title, i.number, i.case_number, i.decision_kind, i.date, b.name, b.municipality, "
            "i.meeting_id FROM items i JOIN bodies b ON b.id = i.body_id WHERE i.pk = ?", (pk,)).one()
        return Hit(id=r[0], title=r[1], number=r[2], case_number=r[3], decision_kind=r[4], date=_date(r[5]),
                   committee=r[6], municipality=r[7], meeting_id=r[8], score=float(score))

    def _snippets(self, conn: Connection, q: Query, expand: StemExpander, hits: list[Hit]) -> None:
        """The first text of each hit (decision, then sections in order) that contains a hit, cut
        around it, with the hit words marked."""
        pattern = highlighter(q, expand)
        for h in hits:
            texts = [r[0] for r in conn.execute(
                text("SELECT decision FROM items WHERE id = :id UNION ALL "
                     "SELECT s.text FROM sections s JOIN items i ON i.pk = s.item_pk WHERE i.id = :id"), {"id": h.id})
                     if r[0]]
            found = next((t for t in texts if pattern and pattern.search(t)), texts[0] if texts else "")
            h.snippet, h.highlights = snippet(found, pattern)

    # --- reading ---------------------------------------------------------------------------

    def item(self, item_id: str) -> dict[str, Any]:
        """One item with all its parts, as plain data."""
        with self.engine.connect() as conn:
            r = conn.execute(text("SELECT i.*, b.name AS committee, b.municipality, m.kind AS meeting_kind "
                                  "FROM items i JOIN bodies b ON b.id = i.body_id "
                                  "JOIN meetings m ON m.id = i.meeting_id WHERE i.id = :id"),
                             {"id": item_id}).mappings().first()
            if r is None:
                raise NotFoundError(f"no item with id '{item_id}'")
            return self._item_dict(conn, r)

    def _item_dict(self, conn: Connection, r: Any) -> dict[str, Any]:
        pk = r["pk"]

        def rows(sql: str) -> list[Any]:
            return list(conn.execute(text(sql), {"pk": pk}).mappings())

        lists: dict[str, list[str]] = {"recommendation": [], "attachment": [], "presenter": []}
        for x in rows("SELECT kind, text FROM item_lists WHERE item_pk = :pk ORDER BY kind, ord"):
            lists[x["kind"]].append(x["text"])
        people = {x["id"]: x["name"] for x in rows(
            "SELECT p.id, p.name FROM people p WHERE p.id IN (SELECT person_id FROM attendance WHERE item_pk = :pk "
            "UNION SELECT for_person_id FROM attendance WHERE item_pk = :pk "
            "UNION SELECT person_id FROM votes WHERE item_pk = :pk)")}
        att = rows("SELECT person_id, status, for_person_id FROM attendance WHERE item_pk = :pk")
        votes: dict[str, list[str]] = {"for": [], "against": [], "abstained": []}
        for x in rows("SELECT person_id, vote FROM votes WHERE item_pk = :pk"):
            votes[x["vote"]].append(people[x["person_id"]])
        treat = linked.treatments(conn, [pk])[pk]
        return {
            "id": r["id"], "meeting_id": r["meeting_id"], "committee": r["committee"],
            "municipality": r["municipality"], "date": _iso(r["date"]), "number": r["number"], "title": r["title"],
            "case_number": r["case_number"], "closed": bool(r["closed"]), "decision": r["decision"],
            "decision_kind": r["decision_kind"], "recommendation": lists["recommendation"],
            "recommending_body": r["recommending_body"],
            "absent": [people[a["person_id"]] for a in att if a["status"] == "absent"],
            "substitutes": [{"substitute": people[a["person_id"]], "for": people[a["for_person_id"]]}
                            for a in att if a["status"] == "substitute"],
            "votes": votes if any(votes.values()) else None,
            "case_key": r["case_key"],
            # each with its link status and targets (referat.link); referenced_by: items linking here
            "upcoming": treat["upcoming"], "related": treat["related"],
            "referenced_by": linked.referenced_by(conn, [r["id"]])[r["id"]],
            "attachments": lists["attachment"], "presenters": lists["presenter"],
            "amounts_mio_kr": [x["mio_kr"] for x in rows("SELECT mio_kr FROM amounts WHERE item_pk = :pk ORDER BY ord")],
            "tables": [{"caption": x["caption"], "header": json.loads(x["header_json"]),
                        "rows": json.loads(x["rows_json"])}
                       for x in rows("SELECT caption, header_json, rows_json FROM item_tables WHERE item_pk = :pk "
                                     "ORDER BY ord")],
            "sections": [{"heading": x["heading"], "text": x["text"]}
                         for x in rows("SELECT heading, text FROM sections WHERE item_pk = :pk ORDER BY ord")],
        }

    def meeting(self, meeting_id: str) -> dict[str, Any]:
        """One meeting: header, participants, table of contents and its items (summaries)."""
        with self.engine.connect() as conn:
            m = conn.execute(text("SELECT m.*, b.name AS committee, b.municipality, d.path FROM meetings m "
                                  "JOIN bodies b ON b.id = m.body_id JOIN documents d ON d.id = m.document_id "
                                  "WHERE m.id = :id"), {"id": meeting_id}).mappings().first()
            if m is None:
                raise NotFoundError(f"no meeting with id '{meeting_id}'")
            parts = conn.execute(text("SELECT p.name, pa.party FROM participants pa JOIN people p ON p.id = pa.person_id "
                                      "WHERE pa.meeting_id = :id ORDER BY pa.ord"), {"id": meeting_id}).mappings()
            its = conn.execute(text("SELECT id, number, title, case_number, closed, decision_kind, decision FROM items "
                                    "WHERE meeting_id = :id ORDER BY pk"), {"id": meeting_id}).mappings()
            return {"id": m["id"], "kind": m["kind"], "body_id": m["body_id"], "committee": m["committee"],
                    "municipality": m["municipality"],
                    "date": _iso(m["date"]), "start_time": m["start_time"], "location": m["location"],
                    "election_period": m["election_period"], "document_id": m["document_id"], "source": m["path"],
                    "participants": [{"name": p["name"], "party": p["party"]} for p in parts],
                    "attendance": linked.meeting_attendance(conn, meeting_id),
                    "toc": json.loads(m["toc_json"]),
                    "items": [{**dict(i), "closed": bool(i["closed"])} for i in its]}

    def export(self, filters: Filters | None = None, query: str | None = None) -> Iterator[dict[str, Any]]:
        """Every item matching the filters (and the query, if given), in date order, as full records."""
        filters = filters or Filters()
        with self.engine.connect() as conn:
            where, params = self._filter_sql(conn, filters)
            if query:
                q = parse_query(query)
                fts = q.fts(StemExpander(conn))
                if fts == NOTHING:
                    return
                if fts is None:
                    raise QueryError("export takes word queries; substring (*…*) search is for the search command")
                where.append(f"i.pk IN (SELECT rowid FROM {schema.FTS_TABLE} WHERE {schema.FTS_TABLE} MATCH :match)")
                params["match"] = fts
            cond = (" WHERE " + " AND ".join(where)) if where else ""
            sql = ("SELECT i.*, b.name AS committee, b.municipality FROM items i JOIN bodies b ON b.id = i.body_id"
                   f"{cond} ORDER BY i.date, i.meeting_id, i.pk")
            for r in conn.execute(text(sql), params).mappings():
                yield self._item_dict(conn, r)

    def stats(self) -> dict[str, Any]:
        """Counts of documents, meetings and items, and items per committee and year."""
        with self.engine.connect() as conn:
            one = lambda sql: conn.execute(text(sql)).scalar_one()  # noqa: E731
            per = conn.execute(text(
                "SELECT b.name AS committee, b.municipality, m.date AS date, count(DISTINCT m.id) AS meetings, "
                "count(i.pk) AS items FROM meetings m JOIN bodies b ON b.id = m.body_id "
                "LEFT JOIN items i ON i.meeting_id = m.id GROUP BY b.name, b.municipality, strftime('%Y', m.date) "
                "ORDER BY b.name, m.date")).mappings().all()
            return {
                "documents": one("SELECT count(*) FROM documents"),
                "meetings": one("SELECT count(*) FROM meetings"),
                "items": one("SELECT count(*) FROM items"),
                "warnings": one("SELECT count(*) FROM warnings"),
                "by_committee_year": [{"committee": r["committee"], "municipality": r["municipality"],
                                       "year": _date(r["date"]).year if r["date"] else None,
                                       "meetings": r["meetings"], "items": r["items"]} for r in per],
            }


    # --- the linked record (referat.store.linked) ---------------------------------------------

    def case(self, number: str, municipality: str | None = None) -> dict[str, Any]:
        """A case's timeline across meetings and bodies, with resolved references and next steps."""
        with self.engine.connect() as conn:
            return linked.case(conn, number, municipality)

    def person(self, name_or_id: str) -> dict[str, Any]:
        """A person: parties over time, attendance per meeting and its rate, substitutions, votes."""
        with self.engine.connect() as conn:
            return linked.person(conn, name_or_id)

    def body(self, name_or_id: str, municipality: str | None = None) -> dict[str, Any]:
        """A committee or council: meetings by year, members over time."""
        with self.engine.connect() as conn:
            return linked.body(conn, name_or_id, municipality)

    def load_kle(self, path: str | Path) -> int:
        """Load the user's KLE titles (KL's XML or a code;title CSV); returns how many codes."""
        titles = load_kle(Path(path))
        with self.engine.begin() as conn:
            conn.exec_driver_sql("INSERT OR REPLACE INTO kle (code, title) VALUES (?, ?)", list(titles.items()))
        return len(titles)


class StemExpander:
    """stem, word -> the indexed words with that Danish stem, most frequent first (memoized per search).
    Danish stems are prefixes of their forms, so the candidates are the vocabulary range
    [stem, stem + U+10FFFF); each candidate is stemmed to confirm (jobklub -> jobklubber, jobklubben,
    but not jobklubleder). `docs` holds each form's document count, for the query planner."""

    MAX_FORMS = 300  # forms of one stem searched at most (the most frequent)
    MAX_SUFFIX = 8

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.forms: dict[tuple[str, str], list[str]] = {}
        self.docs: dict[str, int] = {}

    def estimate(self, q: Query) -> int | None:
        """Matches a query can have at most: for each AND group the sum of its words' document counts;
        the smallest group bounds the query. None when a group has a prefix or substring term."""
        bounds = []
        for group in q.groups:
            if group[0].substring is not None:
                continue
            total = 0
            for t in group:
                if t.prefix is not None:  # a lower bound from the first words of the range is enough to plan
                    total += self.conn.exec_driver_sql(
                        f"SELECT coalesce(sum(doc), 0) FROM (SELECT doc FROM {schema.FTS_TERMS} "
                        "WHERE term >= ? AND term < ? LIMIT 500)", (t.prefix, t.prefix + "\U0010ffff")).scalar_one()
                elif len(t.words) > 1:  # a phrase occurs at most as often as its rarest word
                    for stem, w in zip(t.stems, t.words, strict=True):
                        self(stem, w)  # looks the words up, filling self.docs
                    total += min(self.docs.get(w, 0) for w in t.words)
                else:
                    total += sum(self.docs.get(f, 0) for f in self(t.stems[0], t.words[0]))
            bounds.append(total)
        return min(bounds) if bounds else None

    def __call__(self, stem: str, word: str) -> list[str]:
        key = (stem, word)
        if key not in self.forms:
            # a Danish inflection adds at most a few letters to the stem ("-elsernes"); longer words in the
            # range are compounds (jobklub -> jobklubleder), which a stem search does not mean
            rows = self.conn.exec_driver_sql(
                f"SELECT term, doc FROM {schema.FTS_TERMS} WHERE (term >= ? AND term < ? AND length(term) <= ?) "
                "OR term = ?", (stem, stem + "\U0010ffff", len(stem) + self.MAX_SUFFIX, word)).all()
            found = sorted(((doc, term) for term, doc in rows if term == word or stems(term) == [stem]), reverse=True)
            self.forms[key] = [term for _, term in found[: self.MAX_FORMS]]
            self.docs.update((term, doc) for doc, term in found)
        return self.forms[key]


def _put(conn: Connection, table: Table, values: list[dict[str, Any]], prefix: str = "") -> None:
    """INSERT rows (dicts keyed by column name; other keys ignored) into a schema table."""
    if not values:
        return
    cols = [c.name for c in table.columns]
    sql = f"INSERT {prefix} INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    conn.exec_driver_sql(sql, [tuple(_sql_value(v.get(c)) for c in cols) for v in values])


def _sql_value(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def _date(v: Any) -> dt.date | None:
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def _iso(v: Any) -> str | None:
    d = _date(v)
    return d.isoformat() if d else None

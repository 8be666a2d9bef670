"""The archive: one Python API over the database. The CLI, JSON API and web pages call this.

SQLite (one file, embedded) is the default; a PostgreSQL URL works too (referat.dialect holds the SQL
that differs). Every document is written in one transaction, with the links it changes: it is stored
whole and linked, or not at all (a crash never leaves it unlinked). Queries are built from fixed SQL
fragments with bound parameters; no text from a document or a query is ever pasted into SQL.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import re
import threading
import time
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import tantivy
from sqlalchemy import Engine, Table, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.engine import Connection

from referat import vocab
from referat.cases import load_kle
from referat.errors import NotFoundError, UnsupportedDatabaseError
from referat.names import body_key, person_key
from referat.search import Query, QueryError, Term, as_substrings, highlighter, parse_query, snippet, stems
from referat.store import changes, guard, indexlog, linked, record, schema, superseded, tombstones
from referat.dialect import DIALECTS, lock_for_writing, run, sql_for, unsupported
from referat.store.browse import iso, printed
from referat.store.matching import match_filters
from referat.store.index import FACETS_AGG, NO_KIND, IndexBusyError, SearchIndex, day_number
from referat.store.rows import Rows, is_body_section

DEFAULT_DB = "referat.db"
MIGRATIONS = Path(__file__).parent / "migrations"
DECISION_KINDS = vocab.DECISION_KINDS
_T = TypeVar("_T")


def default_db() -> str:
    return os.environ.get("REFERAT_DB", DEFAULT_DB)


def shown(db: str) -> str:
    """The database as messages name it: a file's path as given, a URL without its password."""
    return guard.shown(db)


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


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    _read_pragmas(dbapi_connection, _record)
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _read_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """What every connection sets; a read-only archive gets only this (a journal mode change is a write)."""
    # SQLAlchemy's recipe for pysqlite: let SQLAlchemy emit BEGIN itself, so that SAVEPOINTs work
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA cache_size = -262144")  # 256 MB of page cache: index and snippet reads
    cur.execute("PRAGMA temp_store = MEMORY")
    cur.close()


class Archive:
    """An archive of ingested minutes in one database."""

    def __init__(self, db: str | Path | None = None, *, create: bool = True) -> None:
        """Open the archive in `db`. A database that is not a referat archive is refused unchanged
        (referat.store.guard); an empty or missing one becomes an archive only when `create` (the
        commands that add documents). A read-only SQLite archive opens read-only (`read_only`)."""
        self.db = str(db or default_db())
        self.name = shown(self.db)
        url = guard.checked_url(self.db) if "://" in self.db else guard.sqlite_url(self.db)
        if url.get_backend_name() not in DIALECTS:
            raise UnsupportedDatabaseError(unsupported(url.get_backend_name()))
        if url.drivername == "postgresql":  # SQLAlchemy's default driver there is psycopg2; ours is psycopg 3
            url = url.set(drivername="postgresql+psycopg")
        self.read_only = False
        self._file = url.database if url.get_backend_name() == "sqlite" else None
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            self.read_only = guard.sqlite_file(url.database, self.name, create)
            if self.read_only:
                url = make_url(guard.read_only_uri(url.database))
        self.engine: Engine = create_engine(url)
        # what a search reads, statement by statement: on a server without BEGIN and ROLLBACK around it
        # (two round trips of the ~8 a search makes; each waits for a busy machine to schedule the server)
        self._reads: Engine = (self.engine.execution_options(isolation_level="AUTOCOMMIT")
                               if self.engine.dialect.name == "postgresql" else self.engine)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _pragmas if not self.read_only else _read_pragmas)
            event.listen(self.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        else:
            self._check_server_database(create)
        if not self.read_only:
            self.migrate()
        self.search_index = self._new_index(_index_path(self.engine))
        self._bodies: dict[str, tuple[str, str]] = {}  # body id -> (committee, municipality), for facets
        self._words_stored: set[str] | None = None  # words known to be in the words table (loaded when first needed)
        self._words_blob: tuple[int, str] = (-1, "")  # (max rowid, "\nword\nword\n") for substring searches
        # PostgreSQL: writers append changed item pks to the change log (migration 0009) and every process
        # brings its own index up to date from it before a search (_catch_up); nothing is indexed at open
        self._logged = self.engine.dialect.name == "postgresql"
        self._applied: int | None = None  # the last change applied to this process's index; None: not yet
        # this process's name in index_readers (indexlog) once registered; "" where it cannot register
        self._reader: str | None = None
        self._seen = 0.0  # time.monotonic() of the last update of that row
        self._catching = threading.Lock()
        self._pending: _Pending | None = None  # a batch's rows not yet written (PostgreSQL; _transaction)
        # (the writing transaction's connection, whether it holds OParl tombstones): _bury asks once per transaction
        self._graves: tuple[Connection, bool] | None = None
        if not self._logged:
            self._sync_index()

    def _check_server_database(self, create: bool) -> None:
        """PostgreSQL: refuse a database holding another program's tables, or (unless `create`) none."""
        try:
            with self.engine.connect() as conn:
                tables = {r[0] for r in conn.exec_driver_sql(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
                version = (conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
                           if "alembic_version" in tables else None)
        except Exception:
            self.engine.dispose()
            raise
        guard.check_tables(self.name, tables, version, create)

    def migrate(self) -> None:
        """Bring the schema to the newest revision (a new database is created at it). A database already
        there is only read: alembic itself (and its imports, ~0.3 s) is loaded when a migration is due."""
        with self.engine.connect() as conn:
            try:
                current = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one_or_none()
            except DBAPIError:  # a new database
                current = None
        if current is not None and current == _head_revision():
            return
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def modified(self) -> float | None:
        """When the archive last changed (seconds since the epoch), for HTTP's Last-Modified: a SQLite
        file's time (and its write-ahead log's); on a server, the newest document's ingest time."""
        if self.engine.dialect.name == "sqlite":
            db = self._file or ""
            times = [os.stat(p).st_mtime for p in (db, db + "-wal") if db and os.path.exists(p)]
            return max(times) if times else None
        with self.engine.connect() as conn:
            newest = conn.exec_driver_sql("SELECT max(ingested_at) FROM documents").scalar_one()
        return dt.datetime.fromisoformat(newest).timestamp() if newest else None

    def close(self) -> None:
        self._leave()
        self.search_index.close()
        self.engine.dispose()

    def _leave(self) -> None:
        """An index in memory dies with its process: take its row out of index_readers, so that it no
        longer holds the change log back (an index folder keeps its row: it comes back to its position)."""
        if self._reader and self.search_index.path is None:
            try:
                with self.engine.connect() as conn:
                    indexlog.leave(conn, self._reader)
            except Exception:  # noqa: BLE001 - the row then expires with the retention
                pass
        self._reader = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------------------

    def has_document(self, sha256: str) -> bool:
        """Whether the document is stored whole: its record and its original file (a document ingested
        before originals were kept is read again, and its original added)."""
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT 1 FROM originals WHERE document_id = :id"),
                                {"id": sha256}).first() is not None

    def superseded_file(self, sha256: str, path: str) -> superseded.Superseded | None:
        """Why a file with this hash at this path is skipped unread: another version of its meeting is
        kept (referat.store.superseded); None when it is to be read."""
        with self.engine.connect() as conn:
            return superseded.lookup(conn, sha256, path)

    def store_many(self, batch: list[Rows], force: bool = False) -> list[str | Exception]:
        """Write several documents in one transaction; if any fails, the batch is rolled back and each
        document is written again in a transaction of its own, so that the failing one is reported
        (its exception in the result list) and the others land whole. One commit per batch is what
        makes bulk ingest fast: a commit costs milliseconds, in SQLite and in the search index.
        The links the new meetings can affect are recomputed in the same transaction (referat.link):
        a crash leaves a batch stored with its links or not at all, never stored without them. `force`
        stores documents remembered as superseded again (_store)."""
        changed: set[str] = set()
        try:
            return self._transaction(lambda conn: [self._store(conn, rows, changed, force) for rows in batch],
                                     batched=True, relinked=changed)
        except Exception as exc:  # noqa: BLE001 - find the culprit document by document
            if len(batch) == 1:
                return [exc]
        results: list[str | Exception] = []
        for rows in batch:
            mine: set[str] = set()
            try:
                results.append(self._transaction(lambda conn, rows=rows, mine=mine: self._store(conn, rows, mine, force),
                                                 batched=True, relinked=mine))
            except Exception as exc:  # noqa: BLE001 - reported per document; the batch goes on
                results.append(exc)
        return results

    def store_harvested(self, rows: Rows | None, state: dict[str, Any],
                        files: Sequence[dict[str, Any]] = ()) -> str | None:
        """Store one harvested meeting in one transaction: its record (None when only the bookkeeping
        changes: a refused or an unchanged response), the harvest's bookkeeping for it (schema.harvested)
        and the files fetched beside it; all or nothing. Returns what the store did with the record
        (ingested, replaced, skipped), None without one."""
        changed: set[str] = set()

        def work(conn: Connection) -> str | None:
            result = self._store(conn, rows, changed) if rows is not None else None
            run(conn, "DELETE FROM harvested WHERE host = ? AND source_id = ?", (state["host"], state["source_id"]))
            _put(conn, schema.harvested, [state])
            if files:
                known = {r[0] for r in run(conn, "SELECT url FROM meeting_files WHERE meeting_id = ?",
                                           (files[0]["meeting_id"],))}
                _put(conn, schema.meeting_files, [f for f in files if f["url"] not in known])
            return result

        return self._transaction(work, relinked=changed)

    def harvested(self, host: str) -> dict[str, dict[str, Any]]:
        """What a harvest of this host fetched last, by source meeting id (schema.harvested)."""
        with self.engine.connect() as conn:
            rows = run(conn, "SELECT * FROM harvested WHERE host = ?", (host,)).mappings().all()
        return {r["source_id"]: {**dict(r), "meeting_date": _date(r["meeting_date"]), "finished": bool(r["finished"])}
                for r in rows}

    def file_urls(self, meeting_id: str) -> set[str]:
        """URLs of the files a harvest stored beside a meeting."""
        with self.engine.connect() as conn:
            return {r[0] for r in run(conn, "SELECT url FROM meeting_files WHERE meeting_id = ?", (meeting_id,))}

    def host_file_urls(self, host: str) -> dict[str, set[str]]:
        """file_urls of every meeting with files from this host, by meeting id (a harvest on Dask asks
        once per host instead of once per meeting)."""
        prefix = f"https://{host}/"
        with self.engine.connect() as conn:
            found: dict[str, set[str]] = {}
            for meeting_id, url in run(conn, "SELECT meeting_id, url FROM meeting_files WHERE substr(url, 1, ?) = ?",
                                       (len(prefix), prefix)):
                found.setdefault(meeting_id, set()).add(url)
        return found

    def meeting_file(self, meeting_id: str, sha256: str) -> dict[str, Any]:
        """One stored file of a meeting, with its bytes."""
        with self.engine.connect() as conn:
            r = run(conn, "SELECT * FROM meeting_files WHERE meeting_id = ? AND sha256 = ?",
                    (meeting_id, sha256)).mappings().first()
        if r is None:
            raise NotFoundError(f"no file {sha256} stored with meeting '{meeting_id}'")
        return {**dict(r), "content": bytes(r["content"])}

    def link(self) -> int:
        """Recompute every link of the archive (ingest keeps them current; this is for a full rebuild)."""
        with self.engine.begin() as conn:
            lock_for_writing(conn)
            return relink(conn)

    def _transaction(self, work: Callable[[Connection], _T], batched: bool = False,
                     relinked: set[str] | None = None) -> _T:
        """Run work in one SQLite transaction and keep the search index in step: _delete_document and
        _insert hand their deletes and documents to the index as they go (its indexing thread works
        while SQLite is written), the index commits just before SQLite commits, and if anything before
        fails the index rolls back too: neither keeps anything. If SQLite's own commit fails after the
        index committed, the index is rebuilt from SQLite. `relinked`, filled by work with the meetings
        it changed, has their links recomputed before the commit (the links are part of the change)."""
        committed = False
        # PostgreSQL: the batch's rows are written per table at the end (one pipelined statement each,
        # not a round trip per document and table); SQLite's inserts cost no round trip
        self._pending = _Pending() if batched and self._logged else None
        try:
            with self.engine.begin() as conn:
                lock_for_writing(conn)
                result = work(conn)
                self._flush(conn)
                self._pending = None
                if relinked:
                    relink(conn, relinked)
                self.search_index.commit()
                committed = True
            return result
        except BaseException:
            self._pending = None
            self._words_stored = None  # it may hold words of the rolled-back documents: read again when needed
            if committed and not self._logged:
                self.reindex()
            else:
                self.search_index.rollback()
            raise

    def _write(self, conn: Connection, table: Table, values: list[dict[str, Any]], ignore: bool = False) -> None:
        """_put now, or with the batch's other rows at its end (PostgreSQL, see _transaction)."""
        if self._pending is None:
            _put(conn, table, values, ignore)
        elif values:
            self._pending.rows[(table.name, ignore)].extend(values)

    def _flush(self, conn: Connection) -> None:
        """Write the pending rows, parents before children (the schema's foreign-key order)."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        for table in schema.metadata.sorted_tables:
            for ignore in (True, False):
                if (table.name, ignore) in pending.rows:
                    _put(conn, table, pending.rows[(table.name, ignore)], ignore)
        _log_changes(conn, pending.changes)
        _analyze_grown(conn, len(pending.rows.get(("items", False), ())))
        self._pending = _Pending()  # a later document of the same transaction starts a new batch

    def _next_pks(self, conn: Connection, n: int) -> list[int]:
        """n new item pks: max(pk) + 1 onwards (one writer holds the transaction: lock_for_writing)."""
        pending = self._pending
        if pending is not None and pending.next_pk is not None:
            base = pending.next_pk - 1
        else:
            base = conn.exec_driver_sql("SELECT coalesce(max(pk), 0) FROM items").scalar_one()
        if pending is not None:
            pending.next_pk = base + 1 + n
        return [base + 1 + i for i in range(n)]

    def _store(self, conn: Connection, rows: Rows, changed: set[str], force: bool = False) -> str:
        """Store one document; adds the ids of the meetings it creates or replaces to `changed`. A document
        not stored because another version of its meeting is kept returns a superseded.Skipped (equal to
        "skipped") and is remembered (schema.superseded); with `force`, a remembered one is stored again."""
        pending = self._pending
        if pending is not None:  # a document that meets a pending one must see it in the database
            keys = {("doc", rows.document["id"]), ("path", rows.document["path"]), ("meeting", rows.meeting["id"])}
            if keys & pending.keys:
                self._flush(conn)
                pending = self._pending
            assert pending is not None
            pending.keys |= keys
        doc_id, path, at = rows.document["id"], rows.document["path"], rows.document["ingested_at"]
        if conn.execute(text("SELECT 1 FROM documents WHERE id = :id"), {"id": doc_id}).first():
            if rows.original is not None and not conn.execute(
                    text("SELECT 1 FROM originals WHERE document_id = :id"), {"id": doc_id}).first():
                # stored before originals were kept (migration 0007): the same record, now with its file
                _put(conn, schema.originals, [rows.original])
                run(conn, "UPDATE documents SET media_type = ? WHERE id = ?",
                    (rows.document["media_type"], doc_id))
            return "skipped"
        remembered = superseded.find(conn, doc_id)
        if remembered and not force and (gone := superseded.skip(conn, remembered, path)) is not None:
            return gone.skipped()  # an older version: a newer file of its meeting replaced it
        old = {r[0] for r in conn.execute(
            text("SELECT id FROM documents WHERE path = :path UNION "
                 "SELECT document_id FROM meetings WHERE id = :meeting"),
            {"path": path, "meeting": rows.meeting["id"]})}
        rules = [("same_text", "d.text = :text", {"text": rows.document["text"]})]
        if rows.meeting["kind"] == "agenda":
            rules.append(("minutes", "m.kind = 'minutes'", {}))
        for reason, cond, params in rules if old else ():
            # the same meeting word for word from another file (its text in another encoding); the agenda
            # of a meeting whose minutes are archived (the minutes stay)
            kept = conn.execute(text("SELECT d.id, d.path FROM meetings m JOIN documents d ON d.id = m.document_id "
                                     f"WHERE m.id = :meeting AND d.path <> :path AND {cond}"),
                                {"meeting": rows.meeting["id"], "path": path, **params}).first()
            if kept is not None:
                superseded.remember(conn, [{"sha256": doc_id, "path": path, "meeting_id": rows.meeting["id"],
                                            "by_document": kept[0], "reason": reason, "at": at}])
                return superseded.Skipped(reason, kept[1])
        before = changes.snapshot(conn, old)  # for the change log (feeds, alerts)
        gone_rows = superseded.replaced(conn, old, doc_id, at)
        gone_objects = tombstones.before(conn, old)  # for OParl's deleted objects
        for old_id in old:
            changed.update(r[0] for r in conn.execute(text("SELECT id FROM meetings WHERE document_id = :d"),
                                                       {"d": old_id}))
            self._delete_document(conn, old_id)
        if remembered:
            superseded.forget(conn, [doc_id])  # current again (--force, or a file changed back)
        superseded.remember(conn, gone_rows)
        self._insert(conn, rows)
        changes.record(conn, before, rows)
        self._bury(conn, gone_objects, rows, at)
        changed.add(rows.meeting["id"])
        return "replaced" if old else "ingested"

    def _bury(self, conn: Connection, gone: Any, rows: Rows, at: str) -> None:
        """OParl tombstones (referat.store.tombstones): of what the replaced documents carried and this one
        does not, and none any more for what this one brings back."""
        held = tombstones.now_held(rows, rows.body.get("municipality"))
        graves = self._graves[1] if self._graves is not None and self._graves[0] is conn else None
        if gone[0]:
            if self._pending is not None:  # a Paper is gone only if no stored item carries its case
                self._flush(conn)
            graves = bool(tombstones.record(conn, gone, held, at)) or graves
        if graves is None:
            graves = tombstones.exist(conn)
        if graves:
            tombstones.revive(conn, held)
        self._graves = (conn, graves)

    def _delete_document(self, conn: Connection, doc_id: str) -> None:
        pks = [r[0] for r in conn.execute(
            text("SELECT i.pk FROM items i JOIN meetings m ON m.id = i.meeting_id WHERE m.document_id = :d"),
            {"d": doc_id})]
        if self._pending is not None:
            self._pending.changes.extend(pks)
        elif self._logged:
            _log_changes(conn, pks)
        else:
            self.search_index.delete(pks)
        conn.execute(text("DELETE FROM documents WHERE id = :d"), {"d": doc_id})

    def _insert(self, conn: Connection, rows: Rows) -> None:
        """Bulk inserts at the driver level: the statements come from the schema's tables, values are
        bound as tuples (SQLAlchemy's per-row parameter processing was a third of ingest time)."""
        put = self._write
        put(conn, schema.documents, [rows.document])
        if rows.original is not None:
            put(conn, schema.originals, [rows.original])
        put(conn, schema.bodies, [rows.body], ignore=True)
        put(conn, schema.people, list(rows.people.values()), ignore=True)
        put(conn, schema.meetings, [rows.meeting])
        put(conn, schema.participants, rows.participants)
        if rows.items:
            # one writer holds the transaction (lock_for_writing), so the next integer keys are ours to assign
            pks = self._next_pks(conn, len(rows.items))
            put(conn, schema.items, [{**r, "pk": pk} for r, pk in zip(rows.items, pks)])
            for table, children in rows.children.items():
                put(conn, schema.metadata.tables[table], [{**c, "item_pk": pks[c["item"]]} for c in children])
            self._store_words(conn, set().union(*(f["words"] for f in rows.fts)))
            if self._pending is not None:
                self._pending.changes.extend(pks)
            elif self._logged:
                _log_changes(conn, pks)
            else:
                self.search_index.add(_index_docs(rows, pks))
        put(conn, schema.warnings, rows.warnings)

    def _store_words(self, conn: Connection, words: set[str]) -> None:
        """Add the words the words table lacks. The set of stored words is kept in memory (a word
        recurs in thousands of items: looking each up in SQLite was a measurable part of ingest)."""
        if self._words_stored is None:
            self._words_stored = {r[0] for r in conn.exec_driver_sql("SELECT word FROM words")}
        new = words - self._words_stored
        if new:
            self._write(conn, schema.words, [{"word": w} for w in new], ignore=True)
            self._words_stored |= new

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

    def reindex(self, chunk: int = 5000) -> int:
        """Rebuild the search index from the database (after an upgrade, or when the two differ).
        Returns the number of items indexed. One commit at the end: the indexing thread works on one
        chunk while the next is read (a commit per chunk waited for it, two thirds of a rebuild's time),
        and a rebuild cut short leaves no position behind (the next open rebuilds again)."""
        self.search_index.forget_applied()
        self.search_index.clear()
        n = last = 0
        try:
            with self.engine.connect() as conn:
                top = 0
                if self._logged:  # read first, and hold the log from here: changes made meanwhile are applied later
                    top = indexlog.position(conn)[0]
                    self._register(conn, top)
                while True:
                    pks = [r[0] for r in run(conn, "SELECT pk FROM items WHERE pk > ? ORDER BY pk LIMIT ?",
                                             (last, chunk))]
                    if not pks:
                        break
                    last = pks[-1]
                    self.search_index.add(_stored_docs(conn, "BETWEEN ? AND ?", (pks[0], last)))
                    n += len(pks)
            self.search_index.commit()
        except BaseException:
            self.search_index.rollback()
            raise
        if self._logged:
            self.search_index.set_applied(top)
            self._applied = top
        return n

    SLOTS = 64

    def _new_index(self, path: str | None) -> SearchIndex:
        """A search index; on PostgreSQL, where this process only applies the log (writers do not index),
        its writer takes every core (up to 4): a rebuild at 1M items is mostly indexing."""
        index = SearchIndex(path)
        if self.engine.dialect.name == "postgresql":
            index.threads = max(1, min(os.cpu_count() or 1, 4))
        return index

    def _claim_index(self) -> None:
        """PostgreSQL with $REFERAT_INDEX: take the folder, or when another process holds it (tantivy
        allows one writer; `referat serve --workers N` starts N processes with one environment) the
        first free of folder.1, folder.2, …: a folder per process, each kept with its position, so
        every worker restarts from its own copy."""
        base = self.search_index.path
        if base is None:
            return
        for slot in range(self.SLOTS):
            index = self.search_index if slot == 0 else self._new_index(f"{base}.{slot}")
            try:
                index.writer  # noqa: B018 - takes the folder's lock
            except IndexBusyError:
                continue
            self.search_index = index
            return
        raise IndexBusyError(f"{base} and its {self.SLOTS - 1} numbered copies are all in use by other processes")

    def searcher(self) -> tantivy.Searcher:
        """A searcher over the index as current as the database (PostgreSQL: the change log applied)."""
        self._catch_up()
        return self.search_index.searcher()

    def _catch_up(self, chunk: int = 5000) -> None:
        """PostgreSQL: apply the change log's entries after the last one this process applied (one
        indexed read when there are none). A process's first search loads its index: a folder that
        records its position ($REFERAT_INDEX) replays only the log's tail; otherwise, or when the entries
        it needs were pruned (it was away longer than the retention: referat.store.indexlog), the index
        is rebuilt from the database."""
        if not self._logged:
            return
        with self._catching:
            if self._applied is None:
                self._claim_index()
                self._applied = self.search_index.applied()
            with self._reads.connect() as conn:
                top, through = indexlog.position(conn)
                if self._applied is not None and top == self._applied:
                    self._register(conn, top, idle=True)
                    return
                # never loaded, another database's folder, or the entries after ours are pruned
                if self._applied is None or top < self._applied or through > self._applied:
                    self._rebuild(conn, chunk)
                    return
                changed = indexlog.changed(conn, self._applied, top)
                if indexlog.pruned_through(conn) > self._applied:  # pruned while we read: some may be missing
                    self._rebuild(conn, chunk)
                    return
                try:
                    for at in range(0, len(changed), chunk):
                        part = changed[at:at + chunk]
                        self.search_index.apply(part, _stored_docs(conn, "= ANY(?)", (part,)))
                except IndexBusyError:
                    self.search_index.index.reload()
                    return
                self.search_index.set_applied(top)
                self._applied = top
                self._register(conn, top)

    def _rebuild(self, conn: Connection, chunk: int) -> None:
        conn.close()
        try:
            self.reindex(chunk)
        except IndexBusyError:
            self.search_index.index.reload()  # another process holds this folder and keeps it current

    def _register(self, conn: Connection, applied: int, idle: bool = False) -> None:
        """Record this process's position in index_readers, so that writers keep the entries after it;
        when the position has not moved, only every few seconds (a heartbeat)."""
        now = time.monotonic()
        if idle and now - self._seen < indexlog.HEARTBEAT:
            return
        if self._reader is None:
            self._reader = indexlog.reader_name(self.search_index.path)
            if self.search_index.path is None:  # a server stopped without close() leaves too
                atexit.register(_leave_at_exit, weakref.ref(self))
        elif not self._reader:
            return
        try:
            indexlog.register(conn, self._reader, applied)
        except DBAPIError:  # a read-only replica: writers cannot see this reader, which rebuilds if it falls behind
            conn.rollback()
            self._reader = ""
        self._seen = now

    def prune_index_log(self, keep: float | None = None) -> int:
        """PostgreSQL: delete the change-log entries every reader seen within `keep` seconds (default:
        the retention, $REFERAT_INDEX_RETENTION) has applied; returns how many. Writers do this on their
        own every $REFERAT_INDEX_PRUNE_EVERY seconds; 0 on SQLite, which keeps no log."""
        if not self._logged:
            return 0
        with self.engine.begin() as conn:
            lock_for_writing(conn)
            return indexlog.prune(conn, keep)

    def _sync_index(self) -> None:
        """Rebuild the search index when it does not hold exactly the items SQLite holds (a new index
        beside an old database, or a crash between the two commits)."""
        with self.engine.connect() as conn:
            count, top = conn.exec_driver_sql("SELECT count(*), coalesce(max(pk), 0) FROM items").one()
        searcher = self.search_index.searcher()
        if searcher.num_docs != count or self.search_index.max_pk(searcher) != top:
            try:
                self.reindex()
            except IndexBusyError:
                pass  # another process is ingesting (between its two commits); it keeps the two in step

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
        hits are read until the score after the page's last differs from it (at most TIES more), and
        sorted here."""
        n = need
        while True:
            hits = (searcher.search(query, n, count=False).hits if scored
                    else searcher.search(query, n, count=False, order_by_field="date").hits)
            if len(hits) < n or hits[-1][0] != hits[need - 1][0] or n >= need + self.TIES:
                break
            n = min(n * 4, need + self.TIES)
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
                    date=_date(r[6]), committee=r[7], municipality=r[8], meeting_id=r[9], score=float(score))
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

    # --- reading ---------------------------------------------------------------------------

    def item(self, item_id: str) -> dict[str, Any]:
        """One item with all its parts, as plain data."""
        with self.engine.connect() as conn:
            r = conn.execute(text(f"SELECT i.*, b.name AS committee, b.municipality, {_MEETING_SOURCE} "
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

        lists: dict[str, list[str]] = {k: [] for k in schema.ITEM_LIST_KINDS}
        links: list[dict[str, Any]] = []
        for x in rows("SELECT kind, text, url FROM item_lists WHERE item_pk = :pk ORDER BY kind, ord"):
            lists[x["kind"]].append(x["text"])
            if x["kind"] == "attachment":
                links.append({"title": x["text"], "url": x["url"]})
        # as printed: names or party letters ("A, F og Ø stemte for")
        votes = {"for": lists["vote_for"], "against": lists["vote_against"], "abstained": lists["vote_abstained"]}
        treat = linked.treatments(conn, [pk])[pk]
        return {
            "id": r["id"], "meeting_id": r["meeting_id"], "committee": r["committee"],
            "municipality": r["municipality"], "date": iso(r["date"]), "number": printed(r["label"]),
            "title": r["title"], "meeting_kind": r["meeting_kind"],
            "case_number": r["case_number"], "closed": bool(r["closed"]), "decision": r["decision"],
            "decision_kind": r["decision_kind"], "recommendation": lists["recommendation"],
            "recommending_body": r["recommending_body"],
            "absent": lists["absent"],
            "substitutes": [{"substitute": a, "for": b} for a, b in zip(lists["substitute"], lists["substituted"])],
            "votes": votes if any(votes.values()) else None,
            "case_key": r["case_key"],
            # each with its link status and targets (referat.link); referenced_by: items linking here
            "upcoming": treat["upcoming"], "related": treat["related"],
            "referenced_by": linked.referenced_by(conn, [r["id"]])[r["id"]],
            "attachments": lists["attachment"], "presenters": lists["presenter"],
            # the originals, where the source gives them: the meeting's page, the item's, each attachment's
            "source": _source(r), "url": r["url"], "attachment_links": links,
            "amounts_mio_kr": [x["mio_kr"] for x in rows("SELECT mio_kr FROM amounts WHERE item_pk = :pk ORDER BY ord")],
            "tables": [{"caption": x["caption"], "header": json.loads(x["header_json"]),
                        "rows": json.loads(x["rows_json"])}
                       for x in rows("SELECT caption, header_json, rows_json FROM item_tables WHERE item_pk = :pk "
                                     "ORDER BY ord")],
            "sections": [{"heading": x["heading"], "role": x["role"], "text": x["text"]}
                         for x in rows("SELECT heading, role, text FROM sections WHERE item_pk = :pk ORDER BY ord")],
        }

    def meeting(self, meeting_id: str) -> dict[str, Any]:
        """One meeting: header, participants, table of contents and its items (summaries)."""
        with self.engine.connect() as conn:
            m = conn.execute(text("SELECT m.*, b.name AS committee, b.municipality, d.path, d.url FROM meetings m "
                                  "JOIN bodies b ON b.id = m.body_id JOIN documents d ON d.id = m.document_id "
                                  "WHERE m.id = :id"), {"id": meeting_id}).mappings().first()
            if m is None:
                raise NotFoundError(f"no meeting with id '{meeting_id}'")
            parts = conn.execute(text("SELECT p.name, pa.party FROM participants pa JOIN people p ON p.id = pa.person_id "
                                      "WHERE pa.meeting_id = :id ORDER BY pa.ord"), {"id": meeting_id}).mappings()
            its = conn.execute(text("SELECT id, label, title, case_number, closed, decision_kind, decision, url "
                                    "FROM items WHERE meeting_id = :id ORDER BY pk"), {"id": meeting_id}).mappings()
            files = conn.execute(text("SELECT role, title, url, media_type, size, sha256, fetched_at FROM meeting_files "
                                      "WHERE meeting_id = :id ORDER BY role DESC, url"), {"id": meeting_id}).mappings()
            return {"id": m["id"], "kind": m["kind"], "body_id": m["body_id"], "committee": m["committee"],
                    "municipality": m["municipality"],
                    "date": iso(m["date"]), "start_time": m["start_time"], "location": m["location"],
                    "election_period": m["election_period"], "document_id": m["document_id"], "path": m["path"],
                    "document_url": m["url"], "source": _source(m), "files": [dict(f) for f in files],
                    "participants": [{"name": p["name"], "party": p["party"]} for p in parts],
                    "attendance": linked.meeting_attendance(conn, meeting_id),
                    "toc": json.loads(m["toc_json"]),
                    "items": [{"id": i["id"], "number": printed(i["label"]), "title": i["title"],
                               "case_number": i["case_number"], "closed": bool(i["closed"]),
                               "decision_kind": i["decision_kind"], "decision": i["decision"], "url": i["url"]}
                              for i in its]}

    def export(self, filters: Filters | None = None, query: str | None = None) -> Iterator[dict[str, Any]]:
        """Every item matching the filters (and the query, if given), in date order, as full records."""
        with self.engine.connect() as conn:
            cond, params = self._matching(conn, filters or Filters(), query)
            if cond is None:
                return
            sql = (f"SELECT i.*, b.name AS committee, b.municipality, {_MEETING_SOURCE} FROM items i "
                   f"JOIN bodies b ON b.id = i.body_id JOIN meetings m ON m.id = i.meeting_id{cond} ORDER BY {sql_for(conn).asc('i.date')}, i.meeting_id, i.pk")
            for r in conn.execute(text(sql), params).mappings():
                yield self._item_dict(conn, r)

    def export_meetings(self, filters: Filters | None = None, query: str | None = None) -> Iterator[dict[str, Any]]:
        """Whole meetings in the shape of the parse contract (DESIGN.md §3) plus their ids, in date order:
        every meeting, or with filters or a query those with at least one matching item."""
        filters = filters or Filters()
        with self.engine.connect() as conn:
            if filters == Filters() and not query:
                sql = f"SELECT m.id FROM meetings m ORDER BY {sql_for(conn).asc('m.date')}, m.id"
                params: dict[str, Any] = {}
            else:
                cond, params = self._matching(conn, filters, query)
                if cond is None:
                    return
                sql = (f"SELECT m.id FROM meetings m WHERE m.id IN (SELECT i.meeting_id FROM items i{cond}) "
                       f"ORDER BY {sql_for(conn).asc('m.date')}, m.id")
            for (meeting_id,) in conn.execute(text(sql), params).all():
                yield record.meeting_record(conn, meeting_id)

    def meeting_record(self, meeting_id: str) -> dict[str, Any]:
        """One meeting in the shape of the parse contract plus its ids (referat.store.record)."""
        with self.engine.connect() as conn:
            return record.meeting_record(conn, meeting_id)

    def _matching(self, conn: Connection, filters: Filters, query: str | None) -> tuple[str | None, dict[str, Any]]:
        """A WHERE clause over items i (fixed SQL) for the filters and the query, with its parameters;
        None when the query can match nothing."""
        where, params = self._filter_sql(conn, match_filters(conn, filters)[0])
        if query:
            q = parse_query(query)
            if not q.has_words:
                raise QueryError("export takes word queries; substring (*…*) search is for the search command")
            self._catch_up()
            searcher = self.search_index.searcher()
            tq = self._query(conn, searcher, q)
            if tq is None:
                return None, params
            n = searcher.search(tq, 1, count=True).count
            pks = [pk for pk, _ in searcher.search(tq, max(n, 1), count=False, order_by_field="pk").hits]
            # the matches go to a temporary table: a million pks are too many bound parameters
            conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS export_pks (pk INTEGER PRIMARY KEY)")
            conn.exec_driver_sql("DELETE FROM export_pks")
            if pks:
                run(conn, "INSERT INTO export_pks (pk) VALUES (?)", [(pk,) for pk in pks])
            where.append("i.pk IN (SELECT pk FROM export_pks)")
        return (" WHERE " + " AND ".join(where)) if where else "", params

    def original(self, doc_id: str) -> dict[str, Any]:
        """A document's original file as ingested: its bytes (`content`), `media_type`, `size`, `sha256`,
        `file_name` and where it came from (`path`, and `url` where a harvest fetched it)."""
        with self.engine.connect() as conn:
            r = run(conn, "SELECT d.id, d.path, d.url, d.size, d.media_type, o.content FROM documents d "
                          "LEFT JOIN originals o ON o.document_id = d.id WHERE d.id = ?", (doc_id,)).mappings().first()
        if r is None:
            raise NotFoundError(f"no document with id '{doc_id}'")
        if r["content"] is None:
            raise NotFoundError(f"document '{doc_id}' was ingested before originals were kept: ingest its file "
                                "again to add it (its text is at /api/documents/{id}/text)")
        return {"sha256": r["id"], "path": r["path"], "url": r["url"], "size": r["size"], "media_type": r["media_type"],
                "file_name": file_name(r["path"], r["media_type"]), "content": bytes(r["content"])}

    def stats(self) -> dict[str, Any]:
        """Counts of documents, meetings and items, and items per committee and year."""
        with self.engine.connect() as conn:
            one = lambda sql: conn.execute(text(sql)).scalar_one()  # noqa: E731
            per = conn.execute(text(
                "SELECT b.name AS committee, b.municipality, min(m.date) AS date, count(DISTINCT m.id) AS meetings, "
                "count(i.pk) AS items FROM meetings m JOIN bodies b ON b.id = m.body_id "
                "LEFT JOIN items i ON i.meeting_id = m.id "
                f"GROUP BY b.name, b.municipality, {sql_for(conn).year('m.date')} "
                f"ORDER BY b.name, {sql_for(conn).asc('min(m.date)')}")).mappings().all()
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
            if titles:
                run(conn, "INSERT INTO kle (code, title) VALUES (?, ?) "
                          "ON CONFLICT (code) DO UPDATE SET title = excluded.title", list(titles.items()))
        return len(titles)


_EXTENSIONS = {"application/pdf": ".pdf", "application/json": ".json", "application/xml": ".xml", "text/html": ".html",
               "text/plain": ".txt", "text/markdown": ".md",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}


def file_name(path: str, media_type: str | None) -> str:
    """The name a document's original is saved under: the last part of its path or URL, with the
    extension its media type implies where it has none (a harvested meeting's URL ends in its id)."""
    if "://" in path:
        path = path.split("?", 1)[0].split("#", 1)[0]
    name = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or "dokument"
    ext = _EXTENSIONS.get((media_type or "").split(";", 1)[0].strip(), "")
    return name if "." in name or not ext else name + ext


_MEETING_SOURCE = "m.kind AS meeting_kind, m.source_system, m.source_url, m.source_id"


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


def _source(r: Any) -> dict[str, Any] | None:
    """The meeting's source as the record has it ({system, url, id}), None for a plain file."""
    if r["source_system"] is None:
        return None
    return {"system": r["source_system"], "url": r["source_url"], "id": r["source_id"]}


def relink(conn: Connection, meetings: Any = None) -> int:
    """referat.link.relink, imported when first needed: referat.link loads the parser, which a process
    that only searches (`referat search`, a web worker starting) does not need."""
    from referat.link import relink as linker

    return linker(conn, meetings)


@lru_cache(maxsize=1)
def _head_revision() -> str | None:
    """The newest migration's revision id: the one no other migration names as its down_revision
    (None when that is not exactly one: then alembic decides)."""
    revisions: dict[str, str | None] = {}
    for f in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(re.findall(r'^(revision|down_revision) = "?([^"\n]*?)"?$', f.read_text(encoding="utf-8"), re.M))
        if "revision" in found:
            revisions[found["revision"]] = found.get("down_revision")
    heads = set(revisions) - set(revisions.values())
    return heads.pop() if len(heads) == 1 else None


def _index_path(engine: Engine) -> str | None:
    """The search index's folder: beside the SQLite file (referat.db -> referat.db.tantivy). A database
    that is not a file (PostgreSQL, SQLite in memory) keeps it in $REFERAT_INDEX if set, and otherwise
    in memory, rebuilt from the database on every open."""
    db = engine.url.database
    if engine.dialect.name != "sqlite" or not db or db == ":memory:" or db.startswith("file:"):
        return os.environ.get("REFERAT_INDEX") or None
    return str(Path(db).resolve()) + ".tantivy"


def _index_docs(rows: Rows, pks: list[int]) -> list[dict[str, Any]]:
    """The search index's documents for a document's items: texts, filter and facet values, and the
    people named on each item (its meeting's participants, absences, substitutes and votes)."""
    people: list[set[str]] = [{p["person_id"] for p in rows.participants} for _ in rows.items]
    for table in ("attendance", "votes"):
        for c in rows.children.get(table, ()):
            people[c["item"]].update(p for p in (c.get("person_id"), c.get("for_person_id")) if p)
    return [{"pk": pk, "title": f["title"], "decision": f["decision"], "recommendation": f["recommendation"],
             "body": f["body"], "body_id": it["body_id"], "kind": it["decision_kind"], "case": it["case_number"],
             "year": it["year"], "date": it["date"], "persons": people[i]}
            for i, (f, it, pk) in enumerate(zip(rows.fts, rows.items, pks))]


@dataclass
class _Pending:
    """One batch's rows waiting to be written (PostgreSQL): by (table, insert-or-ignore), the item pks
    for the change log, the next item pk, and the keys (document, path, meeting) the rows hold."""

    rows: dict[tuple[str, bool], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    changes: list[int] = field(default_factory=list)
    next_pk: int | None = None
    keys: set[tuple[str, str]] = field(default_factory=set)


def _item_ids(conn: Connection, pks: list[int]) -> dict[int, str]:
    """Item ids by pk, read in chunks of bound parameters."""
    out: dict[int, str] = {}
    for at in range(0, len(pks), 500):
        part = pks[at:at + 500]
        out.update(run(conn, f"SELECT pk, id FROM items WHERE pk IN ({', '.join('?' * len(part))})", tuple(part)).all())
    return out


def _leave_at_exit(ref: weakref.ref[Archive]) -> None:
    archive = ref()
    if archive is not None:
        archive._leave()


_grown = 0  # items this process wrote since its last ANALYZE (PostgreSQL)


def _analyze_grown(conn: Connection, added: int) -> None:
    """PostgreSQL: refresh the planner's statistics of the tables a search reads once this process has
    added a tenth of their rows. Right after a bulk ingest autovacuum has not yet looked (it does every
    minute): a search then paid 13 ms instead of 1 for its snippets at 10,000 items (a sequential scan
    of sections, planned for an empty table), and far more at a million."""
    global _grown
    _grown += added
    if _grown < 1000:
        return
    rows = conn.exec_driver_sql("SELECT coalesce(max(reltuples), 0) FROM pg_class WHERE relname = 'items'").scalar_one()
    if _grown >= 0.1 * max(float(rows), 0.0):
        conn.exec_driver_sql("ANALYZE items, sections")
        _grown = 0


def _log_changes(conn: Connection, pks: Sequence[int]) -> None:
    """Append changed (added or deleted) item pks to the change log, in the writer's transaction (which
    prunes it now and then: referat.store.indexlog)."""
    indexlog.append(conn, pks)


def _stored_docs(conn: Connection, cond: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    """The search index's documents for the stored items whose pk meets `cond` (a fixed fragment:
    "BETWEEN ? AND ?" or "= ANY(?)" on PostgreSQL), read from the database as they are now."""
    items = run(conn, "SELECT pk, title, decision, decision_kind, case_number, body_id, date, year, meeting_id "
                      f"FROM items WHERE pk {cond}", params).all()
    if not items:
        return []
    body: dict[int, list[str]] = defaultdict(list)
    for pk, heading, txt in run(conn, f"SELECT item_pk, heading, text FROM sections WHERE item_pk {cond} "
                                      "ORDER BY item_pk, ord", params):
        if is_body_section(heading):
            body[pk].append(txt)
    rec: dict[int, list[str]] = defaultdict(list)
    for pk, txt in run(conn, f"SELECT item_pk, text FROM item_lists WHERE kind = 'recommendation' AND item_pk {cond} "
                             "ORDER BY item_pk, ord", params):
        rec[pk].append(txt)
    persons: dict[Any, set[str]] = defaultdict(set)
    for pk, a, b in run(conn, f"SELECT item_pk, person_id, for_person_id FROM attendance WHERE item_pk {cond} "
                              f"UNION ALL SELECT item_pk, person_id, NULL FROM votes WHERE item_pk {cond}",
                        params + params):
        persons[pk].update(p for p in (a, b) if p)
    for meeting, person in run(conn, "SELECT meeting_id, person_id FROM participants WHERE meeting_id IN "
                                     f"(SELECT meeting_id FROM items WHERE pk {cond})", params):
        persons[meeting].add(person)
    return [{"pk": pk, "title": title, "decision": decision or "", "recommendation": "\n".join(rec[pk]),
             "body": "\n".join(body[pk]), "body_id": body_id, "kind": kind, "case": case, "year": year,
             "date": date, "persons": persons[pk] | persons[meeting]}
            for pk, title, decision, kind, case, body_id, date, year, meeting in items]


COPY_FROM = 50  # rows from which PostgreSQL inserts by COPY


def _put(conn: Connection, table: Table, values: list[dict[str, Any]], ignore: bool = False) -> None:
    """INSERT rows (dicts keyed by column name; other keys ignored) into a schema table; with ignore,
    rows whose key is stored already are skipped."""
    if not values:
        return
    d = sql_for(conn)
    cols = [c.name for c in table.columns]
    head, tail = (d.insert_ignore, d.ignore_tail) if ignore else ("INSERT INTO", "")
    statement = f"{head} {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}){tail}"
    if d.qmark:  # SQLite keeps dates as ISO text; PostgreSQL's DATE takes them as they are
        run(conn, statement, [tuple(_sql_value(v.get(c)) for c in cols) for v in values])
    elif not ignore and len(values) >= COPY_FROM:
        # PostgreSQL: COPY streams the rows in one statement (3-4x faster than a pipelined executemany)
        with conn.connection.driver_connection.cursor() as cur, \
                cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
            for v in values:
                copy.write_row(tuple(v.get(c) for c in cols))
    else:
        run(conn, statement, [tuple(v.get(c) for c in cols) for v in values])


def _sql_value(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def _date(v: Any) -> dt.date | None:
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])



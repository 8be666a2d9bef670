"""The archive: one Python API over the database. The CLI, JSON API and web pages call this.

SQLite (one file, embedded) is the default; a PostgreSQL URL works too (referat.dialect holds the SQL
that differs). Every document is written in one transaction, with the links it changes: it is stored
whole and linked, or not at all (a crash never leaves it unlinked). Queries are built from fixed SQL
fragments with bound parameters; no text from a document or a query is ever pasted into SQL.

This module opens the archive and writes to it; `Archive` inherits the rest, one job per module:
reading it back (referat.store.reading), searching it (referat.store.searching) and keeping the search
index in step with the database (referat.store.upkeep).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, Table, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.engine import Connection

from referat.cases import load_kle
from referat.errors import NotFoundError, UnsupportedDatabaseError
from referat.store import changes, guard, schema, superseded, tombstones
from referat.dialect import DIALECTS, lock_for_writing, run, sql_for, unsupported
from referat.store.browse import as_date
from referat.store.reading import Reading
from referat.store.rows import Rows
from referat.store.upkeep import analyze_grown, index_docs, index_path, log_changes

DEFAULT_DB = "referat.db"
MIGRATIONS = Path(__file__).parent / "migrations"
_T = TypeVar("_T")


def default_db() -> str:
    return os.environ.get("REFERAT_DB", DEFAULT_DB)


def shown(db: str) -> str:
    """The database as messages name it: a file's path as given, a URL without its password."""
    return guard.shown(db)


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


class Archive(Reading):
    """An archive of ingested minutes in one database. Opening and writing are here; reading,
    search and the search index's upkeep are inherited (Reading, Searching, IndexUpkeep)."""

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
        self.search_index = self._new_index(index_path(self.engine))
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
        return {r["source_id"]: {**dict(r), "meeting_date": as_date(r["meeting_date"]), "finished": bool(r["finished"])}
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
        log_changes(conn, pending.changes)
        analyze_grown(conn, len(pending.rows.get(("items", False), ())))
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
        graves = self._graves[1] if self._graves is not None and self._graves[0] is conn else None
        held = None  # what this document carries: worked out only when tombstones are written or may exist
        if gone[0]:
            if self._pending is not None:  # a Paper is gone only if no stored item carries its case
                self._flush(conn)
            held = tombstones.now_held(rows, rows.body.get("municipality"))
            graves = bool(tombstones.record(conn, gone, held, at)) or graves
        if graves is None:
            graves = tombstones.exist(conn)
        if graves:
            tombstones.revive(conn, held or tombstones.now_held(rows, rows.body.get("municipality")))
        self._graves = (conn, graves)

    def _delete_document(self, conn: Connection, doc_id: str) -> None:
        pks = [r[0] for r in conn.execute(
            text("SELECT i.pk FROM items i JOIN meetings m ON m.id = i.meeting_id WHERE m.document_id = :d"),
            {"d": doc_id})]
        if self._pending is not None:
            self._pending.changes.extend(pks)
        elif self._logged:
            log_changes(conn, pks)
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
                log_changes(conn, pks)
            else:
                self.search_index.add(index_docs(rows, pks))
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

    def load_kle(self, path: str | Path) -> int:
        """Load the user's KLE titles (KL's XML or a code;title CSV); returns how many codes."""
        titles = load_kle(Path(path))
        with self.engine.begin() as conn:
            if titles:
                run(conn, "INSERT INTO kle (code, title) VALUES (?, ?) "
                          "ON CONFLICT (code) DO UPDATE SET title = excluded.title", list(titles.items()))
        return len(titles)


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


@dataclass
class _Pending:
    """One batch's rows waiting to be written (PostgreSQL): by (table, insert-or-ignore), the item pks
    for the change log, the next item pk, and the keys (document, path, meeting) the rows hold."""

    rows: dict[tuple[str, bool], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    changes: list[int] = field(default_factory=list)
    next_pk: int | None = None
    keys: set[tuple[str, str]] = field(default_factory=set)


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

"""Keeping the search index in step with the database: rebuilding it, and on PostgreSQL bringing this
process's index up to date from the change log (referat.store.indexlog) before a search.

`IndexUpkeep` is a base of `Archive` (referat.store.archive); it needs from the Archive the attributes
its __init__ sets: `engine`, `_reads`, `search_index`, `_logged`, `_applied`, `_reader`, `_seen` and
`_catching`. The module functions build the index's documents; the writing path uses them too.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tantivy
from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from referat.dialect import lock_for_writing, run
from referat.store import indexlog
from referat.store.index import IndexBusyError, SearchIndex
from referat.store.rows import Rows, is_body_section


class IndexUpkeep:
    """The search index's upkeep (see the module docstring for what it needs from the Archive)."""

    engine: Engine
    _reads: Engine
    search_index: SearchIndex
    _logged: bool
    _applied: int | None
    _reader: str | None
    _seen: float
    _catching: threading.Lock

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



def index_path(engine: Engine) -> str | None:
    """The search index's folder: beside the SQLite file (referat.db -> referat.db.tantivy). A database
    that is not a file (PostgreSQL, SQLite in memory) keeps it in $REFERAT_INDEX if set, and otherwise
    in memory, rebuilt from the database on every open."""
    db = engine.url.database
    if engine.dialect.name != "sqlite" or not db or db == ":memory:" or db.startswith("file:"):
        return os.environ.get("REFERAT_INDEX") or None
    return str(Path(db).resolve()) + ".tantivy"


def index_docs(rows: Rows, pks: list[int]) -> list[dict[str, Any]]:
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


def _leave_at_exit(ref: weakref.ref[IndexUpkeep]) -> None:
    archive = ref()
    if archive is not None:
        archive._leave()


_grown = 0  # items this process wrote since its last ANALYZE (PostgreSQL)


def analyze_grown(conn: Connection, added: int) -> None:
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


def log_changes(conn: Connection, pks: Sequence[int]) -> None:
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



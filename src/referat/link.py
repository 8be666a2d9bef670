"""The linker: earlier treatments ("Relateret behandling") and planned next ones ("Kommende
behandlingsforløb") resolved to the archived meetings and items they name.

Two parts. Pure helpers run at ingest (store/rows.py) and keep on each treatment what resolving needs:
the body name reduced for matching, the date (its year inferred when printed without one) and every
item number. The stage `relink` then recomputes the links of exactly the treatments a change can affect,
from the archive's contents alone, so the links never depend on the order documents arrived in.

Rules, each tested on the real minutes:
- related: the meeting of that body (same municipality) on that date, minutes before agenda; then the
  item with that number ("punkt 1 og 8" gives two links), or, with no number, the item of the same case
  in that meeting, or the meeting alone;
- upcoming: the first later item of the same case in a meeting of that body.
A treatment whose target is not archived gets no link row and stays visible as unresolved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection

from referat import vocab
from referat.danish import NUMERIC_DATE, whole_number
from referat.parse.text import squash
from referat.dialect import Sql, analyze_temporary, run, sql_for

_REFERENCE = vocab.REFERENCE.compile(0)
_NUMBER_SPLIT = vocab.REFERENCE_MORE_SPLIT.compile()


def reference_numbers(raw: str | None, first: int | None) -> list[int]:
    """Every item number of a reference: "punkt 1 og 8" -> [1, 8]; "pkt. 9, 10 og 11" -> [9, 10, 11]."""
    m = _REFERENCE.match(squash(raw or ""))
    if not m or not m.group("item"):
        return [first] if first is not None else []
    parts = (whole_number(part.strip()) for part in _NUMBER_SPLIT.split(m.group("more") or ""))
    more = [n for n in parts if n is not None]
    return [int(m.group("item")), *more]


def infer_date(raw: str | None, date: dt.date | None, meeting_date: dt.date | None) -> dt.date | None:
    """The reference's date; printed without a year ("05.10, punkt 3") it is the last such day on or
    before the meeting that cites it (a reference looks back)."""
    if date is not None:
        return date
    m = _REFERENCE.match(squash(raw or ""))
    d = NUMERIC_DATE.fullmatch(m.group("date")) if m else None
    if d is None or meeting_date is None:
        return None
    for year in (meeting_date.year, meeting_date.year - 1):
        try:
            candidate = dt.date(year, int(d.group(2)), int(d.group(1)))
        except ValueError:
            continue
        if candidate <= meeting_date:
            return candidate
    return None


@dataclass(frozen=True, slots=True)
class Link:
    """One resolved target of a treatment."""

    item_pk: int
    direction: str
    ord: int
    sub: int
    target_meeting_id: str
    target_item_id: str | None


class _Resolver:
    """Indexed lookups with memos: one linking run asks the same meeting many times."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._meetings: dict[tuple[Any, ...], str | None] = {}
        self._items: dict[str, list[tuple[int, str, str | None]]] = {}
        self._complete = False  # True when prefetch() answered every meeting this run will ask for

    def prefetch(self) -> None:
        """Every meeting the affected references cite, with its items, in one query: one indexed
        lookup per reference from Python costs more than the whole set-based join."""
        for muni, body_key, date, meeting, number, item, key in self.conn.exec_driver_sql(_cited(sql_for(self.conn))):
            self._meetings.setdefault((muni, body_key, date), meeting)
            if self._meetings[(muni, body_key, date)] == meeting and item is not None:
                self._items.setdefault(meeting, []).append((number, item, key))
        for meeting in set(self._meetings.values()) - {None}:
            self._items.setdefault(meeting, [])  # a cited meeting without items
        self._complete = True

    def meeting(self, municipality: str | None, body_key: str, date: Any) -> str | None:
        key = (municipality, body_key, date)
        if self._complete:
            return self._meetings.get(key)
        if key not in self._meetings:
            if len(self._meetings) > 200_000:
                self._meetings.clear()
            row = run(
                self.conn, "SELECT m.id FROM bodies b JOIN meetings m ON m.body_id = b.id WHERE b.key = ? AND "
                f"b.municipality {sql_for(self.conn).same} ? AND m.date = ? ORDER BY m.kind = 'agenda', m.id LIMIT 1",
                (body_key, municipality, date)).first()
            self._meetings[key] = row[0] if row else None
        return self._meetings[key]

    def items(self, meeting_id: str) -> list[tuple[int, str, str | None]]:
        """(number, id, case key) of a meeting's items, in printed order."""
        if meeting_id not in self._items:
            if len(self._items) > 50_000:
                self._items.clear()
            self._items[meeting_id] = [tuple(r) for r in run(  # type: ignore[misc]
                self.conn, "SELECT number, id, case_key FROM items WHERE meeting_id = ? ORDER BY pk", (meeting_id,))]
        return self._items[meeting_id]

    def next_treatment(self, t: Any) -> tuple[str, str] | None:
        """(meeting id, item id) of the first later item of the same case in a meeting of that body."""
        row = run(
            self.conn, "SELECT i.meeting_id, i.id FROM items i JOIN bodies b ON b.id = i.body_id WHERE i.case_key = ? "
            f"AND b.key = ? AND b.municipality {sql_for(self.conn).same} ? AND i.date >= ? "
            "AND (i.date > ? OR i.body_id != ?) ORDER BY i.date, i.pk LIMIT 1",
            (t.case_key, t.body_key, t.municipality, t.src_date, t.src_date, t.src_body)).first()
        return (row[0], row[1]) if row else None


def _resolve(r: _Resolver, t: Any) -> Iterator[Link]:
    if t.direction == "upcoming":
        if t.case_key and t.src_date is not None and t.body_key:
            found = r.next_treatment(t)
            if found:
                yield Link(t.item_pk, t.direction, t.ord, 0, found[0], found[1])
        return
    if not t.body_key or t.target_date is None:
        return
    meeting = r.meeting(t.municipality, t.body_key, t.target_date)
    if meeting is None:
        return
    numbers = [int(n) for n in (t.item_numbers or "").split(",") if n]
    items = r.items(meeting)
    if not numbers:
        same_case = [i for _, i, key in items if t.case_key and key == t.case_key]
        yield Link(t.item_pk, t.direction, t.ord, 0, meeting, same_case[0] if same_case else None)
        return
    for sub, n in enumerate(numbers):
        target = next((i for number, i, _ in items if number == n), None)
        yield Link(t.item_pk, t.direction, t.ord, sub, meeting, target)


_TREATMENTS = (
    "SELECT t.item_pk, t.direction, t.ord, t.body_key, t.target_date, t.item_numbers, i.case_key, "
    "i.date AS src_date, i.body_id AS src_body, b.municipality FROM treatments t "
    "JOIN items i ON i.pk = t.item_pk JOIN bodies b ON b.id = i.body_id")

@lru_cache(maxsize=4)
def _affected(d: Sql) -> tuple[str, ...]:
    """The treatments whose links a change to the meetings in link_scope can alter: those of their items,
    those naming their body and date, the upcoming ones of the cases they treat, and those linked to them."""
    into, tail = f"{d.insert_ignore} link_affected", d.ignore_tail
    return (
        f"{into} SELECT t.item_pk, t.direction, t.ord FROM treatments t "
        f"JOIN items i ON i.pk = t.item_pk WHERE i.meeting_id IN (SELECT id FROM link_scope){tail}",
        # CROSS JOIN: drive from the few scoped meetings (SQLite otherwise scans every meeting)
        f"{into} SELECT t.item_pk, t.direction, t.ord FROM link_scope s "
        f"{d.cross_join} meetings m ON m.id = s.id JOIN bodies b ON b.id = m.body_id "
        f"JOIN treatments t ON t.body_key = b.key AND t.target_date = m.date{tail}",
        f"{into} SELECT t.item_pk, t.direction, t.ord FROM items s "
        "JOIN items i ON i.case_key = s.case_key JOIN treatments t ON t.item_pk = i.pk AND t.direction = 'upcoming' "
        f"WHERE s.meeting_id IN (SELECT id FROM link_scope) AND s.case_key IS NOT NULL{tail}",
        f"{into} SELECT l.item_pk, l.direction, l.ord FROM links l "
        f"WHERE l.target_meeting_id IN (SELECT id FROM link_scope){tail}",
    )


@lru_cache(maxsize=4)
def _cited(d: Sql) -> str:
    """The meetings (minutes before agenda) and items cited by the affected related treatments. On SQLite,
    CROSS JOIN fixes the order: from the few affected treatments outwards, each step by an index."""
    cross = d.cross_join
    return (
        "SELECT sb.municipality, t.body_key, t.target_date, m.id, ti.number, ti.id, ti.case_key "
        f"FROM link_affected a {cross} treatments t ON t.item_pk = a.item_pk AND t.direction = a.direction "
        f"AND t.ord = a.ord {cross} items i ON i.pk = t.item_pk {cross} bodies sb ON sb.id = i.body_id "
        f"{cross} bodies b ON b.municipality {d.same} sb.municipality AND b.key = t.body_key "
        f"{cross} meetings m ON m.body_id = b.id AND m.date = t.target_date "
        f"LEFT JOIN items ti {d.indexed_by('ix_items_meeting')} ON ti.meeting_id = m.id "
        "WHERE a.direction = 'related' ORDER BY m.kind = 'agenda', m.id, ti.pk")


def relink(conn: Connection, meetings: Collection[str] | None = None) -> int:
    """Recompute links: of the whole archive (meetings None), or of every treatment that a change to
    these meetings (new, replaced or deleted ones) can affect. Returns the number of link rows written."""
    if meetings is None:
        conn.exec_driver_sql("DELETE FROM links")
        rows = conn.exec_driver_sql(_TREATMENTS)
    else:
        if not meetings:
            return 0
        conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS link_scope (id TEXT PRIMARY KEY)")
        conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS link_affected "
                             "(item_pk INTEGER, direction TEXT, ord INTEGER, PRIMARY KEY (item_pk, direction, ord))")
        conn.exec_driver_sql("DELETE FROM link_scope")
        conn.exec_driver_sql("DELETE FROM link_affected")
        d = sql_for(conn)
        run(conn, f"{d.insert_ignore} link_scope VALUES (?){d.ignore_tail}", [(m,) for m in meetings])
        analyze_temporary(conn, "link_scope")
        for statement in _affected(d):
            conn.exec_driver_sql(statement)
        analyze_temporary(conn, "link_affected")
        conn.exec_driver_sql("DELETE FROM links WHERE (item_pk, direction, ord) IN (SELECT * FROM link_affected)")
        rows = conn.exec_driver_sql(_TREATMENTS + " WHERE (t.item_pk, t.direction, t.ord) IN "
                                    "(SELECT * FROM link_affected)")
    resolver = _Resolver(conn)
    if meetings is not None:
        resolver.prefetch()
    written = 0
    batch: list[tuple[Any, ...]] = []
    # streamed: SQLite lets the resolver's lookups and the inserts run while this cursor is open (psycopg
    # has read the rows already)
    for part in rows.partitions(5_000):
        for t in part:
            batch.extend((x.item_pk, x.direction, x.ord, x.sub, x.target_meeting_id, x.target_item_id)
                         for x in _resolve(resolver, t))
        if len(batch) >= 10_000:
            written += _write(conn, batch)
    return written + _write(conn, batch)


def _write(conn: Connection, batch: list[tuple[Any, ...]]) -> int:
    if batch:
        run(conn, "INSERT INTO links (item_pk, direction, ord, sub, target_meeting_id, target_item_id) "
                  "VALUES (?, ?, ?, ?, ?, ?)", batch)
    n = len(batch)
    batch.clear()
    return n

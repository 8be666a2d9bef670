"""Paged lists over the archive (meetings, bodies, people, cases, documents) and the numbers behind
the charts. Plain data out; every list is ordered by a stable key so that paging never skips or
repeats a row.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.engine import Connection

from referat.danish import parse_number, whole_number
from referat.dialect import run, sql_for
from referat.errors import NotFoundError


def printed(label: str | None) -> int | str | None:
    """An item's number as printed, from its stored label: an integer where it is one ("3" -> 3), else
    the label as printed ("1.1", "38a"), as in the parse record."""
    if label is None:
        return None
    number = whole_number(label)
    return number if number is not None and label == str(number) else label


def iso(v: Any) -> str | None:
    if v is None:
        return None
    return v.isoformat() if isinstance(v, dt.date) else str(v)[:10]


def as_date(v: Any) -> dt.date | None:
    """A stored date as a date: PostgreSQL returns one, SQLite its ISO text."""
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def meetings(conn: Connection, *, body_id: str | None = None, municipality: str | None = None,
             year: int | None = None, limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """(total, page) of meetings, newest first."""
    where, params = [], []
    if body_id:
        where.append("m.body_id = ?")
        params.append(body_id)
    if municipality:
        where.append("b.municipality = ?")
        params.append(municipality)
    if year:
        where.append("m.date >= ? AND m.date < ?")
        params += [f"{year:04d}-01-01", f"{year + 1:04d}-01-01"]
    cond = (" WHERE " + " AND ".join(where)) if where else ""
    base = " FROM meetings m JOIN bodies b ON b.id = m.body_id JOIN documents d ON d.id = m.document_id" + cond
    total = run(conn, "SELECT count(*)" + base, tuple(params)).scalar_one()
    rows = run(
        conn, "SELECT m.id, m.date, m.start_time, m.kind, m.location, m.body_id, b.name AS committee, b.municipality, "
        "m.document_id, d.ingested_at, (SELECT count(*) FROM items i WHERE i.meeting_id = m.id) AS items"
        + base + f" ORDER BY {sql_for(conn).desc('m.date')}, m.id LIMIT ? OFFSET ?",
        (*params, limit, offset)).mappings().all()
    return total, [{**dict(r), "date": iso(r["date"])} for r in rows]


def bodies(conn: Connection, municipality: Any = ...) -> list[dict[str, Any]]:
    """Every committee and council with its number of meetings and its first and last meeting date; with
    a municipality (None: the bodies whose municipality is unknown), only its own. A body with no meeting
    (a replace took its last away) is none: OParl serves it as deleted."""
    sql = ("SELECT b.id, b.name, b.municipality, count(m.id) AS meetings, min(m.date) AS first, max(m.date) AS last, "
           "min(d.ingested_at) AS created, max(d.ingested_at) AS modified FROM bodies b "
           "JOIN meetings m ON m.body_id = b.id JOIN documents d ON d.id = m.document_id")
    params: tuple[Any, ...] = ()
    if municipality is not ...:
        sql += f" WHERE b.municipality {sql_for(conn).same} ?"
        params = (municipality,)
    rows = run(conn, sql + f" GROUP BY b.id ORDER BY {sql_for(conn).asc('b.municipality')}, b.name, b.id",
               params).mappings().all()
    return [{**dict(r), "first": iso(r["first"]), "last": iso(r["last"])} for r in rows]


def municipalities(conn: Connection) -> list[dict[str, Any]]:
    """Each municipality (None when documents did not name one) with its election periods."""
    q = sql_for(conn)
    rows = run(
        conn, "SELECT b.municipality, min(d.ingested_at) AS created, max(d.ingested_at) AS modified, "
        f"{q.concat_distinct('m.election_period')} AS periods FROM bodies b JOIN meetings m ON m.body_id = b.id "
        f"JOIN documents d ON d.id = m.document_id GROUP BY b.municipality ORDER BY {q.asc('b.municipality')}"
    ).mappings().all()
    return [{"municipality": r["municipality"], "created": r["created"], "modified": r["modified"],
             "election_periods": sorted(p for p in (r["periods"] or "").split(",") if p)} for r in rows]


def people(conn: Connection, *, municipality: Any = ..., query: str | None = None, limit: int = 50,
           offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """(total, page) of people ordered by id; with a municipality, those taking part in its meetings;
    with a query, those whose name contains it (case ignored, æ/ø/å kept)."""
    sql = "SELECT p.id, p.name FROM people p"
    params: list[Any] = []
    if municipality is not ...:
        same = sql_for(conn).same
        sql += (" WHERE p.id IN (SELECT person_id FROM participants pa JOIN meetings m ON m.id = pa.meeting_id "
                f"JOIN bodies b ON b.id = m.body_id WHERE b.municipality {same} ? UNION SELECT a.person_id FROM "
                f"attendance a JOIN items i ON i.pk = a.item_pk JOIN bodies b ON b.id = i.body_id WHERE b.municipality "
                f"{same} ? UNION SELECT v.person_id FROM votes v JOIN items i ON i.pk = v.item_pk JOIN bodies b ON "
                f"b.id = i.body_id WHERE b.municipality {same} ?)")
        params += [municipality] * 3
    rows = [dict(r) for r in run(conn, sql + " ORDER BY p.id", tuple(params)).mappings()]
    if query:
        wanted = query.casefold()
        rows = [r for r in rows if wanted in r["name"].casefold()]  # Python casefold: SQLite's folds ASCII only
    return len(rows), rows[offset:offset + limit]


def home_municipalities(conn: Connection) -> dict[str, str | None]:
    """Each person's one municipality (OParl's Person.body): that of the first body (by id) whose meetings
    they took part in; for someone never listed as a participant, of the first body whose items name them
    (absent, substitute, voter, presenter). A person of two municipalities is listed by one of them."""
    home = {b: m for b, m in run(conn, "SELECT id, municipality FROM bodies")}
    out: dict[str, str | None] = {}
    for pid, body in run(conn, "SELECT x.person_id, min(i.body_id) FROM (SELECT item_pk, person_id FROM attendance "
                               "UNION ALL SELECT item_pk, for_person_id FROM attendance WHERE for_person_id IS NOT NULL "
                               "UNION ALL SELECT item_pk, person_id FROM votes UNION ALL SELECT item_pk, person_id FROM "
                               "presenters) x JOIN items i ON i.pk = x.item_pk GROUP BY x.person_id"):
        out[pid] = home.get(body)
    for pid, body in run(conn, "SELECT pa.person_id, min(m.body_id) FROM participants pa JOIN meetings m "
                               "ON m.id = pa.meeting_id GROUP BY pa.person_id"):
        out[pid] = home.get(body)  # participation decides over any other mention
    return out


def memberships(conn: Connection, municipality: Any = ...) -> list[dict[str, Any]]:
    """Membership of a person in a body, from participant lists: party, first and last meeting."""
    q = sql_for(conn)
    sql = (f"SELECT pa.person_id, m.body_id, {q.any_value('b.municipality')} AS municipality, "
           f"{q.any_value('pa.party')} AS party, min(m.date) AS first, max(m.date) AS last, "
           "count(DISTINCT m.id) AS meetings, min(d.ingested_at) AS created, max(d.ingested_at) AS modified "
           "FROM participants pa JOIN meetings m "
           "ON m.id = pa.meeting_id JOIN bodies b ON b.id = m.body_id JOIN documents d ON d.id = m.document_id")
    params: tuple[Any, ...] = ()
    if municipality is not ...:
        sql += f" WHERE b.municipality {q.same} ?"
        params = (municipality,)
    rows = run(conn, sql + " GROUP BY pa.person_id, m.body_id ORDER BY pa.person_id, m.body_id",
               params).mappings().all()
    return [{**dict(r), "first": iso(r["first"]), "last": iso(r["last"])} for r in rows]


def cases(conn: Connection, municipality: Any = ..., limit: int = 50, offset: int = 0
          ) -> tuple[int, list[dict[str, Any]]]:
    """(total, page) of cases (a municipality's items sharing a case key), ordered by key."""
    where, params = "i.case_key IS NOT NULL", []
    if municipality is not ...:
        where += f" AND b.municipality {sql_for(conn).same} ?"
        params.append(municipality)
    base = f" FROM items i JOIN bodies b ON b.id = i.body_id WHERE {where}"
    total = run(conn, "SELECT count(*) FROM (SELECT 1" + base + " GROUP BY b.municipality, i.case_key) AS c",
                tuple(params)).scalar_one()
    rows = run(
        conn, "SELECT b.municipality, i.case_key, min(i.case_number) AS case_number, min(i.date) AS first, "
        "count(*) AS items" + base + " GROUP BY b.municipality, i.case_key "
        f"ORDER BY i.case_key, {sql_for(conn).asc('b.municipality')} "
        "LIMIT ? OFFSET ?", (*params, limit, offset)).mappings().all()
    return total, [{**dict(r), "first": iso(r["first"])} for r in rows]


def document(conn: Connection, doc_id: str) -> dict[str, Any]:
    """A source document: provenance and the original text, verbatim."""
    r = run(conn, "SELECT id, path, format, encoding, size, text, ingested_at FROM documents WHERE id = ?",
            (doc_id,)).mappings().first()
    if r is None:
        raise NotFoundError(f"no document with id '{doc_id}'")
    meetings_of = [m[0] for m in run(conn, "SELECT id FROM meetings WHERE document_id = ?", (doc_id,))]
    warnings = [dict(w) for w in run(
        conn, f"SELECT line, message FROM warnings WHERE document_id = ? ORDER BY {sql_for(conn).rowid}",
        (doc_id,)).mappings()]
    return {**dict(r), "meetings": meetings_of, "warnings": warnings}


def decisions_by_year(conn: Connection, body_id: str | None = None) -> dict[str, dict[str, int]]:
    """year -> decision kind -> items: how a committee (or the archive) decided, year by year."""
    sql = "SELECT year, coalesce(decision_kind, 'none'), count(*) FROM items WHERE year IS NOT NULL"
    params: tuple[Any, ...] = ()
    if body_id:
        sql += " AND body_id = ?"
        params = (body_id,)
    out: dict[str, dict[str, int]] = {}
    for year, kind, n in run(conn, sql + " GROUP BY year, decision_kind ORDER BY year", params):
        out.setdefault(str(year), {})[kind] = n
    return out


def table_series(conn: Connection, item_ids: list[str]) -> dict[str, Any]:
    """Budget tables of a thread of items as series over their meetings: for each row label, the row's
    numbers (Danish notation read exactly) per meeting date. Only numeric rows are kept."""
    if not item_ids:
        return {"dates": [], "columns": [], "series": {}}
    marks = ", ".join("?" * len(item_ids))
    rows = run(
        conn, f"SELECT i.date, t.header_json, t.rows_json FROM item_tables t JOIN items i ON i.pk = t.item_pk "
        f"WHERE i.id IN ({marks}) ORDER BY {sql_for(conn).asc('i.date')}, t.item_pk, t.ord", tuple(item_ids)).all()
    dates: list[str] = []
    series: dict[str, dict[str, float]] = {}
    columns: list[str] = []
    for date, header_json, rows_json in rows:
        day = iso(date) or "?"
        header = json.loads(header_json)
        for row in json.loads(rows_json):
            if len(row) < 2:
                continue
            value = parse_number(row[1].strip())
            if value is None:
                continue
            if not columns and len(header) > 1:
                columns = [header[1]]
            series.setdefault(row[0], {})[day] = value
            if day not in dates:
                dates.append(day)
    return {"dates": dates, "columns": columns, "series": series}

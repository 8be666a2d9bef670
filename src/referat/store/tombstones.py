"""OParl tombstones (schema.oparl_deleted): which OParl objects a replaced document took away.

OParl 1.1 asks a server to keep serving a deleted object, with `deleted: true`, and to list it to
clients that synchronise with modified_since, so that they learn of the deletion. referat's OParl objects
are read from the stored documents (referat.oparl), so when a newer version replaces a document, the
objects only the old one carried vanish: its File always, the Meeting when the new version has another
meeting id, AgendaItems and Consultations it no longer holds, the Location of a meeting without one now,
and a Paper (case) no item carries any more. `before` reads them from the old documents before they are
deleted, `record` writes the ones the new document does not bring back, in the same transaction, and
drops tombstones of objects that exist again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from referat.dialect import run, sql_for
from referat.names import stable_id
from referat.store.rows import Rows

KINDS = ("file", "meeting", "location", "agendaitem", "consultation", "paper")
Objects = dict[tuple[str, str], tuple[str, str]]  # (kind, object id) -> (body id, created)


def municipality_id(name: str | None) -> str:
    """The OParl Body id of a municipality (None: the archive's unknown municipality)."""
    return stable_id("municipality", (name or "").casefold())


def paper_id(municipality: str | None, key: str) -> str:
    """A Paper's id as its URL carries it: body id / case key."""
    return f"{municipality_id(municipality)}/{key}"


def before(conn: Connection, doc_ids: set[str]) -> tuple[Objects, dict[str, str | None]]:
    """The OParl objects of these documents, and the municipality of each of their case keys."""
    out: Objects = {}
    cases: dict[str, str | None] = {}
    if not doc_ids:
        return out, cases
    marks = ", ".join("?" * len(doc_ids))
    docs = tuple(sorted(doc_ids))
    for doc, meeting, location, muni, at in run(
            conn, "SELECT d.id, m.id, m.location, b.municipality, d.ingested_at FROM documents d "
                  "JOIN meetings m ON m.document_id = d.id JOIN bodies b ON b.id = m.body_id "
                  f"WHERE d.id IN ({marks})", docs):
        body = municipality_id(muni)
        out[("file", doc)] = out[("meeting", meeting)] = (body, at)
        if location is not None:
            out[("location", meeting)] = (body, at)
    for item, key, muni, at in run(
            conn, "SELECT i.id, i.case_key, b.municipality, d.ingested_at FROM items i JOIN bodies b ON b.id = i.body_id "
                  "JOIN meetings m ON m.id = i.meeting_id JOIN documents d ON d.id = m.document_id "
                  f"WHERE d.id IN ({marks})", docs):
        body = municipality_id(muni)
        out[("agendaitem", item)] = (body, at)
        if key:
            out[("consultation", item)] = (body, at)
            paper = ("paper", paper_id(muni, key))
            out[paper] = (body, min(at, out.get(paper, (body, at))[1]))
            cases[paper[1]] = muni
    return out, cases


def now_held(rows: Rows, municipality: str | None) -> set[tuple[str, str]]:
    """The OParl objects a stored document carries."""
    meeting = rows.meeting["id"]
    held = {("file", rows.document["id"]), ("meeting", meeting)}
    if rows.meeting.get("location") is not None:
        held.add(("location", meeting))
    for it in rows.items:
        held.add(("agendaitem", it["id"]))
        if it.get("case_key"):
            held |= {("consultation", it["id"]), ("paper", paper_id(municipality, it["case_key"]))}
    return held


def revive(conn: Connection, held: set[tuple[str, str]]) -> None:
    """Drop the tombstones of objects that exist again (one statement: the pairs as row values)."""
    pairs = sorted(held)
    for at in range(0, len(pairs), 400):
        part = pairs[at:at + 400]
        run(conn, "DELETE FROM oparl_deleted WHERE (kind, object_id) IN "
                  f"(VALUES {', '.join(['(?, ?)'] * len(part))})", tuple(v for pair in part for v in pair))


def exist(conn: Connection) -> bool:
    """Whether there are any tombstones (most archives have none: then nothing is revived)."""
    return run(conn, "SELECT 1 FROM oparl_deleted LIMIT 1").first() is not None


def record(conn: Connection, gone: tuple[Objects, dict[str, str | None]], held: set[tuple[str, str]],
           at: str) -> int:
    """Write the tombstones of the objects in `gone` that the new document does not hold (a Paper only
    when no stored item carries its case any more); returns how many."""
    objects, cases = gone
    same = sql_for(conn).same
    out: list[tuple[Any, ...]] = []
    for (kind, oid), (body, created) in sorted(objects.items()):
        if (kind, oid) in held:
            continue
        if kind == "paper" and run(conn, "SELECT 1 FROM items i JOIN bodies b ON b.id = i.body_id "
                                         f"WHERE i.case_key = ? AND b.municipality {same} ?",
                                   (oid.split("/", 1)[1], cases[oid])).first():
            continue
        out.append((kind, oid, body, created, max(at, created)))  # never deleted before created (a given --now)
    if out:
        revive(conn, {(k, o) for k, o, *_ in out})  # a tombstone already there: the later deletion wins
        run(conn, "INSERT INTO oparl_deleted (kind, object_id, body, created, deleted_at) VALUES (?, ?, ?, ?, ?)", out)
    return len(out)


def find(conn: Connection, kind: str, object_id: str) -> dict[str, Any] | None:
    """One tombstone: body, created, deleted_at."""
    row = run(conn, "SELECT body, created, deleted_at FROM oparl_deleted WHERE kind = ? AND object_id = ?",
              (kind, object_id)).mappings().first()
    return dict(row) if row else None


def listed(conn: Connection, kind: str, body: str, since: str, until: str | None = None) -> list[dict[str, Any]]:
    """A body's tombstones of one kind deleted in [since, until], by object id."""
    cond, params = ("AND deleted_at <= ?", (until,)) if until else ("", ())
    return [dict(r) for r in run(
        conn, "SELECT object_id, created, deleted_at FROM oparl_deleted WHERE body = ? AND kind = ? "
              f"AND deleted_at >= ? {cond} ORDER BY object_id", (body, kind, since, *params)).mappings()]

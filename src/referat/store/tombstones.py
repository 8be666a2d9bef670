"""OParl tombstones (schema.oparl_deleted): which OParl objects a replaced document took away.

OParl 1.1 asks a server to keep serving a deleted object, with `deleted: true`, and to list it to
clients that synchronise with modified_since, so that they learn of the deletion. referat's OParl objects
are read from the stored documents (referat.oparl), so when a newer version replaces a document, the
objects only the old one carried vanish: its File always, the Meeting when the new version has another
meeting id, AgendaItems and Consultations it no longer holds, the Location of a meeting without one now,
and, when nothing stored carries them any more, a Paper (a case no item carries), a Membership (nobody
of that name takes part in that committee's meetings), a Person (named nowhere) and an Organization (a
committee with no meeting). `before` reads them from the old documents before they are deleted, `record`
writes the ones the new document does not bring back, in the same transaction, and drops tombstones of
objects that exist again. A Meeting's tombstone names its Organization, for the organization's meeting
list (migration 0013).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from referat.dialect import run, sql_for
from referat.names import stable_id
from referat.store.rows import Rows

KINDS = ("file", "meeting", "location", "agendaitem", "consultation", "paper", "membership", "person", "organization")
Object = tuple[str, str]  # (kind, object id)
Objects = dict[Object, tuple[str, str, str | None]]  # -> (body id, created, the organization of a meeting)
Carriers = dict[Object, tuple[Any, ...]]  # an object that is gone only when nothing stored carries it -> its key
# whether something stored still carries such an object, from its key (an index leads each test)
_CARRIED = {
    "paper": ("SELECT 1 FROM items i JOIN bodies b ON b.id = i.body_id "
              "WHERE i.case_key = ? AND b.municipality {same} ?",),
    "membership": ("SELECT 1 FROM participants pa JOIN meetings m ON m.id = pa.meeting_id "
                   "WHERE pa.person_id = ? AND m.body_id = ?",),
    "person": ("SELECT 1 FROM participants WHERE person_id = ?", "SELECT 1 FROM attendance WHERE person_id = ?",
               "SELECT 1 FROM votes WHERE person_id = ?", "SELECT 1 FROM attendance WHERE for_person_id = ?",
               "SELECT 1 FROM presenters WHERE person_id = ?"),
    "organization": ("SELECT 1 FROM meetings WHERE body_id = ?",),
}
_NAMED = (("attendance", "person_id"), ("attendance", "for_person_id"), ("votes", "person_id"),
          ("presenters", "person_id"))


def municipality_id(name: str | None) -> str:
    """The OParl Body id of a municipality (None: the archive's unknown municipality)."""
    return stable_id("municipality", (name or "").casefold())


def paper_id(municipality: str | None, key: str) -> str:
    """A Paper's id as its URL carries it: body id / case key."""
    return f"{municipality_id(municipality)}/{key}"


def before(conn: Connection, doc_ids: set[str]) -> tuple[Objects, Carriers]:
    """The OParl objects of these documents, and the key of each that is gone only when nothing carries it."""
    out: Objects = {}
    keys: Carriers = {}
    if not doc_ids:
        return out, keys
    marks = ", ".join("?" * len(doc_ids))
    docs = tuple(sorted(doc_ids))

    def add(kind: str, oid: str, body: str, at: str, key: tuple[Any, ...] | None = None,
            org: str | None = None) -> None:
        created = min(at, out[(kind, oid)][1]) if (kind, oid) in out else at
        out[(kind, oid)] = (body, created, org)
        if key is not None:
            keys[(kind, oid)] = key

    for doc, meeting, location, org, muni, at in run(
            conn, "SELECT d.id, m.id, m.location, m.body_id, b.municipality, d.ingested_at FROM documents d "
                  "JOIN meetings m ON m.document_id = d.id JOIN bodies b ON b.id = m.body_id "
                  f"WHERE d.id IN ({marks})", docs):
        body = municipality_id(muni)
        add("file", doc, body, at)
        add("meeting", meeting, body, at, org=org)
        add("organization", org, body, at, (org,))
        if location is not None:
            add("location", meeting, body, at)
    for item, key, muni, at in run(
            conn, "SELECT i.id, i.case_key, b.municipality, d.ingested_at FROM items i JOIN bodies b ON b.id = i.body_id "
                  "JOIN meetings m ON m.id = i.meeting_id JOIN documents d ON d.id = m.document_id "
                  f"WHERE d.id IN ({marks})", docs):
        body = municipality_id(muni)
        add("agendaitem", item, body, at)
        if key:
            add("consultation", item, body, at)
            add("paper", paper_id(muni, key), body, at, (key, muni))
    for person, org, muni, at in run(
            conn, "SELECT pa.person_id, m.body_id, b.municipality, d.ingested_at FROM participants pa "
                  "JOIN meetings m ON m.id = pa.meeting_id JOIN bodies b ON b.id = m.body_id "
                  f"JOIN documents d ON d.id = m.document_id WHERE d.id IN ({marks})", docs):
        add("membership", stable_id("membership", person, org), municipality_id(muni), at, (person, org))
        add("person", person, municipality_id(muni), at, (person,))
    for table, col in _NAMED:  # people an item names: absent, substitute, voter, presenter
        for person, muni, at in run(
                conn, f"SELECT x.{col}, b.municipality, d.ingested_at FROM documents d JOIN meetings m ON "
                      "m.document_id = d.id JOIN bodies b ON b.id = m.body_id JOIN items i ON i.meeting_id = m.id "
                      f"JOIN {table} x ON x.item_pk = i.pk WHERE x.{col} IS NOT NULL AND d.id IN ({marks})", docs):
            add("person", person, municipality_id(muni), at, (person,))
    return out, keys


def now_held(rows: Rows, municipality: str | None) -> set[Object]:
    """The OParl objects a stored document carries."""
    meeting, org = rows.meeting["id"], rows.meeting["body_id"]
    held = {("file", rows.document["id"]), ("meeting", meeting), ("organization", org)}
    if rows.meeting.get("location") is not None:
        held.add(("location", meeting))
    for it in rows.items:
        held.add(("agendaitem", it["id"]))
        if it.get("case_key"):
            held |= {("consultation", it["id"]), ("paper", paper_id(municipality, it["case_key"]))}
    held |= {("membership", stable_id("membership", p["person_id"], org)) for p in rows.participants}
    held |= {("person", person) for person in rows.people}
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


def record(conn: Connection, gone: tuple[Objects, Carriers], held: set[Object], at: str) -> int:
    """Write the tombstones of the objects in `gone` that the new document does not hold (a Paper,
    Membership, Person or Organization only when nothing stored carries it any more); returns how many."""
    objects, keys = gone
    same = sql_for(conn).same
    out: list[tuple[Any, ...]] = []
    for (kind, oid), (body, created, org) in sorted(objects.items()):
        if (kind, oid) in held:
            continue
        key = keys.get((kind, oid))
        if key is not None and any(run(conn, sql.format(same=same), key).first() for sql in _CARRIED[kind]):
            continue
        out.append((kind, oid, body, created, max(at, created), org))  # never deleted before created (a given --now)
    if out:
        revive(conn, {(k, o) for k, o, *_ in out})  # a tombstone already there: the later deletion wins
        run(conn, "INSERT INTO oparl_deleted (kind, object_id, body, created, deleted_at, organization) "
                  "VALUES (?, ?, ?, ?, ?, ?)", out)
    return len(out)


def find(conn: Connection, kind: str, object_id: str) -> dict[str, Any] | None:
    """One tombstone: body, created, deleted_at."""
    row = run(conn, "SELECT body, created, deleted_at FROM oparl_deleted WHERE kind = ? AND object_id = ?",
              (kind, object_id)).mappings().first()
    return dict(row) if row else None


def listed(conn: Connection, kind: str, body: str, since: str, until: str | None = None,
           organization: str | None = None) -> list[dict[str, Any]]:
    """A body's tombstones of one kind deleted in [since, until], by object id; with `organization`, only
    those of its meetings."""
    cond, params = ("AND deleted_at <= ?", (until,)) if until else ("", ())
    if organization is not None:
        cond, params = cond + " AND organization = ?", (*params, organization)
    return [dict(r) for r in run(
        conn, "SELECT object_id, created, deleted_at FROM oparl_deleted WHERE body = ? AND kind = ? "
              f"AND deleted_at >= ? {cond} ORDER BY object_id", (body, kind, since, *params)).mappings()]

"""Reading the linked record: case timelines, resolved references, attendance, people and bodies.

Plain data out (dicts and lists, dates as ISO strings), for the CLI, the JSON API and the web pages
alike. The links themselves are computed by referat.link; this module only reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from referat.cases import case_key, parse_case_number
from referat.dialect import run, sql_for
from referat.errors import AmbiguousError, NotFoundError
from referat.names import body_key, person_key
from referat.store.browse import iso, printed


def _chunks(values: Sequence[Any], n: int = 500) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), n):
        yield values[i:i + n]


def _in(conn: Connection, sql: str, values: Sequence[Any]) -> list[Any]:
    """Run sql with `IN (?)` expanded to the values, in chunks (SQLite caps bound parameters)."""
    out: list[Any] = []
    for part in _chunks(list(values)):
        out.extend(run(conn, sql.replace("IN (?)", f"IN ({', '.join('?' * len(part))})"),
                                        tuple(part)).mappings().all())
    return out


# --- treatments and links --------------------------------------------------------------------

def treatments(conn: Connection, pks: Sequence[int]) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """item pk -> {"related": [...], "upcoming": [...]}: each treatment as printed, with its status
    (`item` when resolved to an archived item, `meeting` when only the meeting is archived,
    `unresolved` when neither is) and its targets."""
    out: dict[int, dict[str, list[dict[str, Any]]]] = {pk: {"related": [], "upcoming": []} for pk in pks}
    targets: dict[tuple[int, str, int], list[dict[str, Any]]] = defaultdict(list)
    for x in _in(conn, "SELECT l.item_pk, l.direction, l.ord, l.target_meeting_id, l.target_item_id, ti.label AS number, "
                       "ti.title, m.date, b.name AS committee FROM links l JOIN meetings m ON m.id = l.target_meeting_id "
                       "JOIN bodies b ON b.id = m.body_id LEFT JOIN items ti ON ti.id = l.target_item_id "
                       "WHERE l.item_pk IN (?) ORDER BY l.item_pk, l.direction, l.ord, l.sub", pks):
        targets[(x["item_pk"], x["direction"], x["ord"])].append({
            "meeting_id": x["target_meeting_id"], "item_id": x["target_item_id"] if x["number"] is not None else None,
            "number": printed(x["number"]), "title": x["title"], "date": iso(x["date"]), "committee": x["committee"]})
    for t in _in(conn, "SELECT item_pk, direction, ord, body, date, target_date, item_number, raw FROM treatments "
                       "WHERE item_pk IN (?) ORDER BY item_pk, direction, ord", pks):
        found = targets.get((t["item_pk"], t["direction"], t["ord"]), [])
        status = "item" if found and all(f["item_id"] for f in found) else "meeting" if found else "unresolved"
        entry = {"body": t["body"], "date": iso(t["date"]), "status": status, "targets": found}
        if t["direction"] == "related":
            entry.update(item=t["item_number"], raw=t["raw"], inferred_date=iso(t["target_date"]))
        out[t["item_pk"]][t["direction"]].append(entry)
    return out


def referenced_by(conn: Connection, item_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """item id -> the items whose treatments link to it (later items citing it, earlier ones planning it)."""
    out: dict[str, list[dict[str, Any]]] = {i: [] for i in item_ids}
    for x in _in(conn, "SELECT DISTINCT l.target_item_id, l.direction, i.id, i.label AS number, i.title, i.date, i.pk, "
                       "b.name AS committee FROM links l JOIN items i ON i.pk = l.item_pk JOIN bodies b "
                       f"ON b.id = i.body_id WHERE l.target_item_id IN (?) ORDER BY {sql_for(conn).asc('i.date')}, i.pk",
                 item_ids):
        out[x["target_item_id"]].append({"item_id": x["id"], "direction": x["direction"], "number": printed(x["number"]),
                                         "title": x["title"], "date": iso(x["date"]), "committee": x["committee"]})
    return out


# --- cases -----------------------------------------------------------------------------------

def kle_titles(conn: Connection, kle: str | None, facet: str | None) -> dict[str, str]:
    """Titles of a KLE code's main group, group and subject, and of the facet, where the user loaded them."""
    if not kle:
        return {}
    codes = [kle[:2], kle[:5], kle] + ([facet] if facet else [])
    return {r["code"]: r["title"] for r in _in(conn, "SELECT code, title FROM kle WHERE code IN (?)", codes)}


def case(conn: Connection, number: str, municipality: str | None = None) -> dict[str, Any]:
    """The thread of a case: every archived item with that case number (however written), in date
    order across meetings and bodies, each with its resolved references and planned next steps."""
    key = case_key(number)
    if key is None:
        raise NotFoundError("give a case number, e.g. 21-12-27.00.00-A26 or 2013/02537")
    params: list[Any] = [key]
    sql = ("SELECT i.pk, i.id, i.meeting_id, i.label AS number, i.title, i.case_number, i.decision_kind, i.closed, i.date, "
           "b.name AS committee, b.municipality, m.kind AS meeting_kind FROM items i JOIN bodies b ON b.id = i.body_id "
           "JOIN meetings m ON m.id = i.meeting_id WHERE i.case_key = ?")
    if municipality:
        sql += " AND b.municipality = ?"
        params.append(municipality)
    rows = run(conn, sql + f" ORDER BY {sql_for(conn).asc('i.date')}, m.kind = 'minutes', i.pk",
               tuple(params)).mappings().all()
    if not rows:
        raise NotFoundError(f"no archived item has case number {number!r}" + (f" in {municipality}" if municipality else ""))
    parsed = parse_case_number(rows[0]["case_number"] or number)
    links = treatments(conn, [r["pk"] for r in rows])
    back = referenced_by(conn, [r["id"] for r in rows])
    return {
        "key": key, "forms": sorted({r["case_number"] for r in rows if r["case_number"]}),
        "shape": parsed.shape if parsed else None, "year": parsed.year if parsed else None,
        "sequence": parsed.sequence if parsed else None, "kle": parsed.kle if parsed else None,
        "facet": parsed.facet if parsed else None, "prefix": parsed.prefix if parsed else None,
        "kle_titles": kle_titles(conn, parsed.kle if parsed else None, parsed.facet if parsed else None),
        "municipalities": sorted({r["municipality"] or "" for r in rows}),
        "timeline": [{"item_id": r["id"], "meeting_id": r["meeting_id"], "date": iso(r["date"]),
                      "committee": r["committee"], "municipality": r["municipality"], "meeting_kind": r["meeting_kind"],
                      "number": printed(r["number"]), "title": r["title"], "case_number": r["case_number"],
                      "closed": bool(r["closed"]), "decision_kind": r["decision_kind"],
                      **links[r["pk"]], "referenced_by": back[r["id"]]} for r in rows],
    }


# --- attendance ------------------------------------------------------------------------------

def meeting_attendance(conn: Connection, meeting_id: str) -> list[dict[str, Any]]:
    """Who was there: each member from the participant list (in printed order) present or absent, absent
    members not listed, and substitutes with whom they sat in for. A member stated absent or replaced
    by a substitute in any item counts as absent from the meeting; `items` says where it was stated."""
    people: dict[str, dict[str, Any]] = {}
    for p in run(conn, "SELECT pa.person_id, p.name, pa.party FROM participants pa JOIN people p ON "
                                  "p.id = pa.person_id WHERE pa.meeting_id = ? ORDER BY pa.ord", (meeting_id,)).mappings():
        people.setdefault(p["person_id"], {"person_id": p["person_id"], "name": p["name"], "party": p["party"],
                                           "status": "present", "substitute": None, "for": None, "items": []})
    events = run(
        conn, "SELECT a.person_id, p.name, a.status, a.for_person_id, f.name AS for_name, i.label AS number FROM attendance a "
        "JOIN items i ON i.pk = a.item_pk JOIN people p ON p.id = a.person_id LEFT JOIN people f ON "
        f"f.id = a.for_person_id WHERE i.meeting_id = ? ORDER BY i.pk, a.{sql_for(conn).rowid}",
        (meeting_id,)).mappings().all()
    for e in events:
        absent_id, absent_name = (e["person_id"], e["name"]) if e["status"] == "absent" else \
            (e["for_person_id"], e["for_name"])
        member = people.setdefault(absent_id, {"person_id": absent_id, "name": absent_name, "party": None,
                                               "status": "absent", "substitute": None, "for": None, "items": []})
        member["status"] = "absent"
        if printed(e["number"]) not in member["items"]:
            member["items"].append(printed(e["number"]))
        if e["status"] == "substitute":
            member["substitute"] = e["name"]
            sub = people.setdefault(e["person_id"], {"person_id": e["person_id"], "name": e["name"], "party": None,
                                                     "status": "substitute", "substitute": None, "for": None,
                                                     "items": []})
            sub.update(status="substitute", **{"for": e["for_name"]})
            if printed(e["number"]) not in sub["items"]:
                sub["items"].append(printed(e["number"]))
    return list(people.values())


def item_votes(conn: Connection, pks: Sequence[int]) -> dict[int, dict[str, list[str]]]:
    out: dict[int, dict[str, list[str]]] = {}
    for v in _in(conn, "SELECT v.item_pk, v.vote, p.name FROM votes v JOIN people p ON p.id = v.person_id "
                       f"WHERE v.item_pk IN (?) ORDER BY v.item_pk, v.{sql_for(conn).rowid}", pks):
        out.setdefault(v["item_pk"], {"for": [], "against": [], "abstained": []})[v["vote"]].append(v["name"])
    return out


# --- people ----------------------------------------------------------------------------------

def find_person(conn: Connection, name_or_id: str) -> dict[str, Any]:
    """A person by id or by name (case and party suffix ignored); a unique part of a name also works."""
    row = run(conn, "SELECT id, name FROM people WHERE id = ? OR id = ?",
                               (name_or_id, person_key(name_or_id)[1])).mappings().first()
    if row:
        return dict(row)
    wanted = person_key(name_or_id)[0].casefold()
    # casefold in Python: SQLite's lower() folds only ASCII, and Æ, Ø, Å are letters here
    found = [dict(r) for r in run(conn, "SELECT id, name FROM people").mappings()
             if wanted and wanted in r["name"].casefold()]
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFoundError(f"no person named {name_or_id!r} in the archive")
    names = ", ".join(sorted(f["name"] for f in found)[:10])
    raise AmbiguousError(f"{name_or_id!r} fits {len(found)} people: {names}{' …' if len(found) > 10 else ''}")


def person(conn: Connection, name_or_id: str) -> dict[str, Any]:
    """A person's record: parties over time, committees, attendance per meeting and its rate,
    substitutions, votes and items presented."""
    who = find_person(conn, name_or_id)
    pid = who["id"]
    asc = sql_for(conn).asc
    member = run(
        conn, "SELECT DISTINCT m.id, m.date, b.name AS committee, b.municipality, pa.party FROM participants pa JOIN meetings m "
        "ON m.id = pa.meeting_id JOIN bodies b ON b.id = m.body_id WHERE pa.person_id = ?", (pid,)).mappings().all()
    away = run(
        conn, "SELECT m.id, m.date, b.name AS committee, b.municipality, i.label AS number, a.status, a.person_id, s.name AS sub "
        "FROM attendance a JOIN items i ON i.pk = a.item_pk JOIN meetings m ON m.id = i.meeting_id "
        "JOIN bodies b ON b.id = m.body_id JOIN people s ON s.id = a.person_id "
        "WHERE (a.status = 'absent' AND a.person_id = ?) OR (a.status = 'substitute' AND a.for_person_id = ?) "
        f"ORDER BY i.pk, a.{sql_for(conn).rowid}", (pid, pid)).mappings().all()
    meetings: dict[str, dict[str, Any]] = {}
    for r in member:
        meetings[r["id"]] = {"meeting_id": r["id"], "date": iso(r["date"]), "committee": r["committee"],
                             "municipality": r["municipality"], "party": r["party"], "status": "present",
                             "substitute": None, "items": []}
    for r in away:
        m = meetings.setdefault(r["id"], {"meeting_id": r["id"], "date": iso(r["date"]), "committee": r["committee"],
                                          "municipality": r["municipality"], "party": None, "status": "absent",
                                          "substitute": None, "items": []})
        m["status"] = "absent"
        if r["status"] == "substitute":
            m["substitute"] = r["sub"]
        if printed(r["number"]) not in m["items"]:
            m["items"].append(printed(r["number"]))
    subs = run(
        conn, "SELECT DISTINCT m.id, m.date, b.name AS committee, f.name AS for_name FROM attendance a JOIN items i "
        "ON i.pk = a.item_pk JOIN meetings m ON m.id = i.meeting_id JOIN bodies b ON b.id = m.body_id "
        "JOIN people f ON f.id = a.for_person_id WHERE a.status = 'substitute' AND a.person_id = ? "
        f"ORDER BY {asc('m.date')}",
        (pid,)).mappings().all()
    votes = run(
        conn, "SELECT i.id, i.label AS number, i.title, i.date, b.name AS committee, v.vote FROM votes v JOIN items i ON "
        f"i.pk = v.item_pk JOIN bodies b ON b.id = i.body_id WHERE v.person_id = ? ORDER BY {asc('i.date')}, i.pk",
        (pid,)).mappings().all()
    presented = run(
        conn, "SELECT i.id, i.label AS number, i.title, i.date, b.name AS committee FROM presenters pr JOIN items i ON "
        f"i.pk = pr.item_pk JOIN bodies b ON b.id = i.body_id WHERE pr.person_id = ? ORDER BY {asc('i.date')}, i.pk",
        (pid,)).mappings().all()
    listed = sorted(meetings.values(), key=lambda m: (m["date"] or "", m["meeting_id"]))
    present = sum(1 for m in listed if m["status"] == "present")
    return {
        "id": pid, "name": who["name"], "parties": _spans(listed, "party"), "committees": _spans(listed, "committee"),
        "attendance": {"meetings": len(listed), "present": present, "absent": len(listed) - present,
                       "rate": round(present / len(listed), 3) if listed else None},
        "meetings": listed,
        "substitutions": [{"meeting_id": s["id"], "date": iso(s["date"]), "committee": s["committee"],
                           "for": s["for_name"]} for s in subs],
        "votes": [{"item_id": v["id"], "number": printed(v["number"]), "title": v["title"], "date": iso(v["date"]),
                   "committee": v["committee"], "vote": v["vote"]} for v in votes],
        "presented": [{"item_id": p["id"], "number": printed(p["number"]), "title": p["title"], "date": iso(p["date"]),
                       "committee": p["committee"]} for p in presented],
    }


def _spans(meetings: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    """Consecutive runs of one value over date-ordered meetings: a party (or committee) with its first
    and last meeting date, so that a change of party shows as two spans."""
    spans: list[dict[str, Any]] = []
    for m in meetings:
        value = m[field]
        if value is None:
            continue
        if spans and spans[-1][field] == value:
            spans[-1]["to"] = m["date"]
            spans[-1]["meetings"] += 1
        else:
            spans.append({field: value, "from": m["date"], "to": m["date"], "meetings": 1})
    return spans


# --- bodies ----------------------------------------------------------------------------------

def find_body(conn: Connection, name_or_id: str, municipality: str | None = None) -> dict[str, Any]:
    """A body by id, or by name however inflected ("Byrådet", "byrådsmødet"); the municipality decides
    when several have a body of that name."""
    rows = run(conn, "SELECT id, name, municipality FROM bodies WHERE id = ? OR key = ?",
                                (name_or_id, body_key(name_or_id))).mappings().all()
    if municipality:
        rows = [r for r in rows if (r["municipality"] or "").casefold() == municipality.casefold()]
    if len(rows) == 1:
        return dict(rows[0])
    if not rows:
        raise NotFoundError(f"no committee or council named {name_or_id!r}"
                            + (f" in {municipality}" if municipality else "") + " in the archive")
    where = ", ".join(sorted(r["municipality"] or "?" for r in rows))
    raise AmbiguousError(f"{name_or_id!r} is a body in several municipalities ({where}); give the municipality")


def body(conn: Connection, name_or_id: str, municipality: str | None = None) -> dict[str, Any]:
    """A committee or council: its meetings by year and its members over time (from participant lists)."""
    b = find_body(conn, name_or_id, municipality)
    asc = sql_for(conn).asc
    meetings = run(
        conn, "SELECT m.id, m.date, m.kind, count(i.pk) AS items FROM meetings m LEFT JOIN items i ON i.meeting_id = m.id "
        f"WHERE m.body_id = ? GROUP BY m.id ORDER BY {asc('m.date')}, m.id", (b["id"],)).mappings().all()
    by_year: dict[str, list[dict[str, Any]]] = {}
    for m in meetings:
        year = str(iso(m["date"])[:4]) if m["date"] else "?"
        by_year.setdefault(year, []).append({"meeting_id": m["id"], "date": iso(m["date"]), "kind": m["kind"],
                                             "items": m["items"]})
    members = run(
        conn, "SELECT p.id, p.name, pa.party, min(m.date) AS first, max(m.date) AS last, count(DISTINCT m.id) AS n "
        "FROM participants pa JOIN meetings m ON m.id = pa.meeting_id JOIN people p ON p.id = pa.person_id "
        f"WHERE m.body_id = ? GROUP BY p.id, pa.party ORDER BY {asc('min(m.date)')}, p.name", (b["id"],)).mappings().all()
    return {"id": b["id"], "name": b["name"], "municipality": b["municipality"], "meetings": len(meetings),
            "meetings_by_year": by_year,
            "members": [{"person_id": m["id"], "name": m["name"], "party": m["party"], "from": iso(m["first"]),
                         "to": iso(m["last"]), "meetings": m["n"]} for m in members]}

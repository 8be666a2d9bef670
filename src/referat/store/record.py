"""Storage rows -> the parse record: one stored meeting in the shape of DESIGN.md §3, plus its ids.

The inverse of referat.store.rows: what `referat parse --format json` printed for a document is what
`referat export --format json` gives back for its meeting, field by field (tests/test_export_roundtrip.py).
Every list comes back in printed order; values come from the printed forms the store keeps (the
committee, names and votes as printed), not from the linked record's people.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy.engine import Connection

from referat.dialect import run, sql_for
from referat.errors import NotFoundError
from referat.store.browse import iso, printed


def meeting_records(conn: Connection, meeting_ids: list[str]) -> list[dict[str, Any]]:
    """The records of these meetings, in the order given (a missing id is skipped)."""
    return [r for r in (_one(conn, mid) for mid in meeting_ids) if r is not None]


def meeting_record(conn: Connection, meeting_id: str) -> dict[str, Any]:
    r = _one(conn, meeting_id)
    if r is None:
        raise NotFoundError(f"no meeting with id '{meeting_id}'")
    return r


def _one(conn: Connection, meeting_id: str) -> dict[str, Any] | None:
    m = run(conn, "SELECT * FROM meetings WHERE id = ?", (meeting_id,)).mappings().first()
    if m is None:
        return None
    participants = [{"name": p["name"] if p["name"] is not None else p["display"], "party": p["party"]}
                    for p in run(conn, "SELECT pa.name, pa.party, p.name AS display FROM participants pa JOIN people p "
                                       "ON p.id = pa.person_id WHERE pa.meeting_id = ? ORDER BY pa.ord",
                                 (meeting_id,)).mappings()]
    source = ({"system": m["source_system"], "url": m["source_url"], "id": m["source_id"]}
              if m["source_system"] is not None else None)
    meeting = {"kind": m["kind"], "committee": m["committee"], "election_period": m["election_period"],
               "date": iso(m["date"]), "start_time": m["start_time"], "location": m["location"],
               "participants": participants, "toc": json.loads(m["toc_json"]), "source": source}
    warnings = [{"line": w["line"], "message": w["message"]} for w in run(
        conn, f"SELECT line, message FROM warnings WHERE document_id = ? ORDER BY {sql_for(conn).rowid}",
        (m["document_id"],)).mappings()]
    return {"id": meeting_id, "document_id": m["document_id"], "body_id": m["body_id"], "meeting": meeting,
            "items": _items(conn, meeting_id), "warnings": warnings}


def _items(conn: Connection, meeting_id: str) -> list[dict[str, Any]]:
    items = run(conn, "SELECT * FROM items WHERE meeting_id = ? ORDER BY pk", (meeting_id,)).mappings().all()
    if not items:
        return []
    lo, hi = items[0]["pk"], items[-1]["pk"]  # one document's items have consecutive keys

    def children(sql: str) -> dict[int, list[Any]]:
        out: dict[int, list[Any]] = defaultdict(list)
        for r in run(conn, sql + " WHERE item_pk BETWEEN ? AND ? ORDER BY item_pk, ord", (lo, hi)).mappings():
            out[r["item_pk"]].append(r)
        return out

    lists = children("SELECT item_pk, kind, text FROM item_lists")
    sections = children("SELECT item_pk, heading, role, text FROM sections")
    treatments = children("SELECT item_pk, direction, body, date, item_number, raw FROM treatments")
    amounts = children("SELECT item_pk, mio_kr FROM amounts")
    tables = children("SELECT item_pk, caption, header_json, rows_json FROM item_tables")
    out = []
    for i in items:
        pk = i["pk"]
        kinds: dict[str, list[str]] = defaultdict(list)
        for x in lists[pk]:
            kinds[x["kind"]].append(x["text"])
        votes = {"for": kinds["vote_for"], "against": kinds["vote_against"], "abstained": kinds["vote_abstained"]}
        out.append({
            "id": i["id"], "number": printed(i["label"]) if i["label"] is not None else i["number"],
            "title": i["title"], "case_number": i["case_number"], "closed": bool(i["closed"]),
            "decision": i["decision"], "decision_kind": i["decision_kind"], "recommendation": kinds["recommendation"],
            "recommending_body": i["recommending_body"], "absent": kinds["absent"],
            "substitutes": [{"substitute": a, "for": b} for a, b in zip(kinds["substitute"], kinds["substituted"])],
            "votes": votes if any(votes.values()) else None,
            "upcoming": [{"body": t["body"], "date": iso(t["date"])} for t in treatments[pk]
                         if t["direction"] == "upcoming"],
            "related": [{"body": t["body"], "date": iso(t["date"]), "item": t["item_number"], "raw": t["raw"]}
                        for t in treatments[pk] if t["direction"] == "related"],
            "attachments": kinds["attachment"], "presenters": kinds["presenter"],
            "amounts_mio_kr": [float(a["mio_kr"]) for a in amounts[pk]],
            "tables": [{"caption": t["caption"], "header": json.loads(t["header_json"]), "rows": json.loads(t["rows_json"])}
                       for t in tables[pk]],
            "sections": [{"heading": s["heading"], "role": s["role"], "text": s["text"]} for s in sections[pk]],
        })
    return out

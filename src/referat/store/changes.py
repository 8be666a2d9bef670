"""The change log (schema.changes): what ingest added, changed or dropped, in order.

`snapshot` reads the items of the documents a new one replaces, before they are deleted; `record`
compares them with the new document's items and writes a row per difference. An unchanged re-ingest
writes nothing. Feeds and alerts (referat.feeds) read the rows back with `since`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from referat.dialect import run
from referat.store.rows import Rows

# what makes an item "changed" for a reader following decisions
COMPARED = ("title", "decision", "decision_kind")
COLUMNS = ("seq", "at", "kind", "item_id", "meeting_id", "body_id", "case_key", "date", "label", "title", "decision",
           "decision_kind", "before_title", "before_decision", "before_kind")


def snapshot(conn: Connection, doc_ids: set[str]) -> dict[str, dict[str, Any]]:
    """The items of these documents as they are now, by item id."""
    if not doc_ids:
        return {}
    marks = ", ".join("?" * len(doc_ids))
    rows = run(conn, "SELECT i.id, i.meeting_id, i.body_id, i.case_key, i.date, i.label, i.title, i.decision, "
                     "i.decision_kind FROM items i JOIN meetings m ON m.id = i.meeting_id "
                     f"WHERE m.document_id IN ({marks}) ORDER BY i.pk", tuple(sorted(doc_ids))).mappings().all()
    return {r["id"]: dict(r) for r in rows}


def record(conn: Connection, before: dict[str, dict[str, Any]], rows: Rows) -> int:
    """Write the change rows of storing `rows` over `before`; returns how many."""
    at = rows.document["ingested_at"]
    out: list[tuple[Any, ...]] = []
    seen: set[str] = set()
    for it in rows.items:
        seen.add(it["id"])
        old = before.get(it["id"])
        if old is not None and all(old[k] == it[k] for k in COMPARED):
            continue
        kind = "new" if old is None else "changed"
        out.append((at, kind, it["id"], it["meeting_id"], it["body_id"], it["case_key"], it["date"], it["label"],
                    it["title"], it["decision"], it["decision_kind"], old and old["title"],
                    old and old["decision"], old and old["decision_kind"]))
    for item_id, old in before.items():
        if item_id not in seen:
            out.append((at, "removed", item_id, old["meeting_id"], old["body_id"], old["case_key"], old["date"],
                        old["label"], old["title"], old["decision"], old["decision_kind"], None, None, None))
    if out:
        run(conn, f"INSERT INTO changes ({', '.join(COLUMNS[1:])}) VALUES ({', '.join('?' * (len(COLUMNS) - 1))})",
            out)
    return len(out)


def since(conn: Connection, *, after: int = 0, where: str = "", params: tuple[Any, ...] = (),
          limit: int = 50) -> list[dict[str, Any]]:
    """Change rows newest first (after `after`, narrowed by a condition on `c.` columns), with the
    committee's name and municipality."""
    cond = f" AND ({where})" if where else ""
    rows = run(conn, f"SELECT {', '.join('c.' + c for c in COLUMNS)}, b.name AS committee, b.municipality "
                     f"FROM changes c JOIN bodies b ON b.id = c.body_id WHERE c.seq > ?{cond} "
                     "ORDER BY c.seq DESC LIMIT ?", (after, *params, limit)).mappings().all()
    return [dict(r) for r in rows]


def last_seq(conn: Connection) -> int:
    return int(run(conn, "SELECT coalesce(max(seq), 0) FROM changes").scalar_one())

"""Documents not kept (schema.superseded): remembered so that ingest skips them the next time.

A meeting has one document. When a newer file of a meeting replaces the stored one, or a file is
skipped in favour of it (the same text in another encoding, an agenda of a meeting whose minutes are
archived), the file's hash is written here in the same transaction. Without it, a folder holding agenda
v1 and v2 of one meeting swaps them on every rerun (v1's hash is no longer stored, so v1 replaces v2,
then v2 replaces v1 again): two replacements, change-log rows announcing changes that never happened,
and a re-indexed meeting each time.

A superseded hash is skipped unless the archive holds a document at the incoming file's own path: then
the file at that path changed (back) and its content is the newest there, as any changed file is.
`referat ingest --force` reads superseded files again (the user wants the older version back).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from referat.dialect import run

REASONS = ("replaced", "same_text", "minutes")


class Skipped(str):
    """What Archive._store returns for a document it did not store because another version of its meeting
    is kept: equal to "skipped" (what callers count), with `reason` (one of REASONS) and `by`, the path of
    the document that holds the meeting now (None where none does)."""

    reason: str
    by: str | None

    def __new__(cls, reason: str, by: str | None = None) -> Skipped:
        out = super().__new__(cls, "skipped")
        out.reason = reason
        out.by = by
        return out


@dataclass(frozen=True, slots=True)
class Superseded:
    """Why a file is skipped before it is even read: its hash was superseded, by what."""

    reason: str
    by: str | None  # the path of the document that holds the meeting now

    def skipped(self) -> Skipped:
        return Skipped(self.reason, self.by)


def lookup(conn: Connection, sha256: str, path: str) -> Superseded | None:
    """The hash's superseded row if ingest is to skip a file with it at `path` (see the module's rule)."""
    return skip(conn, find(conn, sha256), path)


def find(conn: Connection, sha256: str) -> tuple[str, str] | None:
    """The hash's (meeting id, reason) if it was superseded."""
    row = run(conn, "SELECT meeting_id, reason FROM superseded WHERE sha256 = ?", (sha256,)).first()
    return None if row is None else (row[0], row[1])


def skip(conn: Connection, found: tuple[str, str] | None, path: str) -> Superseded | None:
    """Whether a superseded hash (`find`'s answer) is skipped at `path`: unless a document is stored at that
    path (then the file there changed, back to this content)."""
    if found is None or run(conn, "SELECT 1 FROM documents WHERE path = ?", (path,)).first():
        return None
    return Superseded(found[1], holder(conn, found[0]))


def holder(conn: Connection, meeting_id: str) -> str | None:
    """The path of the document that holds the meeting now."""
    return run(conn, "SELECT d.path FROM meetings m JOIN documents d ON d.id = m.document_id WHERE m.id = ?",
               (meeting_id,)).scalar()


def remember(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Write superseded rows (sha256, path, meeting_id, by_document, reason, at), each hash once: the
    latest word on it wins."""
    if not rows:
        return
    forget(conn, [r["sha256"] for r in rows])
    run(conn, "INSERT INTO superseded (sha256, path, meeting_id, by_document, reason, at) VALUES (?, ?, ?, ?, ?, ?)",
        [(r["sha256"], r["path"], r["meeting_id"], r["by_document"], r["reason"], r["at"]) for r in rows])


def replaced(conn: Connection, doc_ids: set[str], by: str, at: str) -> list[dict[str, Any]]:
    """The superseded rows of the documents `by` replaces, read before they are deleted."""
    if not doc_ids:
        return []
    marks = ", ".join("?" * len(doc_ids))
    found = run(conn, f"SELECT d.id, d.path, m.id FROM documents d JOIN meetings m ON m.document_id = d.id "
                      f"WHERE d.id IN ({marks}) ORDER BY d.id", tuple(sorted(doc_ids))).all()
    return [{"sha256": doc, "path": path, "meeting_id": meeting, "by_document": by, "reason": "replaced", "at": at}
            for doc, path, meeting in found]


def forget(conn: Connection, hashes: list[str]) -> None:
    """Drop these hashes' rows (a document stored again is current, not superseded)."""
    for at in range(0, len(hashes), 500):
        part = hashes[at:at + 500]
        run(conn, f"DELETE FROM superseded WHERE sha256 IN ({', '.join('?' * len(part))})", tuple(part))

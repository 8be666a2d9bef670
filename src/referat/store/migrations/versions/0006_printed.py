"""Nothing lost through the store, and one meeting one record.

- Items keep their number as printed (`label`: "3", "1.1", "38a") beside the integer `number` used for
  sorting and linking, and the item's URL in the source system.
- Sections keep their role (the stable English name of the heading), filled here from the headings by
  the same vocabulary the parser uses.
- Meetings keep their source (system, URL, the system's meeting id); documents the URL and time a
  harvest fetched them; attachments their URL; new tables keep the files a harvest fetched beside a
  meeting (its PDF and attachments) and the harvest's own bookkeeping (what it fetched last, per host).
- The identity rule (referat.store.rows): a meeting's id no longer hashes its kind. Every meeting is
  keyed again (municipality + body + date + start time: an archive made before this had no sources),
  items with it; where an archive holds both the agenda and the minutes of one meeting, the minutes
  are kept (of two documents of the same kind, the one ingested last) and the other document is
  deleted. Links are recomputed; the search index is rebuilt on the next open (its item count differs).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("items", sa.Column("label", sa.Text))
    op.add_column("items", sa.Column("url", sa.Text))
    op.add_column("sections", sa.Column("role", sa.String(32), nullable=False, server_default="other"))
    op.add_column("item_lists", sa.Column("url", sa.Text))
    for name, col_type in (("source_system", sa.String(32)), ("source_url", sa.Text), ("source_id", sa.Text)):
        op.add_column("meetings", sa.Column(name, col_type))
    op.create_index("ix_meetings_source", "meetings", ["source_system", "source_id"])
    op.add_column("documents", sa.Column("url", sa.Text))
    op.add_column("documents", sa.Column("fetched_at", sa.String(32)))
    op.create_table(
        "meeting_files",
        sa.Column("meeting_id", sa.String(16), nullable=False), sa.Column("url", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False), sa.Column("title", sa.Text),
        sa.Column("sha256", sa.String(64), nullable=False), sa.Column("media_type", sa.String(128)),
        sa.Column("size", sa.Integer, nullable=False), sa.Column("fetched_at", sa.String(32), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False), sa.PrimaryKeyConstraint("meeting_id", "url"))
    op.create_table(
        "harvested",
        sa.Column("host", sa.Text, nullable=False), sa.Column("source_id", sa.Text, nullable=False),
        sa.Column("meeting_date", sa.Date), sa.Column("finished", sa.Boolean, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False), sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text), sa.Column("fetched_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("host", "source_id"))
    _fill()


def _fill() -> None:
    from referat.dialect import run as run_sql
    from referat.link import relink
    from referat.parse.item import public_role
    from referat.store.rows import item_id_for, meeting_id_for

    conn = op.get_bind()

    def run(statement: str, params: Any = ()) -> Any:
        return run_sql(conn, statement, params)

    run("UPDATE items SET label = CAST(number AS TEXT)")
    headings = [r[0] for r in run("SELECT DISTINCT heading FROM sections").all()]
    roles = [(h, role) for h in headings if (role := _role(h, public_role)) != "other"]
    if roles:  # one pass over sections (a heading at a time would scan the table once per heading)
        op.create_table("section_roles", sa.Column("heading", sa.Text, primary_key=True),
                        sa.Column("role", sa.String(32), nullable=False))
        run("INSERT INTO section_roles (heading, role) VALUES (?, ?)", roles)
        run("UPDATE sections SET role = (SELECT r.role FROM section_roles r WHERE r.heading = sections.heading) "
            "WHERE heading IN (SELECT heading FROM section_roles)")
        op.drop_table("section_roles")

    # the identity rule: group the meetings by their new id; the minutes win, then the newest document
    meetings = run("SELECT m.id, m.body_id, m.date, m.start_time, m.kind, m.document_id, d.ingested_at "
                   "FROM meetings m JOIN documents d ON d.id = m.document_id").all()
    groups: dict[str, list[Any]] = {}
    for m in meetings:
        date = m[2] if m[2] is None else str(m[2])[:10]
        groups.setdefault(meeting_id_for(m[1], date, m[3]), []).append(m)
    for new_id, group in groups.items():
        group.sort(key=lambda m: (m[4] == "minutes", m[6] or "", m[5]), reverse=True)
        keep, drop = group[0], group[1:]
        for m in drop:
            run("DELETE FROM documents WHERE id = ?", (m[5],))
        if keep[0] == new_id:
            continue
        cols = [c for c in _columns(conn, "meetings") if c != "id"]
        run(f"INSERT INTO meetings (id, {', '.join(cols)}) SELECT ?, {', '.join(cols)} FROM meetings WHERE id = ?",
            (new_id, keep[0]))
        run("UPDATE participants SET meeting_id = ? WHERE meeting_id = ?", (new_id, keep[0]))
        seen: Counter[str] = Counter()
        updates = []
        for pk, label in run("SELECT pk, label FROM items WHERE meeting_id = ? ORDER BY pk", (keep[0],)).all():
            seen[label] += 1
            updates.append((item_id_for(new_id, label, seen[label]), new_id, pk))
        if updates:
            run("UPDATE items SET id = ?, meeting_id = ? WHERE pk = ?", updates)
        run("DELETE FROM meetings WHERE id = ?", (keep[0],))
    run("DELETE FROM links")
    relink(conn)


def _role(heading: str, public_role: Any) -> str:
    from referat.parse.structure import section_role

    found = section_role(heading) if heading else None
    return public_role(found[0] if found else None)


def _columns(conn: Any, table: str) -> list[str]:
    return [c["name"] for c in sa.inspect(conn).get_columns(table)]


def downgrade() -> None:
    op.drop_table("harvested")
    op.drop_table("meeting_files")
    for col in ("fetched_at", "url"):
        op.drop_column("documents", col)
    op.drop_index("ix_meetings_source", "meetings")
    for col in ("source_id", "source_url", "source_system"):
        op.drop_column("meetings", col)
    op.drop_column("item_lists", "url")
    op.drop_column("sections", "role")
    op.drop_column("items", "url")
    op.drop_column("items", "label")

"""The linked record: normalized case keys and body keys, link inputs on treatments, resolved links,
presenters as people, and a table for the user's KLE titles. Existing archives are filled in from the
stored values (the same functions ingest uses) and linked.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _item_fk() -> sa.Column:
    return sa.Column("item_pk", sa.Integer, sa.ForeignKey("items.pk", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.add_column("bodies", sa.Column("key", sa.Text))
    op.create_index("ix_bodies_key", "bodies", ["municipality", "key"])
    op.add_column("items", sa.Column("case_key", sa.Text))
    op.create_index("ix_items_case_key", "items", ["case_key"])
    for col in (sa.Column("body_key", sa.Text), sa.Column("target_date", sa.Date), sa.Column("item_numbers", sa.Text)):
        op.add_column("treatments", col)
    op.create_index("ix_treatments_target", "treatments", ["body_key", "target_date"])
    op.create_table("links", _item_fk(), sa.Column("direction", sa.String(8), nullable=False),
                    sa.Column("ord", sa.Integer, nullable=False), sa.Column("sub", sa.Integer, nullable=False),
                    sa.Column("target_meeting_id", sa.String(16), nullable=False),
                    sa.Column("target_item_id", sa.String(16)))
    op.create_index("ix_links_item", "links", ["item_pk"])
    op.create_index("ix_links_target_item", "links", ["target_item_id"])
    op.create_index("ix_links_target_meeting", "links", ["target_meeting_id"])
    op.create_table("presenters", _item_fk(), sa.Column("ord", sa.Integer, nullable=False),
                    sa.Column("person_id", sa.String(16), sa.ForeignKey("people.id"), nullable=False))
    op.create_index("ix_presenters_item", "presenters", ["item_pk"])
    op.create_index("ix_presenters_person", "presenters", ["person_id"])
    op.create_table("kle", sa.Column("code", sa.String(16), primary_key=True), sa.Column("title", sa.Text, nullable=False))
    _fill()


def _date(v: object) -> dt.date | None:
    return v if v is None or isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


def _fill() -> None:
    """Existing rows get the values ingest now computes, then the archive is linked."""
    from referat import dialect
    from referat.cases import case_key
    from referat.link import infer_date, reference_numbers, relink
    from referat.names import body_key, person_key, presenter_name

    conn = op.get_bind()
    d = dialect.sql_for(conn)

    def run(statement: str, params: Any = ()) -> Any:
        return dialect.run(conn, statement, params)

    bodies = run("SELECT id, name FROM bodies").all()
    if bodies:
        run("UPDATE bodies SET key = ? WHERE id = ?", [(body_key(name), i) for i, name in bodies])
    items = run("SELECT pk, case_number, year FROM items WHERE case_number IS NOT NULL").all()
    if items:
        run("UPDATE items SET case_key = ? WHERE pk = ?", [(case_key(c, y), pk) for pk, c, y in items])
    # a treatment is one (item_pk, direction, ord): the key works on both dialects (PostgreSQL has no rowid)
    treatments = run("SELECT t.item_pk, t.direction, t.ord, t.body, t.date, t.item_number, t.raw, i.date "
                     "FROM treatments t JOIN items i ON i.pk = t.item_pk").all()
    if treatments:
        run("UPDATE treatments SET body_key = ?, target_date = ?, item_numbers = ? "
            "WHERE item_pk = ? AND direction = ? AND ord = ?", [
                (body_key(body), (infer_date(raw, _date(date), _date(src)) if direction == "related" else _date(date)),
                 ",".join(map(str, reference_numbers(raw, number))) if direction == "related" else "", pk, direction, o)
                for pk, direction, o, body, date, number, raw, src in treatments])
    presenters = [(pk, o, person_key(name)) for pk, o, text in
                  run("SELECT item_pk, ord, text FROM item_lists WHERE kind = 'presenter'").all()
                  if (name := presenter_name(text))]
    if presenters:
        run(f"{d.insert_ignore} people (id, name) VALUES (?, ?){d.ignore_tail}",
            [(pid, n) for _, _, (n, pid) in presenters])
        run("INSERT INTO presenters (item_pk, ord, person_id) VALUES (?, ?, ?)",
            [(pk, o, pid) for pk, o, (_, pid) in presenters])
    relink(conn)


def downgrade() -> None:
    for table in ("kle", "presenters", "links"):
        op.drop_table(table)
    op.drop_index("ix_treatments_target", "treatments")
    for col in ("item_numbers", "target_date", "body_key"):
        op.drop_column("treatments", col)
    op.drop_index("ix_items_case_key", "items")
    op.drop_column("items", "case_key")
    op.drop_index("ix_bodies_key", "bodies")
    op.drop_column("bodies", "key")

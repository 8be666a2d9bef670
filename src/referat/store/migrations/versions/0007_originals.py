"""Every field of the parse record kept, and the original file beside its text.

- `originals`: each document's file byte for byte; `documents.media_type` says what it is. Documents
  ingested before this have no original (their bytes were never kept): they keep serving their text,
  and ingesting the file again adds its original.
- Printed forms the store used to reduce to people: the committee as printed on the meeting
  (`meetings.committee`), each participant's name as printed (`participants.name`), and in `item_lists`
  the absentees, substitutes and votes as printed (party letters too, which never became people).
  Filled here from what an older archive kept: the body's and people's names, the absentees, substitutes
  and votes that were people (the rest was never stored and cannot be recovered without ingesting again).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("media_type", sa.String(255)))
    op.create_table(
        "originals",
        sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("content", sa.LargeBinary, nullable=False))
    op.add_column("meetings", sa.Column("committee", sa.Text))
    op.add_column("participants", sa.Column("name", sa.Text))
    _fill()


def _fill() -> None:
    from referat.dialect import run, sql_for
    from referat.store.rows import UNKNOWN_BODY

    conn = op.get_bind()
    run(conn, "UPDATE meetings SET committee = (SELECT b.name FROM bodies b WHERE b.id = meetings.body_id "
              "AND b.name <> ?)", (UNKNOWN_BODY,))
    run(conn, "UPDATE participants SET name = (SELECT p.name FROM people p WHERE p.id = participants.person_id)")
    rowid = sql_for(conn).rowid  # insertion order is printed order; its values keep that order as `ord`
    attendance = "FROM attendance a JOIN people p ON p.id = a.{} WHERE a.status = '{}'"
    votes = "FROM votes v JOIN people p ON p.id = v.person_id WHERE v.vote = '{}'"
    for kind, alias, source in (("absent", "a", attendance.format("person_id", "absent")),
                                ("substitute", "a", attendance.format("person_id", "substitute")),
                                ("substituted", "a", attendance.format("for_person_id", "substitute")),
                                ("vote_for", "v", votes.format("for")),
                                ("vote_against", "v", votes.format("against")),
                                ("vote_abstained", "v", votes.format("abstained"))):
        run(conn, f"INSERT INTO item_lists (item_pk, kind, ord, text) "
                  f"SELECT {alias}.item_pk, '{kind}', {alias}.{rowid}, p.name {source}")


def downgrade() -> None:
    op.execute("DELETE FROM item_lists WHERE kind IN ('absent', 'substitute', 'substituted', 'vote_for', "
               "'vote_against', 'vote_abstained')")
    op.drop_column("participants", "name")
    op.drop_column("meetings", "committee")
    op.drop_table("originals")
    op.drop_column("documents", "media_type")

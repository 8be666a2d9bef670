"""Initial schema: documents, bodies, meetings, people, items and their parts, full-text tables.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _item_fk() -> sa.Column:
    return sa.Column("item_pk", sa.Integer, sa.ForeignKey("items.pk", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(64), primary_key=True), sa.Column("path", sa.Text, nullable=False),
        sa.Column("format", sa.String(16), nullable=False), sa.Column("encoding", sa.String(32)),
        sa.Column("size", sa.Integer, nullable=False), sa.Column("text", sa.Text, nullable=False),
        sa.Column("ingested_at", sa.String(32), nullable=False))
    op.create_index("ix_documents_path", "documents", ["path"])
    op.create_table(
        "bodies", sa.Column("id", sa.String(16), primary_key=True), sa.Column("name", sa.Text, nullable=False),
        sa.Column("municipality", sa.Text))
    op.create_table(
        "meetings",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("body_id", sa.String(16), sa.ForeignKey("bodies.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False), sa.Column("date", sa.Date),
        sa.Column("start_time", sa.String(5)), sa.Column("location", sa.Text),
        sa.Column("election_period", sa.String(9)), sa.Column("toc_json", sa.Text, nullable=False))
    op.create_index("ix_meetings_document", "meetings", ["document_id"])
    op.create_index("ix_meetings_body_date", "meetings", ["body_id", "date"])
    op.create_table("people", sa.Column("id", sa.String(16), primary_key=True),
                    sa.Column("name", sa.Text, nullable=False))
    op.create_table(
        "participants",
        sa.Column("meeting_id", sa.String(16), sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("ord", sa.Integer, nullable=False),
        sa.Column("person_id", sa.String(16), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("party", sa.Text))
    op.create_index("ix_participants_meeting", "participants", ["meeting_id"])
    op.create_index("ix_participants_person", "participants", ["person_id"])
    op.create_table(
        "items",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(16), nullable=False, unique=True),
        sa.Column("meeting_id", sa.String(16), sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False), sa.Column("title", sa.Text, nullable=False),
        sa.Column("case_number", sa.Text), sa.Column("closed", sa.Boolean, nullable=False),
        sa.Column("decision", sa.Text), sa.Column("decision_kind", sa.String(32)),
        sa.Column("recommending_body", sa.Text), sa.Column("body_id", sa.String(16), nullable=False),
        sa.Column("date", sa.Date), sa.Column("year", sa.Integer))
    for name, cols in (("ix_items_meeting", ["meeting_id"]), ("ix_items_case", ["case_number"]),
                       ("ix_items_body_date", ["body_id", "date"]), ("ix_items_date", ["date"]),
                       ("ix_items_kind", ["decision_kind"])):
        op.create_index(name, "items", cols)
    op.create_table("sections", _item_fk(), sa.Column("ord", sa.Integer, nullable=False),
                    sa.Column("heading", sa.Text, nullable=False), sa.Column("text", sa.Text, nullable=False))
    op.create_table("item_lists", _item_fk(), sa.Column("kind", sa.String(16), nullable=False),
                    sa.Column("ord", sa.Integer, nullable=False), sa.Column("text", sa.Text, nullable=False))
    op.create_table("attendance", _item_fk(),
                    sa.Column("person_id", sa.String(16), sa.ForeignKey("people.id"), nullable=False),
                    sa.Column("status", sa.String(16), nullable=False),
                    sa.Column("for_person_id", sa.String(16), sa.ForeignKey("people.id")))
    op.create_table("votes", _item_fk(),
                    sa.Column("person_id", sa.String(16), sa.ForeignKey("people.id"), nullable=False),
                    sa.Column("vote", sa.String(16), nullable=False))
    op.create_table("treatments", _item_fk(), sa.Column("direction", sa.String(8), nullable=False),
                    sa.Column("ord", sa.Integer, nullable=False), sa.Column("body", sa.Text, nullable=False),
                    sa.Column("date", sa.Date), sa.Column("item_number", sa.Integer), sa.Column("raw", sa.Text))
    op.create_table("amounts", _item_fk(), sa.Column("ord", sa.Integer, nullable=False),
                    sa.Column("mio_kr", sa.Float, nullable=False))
    op.create_table("item_tables", _item_fk(), sa.Column("ord", sa.Integer, nullable=False),
                    sa.Column("caption", sa.Text), sa.Column("header_json", sa.Text, nullable=False),
                    sa.Column("rows_json", sa.Text, nullable=False))
    for table in ("sections", "item_lists", "attendance", "votes", "treatments", "amounts", "item_tables"):
        op.create_index(f"ix_{table}_item", table, ["item_pk"])
    op.create_index("ix_attendance_person", "attendance", ["person_id"])
    op.create_index("ix_votes_person", "votes", ["person_id"])
    op.create_table(
        "warnings",
        sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("line", sa.Integer), sa.Column("message", sa.Text, nullable=False))
    op.create_index("ix_warnings_document", "warnings", ["document_id"])
    if op.get_bind().dialect.name == "sqlite":
        # Words are indexed as written (lowercased); queries are expanded by Danish stem over the
        # vocabulary table. remove_diacritics 0 keeps æ, ø, å (and é) as they are.
        op.execute("CREATE VIRTUAL TABLE items_fts USING fts5(title, decision, recommendation, body, "
                   "tokenize = 'unicode61 remove_diacritics 0')")
        op.execute("CREATE VIRTUAL TABLE items_fts_terms USING fts5vocab(items_fts, 'row')")
        op.execute("CREATE VIRTUAL TABLE items_trigram USING fts5(text, tokenize = 'trigram', detail = 'none')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE items_fts_terms")
        op.execute("DROP TABLE items_trigram")
        op.execute("DROP TABLE items_fts")
    for table in ("warnings", "item_tables", "amounts", "treatments", "votes", "attendance", "item_lists",
                  "sections", "items", "participants", "people", "meetings", "bodies", "documents"):
        op.drop_table(table)

"""A change log for feeds and alerts, and saved searches.

- `changes`: a row when ingest adds an item, changes its title, decision or kind (a replaced record), or
  drops it. Filled here with one `new` row per item already archived, dated by its document's ingest.
- `watches`: saved searches (`referat watch add`), with how far their last run got.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("item_id", sa.String(16), nullable=False),
        sa.Column("meeting_id", sa.String(16), nullable=False),
        sa.Column("body_id", sa.String(16), nullable=False),
        sa.Column("case_key", sa.Text),
        sa.Column("date", sa.Date),
        sa.Column("label", sa.Text),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("decision", sa.Text),
        sa.Column("decision_kind", sa.String(32)),
        sa.Column("before_title", sa.Text),
        sa.Column("before_decision", sa.Text),
        sa.Column("before_kind", sa.String(32)))
    op.create_index("ix_changes_item", "changes", ["item_id"])
    op.create_index("ix_changes_body", "changes", ["body_id", "seq"])
    op.create_index("ix_changes_case", "changes", ["case_key"])
    op.create_table(
        "watches",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("filters_json", sa.Text, nullable=False),
        sa.Column("webhook", sa.Text),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("last_seq", sa.Integer),
        sa.Column("last_run", sa.String(32)))
    # what is archived already: each item once, as new, when its document was ingested
    op.execute("INSERT INTO changes (at, kind, item_id, meeting_id, body_id, case_key, date, label, title, decision, "
               "decision_kind) SELECT d.ingested_at, 'new', i.id, i.meeting_id, i.body_id, i.case_key, i.date, "
               "i.label, i.title, i.decision, i.decision_kind FROM items i JOIN meetings m ON m.id = i.meeting_id "
               "JOIN documents d ON d.id = m.document_id ORDER BY d.ingested_at, i.pk")


def downgrade() -> None:
    op.drop_table("watches")
    op.drop_index("ix_changes_case", "changes")
    op.drop_index("ix_changes_body", "changes")
    op.drop_index("ix_changes_item", "changes")
    op.drop_table("changes")

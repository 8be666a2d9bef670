"""Documents not kept: replaced by a newer file of their meeting, or skipped in favour of one.

`superseded` remembers each such document's hash, so that ingest skips it the next time it meets the
file (a folder holding agenda v1 and v2 of one meeting no longer swaps them on every rerun).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "superseded",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("meeting_id", sa.String(16), nullable=False),
        sa.Column("by_document", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("at", sa.String(32), nullable=False))


def downgrade() -> None:
    op.drop_table("superseded")

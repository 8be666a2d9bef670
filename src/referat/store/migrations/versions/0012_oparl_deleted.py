"""OParl tombstones: the objects a replaced document took away (schema.oparl_deleted).

OParl 1.1 serves a deleted object with `deleted: true` (and lists it to clients filtering with
modified_since), so that a synchronising client learns of the deletion instead of meeting a 404.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oparl_deleted",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("object_id", sa.Text, nullable=False),
        sa.Column("body", sa.String(16), nullable=False),
        sa.Column("created", sa.String(32), nullable=False),
        sa.Column("deleted_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("kind", "object_id"))
    op.create_index("ix_oparl_deleted_body", "oparl_deleted", ["body", "kind", "deleted_at"])


def downgrade() -> None:
    op.drop_index("ix_oparl_deleted_body", "oparl_deleted")
    op.drop_table("oparl_deleted")

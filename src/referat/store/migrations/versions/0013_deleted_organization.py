"""OParl tombstones name a deleted Meeting's Organization (schema.oparl_deleted.organization).

An Organization's meeting list, filtered with modified_since, then lists the meetings a re-ingest took
away from it, as a Body's meeting list does. Tombstones written before stay without one (listed under
their Body only).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("oparl_deleted", sa.Column("organization", sa.String(16)))


def downgrade() -> None:
    with op.batch_alter_table("oparl_deleted") as batch:
        batch.drop_column("organization")

"""PostgreSQL: the change log is pruned (referat.store.indexlog).

`index_readers` holds each searching process's position in `index_changes` (by a name that outlives the
process where its index folder does) and when it was last seen; writers delete the entries every reader
seen within the retention has applied. `index_pruned.through` is the last entry deleted: a reader whose
position is below it rebuilds its index instead of replaying the log.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_table(
        "index_readers",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("applied", sa.BigInteger, nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()))
    op.create_table("index_pruned", sa.Column("through", sa.BigInteger, nullable=False))
    op.execute("INSERT INTO index_pruned (through) VALUES (0)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_table("index_pruned")
    op.drop_table("index_readers")

"""PostgreSQL: a change log that keeps every process's search index in step.

On PostgreSQL each process (web worker, CLI) holds its own tantivy index (in memory, or a folder of its
own in $REFERAT_INDEX). A writer does not touch any index: in the transaction that changes items it
appends their pks to `index_changes`; before a search each process applies the changes after the last
one it applied (it reads the items' current rows again, so replaying a change is harmless). Writers are
serialized by one advisory lock (referat.dialect.lock_for_writing), so changes commit in `seq` order and
a reader never skips one. SQLite needs no log: its index folder sits beside the file and is written in
the writer's transaction. An archive made before this gets the log empty; every process rebuilds its
index once on first search (an index without a recorded position is rebuilt).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_table(
        "index_changes",
        sa.Column("seq", sa.BigInteger, sa.Identity(always=False), primary_key=True),
        sa.Column("item_pk", sa.Integer, nullable=False))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_table("index_changes")

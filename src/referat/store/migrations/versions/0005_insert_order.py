"""PostgreSQL: an insert-order column where SQLite's rowid is read.

SQLite's rowid tells the order rows were inserted in: votes and attendance are shown in the order the
minutes print them, warnings in the order the parser gave them, and max(rowid) of `words` tells a reader
whether its cached copy of the words is current. PostgreSQL has no rowid, so these tables get `seq`, an
identity column filled on insert (referat.dialect names the column per dialect). SQLite is unchanged.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("words", "votes", "attendance", "warnings")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.add_column(table, sa.Column("seq", sa.BigInteger, sa.Identity(always=False), nullable=False))
    op.create_index("ix_words_seq", "words", ["seq"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_words_seq", "words")
    for table in TABLES:
        op.drop_column(table, "seq")

"""Substring searches move from SQLite's trigram table to a table of words and the index's `words` field.

`*klub*` used to scan the FTS5 trigram table (items_trigram) with LIKE: 350 ms at a million items, and
the trigram index was a measurable part of every ingest commit. Now the words of titles and decisions
are kept once each in `words`; a substring search picks the words containing it there (in memory) and
asks the search index for items holding any of them (field `words`, added to the index at the same time:
its version changes, so it is rebuilt from SQLite on the next open). The table is filled from the
stored items here.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from referat.dialect import run
from referat.search import index_words

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("words", sa.Column("word", sa.Text, primary_key=True))
    bind = op.get_bind()
    seen: set[str] = set()
    for title, decision in bind.exec_driver_sql("SELECT title, decision FROM items"):
        seen.update(index_words(f"{title} {decision or ''}"))
    if seen:
        run(bind, "INSERT INTO words (word) VALUES (?)", [(w,) for w in sorted(seen)])
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS items_trigram")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # 0001's table, filled again as ingest filled it (Python's lowercasing: SQLite's lower() is ASCII only)
        op.execute("CREATE VIRTUAL TABLE items_trigram USING fts5(text, tokenize = 'trigram', detail = 'none')")
        rows = [(pk, " ".join(f"{title} {decision or ''}".lower().split()))
                for pk, title, decision in bind.exec_driver_sql("SELECT pk, title, decision FROM items")]
        if rows:
            bind.exec_driver_sql("INSERT INTO items_trigram (rowid, text) VALUES (?, ?)", rows)
    op.drop_table("words")

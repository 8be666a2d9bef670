"""Search moves to a tantivy index beside the database file: drop the FTS5 word index.

The word index (items_fts, and items_fts_terms over it) is replaced by the tantivy index in
`<db>.tantivy/` (referat.store.index), which the archive rebuilds from these tables when it is
missing or differs from them. The trigram table (items_trigram) stays: it answers substring
searches (*klub*) and the compound fallback.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS items_fts_terms")
        op.execute("DROP TABLE IF EXISTS items_fts")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # 0001's tables, filled again from the stored rows. Body text here is every section (0001 left out
        # the decision and recommendation sections, which needs the parser's heading vocabulary).
        op.execute("CREATE VIRTUAL TABLE items_fts USING fts5(title, decision, recommendation, body, "
                   "tokenize = 'unicode61 remove_diacritics 0')")
        op.execute("CREATE VIRTUAL TABLE items_fts_terms USING fts5vocab(items_fts, 'row')")
        op.execute("INSERT INTO items_fts (rowid, title, decision, recommendation, body) "
                   "SELECT i.pk, i.title, coalesce(i.decision, ''), "
                   "coalesce((SELECT group_concat(text, char(10)) FROM item_lists l "
                   "          WHERE l.item_pk = i.pk AND l.kind = 'recommendation'), ''), "
                   "coalesce((SELECT group_concat(text, char(10)) FROM sections s WHERE s.item_pk = i.pk), '') "
                   "FROM items i")

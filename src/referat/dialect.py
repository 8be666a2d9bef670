"""The SQL that differs between SQLite and PostgreSQL, in one place.

The store writes its raw SQL once, with `?` placeholders (SQLite's style, and the one the code was
measured with). `run` hands it to the driver as is on SQLite and with `%s` placeholders on psycopg.
Everything else that must differ is a fragment of `Sql`, chosen by `sql_for(conn)`: SQLite keeps its
measured query-plan hints (`CROSS JOIN`, `INDEXED BY`), PostgreSQL gets plain equivalents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection, CursorResult

from referat.errors import UnsupportedDatabaseError

DIALECTS = ("sqlite", "postgresql")

# one advisory lock id for every writer of an archive (PostgreSQL): item pks are assigned as max(pk) + 1
_WRITE_LOCK = 0x7265666572617400  # "referat\0"


@dataclass(frozen=True, slots=True)
class Sql:
    """Fragments of SQL for one dialect."""

    name: str
    insert_ignore: str  # INSERT that skips rows whose key exists; `ignore_tail` closes the statement
    ignore_tail: str
    same: str  # null-safe equality: "a IS b"
    cross_join: str  # a join whose order the planner must keep (SQLite); a plain join elsewhere
    rowid: str  # a column that grows with each insert (words, votes, attendance, warnings)
    qmark: bool  # the driver takes `?` placeholders as written

    def indexed_by(self, index: str) -> str:
        """SQLite's `INDEXED BY` hint; nothing on PostgreSQL, whose planner picks by statistics."""
        return f"INDEXED BY {index}" if self.name == "sqlite" else ""

    def year(self, column: str) -> str:
        """The year of a date column, for grouping."""
        return f"strftime('%Y', {column})" if self.name == "sqlite" else f"extract(year FROM {column})"

    def concat_distinct(self, column: str) -> str:
        """The distinct values of a column joined by commas."""
        return f"group_concat(DISTINCT {column})" if self.name == "sqlite" else f"string_agg(DISTINCT {column}, ',')"

    def asc(self, expr: str) -> str:
        """Ascending with NULLs first, as SQLite sorts them (PostgreSQL puts them last)."""
        return expr if self.name == "sqlite" else f"{expr} NULLS FIRST"

    def desc(self, expr: str) -> str:
        """Descending with NULLs last, as SQLite sorts them (PostgreSQL puts them first)."""
        return f"{expr} DESC" if self.name == "sqlite" else f"{expr} DESC NULLS LAST"

    def any_value(self, column: str) -> str:
        """A column not in GROUP BY: SQLite takes it from a row of the group as it is; PostgreSQL
        needs an aggregate."""
        return column if self.name == "sqlite" else f"min({column})"


SQLITE = Sql(name="sqlite", insert_ignore="INSERT OR IGNORE INTO", ignore_tail="", same="IS", cross_join="CROSS JOIN",
             rowid="rowid", qmark=True)
POSTGRESQL = Sql(name="postgresql", insert_ignore="INSERT INTO", ignore_tail=" ON CONFLICT DO NOTHING",
                 same="IS NOT DISTINCT FROM", cross_join="JOIN", rowid="seq", qmark=False)


def sql_for(conn: Connection) -> Sql:
    """The fragments for this connection's database."""
    name = conn.dialect.name
    if name == "sqlite":
        return SQLITE
    if name == "postgresql":
        return POSTGRESQL
    raise UnsupportedDatabaseError(unsupported(name))


def unsupported(name: str) -> str:
    """The message for a database referat cannot keep an archive in."""
    return (f"referat keeps its archive in a SQLite file or in PostgreSQL (postgresql+psycopg://user@host/db), "
            f"not in {name}")


@lru_cache(maxsize=512)
def _pyformat(statement: str) -> str:
    # the store's SQL has no `?` or `%` inside string literals: every value is bound
    return statement.replace("%", "%%").replace("?", "%s")


def run(conn: Connection, statement: str, params: Sequence[Any] | list[Sequence[Any]] = ()) -> CursorResult[Any]:
    """Execute driver-level SQL written with `?` placeholders: a tuple of values, or a list of tuples for
    a bulk insert (executemany). Bypasses SQLAlchemy's per-row parameter processing, which was a third
    of ingest time."""
    if conn.dialect.paramstyle != "qmark":
        statement = _pyformat(statement)
    return conn.exec_driver_sql(statement, params if isinstance(params, list) else tuple(params))


def analyze_temporary(conn: Connection, table: str) -> None:
    """Give PostgreSQL the row count of a temporary table just filled (`table` is a fixed name, never
    data). Autovacuum never analyzes temporary tables, so PostgreSQL plans joins with them as if they
    held ~1,400 rows: hash joins over whole tables. Linking a batch (60 meetings in `link_scope`) took
    1.3 s at 360,000 items that way, growing with the archive, and 45 ms once the table was analyzed.
    SQLite needs nothing (its plans here are fixed by hints)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {table}")


def lock_for_writing(conn: Connection) -> None:
    """Serialize writers for the rest of the transaction. SQLite does so itself (one writer per file);
    on PostgreSQL two ingests would otherwise pick the same new item pks."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_WRITE_LOCK})")

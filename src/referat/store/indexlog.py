"""PostgreSQL: the search index's change log (migrations 0009, 0010) — appended by writers, followed by
every searching process, pruned so that it does not grow forever.

Writers append the pks of the items they add or delete (`append`, in their transaction). Each searching
process applies the entries after its position and records that position in `index_readers` under a
name that outlives the process where its index does (host and index folder; a process whose index is in
memory uses host and pid and leaves at close). A writer, at most every `PRUNE_EVERY` seconds, deletes the
entries every reader seen within the retention has applied (`prune`), and raises the watermark
`index_pruned.through` to the last deleted entry. A reader whose position is below the watermark (it was
away longer than the retention, or never registered) can no longer replay the log: it rebuilds its index
from the database (referat.store.upkeep, `_catch_up`).

Why writers prune: the log only grows when someone writes, so pruning on write bounds it; a reader only
reads (a search never waits on a writer's lock). Writers are serialized by the write lock, so two
prunes never race.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Sequence

from sqlalchemy.engine import Connection

from referat.dialect import run

DAY = 86_400.0


def retention() -> float:
    """Seconds a reader is waited for: entries it has not applied are kept while it was seen within this
    time ($REFERAT_INDEX_RETENTION, default 7 days). A reader away longer rebuilds its index."""
    return float(os.environ.get("REFERAT_INDEX_RETENTION") or 7 * DAY)


def prune_every() -> float:
    """Seconds between a writing process's prunes ($REFERAT_INDEX_PRUNE_EVERY, default 30 s)."""
    return float(os.environ.get("REFERAT_INDEX_PRUNE_EVERY") or 30.0)


HEARTBEAT = 10.0  # seconds between a reader's updates of its row when its position has not moved

_last_prune = -1e18  # time.monotonic() of this process's last prune


def append(conn: Connection, pks: Sequence[int]) -> None:
    """Log changed (added or deleted) item pks in the writer's transaction; prune now and then."""
    global _last_prune
    if not pks:
        return
    run(conn, "INSERT INTO index_changes (item_pk) VALUES (?)", [(pk,) for pk in pks])
    now = time.monotonic()
    if now - _last_prune >= prune_every():
        _last_prune = now
        prune(conn)


def position(conn: Connection) -> tuple[int, int]:
    """(top, through): the log's last entry (the watermark when every entry is pruned) and the watermark,
    read in one statement (one snapshot)."""
    top, through = conn.exec_driver_sql(
        "SELECT (SELECT coalesce(max(seq), 0) FROM index_changes), (SELECT through FROM index_pruned)").one()
    through = int(through or 0)
    return max(int(top), through), through


def pruned_through(conn: Connection) -> int:
    return int(conn.exec_driver_sql("SELECT through FROM index_pruned").scalar_one_or_none() or 0)


def changed(conn: Connection, after: int, upto: int) -> list[int]:
    """The distinct item pks of the entries after `after` up to `upto`, ascending."""
    return sorted({r[0] for r in run(conn, "SELECT item_pk FROM index_changes WHERE seq > ? AND seq <= ?",
                                     (after, upto))})


def reader_name(folder: str | None) -> str:
    """A reader's name in `index_readers`: host and folder for an index on disk (a restarted process takes
    its row back), host and pid for one in memory."""
    host = socket.gethostname()
    return f"{host}:{os.path.abspath(folder)}" if folder else f"{host}:pid{os.getpid()}:{id(object())}"


def register(conn: Connection, name: str, applied: int) -> None:
    """Record (and commit) that the reader holds every entry up to `applied`, seen now."""
    run(conn, "INSERT INTO index_readers (name, applied, seen_at) VALUES (?, ?, now()) "
              "ON CONFLICT (name) DO UPDATE SET applied = excluded.applied, seen_at = excluded.seen_at",
        (name, applied))
    conn.commit()


def leave(conn: Connection, name: str) -> None:
    run(conn, "DELETE FROM index_readers WHERE name = ?", (name,))
    conn.commit()


def prune(conn: Connection, keep: float | None = None) -> int:
    """Delete the entries every reader seen within `keep` seconds (default: the retention) has applied,
    forget readers not seen for that long, raise the watermark; returns how many entries went. Runs in
    the caller's transaction (a writer's: one prune at a time)."""
    keep = retention() if keep is None else keep
    run(conn, "DELETE FROM index_readers WHERE seen_at < now() - make_interval(secs => ?)", (keep,))
    top = int(conn.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM index_changes").scalar_one())
    lowest = conn.exec_driver_sql("SELECT min(applied) FROM index_readers").scalar_one()
    upto = top if lowest is None else min(top, int(lowest))
    if upto <= pruned_through(conn):
        return 0
    gone = run(conn, "DELETE FROM index_changes WHERE seq <= ?", (upto,)).rowcount
    run(conn, "UPDATE index_pruned SET through = greatest(through, ?)", (upto,))
    return int(gone or 0)

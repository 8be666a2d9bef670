"""What the store checks before it opens a database, and how it speaks of one it cannot open.

- A database URL is parsed without ever printing its password: a password with an unescaped `@` (which
  SQLAlchemy would silently read as part of the host) is refused, a URL that does not parse is named
  by its scheme alone, and a `?password=` query parameter is masked like the password itself.
- A database that is not a referat archive (another program's SQLite file, a file that is no SQLite
  database, a PostgreSQL database holding other tables) is refused before anything writes to it: no
  migration runs, no index folder is made. Only the commands that add documents start an archive in an
  empty database.
- A read-only SQLite archive (the file, its folder or its write-ahead log not writable) is opened
  read-only: read commands work, and the commands that write say so in one line.
- A driver's error becomes its first line, with no SQL statement, no parameters (document text) and no
  password.
"""

from __future__ import annotations

import os
import sqlite3
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, unquote

from sqlalchemy import URL, make_url

from referat.errors import ReferatError

SQLITE_MAGIC = b"SQLite format 3\x00"
MASK = "***"


class DatabaseUrlError(ReferatError):
    """A database URL that cannot be read safely; the message never holds its password."""


class NotAnArchiveError(ReferatError):
    """The database exists but is not a referat archive (or is one of a newer referat); it is left as it was."""


class ReadOnlyArchiveError(ReferatError):
    """A command that writes was given an archive it may not write to."""


def _userinfo(db: str) -> str:
    """The raw user:password part of a URL (up to the last @ before the path), '' if there is none."""
    rest = db.split("://", 1)[1] if "://" in db else ""
    head = rest.split("?", 1)[0]
    return head[: head.rfind("@")] if "@" in head else ""


def secrets(db: str) -> list[str]:
    """Every form in which the URL's password could appear in a message, longest first."""
    if "://" not in db:
        return []
    found: set[str] = set()
    info = _userinfo(db)
    if ":" in info:
        found.add(info.split(":", 1)[1])
    if "@" in info:  # an unescaped @: SQLAlchemy would take the password's tail for the host
        found.update(info.split("@"))
        found.add(info)
    query = db.split("?", 1)[1] if "?" in db else ""
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key.lower() in ("password", "passwd", "pass"):
            found.add(value)
    try:
        url = make_url(db)
        if url.password:
            found.add(str(url.password))
    except Exception:  # noqa: BLE001, S110 - a URL that does not parse has given what it has above
        pass
    found |= {unquote(s) for s in found}
    return sorted((s for s in found if s and s not in ("postgresql", "sqlite")), key=len, reverse=True)


def scrub(message: str, db: str) -> str:
    """The message with every form of the database's password replaced by ***."""
    for s in secrets(db):
        message = message.replace(s, MASK)
    return message


def shown(db: str) -> str:
    """The database as messages name it: a file's path as given, a URL without its password (in the
    user part or as a query parameter); a URL that does not parse, by its scheme only."""
    if "://" not in db:
        return db
    try:
        url = checked_url(db)
    except DatabaseUrlError:
        return db.split("://", 1)[0] + "://…"
    query = {k: (MASK if k.lower() in ("password", "passwd", "pass") else v) for k, v in url.query.items()}
    return scrub(url.set(query=query).render_as_string(hide_password=True).replace("%2A%2A%2A", MASK), db)


def checked_url(db: str) -> URL:
    """The database URL parsed, or DatabaseUrlError naming the mistake (never the password)."""
    scheme = db.split("://", 1)[0]
    hint = ("percent-encode special characters in the user name and password (@ as %40, : as %3A, "
            "/ as %2F), or give the password in $PGPASSWORD or ~/.pgpass")
    if "@" in _userinfo(db):
        raise DatabaseUrlError(f"{scheme}://…: the user name or password holds an unescaped '@': {hint}")
    try:
        url = make_url(db)
    except Exception:  # noqa: BLE001 - ValueError, ArgumentError, … : all say the same to the user
        raise DatabaseUrlError(f"{scheme}://…: not a database URL that can be read: {hint}") from None
    if url.host and any(c in url.host for c in "@/ "):
        raise DatabaseUrlError(f"{scheme}://…: the host part cannot be read: {hint}")
    return url


def sqlite_url(path: str) -> URL:
    """The URL of a SQLite archive file: the path as a file name, whatever it holds (`?`, `#`, `%`).
    SQLite's own `file:` URIs are refused: SQLAlchemy would make a file literally named `file:…` and
    ignore the options (`mode=ro`); a read-only archive is found and opened read-only without them."""
    if path.startswith("file:"):
        raise DatabaseUrlError(f"{path}: give the archive's file path (a read-only archive opens read-only by "
                               f"itself), not a SQLite file: URI")
    return URL.create("sqlite", database=path)


def first_line(exc: BaseException, db: str) -> str:
    """A driver's error as one line: the DBAPI's own message (SQLAlchemy appends the statement, its
    parameters, which hold document text, and a link on further lines), without the password."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return scrub(reason[0] if reason else type(exc).__name__, db)


@lru_cache(maxsize=1)
def revisions() -> frozenset[str]:
    """The schema revisions this referat knows (its migrations' ids)."""
    from alembic.script import ScriptDirectory

    from referat.store.archive import MIGRATIONS

    return frozenset(s.revision for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions())


@lru_cache(maxsize=1)
def head() -> str:
    from alembic.script import ScriptDirectory

    from referat.store.archive import MIGRATIONS

    return str(ScriptDirectory(str(MIGRATIONS)).get_current_head())


def check_tables(name: str, tables: set[str], version: str | None, create: bool) -> None:
    """Refuse a database that holds no archive (unless one is to be made in it) or another's tables."""
    if not tables:
        if not create:
            raise NotAnArchiveError(f"{name}: an empty database, no archive yet; `referat ingest FILES --db {name}` makes one")
        return
    if "alembic_version" not in tables or not {"documents", "items"} <= tables:
        some = ", ".join(sorted(tables)[:6]) + (", …" if len(tables) > 6 else "")
        raise NotAnArchiveError(f"{name}: not a referat archive (a database of another program, with tables {some}); "
                                f"left unchanged: give an archive made by `referat ingest`, or a new file")
    if version not in revisions():
        raise NotAnArchiveError(f"{name}: schema revision {version!r} is not one this referat knows (an archive of a "
                                f"newer referat, or another program's database); left unchanged")


def sqlite_file(path: str, name: str, create: bool) -> bool:
    """Check a SQLite archive file before SQLAlchemy opens it (which would set WAL mode, migrate and make
    the index folder); True when it must be opened read-only. Reads only: a foreign file keeps its
    bytes and its times."""
    p = Path(path)
    if not p.exists():
        if not create:
            raise NotAnArchiveError(f"{name}: no archive here; `referat ingest FILES --db {name}` makes one")
        return False
    if p.is_dir():
        raise NotAnArchiveError(f"{name}: a folder, not an archive file")
    if not p.is_file():
        raise NotAnArchiveError(f"{name}: not a regular file (a device or a pipe), not an archive")
    try:
        with p.open("rb") as f:
            magic = f.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise NotAnArchiveError(f"{name}: cannot read it: {exc.strerror}") from None
    if not magic:
        if not create:
            raise NotAnArchiveError(f"{name}: an empty file, no archive yet; `referat ingest FILES --db {name}` makes one")
        return False
    if magic != SQLITE_MAGIC:
        raise NotAnArchiveError(f"{name}: not a referat archive (not a SQLite database file); left unchanged")
    read_only = not writable(p)
    tables, version = _sqlite_tables(p, name)
    check_tables(name, tables, version, create)
    if read_only and version != head():
        raise ReadOnlyArchiveError(f"{name}: read-only, and its schema (revision {version}) needs upgrading to this "
                                   f"referat's ({head()}): make it writable once, or use the referat that made it")
    return read_only


def writable(p: Path) -> bool:
    """Whether SQLite may write the archive: the file, its folder (WAL mode makes -wal and -shm files
    there) and those files where they exist. os.access answers for the real user and capabilities."""
    sides = [Path(f"{p}-wal"), Path(f"{p}-shm")]
    return (os.access(p, os.W_OK) and os.access(p.parent, os.W_OK | os.X_OK)
            and all(os.access(s, os.W_OK) for s in sides if s.exists()))


def _ro_uri(path: str | Path) -> str:
    """SQLite's URI for reading the file without writing anything beside it: `immutable=1` (no locks,
    no -shm file: a read-only folder has none and cannot get one) unless a write-ahead log with
    content exists, whose pages only `mode=ro` reads."""
    p = Path(path).resolve()
    wal = Path(f"{p}-wal")
    live = wal.exists() and wal.stat().st_size > 0
    return f"file:{quote(str(p))}?{'mode=ro' if live else 'immutable=1'}"


def read_only_uri(path: str) -> str:
    """A SQLAlchemy URL that opens the file read-only."""
    return f"sqlite:///{_ro_uri(path)}&uri=true"


def _sqlite_tables(p: Path, name: str) -> tuple[set[str], str | None]:
    uri = _ro_uri(p) if not writable(p) else f"file:{quote(str(p.resolve()))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                version = row[0] if row else None
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise NotAnArchiveError(f"{name}: cannot open the database: {str(exc).splitlines()[0]}") from None
    return tables, version

"""Databases referat must not harm or expose (referat.store.guard): another program's database and a
file that is no database are refused unchanged by every command; database URLs never show their
password, however malformed; a read-only archive is read, and writing to it is refused in one line."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import EXAMPLES, GENRE, ROOT
from referat.ingest import ingest
from referat.store import Archive
from referat.store.guard import DatabaseUrlError, NotAnArchiveError, checked_url, shown

# every command that opens an archive, with arguments that would work on a real one
COMMANDS = [["stats"], ["search", "budget"], ["show", "meeting", "x"], ["export"], ["case", "24-3-85.10.00-P07"],
            ["person", "Lars Holm"], ["body", "Byrådet"], ["series"], ["calendar"], ["watch", "list"],
            ["link"], ["ingest", str(EXAMPLES)], ["kle", "load", str(ROOT / "README.md")], ["serve", "--port", "1"]]


def run(*args: str, prefix: tuple[str, ...] = (), env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*prefix, sys.executable, "-m", "referat.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, check=False, env={**os.environ, **(env or {})}, timeout=120)


def fingerprint(path: Path) -> tuple[str, int, list[str]]:
    """The file's bytes and modification time, and what lies beside it (no .tantivy folder, no -wal)."""
    return (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns,
            sorted(p.name for p in path.parent.iterdir()))


def each_command(db: str, commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda cmd: run(*cmd, "--db", db), commands))


@pytest.mark.parametrize("kind", ["another program's SQLite", "not SQLite at all", "a README"])
def test_a_database_that_is_not_an_archive_is_refused_unchanged_by_every_command(tmp_path: Path, kind: str) -> None:
    db = tmp_path / "other.db"
    if kind == "another program's SQLite":
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO users VALUES (1, 'Ane')")
        conn.commit()
        conn.close()
    elif kind == "not SQLite at all":
        db.write_bytes(bytes(range(256)) * 40)
    else:
        shutil.copy(ROOT / "README.md", db)
    before = fingerprint(db)
    # every command on another program's database; the reading, writing and serving kinds on the others
    commands = COMMANDS if kind == "another program's SQLite" else [["stats"], ["ingest", str(EXAMPLES)], ["serve", "--port", "1"]]
    for cmd, res in zip(commands, each_command(str(db), commands)):
        assert res.returncode == 1, (cmd, res.stdout, res.stderr)
        assert res.stderr.count("\n") == 1 and "not a referat archive" in res.stderr, (cmd, res.stderr)
        assert "Traceback" not in res.stderr + res.stdout
    assert fingerprint(db) == before


def test_an_empty_file_becomes_an_archive_only_for_ingest(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    db.touch()
    res = run("stats", "--db", str(db))
    assert res.returncode == 1 and "no archive yet" in res.stderr and db.stat().st_size == 0
    assert run("ingest", str(EXAMPLES), "--db", str(db)).returncode == 0
    assert run("stats", "--db", str(db)).returncode == 0


def test_an_archive_of_a_newer_referat_is_refused_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    ingest(Archive(str(db)), [str(EXAMPLES / "vesteraa_dagsorden_2025-01-15.txt")]).outcomes  # noqa: B018
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()
    before = fingerprint(db)
    with pytest.raises(NotAnArchiveError, match="9999_from_the_future"):
        Archive(str(db))
    assert fingerprint(db) == before


def _empty_database(postgres, name: str) -> str:  # noqa: ANN001 - a tests/pgserver.PostgresServer
    """A new database with no tables (create_database copies a template that holds the archive's schema)."""
    name = f"{name}_{os.getpid()}"
    postgres.sql(f"CREATE DATABASE {name}")
    return postgres.url(name)


def test_a_postgresql_database_is_started_only_by_ingest_and_never_when_it_holds_other_tables(postgres) -> None:  # noqa: ANN001
    url = _empty_database(postgres, "empty")
    try:
        res = run("stats", "--db", url)
        assert res.returncode == 1 and "empty database" in res.stderr
        with pytest.raises(NotAnArchiveError):
            Archive(url, create=False)
        assert Archive(url).stats()["documents"] == 0  # create (ingest's way): the archive is made
    finally:
        postgres.drop_database(url)
    url = _empty_database(postgres, "other")
    try:
        from sqlalchemy import create_engine

        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE users (id int)")
        for res in (run("stats", "--db", url), run("ingest", str(EXAMPLES), "--db", url)):
            assert res.returncode == 1 and "not a referat archive" in res.stderr, res.stderr
        with engine.connect() as conn:
            tables = {r[0] for r in conn.exec_driver_sql(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
        engine.dispose()
        assert tables == {"users"}
    finally:
        postgres.drop_database(url)


# --- database URLs: the password is never printed -------------------------------------------------

SECRET = "Hemmelig7Kode"
URLS = [
    f"postgresql://admin:{SECRET[:8]}@{SECRET[8:]}:w0rd@127.0.0.1:1/referat",  # unescaped @ and :
    f"postgresql://admin:{SECRET[:8]}@{SECRET[8:]}@127.0.0.1:1/referat",  # unescaped @ only: SQLAlchemy takes a host
    f"postgresql://admin:{SECRET}@[::1/referat",  # a malformed host
    f"postgresql://admin:{SECRET}@127.0.0.1:notaport/referat",
    f"postgresql://127.0.0.1:1/referat?password={SECRET}&user=admin",  # libpq's query parameter
    f"postgresql://admin:{SECRET}@127.0.0.1:1/referat",  # well formed, nothing listening
    f"postgresql+psycopg://admin:{SECRET}@/referat?host=/nonexistent/socket",
    f"mysql://admin:{SECRET}@127.0.0.1/referat",
]


def _leaks(text: str) -> bool:
    return SECRET in text or SECRET[:8] in text or SECRET[8:] in text


def test_no_command_prints_the_password_of_a_database_url() -> None:
    assert not any(_leaks(shown(url)) for url in URLS)
    cases = [([*cmd, "--db", url], {}) for url in URLS for cmd in (["stats"], ["search", "budget"], ["ingest", str(EXAMPLES)])]
    cases += [([*cmd, "--db", url], {}) for url in URLS[:2] for cmd in (["export"], ["serve", "--port", "1"], ["link"])]
    cases += [(["stats"], {"REFERAT_DB": url}) for url in URLS[:2]]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda c: run(*c[0], env=c[1]), cases))
    for (cmd, _), res in zip(cases, results):
        assert res.returncode == 1, (cmd, res.stderr)
        assert not _leaks(res.stdout + res.stderr), (cmd, res.stderr)
        assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr, (cmd, res.stderr)


def test_a_password_with_an_unescaped_at_is_refused_before_sqlalchemy_misreads_it() -> None:
    with pytest.raises(DatabaseUrlError, match="unescaped '@'") as exc:
        checked_url("postgresql://admin:p@ss@db.example/referat")  # SQLAlchemy: password "p", host "ss@db.example"
    assert "ss@db" not in str(exc.value)
    assert checked_url("postgresql://admin:p%40ss@db.example/referat").password == "p@ss"
    assert shown("postgresql://u@h/db?password=x&sslmode=require") == "postgresql://u@h/db?password=***&sslmode=require"


# --- a read-only archive --------------------------------------------------------------------------

def _unprivileged() -> tuple[str, ...]:
    """Run as a user the file modes bind: root keeps CAP_DAC_OVERRIDE unless setpriv drops it."""
    if os.geteuid() != 0:
        return ()
    if not shutil.which("setpriv"):
        pytest.skip("running as root and setpriv (util-linux) is missing: file modes would not bind root")
    return ("setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search", "--")


@pytest.mark.parametrize("folder_read_only", [False, True])
def test_a_read_only_archive_is_read_and_writing_commands_say_so_in_one_line(tmp_path: Path, folder_read_only: bool) -> None:
    prefix = _unprivileged()
    folder = tmp_path / "archive"
    folder.mkdir()
    db = folder / "a.db"
    Archive(str(db)).close()
    assert ingest(Archive(str(db)), [str(EXAMPLES)]).count("failed") == 0
    db.chmod(0o444)
    if folder_read_only:
        for p in folder.rglob("*"):
            p.chmod(0o555 if p.is_dir() else 0o444)
        folder.chmod(0o555)
    before = fingerprint(db)
    try:
        stats = run("stats", "--db", str(db), "--format", "json", prefix=prefix)
        assert stats.returncode == 0 and '"items": 20' in stats.stdout, stats.stderr
        found = run("search", "jobklub", "--db", str(db), prefix=prefix)
        assert found.returncode == 0 and "Jobklubber for unge ledige" in found.stdout, found.stderr
        assert run("export", "--db", str(db), prefix=prefix).stdout.count("\n") == 20
        text = (GENRE / sorted(os.listdir(GENRE))[0]).read_text(encoding="utf-8", errors="replace")
        for cmd in (["ingest", str(GENRE)], ["link"], ["kle", "load", str(ROOT / "README.md")], ["watch", "remove", "x"]):
            res = run(*cmd, "--db", str(db), prefix=prefix)
            assert res.returncode == 1 and res.stderr.count("\n") == 1 and "read-only" in res.stderr, (cmd, res.stderr)
            assert not any(w in res.stderr for w in ("INSERT", "SELECT", "[SQL", "sqlalche.me", text[:40].strip()))
        assert fingerprint(db) == before
    finally:
        folder.chmod(0o755)
        for p in folder.rglob("*"):
            p.chmod(0o755 if p.is_dir() else 0o644)

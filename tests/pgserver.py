"""A throwaway PostgreSQL server for the tests: initdb into a temporary folder, started on a free port of
127.0.0.1, stopped and removed at the end. Debian's `postgresql` package provides the binaries
(/usr/lib/postgresql/*/bin; `make test` installs it). PostgreSQL refuses to run as root, so as root the
server runs as the `postgres` user that the package creates, in a folder owned by it.

Each test gets a database of its own, copied from a template migrated once (CREATE DATABASE … TEMPLATE),
so that opening an archive does not run the migrations again for every test.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

USER = "postgres"
TEMPLATE = "referat_template"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine, or the server would not start."""


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise PostgresUnavailable("PostgreSQL is not installed (no initdb): `apt-get install postgresql`, as `make test` does")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    root: Path
    bindir: Path
    port: int
    as_user: list[str]  # the command prefix that runs a binary as the server's user
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str) -> None:
        """Run one statement in the maintenance database, outside a transaction (CREATE/DROP DATABASE)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname="postgres", autocommit=True) as c:
            c.execute(statement)  # type: ignore[arg-type]

    def create_database(self) -> str:
        """A new database at the archive's newest schema; returns its URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        self.sql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        self.sql(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    def stop(self) -> None:
        subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "stop", "-D", str(self.root / "data"), "-m", "fast",
                        "-w"], capture_output=True, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def start(settings: str = "") -> PostgresServer:
    """Create and start a server; the caller stops it. Raises PostgresUnavailable with the reason.
    `settings` ("-c name=value ...") come after the throwaway defaults and override them (bench/scale.py
    turns durability back on)."""
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="referat-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        try:
            entry = pwd.getpwnam(USER)
        except KeyError as exc:
            raise PostgresUnavailable(f"running as root and there is no '{USER}' user to run PostgreSQL as") from exc
        os.chown(root, entry.pw_uid, entry.pw_gid)
        as_user = ["runuser", "-u", USER, "--"]
    data, log = root / "data", root / "server.log"
    # C collation: text sorts by code point, as SQLite's BINARY does (Æ, Ø, Å after Z)
    init = subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8",
                           "--locale=C", "--no-sync"], capture_output=True, text=True, check=False)
    if init.returncode:
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(f"initdb failed: {init.stderr.strip()[-500:]}")
    # durability off: a throwaway server; many connections: the tests leave archives open
    options = ("-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
               f"-c max_connections=300 -c unix_socket_directories={root} {settings}").strip()
    for _ in range(3):  # another process may take the free port between our look and the server's bind
        port = _free_port()
        started = subprocess.run([*as_user, str(bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data),
                                  "-l", str(log), "-o", f"-p {port} {options}"], capture_output=True, text=True,
                                 check=False)
        if started.returncode == 0:
            server = PostgresServer(root, bindir, port, as_user)
            try:
                server.sql(f"CREATE DATABASE {TEMPLATE}")
                _migrate(server.url(TEMPLATE))
            except BaseException:
                server.stop()
                raise
            return server
    reason = log.read_text(errors="replace")[-800:] if log.exists() else started.stderr
    shutil.rmtree(root, ignore_errors=True)
    raise PostgresUnavailable(f"the PostgreSQL server did not start: {reason}")


def _migrate(url: str) -> None:
    from referat.store import Archive

    Archive(url).close()  # runs every migration; close() lets the template be copied (no connections)

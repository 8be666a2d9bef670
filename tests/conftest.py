"""Shared test fixtures: where the real minutes and gold files live (../shared, never copied here), and the
databases the archive tests run on (SQLite files and a throwaway PostgreSQL server)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import pgserver
from pgserver import PostgresServer, PostgresUnavailable

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REFERAT_SHARED", ROOT.parent / "shared"))
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
EXAMPLES = ROOT / "examples"
GENRE = ROOT / "tests" / "fixtures" / "genre"

needs_shared = pytest.mark.skipif(not SEEDS, reason=f"real minutes not found in {SHARED}/seeds")


# --- databases: every archive test runs on SQLite and on a real PostgreSQL server ---------------------

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server for the session (tests/pgserver.py), started when first needed."""
    try:
        server = pgserver.start()
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture()
def new_db(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Makes empty archives' databases on the test's backend: `new_db("a.db")` is a file in tmp_path on
    SQLite, a new database (dropped after the test) on PostgreSQL."""
    if backend == "sqlite":
        yield lambda name: str(tmp_path / name)
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    made: list[str] = []

    def make(_name: str) -> str:
        made.append(server.create_database())
        return made[-1]

    yield make
    for url in made:
        server.drop_database(url)


def module_db(request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database for a module-scoped archive on the given backend (PostgreSQL's is dropped with the server)."""
    if backend == "sqlite":
        return str(tmp_path_factory.mktemp(backend) / "a.db")
    return request.getfixturevalue("postgres").create_database()

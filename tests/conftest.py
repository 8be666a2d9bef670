"""Shared test fixtures: where the real minutes and gold files live (../shared, never copied here), and the
databases the archive tests run on (SQLite files and a throwaway PostgreSQL server)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

import pgserver
from pgserver import PostgresServer, PostgresUnavailable

if TYPE_CHECKING:
    from referat.store import Archive

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REFERAT_SHARED", ROOT.parent / "shared"))
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
EXAMPLES = ROOT / "examples"
GENRE = ROOT / "tests" / "fixtures" / "genre"

needs_shared = pytest.mark.skipif(not SEEDS, reason=f"real minutes not found in {SHARED}/seeds")

# hypothesis: `make test` draws the same examples on every run (a gate fails when the code changed, not by
# chance); `make check-long` explores with fresh random ones (REFERAT_HYPOTHESIS=explore). Loaded here,
# before the test modules' own @settings are made, which inherit from it.
settings.register_profile("gate", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("REFERAT_HYPOTHESIS", "gate"))


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


# --- comparing archives ---------------------------------------------------------------------------

def snapshot(archive: Archive) -> dict[str, list]:
    """The archive's content without times of ingest or fetch and without integer keys."""
    queries = {
        "documents": "SELECT id, path, format, size, text, url FROM documents",
        "meetings": "SELECT id, document_id, body_id, kind, date, start_time, location, source_system, source_url, "
                    "source_id FROM meetings",
        "items": "SELECT id, meeting_id, number, label, title, case_number, closed, decision, decision_kind, url FROM items",
        "sections": "SELECT i.id, s.ord, s.heading, s.role, s.text FROM sections s JOIN items i ON i.pk = s.item_pk",
        "item_lists": "SELECT i.id, l.kind, l.ord, l.text, l.url FROM item_lists l JOIN items i ON i.pk = l.item_pk",
        "participants": "SELECT meeting_id, ord, person_id, party FROM participants",
        "attendance": "SELECT i.id, a.person_id, a.status FROM attendance a JOIN items i ON i.pk = a.item_pk",
        "harvested": "SELECT host, source_id, meeting_date, finished, sha256, status FROM harvested",
        "links": "SELECT i.id, l.direction, l.ord, l.target_meeting_id, l.target_item_id FROM links l "
                 "JOIN items i ON i.pk = l.item_pk",
    }
    with archive.engine.connect() as conn:
        return {k: sorted(tuple(str(v) for v in r) for r in conn.exec_driver_sql(q)) for k, q in queries.items()}

"""Search stays consistent across processes on one PostgreSQL database (issue 15).

Each process keeps its own search index and applies the change log (migration 0009) before a search:
two `referat serve` processes find an item ingested by a third within 5 s; an index folder that records
its position replays only the log's tail when opened again; tied hits come out in one order on both
stores however the items were ingested (newest meeting first, then item id).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgserver import PostgresServer, _free_port
from referat.ingest import ingest
from referat.store import Archive

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").iterdir())
LATE = ROOT / "examples" / "vesteraa_dagsorden_2025-01-15.txt"  # ingested last, by another process
LATE_WORD = "skoledistrikter"  # a word in no other example


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REFERAT_INDEX", "REFERAT_DB")}
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _search(port: int, word: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q={word}&limit=10", timeout=5) as r:
            return json.load(r)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


@pytest.fixture()
def pg_db(postgres: PostgresServer) -> Iterator[str]:
    url = postgres.create_database()
    yield url
    postgres.drop_database(url)


def test_two_servers_find_an_item_ingested_by_a_third_process_within_5_s(pg_db: str, tmp_path: Path) -> None:
    early = tmp_path / "early"
    early.mkdir()
    for f in EXAMPLES:
        if f != LATE:
            shutil.copy(f, early / f.name)
    with Archive(pg_db) as a:
        assert ingest(a, [str(early)]).count("ingested") == len(EXAMPLES) - 1
    ports = [_free_port(), _free_port()]
    servers = [subprocess.Popen([sys.executable, "-m", "referat.cli", "serve", "--db", pg_db, "--port", str(p)],
                                env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for p in ports]
    try:
        deadline = time.monotonic() + 40
        for port, server in zip(ports, servers):
            while (before := _search(port, "jobklub")) is None:
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                assert time.monotonic() < deadline, "the server did not answer within 40 s"
                time.sleep(0.2)
            assert before["total"] > 0  # each server loaded the index from the database
            assert _search(port, LATE_WORD)["total"] == 0  # type: ignore[index]
        done = subprocess.run([sys.executable, "-m", "referat.cli", "ingest", str(LATE), "--db", pg_db],
                              env=_env(), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and "1 indlæst," in done.stdout, done.stderr
        ingested = time.monotonic()
        for port in ports:
            while not (found := _search(port, LATE_WORD)) or found["total"] == 0:
                assert time.monotonic() - ingested < 5, f"server on {port} did not find the new item within 5 s"
                time.sleep(0.1)
            assert found["total"] == 1 and found["hits"][0]["date"] == "2025-01-15"
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)


def test_an_index_folder_replays_only_the_log_tail_when_opened_again(pg_db: str, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "index"
    monkeypatch.setenv("REFERAT_INDEX", str(folder))
    early = [str(f) for f in EXAMPLES if f != LATE]
    with Archive(pg_db) as a:
        ingest(a, early)
        assert a.search("jobklub").total > 0 and a.search(LATE_WORD).total == 0
        seen = a.search_index.applied()
        assert seen is not None and seen > 0
    monkeypatch.delenv("REFERAT_INDEX")
    with Archive(pg_db) as writer:  # another process's view: its own index in memory
        ingest(writer, [str(LATE)])
    monkeypatch.setenv("REFERAT_INDEX", str(folder))
    with Archive(pg_db) as a:
        assert a.search_index.applied() == seen  # the folder kept its position and its documents
        assert a.search_index.searcher().num_docs > 0
        rebuilt = []
        monkeypatch.setattr(a, "reindex", lambda *args: rebuilt.append(1))  # type: ignore[method-assign]
        assert a.search(LATE_WORD).total == 1 and a.search("jobklub").total > 0
        assert not rebuilt  # the tail was applied, not the whole archive
        assert a.search_index.applied() > seen  # type: ignore[operator]
        with Archive(pg_db) as b:  # a second worker with the same environment takes a numbered copy
            assert b.search(LATE_WORD).total == 1 and b.search_index.path == f"{folder}.1"


def _order(a: Archive, query: str) -> list[tuple[float, str, str]]:
    hits = a.search(query, limit=20, facets=False).hits
    return [(h.score, str(h.date), h.id) for h in hits]


@pytest.mark.parametrize("query", ["dagsorden", "godkendt", "godkend*"])
def test_ties_come_out_in_one_order_on_both_stores(pg_db: str, tmp_path: Path, query: str) -> None:
    forward = [str(f) for f in EXAMPLES]
    with Archive(tmp_path / "a.db") as sqlite, Archive(pg_db) as pg:
        for f in forward:  # SQLite in one order, a document per batch (a segment each) ...
            ingest(sqlite, [f])
        ingest(pg, list(reversed(forward)))  # ... PostgreSQL in the other order, in one batch
        left, right = _order(sqlite, query), _order(pg, query)
    assert [h[2] for h in left] == [h[2] for h in right]
    # the order is the documented one: score, then newest meeting, then item id; and there are ties to order
    assert left == sorted(left, key=lambda h: (-h[0], _newest_first(h[1]), h[2]))
    assert len({h[0] for h in left}) < len(left)


def _newest_first(day: str) -> tuple[int, ...]:
    return tuple(-int(x) for x in day.split("-")) if day != "None" else (1,)


def test_one_batch_holding_a_document_twice_and_a_new_version_of_a_meeting(new_db, backend: str,
                                                                           tmp_path: Path) -> None:
    """PostgreSQL writes a batch's rows per table at its end; documents of one batch that meet (the same
    file twice, a second version of a meeting) are written in order, as SQLite writes them."""
    first = ROOT / "examples" / "vesteraa_beskaeftigelse_2024-03-12.md"
    second = tmp_path / "v2" / first.name
    second.parent.mkdir()
    second.write_text(first.read_text(encoding="utf-8").replace("Til efterretning.", "Til efterretning med ændringsforslaget."),
                      encoding="utf-8")
    (tmp_path / "again").mkdir()
    shutil.copy(first, tmp_path / "again" / first.name)
    with Archive(new_db("a.db")) as a:
        summary = ingest(a, [str(first), str(tmp_path / "again" / first.name), str(second), str(LATE)])
        assert [o.status for o in summary.outcomes] == ["ingested", "skipped", "replaced", "ingested"]
        stats = a.stats()
        assert (stats["documents"], stats["meetings"]) == (2, 2)
        assert a.search("ændringsforslaget").total >= 1 and a.search(LATE_WORD).total == 1
        with a.engine.connect() as conn:
            pks = sorted(r[0] for r in conn.exec_driver_sql("SELECT pk FROM items"))
        assert a.searcher().num_docs == len(pks) == stats["items"]


def test_a_pg_dump_restores_into_a_working_archive(pg_db: str, postgres: PostgresServer, tmp_path: Path) -> None:
    """The backup docs/deploy.md describes: pg_dump -Fc, pg_restore into a new database; the restored
    archive answers the same (its servers rebuild their search index from it on first search)."""
    with Archive(pg_db) as a:
        ingest(a, [str(f) for f in EXAMPLES if f != LATE])
        stats, found = a.stats(), [h.id for h in a.search("jobklub").hits]
    dump = tmp_path / "referat.dump"
    name = pg_db.rsplit("/", 1)[1]
    conn = ["-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres"]
    subprocess.run([str(postgres.bindir / "pg_dump"), *conn, "-Fc", "-f", str(dump), name], check=True, timeout=60)
    restored = postgres.url(name + "_restored")
    postgres.sql(f"CREATE DATABASE {name}_restored")
    try:
        subprocess.run([str(postgres.bindir / "pg_restore"), *conn, "-d", f"{name}_restored", "--no-owner",
                        str(dump)], check=True, timeout=60)
        with Archive(restored) as b:
            assert b.stats() == stats and [h.id for h in b.search("jobklub").hits] == found
            assert b.search(LATE_WORD).total == 0
            assert ingest(b, [str(LATE)]).count("ingested") == 1  # writes go on (sequences and the log came along)
            assert b.search(LATE_WORD).total == 1
    finally:
        postgres.drop_database(restored)

"""The PostgreSQL change log is pruned (referat.store.indexlog, migration 0010), and a server that fell
behind the pruning rebuilds its index instead of missing changes (issue 15).

Writers delete the entries every reader seen within the retention has applied; readers record their
position in index_readers. Tested with two `referat serve` processes and ingests from third processes,
and in-process with archives whose index folders (or rows) stand for servers away for days.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgserver import PostgresServer, _free_port
from referat.ingest import ingest
from referat.store import Archive

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "examples" / "vesteraa_dagsorden_2025-01-15.txt"
EARLY = [str(f) for f in sorted((ROOT / "examples").iterdir()) if f != BASE]
MARKERS = ["kanalbroen", "fyrskibet", "vandtårnet", "havnebadet"]  # in no example


def variant(folder: Path, k: int) -> str:
    """A meeting of its own (another day) whose item 2 title holds MARKERS[k]."""
    text = BASE.read_text(encoding="utf-8").replace("15-01-2025", f"{16 + k}-01-2025")
    text = text.replace("15. januar 2025", f"{16 + k}. januar 2025")
    text = text.replace("Skoledistrikter fra skoleåret 2025/26", f"Skoledistrikter fra skoleåret 2025/26 og {MARKERS[k]}")
    path = folder / f"variant{k}.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFERAT_")}
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def log_state(db: str) -> tuple[list[int], int, dict[str, int]]:
    """(entries' seqs, watermark, readers' positions) as the database holds them."""
    with Archive(db) as a, a.engine.connect() as conn:
        seqs = [r[0] for r in conn.exec_driver_sql("SELECT seq FROM index_changes ORDER BY seq")]
        through = conn.exec_driver_sql("SELECT through FROM index_pruned").scalar_one()
        readers = dict(conn.exec_driver_sql("SELECT name, applied FROM index_readers").all())
    return seqs, through, readers


@pytest.fixture()
def pg_db(postgres: PostgresServer) -> Iterator[str]:
    url = postgres.create_database()
    yield url
    postgres.drop_database(url)


def _total(port: int, word: str) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q={urllib.request.quote(word)}", timeout=10) as r:
            return int(json.load(r)["total"])
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _cli_ingest(db: str, path: str) -> None:
    done = subprocess.run([sys.executable, "-m", "referat.cli", "ingest", path, "--db", db], env=_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "1 indlæst," in done.stdout, done.stderr


def test_two_servers_hold_the_log_back_to_what_both_have_applied(pg_db: str, tmp_path: Path) -> None:
    with Archive(pg_db) as a:
        ingest(a, EARLY)
    docs = [variant(tmp_path, k) for k in range(3)]
    ports = [_free_port(), _free_port()]
    # one server with an index folder, one with its index in memory
    envs = [_env(REFERAT_INDEX=str(tmp_path / "index")), _env()]
    servers = [subprocess.Popen([sys.executable, "-m", "referat.cli", "serve", "--db", pg_db, "--port", str(p)],
                                env=e, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for p, e in zip(ports, envs)]
    try:
        deadline = time.monotonic() + 60
        for port, server in zip(ports, servers):
            while (n := _total(port, "jobklub")) is None:
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                assert time.monotonic() < deadline, "a server did not answer within 60 s"
                time.sleep(0.2)
            assert n > 0
        seqs, through, readers = log_state(pg_db)
        assert len(readers) == 2 and len(set(readers.values())) == 1  # both registered, at the log's end
        start = next(iter(readers.values()))
        assert start == max(seqs + [through]) > 0

        _cli_ingest(pg_db, docs[0])  # the writer prunes what both servers have applied: everything before
        seqs, through, _ = log_state(pg_db)
        assert through == start and seqs and min(seqs) > start

        assert _total(ports[0], MARKERS[0]) == 1  # the first server moves on; the second does not search
        _cli_ingest(pg_db, docs[1])
        seqs2, through2, readers = log_state(pg_db)
        assert through2 == start and set(seqs) < set(seqs2)  # the second server holds the log back
        assert sorted(readers.values())[0] == start

        for port in ports:  # both catch up, from the log (nothing they need was pruned)
            assert _total(port, MARKERS[0]) == 1 and _total(port, MARKERS[1]) == 1
        _, _, readers = log_state(pg_db)
        both = set(readers.values())
        assert len(both) == 1 and both.pop() == seqs2[-1]
        _cli_ingest(pg_db, docs[2])
        seqs3, through3, _ = log_state(pg_db)
        assert through3 == seqs2[-1] and min(seqs3) > seqs2[-1]  # only the last document's entries are left
        for port in ports:
            assert _total(port, MARKERS[2]) == 1 and _total(port, "jobklub") == n
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)
    _, _, readers = log_state(pg_db)
    assert len(readers) == 1 and str(tmp_path / "index") in next(iter(readers))  # the in-memory one left


def _rebuilds(a: Archive) -> list[int]:
    calls: list[int] = []
    original = a.reindex

    def counted(*args: object) -> int:
        calls.append(1)
        return original(*args)  # type: ignore[arg-type]

    a.reindex = counted  # type: ignore[method-assign]
    return calls


def test_a_server_away_longer_than_the_retention_rebuilds_and_misses_nothing(
        pg_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = [variant(tmp_path, k) for k in range(4)]
    writer = Archive(pg_db)  # never searches: not a reader
    ingest(writer, EARLY)
    monkeypatch.setenv("REFERAT_INDEX", str(tmp_path / "a"))
    kept = Archive(pg_db)  # a server that keeps searching
    monkeypatch.setenv("REFERAT_INDEX", str(tmp_path / "b"))
    away = Archive(pg_db)  # a server that stops (its folder stays), and one that stays up but idle
    monkeypatch.setenv("REFERAT_INDEX", str(tmp_path / "c"))
    idle = Archive(pg_db)
    monkeypatch.delenv("REFERAT_INDEX")
    try:
        for a in (kept, away, idle):
            assert a.search("jobklub").total > 0
        kept_rebuilds = _rebuilds(kept)
        away.close()
        with writer.engine.begin() as conn:  # eight days pass for the two that do not search
            conn.exec_driver_sql("UPDATE index_readers SET seen_at = now() - interval '8 days' "
                                 "WHERE right(name, 2) IN ('/b', '/c')")
        for k in range(3):
            ingest(writer, [docs[k]])
            assert kept.search(MARKERS[k]).total == 1
            assert writer.prune_index_log() >= 0
        seqs, through, readers = log_state(pg_db)
        assert list(readers.values()) == [kept.search_index.applied()]  # the others were forgotten
        assert through > 0 and all(s > through for s in seqs)
        assert not kept_rebuilds  # the server that kept up only ever replayed the log

        idle_rebuilds = _rebuilds(idle)
        assert [idle.search(m).total for m in MARKERS[:3]] == [1, 1, 1]
        assert idle_rebuilds == [1]  # its position was pruned: rebuilt once, not replayed with gaps
        monkeypatch.setenv("REFERAT_INDEX", str(tmp_path / "b"))
        back = Archive(pg_db)  # the stopped server restarts on its old folder
        monkeypatch.delenv("REFERAT_INDEX")
        back_rebuilds = _rebuilds(back)
        assert back.search_index.applied() is not None and back.search_index.applied() < through  # type: ignore[operator]
        assert [back.search(m).total for m in MARKERS[:3]] == [1, 1, 1] and back_rebuilds == [1]
        ingest(writer, [docs[3]])  # and from here on both follow the log again
        for a in (kept, idle, back):
            assert a.search(MARKERS[3]).total == 1
        assert back_rebuilds == [1] and idle_rebuilds == [1] and not kept_rebuilds
        items = writer.stats()["items"]
        for a in (kept, idle, back):
            assert a.searcher().num_docs == items
        back.close()
    finally:
        for a in (writer, kept, idle):
            a.close()


def test_with_no_server_the_log_is_pruned_whole_and_a_new_server_starts_from_the_database(pg_db: str) -> None:
    with Archive(pg_db) as w:
        ingest(w, EARLY)
        w.prune_index_log()
        seqs, through, readers = log_state(pg_db)
        assert seqs == [] and through > 0 and readers == {}
        with Archive(pg_db) as r:
            assert r.search("jobklub").total > 0 and r.searcher().num_docs == w.stats()["items"]
            assert list(log_state(pg_db)[2].values()) == [through]  # registered at the watermark
        assert log_state(pg_db)[2] == {}  # an index in memory leaves with its process


def test_sqlite_keeps_no_log(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as a:
        ingest(a, EARLY[:1])
        assert a.prune_index_log() == 0
        with a.engine.connect() as conn:
            names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not names & {"index_changes", "index_readers", "index_pruned"}

"""No lost link: `referat ingest` killed with SIGKILL at random points, several times, then run again, leaves
the archive equal to a clean, uninterrupted build: the same documents, meetings, items and, above all,
the same case links. Links are recomputed in each batch's own transaction (Archive._transaction), so a
kill can never leave a batch stored without its links; before that, a kill between a batch's commit and
its linking pass lost the batch's links for good (the re-run skips the documents as unchanged).

The corpus: the bundled examples, the real seeds in ../shared and generated minutes whose items cite each
other across meetings (referat.testing.threads), ingested in many small batches (REFERAT_BATCH_SECONDS).
A third of the kills come right after a batch's commit is seen (the old window), the others at random
moments (kill_and_resume).
`make check-long` runs more kills over a bigger corpus (REFERAT_CRASH_KILLS, REFERAT_CRASH_MEETINGS)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from conftest import EXAMPLES, ROOT, SEEDS
from referat.store import Archive
from referat.testing.threads import write_threads

KILLS = int(os.environ.get("REFERAT_CRASH_KILLS", "6"))
MEETINGS = int(os.environ.get("REFERAT_CRASH_MEETINGS", "90"))
SEED = int(os.environ.get("REFERAT_CRASH_SEED", "14"))
BATCH_SECONDS = "0.05"  # ingest commits every 50 ms: a few documents per batch, many batches


def _ingest(paths: list[str], db: str) -> list[str]:
    return [sys.executable, "-m", "referat.cli", "ingest", *paths, "--db", db]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src"), "REFERAT_BATCH_SECONDS": BATCH_SECONDS}


def _documents(db: str) -> int:
    """Documents committed so far, read without opening an Archive (which would migrate and index)."""
    try:
        if "://" in db:
            with psycopg.connect(db.replace("postgresql+psycopg://", "postgresql://", 1), connect_timeout=2) as c:
                return int(c.execute("SELECT count(*) FROM documents").fetchone()[0])  # type: ignore[index]
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as c:
            return int(c.execute("SELECT count(*) FROM documents").fetchone()[0])
    except (sqlite3.Error, psycopg.Error):
        return 0  # not created yet


def snapshot(db: str) -> dict[str, list[tuple[str, ...]]]:
    """The archive's content without ingest times or integer keys: what a reader of it sees."""
    queries = {
        "documents": "SELECT id, path, format, size, encoding FROM documents",
        "meetings": "SELECT id, document_id, body_id, kind, date, start_time FROM meetings",
        "items": "SELECT id, meeting_id, number, label, title, case_number, case_key, decision_kind FROM items",
        "treatments": "SELECT i.id, t.direction, t.ord, t.body_key, t.target_date, t.item_numbers FROM treatments t "
                      "JOIN items i ON i.pk = t.item_pk",
        "links": "SELECT i.id, l.direction, l.ord, l.sub, l.target_meeting_id, l.target_item_id FROM links l "
                 "JOIN items i ON i.pk = l.item_pk",
    }
    archive = Archive(db)
    try:
        with archive.engine.connect() as conn:
            data = {k: sorted(tuple(str(v) for v in r) for r in conn.exec_driver_sql(q)) for k, q in queries.items()}
        data["search"] = [(h.id,) for h in archive.search("behandles", limit=500).hits]
    finally:
        archive.close()
    return data


def kill_and_resume(paths: list[str], db: str, total: int, rng: random.Random, kills: int) -> list[int]:
    """Start ingest and SIGKILL it (its worker processes too) `kills` times; returns the documents stored
    at each kill. The moments, in turn: right after a commit that brings the stored documents past a
    random share of what is left (a batch stored, its links once not yet); a random time after this
    run's first commit (inside a later batch's parse or transaction); a random time after the start
    (perhaps before anything is stored)."""
    stored = []
    for k in range(kills):
        before = _documents(db)
        # a share of what is left such that the kills spread over the whole ingest (the other kills store
        # a batch or two each)
        target = before + 1 + rng.randrange(max(1, (total - before) // (kills - k + 1)))
        wait = rng.uniform(0.0, 0.3) if k % 3 == 1 else rng.uniform(0.2, 3.0)
        proc = subprocess.Popen(_ingest(paths, db), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        start = time.monotonic()
        while proc.poll() is None and time.monotonic() - start < 60:
            if k % 3 == 2 and time.monotonic() - start >= wait:
                break
            if k % 3 < 2 and _documents(db) >= (target if k % 3 == 0 else before + 1):
                time.sleep(0 if k % 3 == 0 else wait)
                break
            time.sleep(0.005)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        stored.append(_documents(db))
    return stored


def test_ingest_killed_at_random_points_ends_with_the_links_of_a_clean_build(
        new_db: Callable[[str], str], tmp_path: Path) -> None:
    threads = write_threads(tmp_path / "threads", MEETINGS, seed=SEED)
    paths = [str(EXAMPLES), *(str(s) for s in SEEDS), str(tmp_path / "threads")]
    clean, killed = new_db("clean.db"), new_db("killed.db")
    done = subprocess.run(_ingest(paths, clean), env=_env(), capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    whole = snapshot(clean)
    assert len(whole["documents"]) == len(threads) + len(list(EXAMPLES.iterdir())) + len(SEEDS)
    meeting_of = {r[0]: r[1] for r in whole["items"]}
    across = [r for r in whole["links"] if r[4] != meeting_of[r[0]]]
    assert len(across) > MEETINGS, "the corpus must link items across meetings"

    total = len(whole["documents"])
    stored = kill_and_resume(paths, killed, total, random.Random(SEED), KILLS)
    assert any(0 < n < total for n in stored), f"no kill fell mid-way: documents stored at each kill {stored}"
    resumed = subprocess.run(_ingest(paths, killed), env=_env(), capture_output=True, text=True, check=False)
    assert resumed.returncode == 0, resumed.stderr
    after = snapshot(killed)
    for table in whole:
        assert after[table] == whole[table], f"{table} differ after {KILLS} kills (stored at each: {stored})"
    midway = sum(1 for n in stored if n < total)
    print(f"\n{KILLS} kills survived ({'postgresql' if '://' in killed else 'sqlite'}), {midway} before the last "
          f"document was stored; documents stored at each kill: {stored} of {total}; {len(whole['links'])} links "
          f"({len(across)} across meetings), {len(whole['items'])} items equal")


def test_a_batch_is_never_stored_without_its_links(new_db: Callable[[str], str], tmp_path: Path) -> None:
    """In process: a batch whose linking fails is not stored either (the links are in its transaction)."""
    from unittest import mock

    from referat.ingest import ingest

    write_threads(tmp_path / "threads", 12, seed=SEED)
    db = new_db("a.db")
    archive = Archive(db)
    try:
        with mock.patch("referat.store.archive.relink", side_effect=RuntimeError("linker crashed")):
            summary = ingest(archive, [str(tmp_path / "threads")], bounded=False)
        assert summary.count("failed") == 12 and "linker crashed" in summary.failed[0].reason  # type: ignore[operator]
        with archive.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM documents").scalar_one() == 0
        summary = ingest(archive, [str(tmp_path / "threads")], bounded=False)
        assert summary.count("ingested") == 12
        with archive.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM links").scalar_one() > 0
    finally:
        archive.close()

"""`referat ingest --dask`: documents read and parsed on a distributed.LocalCluster of worker processes give
the archive and the outcome lines that local ingest gives, a bomb kills only its forked reader (never a
Dask worker), a Dask worker killed mid-run loses nothing, and a client that dies mid-run is resumed by
running again: each time the final archive equals a clean local build of the same files."""

from __future__ import annotations

import os
import re
import signal
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, SEEDS, SHARED, snapshot
from referat import ingest as ingest_mod
from referat.ingest import Outcome, Summary, ingest
from referat.store import Archive
from referat.testing import hostile
from referat.testing.docxrender import render_docx
from referat.testing.pdfrender import render

distributed = pytest.importorskip("distributed")
from referat import cluster as cluster_mod  # noqa: E402 - only with distributed installed

CORPUS = SHARED / "corpus"
GREVE = CORPUS / "publication-api" / "greve"
WORKERS = 3
pytestmark = pytest.mark.skipif(not SEEDS or not GREVE.is_dir(), reason=f"real minutes not found in {SHARED}")


@pytest.fixture(scope="module")
def dask() -> Iterator[cluster_mod.Cluster]:
    """One LocalCluster of worker processes for the module, as `--dask local:3` starts it."""
    c = cluster_mod.connect(f"local:{WORKERS}")
    yield c
    c.close()


def _pids(c: cluster_mod.Cluster) -> dict[str, int]:
    c.client.wait_for_workers(WORKERS, timeout=60)
    return c.client.run(os.getpid)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every kind of document ingest reads, from real producers where the corpus has them: the bundled
    examples and the real seed minutes (text, markdown), the corpus's PDF, XML of four systems, eDoc web
    pages, the truncated Word file, Greve's JSON (with a question/answer container that is refused),
    a PDF and a Word file rendered from the seeds, a corrupt PDF (failed) and a README (refused)."""
    folder = tmp_path_factory.mktemp("corpus")
    for src in [*EXAMPLES.iterdir(), *SEEDS, *sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.parent != GREVE),
                *sorted(GREVE.glob("2022-*.json"))[:8], *sorted(GREVE.glob("*spoergsmaal*"))[:1]]:
        shutil.copy(src, folder / f"{src.parent.name}_{src.name}")
    render(SEEDS[0].read_text(encoding="utf-8"), folder / "rendered.pdf", header="Økonomiudvalget - referat")
    render_docx(SEEDS[1].read_text(encoding="utf-8"), folder / "rendered.docx")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\n")
    return folder


def _lines(summary: Summary) -> list[tuple[str, str, int, str | None]]:
    """The outcomes as the CLI prints them, by path (refusals are said at once, stored documents when their
    batch is stored); a worker's peak memory varies from run to run."""
    return sorted((o.path, o.status, o.items, re.sub(r"peak (memory |of )?[\d,]+ MB", "peak N MB", o.reason or ""))
                  for o in summary.outcomes)


def _build(db: str, paths: list[str], how: Callable[..., Summary], **kw: object) -> tuple[Summary, dict]:
    archive = Archive(db)
    try:
        summary = how(archive, paths, **kw)
        return summary, snapshot(archive)
    finally:
        archive.close()


@pytest.fixture(scope="module")
def clean(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Summary, dict]:
    """The local build (`referat ingest --jobs 2`) every Dask build is compared with."""
    return _build(str(tmp_path_factory.mktemp("clean") / "a.db"), [str(corpus)], ingest, jobs=2)


@pytest.fixture(scope="module")
def distinct(clean: tuple[Summary, dict]) -> list[str]:
    """The corpus's files, one per meeting (those the clean build keeps, and the refused and failed), for
    the tests that run an ingest again and compare what each run stored: where two files are one meeting
    (an agenda's two versions) the one replaced is skipped by a rerun (schema.superseded), so a run that
    stops early and its rerun would store different sets of files."""
    return sorted({row[1] for row in clean[1]["documents"]}
                  | {o.path for o in clean[0].outcomes if o.status in ("refused", "failed")})


def test_the_same_archive_and_outcome_lines_as_local_ingest(dask: cluster_mod.Cluster, corpus: Path,
                                                           clean: tuple[Summary, dict], new_db: Callable[[str], str]) -> None:
    local_summary, local_snapshot = clean  # SQLite's; on PostgreSQL a local build on PostgreSQL
    if not new_db("probe.db").endswith("probe.db"):
        local_summary, local_snapshot = _build(new_db("local"), [str(corpus)], ingest, jobs=2)
    dask_db = new_db("dask.db")
    summary, snap = _build(dask_db, [str(corpus)], partial(cluster_mod.ingest, cluster=dask))
    assert _lines(summary) == _lines(local_summary)
    assert snap == local_snapshot
    # a rerun over the same folder stores nothing: a replaced version is remembered (schema.superseded)
    again, snap_again = _build(dask_db, [str(corpus)], partial(cluster_mod.ingest, cluster=dask))
    assert (again.count("ingested"), again.count("replaced"), snap_again) == (0, 0, snap)
    statuses = {o.status for o in summary.outcomes}
    assert {"ingested", "refused", "failed"} <= statuses, statuses
    assert len(snap["documents"]) >= 20 and snap["links"], "too little was compared"
    formats = {row[2] for row in snap["documents"]}  # the readers: XML by system, JSON of the publication system
    assert {"pdf", "html", "docx", "text", "markdown", "publication-api", "sbsys-xml", "acadre-xml"} <= formats, formats


def test_a_bomb_kills_only_its_reader_never_a_dask_worker(dask: cluster_mod.Cluster, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in {"REFERAT_LIMIT_MEMORY_MB": "512", "REFERAT_LIMIT_SECONDS": "20",
                 "REFERAT_LIMIT_INFLATED_MB": "64"}.items():  # the client's limits hold on the workers
        monkeypatch.setenv(k, v)
    folder = tmp_path / "in"
    folder.mkdir()
    hostile.pdf_bomb(folder / "a_bomb.pdf", 2 << 30)
    hostile.docx_bomb(folder / "b_bomb.docx", 600 << 20)
    shutil.copy(SEEDS[0], folder / "c_minutes.txt")
    before = _pids(dask)
    local, local_snap = _build(str(tmp_path / "local.db"), [str(folder)], ingest)
    remote, remote_snap = _build(str(tmp_path / "dask.db"), [str(folder)], partial(cluster_mod.ingest, cluster=dask))
    assert _pids(dask) == before, "a Dask worker died"
    assert _lines(remote) == _lines(local) and remote_snap == local_snap
    by_name = {Path(o.path).name: o for o in remote.outcomes}
    assert "memory limit" in by_name["a_bomb.pdf"].reason and "\n" not in by_name["a_bomb.pdf"].reason
    assert "inflates to more than 64 MB" in by_name["b_bomb.docx"].reason
    assert by_name["c_minutes.txt"].status == "ingested"


@pytest.mark.parametrize("allowed_failures", [3, 0], ids=["task-run-again", "task-lost-rerun"])
def test_a_dask_worker_killed_mid_run_loses_nothing(dask: cluster_mod.Cluster, distinct: list[str],
                                                    clean: tuple[Summary, dict], tmp_path: Path,
                                                    allowed_failures: int) -> None:
    """With the scheduler's retries (Dask's default, 3) the killed worker's tasks run again elsewhere;
    without (0) its files fail with one line each, and running the same ingest again completes it."""

    def allow(n: int) -> None:
        dask.client.run_on_scheduler(lambda dask_scheduler: setattr(dask_scheduler, "allowed_failures", n))

    pids = _pids(dask)
    killed: list[int] = []

    def kill_one(outcome: Outcome) -> None:
        if killed:
            return
        busy = [w for w, keys in dask.client.processing().items() if keys]  # a worker with tasks in hand
        assert busy, "no task was in flight"
        killed.append(pids[busy[0]])
        os.kill(pids[busy[0]], signal.SIGKILL)

    allow(allowed_failures)
    try:
        summary, snap = _build(str(tmp_path / "dask.db"), distinct,
                               partial(cluster_mod.ingest, cluster=dask, progress=kill_one))
    finally:
        allow(3)
    assert killed and killed[0] not in _pids(dask).values(), "the worker was not killed (or not replaced)"
    if allowed_failures:
        alone = [(p, "ingested" if st == "replaced" else st, n, r) for p, st, n, r in _lines(clean[0]) if p in distinct]
        assert _lines(summary) == alone  # its tasks were run again elsewhere: no failure, no gap
    else:
        lost = [o for o in summary.outcomes if o.reason and "Dask workers reading it were lost" in o.reason]
        assert lost and all(o.status == "failed" for o in lost)
        summary, snap = _build(str(tmp_path / "dask.db"), distinct, partial(cluster_mod.ingest, cluster=dask))
        assert {o.path for o in summary.outcomes if o.status != "skipped"} >= {o.path for o in lost}
    assert snap == clean[1]


class Crash(Exception):
    """The client dies mid-run (after some batches were stored)."""


def test_a_client_that_dies_mid_run_is_resumed_by_running_again(dask: cluster_mod.Cluster, distinct: list[str],
                                                                 clean: tuple[Summary, dict], tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    paths = distinct
    monkeypatch.setattr(ingest_mod, "Batcher", partial(ingest_mod.Batcher, max_items=40))  # small batches
    seen: list[Outcome] = []

    def crash(outcome: Outcome) -> None:
        seen.append(outcome)
        if len(seen) == len(paths) // 2:
            raise Crash

    db = str(tmp_path / "dask.db")
    with pytest.raises(Crash):
        _build(db, paths, partial(cluster_mod.ingest, cluster=dask, progress=crash))
    stored = len(snapshot(Archive(db))["documents"])
    assert 0 < stored < len(clean[1]["documents"]), "the crash was not mid-run"
    summary, snap = _build(db, paths, partial(cluster_mod.ingest, cluster=dask))
    assert summary.count("skipped") == stored  # nothing stored twice
    assert snap == clean[1]  # nothing missing


def test_cli_ingest_on_a_scheduler_and_local_n(dask: cluster_mod.Cluster, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    folder = tmp_path / "in"
    folder.mkdir()
    for src in SEEDS[:3]:
        shutil.copy(src, folder / src.name)
    (folder / "letter.txt").write_text("Kære Jens\n\nTak for sidst.\n", encoding="utf-8")
    cli = [sys.executable, "-m", "referat.cli", "ingest", str(folder), "--db"]
    local = subprocess.run([*cli, str(tmp_path / "a.db")], env=env, capture_output=True, text=True, check=False)
    address = dask.client.scheduler.address
    remote = subprocess.run([*cli, str(tmp_path / "b.db"), "--dask", address], env=env, capture_output=True,
                            text=True, check=False)
    assert remote.returncode == local.returncode == 0, remote.stderr
    assert remote.stderr == local.stderr and "afvist: " in remote.stderr  # the same one-line refusal
    assert remote.stdout.replace("b.db", "a.db") == local.stdout
    assert local.stdout.startswith("3 indlæste, ")
    started = time.monotonic()
    own = subprocess.run([*cli, str(tmp_path / "c.db"), "--dask", "local:2"], env=env, capture_output=True, text=True,
                         check=False)
    assert own.returncode == 0 and own.stdout.replace("c.db", "a.db") == local.stdout, own.stderr
    assert time.monotonic() - started < 60
    with distributed.LocalCluster(n_workers=0, dashboard_address="127.0.0.1:0", host="127.0.0.1") as empty:
        res = subprocess.run([*cli, str(tmp_path / "d.db"), "--dask", empty.scheduler_address],
                             env={**env, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2"}, capture_output=True,
                             text=True, check=False, timeout=120)
    assert res.returncode == 1 and "has no workers: start some with `dask worker" in res.stderr, res.stderr
    for args, said in ((["--dask", "tcp://127.0.0.1:9"], "cannot reach the Dask scheduler at tcp://127.0.0.1:9"),
                       (["--dask", "local:2", "--jobs", "2"], "give --jobs or --dask, not both")):
        res = subprocess.run([*cli, str(tmp_path / "d.db"), *args], env={**env, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2"}, capture_output=True, text=True,
                             check=False, timeout=120)
        assert res.returncode == 1 and said in res.stderr and "Traceback" not in res.stderr, res.stderr


# --- harvest: the hosts at once, one polite stream per host ---------------------------------------------

def test_harvest_of_two_hosts_at_once_is_polite_per_host_and_gives_the_local_archive(
        dask: cluster_mod.Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from referat.harvest import Harvester, Options
    from referat.testing.replay import ReplaySite

    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    meetings = [p for p in sorted(GREVE.glob("2022-0[1-3]-*.json")) if "spoergsmaal" not in p.name][:9] \
        + sorted(GREVE.glob("*spoergsmaal*"))[:1]
    committees = [{"Økonomiudvalget": meetings[0:5:2], "Byrådet": meetings[9:]},
                  {"Kultur- og Fritidsudvalget": meetings[1:9:2], "Plan": meetings[6:9:2]}]
    monkeypatch.setattr(cluster_mod, "HARVEST_BATCH", 2)  # a host's meetings in several tasks
    with ReplaySite(committees[0]) as a, ReplaySite(committees[1]) as b:
        targets = [(host, Options(base_url=site.url, delay=0.05, backoff=0.01, timeout=5.0, municipality="Greve",
                                  files=True, contact="test@example.dk"))
                   for host, site in (("dagsordener.greve.dk", a), ("dagsordener.greve-to.dk", b))]
        local = Archive(str(tmp_path / "local.db"))
        remote = Archive(str(tmp_path / "dask.db"))
        try:
            for rerun in (False, True):  # the second time: incremental, as a local rerun
                expected = []
                for host, options in targets:
                    h = Harvester(local, host, options, now=lambda: now)
                    expected.append(h.run().as_dict())
                    h.close()
                for site in (a, b):
                    site.requests.clear()
                summaries, errors = cluster_mod.harvest(remote, targets, dask, now=lambda: now)
                assert not errors and [x.as_dict() for x in summaries] == expected
                assert snapshot(remote) == snapshot(local)
                assert rerun or expected[0]["new"] == 3 and expected[0]["refused"] == 1 and expected[1]["new"] == 6
                starts = [[t for *_, t in site.requests] for site in (a, b)]
                for s in starts:  # one request at a time per host, the delay between
                    assert all(y - x >= 0.045 for x, y in zip(s, s[1:])), s
                if not rerun:  # (a rerun asks each host only for its list)
                    assert max(s[0] for s in starts) < min(s[-1] for s in starts), ("not at once", starts)
            with remote.engine.connect() as conn:
                assert conn.exec_driver_sql("SELECT count(*) FROM meeting_files").scalar_one() > 9
        finally:
            local.close()
            remote.close()

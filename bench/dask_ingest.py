"""Ingest of a PDF corpus on Dask (1 and 2 worker processes) beside the single-process `--jobs 2`, in one run.

usage: PYTHONPATH=src .venv/bin/python bench/dask_ingest.py [--pages 2000] [--rounds 1]

Renders the five real minutes in ../shared/seeds as PDFs (referat.testing.pdfrender: running headers,
footers, page numbers, hyphenation, ruled tables), one meeting per file (each copy gets its own start
time, so every file is a meeting of its own and none replaces another), until the corpus has --pages
pages. Then, each round and in turn, ingests it into a fresh SQLite archive (deleted before the next):
`ingest --jobs 2` (two bounded workers forked from this process), `ingest --dask local:1` and
`ingest --dask local:2` (a distributed.LocalCluster of 1 or 2 worker processes, started and warmed
before the clock starts; its start-up is printed apart). The PDF reader's own page parallelism is off
in every run (REFERAT_LIMIT_PDF_READERS=1), so the runs differ only in who reads the documents.
Prints seconds, pages/s, the CPU seconds each run used (this process, and the Dask workers with the
readers they forked), and the ratios.

The ceiling on a shared machine: Linux gives each session (autogroup) one fair share of the CPUs, so when
other sessions keep the cores busy, two processes of this run get no more CPU than one. The run measures
that ceiling beside the ingests: `headroom_2_over_1`, the same pure-Python work done by one process and
split over two (before and after the runs). On an idle 2-core machine it is ~2; when it is near 1, no
2-worker figure can beat 1 worker by much, and the ingest ratios say only what the machine allowed.
The last line is exactly:
dask2_over_dask1=<r> dask2_over_jobs2=<r> dask1_over_jobs2=<r> headroom_2_over_1=<r>
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ["REFERAT_LIMIT_PDF_READERS"] = "1"  # before any worker starts: they take this environment over

import pypdfium2 as pdfium  # noqa: E402

from referat import cluster  # noqa: E402
from referat.ingest import Summary, ingest  # noqa: E402
from referat.store import Archive  # noqa: E402
from referat.testing.pdfrender import render  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))
START = re.compile(r"kl\. \d\d[:.]\d\d")


def corpus(folder: Path, pages: int) -> tuple[list[Path], int]:
    """PDFs of the seed minutes, each a meeting of its own, until they hold `pages` pages."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = [s.read_text(encoding="utf-8") for s in SEEDS]
    files, total = [], 0
    while total < pages:
        k = len(files)
        text = START.sub(f"kl. {8 + k // 60 % 12:02d}:{k % 60:02d}", texts[k % len(texts)], count=1)
        pdf = render(text, folder / f"{k:04d}.pdf", header="Beskæftigelses- og Integrationsudvalget - referat")
        files.append(pdf)
        total += len(pdfium.PdfDocument(pdf))
    return files, total


def _warm() -> None:
    """Load the readers and the parser in a Dask worker, as they are loaded in this process before
    `--jobs` forks its workers."""
    import referat.ingest  # noqa: F401
    import referat.parse  # noqa: F401
    import referat.sources.pdf  # noqa: F401


def _spin(n: int) -> int:
    x = 0
    for i in range(n):
        x += i * i
    return x


def headroom(n: int = 15_000_000) -> float:
    """Wall time of pure-Python work in one process over the same work split between two: how much two
    processes of this session can run at once on this machine right now (see the module docstring)."""
    ctx = multiprocessing.get_context("fork")
    walls = []
    for procs in (1, 2):
        with ctx.Pool(procs) as pool:
            t0 = time.perf_counter()
            pool.map(_spin, [n // procs] * procs)
            walls.append(time.perf_counter() - t0)
    return walls[0] / walls[1]


def _cpu(c: cluster.Cluster | None) -> float:
    """CPU seconds so far of this process and its reaped children, and of the cluster's workers and the
    readers they forked."""
    own = sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))
    if c is None:
        return own

    def used() -> float:
        import resource as r

        return sum(u.ru_utime + u.ru_stime for u in (r.getrusage(r.RUSAGE_SELF), r.getrusage(r.RUSAGE_CHILDREN)))

    return own + sum(c.client.run(used).values())


def once(paths: list[str], work: Path, how: Callable[[Archive, list[str]], Summary],
         c: cluster.Cluster | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one ingest into a fresh archive (deleted afterwards)."""
    db = work / f"bench-{time.monotonic_ns()}.db"
    archive = Archive(str(db))
    started, cpu = time.perf_counter(), _cpu(c)
    summary = how(archive, paths)
    archive.close()
    took, cpu = time.perf_counter() - started, _cpu(c) - cpu
    assert not summary.failed and not summary.refused, (summary.failed + summary.refused)[:3]
    assert summary.count("ingested") == len(paths), summary.as_dict()
    for p in work.glob(db.name + "*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    return took, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="referat-bench-dask-"))
    try:
        files, pages = corpus(work / "pdf", args.pages)
        paths = [str(f) for f in files]
        print(f"cpus={len(os.sched_getaffinity(0))} loadavg_before={os.getloadavg()[0]:.2f} "
              f"files={len(files)} pages={pages}")
        room = [headroom()]
        runs: dict[str, list[tuple[float, float]]] = {"jobs2": [], "dask1": [], "dask2": []}
        for _ in range(args.rounds):
            runs["jobs2"].append(once(paths, work, lambda a, p: ingest(a, p, jobs=2)))
            for n in (1, 2):  # one cluster at a time: an idle one would still take its share of the CPUs
                t0 = time.perf_counter()
                c = cluster.connect(f"local:{n}")
                try:
                    c.client.run(_warm)
                    print(f"dask_local_{n}_start_s={time.perf_counter() - t0:.2f}")
                    runs[f"dask{n}"].append(once(paths, work, lambda a, p, c=c: cluster.ingest(a, p, c), c))
                finally:
                    c.close()
        room.append(headroom())
        med = {k: statistics.median(w for w, _ in v) for k, v in runs.items()}
        for k, v in runs.items():
            print(f"{k}: median_s={med[k]:.2f} pages_s={pages / med[k]:.1f} rounds_s={','.join(f'{w:.2f}' for w, _ in v)} "
                  f"cpu_s={statistics.median(c for _, c in v):.2f}")
        print(f"loadavg_after={os.getloadavg()[0]:.2f} headroom_before={room[0]:.2f} headroom_after={room[1]:.2f}")
        print(f"dask2_over_dask1={med['dask1'] / med['dask2']:.3f} dask2_over_jobs2={med['jobs2'] / med['dask2']:.3f} "
              f"dask1_over_jobs2={med['jobs2'] / med['dask1']:.3f} headroom_2_over_1={statistics.mean(room):.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

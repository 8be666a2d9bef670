"""Ingest with and without the bounded worker processes (referat.sandbox): the examples and the seed minutes
copied many times over (each copy one byte different, so it is parsed and stored again, replacing the
meeting), into a fresh archive each round. Prints seconds per round and the workers' cost in per cent.

    PYTHONPATH=src .venv/bin/python bench/ingest_workers.py [copies] [rounds] [--jobs N]
"""

from __future__ import annotations

import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from referat.ingest import ingest
from referat.store import Archive

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "examples").iterdir()) + sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))


def corpus(folder: Path, copies: int) -> list[str]:
    paths = []
    for k in range(copies):
        for src in SOURCES:
            dst = folder / f"{k:03d}_{src.name}"
            dst.write_bytes(src.read_bytes() + b"\n" * (k + 1))  # another hash, the same meeting
            paths.append(str(dst))
    return paths


def _cpu() -> float:
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


def once(paths: list[str], workdir: Path, bounded: bool, jobs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its workers) of one ingest into a fresh archive."""
    db = workdir / f"bench-{time.monotonic_ns()}.db"
    archive = Archive(str(db))
    started, cpu = time.perf_counter(), _cpu()
    summary = ingest(archive, paths, bounded=bounded, jobs=jobs)
    archive.close()
    took = time.perf_counter() - started
    assert not summary.failed, summary.failed[:3]
    return took, _cpu() - cpu


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    jobs = int(sys.argv[sys.argv.index("--jobs") + 1]) if "--jobs" in sys.argv else 1
    if "--jobs" in sys.argv:
        args.remove(str(jobs))
    copies = int(args[0]) if args else 20
    rounds = int(args[1]) if len(args) > 1 else 5
    work = Path(tempfile.mkdtemp(prefix="referat-bench-"))
    try:
        paths = corpus(work, copies)
        times: dict[bool, list[float]] = {True: [], False: []}
        cpus: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(rounds):  # interleaved, so that machine noise hits both alike
            for bounded in (False, True):
                wall, cpu = once(paths, work, bounded, jobs)
                times[bounded].append(wall)
                cpus[bounded].append(cpu)
        plain, bounded = statistics.median(times[False]), statistics.median(times[True])
        cpu_plain, cpu_bounded = statistics.median(cpus[False]), statistics.median(cpus[True])
        print(f"{len(paths)} documents, {rounds} rounds, --jobs {jobs}, load {open('/proc/loadavg').read().split()[0]}:"
              f" in-process {plain:.2f} s ({len(paths) / plain:.0f} docs/s), in bounded workers {bounded:.2f} s "
              f"({len(paths) / bounded:.0f} docs/s): wall {100 * (bounded - plain) / plain:+.1f} % "
              f"(min {min(times[False]):.2f} / {min(times[True]):.2f} s); CPU {cpu_plain:.2f} / {cpu_bounded:.2f} s "
              f"{100 * (cpu_bounded - cpu_plain) / cpu_plain:+.1f} %")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

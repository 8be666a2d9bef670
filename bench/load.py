"""Load on `referat serve`: concurrent clients for a fixed time, once with the archive idle and once while
`referat ingest` adds documents to the same archive (issue 14: p99 <= 150 ms while ingesting, 0 errors).

usage: python bench/load.py [--items 20400] [--docs 3000] [--seconds 30] [--clients 4] [--work DIR]

- The archive: bench/generate.py builds --items items once into DIR/load-N.db (kept for the next run);
  each run measures a fresh copy of it, so that the ingest always adds new documents.
- The documents to ingest: --docs text files, date-shifted copies (whole weeks, so the weekday printed
  beside the date stays right) of the real minutes in ../shared/seeds and the bundled examples, each a
  meeting of its own (the probe's corpus, ../shared/reports/probe-2026-11-30.md §2).
- The load: --clients keep-alive clients, each sending its next request as soon as it has its answer
  (a bounded load), alternating /api/search?q= and the search page /?q= over 20 queries of
  bench/search.py. An error is any answer but 200, or a failed connection.
- Prints, per phase: requests, requests/s, p50, p99 and max latency, errors; the ingest's documents and
  time; the machine's load average over the run (client, server and ingest share its cores).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).parent))
from search import QUERIES, pct  # noqa: E402

from referat.danish import MONTHS  # noqa: E402
from referat.parse import parse_file  # noqa: E402
from referat.testing.server import cli_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MONTH_NAMES = {n: max((name for name, k in MONTHS.items() if k == n), key=len) for n in range(1, 13)}  # not "nov"


def date_forms(d: dt.date) -> list[str]:
    """How the minutes print a meeting date: 30-11-2021, 30.11.2021, 2021-11-30, 30. november 2021 (also 05.)."""
    m = MONTH_NAMES[d.month]
    return [f"{d:%d-%m-%Y}", f"{d:%d.%m.%Y}", f"{d:%Y-%m-%d}", f"{d:%d}. {m} {d.year}", f"{d.day}. {m} {d.year}"]


def corpus(folder: Path, n: int) -> list[Path]:
    """n files, each a source meeting with its date moved on by whole weeks (made once, kept)."""
    files = sorted(folder.glob("*.txt"))
    if len(files) >= n:
        return files[:n]
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted((ROOT.parent / "shared" / "seeds").glob("*.txt")) + sorted((ROOT / "examples").glob("*.[mt][dx]*"))
    dated = []
    for f in sources:
        d = parse_file(f).meeting.date
        if d:
            dated.append((f.read_text(encoding="utf-8"), d))
    for k in range(n):
        text, day = dated[k % len(dated)]
        new = day + dt.timedelta(weeks=1 + k // len(dated))
        pattern = re.compile("|".join(re.escape(old) for old in date_forms(day)))
        forms = dict(zip(date_forms(day), date_forms(new)))
        (folder / f"{k:05d}.txt").write_text(pattern.sub(lambda m, forms=forms: forms[m.group(0)], text), encoding="utf-8")
    return sorted(folder.glob("*.txt"))[:n]


def archive(work: Path, items: int) -> Path:
    """The generated archive of `items` items (built once), copied to a fresh file for this run."""
    base = work / f"load-{items}.db"
    if not base.exists():
        print(f"building {items:,} items into {base} (bench/generate.py)…", file=sys.stderr)
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(items), str(base)], check=True,
                       stdout=subprocess.DEVNULL)
    run = work / "run.db"
    for p in work.glob("run.db*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    for p in work.glob(base.name + "*"):
        dest = work / p.name.replace(base.name, "run.db")
        shutil.copytree(p, dest) if p.is_dir() else shutil.copy2(p, dest)
    return run


def load(port: int, seconds: float, clients: int) -> tuple[list[float], int]:
    """Latencies (ms) of every answered request, and the number of errors, over `seconds`."""
    paths = []
    for q, _ in QUERIES[:20]:
        paths += [f"/api/search?q={quote(q)}", f"/?q={quote(q)}"]
    end = time.perf_counter() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def client(start: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = start
        while time.perf_counter() < end:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                res = conn.getresponse()
                res.read()
                ok = res.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                if ok:
                    latencies.append(ms)
                else:
                    errors[0] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(k * 7,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0]


def report(phase: str, latencies: list[float], errors: int, seconds: float, load_avg: tuple[float, float]) -> None:
    n = len(latencies)
    print(f"{phase:<10} requests={n + errors} rps={n / seconds:.1f} p50_ms={statistics.median(latencies):.1f} "
          f"p99_ms={pct(latencies, 99):.1f} max_ms={max(latencies):.1f} errors={errors} "
          f"loadavg_1min={load_avg[0]:.2f}->{load_avg[1]:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", type=int, default=20_400)
    ap.add_argument("--docs", type=int, default=3_000)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--work", type=Path, default=Path("/tmp/referat-load"))
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    files = corpus(args.work / f"corpus-{args.docs}", args.docs)
    db = archive(args.work, args.items)
    server, port = cli_server(db)
    try:
        load(port, 3, args.clients)  # warm up: first searches open the index readers
        before = os.getloadavg()
        idle, idle_errors = load(port, args.seconds, args.clients)
        report("idle", idle, idle_errors, args.seconds, (before[0], os.getloadavg()[0]))

        t0 = time.perf_counter()
        ingest = subprocess.Popen([sys.executable, "-m", "referat.cli", "ingest", str(files[0].parent), "--db", str(db)],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(1.0)  # the ingest's start-up (imports, worker processes): the load meets it storing
        before = os.getloadavg()
        busy, busy_errors = load(port, args.seconds, args.clients)
        after = os.getloadavg()[0]
        running = ingest.poll() is None
        summary = ingest.communicate()[0].strip().splitlines()
        took = time.perf_counter() - t0
        report("ingesting", busy, busy_errors, args.seconds, (before[0], after))
        print(f"ingest: {summary[-1] if summary else '?'} in {took:.1f} s"
              f"{' (still running when the load ended)' if running else ' (ended before the load did)'}")
        stats = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        stats.request("GET", "/api/stats")
        print(f"archive after: {stats.getresponse().read().decode()[:200]}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()

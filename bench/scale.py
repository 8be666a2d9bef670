"""SQLite and PostgreSQL side by side at N items (issue 15): ingest, search with 1 and 4 clients, sizes,
start-up and freshness, in separate runs back to back, each archive deleted before the next.

usage: python bench/scale.py N [--pg URL] [--work DIR] [--stores sqlite,postgresql] [--rounds 3]
                               [--memory-start | --no-memory-start] [--json FILE]

For each store, one after the other:
  ingest      bench/generate.py N (a process of its own; its items/s from parsed records and store alone);
  sizes       the SQLite file with its WAL, or pg_database_size; the search index folder apart;
  cold start  PostgreSQL only: a fresh `referat search` whose index folder ($REFERAT_INDEX) does not exist
              yet: it is built from the database, as an index in memory is on every open without a folder
              (--memory-start also times that, with no folder at all; default on up to 200,000 items);
  freshness   a searching process polls for a new word every 20 ms while another process stores a
              document holding it; the delay from the writer's commit (its document transaction
              returned; linking runs after it) to the searcher's first hit, 3 times;
  start-up    after one more document stored by another process (PostgreSQL: a change-log tail to
              replay), a fresh `referat search` process, wall time to its answer (3 times), and
              `referat serve` to its first 200 from /api/search (2 times);
  search      the 60 queries of bench/search.py through Archive.search in a fresh process: --rounds
              passes with 1 client, then 4 threads at once over the one archive (as one web worker's
              thread pool serves concurrent requests; PostgreSQL's processes each need an index of their
              own, so separate processes would each build one);
then the archive (and its index folders) are deleted.

PostgreSQL: --pg names a server URL (a database `referat_scale` is created and dropped there);
without it a throwaway server is started under /tmp (tests/pgserver.py) with durability on as in
PostgreSQL's defaults (fsync, synchronous_commit, full_page_writes) and shared_buffers=512MB, and
stopped at the end. The last line is `scale_result <json>`; --json also writes it to a file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]

from generate import db_bytes, index_bytes, pg_bytes  # noqa: E402  # type: ignore[import-not-found]
from search import QUERIES, clients, pct  # noqa: E402  # type: ignore[import-not-found]

EXAMPLE = ROOT / "examples" / "vesteraa_dagsorden_2025-01-15.txt"
PG_SETTINGS = "-c fsync=on -c synchronous_commit=on -c full_page_writes=on -c shared_buffers=512MB"
TARGETS = {"search_p50_ms": 20.0, "search_p99_ms": 100.0, "clients4_p99_ms": 250.0, "startup_search_s": 5.0,
           "startup_serve_s": 5.0}


def load() -> str:
    """The 1-minute load average / the runnable threads now (/proc/loadavg): how busy the 2 cores were."""
    parts = Path("/proc/loadavg").read_text().split()
    return f"{parts[0]}/{parts[3].split('/')[0]}"


def env_for(index: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REFERAT_INDEX", "REFERAT_DB")}
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    if index:
        env["REFERAT_INDEX"] = index
    return env


def keyvals(out: str) -> dict[str, float]:
    vals: dict[str, float] = {}
    for tok in out.split():
        if "=" in tok:
            k, _, v = tok.partition("=")
            try:
                vals[k] = float(v.rstrip("x"))
            except ValueError:
                pass
    return vals


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - t0
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return took, done.stdout


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "referat.cli", *args]


# --- the parts that run in processes of their own (this script with a --role) ----------------------

def role_search(db: str, rounds: int, n_clients: int) -> None:
    from referat.store import Archive

    t0 = time.perf_counter()
    archive = Archive(db)
    archive.search(QUERIES[0][0], QUERIES[0][1])
    first = time.perf_counter() - t0
    for q, f in QUERIES[:5]:
        archive.search(q, f)
    lat = []
    for _ in range(rounds):
        for q, f in QUERIES:
            t = time.perf_counter()
            archive.search(q, f, limit=10)
            lat.append((time.perf_counter() - t) * 1000)
    conc = clients(archive, n_clients, rounds)
    items = archive.stats()["items"]
    archive.close()
    print(json.dumps({"first_s": first, "p50": statistics.median(lat), "p99": pct(lat, 99), "n": len(lat),
                      "c_p50": statistics.median(conc), "c_p99": pct(conc, 99), "c_n": len(conc), "items": items}))


def role_reader(db: str, words: list[str]) -> None:
    """Load the index, say so, then find each word in turn, polling every 20 ms; print when found."""
    from referat.store import Archive

    archive = Archive(db)
    archive.search("jobklub")
    print("ready", flush=True)
    for word in words:
        deadline = time.monotonic() + 600
        while archive.search(word, facets=False).total == 0:
            if time.monotonic() > deadline:
                print(f"missing {word}", flush=True)
                return
            time.sleep(0.02)
        print(f"found {word} {time.time():.4f}", flush=True)
    archive.close()


def role_follow(db: str, stop: str) -> None:
    """Keep this process's index ($REFERAT_INDEX) current while a long ingest runs: a search every 10 s
    (the first builds the folder: its time and size are printed) until the file `stop` exists."""
    from referat.store import Archive

    t0 = time.perf_counter()
    archive = Archive(db)
    archive.search("jobklub")
    print(f"built items={archive.searcher().num_docs} seconds={time.perf_counter() - t0:.1f} "
          f"at={dt.datetime.now(dt.timezone.utc):%H:%M:%S}", flush=True)
    while not Path(stop).exists():
        time.sleep(10)
        t = time.perf_counter()
        archive.search("jobklub")
        print(f"applied items={archive.searcher().num_docs} seconds={time.perf_counter() - t:.1f}", flush=True)
    archive.close()


def role_writer(db: str, word: str, serial: int) -> None:
    """Store one meeting (the example's items, the word in its first title) and print when committed."""
    from referat.parse import parse_file
    from referat.store import Archive
    from referat.store.rows import document_rows

    doc = parse_file(EXAMPLE)
    items = [doc.items[0].model_copy(update={"title": f"{doc.items[0].title} {word}"}), *doc.items[1:]]
    day = dt.date(2026, 6, 1) + dt.timedelta(days=serial)
    doc = doc.model_copy(update={"items": items, "meeting": doc.meeting.model_copy(update={"date": day})})
    text = f"{word}\n" + EXAMPLE.read_text(encoding="utf-8")
    import hashlib

    rows = document_rows(doc, sha256=hashlib.sha256(text.encode()).hexdigest(), path=f"fresh/{word}.txt", text=text,
                         fmt="text", encoding="utf-8", size=len(text), now="2026-06-01T00:00:00+00:00",
                         municipality="Friskby")
    archive = Archive(db)
    commits: list[float] = []
    transaction = archive._transaction

    def timed_transaction(*a: Any, **k: Any) -> Any:  # the document's transaction, not the linking after it
        out = transaction(*a, **k)
        commits.append(time.time())
        return out

    archive._transaction = timed_transaction  # type: ignore[method-assign]
    result = archive.store_many([rows])
    committed = commits[0]
    archive.close()
    if result != ["ingested"]:
        raise SystemExit(f"the writer stored {result}")
    print(f"committed {committed:.4f}")


# --- one store's run ----------------------------------------------------------------------------

def freshness(db: str, index: str | None, words: list[str]) -> list[float]:
    reader = subprocess.Popen([sys.executable, __file__, "--role", "reader", "--db", db, *words], env=env_for(index),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    delays = []
    try:
        assert reader.stdout is not None
        line = reader.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"the reader did not start: {line} {reader.stderr.read() if reader.stderr else ''}")
        for serial, word in enumerate(words):
            _, out = timed([sys.executable, __file__, "--role", "writer", "--db", db, "--serial", str(serial), word],
                           env_for(None))
            committed = float(out.split()[-1])
            found = reader.stdout.readline().split()
            if found[:2] != ["found", word]:
                raise RuntimeError(f"the reader answered {found}")
            delays.append(float(found[2]) - committed)
    finally:
        reader.wait(timeout=60)
    return delays


def serve_start(db: str, index: str | None, port: int) -> float:
    t0 = time.perf_counter()
    server = subprocess.Popen(cli("serve", "--db", db, "--port", str(port)), env=env_for(index),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=jobklub&limit=10", timeout=600) as r:
                    if r.status == 200:
                        return time.perf_counter() - t0
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None:
                    raise RuntimeError(f"serve exited: {server.stderr.read() if server.stderr else ''}") from None
                time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=60)


def remove_index(index: str | None) -> None:
    if not index:
        return
    for p in [Path(index), *Path(index).parent.glob(Path(index).name + ".*")]:
        shutil.rmtree(p, ignore_errors=True)


def run_store(kind: str, args: argparse.Namespace, pg_url: str | None) -> dict[str, Any]:
    from pgserver import _free_port  # type: ignore[import-not-found]

    res: dict[str, Any] = {"store": kind, "load_before": load()}
    work: Path = args.work
    if kind == "sqlite":
        db, index = str(work / "scale.db"), None
    else:
        assert pg_url is not None
        db, index = pg_url, str(args.index or work / "pg-index")
    if args.existing:  # an archive generated before (its ingest figures are in that run's output)
        from referat.store import Archive

        with Archive(db) as a:
            res.update(items=a.stats()["items"], load_after_ingest=load())
        print(f"== {kind}: an existing archive of {res['items']:,} items (load {res['load_before']})", flush=True)
    else:
        print(f"== {kind}: ingest {args.n:,} items (load {res['load_before']})", flush=True)
        _, out = timed([sys.executable, str(ROOT / "bench" / "generate.py"), str(args.n), db, "--no-relink"],
                       env_for(None))
        kv = keyvals(out)
        res.update(items=int(kv["items"]), ingest_items_s=kv["ingest_items_per_s"],
                   store_items_s=kv["store_items_per_s"], ingest_total_s=kv["total_s"], load_after_ingest=load())
        print(f"   {out.strip().splitlines()[-1]}", flush=True)
    followed = index is not None and (Path(index) / "referat-applied").exists()
    if kind == "postgresql" and followed:
        res["followed"] = True  # a `--role follow` process kept the folder current during the ingest
        res["db_bytes"] = pg_bytes(db)
    elif kind == "postgresql":
        if args.memory_start:  # no folder: the index is rebuilt in memory on the first search
            took, _ = timed(cli("search", "jobklub", "--db", db, "--limit", "10"), env_for(None))
            res["startup_memory_s"] = took
            print(f"   no index folder: fresh `referat search` {took:.1f} s", flush=True)
        took, _ = timed(cli("search", "jobklub", "--db", db, "--limit", "10"), env_for(index))
        res["cold_folder_s"] = took
        print(f"   index folder built by a fresh `referat search`: {took:.1f} s", flush=True)
        res["db_bytes"] = pg_bytes(db)
    else:
        res["db_bytes"] = db_bytes(db) - index_bytes(db)
    res["index_bytes"] = index_bytes(db) if kind == "sqlite" else sum(
        f.stat().st_size for f in Path(index or "").rglob("*") if f.is_file())
    print(f"   database {res['db_bytes'] / 1e6:,.0f} MB, index {res['index_bytes'] / 1e6:,.0f} MB", flush=True)

    stamp = f"{os.getpid()}{int(time.time()) % 100000}"
    words = [f"friskord{stamp}x{k}" for k in "abc"]
    res["freshness_s"] = freshness(db, index, words)
    print(f"   freshness (commit → found by another process): "
          f"{', '.join(f'{d:.2f}' for d in res['freshness_s'])} s", flush=True)

    # one more document from another process: the index folder now lags the database by it
    timed([sys.executable, __file__, "--role", "writer", "--db", db, "--serial", "9", f"haleord{stamp}"], env_for(None))
    search_times = []
    for _ in range(3):
        took, out = timed(cli("search", f"haleord{stamp}", "--db", db, "--limit", "10"), env_for(index))
        if not out.startswith("1 resultat"):
            raise RuntimeError(f"a fresh search did not find the tail document: {out[:200]}")
        search_times.append(took)
    res["startup_search_s"] = search_times
    res["startup_serve_s"] = [serve_start(db, index, _free_port()) for _ in range(2)]
    print(f"   start-up: fresh `referat search` {', '.join(f'{t:.2f}' for t in search_times)} s; `referat serve` "
          f"to first answer {', '.join(f'{t:.2f}' for t in res['startup_serve_s'])} s", flush=True)

    res["load_before_search"] = load()
    _, out = timed([sys.executable, __file__, "--role", "search", "--db", db, "--rounds", str(args.rounds),
                    "--clients", str(args.clients)], env_for(index))
    res["search"] = json.loads(out.strip().splitlines()[-1])
    s = res["search"]
    print(f"   search 1 client p50 {s['p50']:.1f} p99 {s['p99']:.1f} ms; {args.clients} clients p50 {s['c_p50']:.1f} "
          f"p99 {s['c_p99']:.1f} ms (load before {res['load_before_search']})", flush=True)
    res["load_end"] = load()
    return res


def cleanup(kind: str, args: argparse.Namespace, pg_url: str | None, server: Any) -> None:
    if kind == "sqlite":
        for p in args.work.glob("scale.db*"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    else:
        remove_index(str(args.work / "pg-index"))
        if server is not None and pg_url:
            server.drop_database(pg_url)
        elif pg_url:
            from sqlalchemy import create_engine

            base = pg_url.rsplit("/", 1)[0] + "/postgres"
            engine = create_engine(base, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.exec_driver_sql("DROP DATABASE IF EXISTS referat_scale WITH (FORCE)")
            engine.dispose()


def report(results: list[dict[str, Any]], n: int) -> None:
    by = {r["store"]: r for r in results}
    rows: list[tuple[str, Any]] = [
        ("items stored", lambda r: f"{r['items']:,}"),
        ("ingest items/s (records → DB)", lambda r: f"{r['ingest_items_s']:,.0f}" if "ingest_items_s" in r else "—"),
        ("store items/s", lambda r: f"{r['store_items_s']:,.0f}" if "store_items_s" in r else "—"),
        ("database MB", lambda r: f"{r['db_bytes'] / 1e6:,.0f}"),
        ("index MB", lambda r: f"{r['index_bytes'] / 1e6:,.0f}"),
        ("search p50 / p99 ms, 1 client", lambda r: f"{r['search']['p50']:.1f} / {r['search']['p99']:.1f}"),
        ("search p50 / p99 ms, 4 threads", lambda r: f"{r['search']['c_p50']:.1f} / {r['search']['c_p99']:.1f}"),
        ("start-up: fresh `referat search` s", lambda r: " ".join(f"{t:.2f}" for t in r["startup_search_s"])),
        ("start-up: `referat serve` → 1st answer s", lambda r: " ".join(f"{t:.2f}" for t in r["startup_serve_s"])),
        ("no index folder: 1st search s", lambda r: f"{r['startup_memory_s']:.1f}" if "startup_memory_s" in r else
         (f"≈ {r['cold_folder_s']:.1f} (folder build)" if "cold_folder_s" in r else
          "— (folder kept current)" if r.get("followed") else "— (folder beside the file)")),
        ("freshness s (3 runs)", lambda r: " ".join(f"{d:.2f}" for d in r["freshness_s"])),
        ("load avg/running: start, ingested, search", lambda r: f"{r['load_before']} / {r['load_after_ingest']} / "
                                                        f"{r['load_before_search']}"),
    ]
    names = [k for k in ("sqlite", "postgresql") if k in by]
    print(f"\n== {n:,} items, {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"{'':42s}" + "".join(f"{k:>34s}" for k in names))
    for label, fmt in rows:
        print(f"{label:42s}" + "".join(f"{fmt(by[k]):>34s}" for k in names))
    if "postgresql" in by:
        p = by["postgresql"]
        ps = p["search"]
        checks = []
        if "sqlite" in by and "ingest_items_s" in p:
            ratio = p["ingest_items_s"] / by["sqlite"]["ingest_items_s"]
            checks.append(("ingest ≥ 0.8× SQLite", f"{ratio:.2f}×", ratio >= 0.8))
        checks += [("search p50 ≤ 20 ms", f"{ps['p50']:.1f}", ps["p50"] <= TARGETS["search_p50_ms"]),
                  ("search p99 ≤ 100 ms", f"{ps['p99']:.1f}", ps["p99"] <= TARGETS["search_p99_ms"]),
                  ("4 threads p99 ≤ 250 ms", f"{ps['c_p99']:.1f}", ps["c_p99"] <= TARGETS["clients4_p99_ms"]),
                  ("start-up search ≤ 5 s", f"{max(p['startup_search_s']):.2f}", max(p["startup_search_s"]) <= 5),
                  ("start-up serve ≤ 5 s", f"{max(p['startup_serve_s']):.2f}", max(p["startup_serve_s"]) <= 5),
                  ("freshness ≤ 5 s", f"{max(p['freshness_s']):.2f}", max(p["freshness_s"]) <= 5)]
        print("PostgreSQL targets: " + "; ".join(f"{k} {v} {'met' if ok else 'MISSED'}" for k, v, ok in checks))
    print("scale_result " + json.dumps({"n": n, "runs": results}))


def role_main(argv: list[str]) -> None:
    """The processes this script starts: `--role search|reader|writer --db DB ...`."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--role", choices=("search", "reader", "writer", "follow"), required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--serial", type=int, default=0)
    ap.add_argument("words", nargs="*")
    args = ap.parse_args(argv)
    if args.role == "search":
        role_search(args.db, args.rounds, args.clients)
    elif args.role == "reader":
        role_reader(args.db, args.words)
    elif args.role == "follow":
        role_follow(args.db, args.words[0])
    else:
        role_writer(args.db, args.words[0], args.serial)


def main() -> None:
    if sys.argv[1:2] == ["--role"]:
        role_main(sys.argv[1:])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("n", type=int, help="items to generate per store")
    ap.add_argument("--pg", help="a PostgreSQL server URL (postgresql+psycopg://user@host:port/anydb); default: a "
                                 "throwaway server under /tmp")
    ap.add_argument("--work", type=Path, default=Path("/tmp/referat-scale"), help="where the SQLite file and index folders go")
    ap.add_argument("--stores", default="sqlite,postgresql")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--memory-start", action=argparse.BooleanOptionalAction, default=None,
                    help="PostgreSQL: also time a first search with no index folder (default: up to 200,000 items)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--existing", metavar="URL", help="measure an archive generated before (PostgreSQL, not deleted "
                                                    "at the end) instead of ingesting N items")
    ap.add_argument("--index", help="PostgreSQL's index folder (default WORK/pg-index); one that a `--role follow` "
                                    "process kept current during the ingest is used as it is")
    args = ap.parse_args()
    if args.n <= 0:
        ap.error("give N, the number of items")
    if args.memory_start is None:
        args.memory_start = args.n <= 200_000
    args.work.mkdir(parents=True, exist_ok=True)
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    server = pg_url = None
    results = []
    try:
        if args.existing:
            stores, pg_url = ["postgresql"], args.existing
        elif "postgresql" in stores:
            if args.pg:
                from sqlalchemy import create_engine

                base = args.pg.rsplit("/", 1)[0]
                engine = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
                with engine.connect() as conn:
                    conn.exec_driver_sql("DROP DATABASE IF EXISTS referat_scale WITH (FORCE)")
                    conn.exec_driver_sql("CREATE DATABASE referat_scale")
                engine.dispose()
                pg_url = base + "/referat_scale"
            else:
                import pgserver  # type: ignore[import-not-found]

                server = pgserver.start(PG_SETTINGS)
                print(f"PostgreSQL: a throwaway server on port {server.port} ({server.root}), durability on, "
                      "shared_buffers=512MB", flush=True)
        for kind in stores:
            if kind == "postgresql" and server is not None:
                pg_url = server.create_database()
            try:
                results.append(run_store(kind, args, pg_url))
            finally:
                if not args.existing:
                    cleanup(kind, args, pg_url, server)
        report(results, args.n)
        if args.json:
            args.json.write_text(json.dumps({"n": args.n, "runs": results}, indent=1))
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()

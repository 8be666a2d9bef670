"""Search page latency under a bounded local load, beside two baselines in the same run.

usage: python bench/web.py DB [--clients 4] [--rounds 3] [--workers 1]

Starts `referat serve` on DB (a real uvicorn process) and sends the fixed query set of bench/search.py as
search page requests (`/?q=…&udvalg=…&aar=…&beslutning=…`, filters mapped to the page's parameters),
from --clients concurrent keep-alive clients (a bounded load: each waits for its answer). Baselines:
  static  GET /static/style.css from the same server (the HTTP stack alone);
  direct  Archive.search in this process on the same queries (the search alone, no HTTP, no HTML).
Prints p50/p99 of each and the page's p99 against the static floor.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).parent))
from search import QUERIES, pct  # noqa: E402

from referat.store import Archive  # noqa: E402


def page_path(q: str, f) -> str:  # noqa: ANN001 - a Filters
    params = {"q": q, "udvalg": f.committee, "kommune": f.municipality, "aar": f.year, "beslutning": f.decision_kind}
    return "/?" + urlencode({k: v for k, v in params.items() if v is not None})


def load(port: int, paths: list[str], clients: int) -> list[float]:
    """Each client takes the next path and waits for its answer; latencies in ms."""
    todo = list(paths)
    lock = threading.Lock()
    out: list[float] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not todo:
                    break
                path = todo.pop()
            t0 = time.perf_counter()
            conn.request("GET", path)
            res = conn.getresponse()
            res.read()
            ms = (time.perf_counter() - t0) * 1000
            assert res.status in (200, 422), (path, res.status)
            with lock:
                out.append(ms)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=1, help="server processes")
    args = ap.parse_args()
    with socket.socket() as s:  # a free port: never measure some other server
        s.bind(("127.0.0.1", 0))
        args.port = s.getsockname()[1]
    referat = Path(sys.executable).with_name("referat")
    server = subprocess.Popen([str(referat), "serve", "--db", args.db, "--port", str(args.port),
                               "--workers", str(args.workers)])
    items = Archive(args.db).stats()["items"]
    try:
        for _ in range(200):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
                conn.request("GET", "/api/stats")
                served = json.loads(conn.getresponse().read())["items"]
                break
            except OSError:
                time.sleep(0.1)
        assert served == items, "the server answering is not serving this database"
        paths = [page_path(q, f) for q, f in QUERIES]
        load(args.port, paths[:5], 1)  # warm up
        page = load(args.port, paths * args.rounds, args.clients)
        static = load(args.port, ["/static/style.css"] * len(paths) * args.rounds, args.clients)
    finally:
        server.terminate()
        server.wait()
    archive = Archive(args.db)
    for q, f in QUERIES[:5]:  # warmed up as the server was
        archive.search(q, f, limit=20)
    direct = []
    for _ in range(args.rounds):
        for q, f in QUERIES:
            t0 = time.perf_counter()
            archive.search(q, f, limit=20)
            direct.append((time.perf_counter() - t0) * 1000)
    print(f"items={items} requests={len(page)} clients={args.clients} workers={args.workers}")
    for name, values in (("page", page), ("static", static), ("direct", direct)):
        print(f"{name}_p50_ms={statistics.median(values):.1f} {name}_p99_ms={pct(values, 99):.1f}")
    print(f"page_p99_ms={pct(page, 99):.1f} page_p99_vs_direct_p99={pct(page, 99) / pct(direct, 99):.2f}")


if __name__ == "__main__":
    main()

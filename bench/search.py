"""Search latency over a fixed query set, beside two baselines on the same data in the same run.

usage: python bench/search.py DB --files DIR [--baseline-queries 8]

DB and DIR come from bench/generate.py (DIR holds the same meetings' texts as files). Every query in
QUERIES runs through Archive.search exactly as `referat search` does: top 10 by BM25 with facet counts
(committee, year, decision kind) and highlighted snippets. Baselines, on the first
--baseline-queries plain-word queries:
  grep  `grep -ril WORD DIR` (finds the files, ranks nothing);
  like  a LIKE '%word%' scan over item titles, decisions and section texts in the same database.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from pathlib import Path

from sqlalchemy import text

from referat.store import Archive, Filters

try:
    from generate import db_bytes  # type: ignore[import-not-found]  # run as bench/search.py
except ImportError:
    from bench.generate import db_bytes  # type: ignore[import-not-found, no-redef]

# 60 queries: rare and common words, inflected forms, phrases, OR, exclusions, prefixes, filters.
QUERIES: list[tuple[str, Filters]] = [(q, Filters()) for q in [
    "jobklub", "jobklubberne", "budgetopfølgning", "tillægsbevilling", "integrationsråd", "ankestyrelsen",
    "klagesager", "repatriering", "flygtninge", "ukraine", "sygedagpenge", "kontanthjælp", "løntilskud",
    "ledighed", "beskæftigelsesplan", "forsørgelse", "servicerammen", "videreførelse", "joblog",
    "ekstremisme", "æresrelaterede", "borgerinddragelse", "målopfølgning", "kvartalsstatistik",
    "krisecentre", "bedrageri", "civilsamfundet", "partnerskab", "leverandører", "mødeplan",
    '"negativ social kontrol"', '"lov om aktiv beskæftigelsesindsats"', '"3. kvartal"',
    "budget OR regnskab", "ledige -dagpenge", "flygtninge ukraine", "integration*", "beskæftig*",
    "forvaltningen", "udvalget", "godkendt", "kommune", "budget", "sagen", "beslutning",
]] + [
    ("budget", Filters(committee="Økonomiudvalget")), ("jobklub", Filters(year=2015)),
    ("ledighed", Filters(decision_kind="noted")), ("integration", Filters(municipality="Vesterå")),
    ("forvaltningen", Filters(date_from=__import__("datetime").date(2020, 1, 1))),
    ("tillægsbevilling", Filters(committee="Byrådet", year=2019)),
    ("kontanthjælp", Filters(decision_kind="approved")), ("flygtninge", Filters(year=2022)),
    ("budgetopfølgning", Filters(municipality="Ørum")), ("sygedagpenge", Filters(committee="Beskæftigelsesudvalget")),
    ("målopfølgning", Filters(decision_kind="other")), ("repatriering", Filters(year=2024)),
    ("udvalget", Filters(committee="Ældreudvalget", year=2010)), ("godkendt", Filters(municipality="Åsted")),
    ("løntilskud", Filters(date_from=__import__("datetime").date(2010, 1, 1),
                           date_to=__import__("datetime").date(2012, 12, 31))),
]

# Substring searches inside words (title and decision words), and a word in no item that is retried as
# a substring (the compound fallback): timed apart from the 60, printed on their own line.
SUBSTRING_QUERIES = ["*klub*", "*kommune*", "*regnskab*", "*ydelse*", "*integration*", "*bevilling*",
                     "regnskabsafslutningen", "*sag*"]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def clients(archive: Archive, n: int, rounds: int) -> list[float]:
    """Latencies of the 60 queries run by n threads at once, each starting at a different query."""
    import threading

    out: list[float] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        mine = []
        for _ in range(rounds):
            for q, f in QUERIES[k * 7:] + QUERIES[:k * 7]:
                t0 = time.perf_counter()
                archive.search(q, f, limit=10)
                mine.append((time.perf_counter() - t0) * 1000)
        with lock:
            out.extend(mine)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--files", type=Path, required=True)
    ap.add_argument("--baseline-queries", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--clients", type=int, default=1,
                    help="also run the 60 queries from this many threads at once over the one archive (as one web "
                         "worker's thread pool serves concurrent requests), and print their p50/p99")
    args = ap.parse_args()
    t0 = time.perf_counter()
    archive = Archive(args.db)
    opened = time.perf_counter() - t0
    archive.search(QUERIES[0][0], QUERIES[0][1])  # PostgreSQL: loads this process's index (see store/upkeep.py)
    first = time.perf_counter() - t0
    print(f"open_s={opened:.2f} first_search_s={first:.2f} (open, and open to the first answer)")
    items = archive.stats()["items"]
    for q, f in QUERIES[:5]:  # warm the page cache like a running server would be
        archive.search(q, f)
    latencies: list[float] = []
    worst: list[tuple[float, str]] = []
    for _ in range(args.rounds):
        for q, f in QUERIES:
            t0 = time.perf_counter()
            archive.search(q, f, limit=10)
            ms = (time.perf_counter() - t0) * 1000
            latencies.append(ms)
            worst.append((ms, q))
    p50, p99 = statistics.median(latencies), pct(latencies, 99)
    if args.clients > 1:
        concurrent = clients(archive, args.clients, args.rounds)
        print(f"clients={args.clients} concurrent_p50_ms={statistics.median(concurrent):.1f} "
              f"concurrent_p99_ms={pct(concurrent, 99):.1f} ({len(concurrent)} searches)")
    t0 = time.perf_counter()
    archive.search(SUBSTRING_QUERIES[0], limit=10)  # the first one reads the word list into memory
    substring_first = (time.perf_counter() - t0) * 1000
    substring_ms: list[float] = []
    for _ in range(args.rounds):
        for q in SUBSTRING_QUERIES:
            t0 = time.perf_counter()
            archive.search(q, limit=10)
            substring_ms.append((time.perf_counter() - t0) * 1000)

    plain = [q for q, f in QUERIES if q.isalpha() and f == Filters()][: args.baseline_queries]
    grep_ms, like_ms = [], []
    for q in plain:
        t0 = time.perf_counter()
        subprocess.run(["grep", "-ril", q, str(args.files)], capture_output=True, check=False)
        grep_ms.append((time.perf_counter() - t0) * 1000)
        with archive.engine.connect() as conn:
            t0 = time.perf_counter()
            conn.execute(text("SELECT count(*) FROM items i WHERE i.title LIKE :p OR i.decision LIKE :p OR i.pk IN "
                              "(SELECT item_pk FROM sections WHERE text LIKE :p)"), {"p": f"%{q}%"}).scalar_one()
            like_ms.append((time.perf_counter() - t0) * 1000)
    size = db_bytes(args.db)
    print(f"items={items} queries={len(QUERIES)} rounds={args.rounds} db_mb={size / 1e6:.0f}")
    print("slowest: " + ", ".join(f"{q} {ms:.0f} ms" for ms, q in sorted(worst, reverse=True)[:5]))
    print(f"substring_first_ms={substring_first:.0f} substring_p50_ms={statistics.median(substring_ms):.1f} "
          f"substring_max_ms={max(substring_ms):.1f} ({len(SUBSTRING_QUERIES)} queries)")
    g, lk = statistics.median(grep_ms), statistics.median(like_ms)
    print(f"search_p50_ms={p50:.1f} search_p99_ms={p99:.1f} grep_median_ms={g:.0f} like_median_ms={lk:.0f} "
          f"speedup_vs_grep={g / p50:.0f}x speedup_vs_like={lk / p50:.0f}x")


if __name__ == "__main__":
    main()

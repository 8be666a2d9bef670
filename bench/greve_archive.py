"""The whole Greve archive (370 recorded meeting responses of the publication API) ingested into one archive,
and what the archive then knows: meetings, items, people, absences, and cases followed across meetings.

usage: python bench/greve_archive.py [--dir ../shared/corpus/publication-api/greve] [--db PATH]

Ingest is `referat ingest` (files, one transaction per document); the four question/answer containers must
be refused, anything else that does not ingest is a failure. A case "runs" when items in several meetings
share its case number (cases.case_key); the committee → Økonomiudvalget → Byråd threads are those that reach
both. The last line is exactly:
meetings=<n> items=<n> refused=<n> failed=<n> meetings_s=<number> threads=<n>
Exits 1 when any meeting fails.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from referat.ingest import ingest
from referat.store import Archive

ROOT = Path(__file__).resolve().parents[1]

CASES = """SELECT i.case_key, COUNT(DISTINCT i.meeting_id) AS meetings, COUNT(DISTINCT m.body_id) AS bodies,
                  MAX(CASE WHEN b.name = 'Økonomiudvalget' THEN 1 ELSE 0 END) AS oeu,
                  MAX(CASE WHEN b.name LIKE 'Byråd%' THEN 1 ELSE 0 END) AS br
           FROM items i JOIN meetings m ON m.id = i.meeting_id JOIN bodies b ON b.id = m.body_id
           WHERE i.case_key IS NOT NULL GROUP BY i.case_key"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", type=Path, default=ROOT.parent / "shared" / "corpus" / "publication-api" / "greve")
    ap.add_argument("--db", type=Path, default=None)
    args = ap.parse_args()
    files = sorted(args.dir.glob("*.json"))
    if not files:
        raise SystemExit(f"no meeting JSON in {args.dir}")
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive(str(args.db or Path(tmp) / "greve.db"))
        t0 = time.perf_counter()
        summary = ingest(archive, [str(f) for f in files])
        seconds = time.perf_counter() - t0
        with archive.engine.connect() as conn:
            cases = conn.execute(text(CASES)).all()
            people = conn.execute(text("SELECT COUNT(*) FROM people")).scalar_one()
            absences = conn.execute(text("SELECT COUNT(*) FROM attendance WHERE status = 'absent'")).scalar_one()
            closed = conn.execute(text("SELECT COUNT(*) FROM items WHERE closed")).scalar_one()
        stats = archive.stats()
        archive.close()
    meetings = summary.count("ingested") + summary.count("replaced")
    running = [c for c in cases if c.meetings > 1]
    threads = [c for c in running if c.bodies >= 3 and c.oeu and c.br]
    print(f"files {len(files)}: ingested {meetings}, refused {summary.count('refused')}, "
          f"failed {summary.count('failed')} in {seconds:.1f} s ({meetings / seconds:.1f} meetings/s)")
    for o in summary.failed:
        print(f"  failed: {o.path}: {o.reason}")
    print(f"archive: {stats['meetings']} meetings, {stats['items']} items ({closed} closed), {people} people, "
          f"{absences} item absences")
    print(f"cases: {len(cases)} case numbers, {len(running)} treated in more than one meeting, "
          f"{sum(1 for c in running if c.bodies > 1)} by more than one body, {len(threads)} run from a committee "
          "through Økonomiudvalget to the Byråd")
    print(f"meetings={meetings} items={stats['items']} refused={summary.count('refused')} "
          f"failed={summary.count('failed')} meetings_s={meetings / seconds:.2f} threads={len(threads)}")
    return 1 if summary.count("failed") else 0


if __name__ == "__main__":
    raise SystemExit(main())

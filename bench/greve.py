"""The whole Greve archive of the publication API (370 recorded meeting responses) read and parsed.

usage: python bench/greve.py [--dir ../shared/corpus/publication-api/greve]

Every file goes through referat's own reader (chosen by content) and the structured road. Question/answer
containers must be refused with NotMinutesError; anything else that fails is a failure. Prints what was
read (meetings, items, people, absences, closed items, decisions by kind) and the speed, beside a baseline
in the same run (json.loads of the same bytes: the least any reader of this API must do). The last line is
exactly: meetings=<n> refused=<n> failed=<n> meetings_s=<number> baseline_meetings_s=<number>
Exits 1 when any meeting fails.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from referat.errors import NotMinutesError, ReferatError
from referat.parse import parse_file

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", type=Path, default=ROOT.parent / "shared" / "corpus" / "publication-api" / "greve")
    args = ap.parse_args()
    files = sorted(args.dir.glob("*.json"))
    if not files:
        raise SystemExit(f"no meeting JSON in {args.dir}")
    start = time.perf_counter()
    for path in files:
        json.loads(path.read_bytes())
    baseline = time.perf_counter() - start

    refused: list[str] = []
    failed: list[str] = []
    kinds: Counter[str] = Counter()
    items = closed = decisions = absences = 0
    people: set[str] = set()
    committees: Counter[str] = Counter()
    start = time.perf_counter()
    for path in files:
        try:
            doc = parse_file(path)
        except NotMinutesError as exc:
            refused.append(f"{path.name}: {exc.reason}")
            continue
        except (ReferatError, ValueError) as exc:
            failed.append(f"{path.name}: {exc}")
            continue
        committees[doc.meeting.committee or "?"] += 1
        people.update(p.name for p in doc.meeting.participants)
        for it in doc.items:
            items += 1
            closed += it.closed
            decisions += it.decision is not None
            absences += len(it.absent)
            people.update(it.absent)
            kinds[it.decision_kind or "none"] += 1
    elapsed = time.perf_counter() - start
    meetings = sum(committees.values())

    print(f"files {len(files)}: meetings {meetings}, refused {len(refused)}, failed {len(failed)}")
    print(f"items {items} (closed {closed}), decisions printed {decisions}, people {len(people)}, "
          f"item absences {absences}")
    print("decision kinds: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    print("meetings by committee: " + ", ".join(f"{k} {v}" for k, v in committees.most_common()))
    for line in refused:
        print("refused", line)
    for line in failed:
        print("FAILED", line)
    print(f"parse {elapsed:.1f} s, json.loads alone {baseline:.2f} s")
    print(f"meetings={meetings} refused={len(refused)} failed={len(failed)} "
          f"meetings_s={meetings / elapsed:.1f} baseline_meetings_s={len(files) / baseline:.1f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

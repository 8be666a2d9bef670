"""Parse throughput over the five real minutes, beside a read-and-splitlines baseline in the same run.

usage: python bench/parse.py [--mb 50] [--seeds ../shared/seeds] [--wrap N]

The documents are parsed one by one, repeated until at least --mb megabytes of text have been parsed
(each document is parsed whole; repetition does not concatenate documents). The baseline decodes the
same bytes and splits them into lines, which is the least any parser must do. The last line is
exactly: parse_mb_s=<number> baseline_mb_s=<number> ratio=<number>

--wrap N parses the documents hard-wrapped at N characters, as pdftotext gives a PDF's paragraphs
(referat.testing.converters.wrapped): the normalizer joins them back.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from referat.parse import parse_text
from referat.testing.converters import wrapped

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=50.0)
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    ap.add_argument("--wrap", type=int, default=0, help="wrap every line at this many characters first")
    args = ap.parse_args()
    docs = [p.read_bytes() for p in sorted(args.seeds.glob("*.txt"))]
    if args.wrap:
        docs = [wrapped(d.decode("utf-8"), args.wrap).encode("utf-8") for d in docs]
    if not docs:
        raise SystemExit(f"no documents in {args.seeds}")
    per_round = sum(len(d) for d in docs)
    rounds = max(1, int(args.mb * 1e6 // per_round) + 1)
    total = per_round * rounds

    t0 = time.perf_counter()
    n_lines = 0
    for _ in range(rounds):
        for d in docs:
            n_lines += len(d.decode("utf-8").splitlines())
    baseline = time.perf_counter() - t0

    t0 = time.perf_counter()
    n_items = 0
    for _ in range(rounds):
        for d in docs:
            n_items += len(parse_text(d.decode("utf-8")).items)
    parsing = time.perf_counter() - t0

    mb = total / 1e6
    print(f"documents={len(docs) * rounds} bytes={total} lines={n_lines} items={n_items}")
    print(f"parse: {parsing:.2f} s  baseline: {baseline:.3f} s")
    print(f"parse_mb_s={mb / parsing:.2f} baseline_mb_s={mb / baseline:.2f} ratio={baseline / parsing:.4f}")


if __name__ == "__main__":
    main()

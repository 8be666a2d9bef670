"""Start-up cost of the command line, beside `python -c pass` in the same run.

usage: python bench/startup.py [--runs 15]

Each command is run --runs times in a fresh process; the median wall time is printed, with its ratio to
the interpreter's own start-up. The last line is exactly:
help_s=<median> parse_s=<median> python_s=<median>
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "vesteraa_dagsorden_2025-01-15.txt"


def median_time(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    runs = ap.parse_args().runs
    py = median_time([sys.executable, "-c", "pass"], runs)
    help_ = median_time([sys.executable, "-m", "referat.cli", "--help"], runs)
    parse = median_time([sys.executable, "-m", "referat.cli", "parse", str(EXAMPLE)], runs)
    for name, t in (("python -c pass", py), ("referat --help", help_), ("referat parse (1 page)", parse)):
        print(f"{name:24s} {t * 1000:7.0f} ms  {t / py:5.1f}x python")
    print(f"help_s={help_:.3f} parse_s={parse:.3f} python_s={py:.3f}")


if __name__ == "__main__":
    main()

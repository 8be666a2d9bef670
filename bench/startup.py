"""Start-up cost of the command line, beside `python -c pass` in the same run.

usage: python bench/startup.py [--runs 15]

Each command is run --runs times in a fresh process; the median wall time is printed, with its ratio to
the interpreter's own start-up, and the median CPU time (user + system of the process and its children:
`parse` forks a bounded worker), which a busy machine inflates less. The last line is exactly:
help_s=<median> parse_s=<median> python_s=<median>
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "vesteraa_dagsorden_2025-01-15.txt"


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def median_time(cmd: list[str], runs: int) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds) of `cmd` run `runs` times."""
    times, cpus = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), _cpu()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
        cpus.append(_cpu() - c0)
    return statistics.median(times), statistics.median(cpus)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    runs = ap.parse_args().runs
    (py, py_cpu) = median_time([sys.executable, "-c", "pass"], runs)
    (help_, help_cpu) = median_time([sys.executable, "-m", "referat.cli", "--help"], runs)
    (parse, parse_cpu) = median_time([sys.executable, "-m", "referat.cli", "parse", str(EXAMPLE)], runs)
    for name, t, cpu in (("python -c pass", py, py_cpu), ("referat --help", help_, help_cpu),
                         ("referat parse (1 page)", parse, parse_cpu)):
        print(f"{name:24s} {t * 1000:7.0f} ms  {t / py:5.1f}x python  (CPU {cpu * 1000:4.0f} ms)")
    print(f"help_s={help_:.3f} parse_s={parse:.3f} python_s={py:.3f}")


if __name__ == "__main__":
    main()

"""Run the atheris target of every reader for a while, from seeds of its kind, and report executions and
crashes (exit code 1 when any reader crashed; the crashing input is kept in the output folder).

    python fuzz/run.py [--seconds N] [--seed N] [--out DIR] [readers...]

`make test` runs a few seconds per reader from a fixed seed (the same inputs in the same order each time:
a gate that fails when the code changed, not when the dice did); `make check-long` explores for minutes
from random seeds (docs/reliability.md: figures).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from referat.testing import fuzz  # noqa: E402


def run(reader: str, seconds: int, out: Path, seed: int = 0) -> tuple[int, int, str]:
    """(executions, crashes, last lines) of one reader's run."""
    seeds = out / f"{reader}-seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    for k, data in enumerate(fuzz.seeds(reader, out)):
        (seeds / f"seed{k}").write_bytes(data)
    corpus = out / f"{reader}-corpus"
    corpus.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    cmd = [sys.executable, str(HERE / "readers.py"), reader, str(corpus), str(seeds), f"-max_total_time={seconds}",
           "-timeout=30", "-rss_limit_mb=3072", "-max_len=1000000", f"-artifact_prefix={out}/{reader}-",
           "-print_final_stats=1", f"-seed={seed}"]  # 0: libFuzzer picks one
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=seconds * 3 + 300, check=False)
    log = done.stdout + done.stderr
    (out / f"{reader}.log").write_text(log, encoding="utf-8")
    runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log) or re.findall(r"Done (\d+) runs", log)
    executions = int(runs[-1]) if runs else max((int(n) for n in re.findall(r"^#(\d+)", log, re.M)), default=0)
    crashes = len(list(out.glob(f"{reader}-crash-*"))) + len(list(out.glob(f"{reader}-timeout-*"))) \
        + len(list(out.glob(f"{reader}-oom-*")))
    if done.returncode != 0 and not crashes:
        crashes = 1
    return executions, crashes, "\n".join(log.strip().splitlines()[-15:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="libFuzzer's seed; 0 (the default) picks a random one")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("readers", nargs="*", default=list(fuzz.READERS))
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="referat-fuzz-"))
    out.mkdir(parents=True, exist_ok=True)
    failed = False
    total = 0
    started = time.monotonic()
    for reader in args.readers:
        executions, crashes, tail = run(reader, args.seconds, out, args.seed)
        total += executions
        print(f"fuzz {reader:5} {executions:>9,} executions in {args.seconds} s, {crashes} crashes")
        if crashes:
            failed = True
            print(tail)
    if failed or args.out:
        print(f"fuzz total {total:,} executions in {time.monotonic() - started:.0f} s; logs and any crash inputs in {out}")
    else:
        print(f"fuzz total {total:,} executions in {time.monotonic() - started:.0f} s, no crash")
        shutil.rmtree(out, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

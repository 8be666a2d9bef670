"""Files that are not documents are refused before they cost anything: pipes, devices, giant files, and
folder walks through symlink cycles (../shared/reports/probe-2026-11-30.md cases 33-38, 41)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import EXAMPLES
from referat.errors import DocumentTooLargeError, SourceError
from referat.ingest import expand, ingest
from referat.sources import MAX_BYTES, read_source
from referat.store import Archive


def test_a_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "minutes.txt"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(SourceError, match="not a regular file"):
        read_source(fifo)
    assert time.monotonic() - started < 5


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused() -> None:
    with pytest.raises(SourceError, match="not a regular file"):
        read_source("/dev/zero")


def test_a_giant_file_is_refused_by_its_size_before_it_is_read(tmp_path: Path) -> None:
    giant = tmp_path / "giant.txt"
    with giant.open("wb") as f:
        f.truncate(4 << 30)  # sparse: 4 GiB on paper, nothing on disk
    started = time.monotonic()
    with pytest.raises(DocumentTooLargeError, match=f"{MAX_BYTES:,}-byte limit"):
        read_source(giant)
    archive = Archive(str(tmp_path / "a.db"))
    summary = ingest(archive, [str(giant)])  # the unchanged-file check must not hash it first
    assert [o.status for o in summary.outcomes] == ["failed"] and "limit" in (summary.outcomes[0].reason or "")
    assert time.monotonic() - started < 10


def test_globs_and_folders_follow_no_symlink_cycle(tmp_path: Path) -> None:
    sub = tmp_path / "corpus" / "sub"
    sub.mkdir(parents=True)
    for f in EXAMPLES.glob("*.txt"):
        shutil.copy(f, sub)
    (tmp_path / "corpus" / "self").symlink_to(".")
    (sub / "up").symlink_to("../..")
    (sub / "loop").symlink_to("loop")
    expected = sorted(sub / f.name for f in EXAMPLES.glob("*.txt"))
    for pattern in (f"{tmp_path}/corpus/**", f"{tmp_path}/corpus/**/*.txt", str(tmp_path / "corpus")):
        assert sorted(expand([pattern])) == expected, pattern


def test_workers_are_capped_by_cores_and_files(tmp_path: Path) -> None:
    archive = Archive(str(tmp_path / "a.db"))
    started = time.monotonic()
    summary = ingest(archive, [str(f) for f in sorted(EXAMPLES.glob("*.txt"))[:2]], jobs=1000)
    assert summary.count("ingested") == 2
    assert time.monotonic() - started < 30  # 1,000 forked workers took 8 s for two files


@pytest.mark.parametrize("args", [
    ("search", "budget", "--offset", "4294967296"), ("search", "budget", "--year", str(2**70)),
    ("serve", "--port", "-1"), ("search", "ø" * 491 + "*"),
])
def test_out_of_range_arguments_get_a_message_not_a_traceback(tmp_path: Path, args: tuple[str, ...]) -> None:
    import subprocess
    import sys
    res = subprocess.run([sys.executable, "-m", "referat.cli", *args, "--db", str(tmp_path / "a.db")],
                         capture_output=True, text=True, check=False, timeout=60)
    assert res.returncode in (1, 2) and "Traceback" not in res.stderr and "panicked" not in res.stderr, res.stderr
    assert ("range" in res.stderr) or ("longer than" in res.stderr), res.stderr


def test_a_mistyped_db_is_refused_and_leaves_nothing_behind(tmp_path: Path) -> None:
    import subprocess
    import sys
    for args in (("search", "jobklub", "--db", "nonexistent.db"), ("stats", "--db", "nonexistent.db"),
                 ("stats", "--db", "")):
        res = subprocess.run([sys.executable, "-m", "referat.cli", *args], capture_output=True, text=True,
                             check=False, timeout=60, cwd=tmp_path)
        assert res.returncode == 1 and res.stderr.startswith("error: ") and "Traceback" not in res.stderr, res.stderr
    assert list(tmp_path.iterdir()) == []

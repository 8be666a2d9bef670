"""Hostile files built in the test run (referat.testing.hostile) meet the limits of referat.limits: each
limit triggers, the refusal is one line naming the file and the limit, it comes within 3x the limit in
time and memory, and the batch goes on (../shared/reports/probe-2026-11-30.md, cases 13, 15, 16, 21).

The limits are lowered through their environment variables (512 MB, 20 s, 64 MB inflated), as an
operator would, so that the whole file runs in seconds; the bombs expand far past them (2-3 GB).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT
from referat import sandbox
from referat.ingest import ingest, prepare
from referat.limits import LimitConfigError, Limits, current
from referat.store import Archive
from referat.testing import hostile

MINUTES = EXAMPLES / "vesteraa_oekonomiudvalg_2023-09-18.txt"
LOW = {"REFERAT_LIMIT_MEMORY_MB": "512", "REFERAT_LIMIT_SECONDS": "20", "REFERAT_LIMIT_INFLATED_MB": "64"}
MB = 1 << 20


@pytest.fixture
def low_limits(monkeypatch: pytest.MonkeyPatch) -> Limits:
    for k, v in LOW.items():
        monkeypatch.setenv(k, v)
    return current()


def _read(path: Path, ocr: bool = False) -> sandbox.Run:
    """Read and parse one file as ingest does, in a bounded worker."""
    task = (path, "2026-11-30T00:00:00+00:00", None, ocr)
    return next(iter(sandbox.run_many(prepare, [task], [str(path)])))


def _within(run: sandbox.Run, lim: Limits) -> None:
    assert run.seconds <= 3 * lim.seconds, run
    assert run.grown_bytes <= 3 * lim.memory_bytes, run


def _refusal(run: sandbox.Run) -> str:
    """The one-line reason a document was refused."""
    assert run.error is not None, f"{run.path} was read: {run.value!r}"
    reason = str(run.error)
    assert "\n" not in reason and "Traceback" not in reason
    return reason


def test_a_word_zip_bomb_is_refused_while_it_inflates(tmp_path: Path, low_limits: Limits) -> None:
    bomb = hostile.docx_bomb(tmp_path / "bomb.docx", 600 * MB)
    assert bomb.stat().st_size < 5 * MB  # a few MB that inflate to 600 MB
    run = _read(bomb)
    assert "inflates to more than 64 MB" in _refusal(run)
    _within(run, low_limits)
    assert run.grown_bytes < 300 * MB  # stopped at the inflate limit, long before the memory limit


def test_a_word_zip_bomb_under_the_inflate_limit_meets_the_memory_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFERAT_LIMIT_MEMORY_MB", "256")
    monkeypatch.setenv("REFERAT_LIMIT_SECONDS", "20")
    lim = current()
    run = _read(hostile.docx_bomb(tmp_path / "bomb.docx", 450 * MB))  # under the default 500 MB inflate limit
    assert "256 MB memory limit" in _refusal(run)
    _within(run, lim)


def test_a_pdf_flate_bomb_kills_only_its_worker(tmp_path: Path, low_limits: Limits) -> None:
    bomb = hostile.pdf_bomb(tmp_path / "bomb.pdf", 2 << 30)  # a content stream of 2 GB of "q Q "
    assert bomb.stat().st_size < 5 * MB
    run = _read(bomb)
    assert "512 MB memory limit" in _refusal(run)
    _within(run, low_limits)


def test_a_giant_blank_page_is_refused_for_ocr_before_it_is_rendered(tmp_path: Path, low_limits: Limits) -> None:
    run = _read(hostile.blank_pdf(tmp_path / "big.pdf", 14400, 14400), ocr=True)
    assert "larger than A0" in _refusal(run)
    assert run.seconds < 5 and run.grown_bytes < 100 * MB  # 60,001 x 60,001 pixels were never made
    run = _read(hostile.blank_pdf(tmp_path / "a0.pdf", 2384, 3370), ocr=False)  # A0 without --ocr: the hint
    assert "--ocr" in _refusal(run)


def test_pages_over_the_ocr_area_limit_are_refused_before_any_is_read(tmp_path: Path, low_limits: Limits,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFERAT_LIMIT_OCR_PAGES", "10")
    run = _read(hostile.blank_pdf(tmp_path / "scan.pdf", 595, 842, pages=11), ocr=True)
    assert "OCR limit of 10 A4 pages" in _refusal(run)
    assert run.seconds < 5


@pytest.mark.parametrize("depth,closed", [(300_000, True), (100_000, False)])
def test_minutes_inside_deep_nesting_are_read_quickly(tmp_path: Path, low_limits: Limits, depth: int, closed: bool) -> None:
    lines = MINUTES.read_text(encoding="utf-8").splitlines()
    flat = _read(hostile.deep_html(tmp_path / "flat.html", 0, lines))
    deep = _read(hostile.deep_html(tmp_path / "deep.html", depth, lines, closed=closed))
    assert deep.error is None, deep
    assert [i["title"] for i in deep.value.items] == [i["title"] for i in flat.value.items]
    assert len(deep.value.items) == 5
    assert any("over the 5,000-level limit" in w["message"] for w in deep.value.warnings), deep.value.warnings
    assert deep.seconds < 20  # lexbor alone took 191 s on 300,000 levels; the pre-scan is linear
    _within(deep, low_limits)


def test_a_worker_over_its_time_or_memory_is_stopped() -> None:
    lim = Limits(seconds=2, memory_bytes=256 * MB)
    started = time.monotonic()
    spin, hog = sandbox.run_many(_spin_or_hog, [("spin",), ("hog",)], ["spin.txt", "hog.txt"], limits=lim)
    assert "2 s limit" in str(spin.error) and spin.seconds < 3 * 2
    assert "256 MB memory limit" in str(hog.error) and hog.grown_bytes < 3 * lim.memory_bytes
    assert time.monotonic() - started < 10


def _spin_or_hog(what: str) -> int:
    if what == "hog":
        return len(bytearray(1 << 30))
    while True:
        pass


def test_text_over_the_character_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFERAT_LIMIT_TEXT_CHARS", "1000")
    assert "over the 1,000-character limit" in _refusal(_read(MINUTES))


def test_a_limit_set_to_nonsense_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFERAT_LIMIT_SECONDS", "-3")
    with pytest.raises(LimitConfigError, match="REFERAT_LIMIT_SECONDS"):
        current()


def test_a_batch_of_hostile_files_goes_on_past_each(tmp_path: Path, low_limits: Limits) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    hostile.pdf_bomb(folder / "a_bomb.pdf", 2 << 30)
    hostile.docx_bomb(folder / "b_bomb.docx", 600 * MB)
    os.mkfifo(folder / "c_pipe.txt")
    (folder / "d_minutes.txt").write_bytes(MINUTES.read_bytes())
    (folder / "e_loop").symlink_to(".")
    archive = Archive(str(tmp_path / "a.db"))
    started = time.monotonic()
    summary = ingest(archive, [str(folder), "/dev/zero"], jobs=2)
    archive.close()
    stats = Archive(str(tmp_path / "a.db")).stats()  # the good document stored whole, nothing of the others
    assert (stats["documents"], stats["meetings"], stats["items"]) == (1, 1, len(by_items(MINUTES)))
    by_name = {Path(o.path).name: o for o in summary.outcomes}
    assert by_name["d_minutes.txt"].status == "ingested"
    assert "memory limit" in by_name["a_bomb.pdf"].reason
    assert "inflates to more than 64 MB" in by_name["b_bomb.docx"].reason
    assert "not a regular file" in by_name["c_pipe.txt"].reason and "not a regular file" in by_name["zero"].reason
    assert time.monotonic() - started < 60


def by_items(path: Path) -> list[object]:
    from referat.parse import parse_file

    return parse_file(path).items


def test_parse_refuses_a_bomb_in_one_line(tmp_path: Path) -> None:
    bomb = hostile.pdf_bomb(tmp_path / "bomb.pdf", 2 << 30)
    env = {**os.environ, **LOW, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-m", "referat.cli", "parse", str(bomb)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bomb) in lines[0] and "512 MB memory limit" in lines[0], done.stderr

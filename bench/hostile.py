"""The hostile files of tests/test_hostile.py at the DEFAULT limits (referat.limits): what each costs before
it is refused (wall and CPU seconds, the worker's peak memory) and the line that refuses it. The test file
lowers the limits to stay fast; this shows the limits as shipped. Figures: docs/reliability.md.

    PYTHONPATH=src .venv/bin/python bench/hostile.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from referat import sandbox
from referat.ingest import prepare
from referat.limits import current
from referat.testing import hostile

ROOT = Path(__file__).resolve().parents[1]
MB = 1 << 20


def main() -> None:
    lim = current()
    lines = (ROOT / "examples" / "vesteraa_oekonomiudvalg_2023-09-18.txt").read_text(encoding="utf-8").splitlines()
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        cases = [
            ("Word zip bomb, 2 GB of XML", hostile.docx_bomb(t / "bomb.docx", 2048 * MB), False),
            ("Word zip bomb under the inflate limit, 450 MB", hostile.docx_bomb(t / "bomb450.docx", 450 * MB), False),
            ("PDF flate bomb, 3 GB content stream", hostile.pdf_bomb(t / "bomb.pdf", 3 << 30), False),
            ("blank 14,400 pt page, --ocr", hostile.blank_pdf(t / "big.pdf", 14400, 14400), True),
            ("300,000 nested divs around minutes", hostile.deep_html(t / "deep.html", 300_000, lines), False),
            ("100,000 unclosed divs around minutes", hostile.deep_html(t / "open.html", 100_000, lines, closed=False), False),
        ]
        tasks = [(path, "2026-11-30T00:00:00+00:00", None, ocr) for _, path, ocr in cases]
        print(f"limits: {lim.memory_bytes // MB} MB, {lim.seconds:g} s, {lim.inflated_bytes // MB} MB inflated, "
              f"depth {lim.html_depth}")
        print("| file | on disk | wall s | CPU s | worker peak (grown) | outcome |")
        print("|---|---|---|---|---|---|")
        for (name, path, _), run in zip(cases, sandbox.run_many(prepare, tasks, [str(p) for _, p, _ in cases])):
            if run.error is not None:
                outcome = str(run.error).split(": ", 1)[1]
            else:
                outcome = f"read: {len(run.value.items)} items"
            print(f"| {name} | {path.stat().st_size / MB:.1f} MB | {run.seconds:.2f} | {run.cpu_seconds:.2f} | "
                  f"{run.peak_bytes / MB:,.0f} MB ({run.grown_bytes / MB:,.0f} MB) | {outcome} |")


if __name__ == "__main__":
    main()

"""PDF → record throughput in pages/s, beside poppler's `pdftotext` on the same file in the same run.

usage: python bench/pdf.py [--pages 200] [--rounds 3] [--readers N]

Renders the five real minutes in ../shared/seeds (repeated until the document has at least --pages
pages) into one PDF with running headers, footers, page numbers, hyphenated line ends and ruled
tables (referat.testing.pdfrender), then times `referat`'s PDF reader + parser on it and `pdftotext FILE -`,
each round in turn: pdftotext; referat in one process; referat with pages read by one process per
CPU (up to --readers) whatever the load; referat as it runs by default (extra reader processes only
for CPUs the load average leaves idle). pdftotext uses one process. Ratios are printed for each, and
how far referat's words are from pdftotext's on the file (referat.testing.pdfwords: symmetric difference
of the word multisets over pdftotext's word count, page furniture included); the last line is the
default's: pdf_pages_s=<n> pdftotext_pages_s=<n> ratio=<n>
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium

from referat import sandbox
from referat.parse import parse_file
from referat.sources import pdf as pdf_reader
from referat.testing.pdfrender import render
from referat.testing.pdfwords import against_pdftotext

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--readers", type=int, default=pdf_reader.MAX_READERS, help="most processes reading a PDF")
    args = ap.parse_args()
    if shutil.which("pdftotext") is None:
        raise SystemExit("pdftotext not found: install Debian's poppler-utils (apt-get install poppler-utils)")
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))]
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "bench.pdf"
        text = "\n".join(seeds)
        while True:
            render(text, pdf, header="Beskæftigelses- og Integrationsudvalget - referat")
            pages = len(pdfium.PdfDocument(pdf))
            if pages >= args.pages:
                break
            text += "\n" + "\n".join(seeds)
        idle_cpus = pdf_reader._idle_cpus
        all_cpus = min(len(os.sched_getaffinity(0)), args.readers, max(1, pages // pdf_reader.PARALLEL_MIN_PAGES))
        print(f"cpus={len(os.sched_getaffinity(0))} loadavg_before={os.getloadavg()[0]:.2f}")
        pdftotext = ["pdftotext", str(pdf), "-"]
        theirs, single, forced, ours, chosen, bounded = [], [], [], [], [], []
        for _ in range(args.rounds):
            theirs.append(_timed(lambda: subprocess.run(pdftotext, capture_output=True, check=True)))
            pdf_reader.MAX_READERS = 1
            single.append(_timed(lambda: parse_file(pdf)))
            pdf_reader.MAX_READERS = args.readers
            pdf_reader._idle_cpus = lambda: all_cpus  # type: ignore[assignment]  # readers whatever the load
            forced.append(_timed(lambda: parse_file(pdf)))
            pdf_reader._idle_cpus = idle_cpus
            chosen.append(pdf_reader._readers(pages))
            ours.append(_timed(lambda: parse_file(pdf)))
            # as `referat parse` runs it: in a forked worker bounded in time and memory (referat.sandbox)
            bounded.append(_timed(lambda: sandbox.run(parse_file, pdf, path=pdf)))
        items = len(parse_file(pdf).items)
        words = against_pdftotext(pdf)
    (a, a_cpu), (b, b_cpu), (c, c_cpu), (d, d_cpu) = (_medians(x) for x in (ours, theirs, single, forced))
    print(f"pages={pages} items={items} referat_s={a:.3f} referat_one_process_s={c:.3f} "
          f"referat_{all_cpus}_processes_s={d:.3f} pdftotext_s={b:.3f} loadavg_after={os.getloadavg()[0]:.2f} "
          f"default_readers_per_round={','.join(map(str, chosen))}")
    # CPU seconds (this process and its reader children, or pdftotext) are steadier than wall time when
    # other work shares the machine; they are printed for reference, the ratios are by wall time
    print(f"cpu_s: referat={a_cpu:.3f} referat_one_process={c_cpu:.3f} referat_{all_cpus}_processes={d_cpu:.3f} "
          f"pdftotext={b_cpu:.3f}")
    print(f"words_vs_pdftotext: ratio={words.ratio:.4f} missing={sum(words.missing.values())} "
          f"extra={sum(words.extra.values())} of {sum(words.reference.values())}")
    print(f"one_process: pdf_pages_s={pages / c:.1f} pdftotext_pages_s={pages / b:.1f} ratio={b / c:.3f}")
    print(f"{all_cpus}_processes: pdf_pages_s={pages / d:.1f} pdftotext_pages_s={pages / b:.1f} ratio={b / d:.3f}")
    e, e_cpu = _medians(bounded)
    print(f"bounded_worker: referat_s={e:.3f} ({100 * (e - a) / a:+.1f} % wall) cpu_s={e_cpu:.3f} "
          f"({100 * (e_cpu - a_cpu) / a_cpu:+.1f} % CPU) against the default in this process")
    print(f"pdf_pages_s={pages / a:.1f} pdftotext_pages_s={pages / b:.1f} ratio={b / a:.3f}")


def _cpu() -> float:
    self, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return self.ru_utime + self.ru_stime + children.ru_utime + children.ru_stime


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and the children it waited for) of one call."""
    t0, c0 = time.perf_counter(), _cpu()
    run()
    return time.perf_counter() - t0, _cpu() - c0


def _medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)

if __name__ == "__main__":
    main()

"""PDF → record throughput in pages/s, beside poppler's `pdftotext` on the same file in the same run.

usage: python bench/pdf.py [--pages 200] [--rounds 3] [--readers N]

Renders the five real minutes in ../shared/seeds (repeated until the document has at least --pages
pages) into one PDF with running headers, footers, page numbers, hyphenated line ends and ruled
tables (referat.pdfrender), then times `referat`'s PDF reader + parser on it and `pdftotext FILE -`,
each round in turn: pdftotext, referat in one process, referat as it runs by default (pages read by
up to --readers processes where the machine has the cores; pdftotext uses one). The line before
last gives the one-process figures; the last line is the default's:
pdf_pages_s=<n> pdftotext_pages_s=<n> ratio=<n>
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

from referat.parse import parse_file
from referat.sources import pdf as pdf_reader
from referat.pdfrender import render

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
        readers = pdf_reader._readers(pages) if args.readers > 1 else 1
        print(f"cpus={len(os.sched_getaffinity(0))} readers={min(readers, args.readers)} "
              f"loadavg_before={os.getloadavg()[0]:.2f}")
        single, ours, theirs = [], [], []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
            theirs.append(time.perf_counter() - t0)
            pdf_reader.MAX_READERS = 1
            t0 = time.perf_counter()
            parse_file(pdf)
            single.append(time.perf_counter() - t0)
            pdf_reader.MAX_READERS = args.readers
            t0 = time.perf_counter()
            doc = parse_file(pdf)
            ours.append(time.perf_counter() - t0)
    a, b, c = statistics.median(ours), statistics.median(theirs), statistics.median(single)
    print(f"pages={pages} items={len(doc.items)} referat_s={a:.3f} referat_one_process_s={c:.3f} "
          f"pdftotext_s={b:.3f} loadavg_after={os.getloadavg()[0]:.2f}")
    print(f"one_process: pdf_pages_s={pages / c:.1f} pdftotext_pages_s={pages / b:.1f} ratio={b / c:.3f}")
    print(f"pdf_pages_s={pages / a:.1f} pdftotext_pages_s={pages / b:.1f} ratio={b / a:.3f}")


if __name__ == "__main__":
    main()

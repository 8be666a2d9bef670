"""PDF → record throughput in pages/s, beside poppler's `pdftotext` on the same file in the same run.

usage: python bench/pdf.py [--pages 200] [--rounds 3]

Renders the five real minutes in ../shared/seeds (repeated until the document has at least --pages
pages) into one PDF with running headers, footers, page numbers, hyphenated line ends and ruled
tables (referat.pdfrender), then times `referat`'s PDF reader + parser on it and `pdftotext FILE -`.
The last line is: pdf_pages_s=<n> pdftotext_pages_s=<n> ratio=<n>
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

from referat.parse import parse_file
from referat.pdfrender import render

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
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
        ours, theirs = [], []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
            theirs.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            doc = parse_file(pdf)
            ours.append(time.perf_counter() - t0)
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"pages={pages} items={len(doc.items)} referat_s={a:.2f} pdftotext_s={b:.2f}")
    print(f"pdf_pages_s={pages / a:.1f} pdftotext_pages_s={pages / b:.1f} ratio={b / a:.3f}")


if __name__ == "__main__":
    main()

"""OCR for scanned PDFs, through Debian's tesseract with the Danish language pack, when asked (--ocr).

Each page is rendered at 300 dpi in grey (pypdfium2) and handed to `tesseract - - -l dan` as a PGM
image; nothing else is installed or downloaded. Text read this way is marked in the record's warnings:
names and numbers from a scan deserve a second look.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium

from referat import limits
from referat.errors import SourceError

DPI = 300
PAGE_TIMEOUT = 120  # seconds per page: bounds a pathological scan
INSTALL_HINT = "install Debian's tesseract-ocr and tesseract-ocr-dan"


def available() -> bool:
    if shutil.which("tesseract") is None:
        return False
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False)
    return "dan" in langs.stdout.split()


def _pgm(page: pdfium.PdfPage) -> bytes:
    bitmap = page.render(scale=DPI / 72, grayscale=True)
    width, height, stride = bitmap.width, bitmap.height, bitmap.stride
    raw = bytes(bitmap.buffer)
    rows = raw if stride == width else b"".join(raw[y * stride: y * stride + width] for y in range(height))
    return f"P5\n{width} {height}\n255\n".encode() + rows


def check_area(path: str | Path, pdf: pdfium.PdfDocument) -> None:
    """Refuse, before any page is rendered, a page larger than A0 (rendered at 300 dpi a 14,400 pt page is
    60,001 x 60,001 pixels: 10 GB for one blank page) and pages whose total area is over the OCR limit
    (referat.limits: in A4 pages; OCR costs about 0.6 s per A4 page)."""
    lim = limits.current()
    total = 0.0
    a0 = sorted(limits.A0_POINTS)
    for n in range(len(pdf)):
        width, height = pdf.get_page_size(n)
        short, long_ = sorted((abs(width), abs(height)))
        if short > a0[0] * 1.01 or long_ > a0[1] * 1.01:
            raise limits.LimitError(path, f"page {n + 1} is {width:,.0f} x {height:,.0f} pt, larger than A0 "
                                          f"({a0[0]:,.0f} x {a0[1]:,.0f} pt): refused for OCR")
        total += short * long_
    if total > lim.ocr_area:
        a4 = limits.A4_POINTS[0] * limits.A4_POINTS[1]
        raise limits.LimitError(path, f"{len(pdf)} pages of {total / a4:,.0f} A4 pages' area is over the OCR limit of "
                                      f"{lim.ocr_pages_a4:,} A4 pages per document (REFERAT_LIMIT_OCR_PAGES)")


def ocr_pdf(path: str | Path, pdf: pdfium.PdfDocument) -> str:
    """The text of every page by OCR, pages separated by blank lines; pages over the size limits are
    refused before any is rendered (check_area)."""
    check_area(path, pdf)
    if not available():
        raise SourceError(path, f"PDF without a text layer (a scanned document?): OCR needs tesseract; {INSTALL_HINT}")
    pages = []
    for n, page in enumerate(pdf, start=1):
        try:
            done = subprocess.run(["tesseract", "-", "-", "-l", "dan"], input=_pgm(page), capture_output=True,
                                  timeout=PAGE_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise SourceError(path, f"OCR of page {n} took over {PAGE_TIMEOUT} s") from exc
        if done.returncode != 0:
            raise SourceError(path, f"OCR of page {n} failed: {done.stderr.decode(errors='replace').strip()[:200]}")
        pages.append(done.stdout.decode("utf-8", errors="replace"))
    return "\n\n".join(pages)

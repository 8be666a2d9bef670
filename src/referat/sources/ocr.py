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


def ocr_pdf(path: str | Path, pdf: pdfium.PdfDocument) -> str:
    """The text of every page by OCR, pages separated by blank lines."""
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

"""Readers: a file becomes decoded text. The reader is chosen by content (magic bytes), not by name."""

from __future__ import annotations

import hashlib
from pathlib import Path

from referat.errors import SourceError
from referat.sources.text import MAX_BYTES, SourceText, read_bytes, read_text, text_source

__all__ = ["MAX_BYTES", "SourceText", "read_source", "read_text", "sniff"]


def sniff(data: bytes) -> str:
    """pdf, docx, html or text, from the first bytes."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or b"[Content_Types].xml" in data[:4096] else "zip"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:300]:
        return "html"
    return "text"


def read_source(path: str | Path, *, ocr: bool = False) -> SourceText:
    """Read any supported document; SourceError names the file and the reason when it cannot. `ocr`
    reads scanned PDFs by OCR (tesseract) instead of refusing them."""
    data = read_bytes(path)
    kind = sniff(data)
    if kind == "pdf":
        from referat.sources.pdf import read_pdf  # pdfium loads only when a PDF comes

        text, by_ocr = read_pdf(path, data, ocr=ocr)
        return SourceText(path=str(path), text=text, encoding=None, size=len(data),
                          sha256=hashlib.sha256(data).hexdigest(), format="pdf-ocr" if by_ocr else "pdf")
    if kind == "docx":
        from referat.sources.docx import read_docx

        word = read_docx(path, data)
        return SourceText(path=str(path), text=word.text, encoding=None, size=len(data),
                          sha256=hashlib.sha256(data).hexdigest(), format="docx", warnings=tuple(word.warnings))
    if kind == "zip":
        raise SourceError(path, "a zip archive, not a Word document: unpack it and ingest the files inside")
    if kind == "html":
        from referat.sources.html import html_to_text

        decoded = text_source(Path(path), data)
        return SourceText(path=str(path), text=html_to_text(decoded.text), encoding=decoded.encoding,
                          size=len(data), sha256=decoded.sha256, format="html")
    return text_source(Path(path), data)

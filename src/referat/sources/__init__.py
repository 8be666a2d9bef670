"""Readers: a file becomes decoded text. The reader is chosen by content (magic bytes), not by name."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path

from referat import limits
from referat.errors import SourceError
from referat.sources.text import MAX_BYTES, SourceText, read_bytes, read_text, text_source

__all__ = ["MAX_BYTES", "SourceText", "read_source", "read_text", "sniff"]


# the root elements of the ESDH systems' XML exports (SBSYS, eDoc 4 and eDoc, Acadre): sources/esdh_xml.py
_XML_ROOT = re.compile(rb"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:publication|root|meeting)[\s>/]", re.DOTALL)


# the keys of the common publication system's meeting response (sources/publication_api.py reads it; its
# module, with the HTML parser, loads only when such a file comes)
_MEETING_JSON_KEYS = (b'"Dagsordenpunkter"', b'"Moede"')


def looks_like_meeting_json(data: bytes) -> bool:
    """A JSON object with the keys of the publication system's meeting response."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and any(k in data for k in _MEETING_JSON_KEYS)


def sniff(data: bytes) -> str:
    """pdf, docx, html, xml (an ESDH export), publication-api (the meeting JSON of the common publication
    system) or text, from the first bytes (and, for JSON, the API's keys)."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or b"[Content_Types].xml" in data[:4096] else "zip"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:300]:
        return "html"
    if _XML_ROOT.match(head) or head.startswith(b"<?xml"):
        return "xml"  # an XML file that is no export the readers know is refused there, with the reason
    if looks_like_meeting_json(data):
        return "publication-api"
    return "text"


def read_source(path: str | Path, *, ocr: bool = False, host: str | None = None) -> SourceText:
    """Read any supported document; SourceError names the file and the reason when it cannot. `ocr`
    reads scanned PDFs by OCR (tesseract) instead of refusing them; `host` is the publication system's
    host a meeting JSON came from (for its page URL), where the caller knows it. Text over the limit of
    characters (referat.limits) is refused: the parser's cost grows with it."""
    source = _read_source(path, ocr=ocr, host=host)
    bound = limits.current().text_chars
    if len(source.text) > bound:
        raise limits.LimitError(path, f"{len(source.text):,} characters of text is over the {bound:,}-character "
                                      "limit per document (REFERAT_LIMIT_TEXT_CHARS)")
    return source


def _read_source(path: str | Path, *, ocr: bool = False, host: str | None = None) -> SourceText:
    data = read_bytes(path)
    kind = sniff(data)
    if kind == "publication-api":
        from referat.sources.publication_api import read_publication_json

        return read_publication_json(path, data, host=host)
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
    if kind == "xml":
        from referat.sources.esdh_xml import read_esdh  # lxml loads only when an XML export comes

        return read_esdh(path, data)
    if kind == "html":
        from referat.sources.edoc_web import edoc_page_meeting, is_edoc_page
        from referat.sources.html import html_to_text
        from referat.sources.publication_page import SYSTEM, is_publication_page, read_publication_page

        decoded = flatten_nesting(path, text_source(Path(path), data))
        if is_publication_page(data):  # the common publication system's meeting page: read from its DOM
            return SourceText(path=str(path), text=decoded.text, encoding=decoded.encoding, size=len(data),
                              sha256=decoded.sha256, format=SYSTEM, record=read_publication_page(decoded.text))
        # eDoc 4's agenda page is read from its DOM (its structure is explicit); its text is kept as the source
        record = edoc_page_meeting(decoded.text) if is_edoc_page(decoded.text) else None
        return SourceText(path=str(path), text=html_to_text(decoded.text, hints=record is None),
                          encoding=decoded.encoding, size=len(data), sha256=decoded.sha256, format="html", record=record,
                          warnings=decoded.warnings)
    return text_source(Path(path), data)


def flatten_nesting(path: str | Path, decoded: SourceText) -> SourceText:
    """A web page nested deeper than the limit, flattened before any HTML parser sees it (sources/nesting.py:
    the parser's cost grows faster than linearly with depth). The text inside is kept, the lines too, and
    a warning says so."""
    from referat.sources.nesting import flatten_deep

    bound = limits.current().html_depth
    html, depth = flatten_deep(decoded.text, bound)
    if html is decoded.text:
        return decoded
    note = (f"the page nests {depth:,} elements deep, over the {bound:,}-level limit (REFERAT_LIMIT_HTML_DEPTH): "
            "its markup was flattened before reading; the text is kept, its layout may not be")
    return dataclasses.replace(decoded, text=html, warnings=(*decoded.warnings, note))

"""Hostile files, built in the test run (tests/test_hostile.py): what an attacker or an unlucky operator
hands to `referat ingest` (../shared/reports/probe-2026-11-30.md). Each builder writes the bytes itself,
so the files are small on disk and expand only when a reader inflates or parses them.

Deflate bombs are built fast: a chunk of repeating content is compressed once with a sync flush; with the
window full of the same content, every further chunk compresses to the same bytes, which are repeated.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_PARAGRAPH = b"<w:p><w:r><w:t>Punkt 1. Godkendelse af dagsorden og budget for 2024</w:t></w:r></w:p>"
_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                  b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                  b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                  b'<Default Extension="xml" ContentType="application/xml"/>'
                  b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                  b'officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         b'officeDocument" Target="word/document.xml"/></Relationships>')


def _deflate_repeat(head: bytes, chunk: bytes, times: int, tail: bytes, *, raw: bool) -> tuple[bytes, int, int, int]:
    """head + chunk * times + tail, deflated (raw deflate for zip, zlib format for PDF): (compressed bytes,
    inflated size, CRC-32, Adler-32 of the inflated bytes)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15 if raw else 15)
    parts = [c.compress(head) + c.flush(zlib.Z_SYNC_FLUSH)]
    crc, adler = zlib.crc32(head), zlib.adler32(head)
    segment = b""
    for k in range(times):
        if k < 2:  # the second chunk's bytes are every later chunk's: the window holds the same content
            segment = c.compress(chunk) + c.flush(zlib.Z_SYNC_FLUSH)
        parts.append(segment)
        crc, adler = zlib.crc32(chunk, crc), zlib.adler32(chunk, adler)
    crc, adler = zlib.crc32(tail, crc), zlib.adler32(tail, adler)
    if times < 2:
        parts.append(c.compress(tail) + c.flush())
    else:  # the compressor saw two chunks only: the tail comes from one that continues the stream raw, and
        # a zlib stream then ends with the Adler-32 of everything written here
        c = _window_after(chunk)
        parts.append(c.compress(tail) + c.flush())
        if not raw:
            parts.append(struct.pack(">I", adler))
    return b"".join(parts), len(head) + len(chunk) * times + len(tail), crc, adler


def _window_after(chunk: bytes) -> zlib._Compress:
    """A compressor that continues a stream whose window holds `chunk`'s end (for the tail after the
    repeated segments): a raw compressor with the chunk as its dictionary."""
    return zlib.compressobj(9, zlib.DEFLATED, -15, zdict=chunk[-32768:])


def docx_bomb(path: Path, inflated: int) -> Path:
    """A Word file whose word/document.xml inflates to about `inflated` bytes of agenda paragraphs (a few MB
    on disk per GB), the rest of the package valid."""
    chunk = _PARAGRAPH * ((1 << 20) // len(_PARAGRAPH) + 1)
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W_NS}><w:body>'.encode()
    tail = b"<w:sectPr/></w:body></w:document>"
    data, size, crc, _ = _deflate_repeat(head, chunk, max(1, inflated // len(chunk)), tail, raw=True)
    members = [("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS)]
    out = bytearray()
    central = bytearray()
    for name, body in members:
        packed = zlib.compress(body)[2:-4]
        _zip_entry(out, central, name, packed, len(body), zlib.crc32(body))
    _zip_entry(out, central, "word/document.xml", data, size, crc)
    _zip_end(out, central, len(members) + 1)
    path.write_bytes(bytes(out))
    return path


def _zip_entry(out: bytearray, central: bytearray, name: str, packed: bytes, size: int, crc: int) -> None:
    """One deflated member, with zip64 sizes when over 4 GB."""
    big = size >= 0xFFFFFFFF or len(packed) >= 0xFFFFFFFF
    offset = len(out)
    raw_name = name.encode()
    extra = struct.pack("<HHQQ", 1, 16, size, len(packed)) if big else b""
    sizes = (0xFFFFFFFF, 0xFFFFFFFF) if big else (len(packed), size)
    out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if big else 20, 0, 8, 0, 0x21, crc, *sizes,
                       len(raw_name), len(extra)) + raw_name + extra + packed
    cextra = struct.pack("<HHQQQ", 1, 24, size, len(packed), offset) if big else b""
    central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45 if big else 20, 45 if big else 20, 0, 8, 0, 0x21,
                           crc, *sizes, len(raw_name), len(cextra), 0, 0, 0, 0,
                           0xFFFFFFFF if big else offset) + raw_name + cextra


def _zip_end(out: bytearray, central: bytearray, count: int) -> None:
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), start, 0)


def pdf_bomb(path: Path, inflated: int) -> Path:
    """A one-page PDF whose content stream (FlateDecode) inflates to about `inflated` bytes of "q Q "
    (save and restore the graphics state: valid, and nothing to draw), written by hand."""
    chunk = b"q Q " * (1 << 18)
    data, _, _, _ = _deflate_repeat(b"", chunk, max(1, inflated // len(chunk)), b"\n", raw=False)
    return _pdf(path, [b"<< /Type /Catalog /Pages 2 0 R >>",
                       b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                       b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                       b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"])


def blank_pdf(path: Path, width: float, height: float, pages: int = 1) -> Path:
    """A PDF of blank pages of the given size in points (no text layer: a scan, as far as a reader can
    tell): a 14,400 pt page rendered at 300 dpi for OCR is 60,001 x 60,001 pixels."""
    kids = " ".join(f"{3 + k} 0 R" for k in range(pages)).encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages)]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] >>" % (width, height)] * pages
    return _pdf(path, objects)


def _pdf(path: Path, objects: list[bytes]) -> Path:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def deep_html(path: Path, depth: int, lines: list[str], *, closed: bool = True) -> Path:
    """A web page whose minutes (one <p> per line) sit inside `depth` nested divs, closed or never closed."""
    body = "".join(f"<p>{line}</p>" for line in lines)
    html = ("<!doctype html><html><head><meta charset='utf-8'><title>Referat</title></head><body>"
            + "<div>" * depth + body + ("</div>" * depth if closed else "") + "</body></html>")
    path.write_text(html, encoding="utf-8")
    return path

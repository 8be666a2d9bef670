"""Plain text and markdown files: bytes -> decoded text, with the encoding that worked.

Minutes arrive as UTF-8 from modern converters and as cp1252/latin-1 from older
Windows tools. We try UTF-8 (with or without BOM), UTF-16 when a BOM says so,
then cp1252, then latin-1, and report which was used. Binary files are refused
rather than decoded into noise.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

from referat.errors import DocumentTooLargeError, SourceError
from referat.sources.record import StructuredMeeting

# A bound per document keeps parse time and memory predictable on hostile input. The
# largest real minutes we know of are a few MB of text; 50 MB is far beyond the genre.
MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceText:
    """Decoded text of one file and how it was decoded."""

    path: str
    text: str
    encoding: str | None  # None for formats that carry no text encoding (PDF)
    size: int
    sha256: str  # of the file's bytes: the document's identity in the archive
    format: str = "text"  # text | markdown | pdf | pdf-ocr | html | docx | publication-api | sbsys-xml | …
    # a structured source's meeting (JSON, XML, a meeting page read from its DOM); `text` is then the
    # source's own text, kept verbatim, and the parser reads the record instead of the text
    record: StructuredMeeting | None = None
    # what the reader had to work around (a truncated Word file read from its local headers, …)
    warnings: tuple[str, ...] = ()


def _looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first block mean this is not a text file."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > max(4, len(head) // 100)


def decode(data: bytes, path: str = "<bytes>") -> tuple[str, str]:
    """Decode bytes of a text document; returns (text, encoding name)."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise SourceError(path, f"starts with a {name} byte-order mark but is not valid {name}: "
                                  f"{exc.reason} at byte {exc.start}") from exc
    if _looks_binary(data):
        raise SourceError(path, "binary file, not text (a PDF, image or archive?); "
                          "give the minutes as text or markdown")
    for name in ("utf-8", "cp1252", "latin-1"):
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    raise SourceError(path, "cannot decode as UTF-8, cp1252 or latin-1")  # unreachable: latin-1 decodes all


def read_bytes(path: str | Path) -> bytes:
    """The bytes of a document file, refusing what cannot be one with a clear reason."""
    p = Path(path)
    if not p.exists():
        raise SourceError(p, "no such file")
    if p.is_dir():
        raise SourceError(p, "is a directory, not a file")
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise DocumentTooLargeError(p, f"{size:,} bytes is over the {MAX_BYTES:,}-byte limit per document")
        data = p.read_bytes()
    except OSError as exc:
        raise SourceError(p, f"cannot read: {exc.strerror or exc}") from exc
    if not data.strip():
        raise SourceError(p, "empty file")
    return data


def text_source(path: str | Path, data: bytes) -> SourceText:
    """A text or markdown file's bytes decoded."""
    text, encoding = decode(data, str(path))
    if not text.strip():
        raise SourceError(path, "empty file (only whitespace)")
    fmt = "markdown" if Path(path).suffix.lower() in (".md", ".markdown") else "text"
    return SourceText(path=str(path), text=text, encoding=encoding, size=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), format=fmt)


def read_text(path: str | Path) -> SourceText:
    """Read and decode a text/markdown file."""
    return text_source(path, read_bytes(path))

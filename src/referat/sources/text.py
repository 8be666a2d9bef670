"""Plain text and markdown files: bytes -> decoded text, with the encoding that worked.

Minutes arrive as UTF-8 from modern converters and as cp1252/latin-1 from older
Windows tools. We try UTF-8 (with or without BOM), UTF-16 when a BOM says so,
then cp1252, then latin-1, and report which was used. Binary files are refused
rather than decoded into noise.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from referat import limits
from referat.errors import DocumentTooLargeError, SourceError
from referat.sources.record import StructuredMeeting

# The default bound on a file's size on disk (referat.limits; REFERAT_LIMIT_FILE_MB overrides it): real
# minutes are a few MB, a PDF with scanned pages some tens of MB.
MAX_BYTES = limits.DEFAULTS.file_bytes


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
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Decided per document: a file whose æ, ø and å are UTF-8 and that carries a few stray Windows bytes (an
    # en dash pasted as 0x96) is UTF-8 with those bytes read as cp1252 — decoding all of it as cp1252 would
    # turn every æ into "Ã¦" and store the meeting again under a mangled committee name
    multibyte = len(_UTF8_MULTIBYTE.findall(data))
    stray = len(data.decode("utf-8", "replace")) - len(data.decode("utf-8", "ignore"))
    if multibyte and stray <= multibyte:
        return data.decode("utf-8", "stray_cp1252"), f"utf-8 with {stray} stray byte{'s' if stray != 1 else ''} read as cp1252"
    for name in ("cp1252", "latin-1"):
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    raise SourceError(path, "cannot decode as UTF-8, cp1252 or latin-1")  # unreachable: latin-1 decodes all


def _stray_cp1252(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the undecodable bytes of a mostly-UTF-8 text, each read as cp1252 (latin-1 where
    cp1252 leaves the byte undefined)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return "".join(bytes([b]).decode("cp1252", "ignore") or chr(b) for b in bad), exc.end


codecs.register_error("stray_cp1252", _stray_cp1252)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def read_bytes(path: str | Path) -> bytes:
    """The bytes of a document file, refusing what cannot be one with a clear reason."""
    p = Path(path)
    try:
        info = p.stat()  # before any read: a FIFO would block, a device or a sparse giant never end
    except FileNotFoundError:
        raise SourceError(p, "no such file") from None
    except OSError as exc:
        raise SourceError(p, f"cannot read: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise SourceError(p, "is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(p, "not a regular file (a pipe, device or socket): give a document file")
    limit = limits.current().file_bytes
    if info.st_size > limit:
        raise DocumentTooLargeError(p, f"{info.st_size:,} bytes is over the {limit:,}-byte limit per document")
    try:
        with p.open("rb") as f:
            data = f.read(limit + 1)  # bounded even if the file grows while it is read
    except OSError as exc:
        raise SourceError(p, f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise DocumentTooLargeError(p, f"over the {limit:,}-byte limit per document")
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

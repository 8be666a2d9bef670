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
    """Decode bytes of a text document; returns (text, encoding name), the name one of ENCODINGS. Decided
    per document, and said (encoding_warning) whenever it is not plain UTF-8."""
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
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        repaired = repair_mojibake(text)
        return (repaired, "utf-8+mojibake") if repaired != text else (text, "utf-8")
    # Mixed: æ, ø and å written as UTF-8 beside stray Windows bytes (an en dash pasted as 0x96, a block
    # pasted from an older file). Decoding all of it as cp1252 would turn every UTF-8 æ into "Ã¦" and store
    # the meeting again under a mangled committee name, so each UTF-8 sequence is read as UTF-8 and each
    # stray byte as cp1252. Only sequences a Danish text holds count as UTF-8 (Latin-1 letters, the
    # typographic dashes and quotes, €): a genuine cp1252 file never has them, as they would read "Ã¦", "â€“".
    if _DANISH_UTF8.search(data):
        return data.decode("utf-8", "stray_cp1252"), "utf-8+cp1252"
    for name in ("cp1252", "latin-1"):
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    raise SourceError(path, "cannot decode as UTF-8, cp1252 or latin-1")  # unreachable: latin-1 decodes all


# How a text was decoded -> what a reader of the document is told (None: nothing doubtful)
ENCODINGS: dict[str, str | None] = {
    "utf-8": None,
    "utf-8-sig": None,
    "utf-16": "decoded as UTF-16 (by its byte-order mark)",
    "cp1252": "not valid UTF-8; decoded as cp1252",
    "latin-1": "not valid UTF-8; decoded as latin-1",
    "utf-8+cp1252": "mixed encodings: UTF-8 with stray bytes read as cp1252 (a Windows character pasted in?)",
    "utf-8+mojibake": "UTF-8 with mojibake (\"Ã¦\" for \"æ\": UTF-8 once read as cp1252 and saved again): "
                      "repaired to the letters meant",
}


def encoding_warning(encoding: str | None) -> str | None:
    """The warning a document decoded this way carries; names from before this list were "utf-8 with N
    stray bytes read as cp1252" (mixed)."""
    if encoding is None or encoding in ENCODINGS:
        return ENCODINGS.get(encoding or "utf-8")
    return f"not valid UTF-8; decoded as {encoding}"


def repair_mojibake(text: str) -> str:
    """Text whose UTF-8 was once read as cp1252 (or latin-1) and saved as UTF-8 again, with each such run
    ("BeskÃ¦ftigelse", "â€“") turned back into what it was written as. A run is repaired only when its
    cp1252 bytes are valid UTF-8 for characters a Danish text holds, so other text is never touched."""
    if "Ã" not in text and "Â" not in text and "â" not in text:
        return text  # the cheap, common case
    return _MOJIBAKE.sub(_unmangle, text)


def _unmangle(m: re.Match[str]) -> str:
    run = m.group()
    raw = bytes(_CP1252_BYTE.get(c, ord(c)) for c in run)  # Â, Ã, â and latin-1's C1 controls: their own code
    try:
        fixed = raw.decode("utf-8")
    except UnicodeDecodeError:
        return run
    return fixed if _DANISH_UTF8_RUN.fullmatch(raw) else run


def _stray_cp1252(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the undecodable bytes of a mostly-UTF-8 text, each read as cp1252 (latin-1 where
    cp1252 leaves the byte undefined)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return "".join(bytes([b]).decode("cp1252", "ignore") or chr(b) for b in bad), exc.end


codecs.register_error("stray_cp1252", _stray_cp1252)
# UTF-8 for what Danish minutes hold beyond ASCII: U+00A0-U+00FF (æ ø å é § « » ½ no-break space),
# U+2010-U+203A (dashes, quotes, bullet, ellipsis), € and ™
_DANISH_UTF8_SEQ = rb"(?:[\xc2][\xa0-\xbf]|\xc3[\x80-\xbf]|\xe2\x80[\x90-\xba]|\xe2\x82\xac|\xe2\x84\xa2)"
_DANISH_UTF8 = re.compile(_DANISH_UTF8_SEQ)
_DANISH_UTF8_RUN = re.compile(_DANISH_UTF8_SEQ + b"+")
# a mojibake run: Â, Ã or â followed by what cp1252 (or latin-1: C1 controls) shows for UTF-8's
# continuation bytes 0x80-0xBF
_CP1252_BYTE = {bytes([b]).decode("cp1252", "ignore") or chr(b): b for b in range(0x80, 0xC0)}
_CONTINUATION = re.escape("".join(_CP1252_BYTE) + "".join(map(chr, range(0x80, 0xA0))))
_MOJIBAKE = re.compile(f"(?:[ÂÃ][{_CONTINUATION}]|â[€‚„\x80\x82\x84][{_CONTINUATION}])+")


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

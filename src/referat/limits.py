"""What one document may cost, in one place: the defaults, and environment variables that override them.

Document text is untrusted. Each bound is checked before the work it bounds where it can be (the size on
disk before any read, the nesting depth of a web page before its HTML parser runs, the page area before
a page is rendered for OCR) and while the work runs where it cannot (bytes inflated from a zip member);
time and memory are bounded for the whole reading and parsing of a document by running it in a worker
process with operating-system limits (referat.sandbox). Every refusal names the file and the limit.

The defaults are far beyond real minutes (a few MB, a few hundred A4 pages) and far below what a hostile
file asks for. Override them with the environment variables below (README, "Limits").
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from referat.errors import DocumentTooLargeError, ReferatError

# A0, the largest paper format minutes are printed on, in PDF points (1/72 inch): 841 x 1189 mm
A0_POINTS = (2384.0, 3370.0)
A4_POINTS = (595.0, 842.0)
MB = 1 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds per document (see the module docstring); `ENV` names the variable of each field."""

    file_bytes: int = 200 * MB  # size on disk, checked by stat before any read or hash
    inflated_bytes: int = 500 * MB  # bytes inflated from one zip member (a Word file's XML), checked while inflating
    text_chars: int = 50_000_000  # characters of text a reader may hand on to the parser
    html_depth: int = 5_000  # element nesting of a web page; deeper nesting is flattened before parsing
    ocr_pages_a4: int = 300  # pages x page area read by OCR, in A4 pages (each page at most A0)
    seconds: float = 120.0  # wall-clock and CPU time to read and parse one document
    memory_bytes: int = 2048 * MB  # address space the worker reading one document may add
    pdf_readers: int = 4  # processes reading one PDF's pages at once (1: none beside the worker itself)

    @property
    def ocr_area(self) -> float:
        """The OCR area budget in square points."""
        return self.ocr_pages_a4 * A4_POINTS[0] * A4_POINTS[1]


# environment variable -> (field, factor from the variable's unit to the field's)
ENV: dict[str, tuple[str, int]] = {
    "REFERAT_LIMIT_FILE_MB": ("file_bytes", MB),
    "REFERAT_LIMIT_INFLATED_MB": ("inflated_bytes", MB),
    "REFERAT_LIMIT_TEXT_CHARS": ("text_chars", 1),
    "REFERAT_LIMIT_HTML_DEPTH": ("html_depth", 1),
    "REFERAT_LIMIT_OCR_PAGES": ("ocr_pages_a4", 1),
    "REFERAT_LIMIT_SECONDS": ("seconds", 1),
    "REFERAT_LIMIT_MEMORY_MB": ("memory_bytes", MB),
    "REFERAT_LIMIT_PDF_READERS": ("pdf_readers", 1),
}

DEFAULTS = Limits()


class LimitConfigError(ReferatError):
    """A REFERAT_LIMIT_* environment variable that is not a positive number."""


class LimitError(DocumentTooLargeError):
    """A document went over one of the limits while it was read or parsed (time, memory, inflated bytes,
    text, OCR area): the message names the file and the limit."""


def current() -> Limits:
    """The limits in force: the defaults, each overridden by its environment variable when set. Read on
    every call (it costs microseconds), so a test or a worker process sees the environment it runs in."""
    changes = _from_env(Limits, ENV)
    return Limits(**changes) if changes else DEFAULTS


def _from_env(cls: type, env: dict[str, tuple[str, int]]) -> dict[str, float | int]:
    """The fields of `cls` that environment variables set, converted to the field's unit and type."""
    changes: dict[str, float | int] = {}
    types = {f.name: f.type for f in fields(cls)}
    for var, (name, factor) in env.items():
        raw = os.environ.get(var)
        if raw is None or not raw.strip():
            continue
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not value > 0 or value == float("inf"):
            raise LimitConfigError(f"{var}={raw!r}: give a positive number")
        changes[name] = value * factor if types[name] in ("float", float) else max(1, int(value * factor))
    return changes


def mb(n: float) -> str:
    """A byte count as the limits are written: "500 MB"."""
    return f"{n / MB:,.0f} MB"


# --- what one request to `referat serve` may cost --------------------------------------------------

KB = 1 << 10


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """The bounds per HTTP request (referat.api.bounds). Every route only reads (GET/HEAD), so a body is
    never needed; the query caps sit well above the longest search the pages accept (500 characters,
    percent-encoded up to 9 bytes each) and below what makes a query string expensive to parse."""

    body_bytes: int = 64 * KB  # a request body (Content-Length, or counted as it arrives): 413
    query_bytes: int = 8 * KB  # the raw query string: 414
    path_bytes: int = 4 * KB  # the raw path: 414
    seconds: float = 10.0  # from the request to the start of the answer: 503 with Retry-After


SERVER_ENV: dict[str, tuple[str, int]] = {
    "REFERAT_LIMIT_REQUEST_BODY_KB": ("body_bytes", KB),
    "REFERAT_LIMIT_QUERY_BYTES": ("query_bytes", 1),
    "REFERAT_LIMIT_PATH_BYTES": ("path_bytes", 1),
    "REFERAT_LIMIT_REQUEST_SECONDS": ("seconds", 1),
}


def server() -> ServerLimits:
    """The request limits in force: the defaults, each overridden by its environment variable when set
    (the app reads them once, when it is made)."""
    return ServerLimits(**_from_env(ServerLimits, SERVER_ENV))

"""Named exceptions. Library code raises these; only the CLI and API turn them into messages."""

from __future__ import annotations

from pathlib import Path


class ReferatError(Exception):
    """Base class: every error referat raises on purpose has a message a user can act on."""


class SourceError(ReferatError):
    """A file could not be read as a document (missing, empty, binary, undecodable)."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # crosses from a worker process as itself (sandbox.py)
        return (type(self), (self.path, self.reason))


class NotMinutesError(ReferatError):
    """The text was read, but it is neither minutes (referat) nor an agenda (dagsorden)."""

    def __init__(self, path: str | Path | None, reason: str) -> None:
        self.path = str(path) if path is not None else "<text>"
        self.reason = reason
        super().__init__(f"{self.path}: not minutes or an agenda: {reason}")

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.path, self.reason))


class DocumentTooLargeError(SourceError):
    """A document exceeds the size bound that keeps parsing time and memory predictable."""


class NotFoundError(ReferatError):
    """No meeting, item, case, person or body by that id or name."""


class AmbiguousError(ReferatError):
    """A name that fits several bodies or people: the message lists them."""


class UnsupportedDatabaseError(ReferatError):
    """The archive's database is neither a SQLite file nor PostgreSQL."""


class FetchError(ReferatError):
    """A harvest request failed for good: a 4xx answer, or 5xx/timeouts after every retry. `status` is
    the HTTP status (None for a timeout or a connection error)."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        super().__init__(f"{url}: {reason}")

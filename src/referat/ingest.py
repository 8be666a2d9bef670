"""Ingest files into the archive: find them, parse them (in parallel processes if asked), store each
document in its own transaction, and keep going past bad files."""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import glob
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from referat import sandbox
from referat.errors import NotMinutesError, ReferatError
from referat.parse import parse_source
from referat.sources import read_source
from referat.sources.text import encoding_warning, read_bytes
from referat.store import Archive
from referat.store.guard import first_line
from referat.store.rows import Rows, document_rows

SUFFIXES = (".txt", ".md", ".markdown", ".text", ".pdf", ".html", ".htm", ".docx", ".xml", ".json")


@dataclass(slots=True)
class Outcome:
    path: str
    status: str  # ingested | replaced | skipped | refused (read, but not minutes or an agenda) | failed
    items: int = 0
    reason: str | None = None
    encoding: str | None = None  # a doubtful decoding of the document (sources/text.py ENCODINGS), to be said
    # a skipped file that is another version of a stored meeting: why (referat.store.superseded.REASONS),
    # and the path of the document that holds the meeting now
    why: str | None = None
    by: str | None = None


@dataclass(slots=True)
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def refused(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "refused"]

    def as_dict(self) -> dict[str, object]:
        return {"ingested": self.count("ingested"), "replaced": self.count("replaced"),
                "skipped": self.count("skipped"), "refused": self.count("refused"), "failed": self.count("failed"),
                "items": sum(o.items for o in self.outcomes if o.status in ("ingested", "replaced")),
                "failures": [{"path": o.path, "reason": o.reason} for o in self.failed],
                "refusals": [{"path": o.path, "reason": o.reason} for o in self.refused],
                "superseded": [{"path": o.path, "reason": o.why, "by": o.by} for o in self.outcomes if o.why],
                "notes": [{"path": o.path, "encoding": o.encoding, "note": encoding_warning(o.encoding)}
                          for o in self.outcomes if o.encoding]}


@dataclass
class Batcher:
    """When bulk ingest commits. A commit has a fixed cost (SQLite's WAL checkpoint and its fsync, a new
    search-index segment to merge later, one linking pass), so documents are stored in batches: up to
    `max_items` agenda items or `max_bytes` of source text or `max_seconds` since the batch began, and
    one by one when documents arrive slower than that (OCR, huge PDFs), so that progress stays live.
    Measured at 150,000 synthetic items (bench/README.md): 64 meetings (~1,000 items) per commit 2,544
    items/s, 256 meetings 3,241, 1,024 meetings 3,473. $REFERAT_BATCH_SECONDS sets `max_seconds` (the
    kill -9 tests make many small batches with it: tests/test_crash_links.py)."""

    max_items: int = 10_000
    max_bytes: int = 64 << 20
    max_seconds: float = field(default_factory=lambda: _seconds(os.environ.get("REFERAT_BATCH_SECONDS"), 2.0))
    _items: int = 0
    _bytes: int = 0
    _since: float = 0.0  # when the pending batch began
    _last: float | None = None  # when the previous document arrived

    def add(self, rows: Rows) -> bool:
        """Count one pending document; True when the pending batch should be stored now."""
        now = time.monotonic()
        slow = self._last is not None and now - self._last >= self.max_seconds
        self._last = now
        if not self._items and not self._bytes:
            self._since = now
        self._items += max(1, len(rows.items))
        self._bytes += rows.document.get("size") or 0
        if (slow or self._items >= self.max_items or self._bytes >= self.max_bytes
                or now - self._since >= self.max_seconds):
            self._items = self._bytes = 0
            return True
        return False


def _seconds(value: str | None, default: float) -> float:
    """A positive number of seconds from the environment, or the default (a wrong value is not worth a
    refusal: batching changes how often ingest commits, never what it stores)."""
    try:
        seconds = float(value) if value else default
    except ValueError:
        return default
    return seconds if 0 < seconds < float("inf") else default


def _walk(folder: Path, folders: bool = False) -> Iterator[Path]:
    """Every file (and with `folders`, every folder) under a folder, never following a symlinked folder
    (a link cycle would never end)."""
    for root, dirs, names in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            if os.path.exists(os.path.join(root, name)):  # a dangling or self-referring link is no file
                yield Path(root, name)
        if folders:
            yield from (Path(root, d) for d in dirs if not os.path.islink(os.path.join(root, d)))


def _glob(pattern: str) -> list[str]:
    """glob's matches, but "**" walks folders without following symlinks (glob.glob follows them, so a
    link cycle under "dir/**" never ends)."""
    if "**" not in pattern:
        return sorted(glob.glob(pattern))
    head = pattern.split("**", 1)[0]
    root = Path(glob.escape(head).rstrip("/") or ".") if not any(c in head for c in "*?[") else None
    if root is None or not root.is_dir():
        return sorted(glob.glob(pattern.replace("**", "*")))
    regex = re.compile(fnmatch.translate(pattern))
    return sorted(str(p) for p in _walk(root, folders=True) if regex.match(str(p)))


def expand(paths: Iterable[str]) -> Iterator[Path]:
    """Files named, files under folders (recursively, known text suffixes), and glob patterns."""
    seen: set[Path] = set()
    for p in paths:
        matches = _glob(p) if any(c in p for c in "*?[") else [p]
        if not matches:
            yield Path(p)  # reported as missing by the reader
        for m in matches:
            path = Path(m)
            inside = [f for f in _walk(path) if f.suffix.lower() in SUFFIXES] if path.is_dir() else [path]
            for f in inside:
                if f not in seen:
                    seen.add(f)
                    yield f


def prepare(path: Path, now: str, municipality: str | None = None, ocr: bool = False) -> Rows:
    """Read and parse one file into storage rows (runs in a worker process with --jobs), its original
    bytes kept beside the text (document_rows refuses them if the file changed between the two reads)."""
    source = read_source(path, ocr=ocr)
    doc = parse_source(source)
    return document_rows(doc, sha256=source.sha256, path=str(path), text=source.text, fmt=source.format,
                         encoding=source.encoding, size=source.size, now=now, municipality=municipality,
                         record=source.record, original=read_bytes(path))


def _file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(read_bytes(path)).hexdigest()  # size and file type checked before reading
    except (OSError, ReferatError):
        return ""  # unreadable or refused: the reader reports why


@dataclass(frozen=True, slots=True)
class Refused:
    """A file read well that is not minutes or an agenda (a letter, the publication system's question/answer
    container): said with its reason, and not counted as a failure."""

    reason: str


def _prepare_safe(args: tuple[Path, str, str | None, bool]) -> Rows | Refused | str:
    try:
        return prepare(*args)
    except NotMinutesError as exc:
        return Refused(exc.reason)
    except ReferatError as exc:
        return getattr(exc, "reason", None) or str(exc)
    except MemoryError:
        raise  # in a worker: its memory limit, which the sandbox reports as such
    except Exception as exc:  # noqa: BLE001 - a batch must continue past any single bad file
        return f"unexpected error while parsing: {type(exc).__name__}: {exc}"


def ingest(archive: Archive, paths: Iterable[str], *, jobs: int = 1, now: dt.datetime | None = None,
           municipality: str | None = None, ocr: bool = False, progress: Callable[[Outcome], None] | None = None,
           bounded: bool = True, force: bool = False) -> Summary:
    """Ingest every file; a failing file is reported and skipped, the others land. Each file is read and
    parsed in a worker process bounded in time and memory (referat.sandbox, referat.limits), `jobs` at
    once; `bounded=False` parses in this process instead (benchmarks compare the two). `force` reads
    files stored or superseded before again, and stores a superseded one (an older version the user
    wants back) over the meeting's current document."""
    stamp = (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    summary = Summary()
    files = unread(archive, paths, summary, progress, force)
    tasks = [(f, stamp, municipality, ocr) for f in files]
    jobs = min(jobs, os.cpu_count() or 1, len(files))  # more workers than cores or files only costs forks
    if bounded:
        with contextlib.closing(sandbox.run_many(prepare, tasks, [str(f) for f in files], jobs=jobs)) as runs:
            _store_all(archive, files, (_reason(r.error) if r.error else r.value for r in runs), summary, progress,
                       force)
    else:
        _store_all(archive, files, map(_prepare_safe, tasks), summary, progress, force)
    return summary


def unread(archive: Archive, paths: Iterable[str], summary: Summary, progress: Callable[[Outcome], None] | None,
           force: bool = False) -> list[Path]:
    """The files to read; the others are reported as skipped without being parsed: a file stored already,
    and one superseded by another version of its meeting (referat.store.superseded), unless `force`."""
    files = []
    for f in expand(paths):
        sha = "" if force else _file_hash(f)  # "": unreadable or refused, which the reader reports
        if not sha:
            files.append(f)
            continue
        known = archive.has_document(sha)  # unchanged since last time: not even parsed again
        gone = None if known else archive.superseded_file(sha, str(f))
        if not known and gone is None:
            files.append(f)
            continue
        summary.outcomes.append(Outcome(str(f), "skipped", why=gone and gone.reason, by=gone and gone.by))
        if progress:
            progress(summary.outcomes[-1])
    return files


def _reason(error: BaseException) -> Refused | str:
    """A worker's refusal as an outcome's reason (the path is the outcome's own), as _prepare_safe words it."""
    if isinstance(error, NotMinutesError):
        return Refused(error.reason)
    if isinstance(error, ReferatError):
        return getattr(error, "reason", None) or str(error)
    return f"unexpected error while parsing: {type(error).__name__}: {error}"


def _store_all(archive: Archive, files: list[Path], prepared: Iterable[Rows | str], summary: Summary,
               progress: Callable[[Outcome], None] | None, force: bool = False) -> None:
    """Store prepared documents in batches (see Batcher); a failing document fails alone (store_many)."""
    pending: list[tuple[Path, Rows]] = []
    batcher = Batcher()

    def flush() -> None:
        results = archive.store_many([rows for _, rows in pending], force=force)
        for (path, rows), result in zip(pending, results):
            if isinstance(result, Exception):
                report(Outcome(str(path), "failed", reason=f"could not be stored: {type(result).__name__}: {first_line(result, archive.db)}"))
            else:
                encoding = rows.document.get("encoding")
                report(Outcome(str(path), str(result), items=len(rows.items),
                               encoding=encoding if encoding_warning(encoding) else None,
                               why=getattr(result, "reason", None), by=getattr(result, "by", None)))
        pending.clear()

    def report(outcome: Outcome) -> None:
        summary.outcomes.append(outcome)
        if progress:
            progress(outcome)

    for path, rows in zip(files, prepared):
        if isinstance(rows, str):
            report(Outcome(str(path), "failed", reason=rows))
            continue
        if isinstance(rows, Refused):
            report(Outcome(str(path), "refused", reason=rows.reason))
            continue
        pending.append((path, rows))
        if batcher.add(rows):
            flush()
    if pending:
        flush()

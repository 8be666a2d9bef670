"""What the commands share: output formats, the options many commands take (defined once), the
console, opening the archive, and turning errors into one line and exit code 1."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer
from referat.errors import ReferatError

if TYPE_CHECKING:
    from rich.console import Console

    from referat.store import Archive, Filters


class OutFormat(str, Enum):
    table = "table"
    json = "json"


# options shared by the archive commands, defined once
DbOpt = Annotated[Optional[str], typer.Option("--db", help="Database file (default ./referat.db or $REFERAT_DB).")]
FormatOpt = Annotated[OutFormat, typer.Option("--format", "-f", help="table: readable output with Danish labels "
                                                                     "(tables where there are rows); json: for programs "
                                                                     "(English field names).")]
CommitteeOpt = Annotated[Optional[str], typer.Option("--committee", help="Only this committee (udvalg).")]
MunicipalityOpt = Annotated[Optional[str], typer.Option("--municipality", help="Only this municipality.")]
FromOpt = Annotated[Optional[dt.datetime], typer.Option("--from", formats=["%Y-%m-%d"], help="From date.")]
ToOpt = Annotated[Optional[dt.datetime], typer.Option("--to", formats=["%Y-%m-%d"], help="To date.")]
YearOpt = Annotated[Optional[int], typer.Option("--year", min=1000, max=9999, help="Only this year.")]
KindOpt = Annotated[Optional[str], typer.Option("--kind", help="Decision kind: approved, approved_with_changes, "
                                                                "recommended, rejected, postponed, referred, noted, other.")]
CaseOpt = Annotated[Optional[str], typer.Option("--case", help="Only items with this case number.")]
OcrOpt = Annotated[bool, typer.Option("--ocr", help="Read scanned PDFs by OCR (Debian's tesseract-ocr-dan).")]
PersonOpt = Annotated[Optional[str], typer.Option("--person", help="Only items where this person took part.")]


@functools.cache
def console() -> Console:
    """The console for tables and styled lines, made on first use (`parse` and `--help` never load it)."""
    from rich.console import Console

    return Console(soft_wrap=not sys.stdout.isatty(), markup=False)  # no hard wrapping when piped; document text is never markup


def open_archive(db: str | None, *, create: bool = False, write: bool = False) -> Archive:
    """The archive at `db`. Only commands that add documents (`create`) make a new archive: a typo in
    --db must not answer "0 hits" from a fresh, empty archive and leave files behind. A database that
    is not a referat archive is refused unchanged; a read-only archive serves the read commands, and a
    command that writes (`write`) is refused in one line. No message shows a password or SQL."""
    from referat.store import Archive, default_db
    from referat.store.guard import first_line, shown

    if db is not None and not db.strip():
        fail("--db is empty: give an archive file or a postgresql:// URL")
    target = db or default_db()
    try:
        archive = Archive(target, create=create)
    except ReferatError as exc:
        fail(str(exc))
        raise
    except Exception as exc:  # noqa: BLE001 - a broken database or server: say so, no traceback
        fail(f"{shown(target)}: cannot open the database: {first_line(exc, target)}")
        raise
    if (create or write) and archive.read_only:
        fail(f"{archive.name}: the archive is read-only (the file or its folder may not be written): this command "
             f"changes it; search, show, stats, export and serve still read it")
    return archive


def filters(committee: str | None, municipality: str | None, date_from: dt.datetime | None,
            date_to: dt.datetime | None, year: int | None, kind: str | None, case: str | None,
            person: str | None) -> Filters:
    from referat.store import Filters

    return Filters(committee=committee, municipality=municipality,
                   date_from=date_from.date() if date_from else None, date_to=date_to.date() if date_to else None,
                   year=year, decision_kind=kind, case_number=case, person=person)


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def note(message: str) -> None:
    """One line on stderr, never wrapped (scripts and CI logs read it)."""
    typer.echo(message, err=True)


def fail(message: str) -> NoReturn:
    note(f"error: {message}")
    raise typer.Exit(1)


def fetch_record(fetch: Callable[[], dict[str, Any]], format: OutFormat) -> dict[str, Any] | None:
    """Fetch a record for a command: errors become one line and exit 1; JSON is printed here.
    Returns the record when the command should print it as a table, else None."""
    try:
        data = fetch()
    except ReferatError as exc:
        fail(str(exc))
        raise
    if format is OutFormat.json:
        emit_json(data)
        return None
    return data

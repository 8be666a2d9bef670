"""Command line: a thin layer over the Python API. Errors become one clear line and exit code 1."""

from __future__ import annotations

import csv
import functools
import datetime as dt
import json
import os
import sys
import time
from enum import Enum
from pathlib import Path
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from referat import sandbox
from referat.errors import ReferatError

if TYPE_CHECKING:  # rich, the parser, the store and the search index load only in the commands that use them,
    # so that `referat --help` and `referat parse` of a small file start fast (bench/README.md)
    from referat.ingest import Outcome
    from referat.model import ParsedDocument
    from rich.console import Console
    from rich.progress import Progress
    from rich.text import Text

    from referat.store import Archive, Filters, SearchResult

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="referat: read Danish municipal committee minutes into a structured record.")


class Format(str, Enum):
    json = "json"
    text = "text"


class OutFormat(str, Enum):
    table = "table"
    json = "json"


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    json = "json"


class ShowWhat(str, Enum):
    meeting = "meeting"
    item = "item"


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


def _version(value: bool) -> None:
    if value:
        from referat import __version__

        typer.echo(f"referat {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                              help="Print the version and exit.")] = False) -> None:
    """referat: read Danish municipal committee minutes into a structured record."""


def _progress(show: bool) -> Progress:
    """A progress bar on stderr (hidden unless `show`): the description, the bar, done of total, time left."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=Console(stderr=True), disable=not show)


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


def fail(message: str) -> None:
    note(f"error: {message}")
    raise typer.Exit(1)


def render_text(doc: ParsedDocument) -> str:
    """A readable summary of one meeting: header, then one block per item."""
    from referat.labels import MEETING_KIND, dansk, dato, kind

    m = doc.meeting
    out = [f"{MEETING_KIND[m.kind]}: {m.committee or '?'}" + (f" ({m.election_period})" if m.election_period else ""),
           f"Dato: {dato(m.date, '?')}" + (f" kl. {m.start_time}" if m.start_time else ""),
           f"Sted: {m.location or '?'}"]
    if m.participants:
        out.append("Deltagere: " + ", ".join(p.name + (f" ({p.party})" if p.party else "")
                                               for p in m.participants))
    for it in doc.items:
        out.append("")
        out.append(f"Punkt {it.number}: {it.title}" + (" [lukket]" if it.closed else ""))
        if it.case_number:
            out.append(f"  Sagsnr.: {it.case_number}")
        if it.recommendation:
            out.append(f"  Indstilling ({it.recommending_body or '?'}):")
            out.extend(f"    - {p}" for p in it.recommendation)
        if it.decision:
            out.append(f"  Beslutning [{kind(it.decision_kind)}]: {it.decision}")
        if it.absent:
            out.append("  Fraværende: " + ", ".join(it.absent))
        for s in it.substitutes:
            out.append(f"  Stedfortræder: {s.substitute} for {s.for_}")
        if it.votes:
            out.append(f"  Stemmer: for {', '.join(it.votes.for_) or '-'}; imod "
                       f"{', '.join(it.votes.against) or '-'}; undlod {', '.join(it.votes.abstained) or '-'}")
        for r in it.related:
            out.append(f"  Tidligere behandling: {r.body} {dato(r.date, '?')}, punkt {r.item or '?'}")
        for u in it.upcoming:
            out.append(f"  Kommende behandling: {u.body} {dato(u.date, '?')}")
        if it.attachments:
            out.append("  Bilag: " + "; ".join(it.attachments))
        if it.amounts_mio_kr:
            out.append("  Beløb (mio. kr.): " + "; ".join(dansk(a) for a in it.amounts_mio_kr))
    for w in doc.warnings:
        out.append(f"advarsel (linje {w.line if w.line is not None else '-'}): {w.message}")
    return "\n".join(out)


def _parse_file(file: Path, ocr: bool) -> ParsedDocument:
    from referat.parse import parse_file

    return parse_file(file, ocr=ocr)


def _load_parser() -> None:
    """Load the parser here, before the bounded worker is forked: the worker inherits it (no second import
    in the child), and this process then reads the worker's answer with no import of its own. Loading it in
    the worker instead costs the model's import twice, once each side: 433 ms against 0.24 s for a one-page
    text (bench/README.md, "CLI start-up"). The readers of PDF, Word and HTML still load in the worker, and
    only for their files."""
    import referat.parse  # noqa: F401


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="A minutes or agenda file: text, Markdown, PDF, Word (.docx), HTML, an "
                                              "ESDH XML export (SBSYS, eDoc, Acadre) or the publication system's "
                                              "meeting JSON, told apart by content, not by name.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="text: a readable summary with Danish labels; "
                                                                  "json: the parse contract exactly.")] = Format.text,
    ocr: OcrOpt = False,
    explain: Annotated[bool, typer.Option("--explain", help="Print each line with the role the parser gave it "
                                                             "(header, item heading, section, decision, page "
                                                             "furniture), to see why a document was read wrongly.")] = False,
) -> None:
    """Parse one minutes or agenda document and print its record (read in a worker bounded in time and memory)."""
    if explain:
        _explain(file, ocr)
        return
    _load_parser()
    try:
        doc = sandbox.run(_parse_file, file, ocr, path=file)  # bounded in time and memory (referat.limits)
    except ReferatError as exc:
        fail(str(exc))
        return
    from referat.labels import read_as
    from referat.sources.text import encoding_warning

    if encoding_warning(doc.source.get("encoding")):  # a doubtful decoding, said (sources/text.py)
        note(f"bemærk: {file}: {read_as(doc.source['encoding'])}")
    if format is Format.json:
        sys.stdout.write(json.dumps(doc.to_contract(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render_text(doc) + "\n")


def _explain(file: Path, ocr: bool) -> None:
    from referat.parse.explain import explain, render
    from referat.sources import read_source

    try:
        source = read_source(file, ocr=ocr)
    except ReferatError as exc:
        fail(str(exc))
        return
    lines, notes = explain(source.text)
    sys.stdout.write(render(lines, [*source.warnings, *notes]) + "\n")


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or glob patterns of minutes (any format "
                                                    "`parse` reads).")],
    db: DbOpt = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Parse in this many processes.")] = 1,
    municipality: Annotated[Optional[str], typer.Option(help="Municipality, when the documents do not name it.")] = None,
    ocr: OcrOpt = False,
    dask: Annotated[Optional[str], typer.Option("--dask", metavar="ADDRESS", help="Read and parse on a Dask cluster: "
                                                "its scheduler (tcp://host:8786), or local[:N] for N worker processes "
                                                "here (docs/deploy.md).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Read files stored before again, and store an older "
                                        "version of a meeting that a newer file replaced over it.")] = False,
    format: FormatOpt = OutFormat.table,
) -> None:
    """Ingest minutes into the archive: unchanged files are skipped, changed files replaced, bad files
    reported while the rest land. A file that a newer file of its meeting replaced is skipped (--force
    stores it again)."""
    from referat.labels import INGEST, SKIPPED, antal, read_as, superseded

    if dask is not None and jobs > 1:
        fail("give --jobs or --dask, not both (a Dask cluster has its own worker processes)")
    cluster = None
    if dask is not None:
        from referat.cluster import connect

        try:
            cluster = connect(dask)
        except ReferatError as exc:
            fail(str(exc))
            return
    archive = open_archive(db, create=True)
    show_bar = sys.stderr.isatty() and format is OutFormat.table
    with _progress(show_bar) as bar:
        task = bar.add_task("Indlæser", total=None)

        def step(o: Outcome) -> None:
            bar.advance(task)
            if o.status in ("failed", "refused") and not show_bar and format is OutFormat.table:
                note(f"{INGEST[o.status]}: {o.path}: {o.reason}")
            if o.encoding and not show_bar and format is OutFormat.table:
                note(f"bemærk: {o.path}: {read_as(o.encoding)}")
            if o.why and not show_bar and format is OutFormat.table:
                note(f"{SKIPPED}: {o.path}: {superseded(o.why, o.by)}")

        try:
            if cluster is not None:
                from referat.cluster import ingest as ingest_on_cluster

                summary = ingest_on_cluster(archive, paths, cluster, municipality=municipality, ocr=ocr, progress=step,
                                            force=force)
            else:
                from referat.ingest import ingest as ingest_files

                summary = ingest_files(archive, paths, jobs=jobs, municipality=municipality, ocr=ocr, progress=step,
                                       force=force)
        except ReferatError as exc:  # the cluster went away: what was stored stays
            archive.close()
            fail(str(exc))
            return
        finally:
            if cluster is not None:
                cluster.close()
    archive.close()  # lets the search index finish merging its segments
    result = summary.as_dict()
    if format is OutFormat.json:
        emit_json(result)
    else:
        for f in summary.refused + summary.failed:
            if show_bar:
                note(f"{INGEST[f.status]}: {f.path}: {f.reason}")
        for o in summary.outcomes:
            if o.encoding and show_bar:
                note(f"bemærk: {o.path}: {read_as(o.encoding)}")
            if o.why and show_bar:
                note(f"{SKIPPED}: {o.path}: {superseded(o.why, o.by)}")
        counts = ", ".join(antal(result[k], word) for k, word in INGEST.items())
        console().print(f"{counts} ({antal(result['items'], 'punkt')}) i {archive.name}", highlight=False)
    if summary.outcomes and summary.count("failed") + summary.count("refused") == len(summary.outcomes):
        raise typer.Exit(1)


@app.command()
def harvest(
    host: Annotated[Optional[str], typer.Argument(help="The publication system's host, e.g. dagsordener.greve.dk.")] = None,
    all_hosts: Annotated[Optional[Path], typer.Option("--all", help="A TSV of municipalities and hosts "
                                                      "(municipality, host, verified, note); see src/referat/data/hosts.tsv.")] = None,
    committee: Annotated[Optional[str], typer.Option(help="Only this committee (its name or the start of it).")] = None,
    since: Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="Only meetings from this date.")] = None,
    files: Annotated[bool, typer.Option("--files", help="Also fetch each meeting's PDF and its attachments.")] = False,
    db: DbOpt = None,
    municipality: Annotated[Optional[str], typer.Option(help="The municipality, e.g. Greve (else read from the documents).")] = None,
    delay: Annotated[float, typer.Option(min=0, help="Seconds between requests.")] = 0.5,
    contact: Annotated[Optional[str], typer.Option(help="Your e-mail or URL, sent in the User-Agent.")] = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Fetch every listed meeting again.")] = False,
    max_age_days: Annotated[int, typer.Option(min=0, help="Fetch known finished meetings again while younger than this.")] = 60,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds to wait for an answer before retrying.")] = 30.0,
    base_url: Annotated[Optional[str], typer.Option(hidden=True, help="Connect here instead of https://HOST (a mirror, "
                                                    "the test replay server).")] = None,
    dask: Annotated[Optional[str], typer.Option("--dask", metavar="ADDRESS", help="Fetch the hosts at once on a Dask "
                                                "cluster, one polite stream per host: its scheduler, or local[:N].")] = None,
    format: FormatOpt = OutFormat.table,
) -> None:
    """Harvest meetings from the common publication system's API (dagsordener.<kommune>.dk): polite,
    incremental, resumable; each response kept verbatim as the meeting's source document."""
    from referat import harvest as h  # httpx loads only for this command
    from referat.labels import INGEST

    if (host is None) == (all_hosts is None):
        fail("give a HOST or --all FILE (one of them)")
    try:
        targets = ([(host, municipality)] if host else
                   [(x.host, municipality or x.municipality) for x in h.read_hosts(all_hosts)])  # type: ignore[arg-type]
    except ReferatError as exc:
        fail(str(exc))
        return
    if dask is not None:
        _harvest_on_cluster(dask, targets, db, format, lambda muni: h.Options(
            committee=committee, since=since.date() if since else None, files=files, municipality=muni, delay=delay,
            contact=contact, refresh=refresh, max_age_days=max_age_days, timeout=timeout, base_url=base_url))
        return
    archive = open_archive(db, create=True)
    show_bar = sys.stderr.isatty() and format is OutFormat.table
    summaries, errors = [], []
    for target, muni in targets:
        options = h.Options(committee=committee, since=since.date() if since else None, files=files, municipality=muni,
                            delay=delay, contact=contact, refresh=refresh, max_age_days=max_age_days, timeout=timeout,
                            base_url=base_url)
        try:
            harvester = h.Harvester(archive, target, options)
        except ReferatError as exc:
            errors.append(str(exc))
            note(f"error: {exc}")
            continue
        with _progress(show_bar) as bar:
            task = bar.add_task(f"Høster {harvester.host}", total=None)

            def step(o: Any, task: Any = task, bar: Progress = bar) -> None:
                bar.advance(task)
                if o.status in ("failed", "refused") and format is OutFormat.table:
                    note(f"{INGEST[o.status]}: {o.date or '?'} {o.committee} {o.meeting_id}: {o.reason}")

            try:
                harvester.run(progress=step, total=lambda n, task=task, bar=bar: bar.update(task, total=n))
            except KeyboardInterrupt:
                harvester.close()
                archive.close()
                note(f"afbrudt; de gemte møder er hele. Kør igen for at fortsætte. {_harvested(harvester.summary)}")
                raise typer.Exit(130) from None
            except ReferatError as exc:
                errors.append(str(exc))
                note(f"error: {exc}")
            finally:
                harvester.close()
        summaries.append(harvester.summary)
    archive.close()
    _harvest_report(summaries, errors, len(targets), archive.name, format)


def _harvest_report(summaries: list[Any], errors: list[str], targets: int, name: str, format: OutFormat) -> None:
    if format is OutFormat.json:
        emit_json({"hosts": [x.as_dict() for x in summaries], "errors": errors})
    else:
        for x in summaries:
            console().print(f"{_harvested(x)} i {name}", highlight=False)
    if errors and len(errors) == targets:
        raise typer.Exit(1)


def _harvest_on_cluster(address: str, targets: list[tuple[str, Optional[str]]], db: Optional[str], format: OutFormat,
                        options: Callable[[Optional[str]], Any]) -> None:
    """`referat harvest --dask`: every host at once on the cluster, stored here as the meetings come."""
    from referat import cluster as dask_cluster
    from referat.labels import INGEST

    try:
        cluster = dask_cluster.connect(address)
    except ReferatError as exc:
        fail(str(exc))
        return
    archive = open_archive(db, create=True)
    show_bar = sys.stderr.isatty() and format is OutFormat.table
    with _progress(show_bar) as bar:
        task = bar.add_task(f"Høster {len(targets)} værter", total=None)
        listed: dict[str, int] = {}

        def step(o: Any) -> None:
            bar.advance(task)
            if o.status in ("failed", "refused") and format is OutFormat.table:
                note(f"{INGEST[o.status]}: {o.date or '?'} {o.committee} {o.meeting_id}: {o.reason}")

        def total(host: str, n: int) -> None:
            listed[host] = n
            bar.update(task, total=sum(listed.values()))

        try:
            summaries, errors = dask_cluster.harvest(archive, [(t, options(m)) for t, m in targets], cluster,
                                                     progress=step, total=total)
        except KeyboardInterrupt:
            archive.close()
            note("afbrudt; de gemte møder er hele. Kør igen for at fortsætte.")
            raise typer.Exit(130) from None
        except ReferatError as exc:
            archive.close()
            fail(str(exc))
            return
        finally:
            cluster.close()
    for e in errors:
        note(f"error: {e}")
    archive.close()
    _harvest_report(summaries, errors, len(targets), archive.name, format)


def _harvested(summary: Any) -> str:
    """A harvest's counts in Danish: host, then what became of each meeting listed."""
    from referat.labels import HARVEST, antal

    d = summary.as_dict()
    counts = ", ".join(antal(d[k], word) for k, word in HARVEST.items())
    return f"{summary.host}: {counts} ({antal(d['items'], 'punkt')}) af {summary.listed} på listen"


def _highlighted(snippet: str, spans: list[tuple[int, int]]) -> Text:
    from rich.text import Text

    t = Text(snippet)
    for a, b in spans:
        t.stylize("bold yellow", a, b)
    return t


def _matched_note(given: Filters, matched: dict[str, Any]) -> None:
    """One line on stderr saying what the name filters matched (they forgive case, inflection and the
    end of a name, so the user should see which committee, municipality or person they got)."""
    parts = []
    for key in ("committee", "municipality", "person"):
        if key in matched:
            value = matched[key]
            parts.append(f"--{key} »{getattr(given, key)}« fandt " + (f"»{value}«" if value else "intet i arkivet"))
    if parts:
        note("bemærk: " + "; ".join(parts))


def _hits_json(result: SearchResult) -> dict[str, Any]:
    return {"query": result.query, "total": result.total, "fallback": result.fallback, "matched": result.matched,
            "facets": result.facets,
            "hits": [{"id": h.id, "meeting_id": h.meeting_id, "title": h.title, "number": h.number,
                      "case_number": h.case_number, "decision_kind": h.decision_kind,
                      "date": h.date.isoformat() if h.date else None, "committee": h.committee,
                      "municipality": h.municipality, "score": round(h.score, 4), "snippet": h.snippet,
                      "highlights": [list(s) for s in h.highlights]} for h in result.hits]}


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Words, "exact phrase", -exclude, OR, prefix*, *substring*.')],
    db: DbOpt = None, committee: CommitteeOpt = None, municipality: MunicipalityOpt = None,
    date_from: FromOpt = None, date_to: ToOpt = None, year: YearOpt = None, kind: KindOpt = None,
    case: CaseOpt = None, person: PersonOpt = None,
    sort: Annotated[str, typer.Option(help="relevance or date.")] = "relevance",
    limit: Annotated[int, typer.Option(help="How many results to print.")] = 10,
    offset: Annotated[int, typer.Option(min=0, max=1_000_000, help="Skip this many results (paging).")] = 0,
    format: FormatOpt = OutFormat.table,
) -> None:
    """Search the archive in Danish (stemmed: jobklub finds jobklubber), with filters and facets."""
    from rich.text import Text

    archive = open_archive(db)
    chosen = filters(committee, municipality, date_from, date_to, year, kind, case, person)
    try:
        result = archive.search(query, chosen, sort=sort, limit=limit, offset=offset)
    except ReferatError as exc:
        fail(str(exc))
        return
    _matched_note(chosen, result.matched)
    if format is OutFormat.json:
        emit_json(_hits_json(result))
        return
    from referat.labels import FACET, antal, dato
    from referat.labels import kind as kind_name

    note_fallback = " (intet helt ord passede; viser ord, der indeholder det)" if result.fallback else ""
    console().print(Text.assemble(f"{antal(result.total, 'resultat')} for »", (query, "bold"), "«", note_fallback))
    for h in result.hits:
        console().print(Text.assemble((f"{dato(h.date, '?')}  {h.committee}  punkt {h.number}: ", "dim"),
                                      (h.title, "bold"), (f"  [{kind_name(h.decision_kind)}]", "cyan")))
        console().print(Text("   ").append(_highlighted(h.snippet, h.highlights)))
        console().print(Text(f"   punkt-id {h.id}  møde-id {h.meeting_id}", style="dim"))
    for name, counts in result.facets.items():
        shown = (kind_name(k) if name == "decision_kind" else k or "-" for k in counts)
        console().print(f"{FACET.get(name, name)}: " + ", ".join(f"{k} ({n})" for k, n in
                                                                 list(zip(shown, counts.values()))[:8]),
                        highlight=False, markup=False)


@app.command()
def show(
    what: Annotated[ShowWhat, typer.Argument(help="meeting or item")],
    id: Annotated[str, typer.Argument(help="The id, as search prints it (punkt-id or møde-id).")],
    db: DbOpt = None, format: FormatOpt = OutFormat.table,
) -> None:
    """Show one meeting (its items, source and files) or one item (its decision, sections and attachments)."""
    from rich.text import Text

    from referat.labels import MEETING_KIND, dansk, dato, kind

    archive = open_archive(db)
    try:
        record = archive.meeting(id) if what is ShowWhat.meeting else archive.item(id)
    except ReferatError as exc:
        fail(str(exc))
        return
    if format is OutFormat.json:
        emit_json(record)
    elif what is ShowWhat.meeting:
        # document text is never read as rich markup: a "[bold]" in a title stays text
        console().print(Text.assemble((record["committee"], "bold"), f" {dato(record['date'], '?')} kl. "
                                      f"{record['start_time'] or '?'}, {record['location'] or '?'} "
                                      f"({MEETING_KIND[record['kind']].lower()})"))
        _print_origin(record["source"], record["path"])
        for f in record["files"]:
            console().print(Text(f"fil: {f['title'] or f['role']}  {f['url']}  ({dansk(f['size'])} byte)", style="dim"))
        from rich.table import Table

        table = Table("punkt", "titel", "beslutning", "id")
        for i in record["items"]:
            table.add_row(str(i["number"]), i["title"] + (" (lukket)" if i["closed"] else ""),
                          kind(i["decision_kind"]), i["id"])
        console().print(table)
    else:
        console().print(Text(f"Punkt {record['number']}: {record['title']}" + (" (lukket)" if record["closed"] else ""),
                       style="bold"))
        console().print(Text(f"{record['committee']} {dato(record['date'], '?')}  sag {record['case_number'] or '-'}"))
        if record["decision_kind"]:
            console().print(Text(f"beslutning: {kind(record['decision_kind'])}", style="cyan"))
        _print_origin(record["source"], None, record["url"])
        for s in record["sections"]:
            console().print(Text(s["heading"] or "(indledning)", style="bold underline"))
            console().print(Text(s["text"]))
        for a in record["attachment_links"]:
            console().print(Text(f"bilag: {a['title']}" + (f"  {a['url']}" if a["url"] else "")))


def _print_origin(source: dict[str, Any] | None, path: str | None, url: str | None = None) -> None:
    """Where the record comes from: the source system's meeting page (and the item's), or the file read."""
    from rich.text import Text

    if source:
        console().print(Text(f"kilde: {source['system']} {source['url'] or ''} (møde-id {source['id'] or '-'})".rstrip(),
                       style="dim"))
    elif path:
        console().print(Text(f"kilde: {path}", style="dim"))
    if url:
        console().print(Text(f"punktets side: {url}", style="dim"))


@app.command()
def export(
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="jsonl or csv: one item a line; json: a "
                                                 "JSON array of whole meetings in the shape `parse --format json` "
                                                 "prints, with their ids.")] = ExportFormat.jsonl,
    db: DbOpt = None, query: Annotated[Optional[str], typer.Option("--query", "-q", help="Only items matching.")] = None,
    committee: CommitteeOpt = None, municipality: MunicipalityOpt = None, date_from: FromOpt = None,
    date_to: ToOpt = None, year: YearOpt = None, kind: KindOpt = None, case: CaseOpt = None, person: PersonOpt = None,
) -> None:
    """Export items (with their decisions, votes, attendance …) as JSON lines or CSV, or whole meetings
    as JSON (with filters or a query: the meetings with a matching item)."""
    archive = open_archive(db)
    try:
        given = filters(committee, municipality, date_from, date_to, year, kind, case, person)
        chosen, matched = archive.match(given)
        _matched_note(given, matched)
        if format is ExportFormat.json:
            _json_array(archive.export_meetings(chosen, query))
            return
        records = archive.export(chosen, query)
        if format is ExportFormat.jsonl:
            for r in records:
                sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
        else:
            cols = ["id", "meeting_id", "municipality", "committee", "date", "number", "title", "case_number",
                    "closed", "decision_kind", "decision", "recommending_body", "recommendation", "absent",
                    "attachments", "amounts_mio_kr", "votes_for", "votes_against", "votes_abstained", "meeting_url",
                    "url"]
            w = csv.writer(sys.stdout)
            w.writerow(cols)
            for r in records:
                r["meeting_url"] = (r["source"] or {}).get("url")
                for vote in ("for", "against", "abstained"):  # as printed: names or party letters
                    r[f"votes_{vote}"] = (r["votes"] or {}).get(vote, [])
                w.writerow(["; ".join(map(str, r[c])) if isinstance(r[c], list) else r[c] for c in cols])
    except ReferatError as exc:
        fail(str(exc))


def _json_array(records: Iterator[dict[str, Any]]) -> None:
    """A JSON array written as the records come: an archive of any size is exported in little memory."""
    sys.stdout.write("[")
    for n, r in enumerate(records):
        sys.stdout.write(("," if n else "") + "\n" + json.dumps(r, ensure_ascii=False, indent=2))
    sys.stdout.write("\n]\n")


@app.command()
def stats(db: DbOpt = None, format: FormatOpt = OutFormat.table) -> None:
    """Counts of documents, meetings and items, per committee and year."""
    from rich.table import Table

    data = open_archive(db).stats()
    if format is OutFormat.json:
        emit_json(data)
        return
    from referat.labels import antal

    console().print(f"{antal(data['documents'], 'dokument')}, {antal(data['meetings'], 'møde')}, "
                    f"{antal(data['items'], 'punkt')}, {antal(data['warnings'], 'advarsel')} fra læsningen",
                    highlight=False)
    table = Table("udvalg", "kommune", "år", "møder", "punkter")
    for r in data["by_committee_year"]:
        table.add_row(r["committee"], r["municipality"] or "-", str(r["year"] or "-"), str(r["meetings"]),
                      str(r["items"]))
    console().print(table)


def _record(fetch: Callable[[], dict[str, Any]], format: OutFormat) -> dict[str, Any] | None:
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


_STATUS = {"item": "✓", "meeting": "≈ møde", "unresolved": "✗ ikke i arkivet"}


def _treatment_line(t: dict[str, Any], direction: str) -> Text:
    from rich.text import Text

    from referat.labels import dato

    label = "tidligere" if direction == "related" else "næste"
    printed = t.get("raw") or f"{t['body']} {dato(t['date'], '')}".strip()
    line = Text.assemble((f"     {label}: ", "dim"), printed, "  ")
    if t["targets"]:
        for x in t["targets"]:
            where = f"punkt {x['number']}" if x["number"] is not None else "mødet"
            line.append(f"→ {x['committee']} {dato(x['date'], '?')} {where} ({x['item_id'] or x['meeting_id']}) ",
                        "green")
    else:
        line.append(_STATUS["unresolved"], "yellow")
    return line


@app.command()
def case(
    number: Annotated[str, typer.Argument(help="A case number in any printed shape, e.g. 21-12-27.00.00-A26.")],
    db: DbOpt = None, municipality: MunicipalityOpt = None, format: FormatOpt = OutFormat.table,
) -> None:
    """A case's timeline: every treatment across meetings and bodies, with earlier and next steps."""
    from rich.text import Text

    data = _record(lambda: open_archive(db).case(number, municipality), format)
    if data is None:
        return
    from referat.labels import dato, kind

    names = {"year": "år", "sequence": "løbenummer", "kle": "KLE", "facet": "facet", "prefix": "præfiks"}
    parts = ", ".join(f"{name} {data[k]}" for k, name in names.items() if data[k] is not None)
    console().print(Text.assemble(("Sag ", "bold"), (data["key"], "bold"), f"  ({parts})"))
    console().print(Text("  skrevet: " + ", ".join(data["forms"]), style="dim"))
    for code, title in data["kle_titles"].items():
        console().print(Text(f"  KLE {code}: {title}", style="dim"))
    if len(data["municipalities"]) > 1:
        note(f"bemærk: sagsnummeret findes i {len(data['municipalities'])} kommuner; vælg én med --municipality")
    for t in data["timeline"]:
        console().print(Text.assemble((f"{dato(t['date'], '?')}  ", "bold"), f"{t['committee']}  punkt {t['number']}: ",
                                      (t["title"], "bold"), (f"  [{kind(t['decision_kind'])}]", "cyan"),
                                      (f"  {t['item_id']}", "dim")))
        for direction in ("related", "upcoming"):
            for tr in t[direction]:
                console().print(_treatment_line(tr, direction))
        for r in t["referenced_by"]:
            label = "henvist fra" if r["direction"] == "related" else "planlagt fra"
            console().print(Text(f"     {label}: {r['committee']} {dato(r['date'], '?')} punkt {r['number']} ({r['item_id']})",
                           style="dim"))


@app.command()
def person(
    name: Annotated[str, typer.Argument(help="A name (case and party suffix ignored) or a person id.")],
    db: DbOpt = None, format: FormatOpt = OutFormat.table,
) -> None:
    """A person: party over time, attendance per meeting and rate, substitutions, votes."""
    from rich.text import Text

    data = _record(lambda: open_archive(db).person(name), format)
    if data is None:
        return
    from referat.labels import ATTENDANCE, VOTE, antal, dato

    a = data["attendance"]
    rate = f"{round(a['rate'] * 100)} %" if a["rate"] is not None else "-"
    parties = ", ".join(f"{p['party']} ({dato(p['from'], '?')}–{dato(p['to'], '?')})" for p in data["parties"]) or "-"
    console().print(Text.assemble((data["name"], "bold"), f"  parti: {parties}"))
    console().print(f"fremmøde som medlem: {a['present']} af {antal(a['meetings'], 'møde')} ({rate})", highlight=False)
    if data["meetings"]:
        from rich.table import Table

        table = Table("dato", "udvalg", "status", "punkter")
        for m in data["meetings"]:
            status = ATTENDANCE[m["status"]]
            if m["substitute"]:
                status += f" (stedfortræder: {m['substitute']})"
            table.add_row(dato(m["date"], "?"), m["committee"], status, ", ".join(map(str, m["items"])))
        console().print(table)
    for s in data["substitutions"]:
        console().print(f"stedfortræder {dato(s['date'], '?')} i {s['committee']} for {s['for']}", highlight=False)
    for v in data["votes"]:
        console().print(f"stemte {VOTE[v['vote']]}: {dato(v['date'], '?')} {v['committee']} punkt {v['number']}: "
                        f"{v['title']}", highlight=False)
    for p in data["presented"]:
        console().print(f"fremlagde: {dato(p['date'], '?')} {p['committee']} punkt {p['number']}: {p['title']}",
                        highlight=False)


@app.command()
def body(
    name: Annotated[str, typer.Argument(help="A committee or council name (any inflection) or a body id.")],
    db: DbOpt = None, municipality: MunicipalityOpt = None, format: FormatOpt = OutFormat.table,
) -> None:
    """A committee or council: meetings by year and members over time."""
    from rich.text import Text

    data = _record(lambda: open_archive(db).body(name, municipality), format)
    if data is None:
        return
    from referat.labels import antal, dato

    console().print(Text.assemble((data["name"], "bold"), f"  {data['municipality'] or ''}  "
                                                          f"{antal(data['meetings'], 'møde')}"))
    for year, meetings in data["meetings_by_year"].items():
        console().print(f"{year}: " + ", ".join(f"{dato(m['date'], '?')} ({antal(m['items'], 'punkt')})"
                                                for m in meetings), highlight=False)
    from rich.table import Table

    table = Table("medlem", "parti", "fra", "til", "møder")
    for m in data["members"]:
        table.add_row(m["name"], m["party"] or "-", dato(m["from"], "?"), dato(m["to"], "?"), str(m["meetings"]))
    console().print(table)


@app.command()
def link(db: DbOpt = None, format: FormatOpt = OutFormat.table) -> None:
    """Recompute every link of the archive (ingest keeps links current; this rebuilds them all)."""
    archive = open_archive(db, write=True)
    started = time.perf_counter()
    n = archive.link()
    seconds = round(time.perf_counter() - started, 2)
    if format is OutFormat.json:
        emit_json({"links": n, "seconds": seconds})
    else:
        from referat.labels import antal, dansk

        console().print(f"{antal(n, 'henvisning')} beregnet på {dansk(seconds)} s", highlight=False)


@app.command()
def serve(
    db: DbOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes (one per core serves most).")] = 1,
    base_url: Annotated[Optional[str], typer.Option("--base-url", help="The public URL OParl ids and links start "
                                                    "with, e.g. https://referat.example.dk (default: "
                                                    "http://HOST:PORT); never taken from a request's Host "
                                                    "header.")] = None,
    license: Annotated[Optional[str], typer.Option("--license", help="The URL of the license the minutes are "
                                                   "published under, for OParl's System and Body (default: "
                                                   "none; give only what the municipality states).")] = None,
) -> None:
    """Serve the web pages (Danish), the JSON API (/api/) and OParl 1.1 (/oparl/v1/)."""
    import uvicorn

    from referat import limits
    from referat.api import base_url as checked_base_url
    from referat.api import license_url
    from referat.store import default_db

    try:
        base = checked_base_url(base_url or f"http://{f'[{host}]' if ':' in host else host}:{port}")
    except ValueError as exc:
        fail(f"--base-url {exc}")
        return
    try:
        licensed = license_url(license)
    except ValueError as exc:
        fail(f"--license {exc}")
        return

    path = db or default_db()
    try:
        open_archive(path).close()  # migrate once, and fail here with a clear message
        limits.server()  # the request limits' environment variables, checked before the workers start
    except ReferatError as exc:
        fail(str(exc))
        return
    os.environ["REFERAT_DB"] = path  # the worker processes open the same archive
    os.environ["REFERAT_BASE_URL"] = base
    if licensed:
        os.environ["REFERAT_LICENSE"] = licensed
    listen = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    note(f"referat: {listen}/  (API: /api/docs, OParl: {base}/oparl/v1/system; Ctrl-C stopper)")
    uvicorn.run("referat.api:create_app", factory=True, host=host, port=port, workers=workers, log_level="warning")


@app.command()
def series(
    label: Annotated[str, typer.Argument(help="Words of a frame, measure or subject (\"Aktivering\", \"Omgørelsesprocent\", "
                                              "\"01 Aktivering Forskel vedtaget budget\") or a series id; \"\" for all.")] = "",
    db: DbOpt = None, committee: CommitteeOpt = None, format: FormatOpt = OutFormat.table,
) -> None:
    """Reported figures as series over time: budget frames and measures, complaint figures, other tables."""
    from rich.text import Text

    from referat.labels import dansk, dato
    from referat.series import series as find_series

    with open_archive(db).engine.connect() as conn:
        data = find_series(conn, label)
    if committee:
        data["series"] = [s for s in data["series"] if committee.lower() in s["committee"].lower()]
    if format is OutFormat.json:
        emit_json(data)
        return
    if not data["series"]:
        fail(f"no series matches '{label}'; `referat series` lists them all")
    for s in data["series"]:
        unit = f" ({s['unit']})" if s["unit"] else ""
        console().print(Text.assemble((f"{s['frame']} · {s['measure']}", "bold"), f"{unit}  {s['subject']}, {s['committee']}",
                                (f"  {s['id']}", "dim")))
        for p in s["points"]:
            where = f"tabel {p['table']}" if p["table"] else "teksten"
            console().print(Text.assemble(f"  {p['period']:<10} ", (f"{dansk(p['value']):>10}", "bold"),
                                    (f"  trykt »{p['printed']}« i {where}, {dato(p['date'], '?')}, punkt {p['item_id']}",
                                     "dim")))
    for w in data["warnings"]:
        note(f"advarsel: {w}")


@app.command()
def calendar(
    db: DbOpt = None, committee: CommitteeOpt = None, municipality: MunicipalityOpt = None,
    base_url: Annotated[str, typer.Option("--base-url", help="Where the site is served, for the events' links.")] = "",
) -> None:
    """Meetings as iCalendar on stdout: held and announced (archived) and planned (meeting-plan items)."""
    from referat.feeds import events, icalendar

    archive = open_archive(db)
    body_id, name = None, "Alle udvalgs møder"
    if committee:
        b = _record(lambda: archive.body(committee, municipality), OutFormat.table)
        assert b is not None
        body_id, name = b["id"], f"{b['name']} – møder"
    with archive.engine.connect() as conn:
        sys.stdout.write(icalendar(events(conn, body_id, base_url.rstrip("/")), name))


watch_app = typer.Typer(help="Saved searches that tell you what is new: add one, then run them from cron or a timer.",
                        no_args_is_help=True)
app.add_typer(watch_app, name="watch")
WebhookOpt = Annotated[Optional[str], typer.Option("--webhook", help="Post what is new as JSON to this URL.")]


@watch_app.command("add")
def watch_add(
    query: Annotated[str, typer.Argument(help="The search, as `referat search` takes it.")],
    name: Annotated[str, typer.Option("--name", help="The saved search's name (also its feed: /nyt/soegning/NAME).")],
    db: DbOpt = None, committee: CommitteeOpt = None, municipality: MunicipalityOpt = None,
    date_from: FromOpt = None, date_to: ToOpt = None, year: YearOpt = None, kind: KindOpt = None,
    case: CaseOpt = None, person: PersonOpt = None, webhook: WebhookOpt = None,
) -> None:
    """Save a search in the archive. Its first `watch run` records the starting point."""
    from referat.feeds import add_watch

    archive = open_archive(db, write=True)
    try:
        w = add_watch(archive, name, query, filters(committee, municipality, date_from, date_to, year, kind, case,
                                                      person), webhook)
    except ReferatError as exc:
        fail(str(exc))
        return
    console().print(f"gemt søgning »{w.name}«: {w.query}"
                    + (f" {json.dumps(w.filters, ensure_ascii=False)}" if w.filters else "")
                    + (f", sender til {w.webhook}" if w.webhook else ""), highlight=False)


@watch_app.command("list")
def watch_list(db: DbOpt = None, format: FormatOpt = OutFormat.table) -> None:
    """The saved searches and how far each got."""
    from rich.table import Table

    from dataclasses import asdict

    from referat.feeds import list_watches

    found = list_watches(open_archive(db))
    if format is OutFormat.json:
        emit_json([asdict(w) for w in found])
        return
    table = Table("navn", "søgning", "filtre", "webhook", "sidst kørt", "til ændring")
    for w in found:
        table.add_row(w.name, w.query, json.dumps(w.filters, ensure_ascii=False) if w.filters else "-",
                      w.webhook or "-", w.last_run or "aldrig", "-" if w.last_seq is None else str(w.last_seq))
    console().print(table)


@watch_app.command("remove")
def watch_remove(name: Annotated[str, typer.Argument(help="The saved search's name.")], db: DbOpt = None) -> None:
    """Delete a saved search."""
    from referat.feeds import remove_watch

    try:
        remove_watch(open_archive(db, write=True), name)
    except ReferatError as exc:
        fail(str(exc))
    console().print(f"slettede den gemte søgning »{name}«", highlight=False)


@watch_app.command("run")
def watch_run(
    db: DbOpt = None,
    name: Annotated[Optional[str], typer.Option("--name", help="Only this saved search.")] = None,
    webhook: WebhookOpt = None,
    base_url: Annotated[str, typer.Option("--base-url", help="Where the site is served, for the items' links.")] = "",
    format: FormatOpt = OutFormat.table,
) -> None:
    """What is new since each saved search's last run: printed, or posted as JSON to its webhook. The first
    run of a search records the starting point only. Exit code 1 when a post failed (sent again next run)."""
    from referat.feeds import get_watch, list_watches, run_watch
    from referat.labels import CHANGE, antal, dato, kind

    archive = open_archive(db, write=True)
    try:
        todo = [get_watch(archive, name)] if name else list_watches(archive)
    except ReferatError as exc:
        fail(str(exc))
        return
    results, failed = [], []
    for w in todo:
        try:
            results.append(run_watch(archive, w, webhook=webhook, base_url=base_url.rstrip("/")))
        except ReferatError as exc:
            failed.append(str(exc))
    if format is OutFormat.json:
        emit_json(results)
    else:
        for r in results:
            if r["status"] == "started":
                console().print(f"{r['watch']}: startpunktet er gemt (ændring {r['until']}); næste kørsel viser, "
                                "hvad der er nyt", highlight=False)
                continue
            posted = f", sendt til {r['posted']}" if r.get("posted") else ""
            console().print(f"{r['watch']}: {antal(len(r['items']), 'ny eller ændret')}{posted}", highlight=False)
            if not r.get("posted"):
                for i in r["items"]:
                    console().print(f"  {CHANGE.get(i['change'], i['change']):<7} {dato(i['date'], '?')}  "
                                    f"{i['committee']} punkt {i['number']}: {i['title']}  [{kind(i['decision_kind'])}]  "
                                    f"{i['url']}", highlight=False)
    for message in failed:
        note(f"error: {message}")
    if failed:
        raise typer.Exit(1)


kle_app = typer.Typer(help="KLE subject codes: load your own KLE titles (KL licenses them; none are shipped).",
                      no_args_is_help=True)
app.add_typer(kle_app, name="kle")


@kle_app.command("load")
def kle_load(
    file: Annotated[Path, typer.Argument(help="KL's KLE XML (emneplan or handlingsfacetter) or a code;title CSV.")],
    db: DbOpt = None,
) -> None:
    """Load KLE titles, shown beside case numbers' subject codes from then on."""
    try:
        n = open_archive(db, write=True).load_kle(file)
    except ReferatError as exc:
        fail(str(exc))
        return
    from referat.labels import antal

    console().print(f"indlæste {antal(n, 'KLE-kode')} fra {file}", highlight=False)

if __name__ == "__main__":
    app()

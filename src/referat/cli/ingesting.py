"""`referat ingest` and `referat harvest`: documents from files or a publication system into the archive."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from referat.cli.common import DbOpt, FormatOpt, OcrOpt, OutFormat, console, emit_json, fail, note, open_archive
from referat.errors import ReferatError

if TYPE_CHECKING:
    from rich.progress import Progress

    from referat.ingest import Outcome


def _progress(show: bool) -> Progress:
    """A progress bar on stderr (hidden unless `show`): the description, the bar, done of total, time left."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=Console(stderr=True), disable=not show)


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
    cluster = _connect(dask) if dask is not None else None
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


def _connect(address: str) -> Any:
    """A client of the Dask cluster that --dask names (referat.cluster), or one error line and exit 1."""
    from referat.cluster import connect

    try:
        return connect(address)
    except ReferatError as exc:
        fail(str(exc))


def _harvest_on_cluster(address: str, targets: list[tuple[str, Optional[str]]], db: Optional[str], format: OutFormat,
                        options: Callable[[Optional[str]], Any]) -> None:
    """`referat harvest --dask`: every host at once on the cluster, stored here as the meetings come."""
    from referat import cluster as dask_cluster
    from referat.labels import INGEST

    cluster = _connect(address)
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

"""Feeds on the command line: the meetings as iCalendar, and saved searches (`referat watch`) that say what is new."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

import typer
from referat.cli.common import (CaseOpt, CommitteeOpt, DbOpt, FormatOpt, FromOpt, KindOpt, MunicipalityOpt, OutFormat,
                                PersonOpt, ToOpt, YearOpt, console, emit_json, fail, fetch_record, filters, note,
                                open_archive)
from referat.errors import ReferatError


def calendar(
    db: DbOpt = None, committee: CommitteeOpt = None, municipality: MunicipalityOpt = None,
    base_url: Annotated[str, typer.Option("--base-url", help="Where the site is served, for the events' links.")] = "",
) -> None:
    """Meetings as iCalendar on stdout: held and announced (archived) and planned (meeting-plan items)."""
    from referat.feeds import events, icalendar

    archive = open_archive(db)
    body_id, name = None, "Alle udvalgs møder"
    if committee:
        b = fetch_record(lambda: archive.body(committee, municipality), OutFormat.table)
        assert b is not None
        body_id, name = b["id"], f"{b['name']} – møder"
    with archive.engine.connect() as conn:
        sys.stdout.write(icalendar(events(conn, body_id, base_url.rstrip("/")), name))


watch_app = typer.Typer(help="Saved searches that tell you what is new: add one, then run them from cron or a timer.",
                        no_args_is_help=True)
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

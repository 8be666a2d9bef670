"""Commands that read the archive: search, show, export, stats and series."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from referat.cli.common import (CaseOpt, CommitteeOpt, DbOpt, FormatOpt, FromOpt, KindOpt, MunicipalityOpt, OutFormat,
                                PersonOpt, ToOpt, YearOpt, console, emit_json, fail, filters, note, open_archive)
from referat.errors import ReferatError

if TYPE_CHECKING:
    from rich.text import Text

    from referat.store import Filters, SearchResult


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    json = "json"


class ShowWhat(str, Enum):
    meeting = "meeting"
    item = "item"


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

"""The linked record on the command line: a case's timeline, a person, a body; `referat link` rebuilds the links."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated, Any

import typer
from referat.cli.common import (DbOpt, FormatOpt, MunicipalityOpt, OutFormat, console, emit_json, fetch_record, note,
                                open_archive)

if TYPE_CHECKING:
    from rich.text import Text


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


def case(
    number: Annotated[str, typer.Argument(help="A case number in any printed shape, e.g. 21-12-27.00.00-A26.")],
    db: DbOpt = None, municipality: MunicipalityOpt = None, format: FormatOpt = OutFormat.table,
) -> None:
    """A case's timeline: every treatment across meetings and bodies, with earlier and next steps."""
    from rich.text import Text

    data = fetch_record(lambda: open_archive(db).case(number, municipality), format)
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


def person(
    name: Annotated[str, typer.Argument(help="A name (case and party suffix ignored) or a person id.")],
    db: DbOpt = None, format: FormatOpt = OutFormat.table,
) -> None:
    """A person: party over time, attendance per meeting and rate, substitutions, votes."""
    from rich.text import Text

    data = fetch_record(lambda: open_archive(db).person(name), format)
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


def body(
    name: Annotated[str, typer.Argument(help="A committee or council name (any inflection) or a body id.")],
    db: DbOpt = None, municipality: MunicipalityOpt = None, format: FormatOpt = OutFormat.table,
) -> None:
    """A committee or council: meetings by year and members over time."""
    from rich.text import Text

    data = fetch_record(lambda: open_archive(db).body(name, municipality), format)
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

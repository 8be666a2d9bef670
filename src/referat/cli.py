"""Command line: a thin layer over the Python API. Errors become one clear line and exit code 1."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer
from referat.errors import ReferatError
from referat.model import ParsedDocument
from referat.parse import parse_file

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="referat: read Danish municipal committee minutes into a structured record.")


class Format(str, Enum):
    json = "json"
    text = "text"


@app.callback()
def main() -> None:
    """referat: read Danish municipal committee minutes into a structured record."""


def note(message: str) -> None:
    """One line on stderr, never wrapped (scripts and CI logs read it)."""
    typer.echo(message, err=True)


def fail(message: str) -> None:
    note(f"error: {message}")
    raise typer.Exit(1)


def render_text(doc: ParsedDocument) -> str:
    """A readable summary of one meeting: header, then one block per item."""
    m = doc.meeting
    kind = {"minutes": "Referat", "agenda": "Dagsorden"}[m.kind]
    out = [f"{kind}: {m.committee or '?'}" + (f" ({m.election_period})" if m.election_period else ""),
           f"Dato: {m.date.isoformat() if m.date else '?'}" + (f" kl. {m.start_time}" if m.start_time else ""),
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
            out.append(f"  Beslutning [{it.decision_kind or '-'}]: {it.decision}")
        if it.absent:
            out.append("  Fraværende: " + ", ".join(it.absent))
        for s in it.substitutes:
            out.append(f"  Stedfortræder: {s.substitute} for {s.for_}")
        if it.votes:
            out.append(f"  Stemmer: for {', '.join(it.votes.for_) or '-'}; imod "
                       f"{', '.join(it.votes.against) or '-'}; undlod {', '.join(it.votes.abstained) or '-'}")
        for r in it.related:
            out.append(f"  Tidligere behandling: {r.body} {r.date or '?'} punkt {r.item or '?'}")
        for u in it.upcoming:
            out.append(f"  Kommende behandling: {u.body} {u.date or '?'}")
        if it.attachments:
            out.append("  Bilag: " + "; ".join(it.attachments))
        if it.amounts_mio_kr:
            out.append("  Beløb (mio. kr.): " + ", ".join(f"{a:g}".replace(".", ",") for a in it.amounts_mio_kr))
    for w in doc.warnings:
        out.append(f"advarsel (linje {w.line if w.line is not None else '-'}): {w.message}")
    return "\n".join(out)


@app.command()
def parse(
    file: Path = typer.Argument(..., help="A minutes or agenda file (text or markdown)."),
    format: Format = typer.Option(Format.text, "--format", "-f", help="json = the parse contract exactly."),
) -> None:
    """Parse one minutes/agenda document and print the structured record."""
    try:
        doc = parse_file(file)
    except ReferatError as exc:
        fail(str(exc))
        return
    if doc.source.get("encoding") not in (None, "utf-8", "utf-8-sig"):
        note(f"note: {file}: decoded as {doc.source['encoding']}")
    if format is Format.json:
        sys.stdout.write(json.dumps(doc.to_contract(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render_text(doc) + "\n")


if __name__ == "__main__":
    app()

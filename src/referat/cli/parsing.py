"""`referat parse`: one document read and printed as its record (the parse contract or a Danish summary)."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from referat import sandbox
from referat.cli.common import OcrOpt, fail, note
from referat.errors import ReferatError

if TYPE_CHECKING:
    from referat.model import ParsedDocument


class Format(str, Enum):
    json = "json"
    text = "text"




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
    lines, notes = explain(source.text)
    sys.stdout.write(render(lines, [*source.warnings, *notes]) + "\n")

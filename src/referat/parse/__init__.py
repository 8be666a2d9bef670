"""The parser: text -> one meeting record, as an ordered list of named stages.

    normalize  text -> clean lines with source line numbers (normalize.py)
    layout     find the table of contents and the item headings (structure.py)
    header     read kind, committee, period, date, time, place, participants (header.py)
    toc        read the table of contents entries (structure.py)
    items      split each item into title, case number and sections (structure.py)
    fields     run the field extractors over each item (item.py FIELDS)

A structured source (meeting JSON, XML exports) skips normalize to items: its record gives header and items,
and parse_structured (structured.py) runs the same field extractors over its sections.

Each stage takes plain data and returns plain data; nothing is shared or mutated
between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from referat.errors import NotMinutesError
from referat.model import Meeting, ParsedDocument, ParseWarning, TocEntry
from referat.normalize import Line, Normalized, normalize
from referat.parse.header import MAX_PROSE, Header, parse_header
from referat.parse.item import build_item
from referat.parse.structure import (Heading, RawItem, contents_entry, find_items, find_toc, is_sentence, is_toc_entry,
                                     no_items_reason, split_item, toc_titles)
from referat.parse.structured import parse_structured
from referat.parse.text import comparable, squash
from referat.sources import SourceText, read_source
from referat.sources.text import encoding_warning

__all__ = ["Layout", "layout", "parse_file", "parse_source", "parse_text"]


@dataclass(frozen=True, slots=True)
class Layout:
    """Where things are: the table of contents (line positions) and the item headings."""

    lines: list[Line]
    toc: tuple[int, int] | None
    headings: list[Heading]

    @property
    def header_lines(self) -> list[Line]:
        """Lines before the first item, minus the table of contents."""
        end = self.headings[0].index if self.headings else len(self.lines)
        toc = range(*self.toc) if self.toc else range(0)
        return [ln for i, ln in enumerate(self.lines[:end]) if i not in toc]


def layout(normalized: Normalized) -> Layout:
    lines = normalized.lines
    toc = find_toc(lines)
    titles = {comparable(t) for t, _, _ in toc_titles(lines, toc)}
    start = toc[1] if toc else 0
    return Layout(lines, toc, find_items(lines, start, titles))


def raw_items(lay: Layout) -> list[RawItem]:
    ends = [h.index for h in lay.headings[1:]] + [len(lay.lines)]
    return [split_item(lay.lines, h, end) for h, end in zip(lay.headings, ends)]


def _meeting(header: Header, lay: Layout, items: list[RawItem]) -> Meeting:
    kind = header.kind
    if kind is None:
        has_decisions = any(s.role == "decision" for it in items for s in it.sections)
        kind = "minutes" if has_decisions else "agenda"
    entries = toc_titles(lay.lines, lay.toc) if lay.toc else [
        (*contents_entry(ln.text), ln.no) for ln in header.unrecognised if is_toc_entry(ln.text)]
    toc = [TocEntry(title=t, page=p) for t, p, _ in entries]
    return Meeting(kind=kind, committee=header.committee, election_period=header.election_period,
                   date=header.date, start_time=header.start_time, location=header.location,
                   participants=header.participants, toc=toc)


def _structural_lines(header: Header, lay: Layout, items: list[RawItem]) -> set[int]:
    nos = set(header.consumed)
    if lay.toc:
        nos.update(ln.no for ln in lay.lines[lay.toc[0]: lay.toc[1]])
    else:
        nos.update(ln.no for ln in header.unrecognised if is_toc_entry(ln.text))
    for raw in items:
        nos.update(ln.no for ln in raw.title_lines)
        if raw.closed_line is not None:
            nos.add(raw.closed_line.no)
        nos.update(ln.no for ln in raw.status_lines)
        if raw.case_line is not None:
            nos.add(raw.case_line.no)
    return nos


def parse_text(text: str, path: str | Path | None = None, *, encoding: str | None = None,
               disabled: frozenset[str] = frozenset()) -> ParsedDocument:
    """Parse the text of one minutes/agenda document. Raises NotMinutesError for other texts.

    `disabled` switches field extractors off by name (see referat.parse.item.FIELDS)."""
    normalized = normalize(text)
    lay = layout(normalized)
    header = parse_header(lay.header_lines)
    items = raw_items(lay)
    prose = [ln for ln in header.unrecognised if is_sentence(ln.text)]
    if len(prose) > MAX_PROSE and (header.kind is None or header.date is None):
        # a long title page (names, labels, a contents list) is no prose; sentences are
        raise NotMinutesError(path, f"{len(prose)} sentences before the first agenda item and no "
                                    "meeting title with a date: this reads as prose, not a meeting header")
    if not items and not (header.kind and header.date):
        reason = ("no agenda items (Punkt 1: …, Pkt. 2, Sag nr. 3, …) and no minutes/agenda header "
                  "(REFERAT/DAGSORDEN, Mødedato) found")
        if header.kind:
            reason = f"a '{header.kind}' title but no meeting date and no agenda items found"
        raise NotMinutesError(path, reason)
    meeting = _meeting(header, lay, items)
    warnings: list[ParseWarning] = []
    said = encoding_warning(encoding)
    if said:
        warnings.append(ParseWarning(line=None, message=said))
    for ln in header.unrecognised:
        if lay.toc is None and is_toc_entry(ln.text):
            continue  # a contents line under no "Indholdsfortegnelse" heading: read into the TOC
        warnings.append(ParseWarning(line=ln.no, message=f"header line not recognised: '{squash(ln.text)}'"))
    if not items:
        warnings.append(ParseWarning(line=None, message=no_items_reason(lay.lines)))
    records = []
    for raw in items:
        item, item_warnings = build_item(raw, meeting.committee, header.absent, disabled, header.substitutes)
        records.append(item)
        warnings.extend(item_warnings)
    return ParsedDocument(meeting=meeting, items=records, warnings=warnings,
                          source={"path": str(path) if path else None, "encoding": encoding, "municipality": header.municipality,
                                  "artifacts": normalized.artifacts,
                                  # source lines read into header fields, the TOC, item headings, case numbers
                                  "structural_lines": sorted(_structural_lines(header, lay, items))})


def parse_source(source: SourceText, *, disabled: frozenset[str] = frozenset()) -> ParsedDocument:
    """Parse a document already read by a reader, keeping where it came from. A structured source (meeting
    JSON, an XML export) carries its meeting as `source.record`: that is read instead of the text."""
    if source.record is not None:
        doc = parse_structured(source.record, source.path, disabled=disabled)
    else:
        doc = parse_text(source.text, source.path, encoding=source.encoding, disabled=disabled)
    doc.source["size"] = source.size
    doc.source["format"] = source.format
    doc.warnings[:0] = [ParseWarning(line=None, message=w) for w in source.warnings]
    if source.format == "pdf-ocr":
        doc.warnings.insert(0, ParseWarning(line=None, message="text read by OCR (tesseract, Danish): check names "
                                                               "and numbers against the original"))
    return doc


def parse_file(path: str | Path, *, disabled: frozenset[str] = frozenset(), ocr: bool = False) -> ParsedDocument:
    """Read a document (text, markdown, PDF, web page or Word file, chosen by content) and parse it;
    raises SourceError or NotMinutesError naming the file. `ocr` reads scanned PDFs by OCR."""
    return parse_source(read_source(path, ocr=ocr), disabled=disabled)

"""A structured meeting (sources.record) -> the parse record, through the same field extractors as text.

A structured source (the publication API's meeting JSON, an SBSYS/eDoc/Acadre XML export, a meeting page
read from its DOM) states the header and the item boundaries itself: committee, date, item numbers,
titles and case numbers are taken as the source gives them, with no guessing from layout. What the items
*say* is still text: each item's sections become the same `RawItem`/`RawSection` blocks the text parser
builds (structure.py), with the role read from the printed heading by `section_role` (or set by the
reader where the source marks it by position), and `item.build_item` runs the one list of field
extractors (item.py FIELDS: decision and its kind, recommendation, absences, substitutes, votes,
references, attachments, presenters, amounts, tables) over them. Both roads therefore give the same
fields for the same meeting.

What the source states apart from the text is merged in:
- participants flagged absent (or cancelled) for the whole meeting count as absent on every item, like
  a header's "Afbud:" line in text;
- an item's own attendee list (`StructuredItem.absent`) is added to the absences read from its text;
- a closed flag from the source adds to the "Lukket:" title marker (it never re-opens an item);
- attachments listed by the source come first, then any read from a "Bilag" section;
- a decision given apart from the sections (`StructuredItem.decision`) becomes a decision section
  (heading '') after the others when no section already holds one.

Line numbers in warnings count the lines of the section texts across the meeting (a structured source
has no lines of its own); `ParsedDocument.source` says which system the meeting comes from.
"""

from __future__ import annotations

from pathlib import Path

from referat.model import Meeting, MeetingSource, ParsedDocument, ParseWarning, Participant
from referat.normalize import Line, clean_unicode
from referat.parse.item import build_item
from referat.parse.structure import RawItem, RawSection, section_role
from referat.parse.text import squash
from referat.sources.record import StructuredItem, StructuredMeeting, StructuredSection

__all__ = ["LineNumbers", "parse_structured", "raw_item"]


class LineNumbers:
    """Numbers the lines of section texts across one meeting, so warnings can point somewhere."""

    def __init__(self) -> None:
        self.no = 0

    def lines(self, text: str) -> list[Line]:
        out = []
        for raw in text.splitlines():
            self.no += 1
            out.append(Line(self.no, clean_unicode(raw).rstrip()))
        return out


def _raw_section(section: StructuredSection, counter: LineNumbers) -> RawSection:
    heading = squash(clean_unicode(section.heading))
    found = section_role(heading) if heading else None
    role = section.role or (found[0] if found else None)
    body = found[1] if found else None
    no = None
    if heading:
        counter.no += 1
        no = counter.no
    return RawSection(heading, role, counter.lines(section.text), no=no, body=body)


def raw_item(item: StructuredItem, counter: LineNumbers | None = None) -> RawItem:
    """The block the text parser would have cut out of a document for this item."""
    counter = counter or LineNumbers()
    counter.no += 1
    no = counter.no
    sections = [_raw_section(s, counter) for s in item.sections]
    if item.decision and not any(s.role == "decision" for s in sections):
        sections.append(RawSection("", "decision", counter.lines(item.decision)))
    return RawItem(number=item.number, title=squash(clean_unicode(item.title)), no=no,
                   case_number=item.case_number or None, sections=sections, title_lines=[], case_line=None)


def _kind(meeting: StructuredMeeting, raws: list[RawItem]) -> str:
    if meeting.kind in ("minutes", "agenda"):
        return meeting.kind
    printed = any(s.role == "decision" and any(not ln.blank for ln in s.lines) for r in raws for s in r.sections)
    return "minutes" if printed else "agenda"


def parse_structured(meeting: StructuredMeeting, path: str | Path | None = None, *,
                     disabled: frozenset[str] = frozenset()) -> ParsedDocument:
    """One structured meeting -> the parse record (DESIGN §3). `disabled` switches field extractors off by
    name, as for text (referat.parse.item.FIELDS)."""
    counter = LineNumbers()
    raws = [raw_item(it, counter) for it in meeting.items]
    meeting_absent = list(dict.fromkeys(p.name for p in meeting.participants if p.absent))
    warnings: list[ParseWarning] = []
    if not raws:
        warnings.append(ParseWarning(line=None, message="no agenda items in the source"))
    items = []
    for source_item, raw in zip(meeting.items, raws):
        item, found = build_item(raw, meeting.committee, meeting_absent, disabled)
        warnings.extend(found)
        if source_item.closed:
            item.closed = True
        if "absent" not in disabled and source_item.absent:
            item.absent = list(dict.fromkeys([*item.absent, *source_item.absent]))
        if "attachments" not in disabled and source_item.attachments:
            listed = [a.title for a in source_item.attachments]
            item.attachments = list(dict.fromkeys([*listed, *item.attachments]))
        items.append(item)
    record = Meeting(kind=_kind(meeting, raws), committee=meeting.committee, election_period=meeting.election_period,
                     date=meeting.date, start_time=meeting.start_time, location=meeting.location,
                     participants=[Participant(name=p.name, party=p.party) for p in meeting.participants],
                     source=MeetingSource(system=meeting.system, url=meeting.url, id=meeting.id))
    return ParsedDocument(meeting=record, items=items, warnings=warnings,
                          source={"path": str(path) if path else None, "encoding": None,
                                  "municipality": meeting.municipality, "system": meeting.system,
                                  "host": meeting.host, "artifacts": [], "structural_lines": []})

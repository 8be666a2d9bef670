"""eDoc's two agenda exports, read into a StructuredMeeting.

eDoc 4 (Fujitsu; namespace http://www.fujitsu.dk/agenda/xml/schemas/2009/03/31/) is the XML the agenda web
page is generated from: Committee/Name, Meeting/MeetingDateTime and MeetingLocation, and per
AgendaElement a HandlingItem with SerialNo (the number the page prints), Title (as printed; NeutralTitle
is the anonymised one), CaseNumber, CasePresentations (heading + HTML) and Attachments; AccessIsPublic
false puts the item under "Lukket dagsorden".

The older eDocAgendaPublishing export (<Meeting>) carries the printed minutes as plain text: the whole
document in MeetingAgendaType/FullText and each item's text in MeetingAgendaItem/FullText, headings as
lines of their own ("Sammendrag", "Indstilling", "<Udvalg>s beslutning den 04.12.2012 Punkt 3"), the case
number on a "Sagsnr.:" line and the place and members only in the document's header.
"""

from __future__ import annotations

import re

from lxml import etree

from referat import vocab
from referat.sources.record import (StructuredAttachment, StructuredItem, StructuredMeeting, StructuredParticipant,
                                    StructuredSection)
from referat.sources.xmlread import as_number, child, children, content_text, raw, text, tidy, truthy, when

__all__ = ["edoc4_meeting", "edoc_meeting", "split_plain_sections"]

# "Sundheds- og Forebyggelsesudvalgets beslutning den 04.12.2012 Punkt 3": the committee's decision
_DECISION_LABEL = re.compile(r"^(?P<body>.+?)s? beslutning(?: den (?P<date>\d{1,2}\.\d{1,2}\.\d{4}))?"
                             r"(?: punkt \S+)?$", re.IGNORECASE)
_ABSENT_LABEL = re.compile(r"^følgende deltog ikke i behandlingen af punktet:?$", re.IGNORECASE)
_CASE_LINE = re.compile(r"^sagsnr\.?:\s*(?P<case>\S.*)$", re.IGNORECASE)
# "A)", "a.", "e. ", "1)": a point's letter on its own line, not a heading
_ENUMERATOR = re.compile(r"^(?:[A-Za-zÆØÅæøå]|\d{1,2})[.)]$")
# "2012-200782 - Bygningsliste og prioriteringssystem": a document reference, not a heading
_DOC_REF = re.compile(r"^\d{4}-\d+\s+-\s+")
_TITLE_LINE = re.compile(r"^\d{1,3}\.\s")
# eDoc's own headings beside the genre's (vocab.SECTION_HEADINGS): "Sammendrag", "Beslutningen træffes af"
_EDOC_HEADINGS = re.compile(r"^(?:sammendrag|beslutningen træffes af|bilag)$", re.IGNORECASE)
_SECTION = vocab.section_pattern()
_MEETING_LINE = re.compile(r"\bden \d{1,2}\. \w+ \d{4}, kl\. \d{1,2}[:.]\d{2}$", re.IGNORECASE)
_MEMBER = re.compile(r"^(?P<name>[A-ZÆØÅ][^()]+?)\s*\((?P<party>[A-ZÆØÅ]{1,3})\)(?:\s*-\s*(?P<role>.+))?$")
_HEADER_LABELS = {"tilstede": "present", "afbud/fraværende": "absent", "fraværende": "absent", "afbud": "absent",
                  "sekretær": "secretary"}


# --- eDoc 4 ------------------------------------------------------------------------------------------------

def _edoc4_item(element: etree._Element) -> StructuredItem:
    handling = child(element, "HandlingItem")
    sections = []
    for presentation in children(child(handling, "CasePresentations"), "CasePresentation"):
        body = content_text(raw(presentation, "Content"))
        if not body:
            continue
        decision = truthy(text(presentation, "IsDecision"))  # the source marks the decision field
        sections.append(StructuredSection(heading=text(presentation, "Title"), text=body,
                                          role="decision" if decision else None))
    attachments = [StructuredAttachment(title=text(a, "Title"))
                   for a in children(child(handling, "Attachments"), "Attachment") if text(a, "Title")]
    public = truthy(text(element, "AccessIsPublic"))
    number = text(handling, "SerialNo") or text(element, "SortOrder")
    return StructuredItem(number=as_number(number), title=text(handling, "Title") or text(handling, "NeutralTitle"),
                          case_number=text(handling, "CaseNumber") or None,
                          closed=None if public is None else not public, sections=sections,
                          attachments=attachments, id=text(handling, "Identifier") or None)


def edoc4_meeting(root: etree._Element) -> StructuredMeeting:
    committee = child(root, "Committee")
    meeting = child(committee, "Meeting")
    date, start = when(text(meeting, "MeetingDateTime"))
    output = text(root, "OutputTypeEnumName").lower()
    kind = "agenda" if output in ("agenda", "dagsorden") else "minutes" if output in ("minutes", "referat") else None
    participants = []
    for p in children(child(meeting, "MeetingParticipants"), "MeetingParticipant"):
        name = text(p, "Name")
        if name:
            present = truthy(text(p, "Participate"))
            participants.append(StructuredParticipant(name=name, party=text(p, "PoliticalPartyList") or None,
                                                      absent=present is False, note=text(p, "RoleInMeeting") or None))
    items = [_edoc4_item(e) for e in children(child(meeting, "Agenda", "AgendaElements"), "AgendaElement")]
    return StructuredMeeting(system="edoc-xml", committee=text(committee, "Name") or None, date=date, start_time=start,
                             location=text(meeting, "MeetingLocation") or text(committee, "DefaultLocation") or None,
                             kind=kind, id=text(meeting, "MeetingIdentifier") or None, participants=participants,
                             items=items)


# --- eDocAgendaPublishing ----------------------------------------------------------------------------------

def _paragraphs(full: str) -> list[list[str]]:
    """Blank-line separated paragraphs of a plain text, each a list of tidied lines."""
    out: list[list[str]] = []
    cur: list[str] = []
    for line in full.replace("\x0c", "\n").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        t = tidy(line)
        if t:
            cur.append(t)
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def _is_heading(par: list[str]) -> bool:
    """A paragraph whose first line is a heading, with the text on the next line ('Sammendrag' / 'Det årlige
    bygningssyn …'): a heading the genre or eDoc knows, or a short line that is no sentence end, point letter
    or document reference, above prose (not above '200.000 kr.': a table printed one cell a line)."""
    first = par[0]
    if _DECISION_LABEL.match(first) and " beslutning" in first.lower() or _ABSENT_LABEL.match(first):
        return True
    if len(par) > 1 and (_EDOC_HEADINGS.match(first) or _SECTION.match(first) and len(first) <= 80):
        return True
    prose = len(par) > 1 and (len(par[1]) > 40 or len(par[1]) > 15 and par[1].endswith("."))
    return (prose and len(first) <= 80 and first[-1] not in ".,;" and not _ENUMERATOR.match(first)
            and not _DOC_REF.match(first))


def split_plain_sections(full: str) -> tuple[str | None, list[StructuredSection]]:
    """(case number, sections) of one item's plain text as eDoc prints it: the title line is dropped, the
    'Sagsnr.:' line gives the case number, every heading paragraph starts a section."""
    case = None
    sections: list[StructuredSection] = []
    heading, body = "", []  # text before the first heading goes under ''

    def close() -> None:
        if body or heading:
            sections.append(StructuredSection(heading=heading, text="\n\n".join(body), role=_role(heading)))

    for par in _paragraphs(full):
        if _TITLE_LINE.match(par[0]) and not sections and not body and heading == "":
            par = par[1:]
            if not par:
                continue
        m = _CASE_LINE.match(par[0])
        if m and case is None:
            # the case number's paragraph: 'Dok.nr.: …' and the earlier treatment ('Kommunalbestyrelsen den
            # 30. januar 2012 Punkt 5') stay text before the first heading
            case = m.group("case").strip()
            if par[1:]:
                body.append("\n".join(par[1:]))
            continue
        if _is_heading(par):
            close()
            heading, body = par[0], (["\n".join(par[1:])] if par[1:] else [])
        elif heading.lower() == "bilag" and body:
            # a 'Bilag' list is one paragraph; what follows it ('c.' / the next announcement) is no attachment
            close()
            heading, body = "", ["\n".join(par)]
        else:
            body.append("\n".join(par))
    close()
    return case, sections


def _role(heading: str) -> str | None:
    """The roles eDoc marks by its own labels: '<Udvalg>s beslutning den 04.12.2012 Punkt 3' is this
    meeting's decision, 'Følgende deltog ikke i behandlingen af punktet:' its attendance list."""
    if " beslutning" in heading.lower() and _DECISION_LABEL.match(heading):
        return "decision"
    if _ABSENT_LABEL.match(heading):
        return "attendance"
    return None


def _header(full: str) -> tuple[str | None, list[StructuredParticipant]]:
    """The place and the members from the printed header of the whole minutes: 'tirsdag den 4. december 2012,
    kl. 13:00' / 'i Mødecenter C, …'; 'Tilstede' and 'Afbud/Fraværende' lists of 'Name (A) - role'."""
    lines = [tidy(x) for x in full.replace("\x0c", "\n").replace("\r", "\n").split("\n")]
    location = None
    for i, line in enumerate(lines[:-1]):
        if _MEETING_LINE.search(line) and lines[i + 1].lower().startswith("i "):
            location = lines[i + 1][2:].strip()
            break
    participants: list[StructuredParticipant] = []
    mode = None
    for line in lines:
        low = line.lower()
        if low == "indholdsfortegnelse":
            break
        if low in _HEADER_LABELS:
            mode = _HEADER_LABELS[low]
            continue
        m = _MEMBER.match(line) if mode in ("present", "absent") else None
        if m:
            participants.append(StructuredParticipant(name=m.group("name").strip(), party=m.group("party"),
                                                      absent=mode == "absent", note=m.group("role")))
    return location, participants


def edoc_meeting(root: etree._Element) -> StructuredMeeting:
    date, start = when(text(root, "MeetingDate"))
    state = text(root, "MeetingState").lower()
    kind = "minutes" if "referat" in state else "agenda" if "dagsorden" in state else None
    location, participants = None, []
    items: list[StructuredItem] = []
    meeting_id = None
    for agenda_type in children(child(root, "MeetingAgendaTypes"), "MeetingAgendaType"):
        closed = "lukket" in text(agenda_type, "AgendaType").lower()
        if location is None:
            location, participants = _header(raw(agenda_type, "FullText"))
        if meeting_id is None:
            m = re.search(r"[?&]id=(\d+)", text(agenda_type, "UrlShowCompleteAgendaType"))
            meeting_id = m.group(1) if m else None
        for item_el in children(child(agenda_type, "MeetingAgendaItems"), "MeetingAgendaItem"):
            document = child(item_el, "Document")
            case, sections = split_plain_sections(raw(item_el, "FullText"))
            # the printed 'Bilag' lists name the attachments as the minutes show them ('2012-200782 - …');
            # the Attachments element only where the text prints none
            printed = any(s.heading.lower() == "bilag" and s.text for s in sections)
            attachments = [] if printed else [
                StructuredAttachment(title=text(a, "Title"))
                for a in children(child(document, "Attachments"), "Attachment") if text(a, "Title")]
            items.append(StructuredItem(number=as_number(text(item_el, "AgendaItemNumber")),
                                        title=text(document, "Title"), case_number=case, closed=closed,
                                        sections=sections, attachments=attachments,
                                        id=document.get("documentid") if document is not None else None))
    # the export lists items in no particular order; the printed minutes go by number
    items.sort(key=lambda it: (0, it.number, "") if isinstance(it.number, int) else (1, 0, str(it.number)))
    return StructuredMeeting(system="edoc-xml", committee=text(root, "Committee") or None, date=date,
                             start_time=start, location=location, kind=kind, id=meeting_id,
                             participants=participants, items=items)

"""XML exports of the municipal case-management (ESDH) systems, read into a StructuredMeeting.

Older archives and municipalities outside the common publication system publish meetings as the XML
their case-management system exports for the municipal publication modules (OS2dagsorden imports the
same files). Which system wrote a file is read from its content, never its name:

    SBSYS     <Publication><Agendas><Agenda>…      sbsys-xml   (Region Hovedstaden; Aarhus's variant)
    eDoc 4    <Root xmlns:edoc="http://www.fujitsu.dk/agenda/xml/schemas/…">  edoc-xml
    eDoc      <Meeting><MeetingAgendaTypes>… (eDocAgendaPublishing)          edoc-xml
    Acadre    <root><table name="agenda">…, or its publication manifest    acadre-xml

What each element means was worked out from real exports (../shared/corpus) and is said where it is
read. Item contents are HTML or plain-text fields; each becomes a section under its printed heading.
An SBSYS item numbered 0 is not an agenda item but a meeting document (the minutes PDFs): it goes to
`StructuredMeeting.documents`. The source text kept for the archive is the XML itself, verbatim.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from lxml import etree

from referat.errors import SourceError
from referat.sources.record import (StructuredAttachment, StructuredItem, StructuredMeeting, StructuredParticipant,
                                    StructuredSection)
from referat.sources.text import SourceText, decode
from referat.sources.xmlread import (as_number, child, children, content_text, local, parse_xml, raw, text, truthy,
                                     when)

__all__ = ["FORMATS", "esdh_system", "read_esdh", "read_esdh_xml", "sbsys_meeting"]

# system -> the SourceText format (and StructuredMeeting.system) it is read as
FORMATS = {"sbsys": "sbsys-xml", "edoc4": "edoc-xml", "edoc": "edoc-xml", "acadre": "acadre-xml",
           "acadre-manifest": "acadre-xml"}
EDOC4_NAMESPACE = "http://www.fujitsu.dk/agenda/xml/schemas/"
# an SBSYS field whose content is a placeholder, not text ("Tomt indhold": empty content)
_PLACEHOLDER = re.compile(r"^\s*tomt indhold\.?\s*$", re.IGNORECASE)
# "Beslutning", "Økonomiudvalgets beslutning" (not "Beslutningskompetence", "Beslutningen træffes af")
_DECISION_CAPTION = re.compile(r"\bbeslutning(?:er)?\b", re.IGNORECASE)
_NAME_PARTY = re.compile(r"^(?P<name>.+?)\s*\((?P<party>[A-ZÆØÅ]{1,3})\)$")
# SBSYS MeetingMember.ParticipationStatusAsValue: 0 not decided, 1 participates, 4 participates in part
# (OS2dagsorden's SBSYS importer lists these three as participants and every other status as absent)
_PRESENT_STATUS = frozenset({"", "0", "1", "4"})
# SBSYS ItemMember status 4: did not take part in this item
_ITEM_ABSENT_STATUS = "4"


def esdh_system(root: etree._Element) -> str | None:
    """'sbsys', 'edoc4', 'edoc', 'acadre', 'acadre-manifest' or None, from the root element."""
    name = local(root.tag)
    if name == "Publication" and child(root, "Agendas") is not None:
        return "sbsys"
    if name == "Root" and (any(ns.startswith(EDOC4_NAMESPACE) for ns in (root.nsmap or {}).values())
                           or child(root, "Committee", "Meeting") is not None):
        return "edoc4"
    if name == "Meeting" and child(root, "MeetingAgendaTypes") is not None:
        return "edoc"
    if name == "root":
        tables = {t.get("name") for t in children(root, "table")}
        if "agenda" in tables and "producedAgenda" in tables:
            return "acadre-manifest"
        if "agenda" in tables:
            return "acadre"
    return None


def read_esdh_xml(path: str | Path, data: bytes, root: etree._Element | None = None) -> StructuredMeeting:
    """The meeting in an ESDH XML export; SourceError when the XML is none of the known exports."""
    root = parse_xml(data, path) if root is None else root
    system = esdh_system(root)
    if system == "sbsys":
        try:
            return sbsys_meeting(root)
        except ValueError as exc:  # a publication missing its parts: refused by name, not a traceback
            raise SourceError(path, f"an SBSYS export that cannot be read: {exc}") from exc
    if system in ("edoc4", "edoc"):
        from referat.sources.edoc_xml import edoc4_meeting, edoc_meeting

        return edoc4_meeting(root) if system == "edoc4" else edoc_meeting(root)
    if system in ("acadre", "acadre-manifest"):
        from referat.sources.acadre_xml import acadre_from_file

        return acadre_from_file(Path(path), root, system)
    raise SourceError(path, f"an XML file with root <{local(root.tag)}>, which is none of the meeting exports "
                            "referat reads (SBSYS <Publication>, eDoc <Meeting> or <Root>, Acadre <root>)")


def read_esdh(path: str | Path, data: bytes) -> SourceText:
    """An ESDH XML file as a SourceText: its text is the XML verbatim, its record the meeting it holds."""
    root = parse_xml(data, path)
    system = esdh_system(root)
    meeting = read_esdh_xml(path, data, root)
    decoded, encoding = decode(data, str(path))
    return SourceText(path=str(path), text=decoded, encoding=encoding, size=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), format=FORMATS[system or "sbsys"], record=meeting)


# --- SBSYS ------------------------------------------------------------------------------------------------

def _sbsys_kind(root: etree._Element, agenda: etree._Element) -> str | None:
    """PublicationTypeAsValue 0 Draft (Kladde) and 1 are agendas, 2 minutes (Referat); in Aarhus's variant
    it sits inside the Agenda element."""
    value = text(root, "PublicationTypeAsValue") or text(agenda, "PublicationTypeAsValue")
    enum = (text(root, "PublicationTypeAsEnum") or text(agenda, "PublicationTypeAsEnum")).lower()
    if value == "2" or enum in ("minutes", "referat"):
        return "minutes"
    if value in ("0", "1") or enum in ("draft", "agenda", "dagsorden", "kladde"):
        return "agenda"
    return None


def _sbsys_participants(meeting: etree._Element | None) -> list[StructuredParticipant]:
    out = []
    for member in children(child(meeting, "Members"), "MeetingMember"):
        name = text(member, "Name") or text(member, "Member", "Name")
        if not name:
            continue
        status = text(member, "ParticipationStatusAsValue")
        participate = text(member, "Participate")  # Aarhus: 0 takes part, anything else does not
        absent = status not in _PRESENT_STATUS or (participate not in ("", "0"))
        note = " ".join(x for x in (text(member, "ParticipationStatusAsText") if absent else "",
                                    text(member, "ParticipationNote")) if x) or None
        person, party = _name_party(name)
        out.append(StructuredParticipant(name=person, party=party, absent=absent, note=note))
    return out


def _name_party(name: str) -> tuple[str, str | None]:
    """'Anna Holm (A)' -> ('Anna Holm', 'A'); a name without party letters stays whole."""
    m = _NAME_PARTY.match(name)
    return (m.group("name"), m.group("party")) if m else (name, None)


def _sbsys_attachments(item: etree._Element) -> list[StructuredAttachment]:
    out = []
    for enc in children(child(item, "Enclosures"), "Enclosure"):
        title = text(enc, "Name") or text(enc, "FileName")
        if title:
            out.append(StructuredAttachment(title=title, url=text(enc, "DownloadUrl") or None))
    return out


def _sbsys_is_decision(field: etree._Element) -> bool:
    """A decision field: IsFeedback True (filled in at the meeting); Aarhus's variant has no such flag, so
    there the caption says it ('Beslutning')."""
    flag = truthy(text(field, "IsFeedback"))
    if flag is not None:
        return flag
    return bool(_DECISION_CAPTION.search(text(field, "Caption")))


def _own_decision(fields: list[tuple[str, bool]], committee: str | None) -> int | None:
    """Which filled decision field is this meeting's: the one named after the committee ("FORRETNINGS-
    UDVALGETS BESLUTNING" in Forretningsudvalget), else the last one (the fields follow the case's path,
    so an earlier body's decision comes before the deciding one's)."""
    decisions = [i for i, (_, is_decision) in enumerate(fields) if is_decision]
    stem = (committee or "").strip().lower()
    named = [i for i in decisions if stem and fields[i][0].lower().startswith(stem)]
    return named[-1] if named else decisions[-1] if decisions else None


def _sbsys_item(item: etree._Element, minutes: bool, committee: str | None) -> StructuredItem:
    filled = []
    for field in children(child(item, "Fields"), "ItemField"):
        body = content_text(raw(field, "Content"))
        if body and not _PLACEHOLDER.match(body):  # "Tomt indhold" is SBSYS's placeholder for nothing
            filled.append((text(field, "Caption"), body, _sbsys_is_decision(field)))
    # an agenda's decision fields hold earlier meetings' words ("18. september 2012: Sagen udsat …")
    own = _own_decision([(c, d) for c, _, d in filled], committee) if minutes else None
    sections = [StructuredSection(heading=caption, text=body, role="decision" if i == own else None)
                for i, (caption, body, _) in enumerate(filled)]
    for past in children(child(item, "ItemHistory"), "ItemField"):
        body = content_text(raw(past, "Content"))
        if body:
            body_name = text(past, "MeetingDetails", "CommitteeName")
            date, _ = when(text(past, "MeetingDetails", "MeetingDueDate"))
            label = " ".join(x for x in (text(past, "Caption"), body_name,
                                         date.strftime("%d-%m-%Y") if date else "") if x)
            sections.append(StructuredSection(heading="Beslutningshistorik", text=f"{label}\n{body}", role="history"))
    absent = [_name_party(text(m, "Name"))[0] for m in children(child(item, "Members"), "ItemMember")
              if text(m, "ParticipationStatusAsValue") == _ITEM_ABSENT_STATUS and text(m, "Name")]
    case = text(item, "ItemCaseNumber") or text(item, "Case", "Number") or None
    public = truthy(text(item, "IsPublic"))
    return StructuredItem(number=as_number(text(item, "Number")), title=text(item, "Caption"), case_number=case,
                          closed=None if public is None else not public, sections=sections,
                          attachments=_sbsys_attachments(item), absent=absent, id=item.get("ID"))


def sbsys_meeting(root: etree._Element) -> StructuredMeeting:
    """An SBSYS <Publication>: committee Agenda/Committee/Name, time Meeting/When, place Meeting/Where,
    items Agenda/Items/Item (Number as printed, Caption, IsPublic, Fields/ItemField with Caption and HTML
    Content, Enclosures). Several Agenda elements (an agenda and its supplement) are one meeting."""
    agendas = children(child(root, "Agendas"), "Agenda")
    if not agendas:
        raise ValueError("an SBSYS publication without an Agenda")
    first = agendas[0]
    meeting_el = child(first, "Meeting")
    date, start = when(text(meeting_el, "When"))
    kind = _sbsys_kind(root, first)
    committee = text(first, "Committee", "Name") or None
    items: list[StructuredItem] = []
    documents: list[StructuredAttachment] = []
    for agenda in agendas:
        for item_el in children(child(agenda, "Items"), "Item"):
            if text(item_el, "Number") in ("0", ""):
                # a meeting document ("Åbent referat" with the minutes PDF), not an agenda item
                docs = _sbsys_attachments(item_el) or [StructuredAttachment(title=text(item_el, "Caption"))]
                documents.extend(docs)
                continue
            items.append(_sbsys_item(item_el, kind == "minutes", committee))
    meeting_id = (meeting_el.get("ID") if meeting_el is not None else None) or first.get("ID")
    return StructuredMeeting(system="sbsys-xml", committee=committee, date=date,
                             start_time=start, location=text(meeting_el, "Where") or None, kind=kind, id=meeting_id,
                             supplementary=len(agendas) > 1 or truthy(text(first, "IsExtendedAgenda")) is True,
                             participants=_sbsys_participants(meeting_el), items=items, documents=documents)

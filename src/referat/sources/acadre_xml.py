"""Acadre MM agenda XML and its publication manifest, read into a StructuredMeeting.

Acadre writes generic tables: <root><table name="agenda"><fields><field name="name">Referat</field>…, with
the committee, the meeting (date, finish, location, members with an absent flag) and one
`agendaitemparents` table per item holding the `agendaitem` (name, caseno, accessname Åben/Lukket), its
`bullet`s (bulletname = the printed heading, bulletcontent = HTML, bullettype 8 = a decision "Beslutning i
<udvalg> den DD-MM-YYYY", one per meeting that treated the item) and its `enclosure`s. Items are numbered
on from agendaData/startAgendaItemNo (Acadre numbers items continuously across meetings).

The publication manifest (XML_<agenda>.xml) names committee, meeting, date and the produced documents: type
1 the agenda, 2 the minutes, each with the folder and file name of its agenda XML. Given the manifest,
referat reads the agenda XML it lists (in its folder, or beside the manifest); given the agenda XML, a
manifest beside it (or one folder up, where Acadre puts it) for the same agenda adds what it says.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from referat.danish import whole_number
from referat.errors import SourceError
from referat.sources.record import (StructuredAttachment, StructuredItem, StructuredMeeting, StructuredParticipant,
                                    StructuredSection)
from referat.sources.xmlread import as_number, child, children, content_text, parse_xml, tidy, when

__all__ = ["acadre_from_file", "acadre_meeting", "manifest_fields"]

DECISION_BULLET = "8"
_DECISION_NAME = re.compile(r"^beslutning\b.*?(?:den\s+(?P<date>\d{1,2}-\d{1,2}-\d{4}))?\s*$", re.IGNORECASE)
_MEMBER = re.compile(r"^(?P<name>.+?)\s*\((?P<party>[A-ZÆØÅ]{1,3})\)$")
MAX_NEIGHBOURS = 60  # XML files looked at beside a manifest or an agenda XML
MAX_NEIGHBOUR_BYTES = 5 * 1024 * 1024


def _tables(el: etree._Element | None, name: str) -> list[etree._Element]:
    return [t for t in children(el, "table") if t.get("name") == name]


def _table(el: etree._Element | None, name: str) -> etree._Element | None:
    found = _tables(el, name)
    return found[0] if found else None


def _fields(table: etree._Element | None) -> dict[str, str]:
    """An agenda-XML table's own fields: <field name="location">Kaløvig Kursuscenter</field>."""
    out: dict[str, str] = {}
    for field in children(child(table, "fields"), "field"):
        key = field.get("name")
        if key and key not in out:
            out[key] = "".join(field.itertext())
    return out


def manifest_fields(table: etree._Element | None) -> list[dict[str, str]]:
    """A manifest table's field blocks, each as one dict: <field sysid="57"/><field date="…"/> -> {…}."""
    blocks = []
    for fields in children(table, "fields"):
        block: dict[str, str] = {}
        for field in children(fields, "field"):
            for key, value in field.attrib.items():
                block.setdefault(key, value)
        blocks.append(block)
    return blocks


def _person(raw_name: str, absent: bool) -> StructuredParticipant:
    name = tidy(raw_name)
    m = _MEMBER.match(name)
    if m:
        return StructuredParticipant(name=m.group("name"), party=m.group("party"), absent=absent,
                                     note="Afbud" if absent else None)
    return StructuredParticipant(name=name, absent=absent, note="Afbud" if absent else None)


def _roles(bullets: list[tuple[str, str, str]], date_key: str | None, minutes: bool) -> list[str | None]:
    """Each bullet's role where Acadre marks it (bullettype 8, a decision): the decision dated this meeting
    is its decision, those of earlier meetings are the case's history; in minutes whose decisions carry no
    date, the last one is this meeting's. Other bullets are read by their heading (None)."""
    marks: list[tuple[str | None, str] | None] = []
    for name, body, kind in bullets:
        m = _DECISION_NAME.match(name)
        marks.append((m.group("date"), body) if m and (kind == DECISION_BULLET or m) and body else None)
    meeting_day = when(date_key or "")[0]
    own = [i for i, mk in enumerate(marks) if mk and mk[0] and meeting_day and when(mk[0])[0] == meeting_day]
    if not own and minutes and not any(mk and mk[0] for mk in marks):
        own = [i for i, mk in enumerate(marks) if mk][-1:]
    return [None if mk is None else "decision" if i in own else "history" for i, mk in enumerate(marks)]


def _item(parent: etree._Element, position: int, start: int | None, meeting_date: str | None,
          minutes: bool) -> StructuredItem | None:
    item_el = _table(parent, "agendaitem")
    if item_el is None:
        return None
    f = _fields(item_el)
    bullets = []
    for bullet in _tables(item_el, "bullet"):
        bf = _fields(bullet)
        order = whole_number(bf.get("bulletsortorder", ""))
        bullets.append((10**6 if order is None else order, tidy(bf.get("bulletname")),
                        content_text(bf.get("bulletcontent", "")), bf.get("bullettype", "")))
    bullets.sort(key=lambda b: b[0])
    named = [(name, body, kind) for _, name, body, kind in bullets]
    roles = _roles(named, meeting_date, minutes)
    sections = [StructuredSection(heading=name, text=body, role=role)
                for (name, body, _), role in zip(named, roles) if body]
    attachments = [StructuredAttachment(title=tidy(_fields(e).get("name")))
                   for e in _tables(item_el, "enclosure") if tidy(_fields(e).get("name"))]
    access = (f.get("accessname") or "").strip().lower()
    closed = access.startswith("lukket") or f.get("access", "").strip() in ("2", "3")
    absent = [tidy(x) for x in re.split(r"[,;\n]", (f.get("absent") or "") + "\n" + (f.get("excuse") or ""))
              if tidy(x)]
    # the parent's 'sort' is the printed number (715 in the first item of Syddjurs's PUK 20-06-2013, equal to
    # agendaData/startAgendaItemNo); without it, count on from startAgendaItemNo
    sort = _fields(parent).get("sort", "").strip()
    number = whole_number(sort)
    if number is None:
        number = start + position - 1 if start is not None else position
    return StructuredItem(number=as_number(str(number)), title=tidy(f.get("name")), case_number=tidy(f.get("caseno")) or None,
                          closed=closed, sections=sections, attachments=attachments, absent=absent, id=f.get("sysid"))


def acadre_meeting(root: etree._Element, manifest: etree._Element | None = None) -> StructuredMeeting:
    """The meeting of an Acadre agenda XML; `manifest` (its publication manifest) fills what the agenda XML
    leaves out and says whether the published document is the agenda or the minutes."""
    agenda = _table(root, "agenda")
    af = _fields(agenda)
    committee = _fields(_table(agenda, "committee"))
    meeting = _table(agenda, "meeting")
    mf = _fields(meeting)
    kind_name = (af.get("name") or "").strip().lower()
    kind = "minutes" if "referat" in kind_name else "agenda" if "dagsorden" in kind_name else None
    committee_name = tidy(committee.get("name")) or None
    date_raw = mf.get("date")
    if manifest is not None:
        man_committee = manifest_fields(_table(manifest, "committee"))
        man_meeting = manifest_fields(_table(manifest, "meeting"))
        if not committee_name and man_committee:
            committee_name = tidy(man_committee[0].get("name")) or None
        if not date_raw and man_meeting:
            date_raw = man_meeting[0].get("date")
        if kind is None:
            produced = [b for b in manifest_fields(_table(manifest, "producedAgenda")) if b.get("publish") == "1"]
            kind = "minutes" if any(b.get("type") == "2" for b in produced) else "agenda" if produced else None
    date, start = when(date_raw or "")
    participants = [_person(_fields(m).get("name", ""), _fields(m).get("absent", "").strip() == "1")
                    for m in _tables(_table(meeting, "meetmember"), "member") if tidy(_fields(m).get("name"))]
    data = child(root, "agendaData")
    start_no = tidy(child(data, "startAgendaItemNo").text if child(data, "startAgendaItemNo") is not None else "")
    items = []
    parents = [t for t in agenda.iter("table") if t.get("name") == "agendaitemparents"] if agenda is not None else []
    for position, parent in enumerate(parents, start=1):
        item = _item(parent, position, whole_number(start_no), date_raw, kind == "minutes")
        if item is not None:
            items.append(item)
    location = tidy(mf.get("location")) or tidy(re.sub(r"<br\s*/?>", ", ", mf.get("address") or "")) or None
    return StructuredMeeting(system="acadre-xml", committee=committee_name, date=date, start_time=start,
                             location=location, kind=kind, id=tidy(mf.get("sysid")) or None,
                             participants=participants, items=items)


def _agenda_sysid(root: etree._Element) -> str:
    if _is_manifest(root):
        blocks = manifest_fields(_table(root, "agenda"))
        return blocks[0].get("sysid", "") if blocks else ""
    return tidy(_fields(_table(root, "agenda")).get("sysid"))


def _neighbours(folders: list[Path], skip: Path) -> list[tuple[Path, etree._Element]]:
    """Small XML files in the given folders, parsed (bounded in number and size)."""
    out: list[tuple[Path, etree._Element]] = []
    for folder in folders:
        try:
            files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".xml" and p.is_file())
        except OSError:
            continue
        for p in files[:MAX_NEIGHBOURS]:
            if p.resolve() == skip.resolve() or p.stat().st_size > MAX_NEIGHBOUR_BYTES:
                continue
            try:
                out.append((p, parse_xml(p.read_bytes(), p)))
            except (OSError, SourceError):
                continue
    return out


def _is_manifest(root: etree._Element) -> bool:
    return root.tag == "root" and _table(root, "producedAgenda") is not None


def _is_agenda(root: etree._Element) -> bool:
    return root.tag == "root" and _table(root, "agenda") is not None and not _is_manifest(root)


def _subfolder(base: Path, name: str) -> Path | None:
    """The folder a manifest names beside itself ("Files_1863"), or None: the name is document text, so only
    one plain folder name counts (no path, no "..", not over a file name's length)."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name or len(name.encode()) > 255:
        return None
    try:
        folder = base / name
        return folder if folder.is_dir() else None
    except OSError:
        return None


def acadre_from_file(path: Path, root: etree._Element, system: str) -> StructuredMeeting:
    """An Acadre file as given: an agenda XML (with a manifest beside it, when there is one) or a manifest
    (read through the agenda XML it lists)."""
    if system == "acadre":
        sysid = _agenda_sysid(root)
        manifest = next((r for p, r in _neighbours([path.parent, path.parent.parent], path)
                         if _is_manifest(r) and sysid and _agenda_sysid(r) == sysid), None)
        return acadre_meeting(root, manifest)
    sysid = _agenda_sysid(root)
    produced = manifest_fields(_table(root, "producedAgenda"))
    # the published document first (publish=1), the minutes (type 2) before the agenda
    produced.sort(key=lambda b: (b.get("publish") != "1", b.get("type") != "2"))
    for block in produced:
        folder, name = _subfolder(path.parent, block.get("filesfolder", "")), block.get("xmlfilename", "")
        if folder is not None and name:
            for p in folder.iterdir():
                if p.name.lower() == name.lower():
                    return acadre_meeting(parse_xml(p.read_bytes(), p), root)
    for _, candidate in _neighbours([path.parent], path):
        if _is_agenda(candidate) and _agenda_sysid(candidate) == sysid:
            return acadre_meeting(candidate, root)
    listed = ", ".join("/".join(x for x in (b.get("filesfolder"), b.get("xmlfilename")) if x)
                       for b in produced if b.get("xmlfilename"))
    raise SourceError(path, f"an Acadre publication manifest for agenda {sysid or '?'}; the agenda XML it lists "
                            f"({listed or 'none'}) is not beside it: give that file instead, or put it next to "
                            "the manifest")

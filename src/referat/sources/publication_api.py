"""Meeting JSON of the common publication system (`GET https://HOST/api/agenda/dagsorden/<meeting id>`).

Most Danish municipalities publish agendas and minutes through one system at hosts like
dagsordener.<kommune>.dk; its API answers one meeting as JSON. This reader turns one response into a
`StructuredMeeting` (sources.record) and keeps the JSON text verbatim as the document's text. It reads
what the data shows, checked against 370 recorded responses of Greve Kommune (2022-2025), not what a
field's name promises:

- the meeting's id is the top-level `Id` (`Moede.Id` is all zeros there); its page for people is
  `https://HOST/vis?id=<Id>`, known only where the host is: given by the caller (harvest knows it) or
  named by the response's own links (`Felter[].Link`, `https://HOST/Vis/Pdf/...`); never guessed;
- date and start time are the meeting's local time in Denmark: `MeetingBeginUtc` carries its offset
  ("2022-01-10T07:45:00+01:00"; read as UTC where it has none), `Dato` the same instant;
- the meeting's `Navn` says "Dagsorden" whether or not decisions are printed: the parser decides minutes
  vs agenda from the printed decisions;
- each item's text is the HTML of its fields; in Greve one field with an empty name holds the whole item
  with its own headings (Beslutning, Fremstilling, then Sagsprocedure, Resume, Indstilling, … one level
  down, at h2, h3 or h4 depending on the meeting). Which heading elements are section headings is read
  from the item itself (see `_heading_test`): body text set in h4 is not a heading;
- `IsOpen` is false on every item, open or closed, so it says nothing there; it is used only where some
  item of the meeting is marked open. Closed items are marked by the title ("Lukket: …"), and their field
  holds the decision alone, under no heading (or "Beslutning ikke frigivet": no decision published);
- `ItemDecision` is null everywhere in Greve; where a response fills it, it is the item's decision;
- per-item absences are the attendee list (`ExternalAgendaItemAttendees`, reason "Fraværende"); the
  meeting-level `Absent` and `ParticipationCancelled` flags mark members absent from the whole meeting;
- attachments (`Bilag`) carry titles and ids but no links, so their URLs stay None.

A response whose meeting is a question/answer container (".Spørgsmål / Svar til Byrådet 2022-2025": one
item with the year's questions as attachments) is refused with NotMinutesError saying so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborHTMLParser, LexborNode

from referat import vocab
from referat.danish import printed_number
from referat.errors import NotMinutesError, SourceError
from referat.sources.html import html_sections, html_to_text, node_text
from referat.sources.record import (StructuredAttachment, StructuredItem, StructuredMeeting, StructuredParticipant,
                                    StructuredSection)
from referat.sources.text import SourceText, decode
from referat.urls import split_url

__all__ = ["FORMAT", "SYSTEM", "meeting_from_json", "meeting_url", "pdf_path", "read_publication_json"]

SYSTEM = "publication-api"
FORMAT = "publication-api"
DENMARK = ZoneInfo("Europe/Copenhagen")
_SECTION = vocab.section_pattern()
_QUESTION_ANSWER = vocab.QUESTION_ANSWER.compile()
_WITHHELD = vocab.DECISION_WITHHELD.compile()
_ABSENT_REASON = vocab.ATTENDEE_ABSENT.compile()
# "Byråd 2022-2025": the council's name with its election period
_PERIOD_SUFFIX = re.compile(r"^(?P<name>.+?)\s+(?P<period>(?:19|20)\d{2}\s*[-–]\s*(?:19|20)\d{2})$")
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?)+$")
_SYSTEM_HEADING = vocab.PUBLICATION_HEADINGS.compile()
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_NOT_SECTION_PARENTS = frozenset({"li", "table", *_HEADING_TAGS})
_CLOSED_TITLE = vocab.CLOSED_TITLE.compile()
_ZERO_ID = re.compile(r"^[0\-]*$")
MAX_HEADING = 80  # a heading outside the vocabulary longer than this is body text set in a heading style
_NOT_HEADING_END = ".,:;!?"


def meeting_url(host: str | None, meeting_id: str | None) -> str | None:
    """The meeting's page for people, `https://HOST/vis?id=<id>`, where both are known."""
    if not host or not meeting_id:
        return None
    return f"https://{host}/vis?id={quote(meeting_id, safe='')}"  # the id is document text


def pdf_path(kind: str, object_id: str) -> str:
    """The system's path to the PDF of a meeting ("dagsorden"), an item ("dagsordenpunkt") or an attachment
    ("bilag"); the id is document text, quoted."""
    return f"/vis/pdf/{kind}/{quote(object_id, safe='')}?redirectDirectlyToPdf=true"


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _get(obj: Mapping[str, Any], *keys: str) -> Any:
    """The first of several spellings the API uses for one value (Punktnummer/Number, Navn/Caption)."""
    for k in keys:
        v = obj.get(k)
        if v not in (None, ""):
            return v
    return None


def _local_start(moede: Mapping[str, Any]) -> tuple[dt.date | None, str | None]:
    """Date and start time in Danish local time. `MeetingBeginUtc` first: with an offset it is converted;
    without one it is UTC, as its name says. `Dato` without an offset is local time already."""
    for key, naive_zone in (("MeetingBeginUtc", dt.timezone.utc), ("Dato", DENMARK)):
        raw = moede.get(key)
        if not isinstance(raw, str) or not raw.strip():
            continue
        try:
            when = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=naive_zone)
        local = when.astimezone(DENMARK)
        return local.date(), local.strftime("%H:%M")
    return None, None


def _number(value: Any) -> int | str:
    text = _text(str(value)) if value is not None else ""
    return printed_number(text)


def _known(text: str) -> bool:
    return bool(_SECTION.match(text) or _SYSTEM_HEADING.match(text)) and ":" not in text


def _after_heading(node: LexborNode) -> bool:
    """Directly after another heading element, nothing between: the body of that section set in a heading
    style ("Sagsprocedure" then "Skole-, Børne- og Ungeudvalget, Økonomiudvalget og Byrådet" in h4)."""
    prev = node.prev
    while prev is not None and prev.tag == "-text" and not (prev.text(deep=False) or "").strip():
        prev = prev.prev
    return prev is not None and prev.tag in _HEADING_TAGS and bool(node_text(prev))


def _heading_test(html: str) -> Callable[[LexborNode], bool]:
    """Which heading elements of one item's HTML open a section. The item's own known section headings
    (Beslutning, Resume, Indstilling, … from the vocabulary, and this system's Fremstilling and
    Sagsprocedure) show the levels its sections use; another heading at one of those levels counts when it
    reads as a heading (short, opening with a capital letter, no comma, no closing punctuation, not right
    under another heading: "Lovhjemmel", "Valgperiode"). Anything else set in a heading element is body
    text (Greve sets whole paragraphs, list points and table cells in h4)."""
    levels: set[str] = set()

    def accept(node: LexborNode) -> bool:
        text = node_text(node)
        if not text or _inside(node, _NOT_SECTION_PARENTS):
            return False
        if _known(text):
            return True
        return (node.tag in levels and len(text) <= MAX_HEADING and text[:1].isupper() and "," not in text
                and text[-1] not in _NOT_HEADING_END and not _after_heading(node))

    for node in LexborHTMLParser(html).css(", ".join(sorted(_HEADING_TAGS))):
        if _known(node_text(node)) and not _inside(node, _NOT_SECTION_PARENTS):
            levels.add(node.tag)
    return accept


def _inside(node: LexborNode, tags: frozenset[str]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.parent
    return False


def _field_sections(field: Mapping[str, Any]) -> list[StructuredSection]:
    """One field (`Felter[]`): its HTML cut at its headings; a named field's name heads its first part."""
    name = _text(field.get("Navn"))
    html = field.get("Html")
    if isinstance(html, str) and html.strip():
        parts = html_sections(html, _heading_test(html))
    elif isinstance(field.get("Tekst"), str) and field["Tekst"].strip():
        parts = [(None, [ln.strip() for ln in field["Tekst"].splitlines()])]
    else:
        parts = []
    out = [StructuredSection(heading=heading or "", text="\n".join(lines)) for heading, lines in parts]
    if name:
        if out and not out[0].heading:
            out[0].heading = name
        else:
            out.insert(0, StructuredSection(heading=name, text=""))
    return out


def _decision_field(value: Any) -> str | None:
    """`ItemDecision` where a response fills it: text, HTML, or an object holding either."""
    if isinstance(value, Mapping):
        value = _get(value, "Html", "Tekst", "Text", "Beslutning", "Decision")
    if not isinstance(value, str) or not value.strip():
        return None
    return html_to_text(value).strip() if "<" in value else value.strip()


def _is_decision_heading(heading: str) -> bool:
    m = _SECTION.match(heading)
    return bool(m and m.group("role_decision"))


def _lead_decision(title: str, sections: list[StructuredSection]) -> list[StructuredSection]:
    """The decision where the item prints it under no heading. Two layouts of this system do: a closed item's
    field holds its decision alone, with no heading at all; and some meetings (Greve, 9 January 2023) open
    each item with its title repeated on a line of its own, then the decision, then the headed sections.
    The repeated title is dropped (it is the item's title); "Beslutning ikke frigivet" says no decision is
    published and stays text. Where a Beslutning heading is printed, nothing here applies."""
    if not sections or sections[0].heading or any(_is_decision_heading(s.heading) for s in sections):
        return sections
    lead, rest = sections[0], sections[1:]
    lines = lead.text.split("\n")
    closed = _CLOSED_TITLE.match(title)
    bare = closed.group("title") if closed else title
    if lines and " ".join(lines[0].split()).casefold() in (title.casefold(), bare.casefold()):
        text = "\n".join(lines[1:]).strip("\n")
        if not text:
            return rest
        lead = StructuredSection(heading="", text=text)
    elif rest or not closed:
        return sections
    if not _WITHHELD.match(" ".join(lead.text.split())):
        lead.role = "decision"
    return [lead, *rest]


def committee_period(name: str) -> tuple[str | None, str | None]:
    """("Byråd", "2022-2025") from the system's committee name "Byråd 2022-2025"; (name, None) without one."""
    if m := _PERIOD_SUFFIX.match(name):
        return m.group("name"), re.sub(r"\s*[-–]\s*", "-", m.group("period"))
    return name or None, None


def item_sections(title: str, html: str) -> list[StructuredSection]:
    """An item's own HTML (what the API gives in `Felter[].Html`, and the meeting page shows in the item's
    row) as its sections, read the same way wherever it comes from (sources.publication_page uses it)."""
    return _lead_decision(title, _field_sections({"Html": html}))


def _list(obj: Mapping[str, Any], key: str) -> list[Any]:
    """A list field, or nothing: the data is untrusted, and `"Bilag": 1` must not stop the reader."""
    value = obj.get(key)
    return value if isinstance(value, list) else []


def _item(obj: Mapping[str, Any], open_marked: bool) -> StructuredItem:
    title = _text(_get(obj, "Navn", "Caption"))
    fields = [f for f in _list(obj, "Felter") if isinstance(f, Mapping)]
    sections = _lead_decision(title, [s for f in fields for s in _field_sections(f)])
    attendees = [a for a in _list(obj, "ExternalAgendaItemAttendees") if isinstance(a, Mapping)]
    absent = [_text(a.get("Name")) for a in attendees
              if _text(a.get("Name")) and _ABSENT_REASON.match(_text(a.get("Reason")))]
    attachments = [StructuredAttachment(title=_text(_get(b, "Navn", "Name", "Title")),
                                        url=_get(b, "Link", "Url"), id=_text(b.get("Id")) or None)
                   for b in _list(obj, "Bilag")
                   if isinstance(b, Mapping) and _text(_get(b, "Navn", "Name", "Title"))]
    links = [f.get("Link") for f in fields if isinstance(f.get("Link"), str) and f.get("Link")]
    is_open = obj.get("IsOpen")
    return StructuredItem(
        number=_number(_get(obj, "Punktnummer", "Number")), title=title,
        case_number=_text(_get(obj, "SagsNummer", "CaseNumber")) or None,
        closed=(not is_open) if open_marked and isinstance(is_open, bool) else None,
        sections=sections, decision=_decision_field(obj.get("ItemDecision")), attachments=attachments,
        absent=list(dict.fromkeys(absent)), url=links[0] if links else None, id=_text(obj.get("Id")) or None)


def _host_from_links(items: list[Mapping[str, Any]]) -> str | None:
    """The system's host, where the response's own links name one (all of them the same)."""
    hosts = set()
    for it in items:
        for f in _list(it, "Felter"):
            link = f.get("Link") if isinstance(f, Mapping) else None
            if isinstance(link, str) and link:
                parts = split_url(link)
                if parts is not None and parts.scheme in ("http", "https") and parts.path.lower().startswith("/vis/"):
                    hosts.add((parts.hostname or "").lower())
    return hosts.pop() if len(hosts) == 1 else None


def _refuse_question_answer(path: str | Path | None, committee: str, items: list[Mapping[str, Any]]) -> None:
    titles = [_text(_get(it, "Navn", "Caption")) for it in items]
    if _QUESTION_ANSWER.search(committee) or (titles and all(_QUESTION_ANSWER.search(t) for t in titles)):
        files = sum(len(_list(it, "Bilag")) for it in items)
        raise NotMinutesError(path, f"a question/answer container of the publication system ('{committee}': "
                                    f"{len(items)} item(s) holding {files} attachments: members' questions and the "
                                    "administration's answers)")


HOSTS_FILE = Path(__file__).resolve().parents[1] / "data" / "hosts.tsv"
_HOST_NAME = re.compile(r"^dagsorde?n(?:e?r)?\.(?P<slug>[a-z0-9\-]+)\.dk$")


@lru_cache(maxsize=1)
def _known_hosts() -> dict[str, str]:
    """host -> municipality, from the hosts file that `referat harvest --all` reads."""
    out: dict[str, str] = {}
    for line in HOSTS_FILE.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if not line.startswith("#") and len(cells) >= 2 and cells[0] != "municipality":
            out[cells[1].strip().lower()] = cells[0].strip()
    return out


def municipality_of_host(host: str | None) -> str | None:
    """The municipality a publication host belongs to: "dagsordener.greve.dk" -> "Greve". From the hosts file,
    else the host's own name where it spells the municipality unambiguously (not "koege": Køge or Koege?)."""
    if not host:
        return None
    known = _known_hosts().get(host)
    if known:
        return known
    m = _HOST_NAME.match(host)
    if not m or re.search(r"ae|oe|aa", m.group("slug")):
        return None
    return "-".join(part.capitalize() for part in m.group("slug").split("-"))


def meeting_from_json(obj: Any, path: str | Path | None = None, *, host: str | None = None,
                      municipality: str | None = None) -> StructuredMeeting:
    """One decoded meeting response -> StructuredMeeting. `host` (the API's host, as harvest knows it) gives
    the meeting page URL; without it the response's own links may name the host."""
    if not isinstance(obj, Mapping) or not isinstance(obj.get("Dagsordenpunkter", []), list):
        raise SourceError(path or "<json>", "JSON, but not a meeting of the publication API "
                                            "(no 'Dagsordenpunkter' list of items)")
    moede = obj.get("Moede") if isinstance(obj.get("Moede"), Mapping) else {}
    udvalg = obj.get("Udvalg") if isinstance(obj.get("Udvalg"), Mapping) else {}
    items = [it for it in _list(obj, "Dagsordenpunkter") if isinstance(it, Mapping)]
    if not moede and not items:
        if "Udvalg" in obj:
            raise SourceError(path or "<json>", "the publication API's committee list (api/agenda/udvalgsliste), "
                                                "not a meeting: `referat harvest` reads it")
        raise SourceError(path or "<json>", "JSON, but not a meeting of the publication API (no 'Moede', no items)")
    name = _text(udvalg.get("Navn"))
    _refuse_question_answer(path, name, items)
    committee, period = name or None, None
    if m := _PERIOD_SUFFIX.match(name):
        committee, period = m.group("name"), re.sub(r"\s*[-–]\s*", "-", m.group("period"))
    meeting_id = next((i for i in (_text(obj.get("Id")), _text(moede.get("Id"))) if i and not _ZERO_ID.match(i)),
                      None)
    if host is not None:
        host = host.strip().lower().removeprefix("https://").removeprefix("http://").strip("/")
        if not _HOST.match(host):
            raise SourceError(path or "<json>", f"'{host}' is not a host name (such as dagsordener.greve.dk)")
    host = host or _host_from_links(items)
    date, start = _local_start(moede)
    participants = []
    for p in _list(moede, "Moededeltagere"):
        if not isinstance(p, Mapping) or not _text(p.get("Name")):
            continue
        note = "Afbud" if p.get("ParticipationCancelled") is True else "Fraværende" if p.get("Absent") is True else None
        participants.append(StructuredParticipant(name=_text(p.get("Name")), absent=note is not None, note=note))
    open_marked = any(it.get("IsOpen") is True for it in items)
    ordered = sorted(enumerate(items), key=lambda p: (p[1].get("Sorting") if isinstance(p[1].get("Sorting"), int)
                                                      else p[0], p[0]))
    return StructuredMeeting(
        system=SYSTEM, committee=committee, date=date, start_time=start, location=_text(moede.get("Sted")) or None,
        id=meeting_id, url=meeting_url(host, meeting_id), host=host,
        municipality=municipality or municipality_of_host(host),
        election_period=period,
        supplementary=obj.get("TillaegsDagsorden") is True or moede.get("IsSupplementaryAgenda") is True,
        participants=participants, items=[_item(it, open_marked) for _, it in ordered])


def read_publication_json(path: str | Path, data: bytes, *, host: str | None = None,
                          municipality: str | None = None) -> SourceText:
    """A meeting response's bytes -> SourceText with the JSON text verbatim and the meeting as `record`.
    SourceError for JSON that is no meeting of this API, NotMinutesError for a question/answer container."""
    text, encoding = decode(data, str(path))
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SourceError(path, f"looks like the publication API's meeting JSON but does not parse: {exc}") from exc
    record = meeting_from_json(obj, path, host=host, municipality=municipality)
    return SourceText(path=str(path), text=text, encoding=encoding, size=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), format=FORMAT, record=record)

"""The common publication system's meeting page (`https://HOST/vis?id=<meeting id>`), read from its DOM.

Most Danish municipalities publish through one system (dagsordener.<kommune>.dk). Its meeting page is
filled in by script; a page saved after rendering holds the meeting in fixed places, the same ones public
scrapers of the system read: `h1.dato` ("Referat"/"Dagsorden"), `.title .udvalg` (committee), `.title
.sted` (place), `table.dagsordeninfo .dato` (date and time), `#hentHeledagsorden[data-id]` (the meeting
id), and one row `#dagsordenDetaljer tr.punktrow` per item (id `punktrow_<item id>`) with the number in
`.punkt-col .label`, the title in `.overskrift`, the case number in `.details .sagsnummer`, attachments
as `a.bilag-link`, and the item's own HTML — its sections under their headings — in `.details`.
Flattened to text, such a page loses the item boundaries (the number sits in a cell of its own, the
title under it), so it is read from the DOM into a StructuredMeeting (system "publication-web"), which
`referat.parse.structured` turns into the record like the system's JSON.

Chosen by content: a page with the items table and its rows, whatever the file is called.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from selectolax.lexbor import LexborHTMLParser, LexborNode

from referat import vocab
from referat.danish import parse_date, parse_time, printed_number
from referat.sources.html import html_to_text
from referat.sources.publication_api import committee_period, item_sections
from referat.sources.record import (StructuredAttachment, StructuredItem, StructuredMeeting, StructuredParticipant,
                                    StructuredSection)
from referat.urls import join_url, split_url

SYSTEM = "publication-web"
# the items table by its id, or (a page saved by another tool, a later version of the page) item rows that
# carry the system's own row ids or class beside its title class
_SNIFF = re.compile(rb"""id\s*=\s*["']?dagsordenDetaljer\b.*?\bpunktrow\b|\bid\s*=\s*["']?punktrow_[0-9a-f\-]{8,}"""
                    rb"""|class\s*=\s*["'][^"']*\bpunktrow\b[^>]*>.*?\boverskrift\b""", re.IGNORECASE | re.DOTALL)
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(?P<url>\S+?)\s*-->", re.IGNORECASE)
_WS = re.compile(r"\s+")
_CASE_LABEL = vocab.CASE_LABEL.compile()
# the header's member and absence labels, as the text parser knows them (vocab.HEADER_FIELDS)
_MEMBERS = re.compile(r"^(?:" + "|".join(map(re.escape, vocab.HEADER_FIELDS["participants"])) + r")\b", re.IGNORECASE)
_AWAY = re.compile(r"^(?:" + "|".join(map(re.escape, vocab.HEADER_FIELDS["absent"])) + r")\b", re.IGNORECASE)
# parts of a row that are not the item's text: its own header fields and the interface around them
_ABSENT_REASON = vocab.ATTENDEE_ABSENT.compile()
_NOT_TEXT = ("span.sagsnummer", ".sagsnummer-linje", ".bilag", ".fravaer", ".dropdown", ".dropdown-menu",
             "button", "audio", ".glyphicon")


def is_publication_page(data: bytes) -> bool:
    """Whether a web page is this system's meeting page (its items table with item rows)."""
    return bool(_SNIFF.search(data[:2_000_000]))


def _text(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    text = _WS.sub(" ", node.text(deep=True, separator=" ")).strip()
    return text or None


def _first(root: LexborNode, *selectors: str) -> LexborNode | None:
    for sel in selectors:
        node = root.css_first(sel)
        if node is not None and _text(node):
            return node
    return None


def _page_url(html: str, tree: LexborHTMLParser) -> str | None:
    """Where the page says it comes from: a browser's "saved from" comment, the canonical link, og:url or
    <base>; only a meeting page address (with the meeting id) counts."""
    candidates = []
    m = _SAVED_FROM.search(html[:4096])
    if m:
        candidates.append(m.group("url"))
    for sel, attr in (('link[rel="canonical"]', "href"), ('meta[property="og:url"]', "content"), ("base", "href")):
        node = tree.css_first(sel)
        if node is not None and node.attributes.get(attr):
            candidates.append(node.attributes[attr] or "")
    for url in candidates:
        parsed = split_url(url)
        if parsed is not None and parsed.scheme in ("http", "https") and parsed.netloc and _GUID.search(parsed.query):
            return url
    return None


def _meeting_id(tree: LexborHTMLParser, url: str | None) -> str | None:
    button = tree.css_first("#hentHeledagsorden")
    if button is not None and _GUID.fullmatch((button.attributes.get("data-id") or "").strip()):
        return (button.attributes.get("data-id") or "").strip()
    if url:
        parsed = split_url(url)
        ids = (parse_qs(parsed.query).get("id") or []) if parsed is not None else []
        if ids and _GUID.fullmatch(ids[0]):
            return ids[0]
    return None


def _number(text: str | None) -> int | str | None:
    if not text:
        return None
    t = text.strip().rstrip(".")
    return printed_number(t)


def _names(cell: LexborNode) -> list[str]:
    """A cell's names, one per line (<br>, list items) or comma-separated."""
    names: list[str] = []
    for line in html_to_text(cell.html or "").splitlines():
        for part in line.split(","):
            part = part.strip(" -•")
            if part:
                names.append(part)
    return names


def _participants(tree: LexborHTMLParser) -> list[StructuredParticipant]:
    people: list[StructuredParticipant] = []
    for row in tree.css("table.dagsordeninfo tr"):
        cells = [c for c in row.iter() if c.tag in ("td", "th")]
        if len(cells) < 2:
            continue
        label = _text(cells[0]) or ""
        if _MEMBERS.match(label):
            people.extend(StructuredParticipant(name=n) for n in _names(cells[1]))
        elif _AWAY.match(label):
            note = label.rstrip(": ")
            for name in _names(cells[1]):
                known = next((p for p in people if p.name == name), None)
                if known is not None:
                    known.absent, known.note = True, note
                else:
                    people.append(StructuredParticipant(name=name, absent=True, note=note))
    return people


def _hostname(url: str | None) -> str | None:
    parsed = split_url(url) if url else None
    return parsed.hostname if parsed is not None else None


def _absolute(href: str, url: str | None) -> str | None:
    if not href or href.startswith(("#", "javascript:")):
        return None
    parsed = split_url(href)
    if parsed is None:
        return None
    if parsed.scheme in ("http", "https"):
        return href
    return join_url(url, href) if url else None


def _item(row: LexborNode, url: str | None) -> StructuredItem | None:
    title = _text(row.css_first(".overskrift"))
    number = _number(_text(_first(row, ".punkt-col .label", ".punkt-tabel .label")))
    if title is None or number is None:
        return None
    rid = row.attributes.get("id") or ""
    item_id = rid[len("punktrow_"):] if rid.startswith("punktrow_") else None
    if not item_id:
        copy = row.css_first('[data-type="kopier_punkt"]')
        item_id = (copy.attributes.get("data-id") if copy is not None else None) or None
    case = _text(row.css_first(".details .sagsnummer"))
    attachments = [StructuredAttachment(title=t, url=_absolute(a.attributes.get("href") or "", url))
                   for a in row.css("a.bilag-link") if (t := _text(a))]
    absent = []
    for entry in row.css(".fravaer li"):
        name, reason = _text(entry.css_first(".navn")), _text(entry.css_first(".aarsag"))
        if name and (reason is None or _ABSENT_REASON.match(reason)):
            absent.append(name)
    details = row.css_first(".details")
    sections: list[StructuredSection] = []
    if details is not None:
        body = LexborHTMLParser(details.html or "").body
        if body is not None:
            for sel in _NOT_TEXT:
                for node in body.css(sel):
                    node.decompose()
            content = body.css_first(".punkt-indhold") or body
            sections = item_sections(title, content.html or "")
    return StructuredItem(number=number, title=title, case_number=_CASE_LABEL.sub("", case) if case else None,
                          sections=sections, attachments=attachments, absent=absent, id=item_id)


def read_publication_page(html: str) -> StructuredMeeting:
    """The meeting on a saved meeting page of the common publication system."""
    tree = LexborHTMLParser(html)
    url = _page_url(html, tree)
    when = _text(tree.css_first("table.dagsordeninfo .dato"))
    title = (_text(tree.css_first("h1.dato")) or "").lower()
    meeting_id = _meeting_id(tree, url)
    rows = tree.css("#dagsordenDetaljer tr.punktrow") or tree.css(".punktrow") or tree.css('[id^="punktrow_"]')
    items = [it for row in rows if (it := _item(row, url)) is not None]
    committee, period = committee_period(_text(_first(tree.root, ".title .udvalg", "table.dagsordeninfo .udvalg")) or "")
    return StructuredMeeting(
        system=SYSTEM,
        committee=committee,
        election_period=period,
        date=parse_date(when) if when else None,
        start_time=parse_time(when) if when else None,
        location=_text(_first(tree.root, ".title .sted", "table.dagsordeninfo .sted")),
        kind="minutes" if "referat" in title else None,
        id=meeting_id,
        url=url if url else None,
        host=_hostname(url),
        supplementary=tree.css_first(".tillaeg") is not None or "tillæg" in title,
        participants=_participants(tree),
        items=items,
    )

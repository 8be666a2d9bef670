"""eDoc 4's agenda web page (Fujitsu's XSLT layout), read from its DOM into a StructuredMeeting.

eDoc publishes each agenda as an HTML page generated from its agenda XML (sources/edoc_xml.py reads that
XML). The page's structure is plain and stable, so it is read from the DOM rather than from flattened text:

    div.xsltAgendaTitle        "Dagsorden" / "Referat", <br>, the committee
    div.xsltDateAndLocation    "2. maj 2017 kl. 10:00", <br>, "Mødested: Mødelokale 1, Midtpunkt"
    table.xsltListOfContent*   the table of contents (open items, then "Lukket dagsorden")
    table.xsltTitleTableBegin  one per item: div.xsltTitle "3." and td.xsltTitleText the title
    table.xsltTitleTableEnd    "Sagsnr.: 2013-003869", "Sagsbehandler: …", "Åben" / "Lukket"
    div.xsltHeader + div       a section: "Præsentation:" and its HTML; "Bilag:" and a.xsltAttachment links

Everything else on the page (logo, the contents list, "Åbne sager"/"Lukkede sager" group headers) is page
furniture. The page's readable text is kept as the source text (sources/html.py).
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from referat.danish import parse_date, parse_time
from referat.sources.record import StructuredAttachment, StructuredItem, StructuredMeeting, StructuredSection
from referat.sources.xmlread import as_number, content_text, tidy

__all__ = ["edoc_page_meeting", "is_edoc_page"]

_MARKERS = ("xsltTitleTableBegin", "xsltAgendaTitle")
_CASE = re.compile(r"^sagsnr\.?:\s*(?P<case>.*)$", re.IGNORECASE)
_PLACE = re.compile(r"^mødested:\s*(?P<place>.+)$", re.IGNORECASE)


def is_edoc_page(html: str) -> bool:
    """True for a page in eDoc 4's agenda layout (its XSLT class names)."""
    head = html[:200_000]
    return all(m in head for m in _MARKERS)


def _classes(node: LexborNode) -> set[str]:
    return set((node.attributes.get("class") or "").split())


def _lines(node: LexborNode | None) -> list[str]:
    if node is None:
        return []
    return [t for t in (tidy(x) for x in node.text(deep=True, separator="\n").split("\n")) if t]


def _header(tree: LexborHTMLParser) -> tuple[str | None, str | None, object, str | None, str | None]:
    """(kind, committee, date, start time, place) from the page's title block."""
    title = _lines(tree.css_first(".xsltAgendaTitle"))
    kind = None
    if title and title[0].lower() in ("dagsorden", "referat"):
        kind = "agenda" if title[0].lower() == "dagsorden" else "minutes"
        title = title[1:]
    committee = " ".join(title) or None
    date = start = place = None
    for line in _lines(tree.css_first(".xsltDateAndLocation")):
        m = _PLACE.match(line)
        if m:
            place = m.group("place").strip()
        elif date is None:
            date, start = parse_date(line), parse_time(line)
    return kind, committee, date, start, place


def _new_item(table: LexborNode) -> StructuredItem:
    number_node = table.css_first(".xsltTitle")
    anchor = table.css_first("a[name]")
    title_node = table.css_first(".xsltTitleText")
    number = tidy(number_node.text(deep=True)) if number_node is not None else ""
    return StructuredItem(number=as_number(number), title=" ".join(_lines(title_node)),
                          id=anchor.attributes.get("name") if anchor is not None else None)


def _subtitle(table: LexborNode, item: StructuredItem) -> None:
    for cell in table.css(".xsltSubTitle"):
        value = tidy(cell.text(deep=True))
        m = _CASE.match(value)
        if m:
            item.case_number = m.group("case").strip() or None
        elif value.lower() in ("åben", "lukket"):
            item.closed = value.lower() == "lukket"


def edoc_page_meeting(html: str) -> StructuredMeeting | None:
    """The meeting on an eDoc 4 agenda page; None when the page is not in that layout."""
    tree = LexborHTMLParser(html)
    first = tree.css_first("table.xsltTitleTableBegin")
    if first is None or first.parent is None:
        return None
    kind, committee, date, start, place = _header(tree)
    items: list[StructuredItem] = []
    item: StructuredItem | None = None
    heading: str | None = None
    for node in first.parent.iter():
        cls = _classes(node)
        if "xsltTitleTableBegin" in cls:
            item, heading = _new_item(node), None
            items.append(item)
        elif item is None:
            continue
        elif "xsltTitleTableEnd" in cls:
            _subtitle(node, item)
        elif "xsltHeader" in cls:
            heading = tidy(node.text(deep=True)).rstrip(":").strip()
        elif "xsltItemsHeader" in cls:
            heading = None  # "Åbne sager" / "Lukkede sager": group headers between items
        elif node.tag == "div" and heading is not None:
            links = node.css("a.xsltAttachment")
            if links:
                item.attachments.extend(StructuredAttachment(title=tidy(a.text(deep=True)),
                                                             url=a.attributes.get("href") or None)
                                        for a in links if tidy(a.text(deep=True)))
                continue
            body = content_text(node.html or "")
            if body:
                item.sections.append(StructuredSection(heading=heading, text=body))
    return StructuredMeeting(system="edoc-web", committee=committee, date=date, start_time=start, location=place,
                             kind=kind, items=items)

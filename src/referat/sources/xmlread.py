"""Shared helpers of the ESDH XML readers: a lenient, safe XML parse and the small value parsers.

The case-management systems' exports are not always well-formed: Ballerup's eDoc export carries a form
feed as a numeric character reference (`&#xC;`), which XML 1.0 forbids, so a strict parser stops at the
first page break. lxml's recover mode keeps reading past such a reference; entities are never resolved
and nothing is fetched from the network (document text is untrusted).
"""

from __future__ import annotations

import datetime as dt
import re

from pathlib import Path

from lxml import etree

from referat.danish import printed_number
from referat.errors import SourceError
from referat.sources.html import html_to_text

_WS = re.compile(r"[ \t\u00a0]+")
# "25-09-2012 15:30:00" (SBSYS, eDoc), "02-05-2017 10:00" (eDoc 4), "2013-06-20 10:30" (Acadre)
_DMY = re.compile(r"^\s*(\d{1,2})[-./](\d{1,2})[-./](\d{4})(?:[ T]+(\d{1,2})[:.](\d{2})(?::\d{2})?)?")
_YMD = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T]+(\d{1,2}):(\d{2})(?::\d{2})?)?")
_TAG = re.compile(r"<[a-zA-Z/!]")


def parse_xml(data: bytes, path: str | Path) -> etree._Element:
    """The root element, read leniently (recover mode) and safely (no entities, no network, no DTD)."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_blank_text=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:  # recover mode raises only when nothing at all can be read
        raise SourceError(path, f"not readable as XML: {exc}") from exc
    if root is None:
        raise SourceError(path, "not readable as XML: no root element")
    return root


def local(tag: object) -> str:
    """An element's name without its namespace ('{http://www.fujitsu.dk/…}Name' -> 'Name')."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def child(el: etree._Element | None, *names: str) -> etree._Element | None:
    """The first descendant along a path of local names (namespaces ignored)."""
    for name in names:
        if el is None:
            return None
        el = next((c for c in el if local(c.tag) == name), None)
    return el


def children(el: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if el is None else [c for c in el if local(c.tag) == name]


def text(el: etree._Element | None, *names: str) -> str:
    """The text under a path of local names, whitespace tidied ('' when absent)."""
    node = child(el, *names) if names else el
    if node is None:
        return ""
    return tidy("".join(node.itertext()))


def raw(el: etree._Element | None, *names: str) -> str:
    """The text under a path as stored (CDATA with its markup, line breaks kept)."""
    node = child(el, *names) if names else el
    return "" if node is None else "".join(node.itertext())


def tidy(s: str | None) -> str:
    return _WS.sub(" ", (s or "").replace("\x0c", " ")).strip()


def when(s: str) -> tuple[dt.date | None, str | None]:
    """(date, 'HH:MM') from the systems' date-time stamps; (None, None) when it is none of them."""
    m = _DMY.match(s or "")
    if m:
        day, month, year, hour, minute = m.groups()
    else:
        m = _YMD.match(s or "")
        if not m:
            return None, None
        year, month, day, hour, minute = m.groups()
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        return None, None
    if date.year < 1900:  # "01-01-0001 00:00": the systems' empty date
        return None, None
    clock = f"{int(hour):02d}:{minute}" if hour is not None else None
    return date, clock


def content_text(content: str) -> str:
    """A field's content as text lines: HTML through the web-page reader, plain text tidied line by line."""
    if not content or not content.strip():
        return ""
    if _TAG.search(content):
        out = html_to_text(content).strip()
    else:
        out = "\n".join(tidy(line) for line in content.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    lines = [ln.rstrip() for ln in out.split("\n")]
    # collapse runs of blank lines (SBSYS pads every field with an empty &nbsp; paragraph)
    kept: list[str] = []
    for ln in lines:
        if not ln.strip() and (not kept or not kept[-1].strip()):
            continue
        kept.append(ln)
    return "\n".join(kept).strip()


def as_number(s: str) -> int | str:
    """An item number as printed: an int where it is one ('3'), else the string ('1.1', '38a')."""
    s = s.strip().rstrip(".")
    return printed_number(s)


def truthy(s: str) -> bool | None:
    """'True'/'true'/'1' -> True, 'False'/'false'/'0' -> False, anything else None."""
    v = s.strip().lower()
    if v in ("true", "1", "ja", "yes"):
        return True
    if v in ("false", "0", "nej", "no"):
        return False
    return None

"""Find the document's structure: table of contents, item headings, item blocks and sections.

Stages here only locate things; field values are read later by the extractors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from referat import vocab
from referat.normalize import Line
from referat.parse.text import comparable, squash

_SECTION = vocab.section_pattern()
_SECTION_FIRST = vocab.section_first_words()
_TOC_HEADING = vocab.TOC_HEADING.compile()
_ITEM_STRONG = vocab.compiled(vocab.ITEM_HEADINGS_STRONG)
_ITEM_WEAK = vocab.compiled(vocab.ITEM_HEADINGS_WEAK, 0)  # case matters: "3. at …" is a point
_CASE_LABEL = vocab.CASE_LABEL.compile()
_CLOSED_WHOLE = vocab.CLOSED_WHOLE.compile()
_OPEN_WHOLE = vocab.OPEN_WHOLE.compile()
_ITEM_GROUP = vocab.ITEM_GROUP.compile()


def _is_status_line(text: str) -> bool:
    """A line that is about the item, not of it: a group heading ("A. Sager til afgørelse i byrådet")
    or the open/closed status printed under the heading ("Åben sag", "Lukket sag")."""
    t = text.strip()
    return bool(_ITEM_GROUP.match(t) or _OPEN_WHOLE.match(t) or _CLOSED_WHOLE.match(t))
_TOC_ENTRY = re.compile(r"^(?P<title>.*?\S)(?:\s*\.{2,}[\s.]*|\t+\s*|\s{3,})(?P<page>\d{1,4})$")
# a case number at the end of a heading: "1. Godkendelse af dagsorden (2022-0012345)", "… Sagsnr. 23/812"
_TRAILING_CASE = re.compile(r"\s*[(\[]?\s*(?:" + vocab.CASE_LABEL.pattern.lstrip("^") + r")?(?P<case>"
                            + vocab.CASE_NUMBER.pattern + r")\s*[)\]]?\s*$", re.IGNORECASE)
MAX_TITLE_CONTINUATION = 3
# cheap precheck before the case-number regexes (a hot path: every line is tested)
_HAS_DIGIT_PAIR = re.compile(r"\d\d")
_SUBPOINT = re.compile(r"^\s*\d{1,3}\)")


@dataclass(slots=True)
class Heading:
    """An item heading found in the text."""

    index: int  # position in the line list
    number: int
    title: str
    strong: bool


@dataclass(slots=True)
class RawSection:
    """A section of an item as printed: heading line, role from the vocabulary, and its lines."""

    heading: str
    role: str | None
    lines: list[Line] = field(default_factory=list)
    no: int | None = None
    body: str | None = None  # "Beslutning i Økonomiudvalget den …": the deciding body


@dataclass(slots=True)
class RawItem:
    """One item block: heading, title, case number and sections, before field extraction."""

    number: int | str  # as printed: a structured source may give "1.1" or "38a"
    title: str
    no: int
    case_number: str | None
    sections: list[RawSection]
    title_lines: list[Line]
    case_line: Line | None
    closed_line: Line | None = None  # "Lukket punkt" printed on its own line under the title


def section_role(text: str) -> tuple[str, str | None, str | None] | None:
    """(role, body, inline text) when the line is a section heading, else None."""
    t = text.strip()
    if len(t) > 120 or not t[:1].isalpha():
        return None
    if "" not in _SECTION_FIRST and not t[:24].lower().startswith(_SECTION_FIRST):
        return None
    m = _SECTION.match(t)
    if not m:
        return None
    inline = m.group("inline")
    role = next(k[5:] for k, v in m.groupdict().items() if k.startswith("role_") and v)
    body = m.groupdict().get("body")
    return role, (squash(body) if body else None), inline


def case_number_in(text: str) -> str | None:
    """The case number on a case-number line ("21-7-85.10.00-P07", "Sagsnr.: 23/08812"), else None."""
    if not _HAS_DIGIT_PAIR.search(text[:60]):
        return None
    t = _CASE_LABEL.sub("", text.strip(), count=1)
    m = vocab.CASE_NUMBER.match(t)
    return m.group(0) if m else None


def is_toc_entry(text: str) -> bool:
    t = text.strip()
    return t[-1:].isdigit() and bool(_TOC_ENTRY.match(t))


def toc_entry(text: str) -> tuple[str, int | None]:
    """("Beskæftigelsesplan 2022", 6) from "Beskæftigelsesplan 2022.....\t6"."""
    m = _TOC_ENTRY.match(text.strip())
    if not m:
        return squash(text), None
    return squash(m.group("title")).rstrip(". ").strip(), int(m.group("page"))


def contents_entry(text: str) -> tuple[str, int | None]:
    """A contents line's item title and page: "Punkt 3: Budget ..... 7" and "38 Budget\t7" -> ("Budget", …);
    the number in front is the item's, not part of its title."""
    title, page = toc_entry(text)
    h = _match_heading(title)
    if h and h[2] and h[1]:
        title = h[1]
    return vocab.TOC_NUMBER.sub("", title), page


def _match_heading(text: str) -> tuple[int, str, bool] | None:
    t = text.strip()
    if len(t) > 400 or not (t[:1].isdigit() or t[:1] in vocab.ITEM_HEADING_FIRST):
        return None
    for pat in _ITEM_STRONG:
        m = pat.match(t)
        if m:
            return int(m.group("number")), squash(m.group("title")), True
    for pat in _ITEM_WEAK:
        m = pat.match(t)
        if m:
            return int(m.group("number")), squash(m.group("title")), False
    return None


def find_toc(lines: list[Line]) -> tuple[int, int] | None:
    """(start, end) line positions of the table of contents, heading included; None if absent."""
    start = None
    for i, ln in enumerate(lines):
        if _TOC_HEADING.match(ln.text.strip()):
            start = i
            break
        h = _match_heading(ln.text)
        if h and h[2]:
            return None  # an item came before any TOC heading
    if start is None:
        return None
    entries = [i for i in range(start + 1, len(lines)) if not lines[i].blank]
    if entries and vocab.TOC_HEADER_ROW.match(squash(lines[entries[0]].text)):
        entries = entries[1:]  # "Punkt  Titel  Side": the column header, not an entry
    if not entries:
        return start, start + 1
    with_pages = is_toc_entry(lines[entries[0]].text) or (
        len(entries) > 1 and is_toc_entry(lines[entries[1]].text) and entries[1] == entries[0] + 1)
    seen: set[str] = set()
    end = start + 1
    for pos, i in enumerate(entries):
        text = lines[i].text
        if with_pages:
            wrapped = pos + 1 < len(entries) and entries[pos + 1] == i + 1 and is_toc_entry(
                lines[i + 1].text) and not _match_heading(text)
            if not (is_toc_entry(text) or wrapped):
                break
        else:
            h = _match_heading(text)
            key = comparable(h[1] if h else text)
            if key in seen or section_role(text) or case_number_in(text):
                break
            seen.add(key)
        end = i + 1
    return start, end


def toc_titles(lines: list[Line], toc: tuple[int, int] | None) -> list[tuple[str, int | None, int]]:
    """TOC entries (title, page, source line); an entry wrapped over two lines is joined."""
    if toc is None:
        return []
    region = [ln for ln in lines[toc[0] + 1: toc[1]] if not ln.blank
              and not vocab.TOC_HEADER_ROW.match(squash(ln.text))]
    has_pages = any(is_toc_entry(ln.text) for ln in region)
    out: list[tuple[str, int | None, int]] = []
    pending: list[Line] = []
    for ln in region:
        if not has_pages:
            h = _match_heading(ln.text)
            out.append((h[1] if h else squash(ln.text), None, ln.no))
        elif is_toc_entry(ln.text):
            title, page = contents_entry(" ".join(x.text for x in [*pending, ln]))
            out.append((title, page, (pending or [ln])[0].no))
            pending = []
        else:
            pending.append(ln)
    if pending:
        out.append((squash(" ".join(x.text for x in pending)), None, pending[0].no))
    return out


def _confirmed(lines: list[Line], i: int, number: int, last: int, title: str, titles: set[str]) -> bool:
    """A weak heading ("12. Title") counts when its title is in the TOC, when a case number follows
    closely, or when it is printed as a heading or followed directly by a section heading and the number
    continues the sequence (a numbered list inside a case does not restart after the previous item's
    number)."""
    key = comparable(title)
    if key and any(key == t or (len(key) >= 12 and (t.startswith(key) or key.startswith(t)) and len(t) >= 12)
                   for t in titles):
        return True
    in_sequence = last < 0 or last < number <= last + 3
    # printed as a heading (markdown, or a bold line in a PDF); "2)" numbers sub-points, not items
    if lines[i].heading and in_sequence and not _SUBPOINT.match(lines[i].text):
        return True
    seen = 0
    for ln in lines[i + 1:]:
        if ln.blank:
            continue
        if case_number_in(ln.text):
            return True
        if section_role(ln.text):
            return seen == 0 and in_sequence
        seen += 1
        if seen >= 2 or _match_heading(ln.text):
            return False
    return False


def find_items(lines: list[Line], start: int, titles: set[str]) -> list[Heading]:
    """Item headings from position `start` on, in order, with increasing numbers."""
    found: list[Heading] = []
    last = -1
    for i in range(start, len(lines)):
        ln = lines[i]
        if ln.blank or is_toc_entry(ln.text):  # "Punkt 1: Title ..... 3": a contents line, not the item
            continue
        h = _match_heading(ln.text)
        if not h:
            continue
        number, title, strong = h
        if number <= last and not (strong and comparable(title) in titles):
            continue
        if not strong and not _confirmed(lines, i, number, last, title, titles):
            continue
        found.append(Heading(i, number, title, strong))
        last = number
    return found


def split_item(lines: list[Line], heading: Heading, end: int) -> RawItem:
    """One item block -> title (with wrapped lines), case number and sections."""
    title_lines = [lines[heading.index]]
    title = heading.title
    i = heading.index + 1
    if not title:  # "Punkt 1" alone, the title on the next line (after a blank line too)
        while i < end and lines[i].blank:
            i += 1
        if i < end and not (case_number_in(lines[i].text) or section_role(lines[i].text)
                            or _match_heading(lines[i].text)):
            title = squash(lines[i].text)
            title_lines.append(lines[i])
            i += 1
    while i < end and len(title_lines) <= MAX_TITLE_CONTINUATION:
        ln = lines[i]
        if ln.blank or case_number_in(ln.text) or section_role(ln.text) or _match_heading(ln.text) \
                or "\t" in ln.text or _is_status_line(ln.text):
            break
        title = squash(title + " " + ln.text)
        title_lines.append(ln)
        i += 1
    case_number = None
    case_line = None
    m = _TRAILING_CASE.search(title)
    if m and m.start() > 0:
        case_number = m.group("case")
        title = title[: m.start()].rstrip(" -–,")
    body_start = i
    if case_number is None:
        # the case number line comes within the first few non-blank lines, before any section
        seen = 0
        for j in range(i, end):
            if lines[j].blank:
                continue
            if section_role(lines[j].text):
                break
            found = case_number_in(lines[j].text)
            if found:
                case_number, case_line = found, lines[j]
                break
            seen += 1
            if seen >= 3:
                break
    marker = next((ln for ln in lines[body_start:min(end, body_start + 6)]
                   if not ln.blank and _CLOSED_WHOLE.match(ln.text.strip())), None)
    sections = _sections(lines[body_start:end], case_line, marker)
    return RawItem(heading.number, title, lines[heading.index].no, case_number, sections, title_lines, case_line,
                   closed_line=marker)


def _sections(lines: list[Line], case_line: Line | None, marker: Line | None = None) -> list[RawSection]:
    """Split item lines into sections at vocabulary headings; text before the first heading goes to a
    section with heading ''. A line holding only the case number is consumed, not repeated."""
    sections: list[RawSection] = []
    current = RawSection("", None)
    for ln in lines:
        if marker is not None and ln is marker:
            continue  # the closed marker is the item's `closed` flag
        if not ln.blank and (_ITEM_GROUP.match(ln.text.strip()) or _OPEN_WHOLE.match(ln.text.strip())):
            continue  # a group heading or the open status: not the item's text
        if case_line is not None and ln is case_line:
            rest = _CASE_LABEL.sub("", ln.text.strip(), count=1)
            rest = vocab.CASE_NUMBER.sub("", rest, count=1).strip(" ,;-–")
            if not rest:
                continue
        found = None if ln.blank else section_role(ln.text)
        if found:
            role, body, inline = found
            if current.heading or any(not x.blank for x in current.lines):
                sections.append(current)
            heading_text = ln.text.strip() if inline is None else ln.text.strip()[: -len(inline)].rstrip(" :")
            current = RawSection(heading_text, role, no=ln.no, body=body)
            if inline is not None:
                current.lines.append(Line(ln.no, inline))
            continue
        current.lines.append(ln)
    if current.heading or any(not x.blank for x in current.lines):
        sections.append(current)
    return sections

"""Find the document's structure: table of contents, item headings, item blocks and sections.

Stages here only locate things; field values are read later by the extractors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from referat import vocab
from referat.danish import printed_number
from referat.normalize import Line
from referat.parse.text import comparable, squash

_SECTION = vocab.section_pattern()
_SECTION_FIRST = vocab.section_first_words()
# the same words by their first three letters: one dict lookup and a few prefixes per line, not 90
_SECTION_BY_HEAD: dict[str, tuple[str, ...]] = {}
for _word in _SECTION_FIRST:
    _SECTION_BY_HEAD[_word[:3]] = (*_SECTION_BY_HEAD.get(_word[:3], ()), _word)
_SECTION_PRECHECK = min(map(len, _SECTION_FIRST)) >= 3  # else (a heading of one or two letters) no precheck
_TOC_HEADING = vocab.TOC_HEADING.compile()
_ITEM_STRONG = vocab.compiled(vocab.ITEM_HEADINGS_STRONG)
_ITEM_WEAK = vocab.compiled(vocab.ITEM_HEADINGS_WEAK, 0)  # case matters: "3. at …" is a point
_CASE_LABEL = vocab.CASE_LABEL.compile()
_CLOSED_WHOLE = vocab.CLOSED_WHOLE.compile()
_OPEN_WHOLE = vocab.OPEN_WHOLE.compile()
_ITEM_GROUP = vocab.ITEM_GROUP.compile()
# a line about the item, not of it: a group heading or the open status (one match per line, not two)
_GROUP_OR_OPEN = re.compile(f"(?:{vocab.ITEM_GROUP.pattern})|(?:{vocab.OPEN_WHOLE.pattern})", re.IGNORECASE)
_WITHHELD = vocab.DECISION_WITHHELD.compile()
_CAPS_HEADING = re.compile(vocab.CAPS_HEADING.pattern)  # case matters: only capitals
_VERDICT = [p for entries in vocab.VERDICTS.values() for p in vocab.compiled(entries)]


def _is_status_line(text: str) -> bool:
    """A line that is about the item, not of it: a group heading ("A. Sager til afgørelse i byrådet")
    or the open/closed status printed under the heading ("Åben sag", "Lukket sag")."""
    t = text.strip()
    return bool(_ITEM_GROUP.match(t) or _OPEN_WHOLE.match(t) or _CLOSED_WHOLE.match(t))
_TOC_ENTRY = vocab.TOC_ENTRY.compile(0)
_TOC_LOOSE = vocab.TOC_ENTRY_LOOSE.compile(0)
# a case number at the end of a heading: "1. Godkendelse af dagsorden (2022-0012345)", "… Sagsnr. 23/812"
_TRAILING_CASE = re.compile(r"\s*[(\[]?\s*(?:" + vocab.CASE_LABEL.pattern.lstrip("^") + r")?(?P<case>"
                            + vocab.CASE_NUMBER.pattern + r")\s*[)\]]?\s*$", re.IGNORECASE)
MAX_TITLE_CONTINUATION = 3
# cheap precheck before the case-number regexes (a hot path: every line is tested)
_HAS_DIGIT_PAIR = re.compile(r"\d\d")
_SUBPOINT = re.compile(r"^\s*\d{1,3}\)")


ItemNumber = int | str
_NUMBER = re.compile(r"^(?P<major>\d+)(?:\.(?P<sub>\d+)|(?P<letter>[a-z]))?$")


def number_key(number: ItemNumber) -> tuple[int, int]:
    """An order for item numbers: 1 < 1.1 < 1.2 < 2 < 38 < 38a < 39."""
    if isinstance(number, int):
        return number, 0
    m = _NUMBER.match(number)
    if not m:
        return 0, 0
    minor = int(m.group("sub")) if m.group("sub") else (ord(m.group("letter")) - 96 if m.group("letter") else 0)
    return int(m.group("major")), minor


def follows(number: ItemNumber, last: ItemNumber | None, gap: int = 3) -> bool:
    """Whether `number` continues the numbering after `last` (a few items may be skipped): 2 after 1,
    1.1 after 1, 1.2 after 1.1, 2 after 1.4, 38a after 38."""
    if last is None:
        return True
    (major, minor), (last_major, last_minor) = number_key(number), number_key(last)
    if major == last_major:
        return last_minor < minor <= last_minor + gap
    return last_major < major <= last_major + gap and minor <= 1


@dataclass(slots=True)
class Heading:
    """An item heading found in the text."""

    index: int  # position in the line list
    number: ItemNumber
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

    number: ItemNumber  # as printed: "1.1" and "38a" stay strings
    title: str
    no: int
    case_number: str | None
    sections: list[RawSection]
    title_lines: list[Line]
    case_line: Line | None
    closed_line: Line | None = None  # "Lukket punkt" printed on its own line under the title
    # group headings and "Åben sag" lines about the item, not of it ("A. Sager til afgørelse i byrådet")
    status_lines: list[Line] = field(default_factory=list)


def section_role(text: str) -> tuple[str, str | None, str | None] | None:
    """(role, body, inline text) when the line is a section heading, else None."""
    t = text.strip()
    if len(t) > 120 or not t[:1].isalpha():
        return None
    if _SECTION_PRECHECK:
        head = t[:24].lower()
        if not head.startswith(_SECTION_BY_HEAD.get(head[:3], ("\x00",))):
            return None
    m = _SECTION.match(t)
    if not m or _WITHHELD.match(t):  # "Beslutning ikke frigivet": a status in a Sagsforløb table, no heading
        return None
    inline = m.group("inline")
    role = next(k[5:] for k, v in m.groupdict().items() if k.startswith("role_") and v)
    body = m.groupdict().get("body")
    if body and body[:1].islower():
        return None  # "beslutning om at have to årlige møder": a wrapped sentence, no "Beslutning i Byrådet"
    return role, (squash(body) if body else None), inline


def caps_heading(text: str) -> bool:
    """A short line all in capitals that is no verdict ("GODKENDT"): an upper-case section heading the
    vocabulary does not know ("SAGSPROCEDURE"), read as a section with role `other`."""
    t = text.strip()
    if not t[:2].isupper():  # cheap first: most lines are prose, and the pattern's look-ahead scans the line
        return False
    return (4 <= len(t) <= 120 and "\t" not in t and bool(_CAPS_HEADING.match(t))
            and not any(p.search(t) for p in _VERDICT))


_GENITIVE_DECISION = vocab.GENITIVE_DECISION.compile()
_LETTERS = re.compile(r"[A-Za-zÆØÅæøåÄÖÜäöüÉé]")
_LONG_WORD = re.compile(r"[A-Za-zÆØÅæøåÄÖÜäöüÉé]{5,}")


def decision_label(text: str) -> tuple[str, str | None] | None:
    """eDoc's decision label: "Sundheds- og Forebyggelsesudvalgets beslutning den 04.12.2012 Punkt 3" ->
    (the printed label, the deciding body "Sundheds- og Forebyggelsesudvalget"), else None."""
    t = text.strip()
    if "eslutning" not in t or len(t) > 160:
        return None
    m = _GENITIVE_DECISION.match(t)
    return (t, squash(m.group("body"))) if m else None


def loose_heading(ln: Line, in_decision: bool = False) -> bool:
    """A heading outside the vocabulary: a short line printed bold or as a heading, or set in capitals,
    standing as a paragraph of its own ("Centralisering af ejendomsdriften", "BESLUTNINGSFORSLAG FRA
    ENHEDSLISTEN"). Inside a decision only a line in capitals counts: a bold sentence there is the decision's
    text. Never a sentence, a list of party letters ("A, F og Ø"), a number or a table row."""
    t = ln.text.strip()
    if not t or len(t) > 100 or "\t" in t or not t[:1].isalpha() or t[-1] in ".,;!?":
        return False
    upper = t.isupper()
    if not upper and (in_decision or not ln.heading):
        return False  # cheap first: most lines are neither in capitals nor printed as headings
    if not _LONG_WORD.search(t):
        return False
    words = t.split()
    if len(words) > 12 or (t.endswith(":") and any(c in t.lower() for c in vocab.RECOMMENDATION_CUES)):
        return False  # "Ansættelsesudvalget indstiller:" opens the points below it
    capitals = upper and len(words) >= 2 and len(_LETTERS.findall(t)) >= 8
    if in_decision:
        return capitals
    return capitals or ln.heading


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


def loose_toc_entry(text: str) -> bool:
    """A line of a paged contents list whose page number follows its title after one space (no item
    heading, section heading or case number: those end the list)."""
    t = text.strip()
    return bool(_TOC_LOOSE.match(t)) and not (_match_heading(t) or section_role(t) or case_number_in(t))


def toc_entry(text: str, loose: bool = False) -> tuple[str, int | None]:
    """("Beskæftigelsesplan 2022", 6) from "Beskæftigelsesplan 2022.....\t6" (and, `loose`, from
    "Beskæftigelsesplan 2022 6")."""
    m = _TOC_ENTRY.match(text.strip()) or (_TOC_LOOSE.match(text.strip()) if loose else None)
    if not m:
        return squash(text), None
    return squash(m.group("title")).rstrip(". ").strip(), int(m.group("page"))


def contents_entry(text: str, loose: bool = False) -> tuple[str, int | None]:
    """A contents line's item title and page: "Punkt 3: Budget ..... 7" and "38 Budget\t7" -> ("Budget", …);
    the number in front is the item's, not part of its title."""
    title, page = toc_entry(text, loose)
    h = _match_heading(title)
    if h and h[2] and h[1]:
        title = h[1]
    return vocab.TOC_NUMBER.sub("", title), page


def _match_heading(text: str) -> tuple[ItemNumber, str, bool] | None:
    t = text.strip()
    if len(t) > 400 or not (t[:1].isdigit() or t[:1] in vocab.ITEM_HEADING_FIRST):
        return None
    for pat in _ITEM_STRONG:
        m = pat.match(t)
        if m:
            return printed_number(m.group("number")), squash(m.group("title")), True
    for pat in _ITEM_WEAK:
        m = pat.match(t)
        if m:
            return printed_number(m.group("number")), squash(m.group("title")), False
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
        len(entries) > 1 and is_toc_entry(lines[entries[1]].text) and entries[1] == entries[0] + 1) or (
        sum(is_toc_entry(lines[i].text) for i in entries[:5]) >= 3 and loose_toc_entry(lines[entries[0]].text))
    seen: set[str] = set()
    end = start + 1
    bare: int | None = None  # a number printed alone, its title on the next line (a contents table read by rows)
    for pos, i in enumerate(entries):
        text = lines[i].text
        if with_pages:
            wrapped = pos + 1 < len(entries) and entries[pos + 1] == i + 1 and is_toc_entry(
                lines[i + 1].text) and not _match_heading(text)
            if not (is_toc_entry(text) or wrapped or loose_toc_entry(text)):
                break
        else:
            h = _match_heading(text)
            if h and not h[1] and bare is None:
                bare = i
                continue
            key = comparable(h[1] if h else text)
            titled = bare is not None and key not in seen  # the title under a bare number, whatever its words
            if not titled and (key in seen or section_role(text) or case_number_in(text)):
                if bare is not None:
                    end = bare  # the number over a repeated title opens the first item, not the contents
                break
            seen.add(key)
            bare = None
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
            if h and not h[1]:
                continue  # "2." alone: the number of the title on the next line
            out.append((h[1] if h else squash(ln.text), None, ln.no))
        elif is_toc_entry(ln.text) or loose_toc_entry(ln.text):
            title, page = contents_entry(" ".join(x.text for x in [*pending, ln]), loose=True)
            out.append((title, page, (pending or [ln])[0].no))
            pending = []
        else:
            pending.append(ln)
    if pending:
        out.append((squash(" ".join(x.text for x in pending)), None, pending[0].no))
    return out


def _confirmed(lines: list[Line], i: int, number: ItemNumber, last: ItemNumber | None, title: str,
               titles: set[str]) -> bool:
    """A weak heading ("12. Title") counts when its title is in the TOC, when a case number follows
    closely, or when it is printed as a heading or followed directly by a section heading and the number
    continues the sequence (a numbered list inside a case does not restart after the previous item's
    number)."""
    key = comparable(title)
    if key and any(key == t or (len(key) >= 12 and (t.startswith(key) or key.startswith(t)) and len(t) >= 12)
                   for t in titles):
        return True
    in_sequence = follows(number, last)
    if isinstance(number, str) and (is_sentence(title) or title[-1:] in ".,;"):
        return False  # "1.1 Budgettet er lagt som aftalt …": a numbered paragraph, not a sub-item
    if isinstance(number, str) and follows(number, last, 1) and len(title) <= 90 and title[-1:] not in ".,;:":
        return True  # "1.1 Status siden sidst" right after "1 First Agenda": the next sub-item, a short title
    # printed as a heading (markdown, or a bold line in a PDF); "2)" numbers sub-points, not items
    if lines[i].heading and in_sequence and not _SUBPOINT.match(lines[i].text):
        return True
    seen = 0
    titled = 1 if not title else 0  # "3" alone: its title is the next line, then the sections
    for ln in lines[i + 1:]:
        if ln.blank:
            continue
        if case_number_in(ln.text):
            return True
        if section_role(ln.text):
            return seen <= titled and in_sequence
        sub = _match_heading(ln.text) if seen == 0 else None
        if sub and in_sequence and isinstance(sub[0], str) and number_key(sub[0]) == (number_key(number)[0], 1):
            return True  # "1 First Agenda" right over "1.1 Status siden sidst": a parent with its sub-items
        seen += 1
        if seen >= 2 + titled or _match_heading(ln.text):
            return False
    return False


def find_items(lines: list[Line], start: int, titles: set[str]) -> list[Heading]:
    """Item headings from position `start` on, in order, with increasing numbers."""
    found: list[Heading] = []
    last: ItemNumber | None = None
    for i in range(start, len(lines)):
        ln = lines[i]
        if ln.blank or is_toc_entry(ln.text):  # "Punkt 1: Title ..... 3": a contents line, not the item
            continue
        h = _match_heading(ln.text)
        if not h:
            continue
        number, title, strong = h
        if not title and i > 0 and decision_label(lines[i - 1].text):
            continue  # "Punkt 3" wrapped under eDoc's "… beslutning den 04.12.2012": the label's, not an item
        if last is not None and number_key(number) <= number_key(last) and not (strong and comparable(title) in titles):
            continue
        if strong and not title and last is not None and number_key(number)[0] > number_key(last)[0] + 3:
            continue  # "pkt. 26" alone in a table cell, far out of sequence: a reference, not an item
        if not strong and not _confirmed(lines, i, number, last, title, titles):
            continue
        found.append(Heading(i, number, title, strong))
        last = number
    return found


def is_sentence(text: str) -> bool:
    """A line of running prose: eight words or more, or six and a sentence's end (a title page's lines are
    names, labels and short notes)."""
    t = text.strip()
    words = len(t.split())
    return words >= 8 or (words >= 6 and (t[-1:] in ".!?" or ". " in t))


def no_items_reason(lines: list[Line]) -> str:
    """Why a document gave no items, for its warning: lines that look like numbered headings but were
    not confirmed are named, with what would have confirmed them."""
    candidates = [ln for ln in lines if not ln.blank and not is_toc_entry(ln.text) and _match_heading(ln.text)]
    if not candidates:
        return ("no agenda items found: no line looks like an item heading (Punkt 1: …, Pkt. 2, Sag nr. 3, "
                "'4. Title' or '4 Title')")
    first = candidates[0]
    return (f"no agenda items found, although {len(candidates)} line(s) look like numbered headings (line "
            f"{first.no}: '{squash(first.text)[:60]}'): a plain number before a title counts as an item only "
            "when a case number or a known section heading follows it, it is printed as a heading (bold or "
            "larger), or its title is in the table of contents; the numbers must also increase")


def _case_follows(lines: list[Line], i: int, end: int) -> bool:
    """Whether the next printed line after `i` is the case number: then line `i`, though worded like a section
    heading ("Meddelelser" under a bare "1."), is the item's title."""
    nxt = next((j for j in range(i + 1, end) if not lines[j].blank), None)
    return nxt is not None and case_number_in(lines[nxt].text) is not None


def split_item(lines: list[Line], heading: Heading, end: int) -> RawItem:
    """One item block -> title (with wrapped lines), case number and sections."""
    title_lines = [lines[heading.index]]
    title = heading.title
    i = heading.index + 1
    if not title:  # "Punkt 1" alone, the title on the next line (after a blank line too)
        while i < end and lines[i].blank:
            i += 1
        if i < end and not (case_number_in(lines[i].text) or _match_heading(lines[i].text)
                            or (section_role(lines[i].text) and not _case_follows(lines, i, end))):
            title = squash(lines[i].text)
            title_lines.append(lines[i])
            i += 1
    while i < end and len(title_lines) <= MAX_TITLE_CONTINUATION:
        ln = lines[i]
        if ln.blank and lines[heading.index].heading:
            # a heading set large wraps; a reader may set its lines apart: the next heading line goes on
            nxt = next((j for j in range(i + 1, min(end, i + 3)) if not lines[j].blank), None)
            if nxt is not None and lines[nxt].heading and not (
                    case_number_in(lines[nxt].text) or section_role(lines[nxt].text)
                    or _match_heading(lines[nxt].text) or caps_heading(lines[nxt].text)
                    or _is_status_line(lines[nxt].text) or "\t" in lines[nxt].text):
                i = nxt
                ln = lines[i]
        if ln.blank or case_number_in(ln.text) or section_role(ln.text) or _match_heading(ln.text) \
                or "\t" in ln.text or _is_status_line(ln.text) or caps_heading(ln.text):
            break
        title = squash(title + " " + ln.text)
        title_lines.append(ln)
        i += 1
    case_number = None
    case_line = None
    body_start = i
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
    m = _TRAILING_CASE.search(title) if case_number is None else None  # "Skoleudvikling 2025/2026" over
    if m and m.start() > 0:  # a case number line of its own is a school year, not a case number
        case_number = m.group("case")
        title = title[: m.start()].rstrip(" -–,")
    marker = next((ln for ln in lines[body_start:min(end, body_start + 6)]
                   if not ln.blank and _CLOSED_WHOLE.match(ln.text.strip())), None)
    status: list[Line] = []
    sections = _sections(lines[body_start:end], case_line, marker, status)
    repeated = _repeated_title(title, sections)
    if repeated is not None:
        title_lines.append(repeated)
    return RawItem(heading.number, title, lines[heading.index].no, case_number, sections, title_lines, case_line,
                   closed_line=marker, status_lines=status)


def _repeated_title(title: str, sections: list[RawSection]) -> Line | None:
    """A layout of the publication system prints the item's title again under its heading, then the decision
    under no heading of its own, then the headed sections. Where no decision heading is printed and the
    first text repeats the title, the text after it up to the first heading is the decision: the first
    section becomes a decision section and the repeated title line is returned (it is the title's)."""
    if not sections or sections[0].heading or any(s.role == "decision" for s in sections):
        return None
    lead = sections[0]
    text = [n for n, ln in enumerate(lead.lines) if not ln.blank]
    if len(text) < 2 or comparable(lead.lines[text[0]].text) != comparable(title):
        return None
    repeated = lead.lines[text[0]]
    sections[0] = RawSection("", "decision", lead.lines[text[0] + 1:])
    return repeated


# sections that list things one per line (attachment titles may be printed as headings)
_LIST_ROLES = frozenset({"attachments", "presenters", "related", "upcoming", "attendance"})


_LABEL_ITEM = re.compile(r"^(?:punkt|pkt\.?)\s*\d{1,4}[a-z]?$", re.IGNORECASE)


def _continues(lines: list[Line], pos: int) -> bool:
    """Whether the line after lines[pos] continues its sentence (starts in lower case): then it is no heading."""
    nxt = lines[pos + 1] if pos + 1 < len(lines) else None
    return nxt is not None and not nxt.blank and nxt.text.strip()[:1].islower()


def _sections(lines: list[Line], case_line: Line | None, marker: Line | None = None,
              status: list[Line] | None = None) -> list[RawSection]:
    """Split item lines into sections at vocabulary headings; text before the first heading goes to a
    section with heading ''. A line holding only the case number is consumed, not repeated."""
    sections: list[RawSection] = []
    current = RawSection("", None)
    prev_blank = True  # an unlisted heading starts a paragraph
    for pos, ln in enumerate(lines):
        if ln.blank:
            current.lines.append(ln)
            prev_blank = True
            continue
        if marker is not None and ln is marker:
            continue  # the closed marker is the item's `closed` flag
        t = ln.text.strip()
        if _GROUP_OR_OPEN.match(t):
            if status is not None:
                status.append(ln)
            continue  # a group heading or the open status: not the item's text
        if case_line is not None and ln is case_line:
            rest = _CASE_LABEL.sub("", t, count=1)
            rest = vocab.CASE_NUMBER.sub("", rest, count=1).strip(" ,;-–")
            if not rest:
                continue
        if current.role == "decision" and current.no is not None and not current.lines and _LABEL_ITEM.match(t):
            current.heading = f"{current.heading} {t}"  # "… beslutning den 04.12.2012" / "Punkt 3"
            continue
        found = section_role(t)
        label = None if found is not None else decision_label(t)
        if label:
            found = ("decision", label[1], None)  # eDoc's label is unmistakable, set apart or not
        elif found is None and prev_blank:
            if current.role not in _LIST_ROLES and loose_heading(ln, current.role == "decision") \
                    and not _continues(lines, pos):
                found = (None, None, None)  # a heading the vocabulary does not know: role `other`
        if found is None and caps_heading(t):
            found = (None, None, None)  # an upper-case heading, even where no blank line sets it apart
        prev_blank = found is not None
        if found:
            role, body, inline = found
            if current.heading or any(not x.blank for x in current.lines):
                sections.append(current)
            heading_text = ln.text.strip() if inline is None else ln.text.strip()[: -len(inline)].rstrip(" \t:")
            current = RawSection(heading_text, role, no=ln.no, body=body)
            if inline is not None:
                current.lines.append(Line(ln.no, inline))
            continue
        current.lines.append(ln)
    if current.heading or any(not x.blank for x in current.lines):
        sections.append(current)
    return sections

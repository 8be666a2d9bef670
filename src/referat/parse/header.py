"""The meeting header: kind, committee, election period, date, time, place and participants."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from referat import vocab
from referat.danish import NUMERIC_DATE, WORDED_DATE, parse_date, parse_time
from referat.model import Participant, Substitute
from referat.normalize import Line
from referat.parse.text import split_names, squash, strip_party

_TITLE = vocab.TITLE_LINE.compile()
_LABELS = sorted(((label, key) for key, labels in vocab.HEADER_FIELDS.items() for label in labels),
                 key=lambda x: -len(x[0]))
_FIELD = re.compile(r"^(?P<label>" + "|".join(re.escape(label) for label, _ in _LABELS) + r")\b\s*:?\s*(?P<value>.*)$",
                    re.IGNORECASE)
_LABEL_KEY = {label: key for label, key in _LABELS}
_MUNICIPALITY_LINE = re.compile(vocab.MUNICIPALITY.pattern + r"\s*$")
_COMMITTEE_LINE = re.compile(vocab.COMMITTEE_NAME.pattern)
_PLACE_LINE = re.compile(vocab.PLACE_LINE.pattern)
_ITEM_GROUP = vocab.ITEM_GROUP.compile()
_TOC_HEADING = vocab.TOC_HEADING.compile()
_COMMITTEE_MEETING = vocab.COMMITTEE_MEETING_LINE.compile(0)
_SUBSTITUTE_PAIR = vocab.SUBSTITUTE_PAIR.compile(0)
_TITLE_KIND_LAST = vocab.TITLE_KIND_LAST.compile()
# a whole name on a line of its own: "Jeppe Kirkegaard", "Anne Holm (A)"
_NAME_LINE = re.compile(r"^[A-ZÆØÅ][\w\-'.]+(?:\s+[A-ZÆØÅ][\w\-'.]+){1,4}(?:\s*\([^()]{1,40}\))*$")


TITLE_WITHIN = 15  # the REFERAT/DAGSORDEN title is among the first lines, not deep in some prose
MAX_PROSE = 12  # more unrecognised lines than this before the first item: not a meeting header


@dataclass(slots=True)
class Header:
    kind: str | None = None
    committee: str | None = None
    election_period: str | None = None
    date: dt.date | None = None
    start_time: str | None = None
    location: str | None = None
    participants: list[Participant] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    substitutes: list[Substitute] = field(default_factory=list)  # for the whole meeting
    unrecognised: list[Line] = field(default_factory=list)
    consumed: list[int] = field(default_factory=list)  # source line numbers read into fields
    municipality: str | None = None


def _ends_list(text: str) -> bool:
    """A line that no list of names runs on into, where no blank line parts them (pdftotext's plain
    order): the contents' heading, a group heading, a title, a line in capitals ("INDHOLDSFORTEGNELSE")."""
    return bool(_TOC_HEADING.match(text) or _ITEM_GROUP.match(text) or _TITLE.match(text)
                or (text.isupper() and len(text) > 3))


def _title_parts(rest: str) -> tuple[str | None, str | None, dt.date | None, str | None]:
    """"Beskæftigelses- og Integrationsudvalget - 2016-2021 d. 30-11-2021" -> committee, period, date, time."""
    period = None
    m = vocab.ELECTION_PERIOD.search(rest)
    if m:
        period = f"{m.group(1)}-{m.group(2)}"
        rest = rest[: m.start()] + " " + rest[m.end():]
    date = parse_date(rest)
    time = parse_time(rest)
    cut = len(rest)
    for pat in (WORDED_DATE, NUMERIC_DATE):
        dm = pat.search(rest)
        if dm:
            cut = min(cut, dm.start())
    committee = rest[:cut]
    committee = vocab.TITLE_DATE_TAIL.sub("", committee)
    committee = vocab.TITLE_COMMITTEE_PREFIX.sub("", committee.strip())
    committee = vocab.TITLE_COMMITTEE_SUFFIX.sub("", committee.strip())
    committee = squash(committee).strip(" -–,:")
    return committee or None, period, date, time


def parse_participants(value: str) -> list[Participant]:
    out = []
    for part in re.split(r"\s*[,;]\s*(?![^()]*\))|\s+og\s+(?![^()]*\))", squash(value).rstrip(".")):
        name, party = strip_party(vocab.MEMBER_ROLE_SUFFIX.sub("", vocab.MEMBER_ROLE.sub("", part.strip())))
        if name:
            out.append(Participant(name=name, party=party))
    return out


def parse_header(lines: list[Line]) -> Header:
    """Read the header fields from the lines before the first item (TOC excluded)."""
    h = Header()
    i = 0
    seen = 0
    bare_title = False  # the line before was a bare "Referat"/"Dagsorden": a title page names the body next
    while i < len(lines):
        ln = lines[i]
        i += 1
        if ln.blank:
            continue
        seen += 1
        text = ln.text.strip()
        after_bare_title, bare_title = bare_title, False
        m = _TITLE.match(text) if seen <= TITLE_WITHIN else None
        if m is None and seen <= TITLE_WITHIN and h.kind is None and (last := _TITLE_KIND_LAST.match(text)):
            # "Sundheds- og Forebyggelsesudvalget - Referat": the kind printed last
            h.kind = vocab.KIND_WORDS[" ".join(last.group("kind").lower().split())]
            committee, period, date, time = _title_parts(last.group("rest"))
            h.committee, h.election_period = h.committee or committee, h.election_period or period
            h.date, h.start_time = h.date or date, h.start_time or time
            h.consumed.append(ln.no)
            continue
        # the first title line counts; a later one may still fill in what a bare "Dagsorden" left out
        if m and (h.kind is None or (h.committee is None and m.group("rest").strip())):
            h.kind = vocab.KIND_WORDS[" ".join(m.group("kind").lower().split())]
            rest = m.group("rest")
            committee, period, date, time = _title_parts(rest)
            if date is None and rest.strip() and i < len(lines) and not lines[i].blank:
                # a long title wraps: "REFERAT Beskæftigelses- og" / "Erhvervsudvalget d. 09-01-2023"
                nxt = lines[i].text.strip()
                if not (_FIELD.match(nxt) or _TITLE.match(nxt)) and _title_parts(f"{rest} {nxt}")[2] is not None:
                    committee, period, date, time = _title_parts(f"{rest} {nxt}")
                    h.consumed.append(lines[i].no)
                    i += 1
            h.committee = h.committee or committee
            h.election_period = h.election_period or period
            h.date = h.date or date
            h.start_time = h.start_time or time
            h.consumed.append(ln.no)
            bare_title = not m.group("rest").strip()
            continue
        pairs = [_FIELD.match(part.strip()) for part in text.split("\t") if part.strip()] if "\t" in text else []
        if len(pairs) > 1 and all(p is not None and p.group("value") for p in pairs):
            # two columns of fields on one line: "Mødedato: 14.02.2024 <gap> Mødested: Rådhuset"
            for p in pairs:
                _set_field(h, _LABEL_KEY[p.group("label").lower()], squash(p.group("value")))
            h.consumed.append(ln.no)
            continue
        f = _FIELD.match(text)
        if f and not f.group("value") and _LABEL_KEY[f.group("label").lower()] == "participants":
            names = _name_rows(lines, i)
            if names:
                # "Medlemmer:" over names one to a paragraph, or a table of names in two columns
                h.consumed.extend([ln.no, *(x.no for x in names)])
                _set_field(h, "participants", ", ".join(cell.strip() for x in names for cell in x.text.split("\t")
                                                        if cell.strip()))
                i = lines.index(names[-1]) + 1
                continue
        if f and not f.group("value") and text.endswith(":") and (i >= len(lines) or lines[i].blank):
            h.consumed.append(ln.no)  # "Stedfortræder:" left empty
            continue
        if f and (f.group("value") or (i < len(lines) and not lines[i].blank)):
            # "Medlemmer:" with the names on the lines below it counts too
            key = _LABEL_KEY[f.group("label").lower()]
            value = f.group("value")
            h.consumed.append(ln.no)
            # a wrapped value continues on the following lines until a blank line or another field
            while key in ("participants", "absent", "substitutes") and i < len(lines) and not lines[i].blank \
                    and not _FIELD.match(lines[i].text.strip()) and not _ends_list(lines[i].text.strip()):
                # one name per line under an empty label; otherwise a wrapped line ("Kristoffer" / "Beck")
                listed = not f.group("value") or value.rstrip().endswith(")") or (
                    _NAME_LINE.match(lines[i].text.strip()) is not None and _NAME_LINE.match(value.rsplit(",", 1)[-1].strip()) is not None)
                value += (", " if value and listed and not value.rstrip().endswith(",") else " ") + lines[i].text
                h.consumed.append(lines[i].no)
                i += 1
            _set_field(h, key, squash(value))
            continue
        if _MUNICIPALITY_LINE.match(text) and h.municipality is None:
            h.municipality = _MUNICIPALITY_LINE.match(text).group("name")
            h.consumed.append(ln.no)
            continue
        # "Økonomiudvalget" on a line of its own, above or below the REFERAT/DAGSORDEN title; one set in
        # capitals ("ØKONOMIUDVALGET") is written as the name is
        name = _recase(text) if text.isupper() else text
        if h.committee is None and _COMMITTEE_LINE.match(name):
            h.committee = name
            h.consumed.append(ln.no)
            continue
        if h.committee is None and (meeting := _COMMITTEE_MEETING.match(text)):
            h.committee = meeting.group("body")  # "Byrådets møde" is Byrådet's
            h.consumed.append(ln.no)
            continue
        if _ITEM_GROUP.match(text):  # "A. Sager til afgørelse i byrådet" above the table of contents
            h.consumed.append(ln.no)
            continue
        if h.date is None and seen <= TITLE_WITHIN and (date := parse_date(text)) is not None:
            # an unlabelled date line: "fra ordinært møde onsdag den 2. marts 2022 kl. 15.30" …
            h.date, h.start_time = date, h.start_time or parse_time(text)
            h.consumed.append(ln.no)
            # … often followed by the place on the next line: "Rådhuset, Udvalgsværelse C"
            nxt = next((x for x in lines[i:] if not x.blank), None)
            if nxt is not None and h.location is None and _PLACE_LINE.match(nxt.text.strip()) \
                    and not _FIELD.match(nxt.text.strip()) and not _COMMITTEE_LINE.match(nxt.text.strip()):
                h.location = squash(nxt.text)
                h.consumed.append(nxt.no)
                i = lines.index(nxt) + 1
            continue
        if after_bare_title and h.committee is None and _title_page_body(text):
            # a title page: "Referat" / "Mødesystemgruppen" / "06-10-2016 13:00" (SBSYS prints the body only
            # there and in the running header)
            h.committee = _recase(text) if text.isupper() else text
            h.consumed.append(ln.no)
            continue
        if h.date is not None and seen <= TITLE_WITHIN and _DIGIT.search(text) and parse_date(text) == h.date \
                and len(text) <= 40:
            # the meeting's date again, with the end time: "06-10-2016 13:00" / "06-10-2016 15:00" (SBSYS)
            h.consumed.append(ln.no)
            continue
        h.unrecognised.append(ln)
    return h


_DIGIT = re.compile(r"\d")


def _name_rows(lines: list[Line], start: int) -> list[Line]:
    """The lines from `start` on that hold only names (one, or one per table cell), blank lines between
    them allowed: the member list under an empty "Medlemmer:" label. Empty unless at least two names."""
    rows: list[Line] = []
    for ln in lines[start:]:
        if ln.blank:
            continue
        cells = [c.strip() for c in ln.text.split("\t") if c.strip()]
        if not cells or not all(_NAME_LINE.match(c) for c in cells):
            break
        rows.append(ln)
    return rows if sum(len([c for c in x.text.split("\t") if c.strip()]) for x in rows) >= 2 else []


def _title_page_body(text: str) -> bool:
    """A short line naming a body, as a title page prints it under the kind: no digits, no label, no
    sentence ("Mødesystemgruppen", "Udvalget for plan, udvikling og kultur")."""
    return (3 <= len(text) <= 80 and not _DIGIT.search(text) and ":" not in text and not text.endswith(".")
            and text[:1].isupper() and len(text.split()) <= 8 and not _FIELD.match(text))


def _recase(name: str) -> str:
    """A body name set in capitals, written as names are: "BØRNE- OG UNGEUDVALGET" -> "Børne- og
    Ungeudvalget" (the word after "- og" starts a name of its own)."""
    out = name[:1] + name[1:].lower()
    return re.sub(r"(-\s+og\s+)(\w)", lambda m: m.group(1) + m.group(2).upper(), out)


def _set_field(h: Header, key: str, value: str) -> None:
    if key == "date":
        h.date = parse_date(value) or h.date
        h.start_time = parse_time(value) or h.start_time
    elif key == "location":
        h.location = value
    elif key == "participants":
        h.participants.extend(parse_participants(value))
    elif key == "absent":
        h.absent.extend(n for n in split_names(vocab.ABSENT_VALUE_PREFIX.sub("", value)) if not vocab.NOBODY.match(n))
    elif key == "committee":
        h.committee = value
    elif key == "substitutes":
        for part in re.split(r"\s*[,;]\s*(?![^()]*\))", value.rstrip(".")):
            if m := _SUBSTITUTE_PAIR.match(part.strip()):
                pair = Substitute(substitute=strip_party(m.group("sub"))[0], **{"for": strip_party(m.group("for"))[0]})
                if pair not in h.substitutes:
                    h.substitutes.append(pair)

"""Numbers as series: the figures committees report again and again, read into (frame, measure, period).

Budget follow-ups and accounts print tables whose rows are frames ("01 Aktivering") and whose columns
are measures ("Vedttaget budget", "Forskel korrigeret budget"); complaint reports print their figures in
prose ("i alt 66 klagesager, hvoraf 48 … blev stadfæstet, mens 10 … blev hjemvist, mens otte … blev
ændret"). Both become observations: one typed value with its unit, normalized names, the period from the
item's title and provenance to the item and table. A series is one committee's (subject, frame, measure)
over the periods.

Names are normalized so that spellings meet ("Aktivering" = "01 Aktivering", "Forskel" = "Afvigelse",
"Vedttaget" = "Vedtaget"); a table that is no budget table (a carry-over list's "Aktiveringsrammen i alt")
keeps its caption as subject, so it never joins a budget frame's series.

Pure functions over plain data first; `collect` at the end reads them from an archive.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy.engine import Connection

from referat.danish import DECIMAL, GROUP, whole_number
from referat.dialect import run, sql_for
from referat.vocab.series import (AREA, BUDGET_SUBJECT, COMPLAINT_SUBJECT, COMPLAINT_TITLE, COMPLAINTS, FOOTNOTE, FRAMES,
                                   MEASURES, MISSPELLINGS, NUMBER_WORDS, QUARTER, TABLE_NUMBER, UNITS, YEAR)


class SeriesWarning(str):
    """A figure that does not add up (a printed rate that is not the recomputed one)."""


# --- typed cells --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell read: its value (None when it is no number) and unit, with the text as printed."""

    text: str
    value: Decimal | None
    unit: str | None = None


_NUMBER = re.compile(rf"^\d{{1,3}}(?:{re.escape(GROUP)}\d{{3}})+(?:{re.escape(DECIMAL)}\d+)?$|"
                     rf"^\d+(?:{re.escape(DECIMAL)}\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def unit_of(*texts: str | None) -> str | None:
    """The unit a caption or corner cell names ("Mio. kr." -> "mio. kr."), the first text naming one."""
    for t in texts:
        for pattern, unit in UNITS:
            if t and pattern.search(t):
                return unit
    return None


def _without_unit(text: str) -> str:
    """The text with any unit it names taken out ("1.000 kr." -> "")."""
    for pattern, _ in UNITS:
        text = pattern.sub("", text)
    return text.strip(" .,:()")


def read_number(text: str) -> Decimal | None:
    """A printed Danish number exactly, negatives in every spelling: "-3,2", "−3,2", "–3,2", "÷3,2",
    "(3.338.820)", "3,2-"; footnote marks ("¹⁾") and thin spaces in "1 070,9" ignored. None if no number."""
    s = FOOTNOTE.sub("", text).strip()
    s = re.sub(r"(?i)\s*(?:mio\.?\s*kr\.?|kr\.?|pct\.?|%)$", "", s).strip()
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    if s[:1] in "-\u2212\u2013\u00f7":
        negative, s = not negative, s[1:].strip()
    elif s[-1:] in "-\u2212\u2013" and len(s) > 1:
        negative, s = not negative, s[:-1].strip()
    s = _SPACES.sub("", s)
    if not _NUMBER.match(s):
        return None
    try:
        value = Decimal(s.replace(GROUP, "").replace(DECIMAL, "."))
    except InvalidOperation:
        return None
    return -value if negative else value


def read_cell(text: str, unit: str | None = None) -> Cell:
    """A cell typed: its number and the unit (its own "12 pct." before the table's)."""
    value = read_number(text)
    own = unit_of(text) if value is not None and re.search(r"[a-zA-Z%]", text) else None
    return Cell(text=text, value=value, unit=own or (unit if value is not None else None))


# --- names --------------------------------------------------------------------------------------

def _fixed(text: str) -> str:
    s = FOOTNOTE.sub("", text).strip().lower()
    s = _SPACES.sub(" ", s)
    for wrong, right in MISSPELLINGS.items():
        s = re.sub(rf"\b{wrong}\b", right, s)
    return s


def measure_name(header: str) -> str | None:
    """A budget column's normalized name, or None where it names no known measure."""
    s = YEAR.sub("", _fixed(header)).strip(" :,-")
    s = re.sub(r"\s+", " ", s)
    for pattern, name in MEASURES:
        if pattern.search(s):
            return name
    return None


def frame_name(label: str) -> str:
    """A budget row's normalized frame: "01 Aktivering" -> "Aktivering"; unknown labels as printed, tidied."""
    tidy = _SPACES.sub(" ", FOOTNOTE.sub("", label)).strip()
    tidy = re.sub(r"^\d{1,2}\.?\s+(?=\D)", "", tidy)
    key = _fixed(tidy)
    key = re.sub(r"^\d{1,2}\.?\s+(?=\D)", "", key).rstrip(":")
    for pattern, name in FRAMES:
        if pattern.search(key):
            return name
    return tidy


def period_of(title: str, fallback: str | None = None) -> str | None:
    """The reporting period an item's title names: "2021 Q3", "2023"; else the fallback (the meeting date)."""
    m = QUARTER.search(title)
    if m:
        quarter, year = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return f"{year} Q{quarter}"
    y = YEAR.search(title)
    return y.group(1) if y else fallback


def _subject(caption: str | None) -> str:
    s = TABLE_NUMBER.sub("", caption or "").strip(" :.")
    s = re.sub(r"(?i),?\s*(?:i\s+)?(?:mio\.?|mia\.?|1\.000)?\s*kr\.?$", "", s).strip(" ,:.")
    return s or "Tabel"


# --- observations -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Observation:
    """One figure: whose (committee), what (subject, frame, measure), when (period), its value and unit,
    and where it was printed (item, table number from 1 or None for prose, the text)."""

    committee: str
    subject: str
    frame: str
    measure: str
    period: str
    value: float
    unit: str | None
    item_id: str
    table: int | None
    printed: str
    date: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.committee, self.subject, self.frame, self.measure)


@dataclass(slots=True)
class Extracted:
    observations: list[Observation] = field(default_factory=list)
    warnings: list[SeriesWarning] = field(default_factory=list)


def _header_rows(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """A header printed over two lines ("Mer-/mindreforbrug" over "vedtaget budget") joined into one."""
    header = list(header)
    while rows and not rows[0][0].strip() and all(read_number(c) is None for c in rows[0]) \
            and any(c.strip() for c in rows[0]):
        extra = rows[0]
        header = [f"{h} {extra[n]}".strip() if n < len(extra) else h for n, h in enumerate(header)]
        rows = rows[1:]
    return header, rows


def from_table(table: dict[str, Any], *, committee: str, item_id: str, ordinal: int, period: str,
               date: str | None = None) -> list[Observation]:
    """A table's numeric cells as observations. A budget table (two or more known measure columns) gives
    frames and normalized measures; any other table keeps its caption as subject and headers as printed."""
    header, rows = _header_rows(table.get("header") or [], table.get("rows") or [])
    if len(header) < 2:
        return []
    unit = unit_of(table.get("caption"), header[0])
    measures = [measure_name(h) for h in header]
    budget = sum(1 for m in measures[1:] if m) >= 2
    subject = BUDGET_SUBJECT if budget else _subject(table.get("caption"))
    out: list[Observation] = []
    for row in rows:
        if not row or read_number(row[0]) is not None or not row[0].strip():
            continue  # a transposed table (numbers in the first column) has no row labels to key by
        frame = frame_name(row[0]) if budget else _SPACES.sub(" ", FOOTNOTE.sub("", row[0])).strip()
        for n, text in enumerate(row[1:], start=1):
            if n >= len(header):
                break
            cell = read_cell(text, unit_of(header[n]) or unit)  # a column's own unit ("1.000 kr.", "Afvigelse (%)")
            if cell.value is None:
                continue
            measure = measures[n] if budget else None
            if measure is None:
                measure = _SPACES.sub(" ", header[n]).strip()
                if not _without_unit(measure):
                    measure = "Beløb"  # a column headed only by its unit ("Mio. kr.", "1.000 kr.")
            out.append(Observation(committee=committee, subject=subject, frame=frame, measure=measure,
                                   period=period, value=float(cell.value), unit=cell.unit, item_id=item_id,
                                   table=ordinal, printed=text, date=date))
    return out


def _count(word: str) -> int:
    number = whole_number(word)
    return NUMBER_WORDS[word.lower()] if number is None else number


def reversal_rate(decided: int, remitted: int, changed: int) -> int:
    """The omgørelsesprocent: remitted and changed as a share of all decided, to whole percent (half up)."""
    share = Decimal(remitted + changed) * 100 / Decimal(decided)
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_prose(text: str, *, committee: str, item_id: str, period: str, date: str | None = None) -> Extracted:
    """A complaint report's printed figures: decided, upheld, remitted, changed and the reversal rate, per
    area; the rate is recomputed and a mismatch with the printed one is a warning."""
    out = Extracted()
    for m in COMPLAINTS.finditer(text):
        start = max(text.rfind(". ", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
        lead = text[start:m.start()]
        area = AREA.search(lead)
        frame = "I alt"
        if area:
            frame = area.group(1).strip()
            frame = frame[:1].upper() + frame[1:]
        decided, upheld, remitted, changed = (_count(m.group(n)) for n in (1, 2, 3, 4))
        figures = [("Afgjorte klagesager", decided, m.group(1)), ("Stadfæstet", upheld, m.group(2)),
                   ("Hjemvist", remitted, m.group(3)), ("Ændret", changed, m.group(4))]
        for measure, value, printed in figures:
            out.observations.append(Observation(committee, COMPLAINT_SUBJECT, frame, measure, period, float(value),
                                                "sager", item_id, None, printed, date))
        if m.group(5):
            printed_rate = Decimal(m.group(5).replace(",", "."))
            out.observations.append(Observation(committee, COMPLAINT_SUBJECT, frame, "Omgørelsesprocent", period,
                                                float(printed_rate), "pct.", item_id, None, m.group(5), date))
            if decided and printed_rate != reversal_rate(decided, remitted, changed):
                out.warnings.append(SeriesWarning(
                    f"{frame} {period}: printed reversal rate {m.group(5)} pct., recomputed "
                    f"{reversal_rate(decided, remitted, changed)} pct. ((hjemvist {remitted} + ændret {changed}) / "
                    f"{decided})"))
        if decided != upheld + remitted + changed:
            out.warnings.append(SeriesWarning(
                f"{frame} {period}: {decided} decided but {upheld} + {remitted} + {changed} = "
                f"{upheld + remitted + changed} upheld, remitted and changed"))
    return out


def from_item(item: dict[str, Any], *, committee: str) -> Extracted:
    """Every observation of one item (the shape of Archive.item: title, date, tables, sections)."""
    period = period_of(item.get("title") or "", item.get("date"))
    out = Extracted()
    if period is None:
        return out
    for n, t in enumerate(item.get("tables") or [], start=1):
        out.observations += from_table(t, committee=committee, item_id=item["id"], ordinal=n, period=period,
                                       date=item.get("date"))
    if COMPLAINT_TITLE.search(item.get("title") or ""):
        text = "\n".join(s.get("text", "") for s in item.get("sections") or [])
        prose = from_prose(text, committee=committee, item_id=item["id"], period=period, date=item.get("date"))
        out.observations += prose.observations
        out.warnings += prose.warnings
    return out


# --- series -------------------------------------------------------------------------------------

def series_id(key: tuple[str, str, str, str]) -> str:
    """A stable short id for a series' key, for URLs (/serie/{id})."""
    return hashlib.sha256("\x1f".join(key).encode()).hexdigest()[:12]


def _period_order(period: str) -> tuple[str, str]:
    return (period[:4], period[4:])


def group(observations: Iterable[Observation]) -> list[dict[str, Any]]:
    """Observations as series: one per (committee, subject, frame, measure), points in period order (a
    period printed twice keeps its latest meeting's figure; the others stay in `points[].also`)."""
    by_key: dict[tuple[str, str, str, str], list[Observation]] = {}
    for o in observations:
        by_key.setdefault(o.key, []).append(o)
    out = []
    for key, obs in by_key.items():
        points: dict[str, dict[str, Any]] = {}
        for o in sorted(obs, key=lambda o: (o.date or "", o.item_id)):
            point = {"period": o.period, "value": o.value, "printed": o.printed, "item_id": o.item_id,
                     "table": o.table, "date": o.date}
            if o.period in points:
                point["also"] = [*points[o.period].get("also", []), {k: v for k, v in points[o.period].items()
                                                                     if k != "also"}]
            points[o.period] = point
        units = {o.unit for o in obs if o.unit}
        committee, subject, frame, measure = key
        out.append({"id": series_id(key), "committee": committee, "subject": subject, "frame": frame,
                    "measure": measure, "unit": units.pop() if len(units) == 1 else None,
                    "points": [points[p] for p in sorted(points, key=_period_order)]})
    out.sort(key=lambda s: (s["committee"], s["subject"] != BUDGET_SUBJECT, s["subject"], s["frame"], s["measure"]))
    return out


def _words(text: str) -> set[str]:
    """The words of a name, without item numbers ("01 Aktivering")."""
    return {x for x in re.findall(r"\w+", text.lower()) if not re.fullmatch(r"\d{1,2}", x)}


def matches(series: dict[str, Any], label: str) -> bool:
    """Whether a label names a series: its id, or words found in its subject, frame and measure (a frame
    or measure spelled as printed is normalized first: "01 Aktivering", "Forskel vedtaget budget")."""
    label = label.strip()
    if not label:
        return True
    if label == series["id"]:
        return True
    words = _words(" ".join((series["subject"], series["frame"], series["measure"])))
    wanted = [_fixed(label), frame_name(label), measure_name(label) or ""]
    return any(w and _words(w) <= words for w in wanted)


def select(found: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
    """The series a label names. A label naming a frame and a measure exactly ("01 Aktivering Vedttaget
    budget") is that series alone, not also "Afvigelse fra vedtaget budget"."""
    found = [s for s in found if matches(s, label)]
    wanted = _words(_fixed(label))
    exact = [s for s in found if _words(_fixed(f"{s['frame']} {s['measure']}")) == wanted]
    return exact or found


def collect(conn: Connection) -> Extracted:
    """Every observation in an archive: all items with tables, and the complaint reports' prose."""
    rows = run(conn, "SELECT i.id, i.pk, i.title, i.date, b.name FROM items i JOIN bodies b ON b.id = i.body_id "
                     "WHERE i.pk IN (SELECT item_pk FROM item_tables) OR lower(i.title) LIKE '%klagesag%' "
                     f"ORDER BY {sql_for(conn).asc('i.date')}, i.pk").all()
    out = Extracted()
    if not rows:
        return out
    pks = [r[1] for r in rows]
    marks = ", ".join("?" * len(pks))
    tables: dict[int, list[dict[str, Any]]] = {}
    for pk, caption, header, body in run(conn, f"SELECT item_pk, caption, header_json, rows_json FROM item_tables "
                                               f"WHERE item_pk IN ({marks}) ORDER BY item_pk, ord", tuple(pks)):
        tables.setdefault(pk, []).append({"caption": caption, "header": json.loads(header), "rows": json.loads(body)})
    prose_pks = tuple(r[1] for r in rows if COMPLAINT_TITLE.search(r[2] or ""))
    sections: dict[int, list[dict[str, str]]] = {}
    if prose_pks:
        for pk, body in run(conn, f"SELECT item_pk, text FROM sections WHERE item_pk IN "
                                  f"({', '.join('?' * len(prose_pks))}) ORDER BY item_pk, ord", prose_pks):
            sections.setdefault(pk, []).append({"text": body})
    for item_id, pk, title, date, committee in rows:
        day = date.isoformat() if hasattr(date, "isoformat") else date
        got = from_item({"id": item_id, "title": title, "date": day, "tables": tables.get(pk, []),
                         "sections": sections.get(pk, [])}, committee=committee)
        out.observations += got.observations
        out.warnings += got.warnings
    return out


def series(conn: Connection, label: str = "") -> dict[str, Any]:
    """The archive's series a label names (all for ""), with the warnings of what did not add up."""
    got = collect(conn)
    return {"series": select(group(got.observations), label),
            "warnings": [str(w) for w in got.warnings]}


def as_dict(o: Observation) -> dict[str, Any]:
    return asdict(o)

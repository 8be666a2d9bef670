"""Following the archive without searching it: iCalendar of meetings, Atom feeds of decisions, and
saved-search alerts, all read from the store (used by web/follow.py and cli.py).

Calendars hold the meetings archived (minutes: held; agendas: announced) and the dates a meeting plan
lists ("Mødeplan for 2026": one date a line), written by hand to RFC 5545 (CRLF lines folded at 75
octets, text escaped, times in UTC so no VTIMEZONE is needed).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from referat.danish import NUMERIC_DATE, parse_time
from referat.dialect import run, sql_for

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
PRODID = "-//referat//Danske kommuners referater//DA"

# --- vocabularies (each with a real example) --------------------------------------------------------

# An item that sets a committee's meeting dates: "Mødeplan for 2026" (Gladsaxe, 04.06.2025, punkt 3);
# also "Mødekalender 2024", "Møderække for 2025", "Mødedatoer 2026", "Mødeplan 2026-2029"
MEETING_PLAN_TITLE = re.compile(r"\b(?:mødeplan|mødekalender|møderække|mødedatoer|mødeplaner)\b", re.IGNORECASE)
# A plan's date on a line of its own, a note after it: "07.09.2026 (*Mødet afholdes mandag 07.09.2026, da der
# er planlagt budgetforhandlinger onsdag 09.09.2026)" (04.06.2025, punkt 3); also "- 07.01.2026" and
# "Onsdag 07.01.2026"
PLAN_LINE = re.compile(r"^\s*(?:[-•*]\s*)?(?:(?:man|tirs|ons|tors|fre|lør|søn)dag\s+(?:den\s+)?)?"
                       r"(?P<date>\d{1,2}[.\-/]\d{1,2}[.\-/]\d{4})\b\s*(?P<note>.*)$", re.IGNORECASE)
# The usual start of the planned meetings: "møder holdes som udgangspunkt onsdage kl. 19.00" (04.06.2025)
PLAN_TIME = re.compile(r"\bholdes\b[^.\n]{0,80}?\bkl\.?\s*\d{1,2}[.:]\d{2}", re.IGNORECASE)

KIND_DA = {"minutes": "referat", "agenda": "dagsorden"}


@dataclass(frozen=True, slots=True)
class Event:
    """One meeting in a calendar: held or announced (from the archive) or planned (from a meeting plan)."""

    uid: str
    day: dt.date
    start_time: str | None  # "19:00", local time in Denmark
    summary: str
    description: str
    location: str | None
    url: str | None
    status: str  # CONFIRMED (archived) | TENTATIVE (planned)
    stamp: dt.datetime
    body_id: str


def plan_dates(text: str, year_from: int | None = None) -> list[tuple[dt.date, str]]:
    """The dates a meeting plan lists, one a line, with the note printed after each (in printed order)."""
    out: list[tuple[dt.date, str]] = []
    for line in text.splitlines():
        m = PLAN_LINE.match(line)
        if not m:
            continue
        d = NUMERIC_DATE.search(m.group("date"))
        if d is None:
            continue
        try:
            day = dt.date(int(d.group(3)), int(d.group(2)), int(d.group(1)))
        except ValueError:
            continue
        if year_from is not None and day.year < year_from:
            continue
        if day not in (x for x, _ in out):
            out.append((day, m.group("note").strip(" ()*")))
    return out


def plan_time(text: str) -> str | None:
    """The start time a plan states for its meetings ("onsdage kl. 19.00" -> "19:00")."""
    m = PLAN_TIME.search(text)
    return parse_time(m.group(0)) if m else None


def _stamp(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def events(conn: Connection, body_id: str | None = None, base_url: str = "") -> list[Event]:
    """The meetings of a committee (or of the whole archive) and the dates its meeting plans list that
    are not archived meetings yet, in date order."""
    where, params = ("WHERE m.body_id = ?", (body_id,)) if body_id else ("", ())
    rows = run(conn, "SELECT m.id, m.kind, m.date, m.start_time, m.location, m.body_id, b.name, b.municipality, "
                     "d.ingested_at FROM meetings m JOIN bodies b ON b.id = m.body_id "
                     f"JOIN documents d ON d.id = m.document_id {where} "
                     f"ORDER BY {sql_for(conn).asc('m.date')}, m.id", params).mappings().all()
    out: list[Event] = []
    held: set[tuple[str, dt.date]] = set()
    for r in rows:
        day = _day(r["date"])
        if day is None:
            continue
        held.add((r["body_id"], day))
        kind = KIND_DA.get(r["kind"], r["kind"])
        out.append(Event(uid=f"moede-{r['id']}@referat", day=day, start_time=r["start_time"],
                         summary=f"{r['name']} – møde", description=f"{r['name']}, {r['municipality'] or ''} "
                         f"Kommune. I arkivet: {kind}.".replace(",  Kommune", ""),
                         location=r["location"], url=f"{base_url}/moede/{r['id']}", status="CONFIRMED",
                         stamp=_stamp(r["ingested_at"]), body_id=r["body_id"]))
    where_plan = "AND i.body_id = ?" if body_id else ""
    plans = run(conn, "SELECT i.pk, i.id, i.title, i.date, i.body_id, b.name FROM items i JOIN bodies b ON "
                      f"b.id = i.body_id WHERE lower(i.title) LIKE '%møde%' {where_plan} ORDER BY i.pk",
                params).all()
    for pk, item_id, title, date, plan_body, name in plans:
        if not MEETING_PLAN_TITLE.search(title or ""):
            continue
        text = "\n".join(t for (t,) in run(conn, "SELECT text FROM sections WHERE item_pk = ? ORDER BY ord", (pk,)))
        decided = _day(date)
        start = plan_time(text)
        for day, note in plan_dates(text, decided.year if decided else None):
            if (plan_body, day) in held:
                continue
            held.add((plan_body, day))
            description = f"Planlagt møde i {name} ifølge »{title}«" + (f" ({decided:%d.%m.%Y})" if decided else "")
            if note:
                description += f". {note}"
            out.append(Event(uid=f"plan-{plan_body}-{day.isoformat()}@referat", day=day, start_time=start,
                             summary=f"{name} – planlagt møde", description=description, location=None,
                             url=f"{base_url}/punkt/{item_id}", status="TENTATIVE",
                             stamp=dt.datetime.combine(decided or day, dt.time(), dt.timezone.utc),
                             body_id=plan_body))
    out.sort(key=lambda e: (e.day, e.start_time or "", e.uid))
    return out


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n")
            .replace("\n", "\\n"))


def _fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    out, current = [], ""
    for ch in line:
        limit = 75 if not out else 74  # continuation lines start with a space
        if len((current + ch).encode()) > limit:
            out.append(current)
            current = ch
        else:
            current += ch
    out.append(current)
    return "\r\n ".join(out)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def icalendar(calendar_events: list[Event], name: str) -> str:
    """The events as an iCalendar (text/calendar) document."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_escape(name)}", "X-WR-TIMEZONE:Europe/Copenhagen"]
    for e in calendar_events:
        lines += ["BEGIN:VEVENT", f"UID:{e.uid}", f"DTSTAMP:{_utc(e.stamp)}"]
        if e.start_time:
            hour, minute = (int(x) for x in e.start_time.split(":"))
            start = dt.datetime.combine(e.day, dt.time(hour, minute), COPENHAGEN)
            lines.append(f"DTSTART:{_utc(start)}")
        else:
            lines += [f"DTSTART;VALUE=DATE:{e.day:%Y%m%d}", f"DTEND;VALUE=DATE:{e.day + dt.timedelta(days=1):%Y%m%d}"]
        lines += [f"SUMMARY:{_escape(e.summary)}", f"DESCRIPTION:{_escape(e.description)}", f"STATUS:{e.status}"]
        if e.location:
            lines.append(f"LOCATION:{_escape(e.location)}")
        if e.url:
            lines.append(f"URL:{e.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)

"""Following the archive without searching it: iCalendar of meetings, Atom feeds of decisions, and
saved-search alerts, all read from the store (used by web/follow.py and cli/feeds.py).

Calendars hold the meetings archived (minutes: held; agendas: announced) and the dates a meeting plan
lists ("Mødeplan for 2026": one date a line), written by hand to RFC 5545 (CRLF lines folded at 75
octets, text escaped, times in UTC so no VTIMEZONE is needed).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from referat.danish import NUMERIC_DATE, parse_time
from referat.dialect import run, sql_for
from referat.errors import NotFoundError, ReferatError

if TYPE_CHECKING:
    from referat.store import Archive, Filters

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
    # a coarse SQL filter, MEETING_PLAN_TITLE decides: lower() folds ASCII only (MØDEPLAN -> mØdeplan), so
    # "m_de" and not "møde"
    plans = run(conn, "SELECT i.pk, i.id, i.title, i.date, i.body_id, b.name FROM items i JOIN bodies b ON "
                      f"b.id = i.body_id WHERE lower(i.title) LIKE '%m_de%' {where_plan} ORDER BY i.pk",
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


# --- Atom feeds (RFC 4287) ----------------------------------------------------------------------

ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
FEED_SIZE = 50
CHANGE_DA = {"new": "Ny", "changed": "Ændret", "removed": "Fjernet"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot carry


@dataclass(frozen=True, slots=True)
class Feed:
    """What a feed follows: its title, its own path (/nyt/...), the page it follows, and which change rows
    (a condition on `c.` columns of the change log, with its parameters)."""

    title: str
    path: str
    page: str
    where: str = ""
    params: tuple[Any, ...] = ()


def committee_feed(conn: Connection, name_or_id: str, municipality: str | None = None) -> Feed:
    from referat.store.linked import find_body

    b = find_body(conn, name_or_id, municipality)
    return Feed(f"Nye og ændrede beslutninger i {b['name']}", f"/nyt/udvalg/{b['id']}", f"/udvalg/{b['id']}",
                "c.body_id = ?", (b["id"],))


def case_feed(conn: Connection, number: str) -> Feed:
    from urllib.parse import quote

    from referat.store.linked import case

    data = case(conn, number)  # raises NotFoundError for a case the archive does not hold
    shown = data["forms"][0] if data["forms"] else data["key"]
    return Feed(f"Sag {shown}: nye og ændrede beslutninger", f"/nyt/sag/{quote(number, safe='')}",
                f"/sag/{quote(number, safe='')}", "c.case_key = ?", (data["key"],))


def person_feed(conn: Connection, name_or_id: str) -> Feed:
    from referat.store.linked import find_person

    p = find_person(conn, name_or_id)
    # the meetings the person sat in, and the items they presented, voted on or were absent from
    where = ("c.meeting_id IN (SELECT meeting_id FROM participants WHERE person_id = ?) OR c.item_id IN "
             "(SELECT i.id FROM items i WHERE i.pk IN (SELECT item_pk FROM presenters WHERE person_id = ?) "
             "OR i.pk IN (SELECT item_pk FROM votes WHERE person_id = ?) "
             "OR i.pk IN (SELECT item_pk FROM attendance WHERE person_id = ?))")
    return Feed(f"Beslutninger med {p['name']}", f"/nyt/person/{p['id']}", f"/person/{p['id']}", where,
                (p["id"],) * 4)


def archive_feed() -> Feed:
    return Feed("Nye og ændrede beslutninger i arkivet", "/nyt", "/")


def _text(value: str | None) -> str:
    return _NOT_XML.sub("", value or "")


def _rfc3339(value: Any) -> str:
    return _stamp(value).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_title(c: dict[str, Any]) -> str:
    day = _day(c["date"])
    when = f" {day:%d.%m.%Y}" if day else ""
    return f"{CHANGE_DA[c['kind']]}: {c['committee']}{when}, punkt {c['label']}: {c['title']}"


def entry_text(c: dict[str, Any]) -> str:
    from referat.vocab import DECISION_KIND_DA

    kind = DECISION_KIND_DA.get(c["decision_kind"] or "", "ingen beslutning")
    parts = [f"Beslutning ({kind}): {c['decision'] or '–'}"]
    if c["kind"] == "changed":
        before = DECISION_KIND_DA.get(c["before_kind"] or "", "ingen beslutning")
        parts.append(f"Før ({before}): {c['before_decision'] or '–'}")
        if c["before_title"] != c["title"]:
            parts.append(f"Titel før: {c['before_title']}")
    if c["kind"] == "removed":
        parts.append("Punktet findes ikke længere i den nyeste udgave af mødets dokument.")
    return "\n\n".join(parts)


def atom(feed: Feed, rows: list[dict[str, Any]], base_url: str) -> str:
    """The change rows as an Atom feed document (newest first). Ids are the site's URLs: the feed's own,
    and each entry's item page with the change's sequence number as fragment."""
    from xml.etree import ElementTree as ET

    from referat.vocab import DECISION_KIND_DA

    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = _text(text)
        return el

    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "da"})
    sub(root, "id", base_url + feed.path)
    sub(root, "title", feed.title)
    sub(root, "updated", _rfc3339(rows[0]["at"]) if rows else "1970-01-01T00:00:00Z")
    sub(root, "link", rel="self", type="application/atom+xml", href=base_url + feed.path)
    sub(root, "link", rel="alternate", type="text/html", href=base_url + feed.page)
    sub(sub(root, "author"), "name", "referat")
    sub(root, "generator", "referat")
    for c in rows:
        e = sub(root, "entry")
        page = f"{base_url}/punkt/{c['item_id']}"
        sub(e, "id", f"{page}#aendring-{c['seq']}")
        sub(e, "title", entry_title(c))
        sub(e, "updated", _rfc3339(c["at"]))
        sub(e, "published", _rfc3339(c["at"]))
        sub(e, "link", rel="alternate", type="text/html", href=page)
        author = sub(e, "author")
        sub(author, "name", f"{c['committee']}" + (f", {c['municipality']} Kommune" if c["municipality"] else ""))
        sub(author, "uri", f"{base_url}/udvalg/{c['body_id']}")
        if c["decision_kind"]:
            sub(e, "category", term=c["decision_kind"], label=DECISION_KIND_DA.get(c["decision_kind"], ""))
        sub(e, "category", term=c["kind"], label=CHANGE_DA[c["kind"]], scheme=f"{base_url}/nyt#aendring")
        sub(e, "content", entry_text(c), type="text")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def feed_rows(conn: Connection, feed: Feed, limit: int = FEED_SIZE) -> list[dict[str, Any]]:
    from referat.store import changes

    return changes.since(conn, where=feed.where, params=feed.params, limit=limit)


# --- saved searches and alerts ------------------------------------------------------------------

FILTER_FIELDS = ("committee", "municipality", "date_from", "date_to", "year", "decision_kind", "case_number",
                 "person")
WATCH_REACH = 1000  # a run looks at this many of the query's newest hits (Archive.search's largest page)


class WatchError(ReferatError):
    """A saved search that cannot be added or run (unknown name, a webhook that refused the post)."""


@dataclass(frozen=True, slots=True)
class Watch:
    name: str
    query: str
    filters: dict[str, Any]
    webhook: str | None
    created_at: str
    last_seq: int | None
    last_run: str | None

    def search_filters(self) -> Filters:
        from referat.store import Filters

        values = dict(self.filters)
        for k in ("date_from", "date_to"):
            if values.get(k):
                values[k] = dt.date.fromisoformat(values[k])
        return Filters(**values)


def _watch(r: Any) -> Watch:
    return Watch(name=r["name"], query=r["query"], filters=json.loads(r["filters_json"]), webhook=r["webhook"],
                 created_at=r["created_at"], last_seq=r["last_seq"], last_run=r["last_run"])


def add_watch(archive: Archive, name: str, query: str, filters: Filters, webhook: str | None = None,
              now: dt.datetime | None = None) -> Watch:
    """Save a search under a name. The query is tried once, so a malformed one fails now, not in cron."""
    name = name.strip()
    if not name or len(name) > 200:
        raise WatchError("give the saved search a name of 1-200 characters (--name)")
    if webhook is not None and not re.match(r"^https?://", webhook):
        raise WatchError(f"the webhook must be an http:// or https:// URL, not {webhook!r}")
    archive.search(query, filters, limit=1, facets=False)  # raises QueryError for a malformed query
    values = {k: getattr(filters, k) for k in FILTER_FIELDS if getattr(filters, k) is not None}
    values = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}
    stamp = (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    with archive.engine.begin() as conn:
        if run(conn, "SELECT 1 FROM watches WHERE name = ?", (name,)).first():
            raise WatchError(f"a saved search named {name!r} exists; `referat watch remove {name}` first")
        run(conn, "INSERT INTO watches (name, query, filters_json, webhook, created_at) VALUES (?, ?, ?, ?, ?)",
            (name, query, json.dumps(values, ensure_ascii=False, sort_keys=True), webhook, stamp))
    return get_watch(archive, name)


def get_watch(archive: Archive, name: str) -> Watch:
    with archive.engine.connect() as conn:
        r = run(conn, "SELECT * FROM watches WHERE name = ?", (name,)).mappings().first()
    if r is None:
        raise NotFoundError(f"no saved search named {name!r}; `referat watch list` shows them")
    return _watch(r)


def list_watches(archive: Archive) -> list[Watch]:
    with archive.engine.connect() as conn:
        return [_watch(r) for r in run(conn, "SELECT * FROM watches ORDER BY name").mappings()]


def remove_watch(archive: Archive, name: str) -> None:
    get_watch(archive, name)
    with archive.engine.begin() as conn:
        run(conn, "DELETE FROM watches WHERE name = ?", (name,))


def watch_changes(archive: Archive, w: Watch, after: int = 0, limit: int = FEED_SIZE) -> list[dict[str, Any]]:
    """The change rows (newest first, after `after`) of items the saved search finds: the query's newest
    WATCH_REACH hits with the search's filters."""
    from referat.store import changes

    hits = archive.search(w.query, w.search_filters(), sort="date", limit=WATCH_REACH, facets=False).hits
    ids = sorted({h.id for h in hits})
    if not ids:
        return []
    with archive.engine.connect() as conn:
        return changes.since(conn, after=after, where=f"c.item_id IN ({', '.join('?' * len(ids))})",
                             params=tuple(ids), limit=limit)


def search_feed(w: Watch) -> Feed:
    from urllib.parse import quote, urlencode

    params = {"q": w.query, "udvalg": w.filters.get("committee"), "kommune": w.filters.get("municipality"),
              "aar": w.filters.get("year"), "beslutning": w.filters.get("decision_kind")}
    page = "/?" + urlencode({k: v for k, v in params.items() if v})
    if w.created_at:  # saved (referat watch add)
        return Feed(f"Gemt søgning »{w.name}«: {w.query}", f"/nyt/soegning/{quote(w.name, safe='')}", page)
    return Feed(f"Søgning: {w.query}", "/nyt/soeg" + page[1:], page)


def query_watch(query: str, filters: Filters) -> Watch:
    """A search followed without saving it (the search page's feed): a watch that is never stored."""
    values = {k: getattr(filters, k) for k in FILTER_FIELDS if getattr(filters, k) is not None}
    return Watch(name=query, query=query, filters={k: v.isoformat() if isinstance(v, dt.date) else v
                                                   for k, v in values.items()},
                 webhook=None, created_at="", last_seq=None, last_run=None)


def change_json(c: dict[str, Any], base_url: str) -> dict[str, Any]:
    """One change as an alert carries it."""
    day = _day(c["date"])
    return {"change": c["kind"], "seq": c["seq"], "at": c["at"], "item_id": c["item_id"],
            "url": f"{base_url}/punkt/{c['item_id']}", "committee": c["committee"], "municipality": c["municipality"],
            "date": day.isoformat() if day else None, "number": c["label"], "title": c["title"],
            "decision_kind": c["decision_kind"], "decision": c["decision"],
            **({"before": {"title": c["before_title"], "decision": c["before_decision"],
                           "decision_kind": c["before_kind"]}} if c["kind"] == "changed" else {})}


def run_watch(archive: Archive, w: Watch, *, webhook: str | None = None, base_url: str = "",
              now: dt.datetime | None = None, timeout: float = 10.0) -> dict[str, Any]:
    """One run of a saved search: its first run records the starting point only; later runs give what is
    new since the last, posted as JSON to the webhook when there is one (and something new). The point
    moves on only when the post succeeded, so a failed post is sent again next time."""
    from referat.store import changes

    stamp = (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    with archive.engine.connect() as conn:
        upto = changes.last_seq(conn)
    result: dict[str, Any] = {"watch": w.name, "query": w.query, "filters": w.filters, "since": w.last_seq,
                              "until": upto, "run_at": stamp, "items": []}
    if w.last_seq is None:
        result["status"] = "started"
    else:
        rows = [c for c in watch_changes(archive, w, after=w.last_seq, limit=WATCH_REACH) if c["seq"] <= upto]
        result["items"] = [change_json(c, base_url) for c in reversed(rows)]  # oldest first
        result["status"] = "new" if rows else "nothing"
        target = webhook or w.webhook
        if rows and target:
            import httpx

            try:
                response = httpx.post(target, json=result, timeout=timeout)
                response.raise_for_status()
            except httpx.HTTPError as exc:
                raise WatchError(f"{w.name}: posting to {target} failed ({exc}); the next run sends these again") from exc
            result["posted"] = target
    with archive.engine.begin() as conn:
        run(conn, "UPDATE watches SET last_seq = ?, last_run = ? WHERE name = ?", (upto, stamp, w.name))
    return result

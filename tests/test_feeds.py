"""Following the archive: iCalendar of meetings (validated with the icalendar package), Atom feeds
(validated with feedparser), the change log, and saved-search alerts posted to a local webhook."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT, SEEDS, needs_shared
from referat import feeds

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
PLAN_2026 = [dt.date(2026, 1, 7), dt.date(2026, 2, 4), dt.date(2026, 3, 4), dt.date(2026, 4, 8), dt.date(2026, 5, 6),
             dt.date(2026, 6, 3), dt.date(2026, 9, 7), dt.date(2026, 9, 30), dt.date(2026, 10, 28),
             dt.date(2026, 12, 2)]  # as listed under "Mødeplan for 2026" in the minutes of 04.06.2025


def test_plan_dates_one_a_line_with_their_notes() -> None:
    # team-written, in the shape of a meeting plan item
    text = ("Økonomiudvalget har 04.02.2025, punkt 15, godkendt mødeplan for 2026.\n\n"
            "Udvalgets møder holdes som udgangspunkt onsdage kl. 19.00.\n\n07.01.2026\n\n"
            "- 04.02.2026\nOnsdag 04.03.2026\n07.09.2026 (*Mødet afholdes mandag 07.09.2026)\n31.02.2026\n")
    assert feeds.plan_dates(text, 2025) == [(dt.date(2026, 1, 7), ""), (dt.date(2026, 2, 4), ""),
                                            (dt.date(2026, 3, 4), ""),
                                            (dt.date(2026, 9, 7), "Mødet afholdes mandag 07.09.2026")]
    assert feeds.plan_time(text) == "19:00"


def test_icalendar_lines_are_escaped_and_folded() -> None:
    import icalendar

    event = feeds.Event(uid="u@referat", day=dt.date(2026, 1, 7), start_time=None, summary="Møde; a, b",
                        description="æøå " * 40 + "\nny linje", location=None, url=None, status="TENTATIVE",
                        stamp=dt.datetime(2025, 6, 4, tzinfo=dt.timezone.utc), body_id="b")
    text = feeds.icalendar([event], "Udvalg")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    parsed = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(parsed["SUMMARY"]) == "Møde; a, b"
    assert str(parsed["DESCRIPTION"]) == "æøå " * 40 + "\nny linje"
    assert parsed.decoded("DTSTART") == dt.date(2026, 1, 7)


@pytest.fixture()
def seeds_db(new_db: Callable[[str], str]) -> str:
    from referat.ingest import ingest
    from referat.store import Archive

    db = new_db("feeds.db")
    with Archive(db) as a:
        assert ingest(a, [str(p) for p in SEEDS]).count("ingested") == len(SEEDS)
    return db


def _client(db: str):  # noqa: ANN202 - a TestClient
    from fastapi.testclient import TestClient

    from referat.api import create_app

    return TestClient(create_app(db, base="https://referat.example"))


@needs_shared
def test_committee_calendar_has_meetings_held_and_the_meeting_plan(seeds_db: str) -> None:
    import icalendar

    client = _client(seeds_db)
    body = client.get("/api/bodies").json()["data"][0]
    page = client.get(f"/udvalg/{body['id']}")
    assert f'href="/udvalg/{body["id"]}/kalender.ics"' in page.text  # linked, and advertised in <head>
    assert 'rel="alternate" type="text/calendar"' in page.text
    r = client.get(f"/udvalg/{body['id']}/kalender.ics")
    assert r.status_code == 200 and r.headers["content-type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(r.text)
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    events = cal.walk("VEVENT")
    for e in events:  # RFC 5545 requires UID and DTSTAMP; each has a start
        assert e["UID"] and e.decoded("DTSTAMP") and e.decoded("DTSTART")
    assert len({str(e["UID"]) for e in events}) == len(events)
    held = [e for e in events if str(e["STATUS"]) == "CONFIRMED"]
    planned = [e for e in events if str(e["STATUS"]) == "TENTATIVE"]
    assert sorted(e.decoded("DTSTART").astimezone(COPENHAGEN).date() for e in held) == [
        dt.date(2013, 4, 9), dt.date(2021, 11, 30), dt.date(2022, 3, 2), dt.date(2024, 4, 3), dt.date(2025, 6, 4)]
    first = next(e for e in held if e.decoded("DTSTART").year == 2021)
    assert first.decoded("DTSTART").astimezone(COPENHAGEN).strftime("%H:%M") == "16:30"
    assert str(first["LOCATION"]) == "Hovedbiblioteket - Pyramiden"
    assert str(first["URL"]).startswith("https://referat.example/moede/")
    starts = [e.decoded("DTSTART").astimezone(COPENHAGEN) for e in planned]
    assert [s.date() for s in starts] == PLAN_2026
    assert {s.strftime("%H:%M") for s in starts} == {"19:00"}  # "holdes som udgangspunkt onsdage kl. 19.00"
    september = next(e for e in planned if e.decoded("DTSTART").month == 9 and e.decoded("DTSTART").day == 7)
    assert "Mødet afholdes mandag 07.09.2026" in str(september["DESCRIPTION"])
    everything = icalendar.Calendar.from_ical(client.get("/kalender.ics").text).walk("VEVENT")
    assert len(everything) == len(events)  # one committee in the seeds
    assert client.get("/udvalg/000000000000/kalender.ics").status_code == 404


@needs_shared
def test_cli_calendar_writes_the_same_calendar(tmp_path: Path) -> None:
    import icalendar

    from referat.ingest import ingest
    from referat.store import Archive

    db = tmp_path / "a.db"
    with Archive(db) as a:
        ingest(a, [str(p) for p in SEEDS])
    done = subprocess.run([sys.executable, "-m", "referat.cli", "calendar", "--db", str(db), "--committee",
                           "Beskæftigelses- og Integrationsudvalget"], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    events = icalendar.Calendar.from_ical(done.stdout).walk("VEVENT")
    assert len(events) == 5 + len(PLAN_2026)

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


# --- Atom feeds and the change log ----------------------------------------------------------------

PLAN_SEED = next((p for p in SEEDS if p.name.startswith("002_")), None)


def _postponed(text: str) -> str:
    """The 2025 minutes with the meeting plan's decision changed from "Tiltrådt." to "Udsat."."""
    head, tail = text.split("Punkt 3: Mødeplan for 2026", 1)
    assert "Tiltrådt." in tail.split("Punkt 4:", 1)[0]
    return head + "Punkt 3: Mødeplan for 2026" + tail.replace("Tiltrådt.", "Udsat.", 1)


def _valid_atom(text: str) -> object:
    import feedparser

    parsed = feedparser.parse(text)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id and parsed.feed.title and parsed.feed.updated
    for e in parsed.entries:  # RFC 4287 §4.1.2: id, title, updated; a link; author (or the feed's, or source)
        assert e.id and e.title and e.updated and e.link
        assert e.get("author") or parsed.feed.get("author")
    return parsed


@needs_shared
def test_feeds_are_valid_atom_per_committee_case_person_and_search(seeds_db: str) -> None:
    client = _client(seeds_db)
    body = client.get("/api/bodies").json()["data"][0]
    committee = _valid_atom(client.get(f"/nyt/udvalg/{body['id']}").text)
    assert committee.feed.title == f"Nye og ændrede beslutninger i {body['name']}"
    assert len(committee.entries) == 48  # every item of the seeds, new (a feed holds up to feeds.FEED_SIZE)
    first = committee.entries[0]
    assert first.link.startswith("https://referat.example/punkt/") and first.id.startswith(first.link + "#aendring-")
    assert first.author == f"{body['name']}, Gladsaxe Kommune"
    assert first.title.startswith("Ny: Beskæftigelses- og Integrationsudvalget ")
    assert first.content[0].value.startswith("Beslutning (")
    case = _valid_atom(client.get("/nyt/sag/21-1-00.22.00-P35").text)
    assert [e.title for e in case.entries] == [
        "Ny: Beskæftigelses- og Integrationsudvalget 04.06.2025, punkt 3: Mødeplan for 2026"]
    assert case.entries[0].tags[0].term == "approved"
    person = _valid_atom(client.get("/nyt/person/Tom Vang Knudsen").text)
    # a member in 2013, a substitute on some items in 2025: the decisions of both
    assert {e.title.split(", punkt")[0][-10:] for e in person.entries} == {"09.04.2013", "04.06.2025"}
    search = _valid_atom(client.get("/nyt/soeg", params={"q": "mødeplan"}).text)
    assert [e.title.split(": ", 1)[1] for e in search.entries] == [
        "Beskæftigelses- og Integrationsudvalget 04.06.2025, punkt 3: Mødeplan for 2026"]
    _valid_atom(client.get("/nyt").text)
    assert client.get("/nyt/udvalg/000000000000").status_code == 404
    assert client.get("/nyt/soegning/findes-ikke").status_code == 404


@needs_shared
def test_pages_advertise_their_feeds(seeds_db: str) -> None:
    client = _client(seeds_db)
    body = client.get("/api/bodies").json()["data"][0]
    for page, feed in ((f"/udvalg/{body['id']}", f"/nyt/udvalg/{body['id']}"),
                       ("/sag/21-1-00.22.00-P35", "/nyt/sag/21-1-00.22.00-P35"),
                       ("/?q=jobklub", "/nyt/soeg?q=jobklub")):
        html = client.get(page).text
        assert '<link rel="alternate" type="application/atom+xml"' in html and f'href="{feed}"' in html
        assert "<summary>Følg</summary>" in html and f'value="https://referat.example{feed}"' in html
        assert client.get(feed).status_code == 200


@needs_shared
@pytest.mark.skipif(PLAN_SEED is None, reason="the 2025 minutes are not in the seeds")
def test_a_replaced_record_leaves_a_changed_row_and_entry(new_db: Callable[[str], str], tmp_path: Path) -> None:
    from referat.ingest import ingest
    from referat.store import Archive

    assert PLAN_SEED is not None
    minutes = tmp_path / "minutes.txt"
    minutes.write_text(PLAN_SEED.read_text(encoding="utf-8"), encoding="utf-8")
    db = new_db("changes.db")
    with Archive(db) as a:
        ingest(a, [str(minutes)])
        ingest(a, [str(minutes)])  # the same file again: skipped, nothing logged
        with a.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT kind, count(*) FROM changes GROUP BY kind").all() == [("new", 10)]
        minutes.write_text(_postponed(minutes.read_text(encoding="utf-8")), encoding="utf-8")
        assert ingest(a, [str(minutes)]).count("replaced") == 1
        with a.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT kind, label, decision_kind, before_kind, decision, before_decision "
                                        "FROM changes WHERE kind <> 'new'").all()
    substitutes = " Tom Vang Knudsen deltog i stedet for Kristine Henriksen og Lone Yalcinkaya deltog i stedet for " \
                  "Suleman Naim."
    assert [tuple(r) for r in rows] == [("changed", "3", "postponed", "approved", "Udsat." + substitutes,
                                         "Tiltrådt." + substitutes)]
    entries = _valid_atom(_client(db).get("/nyt/sag/21-1-00.22.00-P35").text).entries
    assert [e.title.split(":", 1)[0] for e in entries] == ["Ændret", "Ny"]
    assert "Før (Godkendt): Tiltrådt." in entries[0].content[0].value


@needs_shared
def test_migration_0008_logs_what_is_archived(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from referat.ingest import ingest
    from referat.store import Archive
    from referat.store.archive import MIGRATIONS

    db = tmp_path / "old.db"
    with Archive(db) as a:
        ingest(a, [str(p) for p in SEEDS])
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with a.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0007")  # an archive made before the change log
    with Archive(db) as a, a.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM changes WHERE kind = 'new'").scalar_one() == \
            conn.exec_driver_sql("SELECT count(*) FROM items").scalar_one() == 48


# --- saved searches posting to a webhook -----------------------------------------------------------

@pytest.fixture()
def receiver() -> object:
    """A webhook receiver on 127.0.0.1: collects the JSON bodies posted; answers `status` (200 unless set)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class State:
        posts: list[dict[str, object]] = []
        status = 200
        url = ""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            assert self.headers["Content-Type"] == "application/json"
            if State.status == 200:
                State.posts.append(json.loads(body))
            self.send_response(State.status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    State.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    State.posts = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield State
    server.shutdown()
    thread.join(timeout=5)


@needs_shared
@pytest.mark.skipif(PLAN_SEED is None, reason="the 2025 minutes are not in the seeds")
def test_watch_posts_what_is_new_to_a_webhook(new_db: Callable[[str], str], tmp_path: Path, receiver) -> None:  # noqa: ANN001
    from referat.ingest import ingest
    from referat.store import Archive, Filters

    assert PLAN_SEED is not None
    minutes = tmp_path / "minutes.txt"
    minutes.write_text(PLAN_SEED.read_text(encoding="utf-8"), encoding="utf-8")
    db = new_db("watch.db")
    with Archive(db) as a:
        ingest(a, [str(minutes)])
        w = feeds.add_watch(a, "plan", "mødeplan", Filters(committee="Beskæftigelses- og Integrationsudvalget"),
                            webhook=receiver.url)
        with pytest.raises(feeds.WatchError):
            feeds.add_watch(a, "plan", "noget andet", Filters())
        first = feeds.run_watch(a, w, base_url="https://referat.example")
        assert (first["status"], first["items"], receiver.posts) == ("started", [], [])
        minutes.write_text(_postponed(minutes.read_text(encoding="utf-8")), encoding="utf-8")
        ingest(a, [str(minutes)])
        receiver.status = 500  # the receiver is down: nothing is lost, the next run sends it again
        with pytest.raises(feeds.WatchError, match="sends these again"):
            feeds.run_watch(a, feeds.get_watch(a, "plan"))
        receiver.status = 200
        second = feeds.run_watch(a, feeds.get_watch(a, "plan"), base_url="https://referat.example")
        assert second["status"] == "new" and second["posted"] == receiver.url
        assert len(receiver.posts) == 1
        post = receiver.posts[0]
        assert post["watch"] == "plan" and post["filters"] == {"committee": "Beskæftigelses- og Integrationsudvalget"}
        [item] = post["items"]
        assert (item["change"], item["title"], item["decision_kind"], item["before"]["decision_kind"]) \
            == ("changed", "Mødeplan for 2026", "postponed", "approved")
        assert item["decision"].startswith("Udsat.") and item["before"]["decision"].startswith("Tiltrådt.")
        assert item["url"].startswith("https://referat.example/punkt/") and item["date"] == "2025-06-04"
        third = feeds.run_watch(a, feeds.get_watch(a, "plan"))
        assert third["status"] == "nothing" and len(receiver.posts) == 1


@needs_shared
@pytest.mark.skipif(PLAN_SEED is None, reason="the 2025 minutes are not in the seeds")
def test_watch_commands(tmp_path: Path, receiver) -> None:  # noqa: ANN001
    import json

    assert PLAN_SEED is not None
    minutes = tmp_path / "minutes.txt"
    minutes.write_text(PLAN_SEED.read_text(encoding="utf-8"), encoding="utf-8")
    db = str(tmp_path / "a.db")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "referat.cli", *args, "--db", db], capture_output=True, text=True,
                              timeout=120, env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})

    assert cli("ingest", str(minutes)).returncode == 0
    added = cli("watch", "add", "mødeplan", "--name", "plan")
    assert added.returncode == 0 and added.stdout.strip() == "gemt søgning »plan«: mødeplan"
    assert cli("watch", "add", "(", "--name", "bad").returncode == 1  # a malformed query fails now, not in cron
    started = cli("watch", "run")
    assert started.stdout.startswith("plan: startpunktet er gemt")
    minutes.write_text(_postponed(minutes.read_text(encoding="utf-8")), encoding="utf-8")
    cli("ingest", str(minutes))
    printed = cli("watch", "run", "--base-url", "https://referat.example")
    lines = printed.stdout.splitlines()
    assert lines[0] == "plan: 1 ny eller ændret"
    assert lines[1].split()[:5] == ["ændret", "4.", "juni", "2025", "Beskæftigelses-"] and "[Udsat]" in lines[1]
    assert json.loads(cli("watch", "run", "-f", "json").stdout)[0]["status"] == "nothing"
    listed = json.loads(cli("watch", "list", "-f", "json").stdout)
    assert [(w["name"], w["query"]) for w in listed] == [("plan", "mødeplan")]
    assert cli("watch", "remove", "plan").returncode == 0 and cli("watch", "run", "--name", "plan").returncode == 1


def test_atom_carries_untrusted_text_inert_and_well_formed() -> None:
    # team-written: a title with markup and a decision with a form feed, as PDF text can hold
    row = {"seq": 7, "at": "2026-01-02T03:04:05+00:00", "kind": "changed", "item_id": "abc", "meeting_id": "m",
           "body_id": "b", "case_key": None, "date": dt.date(2026, 1, 2), "label": "4",
           "title": "<script>alert(1)</script> & co", "decision": "Godkendt.\x0cSide 2", "decision_kind": "approved",
           "before_title": "Gammel titel", "before_decision": "Udsat.", "before_kind": "postponed",
           "committee": "Teknik- og Miljøudvalget", "municipality": "Vesterå"}
    text = feeds.atom(feeds.Feed("Test", "/nyt/test", "/"), [row], "https://referat.example")
    parsed = _valid_atom(text)
    [e] = parsed.entries
    assert e.title == "Ændret: Teknik- og Miljøudvalget 02.01.2026, punkt 4: <script>alert(1)</script> & co"
    assert "&lt;script&gt;" in text and "<script>" not in text
    assert e.content[0].value == ("Beslutning (Godkendt): Godkendt.Side 2\n\nFør (Udsat): Udsat.\n\n"
                                  "Titel før: Gammel titel")
    assert e.updated == "2026-01-02T03:04:05Z" and e.id == "https://referat.example/punkt/abc#aendring-7"

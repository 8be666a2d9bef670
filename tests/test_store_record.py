"""Nothing lost through the store, and one meeting one record.

Numbers as printed ("1.1", "38a"), section roles, the meeting's source and the decision kinds rejected /
postponed / referred go in and come back out of every face: the Archive API, `referat show`, the JSON
API, the exports, OParl and the web item page. The identity rule: a meeting is keyed by its source's
meeting id, else by municipality + body + date + start time, never by its kind, so minutes replace the
agenda of the same meeting; migration 0006 does the same for archives that hold both. Every test runs
on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, make_url
from typer.testing import CliRunner

from referat.api import create_app
from referat.cli import app
from referat.ingest import ingest
from referat.model import Item, Meeting, MeetingSource, ParsedDocument, Section
from referat.names import stable_id
from referat.oparl import OParl
from referat.parse import parse_file, parse_structured
from referat.sources.publication_api import meeting_from_json
from referat.sources.record import StructuredAttachment, StructuredItem, StructuredMeeting
from conftest import EXAMPLES
from referat.errors import NotFoundError
from referat.store import Archive, Filters
from referat.store.archive import MIGRATIONS
from referat.store.rows import document_rows

NOW = "2026-01-01T00:00:00+00:00"
GUID = "5034dee3-1c7e-4a5b-9d1e-0f2a3b4c5d6e"
HOST = "dagsordener.example.dk"


def _meeting(kind: str = "minutes", *, source: MeetingSource | None = None, start: str | None = "17:00",
             date: dt.date = dt.date(2024, 3, 12), committee: str = "Økonomiudvalget") -> Meeting:
    return Meeting(kind=kind, committee=committee, date=date, start_time=start, location="Rådhuset", source=source)


def _items() -> list[Item]:
    return [
        Item(number=1, title="Godkendelse af dagsorden", decision="Godkendt.", decision_kind="approved",
             sections=[Section(heading="Beslutning", role="decision", text="Godkendt.")]),
        Item(number="1.1", title="Tillæg til dagsorden", decision="Ikke godkendt.", decision_kind="rejected",
             sections=[Section(heading="Resume", role="summary", text="Et tillæg."),
                       Section(heading="Beslutning", role="decision", text="Ikke godkendt.")]),
        Item(number="38a", title="Ny skolestruktur", decision="Udsat.", decision_kind="postponed",
             attachments=["Bilag 1: Kort over skoledistrikter", "Bilag 2: Høringssvar"],
             sections=[Section(heading="Sagsfremstilling", role="case", text="Forvaltningen foreslår."),
                       Section(heading="Økonomi", role="economy", text="Ingen udgifter."),
                       Section(heading="Særlige bemærkninger", role="other", text="Ingen.")]),
        Item(number=39, title="Trafikplan", decision="Fremsendes til Teknisk Udvalg.", decision_kind="referred"),
    ]


def _record() -> StructuredMeeting:
    """What a structured reader gives beside the parse record: URLs of an item and its attachments."""
    return StructuredMeeting(system="publication-api", committee="Økonomiudvalget", date=dt.date(2024, 3, 12), items=[
        StructuredItem(number=1, title="Godkendelse af dagsorden"),
        StructuredItem(number="1.1", title="Tillæg til dagsorden"),
        StructuredItem(number="38a", title="Ny skolestruktur", url=f"https://{HOST}/vis/pdf/dagsordenpunkt/abc",
                       attachments=[StructuredAttachment("Bilag 1: Kort over skoledistrikter",
                                                         f"https://{HOST}/vis/pdf/bilag/b1?redirectDirectlyToPdf=true"),
                                    StructuredAttachment("Bilag 2: Høringssvar")]),
        StructuredItem(number=39, title="Trafikplan")])


def _store(archive: Archive, doc: ParsedDocument, path: str, *, record: StructuredMeeting | None = None,
           text: str | None = None) -> str:
    text = text or f"{path} {doc.meeting.kind}"
    rows = document_rows(doc, sha256=stable_id("doc", text) * 4, path=path, text=text, fmt="publication-api",
                         encoding="utf-8", size=len(text), now=NOW, municipality="Vesterå", record=record,
                         url=f"https://{HOST}/api/agenda/dagsorden/{GUID}" if record else None,
                         fetched_at=NOW if record else None)
    [result] = archive.store_many([rows])
    assert not isinstance(result, Exception), result
    return result


@pytest.fixture()
def stored(new_db: Callable[[str], str]) -> tuple[Archive, str]:
    archive = Archive(new_db("a.db"))
    source = MeetingSource(system="publication-api", url=f"https://{HOST}/vis?id={GUID}", id=GUID)
    _store(archive, ParsedDocument(meeting=_meeting(source=source), items=_items()), "greve.json", record=_record())
    [meeting] = _meeting_ids(archive)
    return archive, meeting


def _meeting_ids(archive: Archive) -> list[str]:
    with archive.engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT id FROM meetings ORDER BY id")]


def _item(archive: Archive, meeting_id: str, number: int | str) -> dict:
    [found] = [i for i in archive.meeting(meeting_id)["items"] if i["number"] == number]
    return archive.item(found["id"])


# --- nothing lost ---------------------------------------------------------------------------------

def test_numbers_roles_source_and_kinds_round_trip_through_the_archive(stored: tuple[Archive, str]) -> None:
    archive, mid = stored
    m = archive.meeting(mid)
    assert [i["number"] for i in m["items"]] == [1, "1.1", "38a", 39]
    assert [i["decision_kind"] for i in m["items"]] == ["approved", "rejected", "postponed", "referred"]
    assert m["source"] == {"system": "publication-api", "url": f"https://{HOST}/vis?id={GUID}", "id": GUID}
    assert m["document_url"] == f"https://{HOST}/api/agenda/dagsorden/{GUID}"
    it = _item(archive, mid, "38a")
    assert [(s["heading"], s["role"]) for s in it["sections"]] == [
        ("Sagsfremstilling", "case"), ("Økonomi", "economy"), ("Særlige bemærkninger", "other")]
    assert it["source"]["url"] == f"https://{HOST}/vis?id={GUID}"
    assert it["url"] == f"https://{HOST}/vis/pdf/dagsordenpunkt/abc"
    assert it["attachments"] == ["Bilag 1: Kort over skoledistrikter", "Bilag 2: Høringssvar"]
    assert it["attachment_links"] == [
        {"title": "Bilag 1: Kort over skoledistrikter", "url": f"https://{HOST}/vis/pdf/bilag/b1?redirectDirectlyToPdf=true"},
        {"title": "Bilag 2: Høringssvar", "url": None}]
    # the sub-item has an id of its own; integer-numbered items hash exactly as before labels were kept
    ids = {i["number"]: i["id"] for i in m["items"]}
    assert ids[1] == stable_id("item", mid, 1, 1) and ids[39] == stable_id("item", mid, 39, 1)
    assert len(set(ids.values())) == 4
    # the new kinds are filters like any other
    for kind, title in (("rejected", "Tillæg til dagsorden"), ("postponed", "Ny skolestruktur"),
                        ("referred", "Trafikplan")):
        assert [r["title"] for r in archive.export(Filters(decision_kind=kind))] == [title]
        hits = archive.search("tillæg OR skolestruktur OR trafikplan", Filters(decision_kind=kind)).hits
        assert [h.title for h in hits] == [title]
    assert [h.number for h in archive.search("tillæg").hits] == ["1.1"]


def test_export_json_and_csv_keep_printed_numbers_and_origins(stored: tuple[Archive, str]) -> None:
    archive, _ = stored
    run = CliRunner().invoke
    res = run(app, ["export", "--db", archive.db])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [x["number"] for x in lines] == [1, "1.1", "38a", 39]
    assert lines[1]["sections"][0] == {"heading": "Resume", "role": "summary", "text": "Et tillæg."}
    assert {x["source"]["id"] for x in lines} == {GUID}
    res = run(app, ["export", "--format", "csv", "--kind", "postponed", "--db", archive.db])
    assert res.exit_code == 0, res.output
    [row] = list(csv.DictReader(io.StringIO(res.stdout)))
    assert (row["number"], row["decision_kind"], row["meeting_url"]) == ("38a", "postponed", f"https://{HOST}/vis?id={GUID}")
    assert row["url"] == f"https://{HOST}/vis/pdf/dagsordenpunkt/abc"


def test_show_prints_numbers_as_printed_and_the_origin(stored: tuple[Archive, str]) -> None:
    archive, mid = stored
    run = CliRunner().invoke
    res = run(app, ["show", "meeting", mid, "--db", archive.db])
    assert res.exit_code == 0, res.output
    assert "1.1" in res.stdout and "38a" in res.stdout and f"https://{HOST}/vis?id={GUID}" in res.stdout
    res = run(app, ["show", "item", _item(archive, mid, "38a")["id"], "--db", archive.db])
    assert res.exit_code == 0, res.output
    assert "Punkt 38a: Ny skolestruktur" in res.stdout and "beslutning: Udsat" in res.stdout
    assert f"bilag: Bilag 1: Kort over skoledistrikter  https://{HOST}/vis/pdf/bilag/b1" in res.stdout


def test_json_api_oparl_and_web_page_keep_them(stored: tuple[Archive, str]) -> None:
    archive, mid = stored
    item_id = _item(archive, mid, "38a")["id"]
    client = TestClient(create_app(archive.db))
    data = client.get(f"/api/items/{item_id}").json()
    assert data["number"] == "38a" and data["decision_kind"] == "postponed"
    assert data["sections"][1] == {"heading": "Økonomi", "role": "economy", "text": "Ingen udgifter."}
    assert client.get(f"/api/meetings/{mid}").json()["source"]["id"] == GUID
    res = client.get("/api/search", params={"q": "trafikplan", "kind": "referred"})
    assert res.status_code == 200 and [h["number"] for h in res.json()["hits"]] == [39]
    oparl = client.get(f"/oparl/v1/meeting/{mid}").json()
    assert [a["number"] for a in oparl["agendaItem"]] == ["1", "1.1", "38a", "39"]
    assert client.get(f"/oparl/v1/agendaitem/{item_id}").json()["result"] == "Udsat"
    html = client.get(f"/punkt/{item_id}").text
    assert "Punkt 38a: Ny skolestruktur" in html and "Udsat" in html
    assert f'href="https://{HOST}/vis?id={GUID}"' in html
    assert f'href="https://{HOST}/vis/pdf/bilag/b1?redirectDirectlyToPdf=true"' in html
    assert "<li>Bilag 2: Høringssvar</li>" in html  # no URL in the source: no link
    page = client.get(f"/moede/{mid}").text
    assert "Punkt 1.1:" in page and f'href="https://{HOST}/vis?id={GUID}"' in page
    client.close()


def test_a_number_of_digits_int_refuses_is_kept_as_printed_through_reader_store_and_web(
        new_db: Callable[[str], str]) -> None:
    """A fuzzer's finding: "³" passes str.isdigit(), and int("³") raised in the reader, the store's label and
    the web. It is a printed number like "38a"."""
    obj = {"Id": "m1", "Udvalg": {"Navn": "Teknisk Udvalg"}, "Moede": {"Dato": "2024-03-04T08:15:00"},
           "Dagsordenpunkter": [{"Id": "i1", "Punktnummer": "³", "Navn": "Vejplan", "Sorting": 1,
                                 "Felter": [{"Navn": "", "Html": "<p>Godkendt.</p>"}]}]}
    record = meeting_from_json(obj)
    assert record.items[0].number == "³"
    archive = Archive(new_db("a.db"))
    _store(archive, parse_structured(record), "m1.json", record=record)
    [mid] = _meeting_ids(archive)
    assert [i["number"] for i in archive.meeting(mid)["items"]] == ["³"]
    client = TestClient(create_app(archive.db))
    assert "Punkt ³: " in client.get(f"/moede/{mid}").text
    client.close()


# --- one meeting, one record ------------------------------------------------------------------------

def test_minutes_replace_the_agenda_of_the_same_meeting_and_not_the_reverse(new_db: Callable[[str], str]) -> None:
    archive = Archive(new_db("a.db"))
    agenda = ParsedDocument(meeting=_meeting("agenda"), items=[Item(number=1, title="Budget")])
    minutes = ParsedDocument(meeting=_meeting("minutes"), items=[Item(number=1, title="Budget", decision="Godkendt.",
                                                                       decision_kind="approved")])
    assert _store(archive, agenda, "dagsorden.pdf") == "ingested"
    assert _store(archive, minutes, "referat.pdf") == "replaced"
    [mid] = _meeting_ids(archive)
    assert archive.meeting(mid)["kind"] == "minutes"
    # the agenda read again later does not push the minutes out
    assert _store(archive, agenda, "dagsorden.pdf") == "skipped"
    assert archive.meeting(mid)["kind"] == "minutes" and archive.stats()["documents"] == 1
    # another meeting of the same body the same day, at another time, is a record of its own
    evening = ParsedDocument(meeting=_meeting("minutes", start="19:30"), items=[Item(number=1, title="Ekstra")])
    assert _store(archive, evening, "aften.pdf") == "ingested"
    assert len(_meeting_ids(archive)) == 2


def test_a_source_meeting_id_is_the_identity(new_db: Callable[[str], str]) -> None:
    archive = Archive(new_db("a.db"))
    source = MeetingSource(system="publication-api", url=f"https://{HOST}/vis?id={GUID}", id=GUID)
    first = ParsedDocument(meeting=_meeting("agenda", source=source), items=[Item(number=1, title="Budget")])
    # the same meeting id, moved to another start time and now with decisions: the same record
    later = ParsedDocument(meeting=_meeting("minutes", source=source, start="16:00"),
                           items=[Item(number=1, title="Budget", decision="Godkendt.", decision_kind="approved")])
    assert _store(archive, first, f"https://{HOST}/api/agenda/dagsorden/{GUID}", text="v1") == "ingested"
    assert _store(archive, later, f"https://{HOST}/api/agenda/dagsorden/{GUID}", text="v2") == "replaced"
    [mid] = _meeting_ids(archive)
    assert archive.meeting(mid)["start_time"] == "16:00"
    # a file of the same committee and time without a source id is another record
    plain = ParsedDocument(meeting=_meeting("minutes", start="16:00"), items=[Item(number=1, title="Budget")])
    assert _store(archive, plain, "budget.pdf") == "ingested"
    assert len(_meeting_ids(archive)) == 2


def test_integer_item_ids_are_unchanged_by_labels(tmp_path: Path, new_db: Callable[[str], str]) -> None:
    """Items numbered by integers hash as they always did: meeting id + number + occurrence."""
    from referat.testing.fixtures import write_documents

    archive = Archive(new_db("a.db"))
    ingest(archive, [str(p) for p in write_documents(tmp_path / "docs")])
    for mid in _meeting_ids(archive):
        seen: dict[int, int] = {}
        for i in archive.meeting(mid)["items"]:
            assert isinstance(i["number"], int)
            seen[i["number"]] = seen.get(i["number"], 0) + 1
            assert i["id"] == stable_id("item", mid, i["number"], seen[i["number"]])


# --- migration 0006 on an archive made before it ------------------------------------------------------

def _old_archive(db: str) -> None:
    """An archive at revision 0005 holding the agenda and the minutes of one meeting (ids as 0005 made
    them: the kind in the meeting's key) and one other meeting."""
    url = make_url(db if "://" in db else f"sqlite:///{db}")
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
        command.downgrade(cfg, "0005")  # a PostgreSQL test database is copied from one at the newest revision
    docs = [(ParsedDocument(meeting=_meeting("agenda"), items=[Item(number=1, title="Budget")]), "dagsorden.txt"),
            (ParsedDocument(meeting=_meeting("minutes"), items=[
                Item(number=1, title="Budget", decision="Godkendt.", decision_kind="approved",
                     sections=[Section(heading="Beslutning", role="decision", text="Godkendt."),
                               Section(heading="Sagsfremstilling", role="case", text="Forslag.")])]), "referat.txt"),
            (ParsedDocument(meeting=_meeting("minutes", date=dt.date(2024, 4, 2)), items=[
                Item(number=1, title="Opfølgning", related=[])]), "april.txt")]
    with engine.begin() as conn:
        columns = {t: {c["name"] for c in inspect(conn).get_columns(t)} for t in inspect(conn).get_table_names()}

        def put(table: str, rows: list[dict]) -> None:
            for r in rows:
                keep = {k: (v.isoformat() if isinstance(v, dt.date) and conn.dialect.name == "sqlite" else v)
                        for k, v in r.items() if k in columns[table]}
                cols = ", ".join(keep)
                conn.exec_driver_sql(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s' if conn.dialect.name == 'postgresql' else '?'] * len(keep))})",
                                     tuple(keep.values()))

        pk = 0
        for i, (doc, path) in enumerate(docs):
            rows = document_rows(doc, sha256=stable_id("old", path) * 4, path=path, text=path, fmt="text",
                                 encoding="utf-8", size=1, now=f"2025-01-0{i + 1}T00:00:00+00:00", municipality="Vesterå")
            m = doc.meeting
            old_mid = stable_id("meeting", rows.body["id"], m.kind, m.date, "")
            rows.meeting["id"] = old_mid
            put("documents", [rows.document])
            if i == 0:
                put("bodies", [rows.body])
            put("meetings", [rows.meeting])
            for n, item in enumerate(rows.items):
                pk += 1
                put("items", [{**item, "pk": pk, "meeting_id": old_mid,
                               "id": stable_id("item", old_mid, item["number"], 1)}])
                put("sections", [{**c, "item_pk": pk} for c in rows.children.get("sections", []) if c["item"] == n])
    engine.dispose()


def test_migration_keeps_the_minutes_and_keys_meetings_again(new_db: Callable[[str], str]) -> None:
    db = new_db("old.db")
    _old_archive(db)
    archive = Archive(db)  # migrates to the newest revision
    mids = _meeting_ids(archive)
    assert len(mids) == 2
    march = next(archive.meeting(m) for m in mids if archive.meeting(m)["date"] == "2024-03-12")
    assert march["kind"] == "minutes" and march["path"] == "referat.txt"
    body = stable_id("body", "vesterå", "økonomiudvalget")
    assert march["id"] == stable_id("meeting", body, "2024-03-12", "17:00")
    [item] = march["items"]
    assert item["id"] == stable_id("item", march["id"], 1, 1) and item["number"] == 1
    full = archive.item(item["id"])
    assert [(s["heading"], s["role"]) for s in full["sections"]] == [("Beslutning", "decision"),
                                                                      ("Sagsfremstilling", "case")]
    assert archive.stats()["documents"] == 2
    # the search index follows the database: the agenda's item is gone, the minutes' found
    assert [h.id for h in archive.search("budget").hits] == [item["id"]]
    archive.close()


# --- migration 0007 on an archive made before it ------------------------------------------------------

def test_migration_0007_fills_printed_forms_and_old_documents_get_their_originals_on_ingest(
        new_db: Callable[[str], str]) -> None:
    """An archive at 0006 (made here by ingesting at the newest revision and going down to 0006, which
    drops what 0007 adds) comes up with the printed committee and names from what it kept: the body's and
    people's names, the absentees, substitutes and votes that were people. Its documents have no original
    until their files are ingested again; until then OParl's File is their text, exactly as served."""
    path = EXAMPLES / "vesteraa_oekonomiudvalg_2024-04-02.txt"
    db = new_db("old.db")
    with Archive(db) as archive:
        assert ingest(archive, [str(path)]).count("ingested") == 1
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with archive.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0006")
    parsed = parse_file(path).to_contract()
    with Archive(db) as archive:  # migrates to the newest revision again
        [record] = list(archive.export_meetings())
        assert record["meeting"] == parsed["meeting"]
        for got, want in zip(record["items"], parsed["items"]):
            assert got["absent"] == want["absent"] and got["substitutes"] == want["substitutes"]
            people = {k: [n for n in v if " " in n] for k, v in (want["votes"] or {}).items()}  # party letters are lost
            assert got["votes"] == (people if any(people.values()) else None)
        assert any(i["votes"] for i in parsed["items"]) and not any(i["votes"] for i in record["items"])
        sha = record["document_id"]
        with pytest.raises(NotFoundError, match="before originals were kept"):
            archive.original(sha)
        with archive.engine.connect() as conn:
            f = OParl(conn, "https://x.example").file(sha)
        assert f["mimeType"] == "text/plain; charset=utf-8" and f["accessUrl"].endswith(f"/api/documents/{sha}/text")
        assert f["size"] == len(f["text"].encode("utf-8"))
        assert ingest(archive, [str(path)]).count("skipped") == 1  # the same record, now with its file
        assert archive.original(sha)["content"] == path.read_bytes()
        with archive.engine.connect() as conn:
            f = OParl(conn, "https://x.example").file(sha)
        assert f["mimeType"] == "text/plain; charset=utf-8" and f["size"] == path.stat().st_size
        assert f["accessUrl"].endswith(f"/api/documents/{sha}/original")

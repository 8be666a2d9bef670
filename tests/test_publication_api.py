"""The publication system's meeting JSON (sources/publication_api.py) and the structured road (parse/structured.py).

Real responses of Greve Kommune live in ../shared/corpus/publication-api/greve/ (never copied here); the facts
asserted below were picked by hand from those files. The whole archive (370 files) runs in bench/greve.py;
here a sample of it keeps `make test` fast. The structured road is also checked against the text road on a
meeting written by the team: the same item read from text and from a structured record gives the same fields.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from conftest import SHARED
from referat.errors import NotMinutesError, SourceError
from referat.parse import parse_file, parse_source, parse_text
from referat.parse.structured import parse_structured
from referat.sources import read_source, sniff
from referat.sources.html import html_sections
from referat.sources.publication_api import meeting_from_json
from referat.sources.record import (StructuredAttachment, StructuredItem, StructuredMeeting, StructuredParticipant,
                                    StructuredSection)

GREVE = SHARED / "corpus" / "publication-api" / "greve"
FILES = sorted(GREVE.glob("*.json"))
needs_greve = pytest.mark.skipif(not FILES, reason=f"no Greve meeting JSON in {GREVE}")


def greve(name: str) -> Path:
    return next(p for p in FILES if p.name.startswith(name))


def item(doc, number):  # type: ignore[no-untyped-def]
    return next(i for i in doc.items if i.number == number)


# --- reading by content ------------------------------------------------------------------------------

@needs_greve
def test_meeting_json_is_read_by_content_and_kept_verbatim(tmp_path: Path) -> None:
    source = greve("2022-01-10_oekonomiudvalget")
    renamed = tmp_path / "meeting.txt"  # the name says nothing; the keys do
    renamed.write_bytes(source.read_bytes())
    assert sniff(source.read_bytes()) == "publication-api"
    read = read_source(renamed)
    assert read.format == "publication-api"
    assert read.text == source.read_text(encoding="utf-8")
    assert read.record is not None and read.record.system == "publication-api"
    assert parse_source(read).source["format"] == "publication-api"


@needs_greve
def test_header_from_the_meeting_local_time_and_source() -> None:
    doc = parse_file(greve("2022-01-10_oekonomiudvalget"))
    m = doc.meeting
    assert (m.kind, m.committee, m.date, m.start_time, m.location) == (
        "minutes", "Økonomiudvalget", dt.date(2022, 1, 10), "07:45", "Biblioteket")
    assert m.source is not None and m.source.system == "publication-api"
    assert m.source.id == "e049b9bf-8473-4034-9a27-cd30a5583562"  # the top-level Id; Moede.Id is all zeros
    # the response's own links (Felter[].Link) name the host
    assert m.source.url == "https://dagsordener.greve.dk/vis?id=e049b9bf-8473-4034-9a27-cd30a5583562"
    assert [p.name for p in m.participants][:2] == ["Liselott Blixt", "John T. Olsen"]
    summer = parse_file(greve("2022-06-20_byraad")).meeting  # MeetingBeginUtc "2022-06-20T17:00:00+02:00"
    assert (summer.committee, summer.election_period, summer.start_time) == ("Byråd", "2022-2025", "17:00")


@needs_greve
def test_closed_item_keeps_its_decision_printed_without_heading() -> None:
    doc = parse_file(greve("2022-01-10_oekonomiudvalget"))
    closed = item(doc, 3)
    assert closed.closed and closed.title.startswith("Orientering om politiets afgørelse")
    assert closed.decision is not None and closed.decision.startswith("Økonomiudvalget anbefaler overfor byrådet")
    assert "undlod at tage stilling" in closed.decision
    assert closed.decision_kind == "recommended"
    assert [s.role for s in closed.sections] == ["decision"]
    assert not item(doc, 1).closed  # IsOpen is false on every item: it says nothing
    assert item(doc, 4).decision == "."  # Underskriftsark prints "." under Beslutning


@needs_greve
def test_withheld_decision_is_no_decision() -> None:
    doc = parse_file(greve("2023-09-25_oekonomiudvalget"))
    withheld = item(doc, 6)
    assert withheld.closed and withheld.decision is None and withheld.decision_kind is None
    assert [(s.heading, s.role, s.text) for s in withheld.sections] == [("", "other", "Beslutning ikke frigivet")]
    assert item(doc, 8).decision_kind == "rejected"  # "1. Anbefales ikke 2. Anbefales ikke ..."


@needs_greve
def test_absences_from_attendee_list_meeting_flags_and_text() -> None:
    doc = parse_file(greve("2022-12-12_byraad"))
    # Moede: John T. Olsen and Marc Genning flagged Absent: absent from every item
    assert all({"John T. Olsen", "Marc Genning"} <= set(i.absent) for i in doc.items)
    # item 11's decision names no one; its attendee list says Mehmet Zeki Dogru was absent
    eleven = item(doc, 11)
    assert "Mehmet Zeki Dogru" not in (eleven.decision or "")
    assert "Mehmet Zeki Dogru" in eleven.absent
    assert "Mehmet Zeki Dogru" not in item(doc, 13).absent
    # ParticipationCancelled reads as Afbud; the decision says the same ("Afbud: Kenneth Jerkel, Linda Heegaard")
    council = parse_file(greve("2024-01-08_byraad"))
    assert all(set(i.absent) == {"Kenneth Jerkel", "Linda Heegaard"} for i in council.items)


@needs_greve
def test_sections_as_printed_with_their_headings() -> None:
    doc = parse_file(greve("2022-12-12_byraad"))
    twelve = item(doc, 12)
    assert [(s.heading, s.role) for s in twelve.sections] == [
        ("Beslutning", "decision"), ("Fremstilling", "other"), ("Sagsprocedure", "other"), ("Resume", "summary"),
        ("Indstilling", "recommendation"), ("Sagsbeskrivelse", "case"), ("Lovgrundlag", "legal"),
        ("Økonomiske konsekvenser", "economy"), ("Sagens forløb", "history")]
    assert twelve.sections[-1].text.startswith("28-11-2022 Økonomiudvalget")
    assert len(twelve.recommendation) == 5 and twelve.recommendation[0].startswith("ajourføring af afsnit")
    assert item(doc, 17).votes is not None and "Liselott Blixt" in item(doc, 17).votes.for_
    # body text set in h4 (Resume, Indstilling) is text, not a heading of its own
    report = item(parse_file(greve("2023-05-22_beskaeftigelses-og-erhvervsudvalget")), 3)
    resume = next(s for s in report.sections if s.heading == "Resume")
    assert resume.text.startswith("Årsregnskab 2022 og revisionens beretning")
    assert report.recommendation == ["at orienteringen om det samlede årsregnskab 2022 og revisionens beretning "
                                     "tages til efterretning."]


@needs_greve
def test_layout_with_title_repeated_then_decision() -> None:
    """9 January 2023: no Beslutning heading; each item repeats its title, then prints its decision."""
    doc = parse_file(greve("2023-01-09_beskaeftigelses-og-erhvervsudvalget"))
    assert doc.meeting.kind == "minutes"
    assert item(doc, 1).decision == "Godkendt." and item(doc, 1).decision_kind == "approved"
    assert item(doc, 3).decision_kind == "other"  # "Udkast til politikken blev drøftet, ..."
    assert item(doc, 9).decision is None and item(doc, 9).sections[0].heading == "Sagsprocedure"
    plan = item(doc, 2)
    assert plan.tables[0].header == ["Dato", "Handling"] and plan.tables[0].rows[-1] == [
        "15. Maj 2023", "Godkendelse af politikker i byrådet"]
    assert plan.attachments == ["Beskæftigelsespolitikken 2023-2026"]
    assert set(plan.absent) == {"Kenneth Jerkel", "Brigitte Klintskov Jerkel"}


@needs_greve
def test_question_answer_containers_are_refused_with_a_reason() -> None:
    containers = [p for p in FILES if "spoergsmaal-svar" in p.name]
    assert len(containers) == 4
    for path in containers:
        with pytest.raises(NotMinutesError, match="question/answer container"):
            parse_file(path)


@needs_greve
def test_host_from_the_caller_or_none(tmp_path: Path) -> None:
    obj = json.loads(greve("2022-01-10_oekonomiudvalget").read_text(encoding="utf-8"))
    for it in obj["Dagsordenpunkter"]:
        for field in it["Felter"]:
            field["Link"] = None
    bare = tmp_path / "meeting.json"
    bare.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    assert parse_file(bare).meeting.source.url is None  # nothing names the host: none is invented
    given = parse_source(read_source(bare, host="dagsordener.example.dk"))
    assert given.meeting.source.url == "https://dagsordener.example.dk/vis?id=e049b9bf-8473-4034-9a27-cd30a5583562"
    with pytest.raises(SourceError, match="not a host name"):
        read_source(bare, host="not a host/../x")


@needs_greve
def test_sample_of_the_archive_parses() -> None:
    """Every 15th Greve meeting (the whole archive runs in bench/greve.py)."""
    sample = [p for p in FILES if "spoergsmaal-svar" not in p.name][::15]
    for path in sample:
        doc = parse_file(path)
        assert doc.meeting.kind == "minutes" and doc.meeting.date is not None and doc.items, path.name
        assert doc.meeting.date.isoformat() == path.name[:10], path.name
        assert all(i.title and not i.title.startswith("Lukket") for i in doc.items), path.name


# --- the reader's rules on small responses written by the team -----------------------------------------

def _response(**moede: object) -> dict[str, object]:
    item = {"Id": "i1", "Punktnummer": "1", "Navn": "Lukket: Salg af grund", "SagsNummer": "24-000123",
            "IsOpen": False, "Sorting": 1, "ItemDecision": None, "Bilag": [{"Id": "b1", "Navn": "Kort", "Order": 0}],
            "Felter": [{"Navn": "", "Html": "<div><p>Godkendt.</p><p>Fraværende: Ole Bak</p></div>"}],
            "ExternalAgendaItemAttendees": [{"Name": "Ida Holm", "Reason": "Fraværende"},
                                            {"Name": "Per Lund", "Reason": "Inhabil"}]}
    return {"Id": "m1", "Udvalg": {"Navn": "Teknisk Udvalg"}, "TillaegsDagsorden": False, "Dagsordenpunkter": [item],
            "Moede": {"Id": "00000000-0000-0000-0000-000000000000", "Sted": "Rådhuset",
                      "Moededeltagere": [{"Name": "Ole Bak", "Absent": False, "ParticipationCancelled": True}],
                      **moede}}


@pytest.mark.parametrize(("moede", "date", "time"), [
    ({"MeetingBeginUtc": "2024-06-03T15:00:00Z"}, dt.date(2024, 6, 3), "17:00"),  # UTC, summer time
    ({"MeetingBeginUtc": "2024-12-31T23:30:00"}, dt.date(2025, 1, 1), "00:30"),  # no offset: UTC as named
    ({"MeetingBeginUtc": "2024-01-15T16:30:00+01:00"}, dt.date(2024, 1, 15), "16:30"),
    ({"Dato": "2024-03-04T08:15:00"}, dt.date(2024, 3, 4), "08:15"),  # Dato without offset: local already
    ({}, None, None),
])
def test_local_date_and_time(moede: dict[str, object], date: dt.date | None, time: str | None) -> None:
    record = meeting_from_json(_response(**moede))
    assert (record.date, record.start_time) == (date, time)


def test_small_response_fields() -> None:
    record = meeting_from_json(_response(MeetingBeginUtc="2024-06-03T15:00:00Z"), host="dagsordener.example.dk")
    assert (record.committee, record.id, record.url) == ("Teknisk Udvalg", "m1", "https://dagsordener.example.dk/vis?id=m1")
    assert record.participants == [StructuredParticipant("Ole Bak", absent=True, note="Afbud")]
    only = record.items[0]
    assert (only.number, only.closed, only.absent) == (1, None, ["Ida Holm"])  # "Inhabil" is no absence
    assert only.attachments == [StructuredAttachment("Kort", id="b1")]  # the id: harvest makes its URL from it
    doc = parse_structured(record)
    parsed = doc.items[0]
    assert (parsed.title, parsed.closed, parsed.decision_kind) == ("Salg af grund", True, "approved")
    assert parsed.absent == ["Ole Bak", "Ida Holm"]
    assert doc.meeting.source is not None and doc.meeting.source.id == "m1"


def test_is_open_counts_where_some_item_is_marked_open() -> None:
    obj = _response()
    first = obj["Dagsordenpunkter"][0]  # type: ignore[index]
    second = {**first, "Id": "i2", "Punktnummer": "2", "Navn": "Budget", "IsOpen": True, "Sorting": 2}
    obj["Dagsordenpunkter"] = [second, first]  # listed out of order: Sorting decides
    record = meeting_from_json(obj)
    assert [(i.number, i.closed) for i in record.items] == [(1, True), (2, False)]


@pytest.mark.parametrize(("obj", "message"), [
    ({"Udvalg": {"Aktuelle": []}}, "committee list"),
    ({"Dagsordenpunkter": "x"}, "no 'Dagsordenpunkter' list"),
    ([1, 2], "not a meeting"),
])
def test_json_that_is_no_meeting(obj: object, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        meeting_from_json(obj)


def test_malformed_json_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"Dagsordenpunkter": [{"Navn": "x"', encoding="utf-8")
    with pytest.raises(SourceError, match="does not parse"):
        read_source(path)


def test_html_sections_at_accepted_headings_only() -> None:
    html = ("<div><h3>Beslutning</h3><p>Godkendt.</p><h4>Resume</h4><h4>En hel sætning i h4.</h4>"
            "<table><tr><td>År</td><td>Beløb</td></tr><tr><td>2024</td><td>1,5</td></tr></table></div>")
    parts = html_sections(html, lambda node: node.tag == "h3" or node.text() == "Resume")
    assert parts == [("Beslutning", ["Godkendt."]), ("Resume", ["En hel sætning i h4.", "", "År\tBeløb", "2024\t1,5"])]


# --- both roads give the same fields ------------------------------------------------------------------

DECISION = ("Godkendt, idet udgiften på 3,5 mio. kr. finansieres af kassebeholdningen. Hans Berg (A) og Jens Ravn (V) "
            "stemte imod. Fraværende: Ole Bak.")
RECOMMENDATION = "Forvaltningen indstiller, at\n1. at budgettet godkendes,\n2. at udgiften på 2,0 mio. kr. afholdes."
TEXT = f"""REFERAT
Økonomiudvalget
Mødedato: 10.01.2022 kl. 07.45
Mødested: Biblioteket

Punkt 1: Budget 2023
Sagsnr.: 21-7-85.10.00-P07

Indstilling
{RECOMMENDATION}

Beslutning
{DECISION}
"""


def test_structured_and_text_roads_give_the_same_fields() -> None:
    from_text = parse_text(TEXT)
    record = StructuredMeeting(
        system="publication-api", committee="Økonomiudvalget", date=dt.date(2022, 1, 10), start_time="07:45",
        location="Biblioteket", items=[StructuredItem(number=1, title="Budget 2023", case_number="21-7-85.10.00-P07", sections=[
            StructuredSection("Indstilling", RECOMMENDATION), StructuredSection("Beslutning", DECISION)])])
    from_record = parse_structured(record)
    a, b = from_text.items[0], from_record.items[0]
    keys = ("number", "title", "case_number", "closed", "decision", "decision_kind", "recommendation",
            "recommending_body", "absent", "substitutes", "votes", "amounts_mio_kr", "sections")
    assert {k: getattr(b, k) for k in keys} == {k: getattr(a, k) for k in keys}
    assert a.votes is not None and a.votes.against == ["Hans Berg", "Jens Ravn"]
    assert a.amounts_mio_kr == [2.0, 3.5]
    assert from_record.meeting.kind == from_text.meeting.kind == "minutes"
    assert from_record.meeting.source is not None and from_text.meeting.source is None


def test_structured_decision_apart_from_sections_and_disabled_extractors() -> None:
    record = StructuredMeeting(system="sbsys-xml", committee="Teknisk Udvalg", date=dt.date(2024, 1, 1),
                               participants=[StructuredParticipant("Ole Bak", absent=True)],
                               items=[StructuredItem(number="1.1", title="Vej", decision="Udsat.",
                                                     absent=["Ida Holm"])])
    doc = parse_structured(record)
    one = doc.items[0]
    assert (one.number, one.decision, one.decision_kind, one.absent) == ("1.1", "Udsat.", "postponed",
                                                                        ["Ole Bak", "Ida Holm"])
    assert [(s.heading, s.role) for s in one.sections] == [("", "decision")]
    off = parse_structured(record, disabled=frozenset({"absent", "decision_kind"})).items[0]
    assert off.absent == [] and off.decision_kind is None
    agenda = parse_structured(StructuredMeeting(system="x", committee=None, date=None,
                                                items=[StructuredItem(number=1, title="Vej")]))
    assert agenda.meeting.kind == "agenda"


def test_vocabulary_examples_match() -> None:
    from referat import vocab

    for entry, find in ((vocab.QUESTION_ANSWER, "search"), (vocab.DECISION_WITHHELD, "match"),
                        (vocab.PUBLICATION_HEADINGS, "match"), (vocab.ATTENDEE_ABSENT, "match")):
        for example in entry.example.split("; "):
            assert getattr(entry.compile(), find)(example), (entry.meaning, example)
    assert not vocab.ATTENDEE_ABSENT.compile().match("Inhabil")


@pytest.mark.parametrize("key", ["Bilag", "Felter", "ExternalAgendaItemAttendees"])
@pytest.mark.parametrize("value", [1, "tekst", {"Navn": "x"}, True])
def test_a_list_field_of_the_wrong_type_is_read_as_empty(key: str, value: object) -> None:
    # hypothesis found '"Bilag": 1' stopping the reader with a TypeError: the data is untrusted
    obj = _response()
    obj["Dagsordenpunkter"][0][key] = value  # type: ignore[index]
    record = meeting_from_json(obj)
    assert record.items[0].title == "Lukket: Salg af grund"
    if key == "Bilag":
        assert record.items[0].attachments == []


def test_links_and_ids_that_are_no_url_are_read_as_text() -> None:
    """A fuzzer's finding: a field link "http://[x" made urllib raise ValueError (Invalid IPv6 URL) in
    the reader. Such a link names no host; an id is quoted where it goes into a URL."""
    obj = _response()
    item = obj["Dagsordenpunkter"][0]  # type: ignore[index]
    item["Felter"][0]["Link"] = "https://[dagsordener.example.dk/vis/pdf/x"
    record = meeting_from_json(obj)
    assert record.host is None and record.items[0].number == 1
    obj["Id"] = "m1/../../admin?x=1"
    assert meeting_from_json(obj, host="dagsordener.example.dk").url == \
        "https://dagsordener.example.dk/vis?id=m1%2F..%2F..%2Fadmin%3Fx%3D1"

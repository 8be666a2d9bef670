"""ESDH XML exports (SBSYS, eDoc, Acadre) and the same meetings in other formats.

The readers are checked on the real exports in ../shared/corpus and on small exports the team wrote in the
systems' shapes (for what the corpus does not show: SBSYS minutes with decision fields, per-item absence,
closed items, several agendas). Where one meeting exists as XML and as a PDF or web page, the two records
read through referat's own readers agree on committee, date, time, place, item numbers and titles.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import SHARED
from referat import parse_file
from referat.errors import SourceError
from referat.sources import read_source, sniff
from referat.sources.edoc_xml import split_plain_sections

CORPUS = SHARED / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus in {CORPUS}")

SBSYS_REGION = CORPUS / "sbsys-xml" / "region-hovedstaden_forretningsudvalget_2012-09-25_agenda.xml"
AARHUS_XML = CORPUS / "sbsys-aarhus" / "aarhus_moedesystemgruppen_2016-10-06_minutes.xml"
AARHUS_PDF = CORPUS / "sbsys-aarhus" / "aarhus_moedesystemgruppen_2016-10-06_minutes.pdf"
BALLERUP = CORPUS / "edoc-xml" / "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_minutes.xml"
ACADRE = CORPUS / "acadre-xml" / "syddjurs_plan-udvikling-og-kultur_2013-06-20_minutes.xml"
ACADRE_MANIFEST = CORPUS / "acadre-xml" / "syddjurs_plan-udvikling-og-kultur_2013-06-20_manifest.xml"
EDOC4 = {v: CORPUS / "edoc-fujitsu" / f"middelfart_testudvalg_2017-05-02_agenda-{v}.xml" for v in ("v1", "v2")}
EDOC4_PAGE = {v: p.with_suffix(".html") for v, p in EDOC4.items()}
XMLS = [SBSYS_REGION, AARHUS_XML, BALLERUP, ACADRE, ACADRE_MANIFEST, *EDOC4.values()]
SYSTEMS = {SBSYS_REGION: "sbsys-xml", AARHUS_XML: "sbsys-xml", BALLERUP: "edoc-xml", ACADRE: "acadre-xml",
           ACADRE_MANIFEST: "acadre-xml", EDOC4["v1"]: "edoc-xml", EDOC4["v2"]: "edoc-xml"}


def outline(doc: dict) -> dict:
    """What two formats of one meeting must agree on."""
    m = doc["meeting"]
    return {"committee": m["committee"], "date": m["date"], "start_time": m["start_time"],
            "location": m["location"], "items": [(str(it["number"]), it["title"]) for it in doc["items"]]}


# --- the real exports ---------------------------------------------------------------------------------------

@needs_corpus
@pytest.mark.parametrize("path", XMLS, ids=[p.name for p in XMLS])
def test_exports_are_chosen_by_content_and_kept_verbatim(path: Path) -> None:
    data = path.read_bytes()
    assert sniff(data) == "xml"
    source = read_source(path)
    assert source.format == SYSTEMS[path] and source.record is not None
    assert source.record.system == SYSTEMS[path]
    assert source.text.lstrip("\ufeff") == data.decode("utf-8").lstrip("\ufeff")  # the XML itself
    assert source.record.items and source.record.date is not None


@needs_corpus
def test_invalid_character_reference_is_read_leniently() -> None:
    data = BALLERUP.read_bytes()
    assert b"&#xC;" in data
    with pytest.raises(ET.ParseError):
        ET.fromstring(data)  # a strict parser stops at the form feed
    doc = parse_file(BALLERUP).to_contract()
    assert [it["number"] for it in doc["items"]] == list(range(1, 9))  # printed order, not the XML's
    assert doc["meeting"]["location"] == "Mødecenter C, Lokale 32 på Ballerup Rådhus"


@needs_corpus
def test_sbsys_enclosures_numbered_0_are_meeting_documents() -> None:
    record = read_source(AARHUS_XML).record
    assert record is not None
    assert [d.title for d in record.documents] == ["Referat - Åbent og Lukket", "Referat - Åbent"]
    assert all(it.number != 0 for it in record.items)
    numbers = [it["number"] for it in parse_file(AARHUS_XML).to_contract()["items"]]
    assert numbers == [1, "1.1", "1.2", "1.3", "1.4", 2, "2.1", "2.2", "2.3", 3]


@needs_corpus
def test_sbsys_agenda_has_no_decision_from_an_earlier_meeting() -> None:
    doc = parse_file(SBSYS_REGION).to_contract()
    assert doc["meeting"]["kind"] == "agenda"
    first = doc["items"][0]
    assert first["decision"] is None and first["absent"] == []
    assert "FORRETNINGSUDVALGETS BESLUTNING" in [s["heading"] for s in first["sections"]]  # kept, not dropped
    assert first["recommendation"][0].startswith("at det som bilag vedlagte forslag")


@needs_corpus
def test_acadre_decision_of_this_meeting_and_earlier_ones_as_history() -> None:
    item = parse_file(ACADRE).to_contract()["items"][0]
    assert item["number"] == 715
    assert item["decision"].startswith("Punktet blev drøftet.")
    roles = {s["heading"][-10:]: s["role"] for s in item["sections"] if s["heading"].startswith("Beslutning")}
    assert roles == {"10-04-2013": "history", "24-04-2013": "history", "20-06-2013": "decision"}


@needs_corpus
def test_acadre_manifest_reads_the_agenda_xml_beside_it(tmp_path: Path) -> None:
    assert parse_file(ACADRE_MANIFEST).to_contract() == parse_file(ACADRE).to_contract() | {
        "warnings": parse_file(ACADRE_MANIFEST).to_contract()["warnings"]}
    alone = tmp_path / "XML_1863.xml"
    shutil.copyfile(ACADRE_MANIFEST, alone)
    with pytest.raises(SourceError, match=r"Files_1863_3687982/3687981\.xml"):
        read_source(alone)
    # Acadre's own layout: the agenda XML in the folder the manifest names
    folder = tmp_path / "Files_1863_3687982"
    folder.mkdir()
    shutil.copyfile(ACADRE, folder / "3687981.XML")
    assert read_source(alone).record == read_source(folder / "3687981.XML").record



@needs_corpus
@pytest.mark.parametrize("folder", ["../outside", "/tmp", "Files_" + "1863_" * 60, "a\\b", ".."])
def test_an_acadre_manifest_names_only_a_folder_beside_it(tmp_path: Path, folder: str) -> None:
    """The folder name is document text: a path, "..", or a name longer than a file name is no folder of
    the manifest's (a fuzzer's name of 300 characters raised OSError: File name too long)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copyfile(ACADRE, outside / "3687981.XML")  # an agenda the manifest must not reach out for
    manifest = tmp_path / "in" / "XML_1863.xml"
    manifest.parent.mkdir()
    manifest.write_bytes(ACADRE_MANIFEST.read_bytes().replace(b'"Files_1863_3687982"', f'"{folder}"'.encode()))
    with pytest.raises(SourceError, match="is not beside it"):
        read_source(manifest)

# --- exports written by the team in the systems' shapes --------------------------------------------------

SBSYS_MINUTES = """<?xml version="1.0" encoding="utf-8"?>
<Publication>
  <PublicationTypeAsValue>2</PublicationTypeAsValue>
  <Agendas>
    <Agenda ID="77">
      <Meeting ID="4242">
        <Members>
          <MeetingMember><ParticipationStatusAsValue>1</ParticipationStatusAsValue><Name>Anna Holm (A)</Name></MeetingMember>
          <MeetingMember><ParticipationStatusAsValue>2</ParticipationStatusAsValue>
            <ParticipationStatusAsText>Afbud</ParticipationStatusAsText><Name>Bo Lund</Name></MeetingMember>
        </Members>
        <When>03-03-2021 16:30:00</When><Where>Mødelokale 2</Where>
      </Meeting>
      <Committee><Name>Teknik- og Miljøudvalget</Name></Committee>
      <Items>
        <Item ID="a1"><Caption>Budget for veje</Caption><IsPublic>True</IsPublic><Number>1</Number>
          <ItemCaseNumber>21-004512</ItemCaseNumber>
          <Fields>
            <ItemField><Caption>Indstilling</Caption><IsFeedback>False</IsFeedback>
              <Content><![CDATA[<p>Forvaltningen indstiller,</p><ol><li><strong>at</strong> budgettet godkendes.</li></ol>]]></Content></ItemField>
            <ItemField><Caption>Teknik- og Miljøudvalgets beslutning</Caption><IsFeedback>True</IsFeedback>
              <Content><![CDATA[<p>Anbefales over for Byrådet.</p><p>Carl Vind deltog ikke i behandlingen.</p>]]></Content></ItemField>
            <ItemField><Caption>Byrådets beslutning</Caption><IsFeedback>True</IsFeedback>
              <Content><![CDATA[<p>Tomt indhold</p>]]></Content></ItemField>
          </Fields>
          <Members><ItemMember><ParticipationStatusAsValue>4</ParticipationStatusAsValue><Name>Dorte Ravn</Name></ItemMember></Members>
          <Enclosures><Enclosure><Name>Bilag 1 - Vejplan&#xC;</Name></Enclosure></Enclosures>
        </Item>
        <Item ID="a2"><Caption>Personalesag</Caption><IsPublic>False</IsPublic><Number>2</Number>
          <Fields><ItemField><Caption>Økonomiudvalgets beslutning</Caption><IsFeedback>True</IsFeedback>
            <Content><![CDATA[<p>Anbefales.</p>]]></Content></ItemField>
            <ItemField><Caption>Beslutning</Caption><IsFeedback>True</IsFeedback>
            <Content><![CDATA[<p>Godkendt.</p>]]></Content></ItemField></Fields>
        </Item>
        <Item ID="x"><Caption>Åbent referat</Caption><IsPublic>True</IsPublic><Number>0</Number>
          <Enclosures><Enclosure><Name>Referat - Åbent</Name></Enclosure></Enclosures></Item>
      </Items>
    </Agenda>
    <Agenda ID="78">
      <Items>
        <Item ID="b1"><Caption>Tillægspunkt om cykelstier</Caption><IsPublic>True</IsPublic><Number>3</Number>
          <Fields><ItemField><Caption>Beslutning</Caption><IsFeedback>True</IsFeedback>
            <Content><![CDATA[<p>Udsat.</p>]]></Content></ItemField></Fields>
        </Item>
      </Items>
    </Agenda>
  </Agendas>
</Publication>
"""


def test_sbsys_minutes_fields(tmp_path: Path) -> None:
    path = tmp_path / "Publication4242.xml"
    path.write_text(SBSYS_MINUTES, encoding="utf-8")
    doc = parse_file(path).to_contract()
    m = doc["meeting"]
    assert (m["kind"], m["committee"], m["date"], m["start_time"], m["location"]) == (
        "minutes", "Teknik- og Miljøudvalget", "2021-03-03", "16:30", "Mødelokale 2")
    assert m["source"] == {"system": "sbsys-xml", "url": None, "id": "4242"}
    first, closed, added = doc["items"]
    assert first["case_number"] == "21-004512"
    # the committee's own decision field, not the later body's placeholder
    assert first["decision"] == "Anbefales over for Byrådet. Carl Vind deltog ikke i behandlingen."
    assert first["decision_kind"] == "recommended"
    assert set(first["absent"]) == {"Bo Lund", "Dorte Ravn", "Carl Vind"}  # meeting, item list, decision text
    assert first["recommendation"] == ["at budgettet godkendes."]
    assert first["attachments"][0].startswith("Bilag 1 - Vejplan")  # read past the form feed reference
    # an earlier body's filled decision field comes first; the last one is this meeting's
    assert closed["closed"] is True and closed["decision"] == "Godkendt." and closed["decision_kind"] == "approved"
    assert {"name": "Anna Holm", "party": "A"} in m["participants"]
    assert added["number"] == 3 and added["decision_kind"] == "postponed"  # the second agenda's item
    assert [it["number"] for it in doc["items"]] == [1, 2, 3]  # the number-0 entry is no item


def test_unknown_xml_is_refused_with_its_root(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text('<?xml version="1.0"?><rss><channel><title>Nyheder</title></channel></rss>', encoding="utf-8")
    with pytest.raises(SourceError, match="<rss>"):
        read_source(path)


def test_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("HEMMELIGT", encoding="utf-8")
    xml = SBSYS_MINUTES.replace('<?xml version="1.0" encoding="utf-8"?>',
                                f'<?xml version="1.0"?><!DOCTYPE Publication [<!ENTITY s SYSTEM "{secret.as_uri()}">]>')
    xml = xml.replace("<Where>Mødelokale 2</Where>", "<Where>&s;</Where>")
    path = tmp_path / "Publication1.xml"
    path.write_text(xml, encoding="utf-8")
    doc = parse_file(path).to_contract()
    assert "HEMMELIGT" not in str(doc)
    assert doc["meeting"]["committee"] == "Teknik- og Miljøudvalget"


def test_edoc_plain_text_sections() -> None:
    text = ("\n\n4.\tVejnavne i Nordbyen\n\nSagsnr.: 2019-1234\nDok.nr.: 2019-5678\nByrådet den 3. maj 2019 Punkt 9\n\n"
            "Sammendrag\nDer skal navngives tre nye veje i Nordbyen.\n\nIndstilling\nForvaltningen indstiller, at\n\n"
            "A)\nVejnavnene godkendes.\n\nAnlæg\nBeløb\n\nVeje\n200.000 kr.\n\n"
            "Teknisk Udvalgs beslutning den 04.06.2019 Punkt 4\nGodkendt\n\n\n"
            "Følgende deltog ikke i behandlingen af punktet:\n \n\n")
    case, sections = split_plain_sections(text)
    assert case == "2019-1234"
    assert [(s.heading, s.role) for s in sections] == [
        ("", None), ("Sammendrag", None), ("Indstilling", None),  # roles from headings are the parser's
        ("Teknisk Udvalgs beslutning den 04.06.2019 Punkt 4", "decision"),
        ("Følgende deltog ikke i behandlingen af punktet:", "attendance")]
    assert sections[0].text == "Dok.nr.: 2019-5678\nByrådet den 3. maj 2019 Punkt 9"
    assert "A)\nVejnavnene godkendes." in sections[2].text and "200.000 kr." in sections[2].text  # not headings


# --- one meeting, two formats ---------------------------------------------------------------------------------

@needs_corpus
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_edoc_page_agrees_with_its_xml(version: str) -> None:
    page = parse_file(EDOC4_PAGE[version]).to_contract()
    xml = parse_file(EDOC4[version]).to_contract()
    assert page["meeting"]["source"]["system"] == "edoc-web"
    assert outline(page) == outline(xml)
    assert [it["case_number"] for it in page["items"]] == [it["case_number"] for it in xml["items"]]
    assert [it["closed"] for it in page["items"]] == [it["closed"] for it in xml["items"]]
    assert [it["attachments"] for it in page["items"]] == [it["attachments"] for it in xml["items"]]
    assert [[(s["heading"], s["text"]) for s in it["sections"]] for it in page["items"]] == \
        [[(s["heading"], s["text"]) for s in it["sections"]] for it in xml["items"]]


@needs_corpus
def test_edoc_versions_differ_as_published() -> None:
    v1, v2 = (outline(parse_file(EDOC4[v]).to_contract()) for v in ("v1", "v2"))
    assert [n for n, _ in v1["items"]] == ["2", "3", "4", "5", "6"]
    assert [n for n, _ in v2["items"]] == ["1", "2", "3", "4", "5", "6"]
    assert ("5", "Anders' møgsag") in v2["items"] and ("5", "Anders' møgsag") not in v1["items"]


@needs_corpus
def test_sbsys_pdf_agrees_with_its_xml() -> None:
    assert outline(parse_file(AARHUS_PDF).to_contract()) == outline(parse_file(AARHUS_XML).to_contract())

"""Layout families of real meeting systems, read through referat's own readers.

The eDoc and Acadre fixtures are team-written Word files (referat.testing.families) turned into PDF by
LibreOffice, a real producer; the SBSYS case is the real PDF in ../shared/corpus/sbsys-aarhus, checked
against values written by hand from the XML published beside it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SHARED
from referat import parse_file, parse_text
from referat.cli import app
from referat.model import ParsedDocument
from referat.parse.explain import explain
from referat.testing import families
from referat.testing.families import ACADRE, EDOC, Family

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
SBSYS = SHARED / "corpus" / "sbsys-aarhus" / "aarhus_moedesystemgruppen_2016-10-06_minutes.pdf"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The family fixtures as Word files and as LibreOffice PDFs (one conversion per module)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) not installed")
    out = tmp_path_factory.mktemp("families")
    edoc = families.edoc_docx(out / "edoc.docx")
    acadre = families.acadre_docx(out / "acadre.docx")
    return {"edoc.docx": edoc, "edoc.pdf": families.to_pdf(edoc, out),
            "acadre.docx": acadre, "acadre.pdf": families.to_pdf(acadre, out)}


def assert_family(doc: ParsedDocument, family: Family) -> None:
    m = doc.meeting
    assert (m.kind, m.committee, m.date, m.start_time, m.location) == (
        "minutes", family.committee, dt.date.fromisoformat(family.date), family.start_time, family.location)
    assert [(p.name, p.party) for p in m.participants] == sorted(family.participants, key=[
        (p.name, p.party) for p in m.participants].index) and len(m.participants) == len(family.participants)
    got = [(i.number, i.title, i.case_number, i.closed, i.decision_kind, sorted(i.absent)) for i in doc.items]
    want = [(i.number, i.title, i.case_number, i.closed, i.decision_kind, sorted(i.absent)) for i in family.items]
    assert got == want


@needs_soffice
@pytest.mark.parametrize("name", ["edoc.pdf", "edoc.docx"])
def test_edoc_export(made: dict[str, Path], name: str) -> None:
    doc = parse_file(made[name])
    assert_family(doc, EDOC)
    item = doc.items[1]
    # the running page header inside the item is dropped and splits nothing; an unlisted bold heading is a
    # section of its own ('other'), and the decision label is the decision's heading
    headings = [(s.heading, s.role) for s in item.sections]
    assert ("Centralisering af driften", "other") in headings
    assert ("Sundheds- og Omsorgsudvalgets beslutning den 04.12.2012 Punkt 2", "decision") in headings
    assert all("møde den 04.12.2012" not in s.text for s in item.sections)
    assert item.decision.startswith("Indstillingen godkendt")
    assert "Centralisering" not in item.decision


@needs_soffice
@pytest.mark.parametrize("name", ["acadre.pdf", "acadre.docx"])
def test_acadre_pdf_and_word(made: dict[str, Path], name: str) -> None:
    doc = parse_file(made[name])
    assert_family(doc, ACADRE)
    # a chain over three meetings: the decision of the meeting's own committee on its date wins
    assert doc.items[1].decision == ACADRE.items[1].decision
    # "1 of 4" in the footer is page furniture, not text
    assert not any("of 4" in s.text for it in doc.items for s in it.sections)


@needs_soffice
def test_acadre_pdf_and_word_agree(made: dict[str, Path]) -> None:
    pdf, word = parse_file(made["acadre.pdf"]).to_contract(), parse_file(made["acadre.docx"]).to_contract()
    keys = ("number", "title", "case_number", "closed", "decision", "decision_kind", "absent", "recommendation")
    assert pdf["meeting"] == word["meeting"]
    assert [{k: i[k] for k in keys} for i in pdf["items"]] == [{k: i[k] for k in keys} for i in word["items"]]


@needs_soffice
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
@pytest.mark.parametrize("name,mode", [("edoc.pdf", "-raw"), ("edoc.pdf", "-layout"), ("acadre.pdf", "-raw"),
                                       ("acadre.pdf", "-layout")])
def test_families_read_from_pdftotext_text(made: dict[str, Path], name: str, mode: str) -> None:
    """The same PDFs as pdftotext gives them (its reading order, or its layout): a user with only that text
    gets the same record. pdftotext's plain order sets a contents table by rows (number, title, page each a
    paragraph), labels and values apart, and eDoc's decision label straight under the text."""
    import subprocess

    args = [] if mode == "-raw" else [mode]
    text = subprocess.run(["pdftotext", *args, str(made[name]), "-"], capture_output=True, text=True,
                          check=True).stdout
    family = EDOC if name.startswith("edoc") else ACADRE
    doc = parse_text(text)
    m = doc.meeting
    assert (m.committee, m.date, m.start_time, m.location) == (
        family.committee, dt.date.fromisoformat(family.date), family.start_time, family.location)
    got = [(i.number, i.case_number, i.closed, i.decision_kind, sorted(i.absent)) for i in doc.items]
    assert got == [(i.number, i.case_number, i.closed, i.decision_kind, sorted(i.absent)) for i in family.items]
    # titles as printed; pdftotext's plain order loses the " - " of one eDoc title
    titles = [i.title.replace(" - ", " ") for i in doc.items]
    assert titles == [i.title.replace(" - ", " ") for i in family.items]


# --- the real SBSYS publication PDF, against its XML -----------------------------------------------

# Written by hand from aarhus_moedesystemgruppen_2016-10-06_minutes.xml: <Committee><Name>, <When>,
# <Where>, and each <Item>'s <Number> and <Caption> (the two enclosure entries numbered 0, "Lukket referat"
# and "Åbent referat", are publications of the minutes, not agenda items).
SBSYS_ITEMS = [(1, "First Agenda"), ("1.1", "Status siden sidst"), ("1.2", "Status på udviklingsønsker"),
               ("1.3", "Besøg af First Agenda"), ("1.4", "Plan for resten af året"), (2, "GetOrganized"),
               ("2.1", "Status siden sidst"), ("2.2", "Plan for resten af året"),
               ("2.3", "Status over udviklingsønsker"), (3, "Eventuelt")]


@pytest.mark.skipif(not SBSYS.exists(), reason=f"no {SBSYS}")
def test_real_sbsys_pdf_agrees_with_its_xml() -> None:
    doc = parse_file(SBSYS)
    m = doc.meeting
    assert (m.kind, m.committee, m.date, m.start_time, m.location) == (
        "minutes", "Mødesystemgruppen", dt.date(2016, 10, 6), "13:00", "Rådhuset lokale 233")
    assert [(i.number, i.title) for i in doc.items] == SBSYS_ITEMS
    assert not any("06-10-2016 15:00" in w.message for w in doc.warnings)  # the date again, with the end time


# --- the parser's rules, on small texts ----------------------------------------------------------

HEAD = "REFERAT Økonomiudvalget d. 04-06-2025\n\n"


def test_sub_items_and_lettered_items_keep_their_printed_numbers() -> None:
    d = parse_text(HEAD + "**1 Drift**\n\n1.1 Status siden sidst\n\nBeslutning\n\nTaget til efterretning.\n\n"
                          "1.2 Plan for året\n\nBeslutning\n\nGodkendt.\n\n**2 Anlæg**\n\nBeslutning\n\nGodkendt.\n\n"
                          "2a Tillæg til anlæg\n\nSagsnr.: 24/1234\n\nBeslutning\n\nGodkendt.\n")
    assert [i.number for i in d.items] == [1, "1.1", "1.2", 2, "2a"]
    assert d.items[1].decision == "Taget til efterretning."


def test_a_numbered_paragraph_in_a_case_text_is_no_sub_item() -> None:
    d = parse_text(HEAD + "Punkt 1: Budget\n\nSagsfremstilling\n\n1.1 Budgettet er lagt som aftalt med alle "
                          "partier i byrådet, og det skal nu vedtages.\n\nBeslutning\n\nGodkendt.\n")
    assert [i.number for i in d.items] == [1]


def test_unlisted_headings_become_sections_never_decision_text() -> None:
    d = parse_text(HEAD + "Punkt 1: Trafikplan\n\nBeslutning\n\nGodkendt.\n\nA, F og Ø\n\n"
                          "**Et flertal stemte for forslaget**\n\nBESLUTNINGSFORSLAG FRA ENHEDSLISTEN\n\n"
                          "Forslaget blev forkastet.\n")
    item = d.items[0]
    assert [(s.heading, s.role) for s in item.sections] == [
        ("Beslutning", "decision"), ("BESLUTNINGSFORSLAG FRA ENHEDSLISTEN", "other")]
    assert item.decision == "Godkendt. A, F og Ø Et flertal stemte for forslaget"


def test_a_long_title_page_is_no_prose_but_prose_is() -> None:
    names = "\n\n".join(f"Medlem nummer {n} (A)" for n in range(20))
    d = parse_text("Sundheds- og Omsorgsudvalget - Referat\n\nVesterå Kommune\n\n" + names
                   + "\n\nPunkt 1: Budget\n\nBeslutning\n\nGodkendt.\n")
    assert d.meeting.committee == "Sundheds- og Omsorgsudvalget" and len(d.items) == 1


def test_numbered_headings_that_yield_no_items_are_named_in_a_warning() -> None:
    d = parse_text("REFERAT\n\nØkonomiudvalget\n\nMødedato: 12. marts 2024\n\n1 Godkendelse af dagsorden\n\n"
                   "Dagsordenen blev godkendt uden bemærkninger af hele udvalget.\n")
    assert d.items == []
    assert any("look like numbered headings" in w.message and "1 Godkendelse" in w.message for w in d.warnings)


# --- --explain ----------------------------------------------------------------------------------

def test_explain_gives_every_line_a_role() -> None:
    text = ("REFERAT Økonomiudvalget d. 04-06-2025\n\nMødested: Rådhuset\n\nPunkt 1: Budget\n\nSagsnr.: 24/1234\n\n"
            "Sagsfremstilling\n\nBudgettet fremlægges.\n\nBeslutning\n\nGodkendt.\n\nSide 2 af 3\n")
    lines, notes = explain(text)
    roles = {x.text: x.role for x in lines}
    assert roles["Mødested: Rådhuset"] == "mødeoplysning"
    assert roles["Punkt 1: Budget"] == "punkt 1 overskrift"
    assert roles["Sagsnr.: 24/1234"] == "punkt 1 sagsnummer"
    assert roles["Sagsfremstilling"].startswith("punkt 1 afsnitsoverskrift »Sagsfremstilling« (sagsfremstilling)")
    assert roles["Godkendt."] == "punkt 1 beslutning"
    assert roles["Side 2 af 3"].startswith("sidehoved/-fod")
    assert notes == [] and not any("ikke placeret" in x.role for x in lines)


@needs_soffice
def test_explain_on_the_command_line(made: dict[str, Path]) -> None:
    res = CliRunner().invoke(app, ["parse", str(made["edoc.pdf"]), "--explain"])
    assert res.exit_code == 0, res.output
    assert "punkt 2 overskrift" in res.output and "punkt 2 beslutning" in res.output
    assert "ikke placeret" not in res.output


@pytest.mark.skipif(not SBSYS.exists() or shutil.which("pdftotext") is None, reason="no SBSYS PDF or pdftotext")
def test_real_sbsys_pdf_through_pdftotext_keeps_parents_of_sub_items() -> None:
    """pdftotext's text has no bold: "1 First Agenda" is known as an item by the "1.1 …" right under it."""
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", str(SBSYS), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert [(i.number, i.title) for i in parse_text(text).items] == SBSYS_ITEMS


def test_long_upper_case_headings_end_the_decision_without_a_blank_line() -> None:
    """Aarhus prints its item sections as long upper-case headings; in pdftotext's text no blank line sets
    them apart, and they must not run into the decision."""
    d = parse_text("REFERAT Byrådet d. 12-03-2025\nMødedato 12. marts 2025 kl. 18:30\n\n"
                   "Punkt 3: Forslag om gratis busser\nSagsnr.: 25/001234\n"
                   "INDSTILLING FRA MAGISTRATSAFDELINGEN FOR TEKNIK OG MILJØ OG BORGERSERVICE\n"
                   "Magistraten indstiller, at forslaget ikke vedtages.\nBeslutning\nForslaget blev forkastet.\n"
                   "For stemte: Ø\nImod stemte: A, V, C\n"
                   "BESLUTNINGSFORSLAG FRA ENHEDSLISTEN OM GRATIS BUSSER FOR ALLE UNGE UNDER 18 ÅR I KOMMUNEN\n"
                   "Enhedslisten foreslår, at busserne er gratis.\n")
    item = d.items[0]
    assert (item.decision, item.decision_kind) == ("Forslaget blev forkastet. For stemte: Ø Imod stemte: A, V, C",
                                                   "rejected")
    assert [s.role for s in item.sections] == ["recommendation", "decision", "other"]


def test_a_contents_entry_whose_leader_shrank_to_a_space_is_still_an_entry() -> None:
    """A long title set to the right margin leaves its tab leader a single space before the page number
    (LibreOffice's PDF of a Word contents list): still an entry, and the contents end before item 1."""
    text = ("REFERAT Beskæftigelsesudvalget 2022-2025 d. 02-03-2022\n\nMødedato Onsdag d. 02. marts 2022 kl. 19:00\n\n"
            "Indholdsfortegnelse\n\n"
            "Høringssvar til Ankestyrelsen angående mulig tilsynssag vedrørende tilbud efter lov om aktiv beskæftigelse 3\n\n"
            "Tidsplan for Integrationsprisen 2022..... 5\n\nMeddelelser..... 6\n\nGodkendelse..... 7\n\n"
            "Punkt 1: Høringssvar til Ankestyrelsen angående mulig tilsynssag\n"
            "vedrørende tilbud efter lov om aktiv beskæftigelse\n\n22-1-15.20.00-A00\n\nBeslutning\n\nGodkendt.\n\n"
            "Punkt 2: Tidsplan for Integrationsprisen 2022\n\n22-1-15.20.00-A01\n\nBeslutning\n\nGodkendt.\n")
    doc = parse_text(text)
    assert [(t.title, t.page) for t in doc.meeting.toc][:2] == [
        ("Høringssvar til Ankestyrelsen angående mulig tilsynssag vedrørende tilbud efter lov om aktiv beskæftigelse", 3),
        ("Tidsplan for Integrationsprisen 2022", 5)]
    assert [(i.number, i.case_number, i.decision) for i in doc.items] == [
        (1, "22-1-15.20.00-A00", "Godkendt."), (2, "22-1-15.20.00-A01", "Godkendt.")]

"""The common publication system's meeting web page and meeting PDF, built from real Greve meetings
(../shared/corpus/publication-api/greve) by referat.testing.publication_site: the page is read from its
DOM and must give the record the meeting JSON gives, field by field; the PDF, printed by Chromium, goes
through referat's PDF reader (and, for comparison, through pdftotext's text) and the text parser, and must
agree on the header, item numbers, titles, case numbers and decision kinds."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import SHARED
from referat import parse_file, parse_text
from referat.sources import read_source
from referat.sources.publication_page import is_publication_page, read_publication_page
from referat.testing.publication_site import CHROMIUM, load_meeting, render_page, render_pdf

GREVE = SHARED / "corpus" / "publication-api" / "greve"
# sampled across committees and years; small enough to keep the suite fast
WEB_SAMPLE = [
    "2022-01-10_oekonomiudvalget_e049b9bf.json",  # a closed item with its decision, per-item absence
    "2022-01-10_beskaeftigelses-og-erhvervsudvalget_02e86ff6.json",  # tables, Sagens forløb, long titles
    "2023-01-09_beskaeftigelses-og-erhvervsudvalget_2d6996dc.json",  # decisions under no heading
    "2023-09-11_social-og-handicapudvalget_92d2315c.json",  # a written meeting ("Skriftligt møde")
    "2024-09-10_skole-boerne-og-ungeudvalget_bd756cdf.json",
    "2025-03-19_oekonomiudvalget_7f3aee62.json",
    "2025-10-22_kultur-og-fritidsudvalget_be8c1884.json",
]
PDF_SAMPLE = [
    "2022-01-10_beskaeftigelses-og-erhvervsudvalget_02e86ff6.json",
    "2022-01-14_byraad-2022-2025_8b2f1d8b.json",  # the council: "Byråd 2022-2025", per-item absences
    "2023-09-11_social-og-handicapudvalget_92d2315c.json",
    "2024-09-10_skole-boerne-og-ungeudvalget_bd756cdf.json",
    "2025-03-19_oekonomiudvalget_7f3aee62.json",
]
HEADER = ("kind", "committee", "date", "start_time", "location")
WEB_ITEM = ("number", "title", "case_number", "closed", "decision", "decision_kind", "absent", "attachments")
PDF_ITEM = ("number", "title", "case_number", "decision_kind")
MIN_AGREEMENT = 0.95

needs_greve = pytest.mark.skipif(not GREVE.is_dir(), reason=f"the Greve meeting JSON is not in {GREVE}")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (make test installs "
                                                                    "Debian's chromium)")


def _fields(expected: dict[str, Any], got: dict[str, Any], item_fields: tuple[str, ...]) -> list[tuple[str, bool]]:
    """(field name, equal) for the header fields and each item's fields; items are paired by position, a
    missing item counts all its fields as different."""
    out = [(f"meeting.{k}", expected["meeting"][k] == got["meeting"][k]) for k in HEADER]
    for n, item in enumerate(expected["items"]):
        other = got["items"][n] if n < len(got["items"]) else None
        for k in item_fields:
            out.append((f"item {item['number']}.{k}", other is not None and item[k] == other[k]))
    out.extend((f"extra item {it['number']}", False) for it in got["items"][len(expected["items"]):])
    return out


def _agreement(pairs: list[tuple[str, bool]]) -> float:
    return sum(ok for _, ok in pairs) / len(pairs)


def _report(name: str, pairs: list[tuple[str, bool]]) -> str:
    wrong = [k for k, ok in pairs if not ok]
    return f"{name}: {_agreement(pairs):.3f} of {len(pairs)} fields agree; differ: {wrong[:12]}"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    out = {}
    for name in WEB_SAMPLE:
        page = folder / (Path(name).stem + ".html")
        page.write_text(render_page(load_meeting(GREVE / name), saved_from=name.startswith("2022")), encoding="utf-8")
        out[name] = page
    return out


@needs_greve
def test_the_page_is_read_from_its_dom(pages: dict[str, Path]) -> None:
    """What public scrapers read is where the reader finds it: header, meeting id, items with their ids."""
    name = "2022-01-10_oekonomiudvalget_e049b9bf.json"
    data = pages[name].read_bytes()
    assert is_publication_page(data)
    record = read_publication_page(data.decode("utf-8"))
    meeting = load_meeting(GREVE / name)
    assert (record.system, record.committee, str(record.date), record.start_time, record.location, record.kind) == (
        "publication-web", "Økonomiudvalget", "2022-01-10", "07:45", "Biblioteket", "minutes")
    assert record.id == meeting.id
    assert record.url == f"https://dagsordener.greve.dk/vis?id={meeting.id}"  # from the "saved from" comment
    assert [(i.number, i.id, i.case_number) for i in record.items] == [
        (int(p["Punktnummer"]), p["Id"], p["SagsNummer"]) for p in meeting.items]
    first = record.items[1]
    assert [a.title for a in first.attachments] == ["Tilsynets afgørelse af 15. december 2021"]
    assert first.attachments[0].url and first.attachments[0].url.startswith("https://dagsordener.greve.dk/vis/pdf/bilag/")
    assert first.absent == ["Mehmet Zeki Dogru"]
    assert [s.heading for s in first.sections][:2] == ["Beslutning", "Fremstilling"]
    text = " ".join(s.text for it in record.items for s in it.sections)
    for furniture in ("cookie", "Hent hele", "Hent som PDF", "Kopier link", "Søg", "Tilgængelighed", "Til toppen"):
        assert furniture not in text


@needs_greve
def test_a_page_without_its_address_has_no_url(pages: dict[str, Path]) -> None:
    name = "2025-03-19_oekonomiudvalget_7f3aee62.json"
    doc = parse_file(pages[name])
    assert doc.meeting.source is not None
    assert (doc.meeting.source.system, doc.meeting.source.id, doc.meeting.source.url) == (
        "publication-web", load_meeting(GREVE / name).id, None)


@needs_greve
@pytest.mark.parametrize("name", WEB_SAMPLE)
def test_web_page_record_agrees_with_the_json_record(pages: dict[str, Path], name: str) -> None:
    expected = parse_file(GREVE / name).to_contract()
    got = parse_file(pages[name]).to_contract()
    pairs = _fields(expected, got, WEB_ITEM)
    assert _agreement(pairs) == 1.0, _report(name, pairs)


@needs_greve
def test_a_page_saved_without_the_items_table_id_is_still_read_from_its_dom(pages: dict[str, Path],
                                                                           tmp_path: Path) -> None:
    """A page saved by another tool or a later version of the system may lose the table's id: the item rows'
    own ids and classes still say what they are."""
    name = WEB_SAMPLE[0]
    html = pages[name].read_text(encoding="utf-8").replace('id="dagsordenDetaljer"', 'id="indhold"')
    variant = tmp_path / "page.html"
    variant.write_text(html, encoding="utf-8")
    expected = parse_file(pages[name]).to_contract()
    got = parse_file(variant).to_contract()
    assert [(i["number"], i["title"], i["decision_kind"]) for i in got["items"]] == [
        (i["number"], i["title"], i["decision_kind"]) for i in expected["items"]]
    assert got["items"]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (make test installs Debian's chromium)")
    folder = tmp_path_factory.mktemp("pdfs")
    return {name: render_pdf(load_meeting(GREVE / name), folder / (Path(name).stem + ".pdf")) for name in PDF_SAMPLE}


def _pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout


READERS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "referat": lambda pdf: parse_file(pdf).to_contract(),
    "pdftotext": lambda pdf: parse_text(_pdftotext(pdf)).to_contract(),
}


@needs_greve
@needs_chromium
@pytest.mark.parametrize("reader", sorted(READERS))
def test_pdf_record_agrees_with_the_json_record(pdfs: dict[str, Path], reader: str) -> None:
    if reader == "pdftotext" and shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is missing (make test installs poppler-utils)")
    if reader == "referat" and "Indholdsfortegnelse" not in read_source(next(iter(pdfs.values()))).text:
        pytest.skip("referat's PDF reader reads Chromium's glyph runs letter by letter ('I n d h o l d s …'): "
                    "it needs the word spacing from the font (branch pdfwords)")
    pairs: list[tuple[str, bool]] = []
    reports = []
    for name, pdf in pdfs.items():
        expected = parse_file(GREVE / name).to_contract()
        mine = _fields(expected, READERS[reader](pdf), PDF_ITEM)
        reports.append(_report(name, mine))
        pairs.extend(mine)
    assert _agreement(pairs) >= MIN_AGREEMENT, "\n".join(reports)


@needs_greve
@needs_chromium
def test_the_pdf_is_chromium_s_with_the_print_layout(pdfs: dict[str, Path]) -> None:
    """The fixture is what it claims: printed by Chromium, with the contents' dot leaders and page numbers,
    upper-case section headings and the running footer."""
    pdf = pdfs["2022-01-10_beskaeftigelses-og-erhvervsudvalget_02e86ff6.json"]
    assert b"Skia/PDF" in pdf.read_bytes()[:4096] or b"Chromium" in pdf.read_bytes()
    text = _pdftotext(pdf)
    assert "Indholdsfortegnelse" in text and "BESLUTNING" in text and "SAGSFORLØB" in text
    assert re.search(r"^Godkendelse af dagsorden \.{20,} 2$", text, re.MULTILINE)  # dot leaders, the page
    assert re.search(r"^beskæftigelsesindsats for perioden .*2021 \.{5,} 6$", text, re.MULTILINE)  # wrapped title
    assert "Side 2 af 13" in text

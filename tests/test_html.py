"""Web pages: the record read from a meeting page equals the record read from the text it shows."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES, GENRE, SEEDS
from referat import parse_file, parse_text
from referat.testing.htmlrender import render_html
from referat.sources.html import html_to_text
from test_pdf import differences

SOURCES = [*SEEDS, *sorted(EXAMPLES.glob("*.txt"))]


@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_html_record_equals_text_record(tmp_path: Path, source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    page = tmp_path / (source.stem + ".html")
    page.write_text(render_html(text), encoding="utf-8")
    diffs = differences(parse_text(text).to_contract(), parse_file(page).to_contract())
    assert not diffs, "\n".join(diffs[:20])


def test_interface_noise_is_dropped() -> None:
    text = html_to_text(render_html((EXAMPLES / "vesteraa_dagsorden_2025-01-15.txt").read_text(encoding="utf-8")))
    for noise in ("Hent som PDF", "Til toppen", "cookies", "Forside", "Accepter", "analytics", "Rådhuspladsen"):
        assert noise not in text


def test_header_fields_in_a_definition_list_and_tables() -> None:
    page = """<html><body><h1>Referat</h1><dl><dt>Udvalg:</dt><dd>Økonomiudvalget</dd>
    <dt>Mødedato:</dt><dd>18.09.2023 kl. 16:00</dd><dt>Mødested:</dt><dd>Rådhuset</dd></dl>
    <h2>Punkt 1: Budget &amp; regnskab</h2><p>23/08812</p><h3>Beslutning</h3><p>Godkendt.</p>
    <p><a>Kopier link</a></p></body></html>"""
    doc = parse_text(html_to_text(page))
    assert (doc.meeting.committee, str(doc.meeting.date), doc.meeting.location) == (
        "Økonomiudvalget", "2023-09-18", "Rådhuset")
    assert (doc.items[0].title, doc.items[0].decision_kind) == ("Budget & regnskab", "approved")


def test_a_meeting_web_page_with_labelled_meta_item_sections_and_site_furniture() -> None:
    """A hand-written page in the shape meeting systems publish (fictional content): the record is read
    from the DOM; cookie banner, navigation, script text, "Hent som PDF", "Kopier link", "Til toppen"
    and the site footer are not part of it."""
    import datetime as dt

    d = parse_file(GENRE / "webpage_style_2024-04-10.html")
    m = d.meeting
    assert (m.kind, m.committee, m.date, m.start_time, m.location) == (
        "minutes", "Kultur- og Fritidsudvalget", dt.date(2024, 4, 10), "16:00", "Kulturhuset, mødelokale 1")
    assert [(p.name, p.party) for p in m.participants] == [("Lone Bak", "A"), ("Per Vind", "V"), ("Ida Krogh", "F")]
    assert [(i.number, i.title, i.case_number) for i in d.items] == [
        (1, "Godkendelse af dagsorden", "24/11223"), (2, "Tilskud til musikskolen", "24/11224")]
    grant = d.items[1]
    assert grant.recommendation == ["at musikskolen får et tilskud på 1,2 mio. kr.,",
                                    "at tilskuddet finansieres af puljen."]
    assert (grant.decision_kind, grant.absent) == ("recommended", ["Per Vind"])
    assert grant.attachments == ["Ansøgning fra musikskolen"]  # not the site footer after it
    assert grant.tables and grant.tables[0].rows == [["Undervisning", "0,8"], ["Instrumenter", "0,4"]]
    text = " ".join(s.text for i in d.items for s in i.sections)
    assert not any(noise in text for noise in ("Falsk", "cookies", "Hent som PDF", "Kopier link", "Til toppen",
                                               "Forside", "Vesterå Kommune"))


def test_headings_and_bold_lines_become_hints() -> None:
    """Heading elements and paragraphs set wholly in bold reach the normalizer as markdown marks (the
    parser's heading hints); a sentence set in a heading element, and bold inside a sentence, stay text."""
    page = """<html><body><h2>Punkt 1: Budget</h2><p><strong>Beslutning</strong></p><p>Godkendt.</p>
    <h4>Der er ikke høringspligt i denne sag, og sagen sendes ikke i høring.</h4>
    <p>Udvalget <b>godkendte</b> indstillingen.</p><div><b>Økonomi</b><br></div></body></html>"""
    lines = [ln for ln in html_to_text(page, hints=True).splitlines() if ln]
    assert lines == ["## Punkt 1: Budget", "**Beslutning**", "Godkendt.",
                     "Der er ikke høringspligt i denne sag, og sagen sendes ikke i høring.",
                     "Udvalget godkendte indstillingen.", "**Økonomi**"]
    assert "##" not in html_to_text(page) and "**" not in html_to_text(page)  # no hints unless asked


CHROMIUM = Path("/usr/bin/chromium")


def _dump_dom(page: Path, profile: Path) -> str:
    """The page as a real browser holds it after loading (what "save page" and scrapers get)."""
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", "--dump-dom", page.as_uri()]
    return subprocess.run(cmd, capture_output=True, check=True, timeout=120, text=True).stdout


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it)")
@pytest.mark.parametrize("source", sorted(EXAMPLES.glob("*.txt"))[:2], ids=lambda p: p.name)
def test_a_page_as_chromium_serialises_it_reads_like_the_text(tmp_path: Path, source: Path) -> None:
    """A generic meeting page (not the publication system's layout) saved from a real browser's DOM goes the
    text road and gives the text's record."""
    text = source.read_text(encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text(render_html(text), encoding="utf-8")
    saved = tmp_path / "saved.html"
    saved.write_text(_dump_dom(page, tmp_path / "profile"), encoding="utf-8")
    doc = parse_file(saved)
    assert doc.source["format"] == "html"
    diffs = differences(parse_text(text).to_contract(), doc.to_contract())
    assert not diffs, "\n".join(diffs[:20])

"""Web pages: the record read from a meeting page equals the record read from the text it shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLES, SEEDS
from referat import parse_file, parse_text
from referat.htmlrender import render_html
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

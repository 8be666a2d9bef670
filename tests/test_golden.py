"""Golden tests: the five real minutes in ../shared/seeds against the hand-checked ../shared/gold."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import SEEDS, SHARED, needs_shared
from referat import parse_file, parse_text
from referat.testing import converters, producers

pytestmark = needs_shared


def norm(v):
    if v is None:
        return None
    s = unicodedata.normalize("NFC", str(v)).replace("**", "").replace("\u00ad", "")
    return re.sub(r"\s+", " ", s).strip()


def item_diffs(gold: dict, out: dict) -> list[str]:
    """Field-level differences, in the scorer's terms, for a readable failure message."""
    diffs = []
    got = {it["number"]: it for it in out["items"]}
    for gi in gold["items"]:
        oi = got.get(gi["number"])
        if oi is None:
            diffs.append(f"item {gi['number']}: missing")
            continue
        for f in ("title", "case_number", "closed", "decision_kind", "decision", "recommending_body"):
            if f in gi and (norm(gi[f]) if not isinstance(gi[f], bool) else gi[f]) != \
                    (norm(oi[f]) if not isinstance(oi[f], bool) else oi[f]):
                diffs.append(f"item {gi['number']}.{f}: gold {gi[f]!r} != {oi[f]!r}")
        for f in ("recommendation", "attachments", "presenters"):
            if f in gi and [norm(x) for x in gi[f]] != [norm(x) for x in oi[f]]:
                diffs.append(f"item {gi['number']}.{f}: gold {gi[f]!r} != {oi[f]!r}")
        if {norm(x) for x in gi.get("absent", [])} != {norm(x) for x in oi["absent"]}:
            diffs.append(f"item {gi['number']}.absent: gold {gi['absent']!r} != {oi['absent']!r}")
        if "amounts_mio_kr" in gi and Counter(round(a, 3) for a in gi["amounts_mio_kr"]) != \
                Counter(round(a, 3) for a in oi["amounts_mio_kr"]):
            diffs.append(f"item {gi['number']}.amounts_mio_kr: gold {gi['amounts_mio_kr']} != {oi['amounts_mio_kr']}")
        if "related" in gi:
            g = {(norm(r["body"]), r["date"], r["item"]) for r in gi["related"]}
            o = {(norm(r["body"]), r["date"], r["item"]) for r in oi["related"]}
            if g != o:
                diffs.append(f"item {gi['number']}.related: gold {sorted(g, key=str)} != {sorted(o, key=str)}")
    if len(gold["items"]) != len(out["items"]):
        diffs.append(f"items: gold has {len(gold['items'])}, parsed {len(out['items'])}")
    return diffs


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
def test_seed_matches_gold(seed: Path) -> None:
    gold = json.loads((SHARED / "gold" / f"{seed.stem}.json").read_text())
    out = parse_file(seed).to_contract()
    for f in ("committee", "election_period", "date", "start_time", "location"):
        assert norm(out["meeting"][f]) == norm(gold[f]), f
    assert {(p["name"], p["party"]) for p in out["meeting"]["participants"]} == \
        {(p["name"], p["party"]) for p in gold["participants"]}
    assert [(norm(t["title"]), t["page"]) for t in out["meeting"]["toc"]] == \
        [(norm(t["title"]), t["page"]) for t in gold["toc"]]
    diffs = item_diffs(gold, out)
    assert not diffs, "\n".join(diffs)


def scored(folder: Path) -> tuple[dict[str, str], float, str]:
    """The shared scorer over the NAME.json records in `folder`: per-field ratios, overall, its output."""
    res = subprocess.run([sys.executable, str(SHARED / "tools" / "score.py"), str(SHARED / "gold"), str(folder)],
                         capture_output=True, text=True, check=False)
    lines = res.stdout.strip().splitlines()
    return {ln.split()[0]: ln.split()[-1] for ln in lines[:-1]}, float(lines[-1].split()[-1]), res.stdout


def test_official_scorer(tmp_path: Path) -> None:
    """The shared scorer over all five: overall >= 0.98 and 100% on the structural fields."""
    for seed in SEEDS:
        out = parse_file(seed).to_contract()
        (tmp_path / f"{seed.stem}.json").write_text(json.dumps(out, ensure_ascii=False))
    ratios, overall, out = scored(tmp_path)
    for field in ("items.count", "item.found", "item.title", "item.case_number", "item.closed",
                  "item.decision_kind"):
        assert ratios[field] == "100.0%", out
    assert overall >= 0.98, out


def _score(tmp_path: Path, convert: Callable[[str], str]) -> tuple[dict[str, str], float, str]:
    """The shared scorer over the seeds as `convert` prints them."""
    for seed in SEEDS:
        printed = tmp_path / seed.name
        printed.write_text(convert(seed.read_text(encoding="utf-8")), encoding="utf-8")
        (tmp_path / f"{seed.stem}.json").write_text(json.dumps(parse_file(printed).to_contract(), ensure_ascii=False))
    return scored(tmp_path)


STRUCTURAL = ("items.count", "item.title", "item.case_number", "item.decision", "item.attachments", "item.related",
              "item.substitutes")


@pytest.mark.parametrize("width", [60, 70, 80, 90, 100])
def test_seeds_hard_wrapped_as_a_pdf_prints_them_read_as_the_seeds(tmp_path: Path, width: int) -> None:
    """pdftotext and the PDF reader give a paragraph as the lines it was printed on. The seeds wrapped at
    `width` (tables and short lines as they are) must score as the seeds do on the structural fields, and
    overall >= 0.99 (before normalize._unwrap: 0.912 at 60 characters, 0.965 at 80, 0.968 at 100; a wrapped
    "punkt 3." began an item, and "Social- og Sundhedsforvaltningen og …" / "indstiller," lost its body)."""
    ratios, overall, out = _score(tmp_path, lambda text: converters.wrapped(text, width))
    assert all(ratios[f] == "100.0%" for f in (*STRUCTURAL, "item.recommending_body")), out
    assert overall >= 0.99, out


@pytest.mark.parametrize("name", sorted(converters.CONVERTERS))
def test_seeds_as_other_converters_print_them_read_as_the_seeds(tmp_path: Path, name: str) -> None:
    """No blank lines, words broken at line ends, a running footer beside every page number: overall
    >= 0.99 and the structural fields whole (before: 0.942 wrapped without blank lines, 0.951 hyphenated,
    0.965 with footers, whose "Gladsaxe Kommune" ended up in decisions and attachment lists)."""
    ratios, overall, out = _score(tmp_path, converters.CONVERTERS[name])
    assert all(ratios[f] == "100.0%" for f in STRUCTURAL), out
    assert overall >= 0.99, out


PRINTERS: dict[str, Callable[[Path, tuple], Path]] = {
    "LibreOffice from Word": lambda d, blocks: producers.libreoffice_pdf(d, blocks=blocks),
    "Chromium from a web page": lambda d, blocks: producers.chromium_pdf(d, html=producers.minutes_html(blocks)),
}


@pytest.mark.parametrize("printer", sorted(PRINTERS))
def test_seeds_printed_as_pdfs_by_real_producers_read_back(tmp_path: Path, printer: str) -> None:
    """The seeds set as Word files printed by LibreOffice and as web pages printed by Chromium, read by the
    PDF reader: every item found with its case number, overall >= 0.92 (LibreOffice, whose equal-width
    table columns break long words inside cells) and >= 0.96 (Chromium); and the same PDFs as text from
    pdftotext's plain order (no blank lines, tables cell by cell) parsed: every item found with its case
    number, >= 0.91.
    Seed 004's own converter run-ons ("Dagsordenpunkt**Title****Beslutning**") are printed as they are,
    which costs some fields. Measured 2026-11-30: 0.937 and 0.967 read, 0.927 and 0.915 through
    pdftotext; before that day's work on wrapped text, contents and ruled tables, 0.756 and 0.724 read."""
    read, text = tmp_path / "read", tmp_path / "pdftotext"
    for seed in SEEDS:
        try:
            pdf = PRINTERS[printer](tmp_path / seed.stem, converters.as_blocks(seed.read_text(encoding="utf-8")))
        except producers.ProducerMissing as exc:
            pytest.skip(str(exc))
        for folder, doc in ((read, parse_file(pdf)), (text, parse_text(_pdftotext(pdf)))):
            folder.mkdir(exist_ok=True)
            (folder / f"{seed.stem}.json").write_text(json.dumps(doc.to_contract(), ensure_ascii=False))
    for folder, least in ((read, 0.96 if printer.startswith("Chromium") else 0.92), (text, 0.91)):
        ratios, overall, out = scored(folder)
        assert all(ratios[f] == "100.0%" for f in ("items.count", "item.found", "item.case_number")), (folder.name, out)
        assert overall >= least, (folder.name, out)


def _pdftotext(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not found: `make test` installs Debian's poppler-utils")
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout

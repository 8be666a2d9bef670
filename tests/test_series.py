"""Numbers as series: typed cells, normalized names, the seeds' budget frames and complaint figures, on
SQLite and PostgreSQL, through the CLI, the API and a chart page in a real browser."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, SEEDS, needs_shared
from referat import series as S
from referat.testing.server import served



# --- typed cells and names ----------------------------------------------------------------------

@pytest.mark.parametrize(("printed", "value"), [
    ("1.070,9", Decimal("1070.9")), ("72,1", Decimal("72.1")), ("0", Decimal(0)),
    ("-3,2", Decimal("-3.2")), ("\u22123,2", Decimal("-3.2")), ("\u20133,2", Decimal("-3.2")),
    ("÷3,2", Decimal("-3.2")), ("(3.338.820)", Decimal("-3338820")), ("3,2-", Decimal("-3.2")),
    ("-1.672.189", Decimal("-1672189")), ("1\u00a0070,9", Decimal("1070.9")), ("12 pct.", Decimal(12)),
    ("5,5 mio. kr.", Decimal("5.5")),
])
def test_danish_numbers_read_exactly_negatives_in_every_spelling(printed: str, value: Decimal) -> None:
    assert S.read_number(printed) == value


@pytest.mark.parametrize("printed", ["", "Aktivering", "1.07,9", "1,2,3", "2. kvartal", "(", "-"])
def test_what_is_no_number_is_refused(printed: str) -> None:
    assert S.read_number(printed) is None


def test_units_come_from_captions_and_corner_cells() -> None:
    assert S.unit_of("Tabel 2. Regnskab 2023, nettodriftsudgifter, mio. kr.") == "mio. kr."
    assert S.unit_of(None, "Mio. kr.") == "mio. kr."
    assert S.unit_of("Beløb i 1.000 kr.") == "1.000 kr."
    assert S.unit_of("Oversigt over antal børn") is None
    assert S.read_cell("12 pct.", "mio. kr.").unit == "pct."  # the cell's own unit first
    assert S.read_cell("Ringbo", "mio. kr.") == S.Cell("Ringbo", None, None)


@pytest.mark.parametrize(("header", "name"), [
    ("Vedttaget budget", "Vedtaget budget"), ("Vedtaget budget 2025", "Vedtaget budget"),
    ("Korrigeret budget 2025", "Korrigeret budget"), ("Forbrug", "Forbrug"),
    ("Forventet forbrug 2025", "Forventet forbrug"),
    ("Forskel vedtaget budget", "Afvigelse fra vedtaget budget"),
    ("Afvigelse: Vedtaget budget", "Afvigelse fra vedtaget budget"),
    ("Mer-/mindreforbrug korrigeret budget", "Afvigelse fra korrigeret budget"),
    ("Forventet mer/mindreforbrug 2025", "Afvigelse"), ("Regnskab", "Regnskab"),
    ("Forventet afvigelse fra korrigeret budget", "Afvigelse fra korrigeret budget"),
    ("Lokationer", None), ("Mio. kr.", None),
])
def test_measures_are_normalized(header: str, name: str | None) -> None:
    assert S.measure_name(header) == name


@pytest.mark.parametrize(("label", "name"), [
    ("01 Aktivering", "Aktivering"), ("Aktivering", "Aktivering"), ("02 Forsørgelse", "Forsørgelse"),
    ("04 Øvrige udgifter (servicerammen)", "Øvrige udgifter (servicerammen)"),
    ("Øvrige udgifter (Servicerammen)", "Øvrige udgifter (servicerammen)"),
    ("Beskæftigelses- og Integrationsudvalget i alt", "I alt"), ("I alt", "I alt"),
    ("Ringbo", "Ringbo"),
])
def test_frames_are_normalized(label: str, name: str) -> None:
    assert S.frame_name(label) == name


def test_periods_from_titles() -> None:
    assert S.period_of("Budgetopfølgning for 3. kvartal 2021 på Beskæftigelses- og integrationsområdet") == "2021 Q3"
    assert S.period_of("Budgetopfølgning 2025, 1. kvartal") == "2025 Q1"
    assert S.period_of("Regnskab 2023 og videreførelse af driftsmidler fra 2023 til 2024") == "2023"
    assert S.period_of("Orientering", "2024-04-03") == "2024-04-03"


def test_a_carry_over_table_is_not_the_budget_frame() -> None:
    table = {"caption": "Tabel 3. Videreførelser fra 2023 til 2024, mio. kr.", "header": ["", "Mio. kr."],
             "rows": [["Aktiveringsrammen i alt", "5,5"], ["I alt", "7,7"]]}
    got = S.from_table(table, committee="U", item_id="i", ordinal=3, period="2023")
    assert {(o.subject, o.frame, o.measure, o.value, o.unit) for o in got} == {
        ("Videreførelser fra 2023 til 2024", "Aktiveringsrammen i alt", "Beløb", 5.5, "mio. kr."),
        ("Videreførelser fra 2023 til 2024", "I alt", "Beløb", 7.7, "mio. kr.")}
    thousands = {"caption": None, "header": ["Overførsler", "1.000 kr."], "rows": [["Drift", "-1.234"]]}
    [o] = S.from_table(thousands, committee="U", item_id="i", ordinal=1, period="2024")
    assert (o.subject, o.measure, o.value, o.unit) == ("Tabel", "Beløb", -1234.0, "1.000 kr.")


def test_a_two_line_header_is_joined() -> None:
    table = {"caption": "Regnskab, mio. kr.", "header": ["Bevilling", "Vedtaget budget", "Mer-/mindreforbrug",
                                                         "Mer-/mindreforbrug"],
             "rows": [["", "", "vedtaget budget", "korrigeret budget"], ["Aktivering", "131,7", "-12,2", "6,6"]]}
    got = {o.measure: o.value for o in S.from_table(table, committee="U", item_id="i", ordinal=1, period="2023")}
    assert got == {"Vedtaget budget": 131.7, "Afvigelse fra vedtaget budget": -12.2,
                   "Afvigelse fra korrigeret budget": 6.6}


def test_a_printed_rate_that_does_not_add_up_is_a_warning() -> None:
    # team-written: the rate should be (3 + 2) / 20 = 25 pct., 30 is printed
    text = ("Ankestyrelsen afgjorde i alt tyve klagesager i 1. kvartal 2024, hvoraf 15 (75 pct.) blev stadfæstet, "
            "mens tre (15 pct.) blev hjemvist og 2 (10 pct.) blev ændret. Dette giver en omgørelsesprocent på 30 pct.")
    got = S.from_prose(text, committee="U", item_id="i", period="2024 Q1")
    assert {o.measure: o.value for o in got.observations} == {
        "Afgjorte klagesager": 20, "Stadfæstet": 15, "Hjemvist": 3, "Ændret": 2, "Omgørelsesprocent": 30}
    assert len(got.warnings) == 1 and "recomputed 25 pct." in got.warnings[0]
    assert S.reversal_rate(66, 10, 8) == 27 and S.reversal_rate(48, 5, 4) == 19  # 18.75 rounds half up


# --- the seeds, in an archive on both backends ---------------------------------------------------

@pytest.fixture()
def archive_db(new_db: Callable[[str], str]) -> str:
    from referat.ingest import ingest
    from referat.store import Archive

    db = new_db("series.db")
    with Archive(db) as a:
        assert ingest(a, [str(p) for p in SEEDS]).count("ingested") == len(SEEDS)
    return db


def _series(db: str, label: str = "") -> dict[str, Any]:
    from referat.store import Archive

    with Archive(db) as a, a.engine.connect() as conn:
        return S.series(conn, label)


def _values(data: dict[str, Any], subject: str, frame: str, measure: str) -> dict[str, float]:
    found = [s for s in data["series"] if (s["subject"], s["frame"], s["measure"]) == (subject, frame, measure)]
    assert len(found) == 1, (subject, frame, measure, [(s["subject"], s["frame"], s["measure"]) for s in data["series"]])
    return {p["period"]: p["value"] for p in found[0]["points"]}


@needs_shared
def test_seed_budget_tables_give_one_series_per_frame(archive_db: str) -> None:
    data = _series(archive_db)
    budget = [s for s in data["series"] if s["subject"] == S.BUDGET_SUBJECT]
    assert {s["frame"] for s in budget} == {"Aktivering", "Forsørgelse", "Øvrige udgifter (servicerammen)", "I alt"}
    assert {s["unit"] for s in budget} == {"mio. kr."}
    # as printed in Tabel 1 (30.11.2021), Tabel 2 (03.04.2024, Regnskab 2023), Tabel 2 (04.06.2025)
    assert _values(data, "Budget", "Aktivering", "Vedtaget budget") == {"2021 Q3": 72.1, "2023": 131.7, "2025 Q1": 152.2}
    assert _values(data, "Budget", "Aktivering", "Korrigeret budget") == {"2021 Q3": 77.1, "2023": 150.5,
                                                                         "2025 Q1": 159.3}
    assert _values(data, "Budget", "Aktivering", "Afvigelse fra vedtaget budget") == {
        "2021 Q3": 3.2, "2023": -12.2, "2025 Q1": 8.3}
    assert _values(data, "Budget", "Forsørgelse", "Forventet forbrug") == {"2021 Q3": 761.6, "2025 Q1": 870.2}
    assert _values(data, "Budget", "Forsørgelse", "Afvigelse fra korrigeret budget") == {
        "2021 Q3": -3.2, "2023": 14.2, "2025 Q1": 0.0}
    assert _values(data, "Budget", "Øvrige udgifter (servicerammen)", "Forbrug") == {"2021 Q3": 35.2}
    assert _values(data, "Budget", "Øvrige udgifter (servicerammen)", "Regnskab") == {"2023": 36.1}
    assert _values(data, "Budget", "I alt", "Vedtaget budget") == {"2021 Q3": 887.7, "2023": 917.3, "2025 Q1": 1070.9}
    # the carry-over table keeps its own subject: its "Aktiveringsrammen i alt" joins no budget frame
    assert _values(data, "Videreførelser fra 2023 til 2024", "Aktiveringsrammen i alt", "Beløb") == {"2023": 5.5}
    # provenance: each point names its item and table
    point = next(s for s in budget if s["frame"] == "Aktivering" and s["measure"] == "Vedtaget budget")["points"][0]
    assert (point["printed"], point["table"], point["date"]) == ("72,1", 1, "2021-11-30")
    from referat.store import Archive

    with Archive(archive_db) as a:
        assert a.item(point["item_id"])["title"].startswith("Budgetopfølgning for 3. kvartal 2021")


@needs_shared
def test_seed_complaint_reports_give_their_printed_figures(archive_db: str) -> None:
    data = _series(archive_db)
    measures = ("Afgjorte klagesager", "Stadfæstet", "Hjemvist", "Ændret", "Omgørelsesprocent")

    def figures(frame: str, period: str) -> tuple[float, ...]:
        return tuple(_values(data, "Klagesager", frame, m)[period] for m in measures)

    assert figures("I alt", "2021 Q2") == (90, 71, 11, 8, 21)
    assert figures("Beskæftigelsesområdet", "2021 Q2") == (48, 39, 5, 4, 19)
    assert figures("I alt", "2021 Q3") == (92, 69, 14, 9, 25)
    assert figures("Beskæftigelses- og Integrationsudvalget område", "2021 Q3") == (66, 48, 10, 8, 27)
    changed = next(s for s in data["series"] if s["frame"] == "Beskæftigelses- og Integrationsudvalget område"
                   and s["measure"] == "Ændret")
    assert changed["points"][0]["printed"] == "otte" and changed["points"][0]["table"] is None
    assert data["warnings"] == []  # every printed rate is the recomputed one


@needs_shared
def test_labels_find_series_by_printed_or_normalized_names(archive_db: str) -> None:
    assert {(s["frame"], s["measure"]) for s in _series(archive_db, "01 Aktivering Vedttaget budget")["series"]} == {
        ("Aktivering", "Vedtaget budget")}
    frames = {s["frame"] for s in _series(archive_db, "Aktivering")["series"]}
    assert frames == {"Aktivering"}  # whole words: not "Aktiveringsrammen i alt"
    assert {s["frame"] for s in _series(archive_db, "omgørelsesprocent")["series"]} == {
        "I alt", "Beskæftigelsesområdet", "Beskæftigelses- og Integrationsudvalget område"}


# --- CLI, API, chart page -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from referat.ingest import ingest
    from referat.store import Archive

    db = tmp_path_factory.mktemp("series") / "a.db"
    with Archive(db) as a:
        ingest(a, [str(p) for p in SEEDS])
    return db


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "referat.cli", *args], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})


@needs_shared
def test_cli_series_prints_the_values_with_their_source(seed_db: Path) -> None:
    done = _cli("series", "Aktivering Vedtaget budget", "--db", str(seed_db))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Aktivering · Vedtaget budget (mio. kr.)  Budget, Beskæftigelses- og Integrationsudvalget")
    assert [line.split()[:3] for line in lines[1:]] == [["2021", "Q3", "72,1"], ["2023", "131,7", "trykt"],
                                                        ["2025", "Q1", "152,2"]]
    as_json = json.loads(_cli("series", "omgørelsesprocent", "--db", str(seed_db), "-f", "json").stdout)
    assert sorted(p["value"] for s in as_json["series"] for p in s["points"]) == [19, 21, 25, 27]
    missing = _cli("series", "findes ikke", "--db", str(seed_db))
    assert missing.returncode == 1 and "no series matches" in missing.stderr


@needs_shared
def test_api_series_and_the_chart_page(seed_db: Path) -> None:
    from fastapi.testclient import TestClient

    from referat.api import create_app

    client = TestClient(create_app(seed_db))
    body = client.get("/api/series", params={"label": "Forsørgelse Vedtaget budget"}).json()
    assert body["total"] == 1
    s = body["series"][0]
    assert [(p["period"], p["value"], p["printed"]) for p in s["points"]] == [
        ("2021 Q3", 758.4, "758,4"), ("2023", 725.1, "725,1"), ("2025 Q1", 870.2, "870,2")]
    assert client.get(f"/api/series/{s['id']}").json() == s
    assert client.get("/api/series/000000000000").status_code == 404
    page = client.get(f"/serie/{s['id']}")
    assert page.status_code == 200 and "<h1>Forsørgelse: Vedtaget budget</h1>" in page.text
    assert "<script>" not in page.text  # data in a JSON block only (the Content-Security-Policy)
    assert client.get("/serier", params={"q": "omgørelsesprocent"}).text.count('href="/serie/') == 3
    assert client.get("/serie/000000000000").status_code == 404


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def server(seed_db: Path) -> Iterator[str]:
    from referat.api import create_app

    with served(create_app(seed_db)) as url:
        yield url


@needs_shared
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it)")
@pytest.mark.skipif(not (ROOT / "node_modules" / "chart.js").exists(), reason="Chart.js is not installed (npm ci)")
def test_chart_page_in_a_browser(server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server + "/serier?q=Aktivering")
        page.get_by_role("link", name="Aktivering: Vedtaget budget").click()
        page.wait_for_url("**/serie/*")
        page.wait_for_selector("canvas.chart-canvas")
        deadline = time.monotonic() + 10  # Chart.js attaches its instance once drawn
        while not page.evaluate("!!Chart.getChart(document.querySelector('canvas.chart-canvas'))"):
            assert time.monotonic() < deadline, "the chart was not drawn"
            time.sleep(0.05)
        drawn = page.evaluate("Chart.getChart(document.querySelector('canvas.chart-canvas')).data.datasets[0].data")
        assert drawn == [72.1, 131.7, 152.2]
        assert "131,7" in page.inner_text("main")
        (ROOT / "test-artifacts").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "test-artifacts" / "serie.png"), full_page=True)
        page.get_by_role("link", name="Punktet 3. april 2024").click()
        page.wait_for_url("**/punkt/*")
        series_url = page.evaluate("document.referrer")
        axe_js = ROOT / "node_modules" / "axe-core" / "axe.min.js"
        if axe_js.exists():  # WCAG 2.1 AA as for every other page type (tests/test_browser.py), at three widths
            for width in (1280, 390, 320):
                page.set_viewport_size({"width": width, "height": 900})
                for url in (server + "/serier", series_url):
                    page.goto(url)
                    page.wait_for_load_state("networkidle")
                    page.evaluate(axe_js.read_text(encoding="utf-8"))
                    found = page.evaluate(
                        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
                        ".filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id))")
                    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert (found, wide) == ([], 0), (url, width)
        assert errors == []
        browser.close()

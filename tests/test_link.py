"""The linked record: case numbers, case threads, resolved references, attendance, people, bodies.

Expected links on the real minutes are derived from the hand-checked gold files (../shared/gold), not
from our own output: every gold reference whose meeting is in the archive must resolve to that item.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect

from conftest import BACKENDS, EXAMPLES, SEEDS, SHARED, module_db, needs_shared
from referat.cases import KleFileError, case_key, load_kle, parse_case_number
from referat.link import infer_date, reference_numbers
from referat.names import body_key, is_person, person_key, presenter_name
from referat.parse import parse_file
from referat.store import AmbiguousError, Archive, NotFoundError
from referat.store.archive import MIGRATIONS
from referat.store.rows import document_rows

NOW = "2026-01-01T00:00:00+00:00"
LINKED_EXAMPLES = sorted(EXAMPLES.glob("vesteraa_*"))


# --- case numbers ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, parts", [
    ("21-7-85.10.00-P07", (2021, 7, "85.10.00", "P07", None)),
    ("22-159055-00.00.00-A00", (2022, 159055, "00.00.00", "A00", None)),
    ("00.22.00-G01-1-16", (2016, 1, "00.22.00", "G01", None)),
    ("EMN-2025-010561", (2025, 10561, None, None, "EMN")),
    ("2013/02537", (2013, 2537, None, None, None)),
    ("2022-0045217", (2022, 45217, None, None, None)),
    ("24/012345", (2024, 12345, None, None, None)),
])
def test_every_case_number_shape_is_parsed_into_parts(raw: str, parts: tuple) -> None:
    c = parse_case_number(raw)
    assert c is not None and (c.year, c.sequence, c.kle, c.facet, c.prefix) == parts


@pytest.mark.parametrize("a, b", [
    ("21-7-85.10.00-P07", "85.10.00-P07-7-21"),  # SBSYS and Acadre order
    ("21-7-85.10.00-P07", "21-07-85.10.00-p07"),  # zero padding, lower-case facet
    ("2013/02537", "2013/2537"),
    ("24/012345", "2024/12345"),
    ("2022-0045217", "2022/45217"),
    ("EMN-2025-010561", " emn-2025-10561 "),
])
def test_the_same_case_written_two_ways_is_one_case(a: str, b: str) -> None:
    assert case_key(a) == case_key(b) is not None


def test_different_cases_stay_apart() -> None:
    assert case_key("21-7-85.10.00-P07") != case_key("21-7-85.10.00-P08")
    assert case_key("21-7-85.10.00-P07") != case_key("22-7-85.10.00-P07")
    assert case_key("2013/02537") != case_key("2014/02537")
    assert parse_case_number("kl. 16.30") is None
    assert case_key("ABC 123") == "ABC 123"  # an unknown shape keys on itself


def test_kle_titles_from_xml_and_csv(tmp_path: Path) -> None:
    # KL's element names with invented titles (the real ones are licensed, and not needed here)
    xml = tmp_path / "kle.xml"
    xml.write_text(
        '<?xml version="1.0" encoding="utf-8"?><KLE-Emneplan xmlns="http://example.org/kle">'
        "<Hovedgruppe><HovedgruppeNr>85</HovedgruppeNr><HovedgruppeTitel>Testgruppe øko</HovedgruppeTitel>"
        "<Gruppe><GruppeNr>85.10</GruppeNr><GruppeTitel>Testgruppe budget</GruppeTitel>"
        "<Emne><EmneNr>85.10.00</EmneNr><EmneTitel>Testemne budget</EmneTitel></Emne>"
        "<StikordTilEmne><EmneNr>85.10.00</EmneNr><EmneStikord>ikke en titel</EmneStikord></StikordTilEmne>"
        "</Gruppe></Hovedgruppe></KLE-Emneplan>", encoding="utf-8")
    assert load_kle(xml) == {"85": "Testgruppe øko", "85.10": "Testgruppe budget", "85.10.00": "Testemne budget"}
    csv = tmp_path / "facetter.csv"
    csv.write_text("kode;titel\nP07;Testfacet budget\nA26;Testfacet klager\n", encoding="utf-8")
    assert load_kle(csv) == {"P07": "Testfacet budget", "A26": "Testfacet klager"}
    bad = tmp_path / "bad.xml"
    bad.write_text("<KLE><Emne>", encoding="utf-8")
    with pytest.raises(KleFileError, match="bad.xml: not well-formed XML"):
        load_kle(bad)
    empty = tmp_path / "empty.csv"
    empty.write_text("nothing here\n", encoding="utf-8")
    with pytest.raises(KleFileError, match="no KLE codes"):
        load_kle(empty)


# --- names -------------------------------------------------------------------------------------

def test_names_are_normalized() -> None:
    assert person_key("  Signe   Ejersbo (F) ")[1] == person_key("SIGNE EJERSBO")[1]
    assert person_key("Ole Skrald")[0] == "Ole Skrald"
    assert not is_person("Ø") and not is_person("SF") and not is_person("Uden for parti") and is_person("Bo Lund")
    assert body_key("Byrådsmødet") == body_key("Byrådet") == body_key("byråd")
    assert body_key("Økonomiudvalgets møde") == body_key("Økonomiudvalget")
    assert body_key("Beskæftigelses- og Integrationsudvalget") != body_key("Beskæftigelsesudvalget")
    assert body_key("Ældreudvalget") != body_key("Aeldreudvalget")  # æ is a letter
    assert presenter_name("Merete Jørgensen, chef for Borgerservice, Unge og Beskæftigelse.") == "Merete Jørgensen"
    assert presenter_name("konsulent Anders Vind") == "Anders Vind"
    assert presenter_name("Teamleder for Ungeindsatsen Camilla Frost") is None  # role and name not separable


def test_reference_numbers_and_inferred_dates() -> None:
    assert reference_numbers("Beskæftigelses- og Integrationsudvalget 31.05.2023, punkt 1 og 8", 1) == [1, 8]
    assert reference_numbers("Beskæftigelsesudvalget, 20.02.2018, pkt. 9, 10 og 11", 9) == [9, 10, 11]
    assert reference_numbers("Børne- og Undervisningsudvalget 04.04.2024.", None) == []
    meeting = dt.date(2021, 11, 30)
    assert infer_date("Beskæftigelses- og Integrationsudvalget 05.10, punkt 3.", None, meeting) == dt.date(2021, 10, 5)
    # a day-month after the citing meeting lies in the year before
    assert infer_date("Byrådet 15.12, punkt 3", None, dt.date(2022, 1, 20)) == dt.date(2021, 12, 15)
    assert infer_date("Byrådet 01.06.2021, punkt 2", dt.date(2021, 6, 1), meeting) == dt.date(2021, 6, 1)
    assert infer_date("Byrådet 31.02, punkt 2", None, meeting) is None


# --- the real minutes ----------------------------------------------------------------------------

def _ingest(db: str, files: list[Path]) -> Archive:
    a = Archive(db)
    for f in files:
        assert a.store_many([_rows(f)]) == ["ingested"]
    return a


_PARSED: dict[Path, object] = {}


def _rows(f: Path):
    if f not in _PARSED:
        _PARSED[f] = parse_file(f)
    doc = _PARSED[f]
    text = f.read_text(encoding="utf-8")
    return document_rows(doc, sha256=str(abs(hash(text))), path=str(f), text=text, fmt="text", encoding="utf-8",
                         size=len(text), now=NOW)


@pytest.fixture(scope="module", params=BACKENDS)
def seeds(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return _ingest(module_db(request, request.param, tmp_path_factory), SEEDS)


def _links(a: Archive) -> set[tuple]:
    """Every link by natural keys: (source date, source item, direction, target date, target item)."""
    with a.engine.connect() as conn:
        return set(conn.exec_driver_sql(
            "SELECT si.date, si.number, l.direction, l.sub, m.date, ti.number FROM links l JOIN items si ON "
            "si.pk = l.item_pk JOIN meetings m ON m.id = l.target_meeting_id LEFT JOIN items ti ON "
            "ti.id = l.target_item_id").all())


@needs_shared
def test_complaint_case_is_one_thread_over_two_meetings(seeds: Archive) -> None:
    timeline = seeds.case("21-12-27.00.00-A26")["timeline"]
    assert [(t["date"], t["number"]) for t in timeline] == [("2021-11-30", 7), ("2022-03-02", 4), ("2022-03-02", 5)]
    assert {t["committee"] for t in timeline} == {"Beskæftigelses- og Integrationsudvalget"}
    # written with the sequence zero-padded, it is the same case
    assert seeds.case("21-012-27.00.00-A26")["timeline"] == timeline


@needs_shared
def test_every_reference_into_the_archive_resolves_to_the_right_item(seeds: Archive) -> None:
    gold = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((SHARED / "gold").glob("*.json"))]
    archived = {g["date"] for g in gold}  # all five are one committee's meetings
    body = body_key(gold[0]["committee"])
    expected, outside = set(), 0
    for g in gold:
        for it in g["items"]:
            for r in it.get("related") or []:
                if body_key(r["body"]) == body and r["date"] in archived:
                    for sub, n in enumerate(r.get("items") or [r["item"]]):
                        expected.add((g["date"], it["number"], "related", sub, r["date"], n))
                else:
                    outside += 1
    assert expected  # the 2025 minutes cite their own items 4 and 5
    got = {(str(d), n, direction, sub, str(td), tn) for d, n, direction, sub, td, tn in _links(seeds)}
    assert got == expected
    # references outside the archive stay visible, marked unresolved
    unresolved = [r for t in seeds.case("22-28-15.00.00-P20")["timeline"] for r in t["related"]
                  if r["status"] == "unresolved"]
    assert len(unresolved) == 8 and unresolved[0]["raw"].startswith("Beskæftigelses- og Integrationsudvalget 31.05.2023")
    item4 = seeds.case("22-28-15.00.00-P20")["timeline"][0]
    assert item4["related"][-1]["status"] == "item" and item4["related"][-1]["targets"][0]["number"] == 5
    assert [r["number"] for r in item4["referenced_by"]] == [5]
    assert outside > 30


@needs_shared
def test_attendance_and_named_vote_2025(seeds: Archive) -> None:
    meeting_id = seeds.case("25-1-85.10.00-P07")["timeline"][0]["meeting_id"]
    m = seeds.meeting(meeting_id)
    members = [a for a in m["attendance"] if a["status"] != "substitute"]
    assert [a["name"] for a in members] == ["Michael Dorph Jensen", "Kristine Henriksen", "Ole Skrald",
                                            "Rikke Louise Schilling", "Signe Ejersbo", "Suleman Naim",
                                            "Susanne Damsgaard"]
    absent = {a["name"]: a["substitute"] for a in members if a["status"] == "absent"}
    assert absent == {"Kristine Henriksen": "Tom Vang Knudsen", "Suleman Naim": "Lone Yalcinkaya"}
    subs = {a["name"]: a["for"] for a in m["attendance"] if a["status"] == "substitute"}
    assert subs == {"Tom Vang Knudsen": "Kristine Henriksen", "Lone Yalcinkaya": "Suleman Naim"}
    item1 = seeds.item(m["items"][0]["id"])
    assert item1["votes"] == {"for": ["Michael Dorph Jensen", "Tom Vang Knudsen", "Ole Skrald", "Rikke Louise Schilling",
                                      "Signe Ejersbo", "Susanne Damsgaard"], "against": [],
                              "abstained": ["Lone Yalcinkaya"]}
    lone = seeds.person("lone yalcinkaya")
    assert [(s["date"], s["for"]) for s in lone["substitutions"]] == [("2025-06-04", "Suleman Naim")]
    assert [(v["number"], v["vote"]) for v in lone["votes"]] == [(1, "abstained")]
    naim = seeds.person("Suleman Naim (Uden for parti)")
    assert naim["attendance"] == {"meetings": 2, "present": 0, "absent": 2, "rate": 0.0}
    assert [p["party"] for p in naim["parties"]] == ["Uden for parti"]
    dorph = seeds.person("Michael Dorph Jensen")
    assert dorph["attendance"]["rate"] == 1.0 and dorph["parties"][0]["party"] == "Ø"


@needs_shared
def test_body_has_meetings_by_year_and_members_over_time(seeds: Archive) -> None:
    b = seeds.body("beskæftigelses- og integrationsudvalg")
    assert b["municipality"] == "Gladsaxe" and b["meetings"] == 5
    assert list(b["meetings_by_year"]) == ["2013", "2021", "2022", "2024", "2025"]
    names = {(m["name"], m["party"]) for m in b["members"]}
    assert ("Signe Ejersbo", "F") in names and ("Serdal Benli", None) in names
    with pytest.raises(NotFoundError, match="no committee or council named 'Teknikudvalget'"):
        seeds.body("Teknikudvalget")
    with pytest.raises(NotFoundError, match="no archived item has case number"):
        seeds.case("99-1-00.00.00-A00")
    with pytest.raises(NotFoundError, match="no person named"):
        seeds.person("Ingen Sådan Person")


# --- the bundled examples: links across bodies, dates without a year, next steps ------------------

def test_links_across_bodies_and_forms_in_the_examples(new_db: Callable[[str], str]) -> None:
    a = _ingest(new_db("x.db"), LINKED_EXAMPLES)
    budget = a.case("85.10.00-P07-3-24")  # as ØU prints it; Beskæftigelsesudvalget prints 24-3-85.10.00-P07
    assert [(t["date"], t["committee"], t["number"]) for t in budget["timeline"]] == [
        ("2024-03-12", "Beskæftigelsesudvalget", 1), ("2024-04-02", "Økonomiudvalget", 42)]
    first, second = budget["timeline"]
    assert [(u["body"], u["status"]) for u in first["upcoming"]] == [("Økonomiudvalget", "item"),
                                                                       ("Byrådet", "unresolved")]
    assert first["upcoming"][0]["targets"][0]["item_id"] == second["item_id"]
    assert [(r["raw"], r["status"]) for r in second["related"]] == [
        ("Beskæftigelsesudvalget 12.03.2024, punkt 1", "item"), ("Økonomiudvalget 18.09.2023, pkt. 160", "item")]
    jobklub = a.case("23-41-15.20.00-A26")["timeline"]
    assert jobklub[1]["related"][0]["raw"] == "Beskæftigelsesudvalget 05.10, punkt 4"
    assert jobklub[1]["related"][0]["inferred_date"] == "2023-10-05"
    assert jobklub[1]["related"][0]["targets"][0]["item_id"] == jobklub[0]["item_id"]
    assert a.body("Økonomiudvalget")["meetings"] == 2
    anders = a.person("Anders Vind")
    assert [(p["date"], p["number"]) for p in anders["presented"]] == [("2023-10-05", 4), ("2024-03-12", 2)]


def test_links_follow_replacement_and_removal(tmp_path: Path, new_db: Callable[[str], str]) -> None:
    files = LINKED_EXAMPLES
    a = _ingest(new_db("x.db"), files)
    before = _links(a)
    target = EXAMPLES / "vesteraa_beskaeftigelse_2024-03-12.md"
    changed = tmp_path / target.name
    changed.write_text(target.read_text(encoding="utf-8").replace("# Punkt 1: Budget", "# Punkt 7: Budget"),
                       encoding="utf-8")
    rows = _rows(changed)
    rows.document["path"] = str(target)  # the same file, changed: replaces the stored version
    assert a.store_many([rows]) == ["replaced"]
    after = _links(a)
    # ØU's "Beskæftigelsesudvalget 12.03.2024, punkt 1" now finds the meeting but no item 1 in it
    cited = {x for x in before if str(x[4]) == "2024-03-12" and x[5] == 1}
    assert cited and not cited & after
    assert {(*x[:5], None) for x in cited} <= after
    # the renumbered item still plans its next step in ØU: the upcoming link follows the case
    assert any(str(x[0]) == "2024-03-12" and x[1] == 7 and x[2] == "upcoming" and x[5] == 42 for x in after)
    a.link()
    assert _links(a) == after  # the incremental links equal a full rebuild


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(LINKED_EXAMPLES + SEEDS[:2] + SEEDS[2:3]))
def test_links_do_not_depend_on_ingest_order(tmp_path_factory: pytest.TempPathFactory, backend: str,
                                            new_db: Callable[[str], str], order: list[Path]) -> None:
    def db(name: str) -> str:  # one folder per example on SQLite
        return str(tmp_path_factory.mktemp(name) / "a.db") if backend == "sqlite" else new_db(name)

    a = _ingest(db("order"), order)
    got = _links(a)
    a.link()
    assert _links(a) == got
    reference = _ingest(db("sorted"), sorted(order))
    assert _links(reference) == got and got


def test_migration_from_the_first_schema_fills_and_links(new_db: Callable[[str], str]) -> None:
    db = new_db("old.db")
    a = _ingest(db, LINKED_EXAMPLES)
    expected = _links(a)
    a.close()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    b = Archive(db)  # go back to the first schema, as an archive made before linking was
    with b.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    with b.engine.connect() as conn:
        assert "links" not in inspect(conn).get_table_names()
    b.close()
    c = Archive(db)
    assert _links(c) == expected  # opening migrates to head, filling keys and links
    # and the words of substring searches (0004), from the stored titles and decisions
    with c.engine.connect() as conn:
        item_id, title = conn.exec_driver_sql("SELECT id, title FROM items ORDER BY pk LIMIT 1").one()
    word = max(title.lower().split(), key=len)
    assert item_id in {h.id for h in c.search(f"*{word[1:-1]}*", limit=100).hits}


def test_cli_case_person_body_and_kle(tmp_path: Path, new_db: Callable[[str], str]) -> None:
    """Through the command line, with --db a file or a PostgreSQL URL."""
    from typer.testing import CliRunner

    from referat.cli import app
    db = new_db("c.db")
    run = CliRunner().invoke
    assert run(app, ["ingest", *map(str, LINKED_EXAMPLES), "--db", db]).exit_code == 0
    res = run(app, ["case", "24-3-85.10.00-P07", "--db", db, "--format", "json"])
    assert res.exit_code == 0 and [t["number"] for t in json.loads(res.stdout)["timeline"]] == [1, 42]
    kle = tmp_path / "kle.csv"
    kle.write_text("85.10.00;Testemne budget\n", encoding="utf-8")
    assert run(app, ["kle", "load", str(kle), "--db", db]).exit_code == 0
    res = run(app, ["case", "24-3-85.10.00-P07", "--db", db])
    assert "KLE 85.10.00: Testemne budget" in res.stdout and "→ Økonomiudvalget 2. april 2024 punkt 42" in res.stdout
    res = run(app, ["person", "Lars Holm", "--db", db, "--format", "json"])
    assert [s["for"] for s in json.loads(res.stdout)["substitutions"]] == ["Peter Ølgaard", "Karen Dahl"]
    res = run(app, ["body", "Økonomiudvalget", "--db", db])
    assert res.exit_code == 0 and "Ida Holm" in res.stdout
    res = run(app, ["person", "Holm", "--db", db])
    assert res.exit_code == 1 and "fits 2 people: Ida Holm, Lars Holm" in res.stderr
    res = run(app, ["case", "2099/1", "--db", db])
    assert res.exit_code == 1 and "no archived item has case number '2099/1'" in res.stderr
    res = run(app, ["link", "--db", db, "--format", "json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["links"] == 6


def test_ambiguous_body_names_the_municipalities(new_db: Callable[[str], str]) -> None:
    a = Archive(new_db("m.db"))
    f = EXAMPLES / "vesteraa_oekonomiudvalg_2023-09-18.txt"
    for town in ("Vesterå", "Nørrebæk"):
        doc = parse_file(f)
        doc.source["municipality"] = town
        text = f.read_text(encoding="utf-8") + town
        assert a.store_many([document_rows(doc, sha256=town, path=town, text=text, fmt="text", encoding=None,
                                           size=1, now=NOW)]) == ["ingested"]
    with pytest.raises(AmbiguousError, match=r"several municipalities \(Nørrebæk, Vesterå\)"):
        a.body("Økonomiudvalget")
    assert a.body("Økonomiudvalget", "Nørrebæk")["municipality"] == "Nørrebæk"


def test_cli_prints_bracketed_document_text_literally(tmp_path: Path, new_db: Callable[[str], str]) -> None:
    """Titles and names are document text: rich markup in them ("[/bold]", "[red]") is printed as is."""
    from typer.testing import CliRunner

    from referat.cli import app
    src = EXAMPLES / "vesteraa_beskaeftigelse_2024-03-12.md"
    doc = tmp_path / src.name
    doc.write_text(src.read_text(encoding="utf-8").replace("Ny model for virksomhedspraktik",
                                                           "Ny model [/bold] for [red]virksomhedspraktik"),
                   encoding="utf-8")
    db = new_db("m.db")
    run = CliRunner().invoke
    assert run(app, ["ingest", str(doc), "--db", db]).exit_code == 0
    for args in (["person", "Jonas Krog"], ["case", "24-7-15.20.00-P20"], ["search", "virksomhedspraktik"]):
        res = run(app, [*args, "--db", db])
        assert res.exit_code == 0 and "Ny model [/bold] for [red]virksomhedspraktik" in res.stdout, (args, res.output)
    item_id = json.loads(run(app, ["case", "24-7-15.20.00-P20", "--db", db, "-f", "json"]).stdout)["timeline"][0]["item_id"]
    res = run(app, ["show", "item", item_id, "--db", db])
    assert res.exit_code == 0 and "[/bold]" in res.stdout

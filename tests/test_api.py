"""The JSON API, the OParl 1.1 endpoints (validated against the official schemas in ../shared) and the
server-rendered Danish pages, through the real ASGI app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jsonschema
import pytest
from fastapi.testclient import TestClient

from conftest import BACKENDS, EXAMPLES, ROOT, SEEDS, SHARED, module_db
from referat.api import create_app
from referat.ingest import ingest
from referat.store import Archive

XSS = ROOT / "tests" / "fixtures" / "xss"
SCHEMAS = SHARED / "oparl-1.1-schema"
needs_schemas = pytest.mark.skipif(not SCHEMAS.is_dir(), reason=f"OParl schemas not found in {SCHEMAS}")


@pytest.fixture(scope="module", params=BACKENDS)
def client(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    db = module_db(request, request.param, tmp_path_factory)
    summary = ingest(Archive(db), [str(EXAMPLES), str(XSS), *map(str, SEEDS)])
    assert summary.count("failed") == 0
    return TestClient(create_app(db))


def get(client: TestClient, url: str, status: int = 200) -> Any:
    res = client.get(url)
    assert res.status_code == status, (url, res.text[:300])
    return res.json() if res.headers["content-type"].startswith("application/json") else res.text


# --- JSON API ------------------------------------------------------------------------------------

def test_search_with_filters_facets_snippets_and_paging(client: TestClient) -> None:
    r = get(client, "/api/search?q=jobklub&limit=1")
    assert r["total"] >= 2 and len(r["hits"]) == 1 and r["facets"]["committee"]
    assert all(h["snippet"] and h["highlights"] for h in r["hits"])
    page2 = get(client, "/api/search?q=jobklub&limit=1&offset=1")
    assert not {h["id"] for h in r["hits"]} & {h["id"] for h in page2["hits"]}
    only = get(client, "/api/search?q=jobklub&committee=Beskæftigelsesudvalget&kind=noted&year=2024")
    assert {(h["committee"], h["decision_kind"], h["date"][:4]) for h in only["hits"]} == {
        ("Beskæftigelsesudvalget", "noted", "2024")}
    dated = get(client, "/api/search?q=budget&sort=date&from=2023-01-01&to=2024-12-31&limit=50")
    dates = [h["date"] for h in dated["hits"]]
    assert dates == sorted(dates, reverse=True) and all("2023" <= d[:4] <= "2024" for d in dates)


@pytest.mark.parametrize("url, words", [
    ("/api/search?q=", "parameter 'q'"),
    ("/api/search?q=budget&limit=0", "parameter 'limit'"),
    ("/api/search?q=budget&limit=101", "parameter 'limit'"),
    ("/api/search?q=budget&kind=vedtaget", "parameter 'kind'"),
    ("/api/search?q=budget&year=tyve", "parameter 'year'"),
    ("/api/search?q=budget&from=30.11.2021", "parameter 'from'"),
    ("/api/search?q=%22budget", "quote"),
    ("/api/search?q=budget&from=2024-01-01&to=2023-01-01", "date range is empty"),
    ("/api/meetings?limit=1000", "parameter 'limit'"),
    ("/oparl/v1/body/x/meetings?page=0", "parameter 'page'"),
    ("/oparl/v1/bodies?modified_since=igår", "parameter 'modified_since'"),
])
def test_bad_parameters_get_422_with_a_clear_message(client: TestClient, url: str, words: str) -> None:
    body = get(client, url, 422)
    assert body["error"]["status"] == 422 and words in body["error"]["message"]


@pytest.mark.parametrize("url", ["/api/meetings/nope", "/api/items/nope", "/api/cases/2099-1-00.00.00-A00",
                                 "/api/people/Ingen%20S%C3%A5dan", "/api/bodies/Teknikudvalg?municipality=Nowhere",
                                 "/api/documents/nope", "/api/documents/nope/text", "/api/nothing",
                                 "/oparl/v1/meeting/nope", "/oparl/v1/body/nope", "/oparl/v1/paper/x/2013/1",
                                 "/oparl/v1/widget/1", "/oparl/v1/body/nope/people",
                                 "/oparl/v1/organization/nope/meetings", "/oparl/v1/legislativeterm/nope",
                                 "/oparl/v1/location/nope", "/oparl/v1/membership/nope"])
def test_unknown_ids_get_404_in_the_one_error_shape(client: TestClient, url: str) -> None:
    body = get(client, url, 404)
    assert set(body) == {"error"} and body["error"]["status"] == 404 and body["error"]["message"]


def test_meetings_items_cases_people_bodies_documents_stats(client: TestClient) -> None:
    listed = get(client, "/api/meetings?limit=50")
    assert listed["total"] == len(listed["data"]) == 6 + len(SEEDS)  # examples, the XSS fixture, the seeds
    oekonomi = get(client, "/api/meetings?municipality=Vesterå&year=2024")["data"]
    assert {m["committee"] for m in oekonomi} >= {"Økonomiudvalget", "Beskæftigelsesudvalget"}
    m = get(client, f"/api/meetings/{oekonomi[0]['id']}")
    assert m["items"] and m["attendance"]
    case = get(client, "/api/cases/85.10.00-P07-3-24")
    assert [t["committee"] for t in case["timeline"]] == ["Beskæftigelsesudvalget", "Økonomiudvalget"]
    item = get(client, f"/api/items/{case['timeline'][1]['item_id']}")
    assert [r["status"] for r in item["related"]] == ["item", "item"] and item["substitutes"]
    assert get(client, "/api/cases/2023/08812")["timeline"][0]["title"] == "Anlægsregnskab for ny daginstitution i Nørreby"
    threads = get(client, "/api/cases?municipality=Vesterå&limit=100")
    assert {"case_key": "2024-3-85.10.00-P07", "items": 2} == {k: v for k, v in next(
        c for c in threads["data"] if c["case_key"] == "2024-3-85.10.00-P07").items() if k in ("case_key", "items")}
    assert threads["total"] == len(threads["data"]) == len({c["case_key"] for c in threads["data"]})
    people = get(client, "/api/people?q=holm")
    assert {p["name"] for p in people["data"]} == {"Ida Holm", "Lars Holm"}
    assert get(client, "/api/people/lars%20holm")["substitutions"]
    assert get(client, "/api/people/Holm", 409)["error"]["message"].startswith("'Holm' fits 2 people")
    bodies = get(client, "/api/bodies")["data"]
    oe = next(b for b in bodies if b["name"] == "Økonomiudvalget")
    body = get(client, f"/api/bodies/{oe['id']}")
    assert body["meetings"] == 2 and body["decisions_by_year"]["2024"]["approved"] >= 1
    doc_id = m["document_id"]
    doc = get(client, f"/api/documents/{doc_id}")
    text = client.get(f"/api/documents/{doc_id}/text").text
    assert doc["text"] == text and Path(doc["path"]).read_text(encoding="utf-8") == text  # kept verbatim
    stats = get(client, "/api/stats")
    assert (stats["documents"], stats["meetings"]) == (6 + len(SEEDS), 6 + len(SEEDS))


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    paths = set(get(client, "/api/openapi.json")["paths"])
    assert {"/api/search", "/api/meetings", "/api/meetings/{meeting_id}", "/api/items/{item_id}",
            "/api/cases", "/api/cases/{number}", "/api/people", "/api/people/{name_or_id}", "/api/bodies",
            "/api/bodies/{name_or_id}", "/api/documents/{doc_id}", "/api/documents/{doc_id}/text", "/api/stats",
            "/oparl/v1/system", "/oparl/v1/bodies", "/oparl/v1/body/{mid}", "/oparl/v1/body/{mid}/{what}",
            "/oparl/v1/paper/{mid}/{key}", "/oparl/v1/{kind}/{object_id}"} <= paths


def test_etag_and_last_modified_give_304(client: TestClient) -> None:
    for url in ("/api/search?q=budget", "/oparl/v1/system", "/?q=budget"):
        first = client.get(url)
        assert first.headers["etag"] and first.headers["last-modified"]
        again = client.get(url, headers={"if-none-match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        assert client.get(url, headers={"if-none-match": '"other"'}).status_code == 200


# --- OParl ---------------------------------------------------------------------------------------

def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))


def _validate(obj: dict[str, Any], seen: dict[str, int]) -> None:
    """Validate against the type's schema, and each embedded object against the schema its property
    names (the OParl schemas say so with a "schema" keyword that validators do not follow)."""
    kind = obj["type"].rsplit("/", 1)[-1]
    schema = _schema(kind)
    jsonschema.validate(obj, schema, format_checker=jsonschema.FormatChecker())
    seen[kind] = seen.get(kind, 0) + 1
    for prop, spec in schema["properties"].items():
        value = obj.get(prop)
        if isinstance(value, dict) and spec.get("schema"):
            _validate(value, seen)
        if isinstance(value, list) and isinstance(spec.get("items"), dict) and spec["items"].get("schema"):
            for v in value:
                assert isinstance(v, dict), (kind, prop)
                _validate(v, seen)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _walk(client: TestClient, url: str) -> tuple[list[dict[str, Any]], int]:
    """All objects of a paginated list, following links.next; and the total the first page claims."""
    objects, total = [], None
    while url:
        page = get(client, _path(url))
        assert set(page) == {"data", "pagination", "links"}
        total = page["pagination"]["totalElements"] if total is None else total
        assert page["pagination"]["totalElements"] == total
        objects.extend(page["data"])
        url = page["links"].get("next")
    return objects, total or 0


LISTS = ("organizations", "people", "memberships", "meetings", "agendaitems", "papers", "consultations", "files",
         "legislativeterms", "locations")


@needs_schemas
def test_every_oparl_object_type_validates_against_the_official_schema(client: TestClient) -> None:
    seen: dict[str, int] = {}
    system = get(client, "/oparl/v1/system")
    _validate(system, seen)
    bodies, _ = _walk(client, system["body"])
    for body in bodies:
        _validate(body, seen)
        assert get(client, _path(body["id"])) == body
        for what in LISTS:
            objects, _ = _walk(client, f"{body['id']}/{what}?limit=500")
            for o in objects:
                _validate(o, seen)
            for o in objects[:3]:  # each object is also served at its own id
                assert get(client, _path(o["id"])) == o
            if what == "organizations":  # each organization's own meeting list
                for org in objects:
                    meetings, total = _walk(client, org["meeting"])
                    assert total == len(meetings) >= 1 and all(m["organization"] == [org["id"]] for m in meetings)
    assert set(seen) == {"System", "Body", "LegislativeTerm", "Organization", "Person", "Membership", "Meeting",
                         "AgendaItem", "Paper", "Consultation", "File", "Location"}


def test_oparl_lists_page_through_the_whole_archive_without_duplicates_or_gaps(client: TestClient) -> None:
    bodies, _ = _walk(client, "/oparl/v1/bodies?limit=1")
    # Vesterå, the agenda that names no municipality, and Gladsaxe when the seeds are there
    assert len(bodies) == len({b["id"] for b in bodies}) == 2 + bool(SEEDS)
    for body in bodies:
        for what in ("meetings", "agendaitems", "people", "papers", "consultations", "memberships"):
            small, total = _walk(client, f"{body['id']}/{what}?limit=3")
            whole, _ = _walk(client, f"{body['id']}/{what}?limit=500")
            ids = [o["id"] for o in small]
            assert len(ids) == len(set(ids)) == total == len(whole), (body["name"], what)
            assert set(ids) == {o["id"] for o in whole}
    items = sum(_walk(client, f"{b['id']}/agendaitems?limit=7")[1] for b in bodies)
    assert items == get(client, "/api/stats")["items"]


def test_oparl_modified_since_and_case_papers(client: TestClient) -> None:
    body = next(b for b in _walk(client, "/oparl/v1/bodies")[0] if b["shortName"] == "Vesterå")
    assert _walk(client, f"{body['id']}/meetings?modified_since=2100-01-01T00:00:00Z")[1] == 0
    assert _walk(client, f"{body['id']}/meetings?modified_since=2000-01-01T00:00:00Z")[1] == 5
    assert get(client, "/oparl/v1/bodies?modified_since=2100-01-01T00:00:00Z")["data"] == []
    papers, _ = _walk(client, f"{body['id']}/papers")
    budget = next(p for p in papers if p["reference"] in ("24-3-85.10.00-P07", "85.10.00-P07-3-24"))
    assert len(budget["consultation"]) == 2 and budget["consultation"][1]["role"] == "Indstilling"
    havnevej = next(p for p in papers if p["id"].endswith("/2016-1-00.22.00-G01"))  # two printed forms, one case
    assert len(havnevej["consultation"]) == 2


# --- web pages (more in test_web.py and test_browser.py) ---------------------------------------

def test_document_text_is_inert_everywhere(client: TestClient) -> None:
    case = get(client, "/api/cases/24-9-05.01.00-G01")
    item_id, meeting_id = case["timeline"][0]["item_id"], case["timeline"][0]["meeting_id"]
    for url in (f"/punkt/{item_id}", f"/moede/{meeting_id}", "/sag/24-9-05.01.00-G01", "/?q=vejbelysning",
                "/udvalg"):
        html = get(client, url)
        assert "<script>alert" not in html and "<img src=x" not in html and 'href="javascript:' not in html
    html = get(client, f"/punkt/{item_id}")
    assert "&lt;script&gt;alert(&#39;titel&#39;)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html  # template syntax in a document is text, not evaluated
    assert get(client, f"/api/items/{item_id}")["title"] == "Vejbelysning <script>alert('titel')</script>"


# --- forgiving filters ---------------------------------------------------------------------------

@pytest.mark.parametrize("params, matched", [
    ({"committee": "økonomiudvalg"}, {"committee": "Økonomiudvalget"}),  # case and inflection
    ({"committee": "ØKONOMIUDVALGETS"}, {"committee": "Økonomiudvalget"}),
    ({"committee": "økonomi", "municipality": "vesterå kommune"},  # the start of a name; "Kommune" or not
     {"committee": "Økonomiudvalget", "municipality": "Vesterå"}),
    ({"municipality": "Vesterås"}, {"municipality": "Vesterå"}),
    ({"person": "ida h"}, {"person": "Ida Holm"}),  # the start of each word of a name
    ({"person": "IDA HOLM (A)"}, {"person": "Ida Holm"}),
])
def test_filters_forgive_case_inflection_and_prefixes_and_say_what_they_matched(
        client: TestClient, params: dict[str, str], matched: dict[str, str]) -> None:
    forgiving = get(client, "/api/search?" + "&".join(f"{k}={quote(v)}" for k, v in [("q", "budget OR jobklub"),
                                                                                     *params.items()]))
    assert forgiving["matched"] == matched
    exact = get(client, "/api/search?" + "&".join(f"{k}={quote(v)}" for k, v in [("q", "budget OR jobklub"),
                                                                                 *matched.items()]))
    assert exact["matched"] == matched
    assert forgiving["total"] == exact["total"] > 0
    assert [h["id"] for h in forgiving["hits"]] == [h["id"] for h in exact["hits"]]


def test_filters_that_fit_nothing_or_several_say_so(client: TestClient) -> None:
    nothing = get(client, "/api/search?q=budget&committee=Rumfartsudvalget")
    assert nothing["total"] == 0 and nothing["matched"] == {"committee": None}
    several = get(client, "/api/search?q=budget&person=hol", 422)  # Ida Holm and Lars Holm
    assert "Ida Holm" in several["error"]["message"] and "Lars Holm" in several["error"]["message"]
    inside = get(client, "/api/search?q=budget&person=anne%20bech")  # inside a word is no start: not Hanne Bech
    assert inside["matched"] == {"person": None}
    assert get(client, "/api/search?q=budget&person=hanne%20b")["matched"] == {"person": "Hanne Bech"}
    meetings = get(client, "/api/meetings?municipality=vester%C3%A5")
    assert meetings["matched"] == {"municipality": "Vesterå"} and meetings["total"] == 5


def test_cli_filters_print_one_note_with_the_match(client: TestClient) -> None:
    from typer.testing import CliRunner

    from referat.cli import app

    db = client.app.state.archive.db  # type: ignore[attr-defined]
    table = CliRunner().invoke(app, ["export", "--format", "csv", "--db", db, "--committee", "Økonomiudvalget"]).stdout
    import csv
    import io

    voted = {r["title"]: (r["votes_for"], r["votes_against"]) for r in csv.DictReader(io.StringIO(table)) if r["votes_for"]}
    assert voted["Salg af grund på Havnevej, genoptagelse"] == ("A; C; F; Ø", "V")  # party letters, as printed
    for command in (["search", "budget"], ["export", "--format", "json"]):
        res = CliRunner().invoke(app, [*command, "--db", db, "--committee", "økonomiudvalg"])
        assert res.exit_code == 0, res.output
        assert res.stderr == "bemærk: --committee »økonomiudvalg« fandt »Økonomiudvalget«\n"
    exported = json.loads(CliRunner().invoke(app, ["export", "--format", "json", "--db", db, "--committee",
                                                   "økonomiudvalg"]).stdout)
    assert {m["meeting"]["committee"] for m in exported} == {"Økonomiudvalget"}

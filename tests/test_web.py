"""The Danish web pages through the real ASGI app (no browser): Danish dates, counts and errors, every
decision kind's badge, the list pages, the item page without duplicates, links to the original, the API
documentation page, security headers and one caching policy for static files. The browser tests
(test_browser.py) check the same pages in Chromium, with axe-core."""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import EXAMPLES, ROOT, SEEDS
from referat import vocab
from referat.api import create_app
from referat.ingest import ingest
from referat.store import Archive
from referat.web import format
from referat.web.pages import PAGE_SIZE

XSS = ROOT / "tests" / "fixtures" / "xss"
WEB = ROOT / "tests" / "fixtures" / "web"  # a team-written meeting with rejected, referred and postponed items
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
STYLE = (ROOT / "src" / "referat" / "web" / "static" / "style.css").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    db = tmp_path_factory.mktemp("web") / "web.db"
    summary = ingest(Archive(db), [str(EXAMPLES), str(XSS), str(WEB), *map(str, SEEDS)])
    assert summary.count("failed") == 0
    return TestClient(create_app(db))


def get(client: TestClient, url: str, status: int = 200) -> str:
    res = client.get(url)
    assert res.status_code == status, (url, res.text[:300])
    return res.text


def links(html: str, prefix: str) -> list[str]:
    return [htmllib.unescape(u) for u in re.findall(rf'href="({re.escape(prefix)}[^"]*)"', html)]


def visible(html: str) -> str:
    """The text a reader sees: no tags, attributes, scripts or data blocks."""
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", html))


def title(html: str) -> str:
    return htmllib.unescape(re.search(r"<title>(.*?)</title>", html, re.S).group(1))


def api(client: TestClient, url: str) -> Any:
    return client.get(url).json()


# --- Danish --------------------------------------------------------------------------------------

def test_danish_dates_and_counts() -> None:
    assert format.dato("2024-03-12") == "12. marts 2024" and format.dato(None) == "uden dato"
    assert format.kort_dato("2024-04-02") == "2. apr. 2024"
    assert [format.antal(n, "møde") for n in (0, 1, 2, 1204)] == ["0 møder", "1 møde", "2 møder", "1.204 møder"]
    assert format.antal(1, "punkt") == "1 punkt" and format.antal(3, "punkt") == "3 punkter"


@pytest.mark.parametrize(("query", "danish"), [
    ('"budget', "Et anførselstegn er ikke lukket"),
    ("OR budget", "OR skal stå mellem to ord"),
    ("budget OR -lukket", "OR kan ikke forbinde et udelukket ord"),
    ("b*", "»b*«: en præfikssøgning kræver mindst 2 bogstaver"),
    ("*job-klub*", "»*job-klub*«: en delordssøgning leder inde i ét ord: skriv *klub*"),
    ("*ab*", "»*ab*«: en delordssøgning kræver mindst 3 bogstaver"),
    ("jo*bk", "»jo*bk«: en stjerne står sidst i et ord"),
    ("*klub* OR budget", "En delordssøgning (*…*) står alene"),
    ("-budget", "Søgningen mangler et ord at lede efter"),
    ("ø" * 501, "Søgningen er 501 tegn lang; højst 500 er tilladt"),
    ("ø" * 90 + "*", "Ingen ord i arkivet er så lange"),
])
def test_every_search_error_is_worded_in_danish_from_its_code(query: str, danish: str) -> None:
    from referat.search import QueryError, parse_query

    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert caught.value.code in format.QUERY_DA
    assert format.query_error(caught.value).startswith(danish)


def test_filter_errors_are_worded_in_danish_with_danish_dates() -> None:
    import datetime as dt

    from referat.search import QueryError
    from referat.store.searching import Filters

    with pytest.raises(QueryError) as caught:
        Filters(date_from=dt.date(2024, 3, 12), date_to=dt.date(2024, 1, 2))
    assert format.query_error(caught.value) == "Datointervallet er tomt: 12. marts 2024 ligger efter 2. januar 2024."
    assert format.query_error(ValueError("x")) == "Søgningen kunne ikke forstås: x"


def page_urls(client: TestClient) -> list[str]:
    """One URL of every page type, found by following links as a reader would."""
    meeting = links(get(client, "/moeder"), "/moede/")[0]
    item = links(get(client, meeting), "/punkt/")[0]
    return ["/", "/?q=budget", "/moeder", meeting, item, "/sag/24-3-85.10.00-P07", "/person/Lars%20Holm", "/udvalg",
            links(get(client, "/udvalg"), "/udvalg/")[0], "/sager", "/personer", "/api/docs"]


def test_every_page_shows_dates_in_danish_and_has_a_unique_title(client: TestClient) -> None:
    titles: dict[str, str] = {}
    for url in page_urls(client) + links(get(client, "/moede/" + meeting_id(client, "Økonomiudvalget", "2024-04-02")),
                                          "/punkt/"):
        html = get(client, url)
        assert not ISO.findall(visible(html)), (url, ISO.findall(visible(html)))
        assert title(html) not in titles, (url, titles.get(title(html)))
        titles[title(html)] = url
    meeting = get(client, "/moede/" + meeting_id(client, "Økonomiudvalget", "2024-04-02"))
    assert "2. april 2024" in visible(meeting) and '<time datetime="2024-04-02">' in meeting


def meeting_id(client: TestClient, committee: str, date: str) -> str:
    rows = api(client, "/api/meetings?limit=100")["data"]
    return next(m["id"] for m in rows if m["committee"] == committee and m["date"] == date)


def test_singular_and_plural(client: TestClient) -> None:
    front = visible(get(client, "/"))
    assert "Teknikudvalget Vesterå · 1 møde" in re.sub(r"\s+", " ", front)
    assert "Økonomiudvalget Vesterå · 2 møder" in re.sub(r"\s+", " ", front)
    assert not re.search(r"\b1 (møder|punkter|resultater|dokumenter)\b", front)
    one = visible(get(client, "/?q=vejbelysning"))
    assert re.search(r"\b1 resultat for", one) and "1 resultater" not in one


def test_every_decision_kind_has_a_danish_badge_in_pages_and_facets(client: TestClient) -> None:
    for kind in vocab.DECISION_KIND_DA:
        assert f".badge-{kind}" in STYLE, kind  # a colour of its own kind
    meeting = get(client, "/moede/" + meeting_id(client, "Teknik- og Miljøudvalget", "2024-06-11"))
    for kind in ("rejected", "referred", "postponed"):
        label = vocab.DECISION_KIND_DA[kind]
        assert f'<span class="badge badge-{kind}">{label}</span>' in meeting, kind
        results = get(client, f"/?q=beslutning&beslutning={kind}")
        assert f"Beslutning: {label}" in visible(results)  # the active filter, in Danish
    facets = get(client, "/?q=godkendelse OR dispensation OR trafikplan OR cykelstier OR havnevej")
    for kind in ("rejected", "referred", "postponed"):
        assert f'beslutning={kind}">{vocab.DECISION_KIND_DA[kind]}</a>' in facets, kind


def test_item_numbers_are_shown_as_printed(client: TestClient) -> None:
    meeting = get(client, "/moede/" + meeting_id(client, "Teknik- og Miljøudvalget", "2024-06-11"))
    assert '<span class="number">25.1.</span>' in meeting and "Punkt 25.1: <a href" in meeting
    item = next(u for u in links(meeting, "/punkt/") if "Søndergade" in get(client, u))
    assert title(get(client, item)).startswith("Punkt 25.1: Status på vejarbejdet på Søndergade – Teknik- og Miljøudvalget")
    assert ", punkt 25.1" in get(client, "/?q=søndergade")


def test_error_pages_are_danish_with_a_way_back(client: TestClient) -> None:
    for url, status, words in (("/punkt/findes-ikke", 404, "Siden findes ikke"), ("/ingen/side", 404, "Siden findes ikke"),
                               ("/moeder?side=abc", 422, "ugyldig værdi for »side«"),
                               ("/moeder?aar=1066", 422, "»aar«")):
        res = client.get(url, headers={"referer": "http://testserver/moeder?aar=2024"})
        assert res.status_code == status and words in res.text, (url, res.text[:500])
        assert res.headers["content-type"].startswith("text/html") and '<html lang="da">' in res.text
        assert 'href="/"' in res.text and 'href="/moeder?aar=2024">Tilbage til forrige side' in res.text
        assert "no such" not in res.text and "Input should" not in res.text  # no English
    post = client.post("/moeder")
    assert post.status_code == 405 and "Metoden er ikke tilladt" in post.text
    head = client.head("/moeder")
    assert head.status_code == 200 and head.headers["etag"] and head.headers["x-frame-options"] == "DENY"
    bad = client.get('/?q="budget')
    assert bad.status_code == 422 and "anførselstegn" in bad.text and "quotation" not in bad.text
    for referer in ("http://[testserver/moeder", "http://testserver:99999/moeder"):  # no URL: no way back, no 500
        res = client.get("/ingen/side", headers={"referer": referer})
        assert res.status_code == 404 and "Tilbage til forrige side" not in res.text


def test_unexpected_error_gets_a_danish_500_page_with_the_security_headers(tmp_path: Path) -> None:
    app = create_app(tmp_path / "empty.db")

    @app.get("/fejl-med-vilje")
    def broken() -> None:
        raise RuntimeError("boom")

    res = TestClient(app, raise_server_exceptions=False).get("/fejl-med-vilje")
    assert res.status_code == 500 and "Der skete en fejl" in res.text and 'href="/"' in res.text
    assert "boom" not in res.text and "Traceback" not in res.text
    assert "script-src 'self'" in res.headers["content-security-policy"]


# --- pages ----------------------------------------------------------------------------------------

def test_pages_are_small_and_linked(client: TestClient) -> None:
    front = get(client, "/")
    stats = api(client, "/api/stats")
    assert (f"{stats['documents']} dokumenter, {stats['meetings']} møder og {stats['items']} dagsordenspunkter"
            in front)
    results = get(client, "/?q=jobklub")
    assert "resultater for »jobklub«" in results and "<mark>" in results
    assert '<a href="/?q=jobklub&amp;kommune=Vester%C3%A5">Vesterå</a>' in results  # the municipality facet
    for url in page_urls(client) + ["/?q=budget&beslutning=recommended&sortering=dato"]:
        res = client.get(url)
        assert res.status_code == 200 and len(res.content) < 200_000, url
        for link in links(res.text, "/"):
            if link.startswith(("/moede/", "/punkt/", "/udvalg/", "/sag/")):
                assert client.get(link).status_code == 200, (url, link)


def test_item_page_shows_each_part_once_and_links_the_original(client: TestClient) -> None:
    meeting = get(client, "/moede/" + meeting_id(client, "Beskæftigelsesudvalget", "2024-03-12"))
    url = next(u for u in links(meeting, "/punkt/") if "Budgetopf" in get(client, u))
    html = get(client, url)
    assert html.count("<table") == 1 and "Aktivering\t" not in html  # the budget table once, as a table
    assert visible(html).count("Tabel 1: Beskæftigelsesudvalgets rammer") == 1
    assert len(re.findall(r"<h2[^>]*>Bilag</h2>", html)) == 1 and html.count("Bilag 1: Budgetopfølgning") == 1
    assert len(re.findall(r"<h2[^>]*>Beslutning</h2>", html)) == 1
    item = api(client, "/api/items/" + url.rsplit("/", 1)[1])
    doc = api(client, f"/api/meetings/{item['meeting_id']}")["document_id"]
    assert f'<a href="/api/documents/{doc}/original">Se originalen</a>' in html
    assert f'<a href="/api/documents/{doc}/original">Se originalen</a>' in meeting
    assert title(html).startswith("Punkt 1: Budgetopfølgning pr. 29. februar 2024 – Beskæftigelsesudvalget 12. marts")


def test_the_municipalitys_own_page_is_linked_where_the_source_has_a_url(client: TestClient) -> None:
    from referat.web.pages import templates

    macro = templates.env.get_template("macros.html").module.original_links
    with_url = str(macro("abc", {"url": "https://dagsordener.example.dk/vis?id=7"}, "https://example.dk/punkt/3"))
    assert 'href="https://dagsordener.example.dk/vis?id=7"' in with_url and "kommunens side" in with_url
    assert 'href="https://example.dk/punkt/3"' in with_url
    assert "kommunens side" not in str(macro("abc", None, None))


def test_meeting_list_by_committee_and_year_with_paging(client: TestClient) -> None:
    html = get(client, "/moeder")
    rows = api(client, "/api/meetings?limit=100")
    assert f"{rows['total']} møder" in html and len(links(html, "/moede/")) == min(PAGE_SIZE, rows["total"])
    body = next(b for b in api(client, "/api/bodies")["data"] if b["name"] == "Beskæftigelses- og Integrationsudvalget")
    narrowed = get(client, f"/moeder?udvalg={body['id']}&aar=2024")
    assert len(links(narrowed, "/moede/")) == 1 and "3. april 2024" in narrowed
    assert "Afgrænset til" in narrowed and f'href="/moeder?udvalg={body["id"]}"' in narrowed  # remove the year
    assert get(client, "/moeder?udvalg=nope", 404)
    for url in ("/", "/moeder", "/sager", "/personer"):
        nav = get(client, url).split("</nav>", 1)[0]
        assert all(f'href="{x}"' in nav for x in ("/moeder", "/sager", "/personer", "/udvalg", "/api/docs"))


def test_people_and_case_lists_page_through_everything(client: TestClient) -> None:
    total = api(client, "/api/people?limit=1")["total"]
    assert total > PAGE_SIZE
    seen: list[str] = []
    url: str | None = "/personer"
    while url:
        html = get(client, url)
        seen += links(html, "/person/")
        nxt = re.search(r'href="([^"]+)" rel="next"', html)
        url = htmllib.unescape(nxt.group(1)) if nxt else None
    assert len(seen) == len(set(seen)) == total
    found = get(client, "/personer?navn=holm")
    assert "Lars Holm" in found and "Hanne Brink" not in found and "Afgrænset til" in found
    cases = get(client, "/sager")
    assert api(client, "/api/cases?limit=1")["total"] > 0
    for url in links(cases, "/sag/")[:5]:
        assert "Behandlinger" in get(client, url)


def test_live_search_fragment_updates_title_and_status(client: TestClient) -> None:
    live = client.get("/?q=jobklub", headers={"hx-request": "true"}).text
    assert live.lstrip().startswith("<title>»jobklub«: 6 resultater – søgning · referat</title>")
    assert '<p id="status" hx-swap-oob="innerHTML">6 resultater for »jobklub«</p>' in live
    assert '<div id="resultater">' in live and "<html" not in live
    page = get(client, "/?q=jobklub")
    assert re.search(r'<p id="status"[^>]*aria-live="polite"[^>]*>6 resultater for »jobklub«</p>', page)
    # the status element sits outside the swapped results, so it survives every swap
    assert page.index('id="status"') < page.index('<div id="resultater">')


def test_active_filters_are_shown_and_removable(client: TestClient) -> None:
    html = get(client, "/?q=jobklub&udvalg=Beskæftigelsesudvalget&aar=2024")
    block = html.split('class="active-filters"', 1)[1].split("</div>", 1)[0]
    assert "Udvalg: Beskæftigelsesudvalget" in block and "År: 2024" in block
    removes = links(block, "/?")
    assert "/?q=jobklub&aar=2024" in removes and any("udvalg=" in u and "aar=" not in u for u in removes)
    assert "Fjern alle afgrænsninger" in block


def test_charts_count_in_whole_numbers(client: TestClient) -> None:
    for url in ("/", links(get(client, "/udvalg"), "/udvalg/")[0]):
        html = get(client, url)
        data = json.loads(html.split('id="chart-data">', 1)[1].split("</script>", 1)[0])
        assert data["integer"] is True and all(isinstance(v, int) for s in data["series"] for v in s["data"])
    case = get(client, "/sag/24-3-85.10.00-P07")
    data = json.loads(case.split('id="chart-data">', 1)[1].split("</script>", 1)[0])
    assert data["integer"] is False and data["labels"] == ["12. mar. 2024", "2. apr. 2024"]
    assert {s["label"]: s["data"] for s in data["series"]}["Forsørgelse"] == [1070.9, 1073.4]
    assert "<td>1.073,4</td>" in case  # the same numbers as a table in Danish notation, for readers without JS
    assert "precision = 0" in (ROOT / "src/referat/web/static/charts.js").read_text(encoding="utf-8")


def test_api_docs_page_is_served_from_the_app(client: TestClient) -> None:
    res = client.get("/api/docs")
    assert res.status_code == 200 and "API-dokumentation" in res.text
    scripts = re.findall(r'<script src="(/static/[^"]+)"', res.text)
    assert any(s.startswith("/static/swagger-ui-bundle.") for s in scripts), scripts
    assert any(s.startswith("/static/api-docs.") for s in scripts)
    for s in scripts:
        assert client.get(s).status_code == 200
    assert "unsafe" not in res.headers["content-security-policy"]
    assert "/api/openapi.json" in res.text


# --- headers and caching ----------------------------------------------------------------------------

def test_security_headers_on_every_response_and_no_inline_script(client: TestClient) -> None:
    urls = page_urls(client) + ["/punkt/nope", "/api/stats", "/oparl/v1/system", "/api/openapi.json"]
    for url in urls:
        res = client.get(url)
        h = res.headers
        assert "frame-ancestors 'none'" in h["content-security-policy"] and "script-src 'self'" in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"
        assert h["referrer-policy"] == "strict-origin-when-cross-origin"
        if h["content-type"].startswith("text/html"):
            for tag in re.findall(r"<script\b[^>]*>", res.text):
                assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
            assert not re.search(r"\son[a-z]+=", res.text) and " style=" not in res.text, url
    css = re.search(r'href="(/static/style\.[0-9a-f]+\.css)"', get(client, "/")).group(1)
    assert client.get(css).headers["x-content-type-options"] == "nosniff"


def test_static_files_have_one_caching_policy(client: TestClient) -> None:
    front = client.get("/")
    assert front.headers["cache-control"] == "no-cache" and front.headers["etag"]  # pages: revalidate
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', front.text + get(client, "/sag/24-3-85.10.00-P07"))
    assert {a.split("/")[-1].split(".")[0] for a in assets} >= {"style", "htmx", "chart", "charts"}
    for url in assets:
        res = client.get(url)
        assert res.status_code == 200 and re.fullmatch(r"/static/[\w.-]+\.[0-9a-f]{10}\.(js|css)", url), url
        assert res.headers.get_list("cache-control") == ["public, max-age=31536000, immutable"], url
        assert "etag" not in res.headers and "last-modified" not in res.headers
    assert client.get("/static/style.css").status_code == 404  # only fingerprinted names are served
    assert client.get("/static/style.0000000000.css").status_code == 404

"""The web pages in a real browser: Debian's chromium driven by Playwright (never `playwright install`).

A real server (uvicorn) on a free local port over an archive of the bundled examples, the real
minutes, an XSS fixture and a meeting with rejected, referred and postponed items. Screenshots of each
page land in test-artifacts/. axe-core (a pinned npm package, node_modules/axe-core) is injected into
every page type at 1280, 390 and 320 px: no serious or critical violation, no sideways scrolling. The
pages run under the site's Content-Security-Policy; axe is evaluated through the DevTools protocol,
which the policy does not govern. `make test` installs chromium through apt when it is missing;
without it these tests are skipped with the reason.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, SEEDS
from referat.testing.server import served

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it)")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from referat.api import create_app
    from referat.ingest import ingest
    from referat.store import Archive

    db = tmp_path_factory.mktemp("web") / "web.db"
    fixtures = ROOT / "tests" / "fixtures"
    ingest(Archive(db), [str(EXAMPLES), str(fixtures / "xss"), str(fixtures / "web"), *map(str, SEEDS)])
    with served(create_app(db)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield b
        b.close()


def until(page, expression: str, timeout: float = 10) -> None:  # noqa: ANN001 - playwright's Page
    """Wait until a JavaScript expression is true. (page.wait_for_function polls with eval, which the
    site's Content-Security-Policy forbids; page.evaluate goes through DevTools and is not governed.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def shot(page, name: str) -> None:  # noqa: ANN001 - playwright's Page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_search_item_case_timeline_person(server: str, browser) -> None:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/")
    shot(page, "1-forside")
    page.get_by_label("Søg i beslutninger, indstillinger og sagsfremstillinger").fill("budgetopfølgning")
    # htmx makes the search live: results arrive without submitting, and the URL follows
    page.wait_for_selector("#resultater .hit")
    page.wait_for_url("**/?q=budgetopf*")
    assert "resultater for »budgetopfølgning«" in page.inner_text("#resultater")
    shot(page, "2-soegning")
    page.get_by_role("link", name="Budgetopfølgning pr. 29. februar 2024, Beskæftigelsesudvalget").click()
    page.wait_for_url("**/punkt/*")
    assert page.get_by_role("heading", name="Beslutning", exact=True).is_visible()
    shot(page, "3-punkt")
    page.get_by_role("link", name="85.10.00-P07-3-24").first.click()
    page.wait_for_url("**/sag/*")
    timeline = page.inner_text("ol.timeline")
    assert "Beskæftigelsesudvalget" in timeline and "Økonomiudvalget" in timeline
    page.wait_for_selector("canvas.chart-canvas")  # Chart.js drew the budget table series
    shot(page, "4-sag")
    # the heaviest page (it loads Chart.js) stays under 200 KB as transferred, scripts included
    weight = page.evaluate("performance.getEntriesByType('navigation').concat(performance.getEntriesByType"
                           "('resource')).reduce((n, e) => n + e.transferSize, 0)")
    assert 0 < weight < 200_000, weight
    page.locator("ol.timeline h2 a").nth(1).click()
    page.wait_for_url("**/punkt/*")
    page.get_by_role("link", name="Lars Holm").click()
    page.wait_for_url("**/person/*")
    assert page.get_by_role("heading", name="Lars Holm").is_visible()
    assert "Stedfortræder" in page.inner_text("main")
    shot(page, "5-person")
    assert errors == []
    page.close()


def test_search_works_without_javascript(server: str, browser) -> None:  # noqa: ANN001
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/")
    page.get_by_label("Søg i beslutninger, indstillinger og sagsfremstillinger").fill("jobklub")
    page.get_by_role("button", name="Søg").click()
    page.wait_for_url("**/?q=jobklub")
    assert page.locator("#resultater .hit").count() >= 2
    page.get_by_role("link", name="Beskæftigelsesudvalget", exact=True).first.click()  # a facet
    assert "udvalg=Besk" in page.url
    context.close()


def test_meeting_committee_pages_and_keyboard(server: str, browser) -> None:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.goto(server + "/udvalg")
    page.get_by_role("link", name="Økonomiudvalget").first.click()
    page.wait_for_selector("canvas.chart-canvas")
    shot(page, "6-udvalg-mobil")
    page.get_by_role("link", name="2. april 2024").click()
    assert page.get_by_role("heading", name="Indholdsfortegnelse").is_visible()
    assert "stedfortræder for Karen Dahl" in page.inner_text("main")
    shot(page, "7-moede-mobil")
    page.keyboard.press("Tab")  # the first stop is the skip link, and it works
    assert page.evaluate("document.activeElement.textContent") == "Gå til indhold"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways scrolling
    page.close()


def test_xss_document_renders_inert(server: str, browser) -> None:  # noqa: ANN001
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server + "/?q=vejbelysning")
    page.wait_for_selector("#resultater .hit")
    page.locator("#resultater .hit a").first.click()
    page.wait_for_url("**/punkt/*")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert "<script>alert('titel')</script>" in heading  # shown as text
    page.get_by_role("link", name="Teknikudvalget", exact=False).first.click()
    page.wait_for_load_state()
    shot(page, "8-xss")
    assert dialogs == [] and page.evaluate("document.querySelectorAll('img[src=x]').length") == 0
    page.close()


# --- WCAG 2.1 AA: axe-core on every page type at three widths, and what axe cannot see ----------------

def page_types(server: str) -> list[tuple[str, str]]:
    """(name, URL) of every page type, found through the JSON API as a client would."""
    import httpx

    meetings = httpx.get(server + "/api/meetings?limit=100").json()["data"]
    meeting = next(m for m in meetings if m["committee"] == "Økonomiudvalget" and m["date"] == "2024-04-02")
    budget = next(m for m in meetings if m["committee"] == "Beskæftigelsesudvalget" and m["date"] == "2024-03-12")
    item = httpx.get(server + f"/api/meetings/{budget['id']}").json()["items"][0]["id"]
    body = next(b for b in httpx.get(server + "/api/bodies").json()["data"]
                if b["name"] == "Beskæftigelses- og Integrationsudvalget")
    return [("forside", "/"), ("soegning", "/?q=budget&udvalg=Beskæftigelsesudvalget"), ("moeder", "/moeder"),
            ("moede", f"/moede/{meeting['id']}"), ("punkt", f"/punkt/{item}"), ("sag", "/sag/24-3-85.10.00-P07"),
            ("person", "/person/Lars%20Holm"), ("udvalgsliste", "/udvalg"), ("udvalg", f"/udvalg/{body['id']}"),
            ("sager", "/sager"), ("personer", "/personer"), ("api", "/api/docs"), ("404", "/findes/ikke")]


def axe(page) -> list[str]:  # noqa: ANN001 - playwright's Page
    """Serious and critical axe-core violations (WCAG 2.0/2.1 A and AA and best practice) on the page."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
                          ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                          ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))")
    return list(found)


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make runs `npm ci`)")
@pytest.mark.parametrize("width", [1280, 390, 320])
def test_every_page_type_passes_axe_and_never_scrolls_sideways(server: str, browser, width: int) -> None:  # noqa: ANN001
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "404" not in m.text else None)
    problems = {}
    titles = {}
    for name, url in page_types(server):
        res = page.goto(server + url)
        assert res is not None and res.status == (404 if name == "404" else 200), url
        page.wait_for_load_state("networkidle")
        if name == "api":
            page.wait_for_selector(".opblock")  # Swagger UI drew the endpoints
        found = axe(page)
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if found or wide > 0:
            problems[name] = (found, f"{wide} px sideways")
        titles.setdefault(page.title(), name)
        if width in (390, 320) or name in ("punkt", "moeder", "api", "404"):
            shot(page, f"{width}-{name}")
    assert problems == {}, problems
    assert len(titles) == len(page_types(server)), titles  # every page type has its own title
    assert errors == [], errors  # no script error, no CSP violation
    page.close()


def test_error_page_in_the_browser_is_danish_with_a_way_back(server: str, browser) -> None:  # noqa: ANN001
    page = browser.new_page()
    page.goto(server + "/moeder")
    page.evaluate("location.href = '/punkt/findes-ikke'")
    page.wait_for_url("**/punkt/findes-ikke")
    assert page.get_by_role("heading", level=1).inner_text() == "Siden findes ikke"
    page.get_by_role("link", name="Tilbage til forrige side").click()
    page.wait_for_url("**/moeder")
    page.close()


def test_live_search_announces_its_count_and_updates_the_title(server: str, browser) -> None:  # noqa: ANN001
    page = browser.new_page()
    page.goto(server + "/")
    status = page.locator("#status")
    assert status.get_attribute("aria-live") == "polite" and status.get_attribute("role") == "status"
    handle = status.element_handle()
    page.fill("#q", "jobklub")
    until(page, "document.title.startsWith('»jobklub«')")
    assert page.title() == "»jobklub«: 6 resultater – søgning · referat"
    assert status.inner_text() == "6 resultater for »jobklub«"
    page.fill("#q", "vejbelysning")
    until(page, "document.querySelector('#status').textContent.includes('vejbelysning')")
    assert status.inner_text() == "1 resultat for »vejbelysning«"
    # the live region is the same element as before the swaps, so screen readers keep listening to it
    assert page.evaluate("(old) => old === document.querySelector('#status') && old.isConnected", handle)
    page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_tab_order_follows_the_visual_order(server: str, browser, width: int) -> None:  # noqa: ANN001
    """Tabbing through the results page visits the hits before the facets, as they are seen: beside
    them on the right on a wide screen, below them on a phone."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(server + "/?q=budget")
    order = []
    for _ in range(120):
        page.keyboard.press("Tab")
        info = page.evaluate("(() => { const e = document.activeElement; const r = e.getBoundingClientRect();"
                             " return [e.closest('.facets') ? 'facet' : e.closest('.hits') ? 'hit' : 'other',"
                             " r.left + scrollX, r.top + scrollY]; })()")
        order.append(info)
        if info[0] == "other" and any(o[0] == "facet" for o in order):
            break
    kinds = [o[0] for o in order if o[0] != "other"]
    assert "hit" in kinds and "facet" in kinds
    assert kinds.index("facet") > max(i for i, k in enumerate(kinds) if k == "hit")  # all hits, then the facets
    hits = [o for o in order if o[0] == "hit"]
    facets = [o for o in order if o[0] == "facet"]
    if width >= 1280:
        assert min(f[1] for f in facets) > max(h[1] for h in hits)  # facets stand to the right
    else:
        assert min(f[2] for f in facets) > max(h[2] for h in hits)  # facets stand below
    page.close()


def _contrast(a: list[float], b: list[float]) -> float:
    def lum(c: list[float]) -> float:
        ch = [x / 255 for x in c[:3]]
        ch = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_focus_outline_has_three_to_one_contrast(server: str, browser) -> None:  # noqa: ANN001
    page = browser.new_page()
    page.goto(server + "/?q=jobklub")
    seen = 0
    for _ in range(25):
        page.keyboard.press("Tab")
        style = page.evaluate("(() => { const s = getComputedStyle(document.activeElement);"
                              " return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; })()")
        assert not page.evaluate("document.activeElement === document.body")
        assert style[0] != "none" and style[1] >= 2, style
        colour = json.loads("[" + style[2][style[2].index("(") + 1:-1] + "]")
        assert _contrast(colour, [255, 255, 255]) >= 3, style  # against the page's white
        seen += 1
    assert seen == 25
    page.close()

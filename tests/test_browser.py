"""The web pages in a real browser: Debian's chromium driven by Playwright (never `playwright install`).

A real server (uvicorn) on a free local port over an archive of the bundled examples, the real
minutes and an XSS fixture. Screenshots of each page land in test-artifacts/. `make test` installs
chromium through apt when it is missing; without it these tests are skipped with the reason.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, SEEDS

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it)")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from referat.api import create_app
    from referat.ingest import ingest
    from referat.store import Archive

    db = tmp_path_factory.mktemp("web") / "web.db"
    ingest(Archive(db), [str(EXAMPLES), str(ROOT / "tests" / "fixtures" / "xss"), *map(str, SEEDS)])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield b
        b.close()


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
    page.get_by_role("link", name="2024-04-02").click()
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

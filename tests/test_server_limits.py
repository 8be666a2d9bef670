"""Size and time limits per request (referat.api.bounds, referat.limits.ServerLimits): 413 for a body,
414 for a long address, 503 with Retry-After for a slow answer; Danish pages, JSON for the API."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import EXAMPLES
from referat.api import create_app
from referat.ingest import ingest
from referat.limits import LimitConfigError, ServerLimits, server
from referat.store import Archive


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("limits") / "a.db")
    assert ingest(Archive(path), [str(EXAMPLES)]).count("failed") == 0
    return path


def client(db: str, monkeypatch: pytest.MonkeyPatch, **env: str) -> TestClient:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return TestClient(create_app(db))


def test_a_long_address_gets_414_before_any_route_reads_it(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    c = client(db, monkeypatch)
    lim = ServerLimits()
    q = "budget " * (lim.query_bytes // 7 + 1)
    api = c.get("/api/search", params={"q": q})
    assert api.status_code == 414 and "query string" in api.json()["error"]["message"]
    page = c.get("/", params={"q": q})
    assert page.status_code == 414 and "Adressen er for lang" in page.text and "budget budget" not in page.text
    assert page.headers["content-security-policy"] and page.headers["x-frame-options"] == "DENY"
    assert c.get("/punkt/" + "x" * lim.path_bytes).status_code == 414
    assert c.get("/api/search", params={"q": "budget " * 80}).status_code == 422  # under the cap: the route's own 500-character rule


def test_a_body_over_the_cap_gets_413(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    c = client(db, monkeypatch, REFERAT_LIMIT_REQUEST_BODY_KB="1")
    api = c.request("GET", "/api/stats", content=b"x" * 2048)
    assert api.status_code == 413 and "1 KB" in api.json()["error"]["message"]
    page = c.request("GET", "/", content=b"x" * 2048)
    assert page.status_code == 413 and "Forespørgslen er for stor" in page.text
    assert c.request("GET", "/api/stats", content=b"x" * 512).status_code == 200


def test_a_slow_answer_gets_503_with_retry_after_and_the_server_goes_on(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    c = client(db, monkeypatch, REFERAT_LIMIT_REQUEST_SECONDS="0.5")
    archive = c.app.state.archive  # type: ignore[attr-defined]
    real = archive.search

    def slow(*args: object, **kwargs: object) -> object:  # a search that takes 2 s: a stand-in for a pathological one
        time.sleep(2.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(archive, "search", slow)
    t0 = time.perf_counter()
    api = c.get("/api/search", params={"q": "budget"})
    took = time.perf_counter() - t0
    assert api.status_code == 503 and api.headers["retry-after"] and "0.5 s limit" in api.json()["error"]["message"]
    assert took < 1.5  # answered at the limit, not when the search ended
    page = c.get("/", params={"q": "budget"})
    assert page.status_code == 503 and "Det tog for lang tid" in page.text and page.headers["retry-after"]
    assert c.get("/api/stats").json()["items"] > 0  # the next request is served
    monkeypatch.setattr(archive, "search", real)
    assert c.get("/api/search", params={"q": "budget"}).status_code == 200


def test_request_limits_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFERAT_LIMIT_QUERY_BYTES", "100")
    monkeypatch.setenv("REFERAT_LIMIT_REQUEST_SECONDS", "2.5")
    assert (server().query_bytes, server().seconds) == (100, 2.5)
    monkeypatch.setenv("REFERAT_LIMIT_REQUEST_SECONDS", "soon")
    with pytest.raises(LimitConfigError, match="REFERAT_LIMIT_REQUEST_SECONDS"):
        server()


def test_serve_refuses_a_nonsense_limit_in_one_line(db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "referat.cli", "serve", "--db", db, "--port", "1"], capture_output=True,
                         text=True, env={**__import__("os").environ, "REFERAT_LIMIT_REQUEST_BODY_KB": "-3"}, timeout=60)
    assert res.returncode == 1 and res.stderr.count("\n") == 1 and "REFERAT_LIMIT_REQUEST_BODY_KB" in res.stderr

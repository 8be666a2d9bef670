"""OParl 1.1 as a strict client walks it: from /oparl/v1/system over every list of every body, every page.

Besides the official schema (tests/test_api.py validates each type), every object is checked for what a
client relies on:
- it belongs to the body whose list holds it (an Organization's `body`, a Meeting's organizations', an
  AgendaItem's meeting's, …), also for the body of documents that name no municipality;
- each File's `mimeType` and `size` are exactly what its `accessUrl` and `downloadUrl` serve (the
  Content-Type header equal to mimeType, charset included; the bytes counted), and the File is the
  original as ingested, its extracted text as `text`;
- embedded objects follow the embedding rules: no back-link to the object they are embedded in, and
  otherwise equal to the same object at its own URL (the File embedded in a Meeting has its `text`);
- ids and links start with the configured base URL, whatever Host header the client sends;
- modified_since at the edges of the date range answers, never fails.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from fastapi.testclient import TestClient

from conftest import BACKENDS, EXAMPLES, ROOT, SEEDS, SHARED, module_db
from referat.api import create_app
from referat.ingest import ingest
from referat.store import Archive

BASE = "https://referat.example.dk"
SCHEMAS = SHARED / "oparl-1.1-schema"
GREVE = sorted((SHARED / "corpus" / "publication-api" / "greve").glob("*.json"))
CORPUS = [*GREVE[1::90], *sorted((SHARED / "corpus").glob("sbsys-aarhus/*.pdf")),
          *sorted((SHARED / "corpus").glob("edoc-xml/*.xml"))]
needs_schemas = pytest.mark.skipif(not SCHEMAS.is_dir(), reason=f"OParl schemas not found in {SCHEMAS}")
# a Body's lists, by the property that names each
LISTS = ("organization", "person", "meeting", "paper", "membership", "agendaItem", "consultation", "file",
         "legislativeTermList", "locationList")


@pytest.fixture(scope="module", params=BACKENDS)
def client(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    db = module_db(request, request.param, tmp_path_factory)
    files = [EXAMPLES, ROOT / "tests" / "fixtures" / "xss", *SEEDS, *CORPUS]
    summary = ingest(Archive(db), [str(f) for f in files])
    assert summary.count("failed") == 0, summary.failed
    return TestClient(create_app(db, base=BASE))


class Walker:
    """Fetches OParl URLs through the app, checking each answer, and remembers objects by id."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.seen: dict[str, dict[str, Any]] = {}

    def get(self, url: str) -> dict[str, Any]:
        assert url.startswith(BASE + "/"), url
        parts = urlsplit(url)
        res = self.client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert res.status_code == 200, (url, res.text[:300])
        return res.json()

    def object(self, url: str) -> dict[str, Any]:
        if url not in self.seen:
            self.seen[url] = self.get(url)
            assert self.seen[url]["id"] == url
        return self.seen[url]

    def pages(self, url: str) -> Iterator[dict[str, Any]]:
        """Every object of a list, page by page (links.next), checking the pagination as it goes."""
        total, count, page = None, 0, 1
        while url:
            answer = self.get(url)
            p = answer["pagination"]
            total = p["totalElements"] if total is None else total
            assert p["totalElements"] == total and p["currentPage"] == page, url
            assert len(answer["data"]) <= p["elementsPerPage"]
            for link in answer["links"].values():
                assert link.startswith(BASE + "/"), link
            count += len(answer["data"])
            yield from answer["data"]
            url, page = answer["links"].get("next"), page + 1
        assert count == total

    def body_of(self, obj: dict[str, Any]) -> set[str]:
        """The bodies an object belongs to, through the links OParl defines."""
        kind = obj["type"].rsplit("/", 1)[-1]
        if kind in ("Organization", "Person", "Paper", "LegislativeTerm"):
            return {obj["body"]}
        if kind == "Meeting":
            return set().union(*(self.body_of(self.object(o)) for o in obj["organization"]))
        if kind == "AgendaItem":
            return self.body_of(self.object(obj["meeting"]))
        if kind == "Membership":
            return self.body_of(self.object(obj["organization"]))
        if kind == "Consultation":
            return self.body_of(self.object(obj["paper"]))
        if kind in ("File", "Location"):
            meetings = obj["meeting"] if kind == "File" else obj["meetings"]
            assert meetings, obj["id"]
            return set().union(*(self.body_of(self.object(m)) for m in meetings))
        raise AssertionError(f"no rule for the body of a {kind}")


def _schema(kind: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{kind}.json").read_text(encoding="utf-8"))


def _embedded(obj: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(property, object) for each object embedded in obj (the schema names a "schema" for it)."""
    for prop, spec in _schema(obj["type"].rsplit("/", 1)[-1])["properties"].items():
        value = obj.get(prop)
        if isinstance(value, dict) and spec.get("schema"):
            yield prop, value
        if isinstance(value, list) and isinstance(spec.get("items"), dict) and spec["items"].get("schema"):
            yield from ((prop, v) for v in value)


def _links_to(value: Any, target: str) -> bool:
    return value == target or (isinstance(value, list) and target in value)


def _check_object(w: Walker, obj: dict[str, Any]) -> None:
    """Schema, and the embedding rules for each object embedded in it (recursively)."""
    jsonschema.validate(obj, _schema(obj["type"].rsplit("/", 1)[-1]), format_checker=jsonschema.FormatChecker())
    for prop, child in _embedded(obj):
        back = [k for k, v in child.items() if _links_to(v, obj["id"])]
        assert not back, f"{obj['id']} embeds {child['id']} ({prop}) with the back-link {back}"
        own = w.object(child["id"])
        leave_out = [k for k, v in own.items() if _links_to(v, obj["id"])]
        assert {k: v for k, v in own.items() if k not in leave_out} == child, (obj["id"], prop, child["id"])
        _check_object(w, child)
        if child["type"].endswith("/File"):
            _check_file(w, child)


def _check_file(w: Walker, f: dict[str, Any]) -> None:
    """mimeType and size are what both URLs serve, byte for byte; the original is served as a download."""
    assert f["text"], f["id"]
    for key in ("accessUrl", "downloadUrl"):
        res = w.client.get(urlsplit(f[key]).path)
        assert res.status_code == 200, f[key]
        assert res.headers["content-type"] == f["mimeType"], (f[key], res.headers["content-type"])
        assert len(res.content) == f["size"], f[key]
        if f[key].endswith("/original"):
            assert res.headers["content-disposition"].startswith("attachment;")
            assert res.headers["content-security-policy"] == "sandbox"
            assert f["id"].endswith("/" + hashlib.sha256(res.content).hexdigest())  # the document's id is its hash


@needs_schemas
def test_walk_every_list_of_every_body(client: TestClient) -> None:
    w = Walker(client)
    system = w.object(f"{BASE}/oparl/v1/system")
    _check_object(w, system)
    bodies = list(w.pages(system["body"] + "?limit=1"))
    names = {b["shortName"] for b in bodies}
    assert "Ukendt kommune" in names and "Vesterå" in names and "Greve" in names
    counts: dict[str, int] = {}
    for body in bodies:
        assert w.object(body["id"]) == body
        _check_object(w, body)
        for prop in LISTS:
            for obj in w.pages(body[prop] + "?limit=7"):
                kind = obj["type"].rsplit("/", 1)[-1]
                counts[kind] = counts.get(kind, 0) + 1
                _check_object(w, obj)
                assert w.body_of(obj) == {body["id"]}, (body["shortName"], prop, obj["id"])
                if kind == "File":
                    _check_file(w, obj)
                if kind == "Organization":
                    meetings = list(w.pages(obj["meeting"] + "?limit=2"))
                    assert meetings and all(m["organization"] == [obj["id"]] for m in meetings)
    assert set(counts) == {"Organization", "Person", "Meeting", "Paper", "Membership", "AgendaItem", "Consultation",
                           "File", "LegislativeTerm", "Location"}
    assert counts["File"] == counts["Meeting"]  # one File per source document, each one meeting
    # every object met is served at its own URL exactly as listed (embedded ones were checked above)
    assert all(w.object(url) for url in list(w.seen))


def test_the_unknown_municipalitys_body_lists_only_its_own_committees(client: TestClient) -> None:
    w = Walker(client)
    unknown = next(b for b in w.pages(f"{BASE}/oparl/v1/bodies") if b["shortName"] == "Ukendt kommune")
    organizations = list(w.pages(unknown["organization"]))
    every = client.get("/api/bodies").json()["data"]
    assert 0 < len(organizations) < len(every)
    assert {o["id"].rsplit("/", 1)[-1] for o in organizations} == {b["id"] for b in every if b["municipality"] is None}


def test_a_pdf_source_is_one_file_served_as_the_pdf_it_was(client: TestClient) -> None:
    pdf = next(p for p in CORPUS if p.suffix == ".pdf")
    sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
    f = client.get(f"/oparl/v1/file/{sha}").json()
    assert f["mimeType"] == "application/pdf" and f["size"] == pdf.stat().st_size and f["fileName"] == pdf.name
    res = client.get(urlsplit(f["accessUrl"]).path)
    assert res.content == pdf.read_bytes() and res.headers["content-type"] == "application/pdf"
    assert "Mødesystemgruppen" in f["text"] or "mødesystem" in f["text"].lower()
    assert f'filename="{pdf.name}"' in res.headers["content-disposition"]


def test_ids_come_from_the_configured_base_url_never_the_host_header(client: TestClient) -> None:
    system = client.get("/oparl/v1/system", headers={"host": "evil.example"}).json()
    assert system["id"] == f"{BASE}/oparl/v1/system" and "evil" not in json.dumps(system)
    page = client.get("/oparl/v1/bodies?limit=1", headers={"host": "evil.example"}).json()
    assert "evil" not in json.dumps(page) and page["links"]["next"].startswith(f"{BASE}/oparl/v1/bodies?")


@pytest.mark.parametrize("since, everything", [("0001-01-01T00:00:00+14:00", True), ("9999-12-31T23:59:59-14:00", False),
                                               ("0001-01-01T00:00:00", True), ("9999-12-31T23:59:59Z", False)])
def test_modified_since_at_the_edges_of_time_answers(client: TestClient, since: str, everything: bool) -> None:
    bodies = client.get("/oparl/v1/bodies").json()["data"]
    for url in ["/oparl/v1/bodies", *(urlsplit(b["meeting"]).path for b in bodies),
                *(urlsplit(b["organization"]).path for b in bodies)]:
        res = client.get(url, params={"modified_since": since})
        assert res.status_code == 200, (url, since, res.text[:200])
        whole = client.get(url).json()["pagination"]["totalElements"]
        assert res.json()["pagination"]["totalElements"] == (whole if everything else 0), (url, since)


def test_base_url_is_checked() -> None:
    from referat.api import base_url

    assert base_url("https://referat.example.dk/") == "https://referat.example.dk"
    assert base_url("http://[::1]:8000/arkiv/") == "http://[::1]:8000/arkiv"
    for bad in ("referat.example.dk", "ftp://x", "https://x/?a=1", "http://x:99999"):
        with pytest.raises(ValueError):
            base_url(bad)


# --- a strict client over HTTP (referat.testing.oparl_client) ---------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def demo_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo archive (`make demo`): the bundled examples and the real seeds."""
    db = module_db(request, request.param, tmp_path_factory)
    summary = ingest(Archive(db), [str(EXAMPLES), *map(str, SEEDS)])
    assert summary.count("failed") == 0 and summary.count("refused") == 0, summary.failed
    return db


def _strict_import(db: str) -> tuple[list[Any], int]:
    """(violations, objects) of a strict client's import of every body, over HTTP on 127.0.0.1."""
    from referat.testing.oparl_client import Client
    from referat.testing.server import served

    app = create_app(db, base=BASE)
    with served(app) as url:
        app.state.base_url = url  # ids and links under the address the client reaches
        client = Client(f"{url}/oparl/v1/system", schemas=SCHEMAS if SCHEMAS.is_dir() else None)
        return client.run(), len(client.objects)


@needs_schemas
def test_a_strict_client_imports_every_body_of_the_demo_archive_without_a_fault(demo_db: str) -> None:
    violations, objects = _strict_import(demo_db)
    assert objects > 200
    assert not violations, "\n".join(map(str, violations[:30]))


@needs_schemas
def test_the_strict_client_finds_the_faults_it_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """The client is not blind: with back-links repeated in embedded objects, HEAD and CORS gone, filters
    ignored and an empty string in the System, each is reported."""
    import referat.api
    import referat.oparl

    db = str(tmp_path / "faulty.db")
    ingest(Archive(db), [str(EXAMPLES)])
    monkeypatch.setattr(referat.oparl, "_embedded", lambda obj, *back: obj)
    monkeypatch.setattr(referat.oparl.Window, "keeps", lambda self, created, modified: True)
    system = referat.oparl.OParl.system
    monkeypatch.setattr(referat.oparl.OParl, "system", lambda self: {**system(self), "license": ""})

    async def passthrough(self: Any, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)

    monkeypatch.setattr(referat.api.HeadAndCors, "__call__", passthrough)
    violations, _ = _strict_import(db)
    assert {"embedding", "head", "cors", "filter", "empty-string"} <= {v.code for v in violations}


def test_the_api_root_sends_a_client_to_the_system_and_every_answer_is_shared(client: TestClient) -> None:
    """/oparl/v1 names no object: 301 to the System under the configured base. Every OParl answer carries
    Access-Control-Allow-Origin: * (OParl 1.1, "CORS") and every object URL answers HEAD as GET does."""
    for root in ("/oparl/v1", "/oparl/v1/"):
        res = client.get(root, follow_redirects=False)
        assert res.status_code == 301 and res.headers["location"] == f"{BASE}/oparl/v1/system"
    for path in ("/oparl/v1/system", "/oparl/v1/bodies", "/oparl/v1/meeting/nope"):
        got, head = client.get(path), client.head(path)
        assert got.headers["access-control-allow-origin"] == "*"
        assert head.status_code == got.status_code and head.content == b""
    assert "access-control-allow-origin" not in client.get("/api/stats").headers  # the JSON API: same origin

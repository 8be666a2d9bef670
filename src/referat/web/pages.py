"""The Danish web interface: search, meeting, item, case, person and committee pages.

Handlers only gather data from the Archive and render a template. Jinja2 autoescapes everything, so
document text is inert wherever it appears; highlighted snippets are built from escaped pieces.
Front-end libraries (htmx 2.0.x, Chart.js) come from node_modules, installed by `make` from the
pinned package.json; without them the pages still work, only without live search and charts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from babel.numbers import format_decimal
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from referat import vocab
from referat.api.json_api import Kind
from referat.errors import ReferatError
from referat.store import Archive, Filters
from referat.store import browse

HERE = Path(__file__).parent
ASSETS = Path(os.environ.get("REFERAT_ASSETS", HERE.parents[2] / "node_modules"))
VENDOR = {"htmx.min.js": ASSETS / "htmx.org" / "dist" / "htmx.min.js",
          "chart.umd.min.js": ASSETS / "chart.js" / "dist" / "chart.umd.min.js"}
KIND_LABEL = {**vocab.DECISION_KIND_DA, "none": "Ingen beslutning"}
PAGE_SIZE = 20

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(HERE / "templates"))


def highlight(snippet: str, spans: list[tuple[int, int]]) -> Markup:
    """The snippet escaped, with the hit spans wrapped in <mark>."""
    out, last = [], 0
    for a, b in sorted(spans):
        out.append(escape(snippet[last:a]))
        out.append(Markup("<mark>") + escape(snippet[a:b]) + Markup("</mark>"))
        last = b
    out.append(escape(snippet[last:]))
    return Markup("").join(out)


def case_url(number: str | None) -> str:
    return "/sag/" + quote(number or "", safe="")


def dansk(value: float | int | None) -> str:
    """A number as Danes write it: 1.073,4."""
    return "–" if value is None else format_decimal(value, locale="da_DK")


templates.env.filters["highlight"] = highlight
templates.env.filters["dansk"] = dansk
templates.env.globals.update(kind_label=KIND_LABEL, case_url=case_url,
                             vendor=lambda name: f"/vendor/{name}" if VENDOR[name].exists() else None)


def archive(request: Request) -> Archive:
    return request.app.state.archive


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    title = {404: "Findes ikke", 409: "Flere mulige", 422: "Ugyldig forespørgsel"}.get(status, "Fejl")
    return render(request, "error.html", status=status, title=title, message=message)


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")


@router.get("/vendor/{name}")
def vendor(name: str) -> Response:
    path = VENDOR.get(name)
    if path is None or not path.exists():
        return Response("not installed: run make", status_code=404, media_type="text/plain")
    return Response(path.read_bytes(), media_type="text/javascript",
                    headers={"cache-control": "public, max-age=86400"})


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, q: Annotated[str, Query(max_length=500)] = "", udvalg: str | None = None,
                kommune: str | None = None, aar: Annotated[int | None, Query(ge=1900, le=2100)] = None,
                beslutning: Kind | None = None, sortering: str = "relevans",
                side: Annotated[int, Query(ge=1, le=500)] = 1) -> HTMLResponse:
    """The front page is the search: /?q=jobklub&udvalg=…&aar=2024&beslutning=approved."""
    a = archive(request)
    context: dict[str, Any] = {"q": q, "udvalg": udvalg, "kommune": kommune, "aar": aar, "beslutning": beslutning,
                               "sortering": sortering, "side": side, "result": None, "error": None}
    if q.strip():
        filters = Filters(committee=udvalg, municipality=kommune, year=aar, decision_kind=beslutning)
        try:
            context["result"] = a.search(q, filters, sort="date" if sortering == "dato" else "relevance",
                                         limit=PAGE_SIZE, offset=(side - 1) * PAGE_SIZE)
        except ReferatError as exc:
            context["error"] = str(exc)
    else:
        with a.engine.connect() as conn:
            context["bodies"] = browse.bodies(conn)
            context["chart"] = _kind_chart(browse.decisions_by_year(conn))
        context["stats"] = a.stats()

    def url(**change: Any) -> str:
        params = {"q": q, "udvalg": udvalg, "kommune": kommune, "aar": aar, "beslutning": beslutning,
                  "sortering": None if sortering == "relevans" else sortering, **change}
        return "/?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})

    context["url"] = url
    context["pages"] = -(-context["result"].total // PAGE_SIZE) if context["result"] else 0
    name = "results.html" if request.headers.get("hx-request") else "search.html"
    return render(request, name, status=422 if context["error"] else 200, **context)


def _kind_chart(by_year: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Chart data: one series per decision kind over the years (also shown as a table)."""
    years = sorted(by_year)
    kinds = [k for k in KIND_LABEL if any(k in by_year[y] for y in years)]
    return {"type": "bar", "labels": years, "stacked": True,
            "series": [{"label": KIND_LABEL[k], "kind": k, "data": [by_year[y].get(k, 0) for y in years]}
                       for k in kinds]}


@router.get("/moede/{meeting_id}", response_class=HTMLResponse)
def meeting_page(request: Request, meeting_id: str) -> HTMLResponse:
    a = archive(request)
    m = a.meeting(meeting_id)
    items = [a.item(i["id"]) for i in m["items"]]
    return render(request, "meeting.html", m=m, items=items)


@router.get("/punkt/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, item_id: str) -> HTMLResponse:
    it = archive(request).item(item_id)
    # the decision and recommendation are shown first, read; the other sections follow as printed
    shown = [s for s in it["sections"] if s["role"] not in ("decision", "recommendation")]
    return render(request, "item.html", it=it, sections=shown)


@router.get("/sag/{number:path}", response_class=HTMLResponse)
def case_page(request: Request, number: str, kommune: str | None = None) -> HTMLResponse:
    a = archive(request)
    data = a.case(number, kommune)
    with a.engine.connect() as conn:
        series = browse.table_series(conn, [t["item_id"] for t in data["timeline"]])
    chart = None
    if len(series["dates"]) > 1:
        chart = {"type": "line", "labels": series["dates"], "stacked": False,
                 "series": [{"label": name, "data": [values.get(d) for d in series["dates"]]}
                            for name, values in series["series"].items()]}
    return render(request, "case.html", c=data, chart=chart, series=series)


@router.get("/person/{name_or_id}", response_class=HTMLResponse)
def person_page(request: Request, name_or_id: str) -> HTMLResponse:
    return render(request, "person.html", p=archive(request).person(name_or_id))


@router.get("/udvalg", response_class=HTMLResponse)
def bodies_page(request: Request) -> HTMLResponse:
    with archive(request).engine.connect() as conn:
        return render(request, "bodies.html", bodies=browse.bodies(conn))


@router.get("/udvalg/{body_id}", response_class=HTMLResponse)
def body_page(request: Request, body_id: str, kommune: str | None = None) -> HTMLResponse:
    a = archive(request)
    b = a.body(body_id, kommune)
    with a.engine.connect() as conn:
        chart = _kind_chart(browse.decisions_by_year(conn, b["id"]))
    return render(request, "body.html", b=b, chart=chart)

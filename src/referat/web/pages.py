"""The Danish web interface: search, lists of meetings, cases and people, and a page for each meeting,
item, case, person and committee; the API's documentation; Danish error pages.

Handlers only gather data from the Archive and render a template. Jinja2 autoescapes everything, so
document text is inert wherever it appears; highlighted snippets are built from escaped pieces. No
page carries inline script or style (the Content-Security-Policy of web/security.py forbids both):
behaviour lives in static files, data for it in `<script type="application/json">` blocks.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from referat import labels
from referat.api.json_api import Kind
from referat.errors import ReferatError
from referat.store import Archive, Filters
from referat.store import browse
from referat.web import assets, format
from referat.web.format import KIND_LABEL
from referat.web.security import HEADERS, SecurityHeaders
from referat.urls import split_url

PAGE_SIZE = 20
Page = Annotated[int, Query(ge=1, le=100_000)]
Year = Annotated[int | None, Query(ge=1900, le=2100)]

router = APIRouter(include_in_schema=False)


def page(path: str) -> Any:
    """A page's route: GET, and HEAD (curl -I, link checkers) with the same headers."""
    return router.api_route(path, methods=["GET", "HEAD"], response_class=HTMLResponse)

templates = Jinja2Templates(directory=str(assets.HERE / "templates"))


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


def kommune(name: str | None) -> str:
    return f"{name} Kommune" if name else "Ukendt kommune"


templates.env.filters.update(highlight=highlight, dansk=format.dansk, dato=format.dato, kort_dato=format.kort_dato,
                             antal=format.antal, kommune=kommune)
templates.env.globals.update(kind_label=KIND_LABEL, facet_names=labels.FACET, case_url=case_url, asset=assets.url, page_size=PAGE_SIZE)


def archive(request: Request) -> Archive:
    return request.app.state.archive


def render(request: Request, name: str, status: int = 200, headers: dict[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status, headers=headers)


ERROR_TITLE = {404: "Siden findes ikke", 405: "Metoden er ikke tilladt", 409: "Flere mulige",
               413: "Forespørgslen er for stor", 414: "Adressen er for lang", 422: "Ugyldig forespørgsel",
               500: "Der skete en fejl", 503: "Det tog for lang tid"}
ERROR_TEXT = {404: "Vi kunne ikke finde det, du ledte efter. Adressen kan være skrevet forkert, eller det kan være "
                   "fjernet fra arkivet.",
              405: "Siderne kan kun læses (GET), ikke ændres.",
              409: "Navnet passer på flere i arkivet. Skriv det mere præcist, eller find det via søgningen.",
              413: "Siderne kan kun læses, så en forespørgsel har intet indhold at sende med.",
              414: "Adressen er længere, end serveren læser. Gør søgningen eller filtrene kortere.",
              503: "Siden tog for lang tid at lave. Prøv igen om lidt, eller gør søgningen smallere.",
              500: "Serveren kunne ikke vise siden. Prøv igen om lidt; sker det igen, så kontakt den, der driver "
                   "arkivet."}


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """A Danish error page with a way back: to the page the reader came from (same site), and home."""
    text = format.invalid_parameters(message) if status == 422 else ERROR_TEXT.get(status, message)
    referer = split_url(request.headers.get("referer", "")) or urlsplit("")  # "http://[x": from nowhere
    back = None
    came_from = referer.path + (f"?{referer.query}" if referer.query else "")
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if referer.netloc == request.url.netloc and came_from != here:
        back = came_from
    detail = message if status == 409 else None  # the candidates, as the archive names them
    return render(request, "error.html", status=status, headers=dict(HEADERS), title=ERROR_TITLE.get(status, "Fejl"),
                  text=text, detail=detail, back=back)


async def server_error(request: Request, exc: Exception) -> Response:
    """Any unexpected error: a Danish page (or the API's JSON error shape), never a traceback."""
    if request.url.path.startswith(("/api/", "/oparl/")):
        return JSONResponse({"error": {"status": 500, "message": "internal server error"}}, status_code=500,
                            headers=dict(HEADERS))
    return error_page(request, 500, "internal server error")


def install(app: FastAPI) -> None:
    """The pages, their static files, security headers on every response and the Danish 500 page."""
    from referat.web import follow  # its pages use this module's helpers

    app.include_router(follow.api_router)
    app.include_router(follow.router)
    app.include_router(router)
    app.include_router(assets.router)
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(Exception, server_error)


def paging(total: int, side: int, size: int = PAGE_SIZE) -> dict[str, int]:
    return {"side": side, "pages": max(1, -(-total // size)), "total": total, "offset": (side - 1) * size}


# --- search -------------------------------------------------------------------------------------

@page("/")
def search_page(request: Request, q: Annotated[str, Query(max_length=500)] = "", udvalg: str | None = None,
                kommune: str | None = None, aar: Year = None, beslutning: Kind | None = None,
                sortering: str = "relevans", side: Annotated[int, Query(ge=1, le=500)] = 1) -> HTMLResponse:
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
            context["error"] = format.query_error(exc)
    else:
        with a.engine.connect() as conn:
            context["bodies"] = browse.bodies(conn)
            context["chart"] = _kind_chart(browse.decisions_by_year(conn))
        context["stats"] = a.stats()

    def url(**change: Any) -> str:
        params = {"q": q, "udvalg": udvalg, "kommune": kommune, "aar": aar, "beslutning": beslutning,
                  "sortering": None if sortering == "relevans" else sortering, **change}
        return "/?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})

    result = context["result"]
    active = [(label, value, url(**{key: None, "side": None})) for key, label, value in (
        ("udvalg", "Udvalg", udvalg), ("kommune", "Kommune", kommune), ("aar", "År", aar),
        ("beslutning", "Beslutning", KIND_LABEL.get(beslutning or "", beslutning))) if value]
    context.update(url=url, active=active, pages=-(-result.total // PAGE_SIZE) if result else 0,
                   status_text=(f"{format.antal(result.total, 'resultat')} for »{q}«" if result else
                           context["error"] or ""),
                   htmx=bool(request.headers.get("hx-request")))
    counted = format.antal(result.total, "resultat") if result else "fejl i søgningen"
    context["title"] = f"»{q}«: {counted} – søgning" if q.strip() else "Søg i referater"
    name = "results.html" if context["htmx"] else "search.html"
    return render(request, name, status=422 if context["error"] else 200, **context)


def _kind_chart(by_year: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Chart data: one series per decision kind over the years (also shown as a table); counts, so the
    axis has whole numbers only."""
    years = sorted(by_year)
    kinds = [k for k in KIND_LABEL if any(k in by_year[y] for y in years)]
    return {"type": "bar", "labels": years, "stacked": True, "integer": True,
            "series": [{"label": KIND_LABEL[k], "kind": k, "data": [by_year[y].get(k, 0) for y in years]}
                       for k in kinds]}


# --- meetings -----------------------------------------------------------------------------------

@page("/moeder")
def meetings_page(request: Request, udvalg: str | None = None, aar: Year = None, side: Page = 1) -> HTMLResponse:
    """All meetings, newest first; narrowed to one committee (by id) and a year."""
    a = archive(request)
    with a.engine.connect() as conn:
        bodies = browse.bodies(conn)
        years = sorted(browse.decisions_by_year(conn, udvalg), reverse=True)
        total, rows = browse.meetings(conn, body_id=udvalg, year=aar, limit=PAGE_SIZE,
                                      offset=(side - 1) * PAGE_SIZE)
    body = next((b for b in bodies if b["id"] == udvalg), None)
    if udvalg and body is None:
        return error_page(request, 404, f"no committee with id '{udvalg}'")

    def url(**change: Any) -> str:
        params = {"udvalg": udvalg, "aar": aar, "side": None, **change}
        query = urlencode({k: v for k, v in params.items() if v not in (None, "", 1)})
        return "/moeder" + (f"?{query}" if query else "")

    title = "Møder" + (f" i {body['name']}" if body else "") + (f" {aar}" if aar else "")
    active = [(label, value, url(**{key: None})) for key, label, value in (
        ("udvalg", "Udvalg", body and f"{body['name']} ({kommune(body['municipality'])})"), ("aar", "År", aar))
        if value]
    return render(request, "meetings.html", title=title, meetings=rows, bodies=bodies, years=years, udvalg=udvalg,
                  aar=aar, url=url, active=active, **paging(total, side))


@page("/moede/{meeting_id}")
def meeting_page(request: Request, meeting_id: str) -> HTMLResponse:
    a = archive(request)
    m = a.meeting(meeting_id)
    items = [a.item(i["id"]) for i in m["items"]]
    return render(request, "meeting.html", m=m, items=items)


# --- items --------------------------------------------------------------------------------------

# shown in their own places on the item page, so not again as text
SHOWN_APART = {"decision", "recommendation", "attachments"}


def section_parts(text: str, tables: list[dict[str, Any]], used: set[int]) -> list[tuple[str, Any]]:
    """A section's text in paragraphs, with each table read from it shown as a table where it stands
    (its caption paragraph and tab-separated lines replaced), so no table is shown twice."""
    parts: list[tuple[str, Any]] = []
    for para in text.split("\n\n"):
        first = para.split("\n", 1)[0].split("\t")
        found = next((n for n, t in enumerate(tables) if n not in used and "\t" in para
                      and [c.strip() for c in first] == [h.strip() for h in t["header"]]), None)
        if found is None:
            parts.append(("text", para))
            continue
        used.add(found)
        if parts and parts[-1] == ("text", tables[found].get("caption")):
            parts.pop()
        parts.append(("table", tables[found]))
    return parts


@page("/punkt/{item_id}")
def item_page(request: Request, item_id: str) -> HTMLResponse:
    a = archive(request)
    it = a.item(item_id)
    document_id = it.get("document_id") or a.meeting(it["meeting_id"])["document_id"]
    treated = bool(it["related"] or it["upcoming"] or it["referenced_by"])
    hidden = SHOWN_APART | ({"related", "upcoming"} if treated else set())
    used: set[int] = set()
    sections = [{**s, "parts": section_parts(s["text"], it["tables"], used)} for s in it["sections"]
                if s["role"] not in hidden]
    rest = [t for n, t in enumerate(it["tables"]) if n not in used]  # tables not found in any section's text
    return render(request, "item.html", it=it, sections=sections, tables=rest, treated=treated,
                  document_id=document_id)


# --- cases --------------------------------------------------------------------------------------

@page("/sager")
def cases_page(request: Request, side: Page = 1) -> HTMLResponse:
    with archive(request).engine.connect() as conn:
        total, rows = browse.cases(conn, limit=PAGE_SIZE, offset=(side - 1) * PAGE_SIZE)
    return render(request, "cases.html", cases=rows, url=lambda side: "/sager" + (f"?side={side}" if side > 1 else ""),
                  **paging(total, side))


@page("/sag/{number:path}")
def case_page(request: Request, number: str, kommune: str | None = None) -> HTMLResponse:
    a = archive(request)
    data = a.case(number, kommune)
    with a.engine.connect() as conn:
        series = browse.table_series(conn, [t["item_id"] for t in data["timeline"]])
    chart = None
    if len(series["dates"]) > 1:
        chart = {"type": "line", "labels": [format.kort_dato(d) for d in series["dates"]], "stacked": False,
                 "integer": False,
                 "series": [{"label": name, "data": [values.get(d) for d in series["dates"]]}
                            for name, values in series["series"].items()]}
    return render(request, "case.html", c=data, chart=chart, series=series)


# --- people -------------------------------------------------------------------------------------

@page("/personer")
def people_page(request: Request, navn: Annotated[str, Query(max_length=200)] = "", side: Page = 1) -> HTMLResponse:
    with archive(request).engine.connect() as conn:
        total, rows = browse.people(conn, query=navn.strip() or None, limit=PAGE_SIZE, offset=(side - 1) * PAGE_SIZE)

    def url(side: int = 1) -> str:
        query = urlencode({k: v for k, v in (("navn", navn.strip()), ("side", side)) if v not in ("", 1)})
        return "/personer" + (f"?{query}" if query else "")

    return render(request, "people.html", people=rows, navn=navn.strip(), url=url, **paging(total, side))


@page("/person/{name_or_id}")
def person_page(request: Request, name_or_id: str) -> HTMLResponse:
    return render(request, "person.html", p=archive(request).person(name_or_id))


# --- committees ---------------------------------------------------------------------------------

@page("/udvalg")
def bodies_page(request: Request) -> HTMLResponse:
    with archive(request).engine.connect() as conn:
        return render(request, "bodies.html", bodies=browse.bodies(conn))


@page("/udvalg/{body_id}")
def body_page(request: Request, body_id: str, kommune: str | None = None) -> HTMLResponse:
    a = archive(request)
    b = a.body(body_id, kommune)
    with a.engine.connect() as conn:
        chart = _kind_chart(browse.decisions_by_year(conn, b["id"]))
    return render(request, "body.html", b=b, chart=chart)


# --- the API's documentation --------------------------------------------------------------------

@page("/api/docs")
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI over /api/openapi.json, served from this app (a pinned npm package, no CDN), started by
    web/static/api-docs.js under the site's Content-Security-Policy (it styles through the CSSOM)."""
    return render(request, "api_docs.html", spec={"url": "/api/openapi.json"})

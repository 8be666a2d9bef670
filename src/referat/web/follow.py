"""Following the archive: reported figures as series (/serier, /serie/{id}, /api/series), calendars of
meetings (/kalender.ics, /udvalg/{id}/kalender.ics) and Atom feeds (/feed/...).

The pages are Danish and carry no inline script (charts draw from a JSON block, web/static/charts.js);
the data comes from referat.series and referat.feeds, which read the store.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from referat import feeds
from referat.api.json_api import Kind
from referat.errors import NotFoundError
from referat.store import browse
from referat.series import select, series as find_series
from referat.web.pages import archive, page, render

api_router = APIRouter(prefix="/api", tags=["api"])
router = APIRouter(include_in_schema=False)  # calendars and feeds: not JSON, not pages
Label = Annotated[str, Query(max_length=200, description="Words of a frame, measure or subject, or a series id; "
                                                          "empty for all.")]


def _series(request: Request, label: str = "") -> dict[str, Any]:
    """The series a label names. Every series is read from all tables of the archive, so the whole set is
    kept per app while the archive is unchanged (Archive.modified), and labels are matched on it."""
    a = archive(request)
    stamp = a.modified()
    cached = getattr(request.app.state, "series_cache", None)
    if cached is None or cached[0] != stamp or stamp is None:
        with a.engine.connect() as conn:
            everything = find_series(conn, "")
        cached = (stamp, everything)
        request.app.state.series_cache = cached
    everything = cached[1]
    return {"series": select(everything["series"], label), "warnings": everything["warnings"]}


@api_router.get("/series", summary="Reported figures as series: budget frames and measures, complaint figures")
def series_api(request: Request, label: Label = "", committee: str | None = None) -> dict[str, Any]:
    data = _series(request, label)
    if committee:
        data["series"] = [s for s in data["series"] if committee.lower() in s["committee"].lower()]
    return {"total": len(data["series"]), **data}


@api_router.get("/series/{series_id}", summary="One series: its points with provenance (item, table, as printed)")
def one_series_api(request: Request, series_id: str) -> dict[str, Any]:
    return _one(request, series_id)


def _one(request: Request, series_id: str) -> dict[str, Any]:
    found = [s for s in _series(request, series_id)["series"] if s["id"] == series_id]
    if not found:
        raise NotFoundError(f"no series with id '{series_id}'")
    return found[0]


@page("/serier")
def series_list_page(request: Request, q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    """Every series, grouped by committee and subject; narrowed by words of a frame or measure."""
    data = _series(request, q.strip())
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for s in data["series"]:
        groups.setdefault((s["committee"], s["subject"]), []).append(s)
    return render(request, "series_list.html", groups=groups, q=q.strip(), total=len(data["series"]),
                  warnings=data["warnings"])


@page("/serie/{series_id}")
def series_page(request: Request, series_id: str) -> HTMLResponse:
    """One series as a line over its periods, with each figure's source (the item and table printing it)."""
    s = _one(request, series_id)
    chart = {"type": "line", "labels": [p["period"] for p in s["points"]], "stacked": False, "integer": False,
             "series": [{"label": s["measure"], "data": [p["value"] for p in s["points"]]}]}
    unit = f" ({s['unit']})" if s["unit"] else ""
    return render(request, "series.html", s=s, chart=chart, caption=f"{s['frame']}: {s['measure']}{unit}")


# --- calendars ----------------------------------------------------------------------------------

CALENDAR = "text/calendar; charset=utf-8"


def _calendar(request: Request, body_id: str | None, name: str) -> Response:
    with archive(request).engine.connect() as conn:
        text = feeds.icalendar(feeds.events(conn, body_id, request.app.state.base_url), name)
    return Response(text, media_type=CALENDAR,
                    headers={"Content-Disposition": f'inline; filename="{body_id or "referat"}.ics"'})


@router.api_route("/kalender.ics", methods=["GET", "HEAD"])
def archive_calendar(request: Request) -> Response:
    """Every committee's meetings (held, announced and planned) as one iCalendar."""
    return _calendar(request, None, "Alle udvalgs møder")


@router.api_route("/udvalg/{body_id}/kalender.ics", methods=["GET", "HEAD"])
def body_calendar(request: Request, body_id: str) -> Response:
    """One committee's meetings as iCalendar, for a calendar program to subscribe to."""
    with archive(request).engine.connect() as conn:
        body = next((b for b in browse.bodies(conn) if b["id"] == body_id), None)
    if body is None:
        raise NotFoundError(f"no committee with id '{body_id}'")
    return _calendar(request, body_id, f"{body['name']} – møder")


# --- Atom feeds -----------------------------------------------------------------------------------

def _atom(request: Request, make: Any) -> Response:
    a = archive(request)
    with a.engine.connect() as conn:
        feed = make(conn)
        rows = feeds.feed_rows(conn, feed)
    return Response(feeds.atom(feed, rows, request.app.state.base_url), media_type=feeds.ATOM_TYPE)


@router.api_route("/nyt", methods=["GET", "HEAD"])
def archive_atom(request: Request) -> Response:
    """Every new and changed decision in the archive, newest first (Atom)."""
    return _atom(request, lambda conn: feeds.archive_feed())


@router.api_route("/nyt/udvalg/{body_id}", methods=["GET", "HEAD"])
def committee_atom(request: Request, body_id: str) -> Response:
    return _atom(request, lambda conn: feeds.committee_feed(conn, body_id))


@router.api_route("/nyt/sag/{number:path}", methods=["GET", "HEAD"])
def case_atom(request: Request, number: str) -> Response:
    return _atom(request, lambda conn: feeds.case_feed(conn, number))


@router.api_route("/nyt/person/{name_or_id}", methods=["GET", "HEAD"])
def person_atom(request: Request, name_or_id: str) -> Response:
    return _atom(request, lambda conn: feeds.person_feed(conn, name_or_id))


@router.api_route("/nyt/soeg", methods=["GET", "HEAD"])
def query_atom(request: Request, q: Annotated[str, Query(min_length=1, max_length=500)], udvalg: str | None = None,
               kommune: str | None = None, aar: Annotated[int | None, Query(ge=1900, le=2100)] = None,
               beslutning: Kind | None = None) -> Response:
    """A search's new and changed decisions, with the search page's parameters (/nyt/soeg?q=jobklub)."""
    from referat.store import Filters

    a = archive(request)
    w = feeds.query_watch(q, Filters(committee=udvalg, municipality=kommune, year=aar, decision_kind=beslutning))
    rows = feeds.watch_changes(a, w)
    return Response(feeds.atom(feeds.search_feed(w), rows, request.app.state.base_url), media_type=feeds.ATOM_TYPE)


@router.api_route("/nyt/soegning/{name}", methods=["GET", "HEAD"])
def search_atom(request: Request, name: str) -> Response:
    """A saved search's new and changed decisions (referat watch add ... --name NAME)."""
    a = archive(request)
    w = feeds.get_watch(a, name)
    rows = feeds.watch_changes(a, w)
    return Response(feeds.atom(feeds.search_feed(w), rows, request.app.state.base_url), media_type=feeds.ATOM_TYPE)

"""OParl 1.1 read-only endpoints under /oparl/v1/ (see referat.oparl for the mapping).

Lists are paginated as OParl says: `data`, `pagination` (totalElements, elementsPerPage, currentPage,
totalPages) and `links` (first, prev, self, next, last); the filters created_since, created_until,
modified_since and modified_until apply to every list, and are kept in its links.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse

from referat.errors import NotFoundError
from referat.oparl import OParl, Window

router = APIRouter(prefix="/oparl/v1", tags=["oparl"])

Page = Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1.")]
PerPage = Annotated[int | None, Query(ge=1, le=500, description="Objects per page (default 100).")]
ElementsPerPage = Annotated[int | None, Query(alias="elementsPerPage", ge=1, le=500,
                                              description="Objects per page, as OParl names it (same as limit).")]


def _moment(description: str) -> Any:
    return Query(description=description + " (ISO 8601 date-time; UTC when no zone is given).")


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What a list request asks for: the page, its size and the OParl filters."""

    page: int
    per_page: int
    window: Window


def list_query(page: Page = 1, limit: PerPage = None, elements_per_page: ElementsPerPage = None,
               created_since: Annotated[dt.datetime | None, _moment("Only objects created since")] = None,
               created_until: Annotated[dt.datetime | None, _moment("Only objects created until")] = None,
               modified_since: Annotated[dt.datetime | None, _moment("Only objects modified since")] = None,
               modified_until: Annotated[dt.datetime | None, _moment("Only objects modified until")] = None
               ) -> ListQuery:
    """The four filters OParl 1.1 asks every external list to support, and the page size as `limit` or
    OParl's `elementsPerPage`."""
    return ListQuery(page, elements_per_page or limit or 100,
                     Window(_utc(created_since), _utc(created_until), _utc(modified_since), _utc(modified_until)))


Listed = Annotated[ListQuery, Depends(list_query)]


def _oparl(request: Request) -> tuple[OParl, Any]:
    """Ids and links are built from the configured base URL (`referat serve --base-url`), never from the
    request's Host header, which any client sets (and a shared cache would keep the poisoned ids)."""
    conn = request.app.state.archive.engine.connect()
    return OParl(conn, request.app.state.base_url, getattr(request.app.state, "license", None)), conn


def _one(request: Request, build: str, *args: str, kind: str | None = None) -> dict[str, Any]:
    """One object; one that a re-ingest deleted is served as OParl 1.1 says (200, `deleted: true`)."""
    o, conn = _oparl(request)
    with conn:
        try:
            return getattr(o, build)(*args)
        except NotFoundError:
            grave = o.deleted(kind, "/".join(args)) if kind else None
            if grave is None:
                raise
            return grave


def _utc(value: dt.datetime | None) -> str | None:
    """A filter's time in UTC, as the archive's times are written. A time whose UTC falls outside the
    years 1-9999 ("0001-01-01T00:00:00+14:00") is before or after every object: the earliest or latest
    time there is stands in for it."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    try:
        return value.astimezone(dt.timezone.utc).isoformat()
    except OverflowError:
        edge = dt.datetime.min if value.year == dt.MINYEAR else dt.datetime.max
        return edge.replace(tzinfo=dt.timezone.utc).isoformat()


def _list(request: Request, total: int, data: list[dict[str, Any]], q: ListQuery) -> dict[str, Any]:
    """A list page: `data`, `pagination` and `links`; the links keep the request's filters and page size
    (one spelling: `limit`), in one order, so that each page has one URL."""
    page, per_page = q.page, q.per_page
    pages = max(1, math.ceil(total / per_page))
    kept = sorted((k, v) for k, v in request.query_params.multi_items() if k not in ("page", "limit", "elementsPerPage"))

    def link(n: int) -> str:
        return f"{request.app.state.base_url}{request.url.path}?{urlencode([*kept, ('limit', per_page), ('page', n)])}"

    links = {"first": link(1), "self": link(page), "last": link(pages)}
    if page > 1:
        links["prev"] = link(page - 1)
    if page < pages:
        links["next"] = link(page + 1)
    return {"data": data, "pagination": {"totalElements": total, "elementsPerPage": per_page, "currentPage": page,
                                         "totalPages": pages}, "links": links}


@router.get("", include_in_schema=False)
@router.get("/", include_in_schema=False)
def entry(request: Request) -> RedirectResponse:
    """The API's root names no object: a client given it is sent, permanently, to the System object (the
    entry point, under the configured base URL)."""
    return RedirectResponse(f"{request.app.state.base_url}/oparl/v1/system", status_code=301)


@router.get("/system", summary="The OParl System object")
def system(request: Request) -> dict[str, Any]:
    return _one(request, "system")


@router.get("/bodies", summary="Bodies (municipalities)")
def bodies(request: Request, q: Listed) -> dict[str, Any]:
    o, conn = _oparl(request)
    with conn:
        all_bodies = o.bodies(q.window)
    return _list(request, len(all_bodies), all_bodies[(q.page - 1) * q.per_page: q.page * q.per_page], q)


@router.get("/body/{mid}", summary="A Body (municipality)")
def body(request: Request, mid: str) -> dict[str, Any]:
    return _one(request, "body", mid)


@router.get("/body/{mid}/{what}", summary="A body's list: organizations, people, meetings, papers, …")
def body_list(request: Request, mid: str, what: str, q: Listed) -> dict[str, Any]:
    o, conn = _oparl(request)
    with conn:
        total, data = o.body_list(mid, what, q.window, q.per_page, (q.page - 1) * q.per_page)
    return _list(request, total, data, q)


@router.get("/organization/{org_id}/meetings", summary="An organization's meetings")
def organization_meetings(request: Request, org_id: str, q: Listed) -> dict[str, Any]:
    o, conn = _oparl(request)
    with conn:
        total, data = o.organization_meetings(org_id, q.window, q.per_page, (q.page - 1) * q.per_page)
    return _list(request, total, data, q)


OBJECTS = {"organization": "organization", "person": "person", "membership": "membership_by_id",
           "meeting": "meeting", "agendaitem": "agenda_item", "consultation": "consultation", "file": "file",
           "location": "location", "legislativeterm": "legislative_term"}


@router.get("/paper/{mid}/{key:path}", summary="A Paper (a case)")
def paper(request: Request, mid: str, key: str) -> dict[str, Any]:
    return _one(request, "paper", mid, key, kind="paper")


@router.get("/{kind}/{object_id}", summary="One object: organization, person, membership, meeting, agendaitem, …")
def one(request: Request, kind: str, object_id: str) -> dict[str, Any]:
    if kind not in OBJECTS:
        raise NotFoundError(f"no OParl object type '{kind}'; use one of {', '.join(sorted(OBJECTS))}")
    return _one(request, OBJECTS[kind], object_id, kind=kind)

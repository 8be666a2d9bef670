"""OParl 1.1 read-only endpoints under /oparl/v1/ (see referat.oparl for the mapping).

Lists are paginated as OParl says: `data`, `pagination` (totalElements, elementsPerPage, currentPage,
totalPages) and `links` (first, prev, next, last); `modified_since` keeps objects changed since then.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from referat.errors import NotFoundError
from referat.oparl import OParl

router = APIRouter(prefix="/oparl/v1", tags=["oparl"])

Page = Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1.")]
PerPage = Annotated[int, Query(ge=1, le=500, description="Objects per page.")]
Since = Annotated[dt.datetime | None, Query(description="Only objects modified since (ISO 8601).")]


def _oparl(request: Request) -> tuple[OParl, Any]:
    """Ids and links are built from the configured base URL (`referat serve --base-url`), never from the
    request's Host header, which any client sets (and a shared cache would keep the poisoned ids)."""
    conn = request.app.state.archive.engine.connect()
    return OParl(conn, request.app.state.base_url), conn


def _one(request: Request, build: str, *args: str) -> dict[str, Any]:
    o, conn = _oparl(request)
    with conn:
        return getattr(o, build)(*args)


def _since(value: dt.datetime | None) -> str | None:
    """modified_since in UTC, as the archive's times are written. A time whose UTC falls outside the
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


def _list(request: Request, total: int, data: list[dict[str, Any]], page: int, per_page: int) -> dict[str, Any]:
    pages = max(1, math.ceil(total / per_page))

    def link(n: int) -> str:
        query = request.url.include_query_params(page=n, limit=per_page).query
        return f"{request.app.state.base_url}{request.url.path}?{query}"

    links = {"first": link(1), "last": link(pages)}
    if page > 1:
        links["prev"] = link(page - 1)
    if page < pages:
        links["next"] = link(page + 1)
    return {"data": data, "pagination": {"totalElements": total, "elementsPerPage": per_page, "currentPage": page,
                                         "totalPages": pages}, "links": links}


@router.get("/system", summary="The OParl System object")
def system(request: Request) -> dict[str, Any]:
    return _one(request, "system")


@router.get("/bodies", summary="Bodies (municipalities)")
def bodies(request: Request, page: Page = 1, limit: PerPage = 100, modified_since: Since = None) -> dict[str, Any]:
    o, conn = _oparl(request)
    with conn:
        all_bodies = o.bodies(_since(modified_since))
    return _list(request, len(all_bodies), all_bodies[(page - 1) * limit: page * limit], page, limit)


@router.get("/body/{mid}", summary="A Body (municipality)")
def body(request: Request, mid: str) -> dict[str, Any]:
    return _one(request, "body", mid)


@router.get("/body/{mid}/{what}", summary="A body's list: organizations, people, meetings, papers, …")
def body_list(request: Request, mid: str, what: str, page: Page = 1, limit: PerPage = 100,
              modified_since: Since = None) -> dict[str, Any]:
    o, conn = _oparl(request)
    with conn:
        total, data = o.body_list(mid, what, _since(modified_since), limit, (page - 1) * limit)
    return _list(request, total, data, page, limit)


@router.get("/organization/{org_id}/meetings", summary="An organization's meetings")
def organization_meetings(request: Request, org_id: str, page: Page = 1, limit: PerPage = 100,
                          modified_since: Since = None) -> dict[str, Any]:
    o, conn = _oparl(request)
    with conn:
        total, data = o.organization_meetings(org_id, _since(modified_since), limit, (page - 1) * limit)
    return _list(request, total, data, page, limit)


OBJECTS = {"organization": "organization", "person": "person", "membership": "membership_by_id",
           "meeting": "meeting", "agendaitem": "agenda_item", "consultation": "consultation", "file": "file",
           "location": "location", "legislativeterm": "legislative_term"}


@router.get("/paper/{mid}/{key:path}", summary="A Paper (a case)")
def paper(request: Request, mid: str, key: str) -> dict[str, Any]:
    return _one(request, "paper", mid, key)


@router.get("/{kind}/{object_id}", summary="One object: organization, person, membership, meeting, agendaitem, …")
def one(request: Request, kind: str, object_id: str) -> dict[str, Any]:
    if kind not in OBJECTS:
        raise NotFoundError(f"no OParl object type '{kind}'; use one of {', '.join(sorted(OBJECTS))}")
    return _one(request, OBJECTS[kind], object_id)

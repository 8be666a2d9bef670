"""JSON API under /api/: search, meetings, items, cases, people, bodies, documents, stats.

Thin handlers over the Archive; ids are the archive's stable ids. Lists page with limit and offset
and say their total.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response

from referat.store import Archive, Filters, SearchResult
from referat.store import browse

router = APIRouter(prefix="/api", tags=["api"])

Limit = Annotated[int, Query(ge=1, le=100, description="Page size (1-100).")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip.")]
Kind = Literal["approved", "approved_with_changes", "recommended", "rejected", "postponed", "referred", "noted",
               "other"]


def archive(request: Request) -> Archive:
    return request.app.state.archive


def search_json(result: SearchResult, limit: int, offset: int) -> dict[str, Any]:
    return {"query": result.query, "total": result.total, "exact": result.exact, "fallback": result.fallback,
            "limit": limit, "offset": offset, "matched": result.matched, "facets": result.facets,
            "hits": [{"id": h.id, "meeting_id": h.meeting_id, "title": h.title, "number": h.number,
                      "case_number": h.case_number, "decision_kind": h.decision_kind,
                      "date": h.date.isoformat() if h.date else None, "committee": h.committee,
                      "municipality": h.municipality, "score": round(h.score, 4), "snippet": h.snippet,
                      "highlights": [list(s) for s in h.highlights]} for h in result.hits]}


@router.get("/search", summary="Full-text search in Danish with filters and facets")
def search(request: Request,
           q: Annotated[str, Query(min_length=1, max_length=500, description='Words, "phrase", -exclude, OR, prefix*')],
           committee: str | None = None, municipality: str | None = None,
           date_from: Annotated[dt.date | None, Query(alias="from")] = None,
           date_to: Annotated[dt.date | None, Query(alias="to")] = None,
           year: Annotated[int | None, Query(ge=1900, le=2100)] = None, kind: Kind | None = None,
           case: str | None = None, person: str | None = None,
           sort: Literal["relevance", "date"] = "relevance", limit: Limit = 10, offset: Offset = 0) -> dict[str, Any]:
    filters = Filters(committee=committee, municipality=municipality, date_from=date_from, date_to=date_to,
                      year=year, decision_kind=kind, case_number=case, person=person)
    return search_json(archive(request).search(q, filters, sort=sort, limit=limit, offset=offset), limit, offset)


@router.get("/meetings", summary="Meetings, newest first")
def meetings(request: Request, body: str | None = None, municipality: str | None = None,
             year: Annotated[int | None, Query(ge=1900, le=2100)] = None, limit: Limit = 50,
             offset: Offset = 0) -> dict[str, Any]:
    a = archive(request)
    matched: dict[str, Any] = {}
    if municipality:  # forgiving, as the search's filter: "gladsaxe kommune" is Gladsaxe
        _, matched = a.match(Filters(municipality=municipality))
        municipality = matched["municipality"] or municipality
    with a.engine.connect() as conn:
        total, rows = browse.meetings(conn, body_id=body, municipality=municipality, year=year, limit=limit,
                                      offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "matched": matched, "data": rows}


@router.get("/meetings/{meeting_id}", summary="One meeting: header, attendance, items")
def meeting(request: Request, meeting_id: str) -> dict[str, Any]:
    return archive(request).meeting(meeting_id)


@router.get("/meetings/{meeting_id}/files/{sha256}", summary="A file a harvest stored with a meeting, verbatim",
            response_class=Response)
def meeting_file(request: Request, meeting_id: str, sha256: str) -> Response:
    f = archive(request).meeting_file(meeting_id, sha256)
    # untrusted bytes from elsewhere: downloaded, never rendered in our origin
    name = "dokument.pdf" if f["role"] == "meeting" else "bilag.pdf"
    return Response(f["content"], media_type=f["media_type"] or "application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"})


@router.get("/items/{item_id}", summary="One agenda item with all its parts and links")
def item(request: Request, item_id: str) -> dict[str, Any]:
    return archive(request).item(item_id)


@router.get("/cases", summary="Cases: a municipality's items sharing a case number, by normalized key")
def cases(request: Request, municipality: str | None = None, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    with archive(request).engine.connect() as conn:
        total, rows = browse.cases(conn, ... if municipality is None else municipality, limit, offset)
    return {"total": total, "limit": limit, "offset": offset, "data": rows}


@router.get("/cases/{number:path}", summary="A case's timeline (any printed form of its number)")
def case(request: Request, number: str, municipality: str | None = None) -> dict[str, Any]:
    return archive(request).case(number, municipality)


@router.get("/people", summary="People, by name")
def people(request: Request, q: Annotated[str | None, Query(max_length=200)] = None, limit: Limit = 50,
           offset: Offset = 0) -> dict[str, Any]:
    with archive(request).engine.connect() as conn:
        total, rows = browse.people(conn, query=q, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "data": rows}


@router.get("/people/{name_or_id}", summary="A person: parties, attendance, substitutions, votes")
def person(request: Request, name_or_id: str) -> dict[str, Any]:
    return archive(request).person(name_or_id)


@router.get("/bodies", summary="Committees and councils")
def bodies(request: Request) -> dict[str, Any]:
    with archive(request).engine.connect() as conn:
        rows = browse.bodies(conn)
    return {"total": len(rows), "data": rows}


@router.get("/bodies/{name_or_id}", summary="A committee or council: meetings by year, members over time")
def body(request: Request, name_or_id: str, municipality: str | None = None) -> dict[str, Any]:
    a = archive(request)
    data = a.body(name_or_id, municipality)
    with a.engine.connect() as conn:
        data["decisions_by_year"] = browse.decisions_by_year(conn, data["id"])
    return data


@router.get("/documents/{doc_id}", summary="A source document: provenance, warnings and original text")
def document(request: Request, doc_id: str) -> dict[str, Any]:
    with archive(request).engine.connect() as conn:
        return browse.document(conn, doc_id)


@router.get("/documents/{doc_id}/text", response_class=PlainTextResponse, summary="The original text, verbatim")
def document_text(request: Request, doc_id: str) -> PlainTextResponse:
    with archive(request).engine.connect() as conn:
        return PlainTextResponse(browse.document(conn, doc_id)["text"])


@router.get("/documents/{doc_id}/original", response_class=Response,
            summary="The original file, byte for byte, with its own media type (a download, never rendered here)")
def document_original(request: Request, doc_id: str) -> Response:
    return original_response(archive(request).original(doc_id))


def original_response(f: dict[str, Any]) -> Response:
    """Untrusted bytes from elsewhere: served as a download with their real Content-Type (exactly the
    stored media type, which OParl's File states), sandboxed and never sniffed."""
    name = f["file_name"]
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name)
    return Response(f["content"], headers={
        "Content-Type": f["media_type"] or "application/octet-stream",
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}",
        "Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"})


@router.get("/stats", summary="Counts of documents, meetings and items")
def stats(request: Request) -> dict[str, Any]:
    return archive(request).stats()

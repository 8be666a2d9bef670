"""The ASGI app: JSON API under /api/, OParl 1.1 under /oparl/v1/, Danish web pages under /.

Route handlers are thin: they read parameters and call the Archive (or referat.oparl); errors have one
shape. Every GET answer carries an ETag (a hash of the body) and Last-Modified (when the database file
last changed), and a matching If-None-Match gets 304 Not Modified.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlunsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from referat import limits
from referat.api.bounds import RequestLimits
from referat.errors import AmbiguousError, NotFoundError, ReferatError
from referat.store import Archive
from referat.urls import split_url


def status_of(exc: Exception) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, AmbiguousError):
        return 409
    return 422


def error_body(status: int, message: str) -> dict[str, Any]:
    """The one error shape of the JSON API and OParl endpoints."""
    return {"error": {"status": status, "message": message}}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for e in exc.errors():
        where = ".".join(str(x) for x in e.get("loc", ())[1:]) or "request"
        parts.append(f"parameter '{where}': {e.get('msg', 'invalid')}")
    return "; ".join(parts)


class ConditionalGet:
    """Pure ASGI middleware: ETag and Last-Modified on successful GETs, 304 when the client has it."""

    def __init__(self, app: ASGIApp, archive: Archive) -> None:
        self.app = app
        self.archive = archive

    def _last_modified(self) -> str | None:
        when = self.archive.modified()
        return email.utils.formatdate(when, usegmt=True) if when is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, buffer)
        assert start is not None
        body = b"".join(chunks)
        headers = [(k, v) for k, v in start["headers"]]
        if start["status"] == 200 and not any(k.lower() == b"cache-control" for k, _ in headers):
            # (a response with its own caching policy, as fingerprinted static files, keeps it)
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            headers.append((b"etag", etag.encode()))
            if modified := self._last_modified():
                headers.append((b"last-modified", modified.encode()))
            headers.append((b"cache-control", b"no-cache"))  # revalidate: cheap with the ETag
            wanted = dict((k.lower(), v) for k, v in scope["headers"]).get(b"if-none-match", b"").decode()
            if etag in [t.strip() for t in wanted.split(",")]:
                keep = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
                await send({"type": "http.response.start", "status": 304, "headers": keep})
                await send({"type": "http.response.body", "body": b""})
                return
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class HeadAndCors:
    """Pure ASGI middleware. HEAD is answered as GET without the body, on every GET route (clients such as
    oparl-validator-rs ask HEAD to see whether a linked object exists; FastAPI's GET routes answer 405).
    OParl answers carry `Access-Control-Allow-Origin: *`, as OParl 1.1 ("CORS") requires of every JSON
    answer, so that web applications elsewhere can read them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        cors = scope["path"].startswith("/oparl/")

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start" and cors:
                message = {**message, "headers": [*message["headers"], (b"access-control-allow-origin", b"*")]}
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"} if head else scope, receive, answer)


DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def base_url(value: str) -> str:
    """A base URL for OParl ids and links: http(s)://host[:port][/path], without a query or a trailing
    slash. Raises ValueError with the reason for anything else."""
    parts = split_url(value.strip())
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"'{value}' is no base URL: give http(s)://host[:port][/path]")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"'{value}': a base URL has no query, fragment or credentials")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def license_url(value: str | None) -> str | None:
    """The URL of the license OParl's System and Body name (None: none given). Raises ValueError for
    anything but an http(s) URL."""
    if not value or not value.strip():
        return None
    parts = split_url(value.strip())
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"'{value}' is no license URL: give the http(s) URL of the license text")
    return value.strip()


def create_app(db: str | Path | None = None, base: str | None = None, license: str | None = None) -> FastAPI:  # noqa: A002
    """The whole site over one archive. `base` is the public URL OParl ids and links start with (else
    $REFERAT_BASE_URL, which `referat serve` sets, else http://127.0.0.1:8000); never the Host header.
    `license` is the URL of the license the minutes are published under (else $REFERAT_LICENSE; none
    when not given: a municipality's terms are its own to state)."""
    from referat.api import json_api, oparl_api
    from referat.web import pages

    archive = Archive(db)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        archive.close()  # a stopped server's index in memory leaves the change log's readers (PostgreSQL)

    app = FastAPI(lifespan=lifespan, title="referat", description="Danske kommunale referater: søgning, sager, personer, OParl 1.1.",
                  version="0.1.0", openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)  # /api/docs: web/pages.py, no CDN
    app.state.archive = archive
    app.state.base_url = base_url(base or os.environ.get("REFERAT_BASE_URL") or DEFAULT_BASE_URL)
    app.state.license = license_url(license or os.environ.get("REFERAT_LICENSE"))

    @app.exception_handler(ReferatError)
    async def referat_error(request: Request, exc: ReferatError) -> Response:
        return _error(request, status_of(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return _error(request, 422, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = "no such page or object" if exc.status_code == 404 else str(exc.detail)
        return _error(request, exc.status_code, message)

    app.include_router(json_api.router)
    app.include_router(oparl_api.router)
    pages.install(app)  # the Danish pages, /api/docs, static files, security headers, the 500 page
    app.add_middleware(ConditionalGet, archive=archive)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(RequestLimits, limits=limits.server())  # before anything reads the request
    app.add_middleware(HeadAndCors)  # outermost: the limits' refusals are HEAD-able and CORS-readable too
    return app


def _error(request: Request, status: int, message: str) -> Response:
    path = request.url.path
    if path.startswith(("/api/", "/oparl/")):
        return JSONResponse(error_body(status, message), status_code=status)
    from referat.web.pages import error_page

    return error_page(request, status, message)

"""Size and time limits per request (referat.limits.ServerLimits), outermost around the app.

- A path or query string over its cap gets 414 before any route parses it.
- A body over its cap gets 413: at once from Content-Length, or counted as it arrives (chunked).
- A request that has not begun its answer within the time limit gets 503 with Retry-After. The route
  goes on in its worker thread (a thread cannot be stopped) and its late answer is dropped; the client
  and the connection are free at once.

Pages answer in Danish (the site's error page), /api/ and /oparl/ in the JSON error shape.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from referat.limits import ServerLimits
from referat.web.security import HEADERS

MESSAGES = {
    413: "the request body is over the {body_kb:,} KB limit; every route here only reads (GET)",
    414: "the address is over the limit ({path_bytes:,} bytes of path, {query_bytes:,} of query string); "
         "shorten the search or the filters",
    503: "the request took over the {seconds:g} s limit; try again shortly, or narrow the search",
}


class _BodyTooLarge(Exception):
    pass


class RequestLimits:
    """Pure ASGI middleware enforcing `limits` on every HTTP request."""

    def __init__(self, app: ASGIApp, limits: ServerLimits) -> None:
        self.app = app
        self.limits = limits
        self._late: set[asyncio.Task[None]] = set()  # routes still running after their 503 was sent

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lim = self.limits
        if len(scope.get("raw_path") or scope["path"].encode()) > lim.path_bytes \
                or len(scope.get("query_string", b"")) > lim.query_bytes:
            await self._refuse(scope, send, 414)
            return
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.strip().isdigit() or int(length) > lim.body_bytes:
            await self._refuse(scope, send, 413)
            return
        received = 0
        started = answered_late = False

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > lim.body_bytes:
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if answered_late:
                return  # the route's answer after its 503: the client has had its answer
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        task = asyncio.ensure_future(self.app(scope, bounded_receive, guarded_send))
        done, _ = await asyncio.wait({task}, timeout=lim.seconds)
        if task in done:
            try:
                task.result()
            except _BodyTooLarge:
                if not started:
                    await self._refuse(scope, send, 413)
            return
        if started:  # an answer is on its way (a stream): it cannot become a 503 now
            await task
            return
        answered_late = True
        self._late.add(task)
        task.add_done_callback(self._forget)
        await self._refuse(scope, send, 503, {"retry-after": "5"})

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._late.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a late route's error is not logged as never retrieved

    async def _refuse(self, scope: Scope, send: Send, status: int, extra: dict[str, str] | None = None) -> None:
        lim = self.limits
        message = MESSAGES[status].format(body_kb=lim.body_bytes // 1024, path_bytes=lim.path_bytes,
                                          query_bytes=lim.query_bytes, seconds=lim.seconds)
        headers = {**HEADERS, **(extra or {})}
        if status in (413, 414):
            headers["connection"] = "close"  # what is left of the request is not read
        response: Any
        if scope.get("path", "").startswith(("/api/", "/oparl/")):
            from fastapi.responses import JSONResponse

            from referat.api import error_body

            response = JSONResponse(error_body(status, message), status_code=status, headers=headers)
        else:
            response = _page(scope, status, message, headers)
        await response(scope, _empty_receive, send)


def _page(scope: Scope, status: int, message: str, headers: dict[str, str]) -> Any:
    """The Danish error page, for a request whose query string is not read (it may be the problem)."""
    from referat.web.pages import error_page

    bare = {**scope, "query_string": b""}
    response = error_page(Request(bare), status, message)
    response.headers.update(headers)
    return response


async def _empty_receive() -> Message:
    return {"type": "http.disconnect"}

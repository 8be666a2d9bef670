"""`referat serve`: the web pages, the JSON API and OParl over one archive."""

from __future__ import annotations

import os
from typing import Annotated, Optional

import typer
from referat.cli.common import DbOpt, fail, note, open_archive
from referat.errors import ReferatError


def serve(
    db: DbOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes (one per core serves most).")] = 1,
    base_url: Annotated[Optional[str], typer.Option("--base-url", help="The public URL OParl ids and links start "
                                                    "with, e.g. https://referat.example.dk (default: "
                                                    "http://HOST:PORT); never taken from a request's Host "
                                                    "header.")] = None,
    license: Annotated[Optional[str], typer.Option("--license", help="The URL of the license the minutes are "
                                                   "published under, for OParl's System and Body (default: "
                                                   "none; give only what the municipality states).")] = None,
) -> None:
    """Serve the web pages (Danish), the JSON API (/api/) and OParl 1.1 (/oparl/v1/)."""
    import uvicorn

    from referat import limits
    from referat.api import base_url as checked_base_url
    from referat.api import license_url
    from referat.store import default_db

    try:
        base = checked_base_url(base_url or f"http://{f'[{host}]' if ':' in host else host}:{port}")
    except ValueError as exc:
        fail(f"--base-url {exc}")
    try:
        licensed = license_url(license)
    except ValueError as exc:
        fail(f"--license {exc}")

    path = db or default_db()
    try:
        open_archive(path).close()  # migrate once, and fail here with a clear message
        limits.server()  # the request limits' environment variables, checked before the workers start
    except ReferatError as exc:
        fail(str(exc))
    os.environ["REFERAT_DB"] = path  # the worker processes open the same archive
    os.environ["REFERAT_BASE_URL"] = base
    if licensed:
        os.environ["REFERAT_LICENSE"] = licensed
    listen = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    note(f"referat: {listen}/  (API: /api/docs, OParl: {base}/oparl/v1/system; Ctrl-C stopper)")
    uvicorn.run("referat.api:create_app", factory=True, host=host, port=port, workers=workers, log_level="warning")

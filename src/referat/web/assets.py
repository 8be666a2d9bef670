"""Static files under fingerprinted names, cached for a year: /static/style.3f2a1b9c0d.css.

One caching policy for every static file: the name carries a hash of the content, so a changed file
gets a new name and the old one can be cached forever (`immutable`); pages (no-cache, ETag) always
name the current files. The front-end libraries (htmx, Chart.js, Swagger UI) come from the package's
web/vendor/ folder, which a wheel carries (setup.py copies them from node_modules at build time), or
in a checkout from node_modules itself (`npm ci`, run by make). Without them the pages still work,
only without live search, charts and the API explorer.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

HERE = Path(__file__).parent
STATIC = HERE / "static"
BUNDLED = HERE / "vendor"
NODE_MODULES = Path(os.environ.get("REFERAT_ASSETS", HERE.parents[2] / "node_modules"))
# file name -> its path inside node_modules (also read by setup.py, which copies them into the wheel)
VENDOR: dict[str, str] = json.loads((HERE / "assets.json").read_text(encoding="utf-8"))
MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
FOREVER = "public, max-age=31536000, immutable"

router = APIRouter(include_in_schema=False)


def source(name: str) -> Path | None:
    """Where a static file or front-end library is on disk, or None when it is not installed."""
    if name in VENDOR:
        for path in (BUNDLED / name, NODE_MODULES / VENDOR[name]):
            if path.is_file():
                return path
        return None
    path = STATIC / name
    return path if path.is_file() and path.parent == STATIC else None


def fingerprinted(name: str, content: bytes) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(content).hexdigest()[:10]}{dot}{suffix}"


@functools.cache
def names() -> tuple[dict[str, str], dict[str, Path]]:
    """(plain name -> fingerprinted name, fingerprinted name -> path) of every installed file; read once."""
    plain: dict[str, str] = {}
    served: dict[str, Path] = {}
    for name in sorted(p.name for p in STATIC.iterdir() if p.is_file()) + list(VENDOR):
        path = source(name)
        if path is not None:
            plain[name] = fingerprinted(name, path.read_bytes())
            served[plain[name]] = path
    return plain, served


def url(name: str) -> str | None:
    """The URL of a static file under its fingerprinted name; None when it is not installed."""
    long = names()[0].get(name)
    return f"/static/{long}" if long else None


@router.api_route("/static/{name}", methods=["GET", "HEAD"])
def static(name: str) -> Response:
    """Only fingerprinted names are served: a page always names the current file."""
    path = names()[1].get(name)
    if path is None:
        return Response("Filen findes ikke.", status_code=404, media_type="text/plain; charset=utf-8")
    return Response(path.read_bytes(), media_type=MEDIA.get(path.suffix, "application/octet-stream"),
                    headers={"cache-control": FOREVER})

"""Installable like a library: `python -m build` makes a wheel that carries the web assets (htmx, Chart.js,
Swagger UI, copied from node_modules at build time, never committed), and `pip install` of that wheel
into a fresh virtualenv followed by `referat serve` gives live search and charts, with no checkout and
no node_modules beside it. Dependencies install from the machine's package index or pip's cache.
About 30 s: the build, a virtualenv, pip and one server."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import EXAMPLES, ROOT
from test_browser import until

MANIFEST = json.loads((ROOT / "src" / "referat" / "web" / "assets.json").read_text(encoding="utf-8"))
NODE_MODULES = ROOT / "node_modules"
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not all((NODE_MODULES / p).is_file() for p in MANIFEST.values()),
                                reason="node_modules is not installed (make runs `npm ci`)")


def run(*cmd: str | Path, cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    res = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, (cmd, res.stdout[-2000:], res.stderr[-2000:])
    return res.stdout


def clean_env() -> dict[str, str]:
    """The environment without anything that points back into this checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "REFERAT_ASSETS", "REFERAT_DB",
                                                              "VIRTUAL_ENV", "PYTHONHOME")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, ROOT, cwd=ROOT, env=clean_env())
    (found,) = out.glob("referat-*.whl")
    return found


def test_the_wheel_carries_the_web_assets_and_templates(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for name, inside in MANIFEST.items():
            data = z.read(f"referat/web/vendor/{name}")
            assert data == (NODE_MODULES / inside).read_bytes(), name  # byte for byte the pinned package's file
    assert {"referat/web/templates/base.html", "referat/web/static/style.css", "referat/web/static/charts.js",
            "referat/web/assets.json"} <= names
    assert not [n for n in names if "node_modules" in n]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A fresh virtualenv with only the wheel (and its dependencies), serving the bundled examples from
    a folder that has no checkout and no node_modules."""
    home = tmp_path_factory.mktemp("fresh")
    env = clean_env()
    run(sys.executable, "-m", "venv", home / "venv", cwd=home, env=env)
    bin_dir = home / "venv" / "bin"
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel, cwd=home, env=env,
        timeout=600)
    where = run(bin_dir / "python", "-c", "import referat.web.assets as a; print(a.__file__)", cwd=home, env=env)
    assert where.startswith(str(home)), where  # the installed package, not this checkout
    run(bin_dir / "referat", "ingest", EXAMPLES, "--db", home / "a.db", cwd=home, env=env)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(bin_dir / "referat"), "serve", "--db", str(home / "a.db"), "--port", str(port)],
                              cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/api/stats", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read() if server.stderr else ""
                time.sleep(0.2)
        yield base, home
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_an_installed_wheel_serves_its_assets(installed: tuple[str, Path]) -> None:
    base, home = installed
    assert not (home / "node_modules").exists()
    front = httpx.get(base + "/").text
    docs = httpx.get(base + "/api/docs").text
    assets = dict.fromkeys(re.findall(r'(?:src|href)="(/static/[^"]+)"', front + docs))
    served = {}
    for url in assets:
        res = httpx.get(base + url)
        assert res.status_code == 200, url
        served[url.split("/")[-1].split(".")[0]] = hashlib.sha256(res.content).hexdigest()
    for name, inside in MANIFEST.items():
        assert served[name.split(".")[0]] == hashlib.sha256((NODE_MODULES / inside).read_bytes()).hexdigest(), name


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it)")
def test_an_installed_wheel_gives_live_search_and_charts(installed: tuple[str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    base, _ = installed
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "/")
        until(page, "!!(window.Chart && Chart.getChart(document.querySelector('canvas.chart-canvas')))")
        page.fill("#q", "jobklub")  # no submit: htmx searches as the reader types
        page.wait_for_selector("#resultater .hit")
        page.wait_for_url("**/?q=jobklub")
        assert "resultater for »jobklub«" in page.inner_text("#status")
        assert errors == []
        browser.close()

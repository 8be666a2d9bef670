"""Serve on 127.0.0.1 for tests and benches: an app in a thread (browser tests), or `referat serve` as its own
process (load and probe benches); a free port, wait until it answers."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(app: Any, timeout: float = 20) -> Iterator[str]:
    """Yields the base URL of `app` served by uvicorn on a free local port; the server stops on exit."""
    import uvicorn

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not srv.started:
        raise RuntimeError(f"the test server did not start within {timeout:.0f} s")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def cli_server(db: str | Path, timeout: float = 60) -> tuple[subprocess.Popen[bytes], int]:
    """`referat serve --db DB` started as its own process on a free port (never some other server), once
    `/api/stats` answers 200: (the process, its port). The caller stops it."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "referat.cli", "serve", "--db", str(db), "--port", str(port)],
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/stats")
            if conn.getresponse().status == 200:
                return server, port
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError(f"referat serve did not answer within {timeout:.0f} s")

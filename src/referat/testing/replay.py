"""A replay of the publication system's site for tests: no test ever touches the internet.

Serves, on 127.0.0.1 at a free port, a committee list written by the test (`committees`: name -> the
recorded meeting files of that committee) and the recorded meeting responses read from ../shared at
test time, byte for byte. It behaves like the real site where harvest depends on it: every API path
answers 302 to the front page until the front page has set the session cookie; PDFs of a meeting and of
its attachments are served (small stand-ins, team-made). Faults can be injected per meeting id: an
HTTP status (a 500) for the next N requests, a stall longer than the client's timeout, a changed
response, a malformed body; a pause on every meeting response; and a hold on the meeting responses after
the first N (to kill a harvest mid-way, at a known point).

    with ReplaySite({"Økonomiudvalget": [path, …]}) as site:
        site.fail(meeting_id, 500, times=1)
        harvest(archive, "dagsordener.greve.dk", Options(base_url=site.url, delay=0))
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

COOKIE = "ASP.NET_SessionId"


def pdf_stand_in(kind: str, ident: str) -> bytes:
    """A small PDF standing in for a meeting's or an attachment's PDF (the replay has no real ones)."""
    return (f"%PDF-1.4\n% referat replay: {kind} {ident}\n1 0 obj << /Type /Catalog >> endobj\n"
            "trailer << /Root 1 0 R >>\n%%EOF\n").encode("ascii")


@dataclass
class Faults:
    status: dict[str, list[int]] = field(default_factory=dict)  # meeting id -> statuses for the next requests
    stall: dict[str, list[float]] = field(default_factory=dict)  # meeting id -> seconds, for the next requests
    body: dict[str, bytes] = field(default_factory=dict)  # meeting id -> a replacement response
    pause: float = 0.0  # seconds before every meeting response
    hold_after: int | None = None  # meeting responses answered before the next ones wait for `release` (hold)


class ReplaySite:
    """The replay server; `requests` logs (path, status, had cookie, start time) of every request."""

    def __init__(self, committees: dict[str, Sequence[Path]], host: str = "127.0.0.1") -> None:
        self.meetings: dict[str, bytes] = {}
        listing: dict[str, list[dict[str, object]]] = {"Aktuelle udvalg": []}
        for n, (name, files) in enumerate(committees.items(), 1):
            moeder = []
            for f in files:
                data = Path(f).read_bytes()
                meeting = json.loads(data)
                self.meetings[meeting["Id"]] = data
                moeder.append({"Id": meeting["Id"], "Dato": meeting["Moede"]["Dato"]})
            listing["Aktuelle udvalg"].append({"Id": n, "Navn": name, "Moeder": moeder})
        self.listing = json.dumps({"Udvalg": listing}, ensure_ascii=False).encode("utf-8")
        self.faults = Faults()
        self.requests: list[tuple[str, int, bool, float]] = []
        self.user_agents: list[str] = []
        self.seen: list[str] = []  # every request's path as it arrives (a stalled one is logged only when answered)
        self.held = threading.Event()  # set when a meeting request is being held (hold)
        self.release = threading.Event()  # set to answer the held requests
        self._meetings_asked = 0  # meeting requests since `hold`
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.url = f"http://{host}:{self._server.server_address[1]}"

    def __enter__(self) -> ReplaySite:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- faults ---------------------------------------------------------------------------------

    def fail(self, meeting_id: str, status: int = 500, times: int = 1) -> None:
        """Answer the next `times` requests for this meeting with `status`."""
        self.faults.status[meeting_id] = [status] * times

    def stall(self, meeting_id: str, seconds: float, times: int = 1) -> None:
        """Wait `seconds` before answering the next `times` requests for this meeting (a timeout)."""
        self.faults.stall[meeting_id] = [seconds] * times

    def change(self, meeting_id: str, body: bytes) -> None:
        """From now on, answer this meeting with another response (a meeting changed at the source)."""
        self.meetings[meeting_id] = body

    def malform(self, meeting_id: str) -> None:
        """From now on, answer this meeting with a body cut in the middle (not JSON)."""
        self.meetings[meeting_id] = self.meetings[meeting_id][: len(self.meetings[meeting_id]) // 2]

    def hold(self, after: int) -> None:
        """Answer the next `after` meeting requests, then hold every later one (unanswered, `held` set) until
        `release` is set: a client is then certainly in the middle of a request, with `after` meetings
        answered (a test kills it there, however loaded the machine is)."""
        with self._lock:
            self._meetings_asked = 0
            self.faults.hold_after = after
        self.held.clear()
        self.release.clear()

    def _held(self) -> bool:
        with self._lock:
            self._meetings_asked += 1
            return self.faults.hold_after is not None and self._meetings_asked > self.faults.hold_after

    def meeting_requests(self, meeting_id: str) -> int:
        """How many requests for this meeting arrived."""
        return sum(1 for p in self.seen if p == "/api/agenda/dagsorden/" + meeting_id)

    def log(self, path: str, status: int, cookie: bool, started: float) -> None:
        with self._lock:
            self.requests.append((path, status, cookie, started))

    def take(self, table: dict[str, list], key: str) -> object | None:
        with self._lock:
            queue = table.get(key)
            return queue.pop(0) if queue else None


def _handler(site: ReplaySite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass  # quiet: tests read site.requests

        def _send(self, status: int, body: bytes = b"", ctype: str = "text/plain; charset=utf-8",
                  headers: dict[str, str] | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a stall longer than its timeout): as a real server sees it

        def do_GET(self) -> None:  # noqa: N802 - the base class's name
            started = time.monotonic()
            path = urlsplit(self.path).path
            cookie = f"{COOKIE}=" in (self.headers.get("Cookie") or "")
            site.user_agents.append(self.headers.get("User-Agent") or "")
            site.seen.append(path)
            status = self._answer(path, cookie)
            site.log(self.path, status, cookie, started)

        def _answer(self, path: str, cookie: bool) -> int:
            if path == "/":
                self._send(200, "<!doctype html><title>Dagsordener</title>".encode(), "text/html; charset=utf-8",
                           {"Set-Cookie": f"{COOKIE}=replay; path=/; HttpOnly"})
                return 200
            if not cookie:  # the real site: no API before the front page has set the session cookie
                self._send(302, headers={"Location": "/"})
                return 302
            if path == "/api/agenda/udvalgsliste":
                self._send(200, site.listing, "application/json; charset=utf-8")
                return 200
            if path.startswith("/api/agenda/dagsorden/"):
                mid = path.rsplit("/", 1)[1]
                if site._held():
                    site.held.set()
                    site.release.wait(120)
                if site.faults.pause:
                    time.sleep(site.faults.pause)
                stall = site.take(site.faults.stall, mid)
                if stall:
                    time.sleep(float(stall))  # type: ignore[arg-type]
                forced = site.take(site.faults.status, mid)
                if forced:
                    self._send(int(forced), b"Server Error")  # type: ignore[call-overload]
                    return int(forced)  # type: ignore[call-overload]
                if mid not in site.meetings:
                    self._send(404, b"Not Found")
                    return 404
                self._send(200, site.meetings[mid], "application/json; charset=utf-8")
                return 200
            for prefix, kind in (("/vis/pdf/dagsorden/", "meeting"), ("/vis/pdf/bilag/", "attachment")):
                if path.startswith(prefix):
                    self._send(200, pdf_stand_in(kind, path.rsplit("/", 1)[1]), "application/pdf")
                    return 200
            self._send(404, b"Not Found")
            return 404

    return Handler

"""Harvest a municipality's meetings from the common publication system's API, politely and incrementally.

Most Danish municipalities publish agendas and minutes through one system (hosts like
dagsordener.<kommune>.dk). Its API lists committees and their meetings
(`GET /api/agenda/udvalgsliste` -> `{"Udvalg": {"<group>": [{"Id", "Navn", "Moeder": [{"Id", "Dato"}]}]}}`)
and answers one meeting as JSON (`GET /api/agenda/dagsorden/<meeting id>`), which
referat.sources.publication_api reads. The API answers 302 until the session has fetched the site's
front page once (an anonymous cookie), so a session starts there.

The rules, as the README states them:
- Incremental: the listing carries no change marker, so a meeting already harvested is fetched again
  only while the system says it is not finished (`Moede.Afsluttet` false), while its date is younger than
  `max_age_days`, or with `refresh`. A response whose hash differs from the stored one replaces the
  record (one meeting is one record: referat.store.rows keys it by the system's meeting id).
- Verbatim: each response is kept byte for byte as the meeting's source document, with its URL and
  the time it was fetched; with `files`, the meeting's PDF and its attachments are stored beside it.
- Polite: one request at a time, `delay` seconds between requests, a User-Agent naming referat and the
  user's contact; timeouts, 429 and 5xx are retried with exponential backoff; any other 4xx fails that
  request at once with one line saying so.
- Resumable: each meeting (record, files and bookkeeping) is stored in one transaction, so a crash or
  Ctrl-C leaves nothing half-stored, and running again goes on where it stopped.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from referat import __version__
from referat.errors import FetchError, NotMinutesError, ReferatError
from referat.parse import parse_source
from referat.sources.publication_api import pdf_path, read_publication_json
from referat.store import Archive
from referat.store.guard import first_line
from referat.store.rows import Rows, document_rows

log = logging.getLogger(__name__)

SYSTEM = "publication-api"
HOSTS_FILE = Path(__file__).parent / "data" / "hosts.tsv"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class HarvestError(ReferatError):
    """A harvest could not start or go on (no committee list, a bad option)."""


@dataclass(slots=True)
class Options:
    """How to harvest one host. `base_url` is where to connect when that is not https://HOST (a mirror,
    or the replay server in tests); records still name https://HOST."""

    committee: str | None = None
    since: dt.date | None = None
    files: bool = False
    municipality: str | None = None
    delay: float = 0.5
    contact: str | None = None
    refresh: bool = False
    max_age_days: int = 60
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0  # seconds before the first retry; doubled for each further one
    base_url: str | None = None


@dataclass(slots=True)
class Listed:
    """One meeting as the committee list names it."""

    id: str
    committee: str
    date: dt.date | None


@dataclass(slots=True)
class Outcome:
    meeting_id: str
    committee: str
    date: dt.date | None
    status: str  # new | changed | unchanged | skipped (not fetched) | refused | failed
    items: int = 0
    reason: str | None = None


@dataclass(slots=True)
class Fetched:
    """One meeting fetched and read but not stored yet (Harvester.fetch): its outcome so far, and what
    Harvester.store writes: the rows with their files, or only the bookkeeping (`state`), or nothing."""

    outcome: Outcome
    rows: Rows | None = None
    state: dict[str, Any] | None = None
    files: list[dict[str, Any]] | None = None


@dataclass(slots=True)
class Summary:
    host: str
    outcomes: list[Outcome] = field(default_factory=list)
    listed: int = 0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def as_dict(self) -> dict[str, Any]:
        return {"host": self.host, "listed": self.listed,
                **{s: self.count(s) for s in ("new", "changed", "unchanged", "skipped", "refused", "failed")},
                "items": sum(o.items for o in self.outcomes if o.status in ("new", "changed")),
                "failures": [{"meeting": o.meeting_id, "reason": o.reason} for o in self.outcomes
                             if o.status == "failed"],
                "refusals": [{"meeting": o.meeting_id, "reason": o.reason} for o in self.outcomes
                             if o.status == "refused"]}

    def line(self) -> str:
        d = self.as_dict()
        return (f"{self.host}: {d['new']} new, {d['changed']} changed, {d['unchanged']} unchanged, "
                f"{d['skipped']} not fetched (finished and older), {d['refused']} refused, {d['failed']} failed "
                f"({d['items']} items) of {self.listed} listed")


def user_agent(contact: str | None) -> str:
    return f"referat/{__version__} (+https://github.com/referat; {contact or 'no contact given'})"


def normal_host(host: str) -> str:
    """'https://Dagsordener.Greve.dk/' -> 'dagsordener.greve.dk'."""
    h = host.strip().lower().removeprefix("https://").removeprefix("http://").split("/", 1)[0]
    if not h or any(c.isspace() for c in h):
        raise HarvestError(f"'{host}' is not a host name (such as dagsordener.greve.dk)")
    return h


class Session:
    """One polite HTTP session with a host: one request at a time, a pause between requests, the
    front page fetched first for the cookie, retries with exponential backoff."""

    def __init__(self, host: str, options: Options, sleep: Callable[[float], None] = time.sleep) -> None:
        self.host = host
        self.base = (options.base_url or f"https://{host}").rstrip("/")
        self.options = options
        self.sleep = sleep
        self.client = httpx.Client(headers={"User-Agent": user_agent(options.contact)},
                                   timeout=httpx.Timeout(options.timeout), follow_redirects=False)
        self._last: float | None = None
        self._has_cookie = False

    def close(self) -> None:
        self.client.close()

    def _pause(self) -> None:
        if self._last is not None:
            wait = self.options.delay - (time.monotonic() - self._last)
            if wait > 0:
                self.sleep(wait)

    def _send(self, url: str, follow: bool) -> httpx.Response:
        """One request with retries on timeouts, connection errors, 429 and 5xx."""
        attempt = 0
        while True:
            self._pause()
            try:
                response = self.client.get(url, follow_redirects=follow)
                reason, status = None, response.status_code
                if status not in RETRY_STATUS:
                    return response
                reason = f"HTTP {status}"
            except httpx.TimeoutException:
                reason, status = f"no answer within {self.options.timeout:g} s", None
            except httpx.TransportError as exc:
                reason, status = f"connection failed: {exc}", None
            finally:
                self._last = time.monotonic()
            if attempt >= self.options.retries:
                raise FetchError(url, f"{reason} (after {attempt + 1} attempts)", status)
            wait = self.options.backoff * 2 ** attempt
            log.info("%s: %s; retrying in %.1f s", url, reason, wait)
            self.sleep(wait)
            attempt += 1

    def front_page(self) -> None:
        """Fetch the front page: the API answers only sessions that have its cookie."""
        response = self._send(self.base + "/", follow=True)
        if response.status_code >= 400:
            raise FetchError(self.base + "/", f"the front page answers HTTP {response.status_code}",
                             response.status_code)
        self._has_cookie = True

    def get(self, path: str, *, follow: bool = False) -> tuple[str, bytes, str | None]:
        """GET a path of the host: (URL, body, media type). A redirect means the session has no cookie
        (yet, or any more): the front page is fetched and the request made once more."""
        url = self.base + path
        if not self._has_cookie:
            self.front_page()
        response = self._send(url, follow)
        if response.is_redirect:
            self.front_page()
            response = self._send(url, follow)
            if response.is_redirect:
                raise FetchError(url, f"redirected to {response.headers.get('location', '?')} even with the "
                                      "site's cookie: is this host the publication system?", response.status_code)
        if response.status_code >= 400:
            raise FetchError(url, f"HTTP {response.status_code} {response.reason_phrase}".rstrip(),
                             response.status_code)
        return url, response.content, response.headers.get("content-type")


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def committee_list(body: bytes, url: str) -> list[Listed]:
    """The meetings the committee list names, each once (a committee may sit in several groups)."""
    try:
        data = json.loads(body)
        groups = data["Udvalg"]
        committees = [c for group in groups.values() for c in group]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise HarvestError(f"{url}: not the publication system's committee list ({type(exc).__name__})") from exc
    seen: dict[str, Listed] = {}
    for c in committees:
        for m in (c.get("Moeder") or []) if isinstance(c, dict) else []:
            if isinstance(m, dict) and m.get("Id"):
                seen.setdefault(str(m["Id"]), Listed(str(m["Id"]), str(c.get("Navn") or ""), _date(m.get("Dato"))))
    return sorted(seen.values(), key=lambda m: (m.date or dt.date.min, m.committee, m.id))


def _finished(body: bytes) -> bool:
    """Whether the system says the meeting is finished (`Moede.Afsluttet`), for the incremental rule.
    Raises ValueError for a body that is not JSON."""
    moede = json.loads(body).get("Moede")
    return bool(moede.get("Afsluttet")) if isinstance(moede, dict) else False


def _wanted(m: Listed, options: Options) -> bool:
    if options.since and (m.date is None or m.date < options.since):
        return False
    if options.committee:
        want, name = options.committee.casefold(), m.committee.casefold()
        return name == want or name.startswith(want)
    return True


class Harvester:
    """Harvest one host into an archive; `summary` holds what happened so far (also after Ctrl-C)."""

    def __init__(self, archive: Archive, host: str, options: Options | None = None, *,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.archive = archive
        self.host = normal_host(host)
        self.options = options or Options()
        self.now = now
        self.session = Session(self.host, self.options, sleep)
        self.summary = Summary(self.host)

    def close(self) -> None:
        self.session.close()

    def meetings(self) -> list[Listed]:
        """The committee list, filtered by the options (committee, since)."""
        try:
            url, body, _ = self.session.get("/api/agenda/udvalgsliste")
        except FetchError as exc:
            raise HarvestError(f"cannot list the meetings of {self.host}: {exc}") from exc
        listed = committee_list(body, url)
        wanted = [m for m in listed if _wanted(m, self.options)]
        if self.options.committee and not wanted:
            names = sorted({m.committee for m in listed})
            raise HarvestError(f"no committee of {self.host} is called '{self.options.committee}'; the list has: "
                               + ", ".join(names[:20]))
        self.summary.listed = len(wanted)
        return wanted

    def run(self, progress: Callable[[Outcome], None] | None = None,
            total: Callable[[int], None] | None = None) -> Summary:
        listed = self.meetings()
        if total:
            total(len(listed))
        known = self.archive.harvested(self.host)
        for m in listed:
            outcome = self.one(m, known.get(m.id))
            self.summary.outcomes.append(outcome)
            if progress:
                progress(outcome)
        return self.summary

    def _due(self, m: Listed, state: dict[str, Any] | None) -> bool:
        """The incremental rule (module docstring)."""
        if state is None or self.options.refresh or not state["finished"]:
            return True
        date = m.date or state["meeting_date"]
        return date is None or date >= self.now().date() - dt.timedelta(days=self.options.max_age_days)

    def one(self, m: Listed, state: dict[str, Any] | None) -> Outcome:
        """Fetch, read and store one meeting; every failure is reported in its outcome, never raised
        (but KeyboardInterrupt is: the meeting in hand is then simply not stored)."""
        return self.store(self.fetch(m, state, self.archive.file_urls))

    def fetch(self, m: Listed, state: dict[str, Any] | None, have: Callable[[str], set[str]]) -> Fetched:
        """Fetch and read one meeting (and with `files` its files not in `have(meeting id)`), writing
        nothing: on a Dask worker (referat.cluster) as here. Every failure is in the outcome, never raised."""
        out = Outcome(m.id, m.committee, m.date, "skipped")
        if not self._due(m, state):
            return Fetched(out)
        try:
            url, body, body_type = self.session.get(f"/api/agenda/dagsorden/{m.id}")
            finished = _finished(body)
        except FetchError as exc:
            out.status, out.reason = "failed", exc.reason
            return Fetched(out)
        except (ValueError, AttributeError) as exc:
            out.status, out.reason = "failed", f"the response is not JSON ({type(exc).__name__}: {exc})"[:300]
            return Fetched(out)
        stamp = self.now().isoformat(timespec="seconds")
        sha = hashlib.sha256(body).hexdigest()
        public_url = f"https://{self.host}/api/agenda/dagsorden/{m.id}"
        record_state = {"host": self.host, "source_id": m.id, "meeting_date": m.date, "finished": finished,
                        "sha256": sha, "status": "stored", "reason": None, "fetched_at": stamp}
        known = state is not None and state["status"] == "stored"
        if known and state["sha256"] == sha and not self.options.files:
            out.status = "unchanged"
            return Fetched(out, state=record_state)  # the same response: only the bookkeeping
        try:
            source = read_publication_json(public_url, body, host=self.host, municipality=self.options.municipality)
            doc = parse_source(source)
        except NotMinutesError as exc:
            out.status, out.reason = "refused", exc.reason
            return Fetched(out, state={**record_state, "status": "refused", "reason": exc.reason})
        except ReferatError as exc:
            out.status, out.reason = "failed", getattr(exc, "reason", None) or str(exc)
            return Fetched(out)
        except Exception as exc:  # noqa: BLE001 - one bad meeting must not end the harvest
            out.status, out.reason = "failed", f"unexpected error while reading: {type(exc).__name__}: {exc}"
            return Fetched(out)
        record = source.record
        if record is not None:  # the system's URL scheme gives items' and attachments' PDFs
            for item in record.items:
                if item.id:  # the item's own PDF (a link inside its text is not the item)
                    item.url = f"https://{self.host}{pdf_path('dagsordenpunkt', item.id)}"
                for a in item.attachments:
                    if a.url is None and a.id:
                        a.url = f"https://{self.host}{pdf_path('bilag', a.id)}"
        rows = document_rows(doc, sha256=sha, path=public_url, text=source.text, fmt=source.format,
                             encoding=source.encoding, size=source.size, now=stamp,
                             municipality=self.options.municipality, url=public_url, fetched_at=stamp, record=record,
                             original=body, original_type=body_type or None)
        try:
            files = list(self._files(rows.meeting["id"], m.id, record, have)) if self.options.files else []
        except FetchError as exc:
            out.status, out.reason = "failed", f"a file of the meeting: {exc}"
            return Fetched(out)
        out.items = len(rows.items)
        out.status = "new" if not known else "unchanged" if state["sha256"] == sha else "changed"
        return Fetched(out, rows, record_state, files)

    def store(self, fetched: Fetched) -> Outcome:
        """Store what `fetch` read, with its bookkeeping, in one transaction; the meeting's outcome."""
        out = fetched.outcome
        if fetched.state is None:
            return out
        try:
            result = self.archive.store_harvested(fetched.rows, fetched.state, fetched.files or ())
        except Exception as exc:  # noqa: BLE001 - reported; the transaction left nothing behind
            if fetched.rows is None:
                raise
            out.status, out.reason, out.items = ("failed", f"could not be stored: {type(exc).__name__}: "
                                                 f"{first_line(exc, self.archive.db)}", 0)
            return out
        log.debug("%s: %s (store: %s)", fetched.state["source_id"], out.status, result)
        return out

    def _files(self, meeting_id: str, source_id: str, record: Any,
               stored: Callable[[str], set[str]]) -> Iterator[dict[str, Any]]:
        """The meeting's PDF and its attachments not stored yet, fetched one by one."""
        have = stored(meeting_id)
        wanted = [("meeting", None, pdf_path("dagsorden", source_id))]
        for item in record.items if record is not None else []:
            wanted += [("attachment", a.title, pdf_path("bilag", a.id))
                       for a in item.attachments if a.id]
        for role, title, path in wanted:
            public = f"https://{self.host}{path}"
            if public in have:
                continue
            _, body, media_type = self.session.get(path, follow=True)
            yield {"meeting_id": meeting_id, "url": public, "role": role, "title": title,
                   "sha256": hashlib.sha256(body).hexdigest(), "media_type": media_type, "size": len(body),
                   "fetched_at": self.now().isoformat(timespec="seconds"), "content": body}


def harvest(archive: Archive, host: str, options: Options | None = None, **kwargs: Any) -> Summary:
    """Harvest one host (see Harvester)."""
    h = Harvester(archive, host, options)
    try:
        return h.run(**kwargs)
    finally:
        h.close()


@dataclass(slots=True)
class Host:
    municipality: str
    host: str
    verified: str
    note: str


def read_hosts(path: str | Path) -> list[Host]:
    """The municipalities and hosts of a hosts file (TSV: municipality, host, verified, note; lines starting
    with # are comments). HarvestError names the file and line of a bad row."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise HarvestError(f"{path}: cannot read the hosts file: {exc.strerror}") from exc
    lines = [(n, ln) for n, ln in enumerate(text.splitlines(), 1) if ln.strip() and not ln.startswith("#")]
    rows = list(csv.reader((ln for _, ln in lines), delimiter="\t"))
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["municipality", "host"]:
        raise HarvestError(f"{path}: the first line must be the header 'municipality<TAB>host<TAB>verified<TAB>note'")
    out = []
    for (n, _), row in zip(lines[1:], rows[1:]):
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise HarvestError(f"{path}, line {n}: a row needs a municipality and a host, separated by a tab")
        row = [c.strip() for c in row] + ["", ""]
        out.append(Host(row[0], normal_host(row[1]), row[2], row[3]))
    return out


__all__ = ["FetchError", "HarvestError", "Harvester", "Options", "Summary", "harvest", "read_hosts"]

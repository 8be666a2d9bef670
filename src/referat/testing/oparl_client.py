"""A strict OParl 1.1 client: imports every body of a server over HTTP and collects every violation.

It does what real importers and validators do, and checks what they rely on (the OParl 1.1 text, the
official JSON schemas, oparl-validator-rs, meine-stadt-transparent's importer):

- HTTP: every JSON answer is 200, `application/json` in UTF-8 without BOM, with
  `Access-Control-Allow-Origin: *` (spec "CORS"); every object URL also answers HEAD (oparl-validator-rs
  asks HEAD for linked objects it did not meet in a list).
- Objects: the schema of their type (required fields, types, `date`/`date-time` formats) when the schemas
  are given; no empty strings (say nothing rather than ""); ids are absolute URLs under the server's base;
  an id fetched answers the same object (the list's complete form equals the object at its URL);
  `created` <= `modified`; a `deleted` object keeps only id, type, created, modified, deleted.
- Lists (each of a Body's lists, every page): `data`, `pagination`, `links`; `links.next` on every page
  but the last; totals, pages and elementsPerPage consistent; every link under the base; the filters
  `created_since`, `created_until`, `modified_since`, `modified_until` kept on the next pages and each
  answering exactly the objects the client computes from the full list (and deleted objects, which OParl
  lists to clients synchronising with modified_since: each kept by the filter, in no list as a live object,
  and the same `deleted: true` object at its own URL); `elementsPerPage` honoured or not
  (a client must not expect it), but never changing the set of objects.
- Links: every URL that names an OParl object dereferences to an object of the expected type, and every
  object a link names was met in a Body's lists or embedded in an object of them.
- Back-references, both ways: Body.system, Organization/Person/Paper/LegislativeTerm.body;
  Meeting.organization <-> the organization's meeting list; AgendaItem.meeting (the embedding Meeting);
  AgendaItem.consultation <-> Consultation.agendaItem, Consultation.meeting; Paper.consultation <->
  Consultation.paper; Person.membership <-> Membership.person; Organization.membership <->
  Membership.organization; File.meeting/agendaItem/paper <-> the objects that carry the File;
  Location.meetings <-> Meeting.location.
- Embedding: an embedded object leaves out its back-link to the object it is embedded in, and otherwise
  equals the same object at its own URL.
- Files: accessUrl and downloadUrl answer 200 with exactly `mimeType` as Content-Type and `size` bytes.
- `web` pages answer 200 (HTML for people).

Usage: `Client(system_url, schemas=dir).run()` -> list of Violation; `python -m referat.testing.oparl_client
URL [SCHEMA_DIR]` prints them and exits 1 when there is any.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

OPARL = "https://schema.oparl.org/1.1/"
# a Body's lists: property -> the type of the objects in it
BODY_LISTS = {"organization": "Organization", "person": "Person", "meeting": "Meeting", "paper": "Paper",
              "membership": "Membership", "agendaItem": "AgendaItem", "consultation": "Consultation", "file": "File",
              "legislativeTermList": "LegislativeTerm", "locationList": "Location"}
REQUIRED_LISTS = ("organization", "person", "meeting", "paper")
# properties that link to OParl objects (by URL or embedded), with the linked type (the 1.1 schema's oparl:ref)
LINKS: dict[str, dict[str, str]] = {
    "System": {"body": "list:Body"},
    "Body": {"system": "System", "legislativeTerm": "LegislativeTerm", "location": "Location"},
    "LegislativeTerm": {"body": "Body"},
    "Organization": {"body": "Body", "membership": "Membership", "meeting": "list:Meeting", "subOrganizationOf":
                     "Organization", "location": "Location", "consultation": "Consultation"},
    "Person": {"body": "Body", "membership": "Membership", "location": "Location"},
    "Membership": {"person": "Person", "organization": "Organization", "onBehalfOf": "Organization"},
    "Meeting": {"organization": "Organization", "participant": "Person", "location": "Location", "agendaItem":
                "AgendaItem", "invitation": "File", "resultsProtocol": "File", "verbatimProtocol": "File",
                "auxiliaryFile": "File"},
    "AgendaItem": {"meeting": "Meeting", "consultation": "Consultation", "resolutionFile": "File",
                   "auxiliaryFile": "File"},
    "Paper": {"body": "Body", "relatedPaper": "Paper", "superordinatedPaper": "Paper", "subordinatedPaper": "Paper",
              "mainFile": "File", "auxiliaryFile": "File", "location": "Location", "originatorPerson": "Person",
              "underDirectionOf": "Organization", "originatorOrganization": "Organization", "consultation":
              "Consultation"},
    "Consultation": {"paper": "Paper", "agendaItem": "AgendaItem", "meeting": "Meeting", "organization":
                     "Organization"},
    "File": {"masterFile": "File", "derivativeFile": "File", "meeting": "Meeting", "agendaItem": "AgendaItem",
             "paper": "Paper", "person": "Person"},
    "Location": {"bodies": "Body", "organizations": "Organization", "persons": "Person", "meetings": "Meeting",
                 "papers": "Paper"},
}
# the back-link an object embedded under a property leaves out (OParl 1.1, "Eingebettete Objekte")
BACK_LINKS = {("Body", "legislativeTerm"): "body", ("Person", "membership"): "person",
              ("Meeting", "agendaItem"): "meeting", ("Meeting", "location"): "meetings",
              ("Paper", "consultation"): "paper", ("Paper", "location"): "papers", ("Body", "location"): "bodies",
              ("Organization", "location"): "organizations", ("Person", "location"): "persons",
              **{(t, p): f for t, props, f in (("Meeting", ("invitation", "resultsProtocol", "verbatimProtocol",
                                                           "auxiliaryFile"), "meeting"),
                                               ("AgendaItem", ("resolutionFile", "auxiliaryFile"), "agendaItem"),
                                               ("Paper", ("mainFile", "auxiliaryFile"), "paper")) for p in props}}
DELETED_KEEPS = {"id", "type", "created", "modified", "deleted"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")
FILTERS = ("created_since", "created_until", "modified_since", "modified_until")


@dataclass(frozen=True, slots=True)
class Violation:
    """One thing a strict client refuses: what (a short code), where (a URL) and the detail."""

    code: str
    url: str
    detail: str

    def __str__(self) -> str:
        return f"{self.code}: {self.url}: {self.detail}"


def _kind(obj: dict[str, Any]) -> str:
    return str(obj.get("type", "")).removeprefix(OPARL)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _moment(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class Client:
    """Imports a whole OParl server from its System URL. `schemas` is a folder of the 1.1 JSON schemas
    (one file per type); `page_size` is asked for as elementsPerPage to make every list page."""

    system_url: str
    schemas: Path | None = None
    page_size: int = 3
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30, follow_redirects=False))
    violations: list[Violation] = field(default_factory=list)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> object, as met in lists or embedded
    links: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))  # target -> (type, from)
    fetched: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    _schema_cache: dict[str, Any] = field(default_factory=dict)
    _list_ids: dict[str, set[Any]] = field(default_factory=dict)
    deleted_seen: set[str] = field(default_factory=set)  # ids of deleted objects met in filtered lists

    # --- reporting and HTTP ----------------------------------------------------------------

    def bad(self, code: str, url: str, detail: str) -> None:
        self.violations.append(Violation(code, url, detail))

    def base(self) -> str:
        return self.system_url.rsplit("/", 1)[0] + "/"

    def get_json(self, url: str) -> Any:
        """The JSON at url, or None (with a violation) when the answer is not a proper OParl JSON answer."""
        try:
            res = self.http.get(url)
        except httpx.HTTPError as exc:
            self.bad("http", url, f"request failed: {exc}")
            return None
        if res.status_code != 200:
            self.bad("http", url, f"status {res.status_code}")
            return None
        ctype = res.headers.get("content-type", "")
        if ctype.split(";")[0].strip() != "application/json" or "charset" in ctype and "utf-8" not in ctype.lower():
            self.bad("content-type", url, f"JSON served as {ctype!r}")
        if res.headers.get("access-control-allow-origin") != "*":
            self.bad("cors", url, "no 'Access-Control-Allow-Origin: *' header")
        if res.content.startswith(b"\xef\xbb\xbf"):
            self.bad("bom", url, "JSON starts with a byte order mark")
        try:
            return json.loads(res.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            self.bad("json", url, f"not JSON in UTF-8: {exc}")
            return None

    def fetch(self, url: str) -> dict[str, Any] | None:
        """One object at its own URL (once), checked to carry that URL as its id and to answer HEAD."""
        if url not in self.fetched:
            obj = self.get_json(url)
            if obj is not None and not isinstance(obj, dict):
                self.bad("json", url, "an object URL answers something other than a JSON object")
                obj = None
            if obj is not None and obj.get("id") != url:
                self.bad("id-mismatch", url, f"fetched object has id {obj.get('id')!r}")
            head = self.http.head(url)
            if head.status_code != 200:
                self.bad("head", url, f"HEAD answers {head.status_code}")
            self.fetched[url] = obj
        return self.fetched[url]

    # --- the walk --------------------------------------------------------------------------

    def run(self) -> list[Violation]:
        system = self.fetch(self.system_url)
        if system is None:
            return self.violations
        self.check_object(system, self.system_url)
        if not isinstance(system.get("body"), str):
            self.bad("required", self.system_url, "System.body is no URL of the body list")
            return self.violations
        bodies = list(self.walk_list(system["body"], "Body"))
        if not bodies:
            self.bad("empty", system["body"], "the system has no bodies")
        for body in bodies:
            self.import_body(body)
        self.check_links()
        return self.violations

    def import_body(self, body: dict[str, Any]) -> None:
        bid = body.get("id", "?")
        if body.get("system") != self.system_url:
            self.bad("back-link", bid, f"Body.system is {body.get('system')!r}, not the system it is listed in")
        for prop in REQUIRED_LISTS:
            if not isinstance(body.get(prop), str):
                self.bad("required", bid, f"Body.{prop} is no URL of an external list")
        for prop, kind in BODY_LISTS.items():
            url = body.get(prop)
            if not isinstance(url, str):
                continue
            listed = list(self.walk_list(url, kind))
            for obj in listed:
                self.check_belongs(obj, body)
            self.check_filters(url, listed)

    def walk_list(self, url: str, kind: str, *, check: bool = True) -> Iterator[dict[str, Any]]:
        """Every object of an external list, page by page through links.next, the pagination checked.
        The first page is asked for with elementsPerPage (the server may ignore it)."""
        seen: set[str] = set()
        first = self._with_params(url, {"elementsPerPage": str(self.page_size)})
        page_url: str | None = first
        number, total, per_page, count, filters = 0, None, None, 0, self._params(url)
        while page_url:
            number += 1
            if number > 10_000:
                self.bad("pagination", url, "more than 10,000 pages: links.next loops")
                return
            page = self.get_json(page_url)
            if not isinstance(page, dict):
                return
            for key in ("data", "pagination", "links"):
                if key not in page:
                    self.bad("list", page_url, f"a list page without '{key}'")
            data, pag, links = page.get("data") or [], page.get("pagination") or {}, page.get("links") or {}
            nxt = links.get("next")
            total = pag.get("totalElements") if total is None else total
            if pag.get("totalElements") not in (None, total):
                self.bad("pagination", page_url, f"totalElements changed from {total} to {pag.get('totalElements')}")
            if pag.get("currentPage") not in (None, number):
                self.bad("pagination", page_url, f"currentPage {pag.get('currentPage')} on page {number}")
            per_page = pag.get("elementsPerPage") if per_page is None else per_page
            if nxt and per_page is not None and len(data) != per_page:
                self.bad("pagination", page_url, f"{len(data)} objects on a page that is not the last "
                                                 f"(elementsPerPage {per_page})")
            if len(data) > (per_page or len(data)):
                self.bad("pagination", page_url, f"{len(data)} objects, over elementsPerPage {per_page}")
            for name, link in links.items():
                if not isinstance(link, str) or not link.startswith(self.base()):
                    self.bad("link", page_url, f"links.{name} {link!r} is not under {self.base()}")
                elif name in ("first", "prev", "next", "last", "self") and not self._params(link).items() >= \
                        filters.items():
                    self.bad("filter-lost", page_url, f"links.{name} drops the list's filters: {link}")
            for obj in data:
                if not isinstance(obj, dict):
                    self.bad("list", page_url, "an entry of data is no object (the complete form is required)")
                    continue
                if _kind(obj) != kind:
                    self.bad("type", page_url, f"a {obj.get('type')} in a list of {kind}")
                oid = obj.get("id")
                if oid in seen:
                    self.bad("pagination", page_url, f"{oid} listed twice")
                seen.add(oid)
                count += 1
                if check:
                    self.check_listed(obj, page_url)
                yield obj
            if nxt and nxt == page_url:
                self.bad("pagination", page_url, "links.next points to the page itself")
                return
            page_url = nxt
        if total is not None and total != count:
            self.bad("pagination", url, f"totalElements {total}, but the pages hold {count}")
        if total is not None and per_page and (pages := pag.get("totalPages")) is not None and pages != max(
                1, math.ceil(total / per_page)) and per_page == (pag.get("elementsPerPage") or per_page):
            self.bad("pagination", url, f"totalPages {pages} for {total} objects at {per_page} a page")

    # --- objects -----------------------------------------------------------------------------

    def check_listed(self, obj: dict[str, Any], where: str) -> None:
        """An object in a list: checked, remembered, and equal to itself at its own URL."""
        oid = obj.get("id")
        if not isinstance(oid, str):
            self.bad("required", where, "an object without id")
            return
        self.check_object(obj, where)
        own = self.fetch(oid)
        if own is not None and own != obj:
            diff = sorted(k for k in {*own, *obj} if own.get(k) != obj.get(k))
            self.bad("list-differs", oid, f"the list's object differs from the object at its URL in {diff}")

    def check_object(self, obj: dict[str, Any], where: str, parent: tuple[str, str] | None = None) -> None:
        """Schema, values, links; embedded objects recursively (`parent` = (its type, property))."""
        kind, oid = _kind(obj), obj.get("id")
        if kind not in LINKS:
            self.bad("type", where, f"unknown type {obj.get('type')!r}")
            return
        if not isinstance(oid, str) or not oid.startswith(self.base()):
            self.bad("id", where, f"{kind} id {oid!r} is not an absolute URL under {self.base()}")
            return
        if oid in self.objects and self.objects[oid] != obj and parent is None and not self._embedded_same(oid, obj):
            self.bad("id-clash", oid, "two different objects carry this id")
        self.objects.setdefault(oid, obj)
        self.check_schema(obj, kind)
        self.check_values(obj, oid)
        if obj.get("deleted") is True:
            extra = set(obj) - DELETED_KEEPS
            if extra:
                self.bad("deleted", oid, f"a deleted object keeps {sorted(extra)}")
            return
        if parent is not None:
            back = BACK_LINKS.get(parent)
            if back and back in obj:
                self.bad("embedding", oid, f"embedded in a {parent[0]}.{parent[1]} but repeats its back-link '{back}'")
        for prop, target in LINKS[kind].items():
            for value in _as_list(obj.get(prop)):
                if isinstance(value, dict):
                    if target.startswith("list:") or _kind(value) != target:
                        self.bad("type", oid, f"{kind}.{prop} embeds a {value.get('type')}, not a {target}")
                        continue
                    self.check_object(value, oid, (kind, prop))
                    self.check_embedded(obj, prop, value)
                elif isinstance(value, str):
                    if target.startswith("list:"):
                        continue
                    self.links[value].add((target, oid))
                else:
                    self.bad("type", oid, f"{kind}.{prop} holds {value!r}, neither a URL nor an object")
        self.check_back_links(obj, kind, oid)
        if kind == "File":
            self.check_file(obj, oid)
        if isinstance(obj.get("web"), str):
            self.check_web(obj["web"], oid)

    def _embedded_same(self, oid: str, obj: dict[str, Any]) -> bool:
        known = self.objects[oid]
        return all(known.get(k) == v for k, v in obj.items()) or all(obj.get(k) == v for k, v in known.items())

    def check_embedded(self, parent: dict[str, Any], prop: str, child: dict[str, Any]) -> None:
        """The embedded object is the object at its own URL, less the back-link to the parent."""
        own = self.fetch(child["id"])
        if own is None:
            return
        back = BACK_LINKS.get((_kind(parent), prop))
        expected = {k: v for k, v in own.items() if k != back}
        if expected != child:
            diff = sorted(k for k in {*expected, *child} if expected.get(k) != child.get(k))
            self.bad("embedding", child["id"], f"embedded in {parent['id']} ({prop}) it differs from its own URL in "
                                               f"{diff}")
        if back and back in own and parent["id"] not in _as_list(own[back]):
            self.bad("back-link", child["id"], f"embedded in {parent['id']} ({prop}) but its '{back}' is {own[back]!r}")

    def schema(self, kind: str) -> dict[str, Any] | None:
        if self.schemas is None:
            return None
        if kind not in self._schema_cache:
            path = self.schemas / f"{kind}.json"
            self._schema_cache[kind] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
        return self._schema_cache[kind]

    def check_schema(self, obj: dict[str, Any], kind: str) -> None:
        schema = self.schema(kind)
        if schema is None:
            return
        import jsonschema

        if obj.get("deleted") is True:  # a deleted object keeps only DELETED_KEEPS (OParl 1.1, "deleted")
            schema = {**schema, "required": [r for r in schema.get("required", []) if r in DELETED_KEEPS]}
        validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
        for err in validator.iter_errors(obj):
            self.bad("schema", obj.get("id", "?"), f"{'/'.join(map(str, err.absolute_path)) or kind}: {err.message}")
        for name, spec in schema.get("properties", {}).items():  # the formats jsonschema leaves unchecked
            fmt = spec.get("format")
            value = obj.get(name)
            if fmt == "date" and isinstance(value, str) and not DATE.match(value):
                self.bad("date", obj.get("id", "?"), f"{kind}.{name} {value!r} is no date (YYYY-MM-DD)")
            if fmt == "date-time" and isinstance(value, str) and not DATE_TIME.match(value):
                self.bad("date-time", obj.get("id", "?"), f"{kind}.{name} {value!r} is no date-time with a time zone")

    def check_values(self, obj: dict[str, Any], oid: str) -> None:
        for key, value in obj.items():
            if value == "" or (isinstance(value, list) and "" in value):
                self.bad("empty-string", oid, f"'{key}' is an empty string (leave it out instead)")
            if value is None:
                self.bad("null", oid, f"'{key}' is null (leave it out instead)")
        created, modified = obj.get("created"), obj.get("modified")
        for name, value in (("created", created), ("modified", modified)):
            if value is not None and (not isinstance(value, str) or not DATE_TIME.match(value)):
                self.bad("date-time", oid, f"{name} {value!r} is no date-time with a time zone")
        if isinstance(created, str) and isinstance(modified, str) and DATE_TIME.match(created) and \
                DATE_TIME.match(modified) and _moment(created) > _moment(modified):
            self.bad("created-after-modified", oid, f"created {created} is after modified {modified}")
        for key in ("startDate", "endDate"):
            if isinstance(obj.get(key), str) and not DATE.match(obj[key]):
                self.bad("date", oid, f"{key} {obj[key]!r} is no date")
        if isinstance(obj.get("startDate"), str) and isinstance(obj.get("endDate"), str) and \
                obj["startDate"] > obj["endDate"]:
            self.bad("dates", oid, f"startDate {obj['startDate']} after endDate {obj['endDate']}")
        if isinstance(obj.get("start"), str) and isinstance(obj.get("end"), str) and DATE_TIME.match(obj["start"]) \
                and DATE_TIME.match(obj["end"]) and _moment(obj["start"]) > _moment(obj["end"]):
            self.bad("dates", oid, "start after end")

    def check_back_links(self, obj: dict[str, Any], kind: str, oid: str) -> None:
        """Links that must be answered by a link back (checked on the object at the other end)."""
        pairs: list[tuple[str, str, str]] = {
            "Meeting": [("organization", "meeting", "list")],
            "AgendaItem": [("consultation", "agendaItem", "one")],
            "Consultation": [("agendaItem", "consultation", "one"), ("paper", "consultation", "many")],
            "Membership": [("organization", "membership", "many"), ("person", "membership", "many")],
            "Organization": [("membership", "organization", "one")],
            "File": [("meeting", "*file", "file"), ("agendaItem", "*file", "file"), ("paper", "*file", "file")],
            "Location": [("meetings", "location", "one")],
            "Paper": [("consultation", "paper", "one")],
        }.get(kind, [])
        for prop, back, how in pairs:
            for target in _as_list(obj.get(prop)):
                target_id = target.get("id") if isinstance(target, dict) else target
                if not isinstance(target_id, str) or not target_id.startswith(self.base()):
                    continue
                other = self.fetch(target_id)
                if other is None:
                    continue
                if how == "list":
                    url = other.get(back)
                    if isinstance(url, str):
                        if url not in self._list_ids:  # each external list walked once
                            self._list_ids[url] = {o.get("id") for o in self.walk_list(url, kind, check=False)}
                        listed = self._list_ids[url]
                    else:
                        listed = {x if isinstance(x, str) else x.get("id") for x in _as_list(url)}
                    ok = oid in listed
                elif how == "file":
                    ok = any(oid in {x if isinstance(x, str) else x.get("id") for x in _as_list(other.get(p))}
                             for p in ("invitation", "resultsProtocol", "verbatimProtocol", "auxiliaryFile",
                                       "resolutionFile", "mainFile"))
                else:
                    ok = oid in {x if isinstance(x, str) else x.get("id") for x in _as_list(other.get(back))}
                if not ok:
                    self.bad("back-link", oid, f"{kind}.{prop} names {target_id}, which does not name it back "
                                               f"({back})")

    def check_belongs(self, obj: dict[str, Any], body: dict[str, Any]) -> None:
        """An object with a `body` in a body's list names that body."""
        if "body" in obj and obj["body"] != body.get("id"):
            self.bad("wrong-body", obj.get("id", "?"), f"listed by {body.get('id')} but its body is {obj['body']}")

    def check_file(self, f: dict[str, Any], oid: str) -> None:
        for key in ("accessUrl", "downloadUrl"):
            url = f.get(key)
            if not isinstance(url, str):
                continue
            res = self.http.get(url)
            if res.status_code != 200:
                self.bad("file", oid, f"{key} answers {res.status_code}")
                continue
            if "mimeType" in f and res.headers.get("content-type") != f["mimeType"]:
                self.bad("file", oid, f"{key} serves {res.headers.get('content-type')!r}, mimeType is {f['mimeType']!r}")
            if "size" in f and len(res.content) != f["size"]:
                self.bad("file", oid, f"{key} serves {len(res.content)} bytes, size is {f['size']}")

    def check_web(self, url: str, oid: str) -> None:
        if url in self.fetched:
            return
        self.fetched[url] = None
        res = self.http.get(url)
        if res.status_code != 200:
            self.bad("web", oid, f"web {url} answers {res.status_code}")

    # --- lists' filters ------------------------------------------------------------------------

    def check_filters(self, url: str, listed: list[dict[str, Any]]) -> None:
        """Each filter, at a moment in the middle of the list's own times, answers exactly the objects whose
        `created`/`modified` fall on its side (objects without that field: the server's choice)."""
        for name in FILTERS:
            prop = name.split("_")[0]
            times = sorted({_moment(o[prop]) for o in listed if isinstance(o.get(prop), str) and
                            DATE_TIME.match(o[prop])})
            second = dt.timedelta(seconds=1)
            # the middle one, and just outside the range (nothing dated is kept)
            pivots = [times[len(times) // 2], times[0] - second, times[-1] + second] if times else \
                [dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)]
            for pivot in pivots:
                answer = self._objects(self._with_params(url, {name: pivot.isoformat()}))
                if answer is None:
                    break
                since = name.endswith("since")
                self.check_deleted(url, name, pivot, answer, listed)
                got = {oid for oid, o in answer.items() if o.get("deleted") is not True}
                want = {o["id"] for o in listed if isinstance(o.get(prop), str) and DATE_TIME.match(o[prop])
                        and ((_moment(o[prop]) >= pivot) if since else (_moment(o[prop]) <= pivot))}
                undated = {o["id"] for o in listed if not isinstance(o.get(prop), str)}
                if not want <= got or got - want - undated:
                    self.bad("filter", url, f"{name}={pivot.isoformat()}: {len(got)} objects, {len(want)} expected "
                                            f"(missing {sorted(want - got)[:2]}, extra {sorted(got - want - undated)[:2]})")

    def check_deleted(self, url: str, name: str, pivot: dt.datetime, answer: dict[str, dict[str, Any]],
                      listed: list[dict[str, Any]]) -> None:
        """Deleted objects in a filtered list (OParl 1.1 lists them to a client filtering with
        modified_since): each a tombstone the filter keeps, no object of the list itself, and the same
        tombstone at its own URL (200, `deleted: true`), where it is checked like any object."""
        live = {o.get("id") for o in listed}
        prop = name.split("_")[0]
        for oid, obj in sorted(answer.items()):
            if obj.get("deleted") is not True:
                continue
            self.deleted_seen.add(oid)
            if oid in live:
                self.bad("deleted", oid, f"listed as deleted by {name} and as an object of {url}")
            value = obj.get(prop)
            if not isinstance(value, str) or not DATE_TIME.match(value) or \
                    ((_moment(value) < pivot) if name.endswith("since") else (_moment(value) > pivot)):
                self.bad("filter", url, f"{name}={pivot.isoformat()}: deleted {oid} has {prop} {value!r}")
            self.check_object(obj, url)
            own = self.fetch(oid)
            if own is not None and own != obj:
                self.bad("list-differs", oid, "the deleted object in the list differs from the one at its URL")

    def _objects(self, url: str) -> dict[str, dict[str, Any]] | None:
        """The objects of a list, all pages, by id."""
        found: dict[str, dict[str, Any]] = {}
        page_url: str | None = url
        for _ in range(10_000):
            if not page_url:
                return found
            page = self.get_json(page_url)
            if not isinstance(page, dict):
                return None
            found.update((o.get("id"), o) for o in page.get("data") or [] if isinstance(o, dict))
            page_url = (page.get("links") or {}).get("next")
        return found

    @staticmethod
    def _params(url: str) -> dict[str, str]:
        return {k: v for k, v in parse_qsl(urlsplit(url).query) if k in FILTERS}

    @staticmethod
    def _with_params(url: str, params: dict[str, str]) -> str:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        query.update(params)
        return urlunsplit(parts._replace(query=urlencode(query)))

    # --- links ---------------------------------------------------------------------------------

    def check_links(self) -> None:
        """Every linked object exists with the expected type and was met in a list or embedded."""
        for target, sources in sorted(self.links.items()):
            kinds = {k for k, _ in sources}
            source = sorted(s for _, s in sources)[0]
            if not target.startswith(self.base()):
                self.bad("link", source, f"links to {target}, outside {self.base()}")
                continue
            obj = self.objects.get(target) or self.fetch(target)
            if obj is None:
                self.bad("object-missing", source, f"links to {target}, which does not answer")
                continue
            if _kind(obj) not in kinds:
                self.bad("type", source, f"links to {target} as {sorted(kinds)}, but it is a {_kind(obj)}")
            if target not in self.objects:
                self.bad("not-in-list", source, f"links to {target}, a {_kind(obj)} in none of the body's lists and "
                                                "embedded nowhere")


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m referat.testing.oparl_client SYSTEM_URL [SCHEMA_DIR]", file=sys.stderr)
        return 2
    client = Client(argv[0], Path(argv[1]) if len(argv) > 1 else None)
    found = client.run()
    for v in found:
        print(v)
    print(f"{len(client.objects)} objects, {len(found)} violations", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

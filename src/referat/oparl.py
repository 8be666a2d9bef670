"""The archive as OParl 1.1 objects (https://oparl.org), read-only.

Mapping, as OParl means its types:
- Body: a municipality (the archive's `bodies` are its committees and councils: Organizations);
- Organization: a committee or council; Membership: a person in one, from participant lists;
- Meeting, AgendaItem: as stored; Location: a meeting's place;
- Paper: a case (a municipality's items sharing a case number); Consultation: one treatment of the case
  (an agenda item); File: a source document, its text verbatim; LegislativeTerm: an election period.
Object ids are URLs under the server's base; the ids in them are the archive's stable ids, so they
survive re-ingesting. A case's URL carries its municipality's id and its normalized case key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from referat import vocab
from referat.cases import case_key
from referat.danish import whole_number
from referat.dialect import run, sql_for
from referat.errors import NotFoundError
from referat.names import stable_id
from referat.store import browse, tombstones
from referat.store.reading import file_name
from referat.store.tombstones import municipality_id

OPARL = "https://schema.oparl.org/1.1/"
TZ = ZoneInfo("Europe/Copenhagen")
_COUNCIL = vocab.COUNCIL_NAME.compile()
UNKNOWN = "Ukendt kommune"


def _embedded(obj: dict[str, Any], *back_links: str) -> dict[str, Any]:
    """An object as embedded in its parent: OParl 1.1 leaves out the back-links to the embedding object
    (an AgendaItem's `meeting` inside its Meeting, a Membership's `person` inside its Person, …)."""
    return {k: v for k, v in obj.items() if k not in back_links}


@dataclass(frozen=True, slots=True)
class Window:
    """The filters of OParl's external lists (created_since, created_until, modified_since, modified_until),
    as UTC times written like the archive's (so that they compare as text). An object without the field a
    filter names is kept by it."""

    created_since: str | None = None
    created_until: str | None = None
    modified_since: str | None = None
    modified_until: str | None = None

    def keeps(self, created: str | None, modified: str | None) -> bool:
        return ((not self.created_since or not created or created >= self.created_since)
                and (not self.created_until or not created or created <= self.created_until)
                and (not self.modified_since or not modified or modified >= self.modified_since)
                and (not self.modified_until or not modified or modified <= self.modified_until))

    def having(self, created: str, modified: str) -> tuple[str, list[str]]:
        """SQL conditions (for HAVING, over aggregates) and their values: fixed SQL, values bound."""
        parts, values = [], []
        for column, op, value in ((created, ">=", self.created_since), (created, "<=", self.created_until),
                                  (modified, ">=", self.modified_since), (modified, "<=", self.modified_until)):
            if value:
                parts.append(f"{column} {op} ?")
                values.append(value)
        return " AND ".join(parts), values


ANY_TIME = Window()
# the object kinds a replaced document can take away (referat.store.tombstones): by URL kind, their type,
# and the body lists that name them
DELETED_TYPES = {"file": "File", "meeting": "Meeting", "location": "Location", "agendaitem": "AgendaItem",
                 "consultation": "Consultation", "paper": "Paper", "membership": "Membership", "person": "Person",
                 "organization": "Organization"}
DELETED_LISTS = {"files": "file", "meetings": "meeting", "locations": "location", "agendaitems": "agendaitem",
                 "consultations": "consultation", "papers": "paper", "memberships": "membership", "people": "person",
                 "organizations": "organization"}


class OParl:
    """Builds OParl objects from one connection; `base` is the server's URL ("http://host:port"); `license`
    the URL of the license the municipality publishes its minutes under, when the operator gives one
    (System.license and Body.license; none by default: referat invents no license)."""

    def __init__(self, conn: Connection, base: str, license: str | None = None) -> None:  # noqa: A002 - OParl's name
        self.conn = conn
        self.license = license
        self.base = base.rstrip("/")  # web pages and the JSON API live here
        self.root = self.base + "/oparl/v1"
        self._munis: dict[str, dict[str, Any]] | None = None
        self._homes: dict[str, str | None] | None = None
        self._sql = sql_for(conn)

    def url(self, *parts: str) -> str:
        return "/".join([self.root, *(quote(p, safe="/") for p in parts)])

    def _q(self, sql: str, *params: Any) -> list[Any]:
        return run(self.conn, sql, params).mappings().all()

    # --- System, Body, LegislativeTerm -------------------------------------------------------

    def municipalities(self) -> dict[str, dict[str, Any]]:
        if self._munis is None:
            self._munis = {municipality_id(m["municipality"]): m for m in browse.municipalities(self.conn)}
        return self._munis

    def homes(self) -> dict[str, str | None]:
        """person id -> the municipality whose Body the Person belongs to (browse.home_municipalities)."""
        if self._homes is None:
            self._homes = browse.home_municipalities(self.conn)
        return self._homes

    def municipality(self, mid: str) -> dict[str, Any]:
        m = self.municipalities().get(mid)
        if m is None:
            raise NotFoundError(f"no body (municipality) with id '{mid}'")
        return m

    def system(self) -> dict[str, Any]:
        return {"id": self.url("system"), "type": OPARL + "System", "oparlVersion": "https://schema.oparl.org/1.1/",
                "name": "referat: danske kommunale referater", "body": self.url("bodies"), "website": self.base + "/",
                **({"license": self.license} if self.license else {})}

    def body(self, mid: str) -> dict[str, Any]:
        m = self.municipality(mid)
        b = lambda name: self.url("body", mid, name)  # noqa: E731
        return {
            "id": self.url("body", mid), "type": OPARL + "Body", "system": self.url("system"),
            "name": f"{m['municipality']} Kommune" if m["municipality"] else UNKNOWN,
            "shortName": m["municipality"] or UNKNOWN,
            "organization": b("organizations"), "person": b("people"), "meeting": b("meetings"),
            "paper": b("papers"), "membership": b("memberships"), "agendaItem": b("agendaitems"),
            "consultation": b("consultations"), "file": b("files"), "legislativeTermList": b("legislativeterms"),
            "locationList": b("locations"),
            "legislativeTerm": [_embedded(t, "body") for t in self.legislative_terms(mid)],
            **({"license": self.license} if self.license else {}),
            "classification": "Kommune", "created": m["created"], "modified": m["modified"]}

    def legislative_terms(self, mid: str) -> list[dict[str, Any]]:
        out = []
        for period in self.municipality(mid)["election_periods"]:
            start, _, end = period.partition("-")
            term = {"id": self.url("legislativeterm", stable_id("term", mid, period)), "type": OPARL + "LegislativeTerm",
                    "body": self.url("body", mid), "name": f"Valgperiode {period}"}
            if whole_number(start) is not None and whole_number(end) is not None:
                term.update(startDate=f"{start}-01-01", endDate=f"{end}-12-31")
            out.append(term)
        return out

    def legislative_term(self, term_id: str) -> dict[str, Any]:
        for mid in self.municipalities():
            for t in self.legislative_terms(mid):
                if t["id"].endswith("/" + term_id):
                    return t
        raise NotFoundError(f"no legislative term with id '{term_id}'")

    # --- Organization, Membership, Person ----------------------------------------------------

    def _committee(self, org_id: str) -> dict[str, Any]:
        found = [b for b in browse.bodies(self.conn) if b["id"] == org_id]
        if not found:
            raise NotFoundError(f"no organization (committee) with id '{org_id}'")
        return found[0]

    def organization(self, org_id: str, row: dict[str, Any] | None = None) -> dict[str, Any]:
        row = row or self._committee(org_id)
        members = self._q("SELECT DISTINCT person_id FROM participants pa JOIN meetings m ON m.id = pa.meeting_id "
                          "WHERE m.body_id = ? ORDER BY person_id", org_id)
        council = bool(_COUNCIL.match(row["name"]))
        out = {"id": self.url("organization", org_id), "type": OPARL + "Organization",
               "body": self.url("body", municipality_id(row["municipality"])), "name": row["name"],
               "organizationType": "Gremium", "classification": "Byråd" if council else "Udvalg",
               "membership": [self.url("membership", stable_id("membership", p["person_id"], org_id)) for p in members],
               "meeting": self.url("organization", org_id, "meetings"), "web": f"{self.base}/udvalg/{org_id}"}
        if row.get("first"):
            out["startDate"] = row["first"]
        if row.get("created"):
            out["created"] = row["created"]
        if row.get("modified"):
            out["modified"] = row["modified"]
        return out

    def membership(self, row: dict[str, Any]) -> dict[str, Any]:
        out = {"id": self.url("membership", stable_id("membership", row["person_id"], row["body_id"])),
               "type": OPARL + "Membership", "person": self.url("person", row["person_id"]),
               "organization": self.url("organization", row["body_id"]), "role": "Medlem", "votingRight": True,
               "startDate": row["first"], "endDate": row["last"], "created": row.get("created"),
               "modified": row["modified"]}
        if row.get("party"):
            out["keyword"] = [f"parti: {row['party']}"]
        return {k: v for k, v in out.items() if v is not None}

    def membership_by_id(self, membership_id: str) -> dict[str, Any]:
        for row in browse.memberships(self.conn):
            if stable_id("membership", row["person_id"], row["body_id"]) == membership_id:
                return self.membership(row)
        raise NotFoundError(f"no membership with id '{membership_id}'")

    def person(self, person_id: str) -> dict[str, Any]:
        row = self._q("SELECT id, name FROM people WHERE id = ?", person_id)
        if not row or person_id not in self.homes():  # named nowhere any more (a replace): a deleted Person
            raise NotFoundError(f"no person with id '{person_id}'")
        name = row[0]["name"]
        one = self._sql.any_value  # constant per body here (one person), but PostgreSQL wants it said
        rows = self._q(f"SELECT {one('pa.person_id')} AS person_id, m.body_id, {one('b.municipality')} AS municipality, "
                       f"{one('pa.party')} AS party, min(m.date) AS first, "
                       "max(m.date) AS last, min(d.ingested_at) AS created, max(d.ingested_at) AS modified "
                       "FROM participants pa JOIN meetings m ON "
                       "m.id = pa.meeting_id JOIN bodies b ON b.id = m.body_id JOIN documents d ON d.id = m.document_id "
                       "WHERE pa.person_id = ? GROUP BY m.body_id ORDER BY m.body_id", person_id)
        muni = self.homes().get(person_id)
        given, _, family = name.rpartition(" ")
        out = {"id": self.url("person", person_id), "type": OPARL + "Person", "body": self.url("body", municipality_id(muni)),
               "name": name, "familyName": family, "givenName": given or family,
               "membership": [_embedded(self.membership({**dict(r), "first": browse.iso(r["first"]),
                                                         "last": browse.iso(r["last"])}), "person") for r in rows],
               "web": f"{self.base}/person/{person_id}"}
        if rows:
            out["created"] = min(r["created"] for r in rows)
            out["modified"] = max(r["modified"] for r in rows)
        return out

    # --- Meeting, AgendaItem, Location, File -----------------------------------------------

    def _start(self, date: Any, time: str | None) -> str | None:
        if date is None:
            return None
        day = dt.date.fromisoformat(str(date)[:10])
        hour, minute = (int(x) for x in (time or "00:00").split(":"))
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).isoformat()

    def meeting(self, meeting_id: str) -> dict[str, Any]:
        """A Meeting with its agenda items, location and source File embedded: as OParl says, embedded
        objects leave out their back-link to the meeting (`meeting`, `meetings`)."""
        rows = self._q("SELECT m.*, b.name AS committee, d.ingested_at FROM meetings m "
                       "JOIN bodies b ON b.id = m.body_id JOIN documents d ON d.id = m.document_id WHERE m.id = ?",
                       meeting_id)
        if not rows:
            raise NotFoundError(f"no meeting with id '{meeting_id}'")
        m = rows[0]
        parts = self._q("SELECT person_id FROM participants WHERE meeting_id = ? ORDER BY ord", meeting_id)
        items = self._q("SELECT i.*, d.ingested_at FROM items i JOIN meetings m ON m.id = i.meeting_id JOIN documents d "
                        "ON d.id = m.document_id WHERE i.meeting_id = ? ORDER BY i.pk", meeting_id)
        out = {"id": self.url("meeting", meeting_id), "type": OPARL + "Meeting",
               "name": f"{m['committee']} {browse.iso(m['date']) or ''}".strip(),
               "meetingState": "afholdt" if m["kind"] == "minutes" else "indkaldt",
               "cancelled": False, "organization": [self.url("organization", m["body_id"])],
               "participant": [self.url("person", p["person_id"]) for p in parts],
               "agendaItem": [_embedded(self.agenda_item_from_row(i), "meeting") for i in items],
               ("resultsProtocol" if m["kind"] == "minutes" else "invitation"): _embedded(
                   self.file(m["document_id"]), "meeting"),
               "created": m["ingested_at"], "modified": m["ingested_at"], "web": f"{self.base}/moede/{meeting_id}"}
        start = self._start(m["date"], m["start_time"])
        if start:
            out["start"] = start
        if m["location"]:
            out["location"] = _embedded(self.location_from_row(meeting_id, m["location"], m["ingested_at"]), "meetings")
        return out

    def location_from_row(self, meeting_id: str, text: str, modified: str) -> dict[str, Any]:
        return {"id": self.url("location", meeting_id), "type": OPARL + "Location", "description": text,
                "meetings": [self.url("meeting", meeting_id)], "created": modified, "modified": modified}

    def location(self, meeting_id: str) -> dict[str, Any]:
        rows = self._q("SELECT m.location, d.ingested_at FROM meetings m JOIN documents d ON d.id = m.document_id "
                       "WHERE m.id = ? AND m.location IS NOT NULL", meeting_id)
        if not rows:
            raise NotFoundError(f"no location with id '{meeting_id}'")
        return self.location_from_row(meeting_id, rows[0]["location"], rows[0]["ingested_at"])

    def agenda_item_from_row(self, i: Any) -> dict[str, Any]:
        out = {"id": self.url("agendaitem", i["id"]), "type": OPARL + "AgendaItem",
               "meeting": self.url("meeting", i["meeting_id"]), "number": i["label"] or str(i["number"]), "order": i["number"],
               "name": i["title"], "public": not i["closed"], "created": i["ingested_at"], "modified": i["ingested_at"],
               "web": f"{self.base}/punkt/{i['id']}"}
        if i["case_key"]:
            out["consultation"] = self.url("consultation", i["id"])
        if i["decision_kind"]:
            out["result"] = vocab.DECISION_KIND_DA[i["decision_kind"]]
        if i["decision"]:
            out["resolutionText"] = i["decision"]
        return out

    def agenda_item(self, item_id: str) -> dict[str, Any]:
        rows = self._q("SELECT i.*, d.ingested_at FROM items i JOIN meetings m ON m.id = i.meeting_id JOIN documents d "
                       "ON d.id = m.document_id WHERE i.id = ?", item_id)
        if not rows:
            raise NotFoundError(f"no agenda item with id '{item_id}'")
        return self.agenda_item_from_row(rows[0])

    def file(self, doc_id: str) -> dict[str, Any]:
        """A source document as one File: its original as ingested (the bytes `accessUrl` and `downloadUrl`
        serve, with exactly this `mimeType` and `size`) and its extracted text as `text`. A document
        ingested before originals were kept is its text (served as UTF-8)."""
        rows = self._q("SELECT d.id, d.path, d.size, d.media_type, d.text, d.ingested_at, "
                       "(SELECT count(*) FROM originals o WHERE o.document_id = d.id) AS originals "
                       "FROM documents d WHERE d.id = ?", doc_id)
        if not rows:
            raise NotFoundError(f"no file (document) with id '{doc_id}'")
        d = rows[0]
        meetings = self._q(f"SELECT id, date FROM meetings WHERE document_id = ? ORDER BY {self._sql.asc('date')}, id",
                           doc_id)
        if d["originals"]:
            mime, size, url = d["media_type"], d["size"], f"{self.base}/api/documents/{doc_id}/original"
        else:
            mime, size, url = "text/plain; charset=utf-8", len(d["text"].encode()), f"{self.base}/api/documents/{doc_id}/text"
        name = file_name(d["path"], mime)
        out = {"id": self.url("file", doc_id), "type": OPARL + "File", "name": name, "fileName": name,
               "mimeType": mime, "size": size, "text": d["text"], "accessUrl": url, "downloadUrl": url,
               "meeting": [self.url("meeting", m["id"]) for m in meetings], "created": d["ingested_at"],
               "modified": d["ingested_at"]}
        if meetings and meetings[0]["date"]:
            out["date"] = browse.iso(meetings[0]["date"])
        return out

    # --- Paper (case), Consultation ------------------------------------------------------------

    def _case_items(self, mid: str, key: str) -> list[Any]:
        muni = self.municipality(mid)["municipality"]
        return self._q("SELECT i.*, b.name AS committee, d.ingested_at FROM items i JOIN bodies b ON b.id = i.body_id "
                       "JOIN meetings m ON m.id = i.meeting_id JOIN documents d ON d.id = m.document_id "
                       f"WHERE i.case_key = ? AND b.municipality {self._sql.same} ? "
                       f"ORDER BY {self._sql.asc('i.date')}, i.pk", key, muni)

    def paper(self, mid: str, number: str) -> dict[str, Any]:
        key = case_key(number) or ""
        items = self._case_items(mid, key)
        if not items:
            raise NotFoundError(f"no paper (case) '{number}' in body '{mid}'")
        first = items[0]
        related = self._q(
            "SELECT DISTINCT ti.case_key FROM links l JOIN items ti ON ti.id = l.target_item_id JOIN items si ON "
            "si.pk = l.item_pk WHERE si.case_key = ? AND ti.case_key IS NOT NULL AND ti.case_key != ? "
            "ORDER BY ti.case_key", key, key)
        out = {"id": self.url("paper", mid, key), "type": OPARL + "Paper", "body": self.url("body", mid),
               "name": first["title"], "reference": first["case_number"],
               "consultation": [_embedded(self.consultation_from_row(mid, i), "paper") for i in items],
               "originatorOrganization": [self.url("organization", first["body_id"])],
               "relatedPaper": [self.url("paper", mid, r["case_key"]) for r in related],
               "created": min(i["ingested_at"] for i in items), "modified": max(i["ingested_at"] for i in items),
               "web": f"{self.base}/sag/{quote(first['case_number'] or key, safe='')}"}
        if first["date"]:
            out["date"] = browse.iso(first["date"])
        return out

    def consultation_from_row(self, mid: str, i: Any) -> dict[str, Any]:
        return {"id": self.url("consultation", i["id"]), "type": OPARL + "Consultation",
                "paper": self.url("paper", mid, i["case_key"]), "agendaItem": self.url("agendaitem", i["id"]),
                "meeting": self.url("meeting", i["meeting_id"]), "organization": [self.url("organization", i["body_id"])],
                "authoritative": i["decision_kind"] in ("approved", "approved_with_changes", "rejected"),
                "role": {"recommended": "Indstilling", "noted": "Orientering"}.get(i["decision_kind"] or "", "Beslutning"),
                "created": i["ingested_at"], "modified": i["ingested_at"]}

    def consultation(self, item_id: str) -> dict[str, Any]:
        rows = self._q("SELECT i.*, b.municipality, d.ingested_at FROM items i JOIN bodies b ON b.id = i.body_id "
                       "JOIN meetings m ON m.id = i.meeting_id JOIN documents d ON d.id = m.document_id "
                       "WHERE i.id = ? AND i.case_key IS NOT NULL", item_id)
        if not rows:
            raise NotFoundError(f"no consultation with id '{item_id}'")
        return self.consultation_from_row(municipality_id(rows[0]["municipality"]), rows[0])

    # --- deleted objects ---------------------------------------------------------------------------

    def deleted(self, kind: str, object_id: str) -> dict[str, Any] | None:
        """A deleted object as OParl 1.1 serves it (its id, type, created, modified and deleted: true), or
        None if there is no tombstone (referat.store.tombstones) for it."""
        grave = tombstones.find(self.conn, kind, object_id) if kind in DELETED_TYPES else None
        return None if grave is None else self._tombstone(kind, object_id, grave)

    def _tombstone(self, kind: str, object_id: str, grave: dict[str, Any]) -> dict[str, Any]:
        return {"id": self.url(kind, object_id), "type": OPARL + DELETED_TYPES[kind], "created": grave["created"],
                "modified": grave["deleted_at"], "deleted": True}

    def _with_deleted(self, mid: str, what: str, window: Window, limit: int, offset: int,
                      live: tuple[int, list[dict[str, Any]]], organization: str | None = None
                      ) -> tuple[int, list[dict[str, Any]]]:
        """A list page with the deleted objects after the live ones: only for a client that synchronises
        (modified_since given), as OParl 1.1 says; a list without it is the archive as it is. With
        `organization`, an Organization's list (its meetings) rather than the Body's."""
        kind = DELETED_LISTS.get(what)
        if kind is None or not window.modified_since:
            return live
        graves = [g for g in tombstones.listed(self.conn, kind, mid, window.modified_since, window.modified_until,
                                               organization) if window.keeps(g["created"], g["deleted_at"])]
        total, data = live
        start, end = max(0, offset - total), max(0, offset + limit - total)
        return total + len(graves), data + [self._tombstone(kind, g["object_id"], g) for g in graves[start:end]]

    # --- lists ---------------------------------------------------------------------------------

    def bodies(self, window: Window = ANY_TIME) -> list[dict[str, Any]]:
        return [self.body(mid) for mid, m in sorted(self.municipalities().items())
                if window.keeps(m["created"], m["modified"])]

    def body_list(self, mid: str, what: str, window: Window, limit: int, offset: int
                  ) -> tuple[int, list[dict[str, Any]]]:
        """(total, page) of one of a body's lists, ordered by id, kept by the window's filters."""
        muni = self.municipality(mid)["municipality"]
        same = self._sql.same
        lister: dict[str, Callable[[], tuple[int, list[dict[str, Any]]]]] = {
            "organizations": lambda: self._page([self.organization(b["id"], b) for b in browse.bodies(self.conn, muni)],
                                                window, limit, offset),
            "memberships": lambda: self._page([self.membership(r) for r in browse.memberships(self.conn, muni)],
                                              window, limit, offset),
            "people": lambda: self._people(muni, window, limit, offset),
            "legislativeterms": lambda: self._page(self.legislative_terms(mid), window, limit, offset),
            "meetings": lambda: self._sql_page(
                "SELECT m.id FROM meetings m JOIN bodies b ON b.id = m.body_id JOIN documents d ON d.id = m.document_id "
                f"WHERE b.municipality {same} ?", muni, window, "m.id", self.meeting, limit, offset),
            "locations": lambda: self._sql_page(
                "SELECT m.id FROM meetings m JOIN bodies b ON b.id = m.body_id JOIN documents d ON d.id = m.document_id "
                f"WHERE b.municipality {same} ? AND m.location IS NOT NULL", muni, window, "m.id", self.location, limit,
                offset),
            "agendaitems": lambda: self._sql_page(
                "SELECT i.id FROM items i JOIN bodies b ON b.id = i.body_id JOIN meetings m ON m.id = i.meeting_id "
                f"JOIN documents d ON d.id = m.document_id WHERE b.municipality {same} ?", muni, window, "i.id",
                self.agenda_item, limit, offset),
            "consultations": lambda: self._sql_page(
                "SELECT i.id FROM items i JOIN bodies b ON b.id = i.body_id JOIN meetings m ON m.id = i.meeting_id "
                f"JOIN documents d ON d.id = m.document_id WHERE b.municipality {same} ? AND i.case_key IS NOT NULL", muni,
                window, "i.id", self.consultation, limit, offset),
            "files": lambda: self._sql_page(
                "SELECT d.id FROM documents d JOIN meetings m ON m.document_id = d.id JOIN bodies b ON "
                f"b.id = m.body_id WHERE b.municipality {same} ?", muni, window, "d.id", self.file, limit, offset),
            "papers": lambda: self._sql_page(
                "SELECT i.case_key FROM items i JOIN bodies b ON b.id = i.body_id JOIN meetings m ON m.id = i.meeting_id "
                f"JOIN documents d ON d.id = m.document_id WHERE b.municipality {same} ? AND i.case_key IS NOT NULL", muni,
                window, "i.case_key", lambda key: self.paper(mid, key), limit, offset),
        }
        if what not in lister:
            raise NotFoundError(f"no list '{what}' in OParl bodies; use one of {', '.join(sorted(lister))}")
        return self._with_deleted(mid, what, window, limit, offset, lister[what]())

    def _people(self, muni: str | None, window: Window, limit: int, offset: int
                ) -> tuple[int, list[dict[str, Any]]]:
        """A body's people: those whose Person.body it is (each person is in one body's list). Without
        filters only the page's people are built (ids are in order)."""
        ids = sorted(pid for pid, home in self.homes().items() if home == muni)
        if window != ANY_TIME:
            return self._page([self.person(pid) for pid in ids], window, limit, offset)
        return len(ids), [self.person(pid) for pid in ids[offset:offset + limit]]

    def organization_meetings(self, org_id: str, window: Window, limit: int, offset: int
                              ) -> tuple[int, list[dict[str, Any]]]:
        body = municipality_id(self._committee(org_id)["municipality"])
        live = self._sql_page("SELECT m.id FROM meetings m JOIN documents d ON d.id = m.document_id "
                              "WHERE m.body_id = ?", org_id, window, "m.id", self.meeting, limit, offset)
        return self._with_deleted(body, "meetings", window, limit, offset, live, org_id)

    @staticmethod
    def _page(objects: list[dict[str, Any]], window: Window, limit: int, offset: int
              ) -> tuple[int, list[dict[str, Any]]]:
        kept = sorted((o for o in objects if window.keeps(o.get("created"), o.get("modified"))), key=lambda o: o["id"])
        return len(kept), kept[offset:offset + limit]

    def _sql_page(self, select: str, muni: Any, window: Window, key: str, build: Callable[[str], dict[str, Any]],
                  limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        """Page over the keys from `select` (fixed SQL; values bound), ordered by the key column. An object's
        created and modified are the first and last ingest of the documents it is read from (a Paper's from
        several), so the filters apply to those aggregates."""
        select += f" GROUP BY {key}"
        having, values = window.having("min(d.ingested_at)", "max(d.ingested_at)")
        if having:
            select += f" HAVING {having}"
        params = (muni, *values)
        total = run(self.conn, f"SELECT count(*) FROM ({select}) AS page", params).scalar_one()
        ids = [r[0] for r in run(self.conn, f"{select} ORDER BY {key} LIMIT ? OFFSET ?", (*params, limit, offset))]
        return total, [build(i) for i in ids]

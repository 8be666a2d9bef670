"""Reading the archive back: one item or meeting as plain data, exports, a document's original file,
counts, and the linked record (a case, a person, a body: referat.store.linked).

`Reading` is a base of `Archive` (referat.store.archive); it needs from the Archive what `Searching`
needs (an export with a query searches the index first).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from referat.dialect import run, sql_for
from referat.errors import NotFoundError
from referat.search import QueryError, parse_query
from referat.store import linked, record, schema
from referat.store.browse import as_date, iso, printed
from referat.store.matching import match_filters
from referat.store.searching import Filters, Searching


class Reading(Searching):
    """Items, meetings, exports, originals and counts (see the module docstring for what it needs)."""

    def item(self, item_id: str) -> dict[str, Any]:
        """One item with all its parts, as plain data."""
        with self.engine.connect() as conn:
            r = conn.execute(text(f"SELECT i.*, b.name AS committee, b.municipality, {_MEETING_SOURCE} "
                                  "FROM items i JOIN bodies b ON b.id = i.body_id "
                                  "JOIN meetings m ON m.id = i.meeting_id WHERE i.id = :id"),
                             {"id": item_id}).mappings().first()
            if r is None:
                raise NotFoundError(f"no item with id '{item_id}'")
            return self._item_dict(conn, r)

    def _item_dict(self, conn: Connection, r: Any) -> dict[str, Any]:
        pk = r["pk"]

        def rows(sql: str) -> list[Any]:
            return list(conn.execute(text(sql), {"pk": pk}).mappings())

        lists: dict[str, list[str]] = {k: [] for k in schema.ITEM_LIST_KINDS}
        links: list[dict[str, Any]] = []
        for x in rows("SELECT kind, text, url FROM item_lists WHERE item_pk = :pk ORDER BY kind, ord"):
            lists[x["kind"]].append(x["text"])
            if x["kind"] == "attachment":
                links.append({"title": x["text"], "url": x["url"]})
        # as printed: names or party letters ("A, F og Ø stemte for")
        votes = {"for": lists["vote_for"], "against": lists["vote_against"], "abstained": lists["vote_abstained"]}
        treat = linked.treatments(conn, [pk])[pk]
        return {
            "id": r["id"], "meeting_id": r["meeting_id"], "committee": r["committee"],
            "municipality": r["municipality"], "date": iso(r["date"]), "number": printed(r["label"]),
            "title": r["title"], "meeting_kind": r["meeting_kind"],
            "case_number": r["case_number"], "closed": bool(r["closed"]), "decision": r["decision"],
            "decision_kind": r["decision_kind"], "recommendation": lists["recommendation"],
            "recommending_body": r["recommending_body"],
            "absent": lists["absent"],
            "substitutes": [{"substitute": a, "for": b} for a, b in zip(lists["substitute"], lists["substituted"])],
            "votes": votes if any(votes.values()) else None,
            "case_key": r["case_key"],
            # each with its link status and targets (referat.link); referenced_by: items linking here
            "upcoming": treat["upcoming"], "related": treat["related"],
            "referenced_by": linked.referenced_by(conn, [r["id"]])[r["id"]],
            "attachments": lists["attachment"], "presenters": lists["presenter"],
            # the originals, where the source gives them: the meeting's page, the item's, each attachment's
            "source": _source(r), "url": r["url"], "attachment_links": links,
            "amounts_mio_kr": [x["mio_kr"] for x in rows("SELECT mio_kr FROM amounts WHERE item_pk = :pk ORDER BY ord")],
            "tables": [{"caption": x["caption"], "header": json.loads(x["header_json"]),
                        "rows": json.loads(x["rows_json"])}
                       for x in rows("SELECT caption, header_json, rows_json FROM item_tables WHERE item_pk = :pk "
                                     "ORDER BY ord")],
            "sections": [{"heading": x["heading"], "role": x["role"], "text": x["text"]}
                         for x in rows("SELECT heading, role, text FROM sections WHERE item_pk = :pk ORDER BY ord")],
        }

    def meeting(self, meeting_id: str) -> dict[str, Any]:
        """One meeting: header, participants, table of contents and its items (summaries)."""
        with self.engine.connect() as conn:
            m = conn.execute(text("SELECT m.*, b.name AS committee, b.municipality, d.path, d.url FROM meetings m "
                                  "JOIN bodies b ON b.id = m.body_id JOIN documents d ON d.id = m.document_id "
                                  "WHERE m.id = :id"), {"id": meeting_id}).mappings().first()
            if m is None:
                raise NotFoundError(f"no meeting with id '{meeting_id}'")
            parts = conn.execute(text("SELECT p.name, pa.party FROM participants pa JOIN people p ON p.id = pa.person_id "
                                      "WHERE pa.meeting_id = :id ORDER BY pa.ord"), {"id": meeting_id}).mappings()
            its = conn.execute(text("SELECT id, label, title, case_number, closed, decision_kind, decision, url "
                                    "FROM items WHERE meeting_id = :id ORDER BY pk"), {"id": meeting_id}).mappings()
            files = conn.execute(text("SELECT role, title, url, media_type, size, sha256, fetched_at FROM meeting_files "
                                      "WHERE meeting_id = :id ORDER BY role DESC, url"), {"id": meeting_id}).mappings()
            return {"id": m["id"], "kind": m["kind"], "body_id": m["body_id"], "committee": m["committee"],
                    "municipality": m["municipality"],
                    "date": iso(m["date"]), "start_time": m["start_time"], "location": m["location"],
                    "election_period": m["election_period"], "document_id": m["document_id"], "path": m["path"],
                    "document_url": m["url"], "source": _source(m), "files": [dict(f) for f in files],
                    "participants": [{"name": p["name"], "party": p["party"]} for p in parts],
                    "attendance": linked.meeting_attendance(conn, meeting_id),
                    "toc": json.loads(m["toc_json"]),
                    "items": [{"id": i["id"], "number": printed(i["label"]), "title": i["title"],
                               "case_number": i["case_number"], "closed": bool(i["closed"]),
                               "decision_kind": i["decision_kind"], "decision": i["decision"], "url": i["url"]}
                              for i in its]}

    def export(self, filters: Filters | None = None, query: str | None = None) -> Iterator[dict[str, Any]]:
        """Every item matching the filters (and the query, if given), in date order, as full records."""
        with self.engine.connect() as conn:
            cond, params = self._matching(conn, filters or Filters(), query)
            if cond is None:
                return
            sql = (f"SELECT i.*, b.name AS committee, b.municipality, {_MEETING_SOURCE} FROM items i "
                   f"JOIN bodies b ON b.id = i.body_id JOIN meetings m ON m.id = i.meeting_id{cond} ORDER BY {sql_for(conn).asc('i.date')}, i.meeting_id, i.pk")
            for r in conn.execute(text(sql), params).mappings():
                yield self._item_dict(conn, r)

    def export_meetings(self, filters: Filters | None = None, query: str | None = None) -> Iterator[dict[str, Any]]:
        """Whole meetings in the shape of the parse contract (DESIGN.md §3) plus their ids, in date order:
        every meeting, or with filters or a query those with at least one matching item."""
        filters = filters or Filters()
        with self.engine.connect() as conn:
            if filters == Filters() and not query:
                sql = f"SELECT m.id FROM meetings m ORDER BY {sql_for(conn).asc('m.date')}, m.id"
                params: dict[str, Any] = {}
            else:
                cond, params = self._matching(conn, filters, query)
                if cond is None:
                    return
                sql = (f"SELECT m.id FROM meetings m WHERE m.id IN (SELECT i.meeting_id FROM items i{cond}) "
                       f"ORDER BY {sql_for(conn).asc('m.date')}, m.id")
            for (meeting_id,) in conn.execute(text(sql), params).all():
                yield record.meeting_record(conn, meeting_id)

    def meeting_record(self, meeting_id: str) -> dict[str, Any]:
        """One meeting in the shape of the parse contract plus its ids (referat.store.record)."""
        with self.engine.connect() as conn:
            return record.meeting_record(conn, meeting_id)

    def _matching(self, conn: Connection, filters: Filters, query: str | None) -> tuple[str | None, dict[str, Any]]:
        """A WHERE clause over items i (fixed SQL) for the filters and the query, with its parameters;
        None when the query can match nothing."""
        where, params = self._filter_sql(conn, match_filters(conn, filters)[0])
        if query:
            q = parse_query(query)
            if not q.has_words:
                raise QueryError("export takes word queries; substring (*…*) search is for the search command")
            self._catch_up()
            searcher = self.search_index.searcher()
            tq = self._query(conn, searcher, q)
            if tq is None:
                return None, params
            n = searcher.search(tq, 1, count=True).count
            pks = [pk for pk, _ in searcher.search(tq, max(n, 1), count=False, order_by_field="pk").hits]
            # the matches go to a temporary table: a million pks are too many bound parameters
            conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS export_pks (pk INTEGER PRIMARY KEY)")
            conn.exec_driver_sql("DELETE FROM export_pks")
            if pks:
                run(conn, "INSERT INTO export_pks (pk) VALUES (?)", [(pk,) for pk in pks])
            where.append("i.pk IN (SELECT pk FROM export_pks)")
        return (" WHERE " + " AND ".join(where)) if where else "", params

    def original(self, doc_id: str) -> dict[str, Any]:
        """A document's original file as ingested: its bytes (`content`), `media_type`, `size`, `sha256`,
        `file_name` and where it came from (`path`, and `url` where a harvest fetched it)."""
        with self.engine.connect() as conn:
            r = run(conn, "SELECT d.id, d.path, d.url, d.size, d.media_type, o.content FROM documents d "
                          "LEFT JOIN originals o ON o.document_id = d.id WHERE d.id = ?", (doc_id,)).mappings().first()
        if r is None:
            raise NotFoundError(f"no document with id '{doc_id}'")
        if r["content"] is None:
            raise NotFoundError(f"document '{doc_id}' was ingested before originals were kept: ingest its file "
                                "again to add it (its text is at /api/documents/{id}/text)")
        return {"sha256": r["id"], "path": r["path"], "url": r["url"], "size": r["size"], "media_type": r["media_type"],
                "file_name": file_name(r["path"], r["media_type"]), "content": bytes(r["content"])}

    def stats(self) -> dict[str, Any]:
        """Counts of documents, meetings and items, and items per committee and year."""
        with self.engine.connect() as conn:
            one = lambda sql: conn.execute(text(sql)).scalar_one()  # noqa: E731
            per = conn.execute(text(
                "SELECT b.name AS committee, b.municipality, min(m.date) AS date, count(DISTINCT m.id) AS meetings, "
                "count(i.pk) AS items FROM meetings m JOIN bodies b ON b.id = m.body_id "
                "LEFT JOIN items i ON i.meeting_id = m.id "
                f"GROUP BY b.name, b.municipality, {sql_for(conn).year('m.date')} "
                f"ORDER BY b.name, {sql_for(conn).asc('min(m.date)')}")).mappings().all()
            return {
                "documents": one("SELECT count(*) FROM documents"),
                "meetings": one("SELECT count(*) FROM meetings"),
                "items": one("SELECT count(*) FROM items"),
                "warnings": one("SELECT count(*) FROM warnings"),
                "by_committee_year": [{"committee": r["committee"], "municipality": r["municipality"],
                                       "year": as_date(r["date"]).year if r["date"] else None,
                                       "meetings": r["meetings"], "items": r["items"]} for r in per],
            }

    # --- the linked record (referat.store.linked) ---------------------------------------------

    def case(self, number: str, municipality: str | None = None) -> dict[str, Any]:
        """A case's timeline across meetings and bodies, with resolved references and next steps."""
        with self.engine.connect() as conn:
            return linked.case(conn, number, municipality)

    def person(self, name_or_id: str) -> dict[str, Any]:
        """A person: parties over time, attendance per meeting and its rate, substitutions, votes."""
        with self.engine.connect() as conn:
            return linked.person(conn, name_or_id)

    def body(self, name_or_id: str, municipality: str | None = None) -> dict[str, Any]:
        """A committee or council: meetings by year, members over time."""
        with self.engine.connect() as conn:
            return linked.body(conn, name_or_id, municipality)



_EXTENSIONS = {"application/pdf": ".pdf", "application/json": ".json", "application/xml": ".xml", "text/html": ".html",
               "text/plain": ".txt", "text/markdown": ".md",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}


def file_name(path: str, media_type: str | None) -> str:
    """The name a document's original is saved under: the last part of its path or URL, with the
    extension its media type implies where it has none (a harvested meeting's URL ends in its id)."""
    if "://" in path:
        path = path.split("?", 1)[0].split("#", 1)[0]
    name = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or "dokument"
    ext = _EXTENSIONS.get((media_type or "").split(";", 1)[0].strip(), "")
    return name if "." in name or not ext else name + ext


_MEETING_SOURCE = "m.kind AS meeting_kind, m.source_system, m.source_url, m.source_id"


def _source(r: Any) -> dict[str, Any] | None:
    """The meeting's source as the record has it ({system, url, id}), None for a plain file."""
    if r["source_system"] is None:
        return None
    return {"system": r["source_system"], "url": r["source_url"], "id": r["source_id"]}



"""Parse record -> storage rows. Ids are hashed from natural keys so that re-ingesting is idempotent.

The identity rule: one meeting is one record whatever its stage. A meeting whose source names it (the
publication API's meeting id, an ESDH export's id) is keyed by that id; any other by municipality, body,
date and start time. The kind (agenda or minutes) is never part of the key, so the minutes of a meeting
replace its agenda, from files as from a harvest.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from referat import vocab
from referat.cases import case_key
from referat.link import infer_date, reference_numbers
from referat.model import Item, MeetingSource, ParsedDocument, Votes
from referat.names import body_key, is_person, person_key, presenter_name, stable_id
from referat.parse.structure import section_role
from referat.search import index_words
from referat.sources.record import StructuredItem, StructuredMeeting

_MUNICIPALITY = vocab.MUNICIPALITY.compile(0)
UNKNOWN_BODY = "Ukendt udvalg"


def municipality_of(text: str) -> str | None:
    """The municipality a document names most often ("Gladsaxe Kommune"), if any."""
    counts = Counter(m.group("name") for m in _MUNICIPALITY.finditer(text[:200_000]))
    return counts.most_common(1)[0][0] if counts else None


@dataclass(slots=True)
class Rows:
    """All rows of one document, ready to insert in one transaction. Child rows of an item carry the
    item's index in `items` until the item's integer pk is known."""

    document: dict[str, Any]
    body: dict[str, Any]
    meeting: dict[str, Any]
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    participants: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # table -> rows with "item"
    fts: list[dict[str, Any]] = field(default_factory=list)  # per item, in items order
    warnings: list[dict[str, Any]] = field(default_factory=list)
    original: dict[str, Any] | None = None  # the file's bytes (schema.originals), where they were kept

    def person(self, name: str) -> str:
        display, pid = person_key(name)
        self.people.setdefault(pid, {"id": pid, "name": display})
        return pid

    def child(self, table: str, item: int, **values: Any) -> None:
        self.children.setdefault(table, []).append({"item": item, **values})


def body_id_for(municipality: str | None, committee: str) -> str:
    return stable_id("body", (municipality or "").casefold(), committee.casefold())


def meeting_id_for(body_id: str, date: object, start_time: str | None, source: MeetingSource | None = None) -> str:
    """A meeting's stable id (the identity rule above). A source id that is a GUID (the publication
    API's) names the meeting in any installation; a shorter one (an ESDH system's running number) is
    taken within its body."""
    if source is not None and source.id:
        try:
            uuid.UUID(source.id)
            return stable_id("meeting", "source", source.system, source.id.lower())
        except ValueError:
            return stable_id("meeting", "source", source.system, body_id, source.id)
    return stable_id("meeting", body_id, date, start_time)


_LEADING_NUMBER = re.compile(r"\d+")


def item_number(label: int | str) -> int:
    """The integer an item sorts and links by: the number itself, or the first number of a printed
    label ("1.1" -> 1, "38a" -> 38; 0 for a label with no digits)."""
    if isinstance(label, int):
        return label
    m = _LEADING_NUMBER.search(label)
    return int(m.group()) if m else 0


def item_id_for(meeting_id: str, label: int | str, nth: int) -> str:
    """An item's stable id: meeting + number as printed (+ which occurrence of it, for a reprinted item).
    An integer-numbered item hashes exactly as before labels were kept ("3" and 3 give the same key)."""
    return stable_id("item", meeting_id, label, nth)


def _body_text(item: Item) -> str:
    return "\n".join(s.text for s in item.sections if is_body_section(s.heading))


@lru_cache(maxsize=65536)
def is_body_section(heading: str) -> bool:
    """Body text is every section but the decision and the recommendation (indexed on their own, with
    more weight). Cached: a rebuild of the search index asks for the same few headings millions of times."""
    return _role(heading) not in ("decision", "recommendation")


def _role(heading: str) -> str | None:
    found = section_role(heading) if heading else None
    return found[0] if found else None


def _structured_items(doc: ParsedDocument, record: StructuredMeeting | None) -> list[StructuredItem | None]:
    """For each parsed item, the structured source's item it was read from (matched by printed number,
    in order), or None: where the source gives URLs for an item and its attachments, they are kept."""
    if record is None:
        return [None] * len(doc.items)
    pending: dict[str, list[StructuredItem]] = {}
    for s in record.items:
        pending.setdefault(str(s.number), []).append(s)
    out: list[StructuredItem | None] = []
    for it in doc.items:
        queue = pending.get(str(it.number))
        out.append(queue.pop(0) if queue else None)
    return out


_CHARSETS = {"utf-8-sig": "utf-8", "cp1252": "windows-1252", "latin-1": "iso-8859-1", "utf-16": "utf-16"}
_MEDIA_TYPES = {"pdf": "application/pdf", "pdf-ocr": "application/pdf",
                "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "publication-api": "application/json", "text": "text/plain", "markdown": "text/markdown",
                "html": "text/html", "publication-web": "text/html"}


def media_type(fmt: str, encoding: str | None) -> str:
    """The media type of a document's original file, as an HTTP Content-Type: a text format with the
    charset it was decoded with ("text/plain; charset=windows-1252"); an ESDH export is XML."""
    base = _MEDIA_TYPES.get(fmt) or ("application/xml" if fmt.endswith("-xml") else "application/octet-stream")
    if not base.startswith("text/") or not encoding:
        return base
    # "utf-8 with 3 stray bytes read as cp1252": mostly UTF-8, which is what a browser should try
    charset = "utf-8" if encoding.startswith("utf-8") else _CHARSETS.get(encoding, encoding)
    return f"{base}; charset={charset}"


def document_rows(doc: ParsedDocument, *, sha256: str, path: str, text: str, fmt: str, encoding: str | None,
                  size: int, now: str, municipality: str | None = None, url: str | None = None,
                  fetched_at: str | None = None, record: StructuredMeeting | None = None,
                  original: bytes | None = None, original_type: str | None = None) -> Rows:
    """`url`/`fetched_at`: where and when a harvest fetched the document; `record`: the structured source
    the document was read from, for the URLs of items and attachments the parse record does not carry;
    `original`: the file's bytes, kept verbatim (their hash must be `sha256`), with their media type
    (`original_type`, else the one the format implies)."""
    if original is not None and hashlib.sha256(original).hexdigest() != sha256:
        raise ValueError(f"{path}: the original's bytes do not hash to the document's id (changed while read?)")
    m = doc.meeting
    municipality = municipality or doc.source.get("municipality") or municipality_of(text)
    body_name = m.committee or UNKNOWN_BODY
    body_id = body_id_for(municipality, body_name)
    meeting_id = meeting_id_for(body_id, m.date, m.start_time, m.source)
    src = m.source
    rows = Rows(
        document={"id": sha256, "path": path, "format": fmt, "encoding": encoding, "size": size, "text": text,
                  "ingested_at": now, "url": url, "fetched_at": fetched_at,
                  "media_type": None if original is None else original_type or media_type(fmt, encoding)},
        original=None if original is None else {"document_id": sha256, "content": original},
        body={"id": body_id, "name": body_name, "municipality": municipality, "key": body_key(body_name)},
        meeting={"id": meeting_id, "document_id": sha256, "body_id": body_id, "kind": m.kind, "date": m.date,
                 "start_time": m.start_time, "location": m.location, "election_period": m.election_period,
                 "toc_json": json.dumps([t.model_dump() for t in m.toc], ensure_ascii=False), "committee": m.committee,
                 "source_system": src.system if src else None, "source_url": src.url if src else None,
                 "source_id": src.id if src else None},
    )
    for i, p in enumerate(m.participants):
        rows.participants.append({"meeting_id": meeting_id, "ord": i, "person_id": rows.person(p.name),
                                  "party": p.party, "name": p.name})
    seen_numbers: Counter[str] = Counter()
    for idx, (it, structured) in enumerate(zip(doc.items, _structured_items(doc, record))):
        label = str(it.number)
        seen_numbers[label] += 1
        # the same number twice in one document (a reprinted item) still gets its own id
        item_id = item_id_for(meeting_id, label, seen_numbers[label])
        rows.items.append({"id": item_id, "meeting_id": meeting_id, "number": item_number(it.number), "label": label,
                           "title": it.title, "case_number": it.case_number,
                           "case_key": case_key(it.case_number, m.date.year if m.date else None), "closed": it.closed,
                           "decision": it.decision, "decision_kind": it.decision_kind,
                           "recommending_body": it.recommending_body, "url": structured.url if structured else None,
                           "body_id": body_id, "date": m.date, "year": m.date.year if m.date else None})
        for i, s in enumerate(it.sections):
            rows.child("sections", idx, ord=i, heading=s.heading, role=s.role, text=s.text)
        attachment_urls = {a.title: a.url for a in structured.attachments if a.url} if structured else {}
        votes = it.votes or Votes()
        for kind, values in (("recommendation", it.recommendation), ("attachment", it.attachments),
                             ("presenter", it.presenters), ("absent", it.absent),
                             ("substitute", [s.substitute for s in it.substitutes]),
                             ("substituted", [s.for_ for s in it.substitutes]), ("vote_for", votes.for_),
                             ("vote_against", votes.against), ("vote_abstained", votes.abstained)):
            for i, v in enumerate(values):
                rows.child("item_lists", idx, kind=kind, ord=i, text=v,
                           url=attachment_urls.get(v) if kind == "attachment" else None)
        for name in filter(is_person, it.absent):
            rows.child("attendance", idx, person_id=rows.person(name), status="absent", for_person_id=None)
        for s in it.substitutes:
            rows.child("attendance", idx, person_id=rows.person(s.substitute), status="substitute",
                       for_person_id=rows.person(s.for_))
        if it.votes:
            for vote, names in (("for", it.votes.for_), ("against", it.votes.against),
                                ("abstained", it.votes.abstained)):
                for name in filter(is_person, names):  # "A og F stemte for" names parties, not people
                    rows.child("votes", idx, person_id=rows.person(name), vote=vote)
        for i, r in enumerate(it.related):
            rows.child("treatments", idx, direction="related", ord=i, body=r.body, date=r.date,
                       item_number=r.item, raw=r.raw, body_key=body_key(r.body),
                       target_date=infer_date(r.raw, r.date, m.date),
                       item_numbers=",".join(map(str, reference_numbers(r.raw, r.item))))
        for i, u in enumerate(it.upcoming):
            rows.child("treatments", idx, direction="upcoming", ord=i, body=u.body, date=u.date, item_number=None,
                       raw=None, body_key=body_key(u.body), target_date=u.date, item_numbers="")
        for i, text in enumerate(it.presenters):
            if name := presenter_name(text):
                rows.child("presenters", idx, ord=i, person_id=rows.person(name))
        for i, a in enumerate(it.amounts_mio_kr):
            rows.child("amounts", idx, ord=i, mio_kr=a)
        for i, t in enumerate(it.tables):
            rows.child("item_tables", idx, ord=i, caption=t.caption, header_json=json.dumps(t.header, ensure_ascii=False),
                       rows_json=json.dumps(t.rows, ensure_ascii=False))
        # the search index's texts (it stems them as it indexes: referat.store.index) and the title and
        # decision words as written, for substring searches (the archive's words table)
        rows.fts.append({"title": it.title, "decision": it.decision or "",
                         "recommendation": "\n".join(it.recommendation), "body": _body_text(it),
                         "words": set(index_words(f"{it.title} {it.decision or ''}"))})
    for w in doc.warnings:
        rows.warnings.append({"document_id": sha256, "line": w.line, "message": w.message})
    return rows

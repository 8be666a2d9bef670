"""The storage schema (SQLAlchemy Core). Not the parse record: see rows.py for the mapping.

Ids are stable hashes of natural keys (documents: content hash; bodies: municipality + name;
meetings: the source system's meeting id where it has one, else body + date + start time, never the
kind, so minutes replace the agenda of the same meeting; items: meeting + number as printed), so
re-ingesting creates no duplicates (referat.store.rows).
Items also carry an integer `pk`, the rowid the full-text tables point at.

Full-text search: words are in a tantivy index beside the database file (referat.store.index);
the trigram table for substrings (SQLite FTS5) is created by the migration, not here: SQLAlchemy
has no notion of virtual tables.
"""

from __future__ import annotations

from sqlalchemy import (Boolean, Column, Date, Float, ForeignKey, Index, Integer, LargeBinary, MetaData,
                        PrimaryKeyConstraint, String, Table, Text)

metadata = MetaData()

documents = Table(
    "documents", metadata,
    Column("id", String(64), primary_key=True),  # sha256 of the file's bytes
    Column("path", Text, nullable=False),
    Column("format", String(16), nullable=False),
    Column("encoding", String(32)),
    Column("size", Integer, nullable=False),
    Column("text", Text, nullable=False),  # the original text, verbatim
    Column("ingested_at", String(32), nullable=False),
    # where a harvest fetched it (the response's URL) and when; None for a file read from disk
    Column("url", Text),
    Column("fetched_at", String(32)),
    # the original's media type as served ("application/pdf", "text/plain; charset=utf-8"); None for a
    # document ingested before originals were kept (migration 0007), which has no row in `originals`
    Column("media_type", String(255)),
)
Index("ix_documents_path", documents.c.path)

# The original file of each document, byte for byte (its hash is the document's id, its size and media
# type are on `documents`). A table of its own so that reading documents never drags the bytes along.
originals = Table(
    "originals", metadata,
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)

bodies = Table(
    "bodies", metadata,
    Column("id", String(16), primary_key=True),
    Column("name", Text, nullable=False),
    Column("municipality", Text),
    Column("key", Text),  # the name reduced for matching references (referat.names.body_key)
)
Index("ix_bodies_key", bodies.c.municipality, bodies.c.key)

meetings = Table(
    "meetings", metadata,
    Column("id", String(16), primary_key=True),
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("body_id", String(16), ForeignKey("bodies.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("date", Date),
    Column("start_time", String(5)),
    Column("location", Text),
    Column("election_period", String(9)),
    Column("toc_json", Text, nullable=False, default="[]"),
    # the committee as the document printed it (None where it names none); the body's name is the first
    # spelling ingested, and "Ukendt udvalg" stands for none
    Column("committee", Text),
    # where a structured source or a harvest says the meeting comes from (the record's meeting.source)
    Column("source_system", String(32)),
    Column("source_url", Text),
    Column("source_id", Text),
)
Index("ix_meetings_document", meetings.c.document_id)
Index("ix_meetings_source", meetings.c.source_system, meetings.c.source_id)
Index("ix_meetings_body_date", meetings.c.body_id, meetings.c.date)

people = Table(
    "people", metadata,
    Column("id", String(16), primary_key=True),
    Column("name", Text, nullable=False),
)

participants = Table(
    "participants", metadata,
    Column("meeting_id", String(16), ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
    Column("ord", Integer, nullable=False),
    Column("person_id", String(16), ForeignKey("people.id"), nullable=False),
    Column("party", Text),
    Column("name", Text),  # as printed (the person's name is one display form of every spelling)
)
Index("ix_participants_meeting", participants.c.meeting_id)
Index("ix_participants_person", participants.c.person_id)

items = Table(
    "items", metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("id", String(16), nullable=False, unique=True),
    Column("meeting_id", String(16), ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),  # for sorting and linking: the leading integer of `label`
    Column("label", Text),  # the number as printed ("3", "1.1", "38a")
    Column("title", Text, nullable=False),
    Column("case_number", Text),
    Column("case_key", Text),  # the case number normalized (referat.cases.case_key): one key per case
    Column("closed", Boolean, nullable=False),
    Column("decision", Text),
    Column("decision_kind", String(32)),
    Column("recommending_body", Text),
    Column("url", Text),  # the item's own page or PDF in the source system, where the source gives one
    # denormalized from the meeting for fast filtering and date-ordered search
    Column("body_id", String(16), nullable=False),
    Column("date", Date),
    Column("year", Integer),
)
Index("ix_items_meeting", items.c.meeting_id)
Index("ix_items_case", items.c.case_number)
Index("ix_items_case_key", items.c.case_key)
Index("ix_items_body_date", items.c.body_id, items.c.date)
Index("ix_items_date", items.c.date)
Index("ix_items_kind", items.c.decision_kind)

sections = Table(
    "sections", metadata,
    Column("item_pk", Integer, ForeignKey("items.pk", ondelete="CASCADE"), nullable=False),
    Column("ord", Integer, nullable=False),
    Column("heading", Text, nullable=False),
    Column("role", String(32), nullable=False, server_default="other"),  # the stable English name (model.Section)
    Column("text", Text, nullable=False),
)
Index("ix_sections_item", sections.c.item_pk)

# One table for the small ordered lists of an item, each entry as printed: recommendation points,
# attachments, presenters, absentees, substitutes (a `substitute` and its `substituted` share one ord) and
# votes (`vote_for`, `vote_against`, `vote_abstained`: names or party letters). `kind` says which list.
# The people among them are resolved into attendance, votes and presenters (the linked record); these
# rows keep what the minutes say, party letters and all.
ITEM_LIST_KINDS = ("recommendation", "attachment", "presenter", "absent", "substitute", "substituted", "vote_for",
                   "vote_against", "vote_abstained")
item_lists = Table(
    "item_lists", metadata,
    Column("item_pk", Integer, ForeignKey("items.pk", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # one of ITEM_LIST_KINDS
    Column("ord", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("url", Text),  # an attachment's URL where the source gives one
)
Index("ix_item_lists_item", item_lists.c.item_pk)

attendance = Table(
    "attendance", metadata,
    Column("item_pk", Integer, ForeignKey("items.pk", ondelete="CASCADE"), nullable=False),
    Column("person_id", String(16), ForeignKey("people.id"), nullable=False),
    Column("status", String(16), nullable=False),  # absent | substitute
    Column("for_person_id", String(16), ForeignKey("people.id")),
)
Index("ix_attendance_item", attendance.c.item_pk)
Index("ix_attendance_person", attendance.c.person_id)

votes = Table(
    "votes", metadata,
    Column("item_pk", Integer, ForeignKey("items.pk", ondelete="CASCADE"), nullable=False),
    Column("person_id", String(16), ForeignKey("people.id"), nullable=False),
    Column("vote", String(16), nullable=False),  # for | against | abstained
)
Index("ix_votes_item", votes.c.item_pk)
Index("ix_votes_person", votes.c.person_id)

treatments = Table(
    "treatments", metadata,
    Column("item_pk", Integer, ForeignKey("items.pk", ondelete="CASCADE"), nullable=False),
    Column("direction", String(8), nullable=False),  # related (earlier) | upcoming (next)
    Column("ord", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("date", Date),
    Column("item_number", Integer),
    Column("raw", Text),
    # for the linker (referat.link): the body name reduced for matching, the date with the year inferred
    # when printed without one ("05.10, punkt 3"), and every item number ("punkt 1 og 8" -> "1,8")
    Column("body_key", Text),
    Column("target_date", Date),
    Column("item_numbers", Text),
)
Index("ix_treatments_item", treatments.c.item_pk)
Index("ix_treatments_target", treatments.c.body_key, treatments.c.target_date)

# Resolved treatments, computed by the linker from treatments and the archive's meetings: one row per
# target ("punkt 1 og 8" gives two). `target_item_id` is None when only the meeting is known (the
# reference names no item); a treatment with no row here is unresolved (its target is not archived).
links = Table(
    "links", metadata,
    Column("item_pk", Integer, ForeignKey("items.pk", ondelete="CASCADE"), nullable=False),
    Column("direction", String(8), nullable=False),  # related | upcoming, as in treatments
    Column("ord", Integer, nullable=False),  # the treatment's ord
    Column("sub", Integer, nullable=False),  # the n-th item number of the reference
    Column("target_meeting_id", String(16), nullable=False),
    Column("target_item_id", String(16)),
)
Index("ix_links_item", links.c.item_pk)
Index("ix_links_target_item", links.c.target_item_id)
Index("ix_links_target_meeting", links.c.target_meeting_id)

# Officials presenting an item (Deltager i sagens behandling), where a name could be read
presenters = Table(
    "presenters", metadata,
    Column("item_pk", Integer, ForeignKey("items.pk", ondelete="CASCADE"), nullable=False),
    Column("ord", Integer, nullable=False),
    Column("person_id", String(16), ForeignKey("people.id"), nullable=False),
)
Index("ix_presenters_item", presenters.c.item_pk)
Index("ix_presenters_person", presenters.c.person_id)

# KLE code -> title, loaded from the user's own file (KL licenses the titles; none are shipped)
kle = Table(
    "kle", metadata,
    Column("code", String(16), primary_key=True),
    Column("title", Text, nullable=False),
)

amounts = Table(
    "amounts", metadata,
    Column("item_pk", Integer, ForeignKey("items.pk", ondelete="CASCADE"), nullable=False),
    Column("ord", Integer, nullable=False),
    Column("mio_kr", Float, nullable=False),
)
Index("ix_amounts_item", amounts.c.item_pk)

item_tables = Table(
    "item_tables", metadata,
    Column("item_pk", Integer, ForeignKey("items.pk", ondelete="CASCADE"), nullable=False),
    Column("ord", Integer, nullable=False),
    Column("caption", Text),
    Column("header_json", Text, nullable=False),
    Column("rows_json", Text, nullable=False),
)
Index("ix_item_tables_item", item_tables.c.item_pk)

# Files a harvest fetched beside a meeting's record (--files): the meeting's PDF and its attachments, the
# bytes verbatim. Keyed by the meeting's stable id and the URL, with no foreign key: a changed record
# replaces the meeting's rows, and the files it already has stay.
meeting_files = Table(
    "meeting_files", metadata,
    Column("meeting_id", String(16), nullable=False),
    Column("url", Text, nullable=False),
    Column("role", String(16), nullable=False),  # meeting | attachment
    Column("title", Text),
    Column("sha256", String(64), nullable=False),
    Column("media_type", String(128)),
    Column("size", Integer, nullable=False),
    Column("fetched_at", String(32), nullable=False),
    Column("content", LargeBinary, nullable=False),
    PrimaryKeyConstraint("meeting_id", "url"),
)

# A harvest's bookkeeping, apart from the record: per host and source meeting id, what was fetched last
# (the response's hash, whether the system says the meeting is finished), for the incremental rule
# (referat.harvest). `status` is stored or refused (a response that is no meeting, e.g. a Q&A container).
harvested = Table(
    "harvested", metadata,
    Column("host", Text, nullable=False),
    Column("source_id", Text, nullable=False),
    Column("meeting_date", Date),
    Column("finished", Boolean, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text),
    Column("fetched_at", String(32), nullable=False),
    PrimaryKeyConstraint("host", "source_id"),
)

warnings = Table(
    "warnings", metadata,
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("line", Integer),
    Column("message", Text, nullable=False),
)
Index("ix_warnings_document", warnings.c.document_id)

# Every word (lowercased, as referat.search.index_words splits them) of any item's title or decision:
# a substring search (*klub*) finds its words here and asks the index's `words` field for them. Words
# are never deleted (one no item holds any more matches nothing); rowids only grow, so max(rowid) tells
# a reader whether its cached copy is current (on PostgreSQL, max(seq): migration 0005).
words = Table("words", metadata, Column("word", Text, primary_key=True))

FTS_COLUMNS = ("title", "decision", "recommendation", "body")
FTS_WEIGHTS = (10.0, 5.0, 3.0, 1.0)  # bm25 weights: a title hit outranks a body hit

# The change log: one row each time ingest adds an item, changes its title, decision or decision kind
# (a replaced record), or drops it; `seq` only grows, so "what is new since" is `seq > n`. Feeds and
# alerts read it (referat.feeds); the row keeps the item's state then (and before, for a change), so a
# replaced record leaves its history. Filled by referat.store.changes; migration 0008.
changes = Table(
    "changes", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),  # the ingest's time (documents.ingested_at), ISO 8601 UTC
    Column("kind", String(8), nullable=False),  # new | changed | removed
    Column("item_id", String(16), nullable=False),
    Column("meeting_id", String(16), nullable=False),
    Column("body_id", String(16), nullable=False),
    Column("case_key", Text),
    Column("date", Date),
    Column("label", Text),
    Column("title", Text, nullable=False),
    Column("decision", Text),
    Column("decision_kind", String(32)),
    Column("before_title", Text),
    Column("before_decision", Text),
    Column("before_kind", String(32)),
)
Index("ix_changes_item", changes.c.item_id)
Index("ix_changes_body", changes.c.body_id, changes.c.seq)
Index("ix_changes_case", changes.c.case_key)

# Documents not kept (migration 0011): replaced by a newer document of their meeting (`replaced`), or
# skipped in favour of the stored one (`same_text`: the same meeting word for word from another file;
# `minutes`: an agenda of a meeting whose minutes are archived). Ingest skips a file whose hash is here
# (referat.store.superseded), so that two versions of one meeting in one folder do not swap on every
# rerun; `by_document` is the document stored instead then (it may be superseded itself since).
superseded = Table(
    "superseded", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("path", Text, nullable=False),
    Column("meeting_id", String(16), nullable=False),
    Column("by_document", String(64), nullable=False),
    Column("reason", String(16), nullable=False),  # replaced | same_text | minutes
    Column("at", String(32), nullable=False),  # the ingest's time (the new document's ingested_at)
)

# OParl tombstones (migrations 0012, 0013): an OParl object a replaced document took away (its File, a
# Meeting whose id the new version does not keep, an AgendaItem or Consultation absent from it, their
# Location, a Paper, Membership, Person or Organization nothing stored carries any more), so that OParl
# serves it with `deleted: true` (referat.oparl) instead of a 404. `body` is the OParl Body (municipality)
# id, `object_id` the id in the object's URL (a Paper's: its case key). A row goes when its object comes
# back. Filled by referat.store.tombstones.
oparl_deleted = Table(
    "oparl_deleted", metadata,
    Column("kind", String(16), nullable=False),  # tombstones.KINDS: file, meeting, …, person, organization
    Column("object_id", Text, nullable=False),
    Column("body", String(16), nullable=False),
    Column("created", String(32), nullable=False),  # the object's created, as OParl served it
    Column("deleted_at", String(32), nullable=False),  # its `modified` now: the replacing ingest's time
    Column("organization", String(16)),  # a meeting's committee, for its Organization's meeting list (0013)
    PrimaryKeyConstraint("kind", "object_id"),
)
Index("ix_oparl_deleted_body", oparl_deleted.c.body, oparl_deleted.c.kind, oparl_deleted.c.deleted_at)

# Saved searches (referat watch): the query and filters, where to post what is new, and how far the
# last run got (`last_seq`, None before the first run, which only records the starting point).
watches = Table(
    "watches", metadata,
    Column("name", String(200), primary_key=True),
    Column("query", Text, nullable=False),
    Column("filters_json", Text, nullable=False, default="{}"),
    Column("webhook", Text),
    Column("created_at", String(32), nullable=False),
    Column("last_seq", Integer),
    Column("last_run", String(32)),
)

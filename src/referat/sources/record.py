"""What a structured source gives: a meeting's fields as the source states them, before field extraction.

The readers of structured formats (the publication API's meeting JSON, SBSYS/eDoc/Acadre XML exports, a
meeting web page read from its DOM) fill these plain records; `referat.parse.structured` turns one into
the parse record through the same field extractors as text (decision kind, votes, attendance, amounts,
references), so that both roads give the same fields for the same meeting. Readers never import `parse`.

Every value is as the source prints it (whitespace tidied); None where the source does not say.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(slots=True)
class StructuredSection:
    """One section of an item: its printed heading ('' for text under no heading) and its text as lines
    (HTML already turned into text lines by the reader; tables as tab-separated rows, paragraphs apart by
    a blank line). `role` only where the source marks what the section is by its place rather than by a
    heading (the publication API prints a closed item's decision alone, under no heading): None lets the
    parser read the role from the heading, as for text."""

    heading: str
    text: str
    role: str | None = None


@dataclass(slots=True)
class StructuredAttachment:
    """An attachment as listed; `id` is the source system's id for it (a harvest that knows the system's
    URL scheme makes its URL from it), `url` a link the source itself gives."""

    title: str
    url: str | None = None
    id: str | None = None


@dataclass(slots=True)
class StructuredParticipant:
    """A member as the source lists them; `absent` where the source flags absence or cancellation
    (`note` says how: "Afbud", "Fraværende", …)."""

    name: str
    party: str | None = None
    absent: bool = False
    note: str | None = None


@dataclass(slots=True)
class StructuredItem:
    """One agenda item. `number` as printed (int where it is one, "1.1" for a sub-item). `closed` None
    where the source does not mark it (the title may still say "Lukket:"). `decision` only where the
    source has a decision field apart from the sections; otherwise the sections' Beslutning is read.
    `absent` lists members the source says were absent for this item (an attendee list with a reason)."""

    number: int | str
    title: str
    case_number: str | None = None
    closed: bool | None = None
    sections: list[StructuredSection] = field(default_factory=list)
    decision: str | None = None
    attachments: list[StructuredAttachment] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    url: str | None = None
    id: str | None = None


@dataclass(slots=True)
class StructuredMeeting:
    """One meeting from a structured source. `system` names the source ("publication-api", "sbsys-xml",
    "edoc-xml", "acadre-xml", "publication-web"); `id` is that system's meeting id and `url` the meeting's
    page for people. `kind` None lets the parser decide (minutes where decisions are printed).
    `documents` are meeting-level files (an SBSYS enclosure numbered 0), not items."""

    system: str
    committee: str | None
    date: dt.date | None
    start_time: str | None = None
    location: str | None = None
    kind: str | None = None
    id: str | None = None
    url: str | None = None
    host: str | None = None
    municipality: str | None = None
    election_period: str | None = None
    supplementary: bool = False
    participants: list[StructuredParticipant] = field(default_factory=list)
    items: list[StructuredItem] = field(default_factory=list)
    documents: list[StructuredAttachment] = field(default_factory=list)

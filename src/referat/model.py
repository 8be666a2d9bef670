"""The parse record: one meeting as read from one document.

This is the parse contract of DESIGN.md §3, not the storage schema. Field
docstrings say what each value holds; `to_contract()` gives exactly the JSON
shape `referat parse --format json` prints.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DecisionKind = Literal["approved", "approved_with_changes", "recommended", "rejected", "postponed", "referred",
                       "noted", "other"]
DocumentKind = Literal["minutes", "agenda"]


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class Participant(_Model):
    name: str
    party: str | None = None


class TocEntry(_Model):
    title: str
    page: int | None = None


class Substitute(_Model):
    """`substitute` sat in for `for_` (printed "X deltog i stedet for Y")."""

    substitute: str
    for_: str = Field(alias="for")


class Votes(_Model):
    """Names (or party letters, as printed) voting for, against, or abstaining."""

    for_: list[str] = Field(default_factory=list, alias="for")
    against: list[str] = Field(default_factory=list)
    abstained: list[str] = Field(default_factory=list)


class Treatment(_Model):
    """A planned next treatment ("Kommende behandlingsforløb"): body and date."""

    body: str
    date: dt.date | None = None


class Reference(_Model):
    """An earlier treatment ("Relateret behandling"). `date` is None when printed without a year;
    `item` is the first item number when several are given ("punkt 1 og 8")."""

    body: str
    date: dt.date | None = None
    item: int | None = None
    raw: str


class Table(_Model):
    """A tab-separated table: first line is the header; cell text as printed."""

    caption: str | None = None
    header: list[str]
    rows: list[list[str]]


class Section(_Model):
    """A named section of an item, in printed order; `heading` '' holds text before any heading.
    `heading` keeps the printed name; `role` is its stable English name (`decision`, `recommendation`,
    `case`, `summary`, `economy`, `attachments`, …, or `other` for a heading not in the vocabulary)."""

    heading: str
    role: str = "other"
    text: str


class Item(_Model):
    """`number` as printed: an integer where it is one, else the printed string ("1.1", "38a")."""

    number: int | str
    title: str
    case_number: str | None = None
    closed: bool = False
    decision: str | None = None
    decision_kind: DecisionKind | None = None
    recommendation: list[str] = Field(default_factory=list)
    recommending_body: str | None = None
    absent: list[str] = Field(default_factory=list)
    substitutes: list[Substitute] = Field(default_factory=list)
    votes: Votes | None = None
    upcoming: list[Treatment] = Field(default_factory=list)
    related: list[Reference] = Field(default_factory=list)
    attachments: list[str] = Field(default_factory=list)
    presenters: list[str] = Field(default_factory=list)
    amounts_mio_kr: list[float] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)


class MeetingSource(_Model):
    """Where a structured source or a harvest says the meeting comes from: `system` ("publication-api",
    "sbsys-xml", …), the meeting page `url`, the system's meeting `id`."""

    system: str
    url: str | None = None
    id: str | None = None


class Meeting(_Model):
    kind: DocumentKind
    committee: str | None = None
    election_period: str | None = None
    date: dt.date | None = None
    start_time: str | None = None
    location: str | None = None
    participants: list[Participant] = Field(default_factory=list)
    toc: list[TocEntry] = Field(default_factory=list)
    source: MeetingSource | None = None


class ParseWarning(_Model):
    line: int | None = None
    message: str


class ParsedDocument(_Model):
    """One document read into one meeting. `source` carries provenance outside the contract."""

    meeting: Meeting
    items: list[Item] = Field(default_factory=list)
    warnings: list[ParseWarning] = Field(default_factory=list)
    source: dict[str, Any] = Field(default_factory=dict, exclude=True)

    def to_contract(self) -> dict[str, Any]:
        """The JSON of DESIGN.md §3: every key present, dates ISO, `for` spelled as such."""
        return self.model_dump(mode="json", by_alias=True)

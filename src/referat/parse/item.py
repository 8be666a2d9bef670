"""Assemble one agenda item from its raw block: an ordered list of small named field extractors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from referat import vocab
from referat.model import Item, ParseWarning, Section, Substitute
from referat.parse import amounts, attendance, decision, lists, recommendation, references, tables
from referat.parse.structure import RawItem, RawSection
from referat.parse.text import joined, squash, verbatim

_CLOSED_TITLE = vocab.CLOSED_TITLE.compile()
_OPEN_TITLE = vocab.OPEN_TITLE.compile()
_CLOSED_WHOLE = vocab.CLOSED_WHOLE.compile()
_CLOSED_SUFFIX = vocab.CLOSED_SUFFIX.compile()


@dataclass(frozen=True, slots=True)
class ItemContext:
    """What the field extractors read: the raw item, the meeting's committee and header absences, and
    the decision text (computed once, used by several extractors)."""

    raw: RawItem
    committee: str | None
    meeting_absent: tuple[str, ...]
    meeting_substitutes: tuple[Substitute, ...]  # the header's "Stedfortrædere:" list, for every item
    texts: tuple[str, ...]  # each section's text as printed, in order (computed once)
    section: RawSection | None  # the decision (or announcement) section
    decision: str | None
    said: list[str]  # sentences of the decision and attendance sections


def public_role(role: str | None) -> str:
    """The section's stable name in the record: the vocabulary's role, `other` for a heading outside it
    (and for text before any heading); the 2013 layout's repeated-title marker is not a role of its own."""
    return "other" if role in (None, "repeat_title") else role


def title_and_closed(title: str) -> tuple[str, bool]:
    """"Lukket: Lukkede meddelelser" -> ("Lukkede meddelelser", True); "Lukket" stays as the title;
    "Budget 2025 (Åben)" -> ("Budget 2025", False)."""
    t = squash(title)
    if _CLOSED_WHOLE.match(t):
        return t, True
    m = _CLOSED_TITLE.match(t) or _CLOSED_SUFFIX.match(t)
    if m:
        return squash(m.group("title")), True
    m = _OPEN_TITLE.match(t)
    if m:
        return squash(m.group("title") or m.group("before")), False
    return t, False


def _tables(c: ItemContext) -> dict[str, Any]:
    found = [t for s, text in zip(c.raw.sections, c.texts) if "\t" in text for t in tables.tables(s.lines)]
    return {"tables": found}


def _recommendation(c: ItemContext) -> dict[str, Any]:
    points, body = recommendation.recommendation(c.raw)
    return {"recommendation": points, "recommending_body": body}


def _related(c: ItemContext) -> dict[str, Any]:
    refs, unread = references.related(c.raw)
    warnings = [ParseWarning(line=c.raw.no, message=f"item {c.raw.number}: 'Relateret behandling' line not read "
                             f"as a reference (body, date, item): '{line}'") for line in unread]
    return {"related": refs, WARNINGS: warnings}


# The extractors, in order. Each is named, takes the context and returns the fields it fills (and,
# under the WARNINGS key, anything it could not read).
WARNINGS = "warnings"
FIELDS: tuple[tuple[str, Callable[[ItemContext], dict[str, Any]]], ...] = (
    ("decision", lambda c: {"decision": c.decision}),
    ("decision_kind", lambda c: {"decision_kind": decision.decision_kind(c.section)}),
    ("recommendation", _recommendation),
    ("absent", lambda c: {"absent": attendance.absent(c.raw, c.said, list(c.meeting_absent))}),
    ("substitutes", lambda c: {"substitutes": [*c.meeting_substitutes, *(
        s for s in attendance.substitutes(c.said) if s not in c.meeting_substitutes)]}),
    ("votes", lambda c: {"votes": attendance.votes(c.said)}),
    ("upcoming", lambda c: {"upcoming": references.upcoming(c.raw)}),
    ("related", _related),
    ("attachments", lambda c: {"attachments": lists.attachments(c.raw)}),
    ("presenters", lambda c: {"presenters": lists.presenters(c.raw)}),
    ("amounts_mio_kr", lambda c: {"amounts_mio_kr": amounts.amounts_mio_kr([c.raw.title, *c.texts])}),
    ("tables", _tables),
)


def build_item(raw: RawItem, committee: str | None, meeting_absent: list[str],
               disabled: frozenset[str] = frozenset(), meeting_substitutes: Sequence[Substitute] = ()
               ) -> tuple[Item, list[ParseWarning]]:
    """Run every enabled field extractor over one raw item. `disabled` switches extractors off by name."""
    section = decision.decision_section(raw, committee)
    texts = tuple(verbatim(s.lines) for s in raw.sections)
    ctx = ItemContext(raw, committee, tuple(meeting_absent), tuple(meeting_substitutes), texts, section,
                      joined(section.lines) if section else None, attendance.statements(raw, section))
    title, closed = title_and_closed(raw.title)
    closed = closed or raw.closed_line is not None
    values: dict[str, Any] = {}
    warnings: list[ParseWarning] = []
    for name, fn in FIELDS:
        if name not in disabled:
            found = fn(ctx)
            warnings.extend(found.pop(WARNINGS, []))
            values.update(found)
    sections = [Section(heading=s.heading, role=public_role(s.role), text=text) for s, text in zip(raw.sections, texts)]
    item = Item(number=raw.number, title=title, case_number=raw.case_number, closed=closed,
                sections=sections, **values)
    return item, warnings

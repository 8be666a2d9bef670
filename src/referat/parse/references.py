"""Earlier treatments (Relateret behandling) and planned next ones (Kommende behandlingsforløb)."""

from __future__ import annotations

import datetime as dt

from referat import vocab
from referat.danish import NUMERIC_DATE, parse_date
from referat.model import Reference, Treatment
from referat.parse.structure import RawItem
from referat.parse.text import squash

_REFERENCE = vocab.REFERENCE.compile(0)
_UPCOMING = vocab.UPCOMING.compile(0)
_BODY_ONLY = vocab.UPCOMING_BODY_ONLY.compile(0)


def _lines(item: RawItem, role: str) -> list[str]:
    return [squash(ln.text) for s in item.sections if s.role == role for ln in s.lines if not ln.blank]


def _reference_date(raw: str) -> dt.date | None:
    """A date with a year ("05.03.2024", "24. januar 2024"), or None for "05.10" (year left for the
    linker to infer)."""
    m = NUMERIC_DATE.search(raw)
    if m and not m.group(3):
        return None
    return parse_date(raw)


def _body(text: str) -> str:
    return squash(text).strip(" ,.;:-–")


def related(item: RawItem) -> tuple[list[Reference], list[str]]:
    """(references, lines that could not be read as one)."""
    out: list[Reference] = []
    unread: list[str] = []
    for line in _lines(item, "related"):
        m = _REFERENCE.match(line)
        if not m:
            unread.append(line)
            continue
        number = int(m.group("item")) if m.group("item") else None
        out.append(Reference(body=_body(m.group("body")), date=_reference_date(m.group("date")), item=number,
                             raw=line))
    return out, unread


def upcoming(item: RawItem) -> list[Treatment]:
    out: list[Treatment] = []
    for line in _lines(item, "upcoming"):
        m = _UPCOMING.match(line)
        if m:
            out.append(Treatment(body=_body(m.group("body")), date=parse_date(m.group("date"))))
        elif _BODY_ONLY.match(line) and len(line) < 80:
            out.append(Treatment(body=_body(line), date=None))
    return out

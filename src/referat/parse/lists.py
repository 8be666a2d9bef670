"""Attachments (Bilag) and presenters (Deltager i sagens behandling)."""

from __future__ import annotations

import re

from referat import vocab
from referat.parse.structure import RawItem
from referat.parse.text import squash

_ATTACHMENT_KEY = vocab.ATTACHMENT_NUMBER.compile()
_LIST_MARK = re.compile(r"^(?:[-•*▪]\s+)")
_NONE = vocab.NO_ATTACHMENTS.compile()


def attachments(item: RawItem) -> list[str]:
    """Lines of the Bilag sections, in printed order. Minutes that print the list twice (2013
    layout: before and after the case text) give it once: a later printing only adds attachments
    whose number was not listed before; the first printing wins where the two differ. Lists without
    numbers (an eDoc item with several Bilag sections) add every line not printed before; "Ingen" says
    there are none."""
    out: list[str] = []
    earlier: set[str] = set()
    numbered = False  # an earlier printing numbered its attachments: unnumbered lines after it repeat it
    for s in item.sections:
        if s.role != "attachments":
            continue
        keys: set[str] = set()
        numbers = False
        for ln in s.lines:
            if ln.blank:
                continue
            line = squash(_LIST_MARK.sub("", ln.text.strip()))
            if _NONE.match(line):
                continue
            m = _ATTACHMENT_KEY.match(line)
            key = m.group(1) if m else line.lower()
            if key in earlier or (numbered and not m):
                continue
            numbers = numbers or bool(m)
            keys.add(key)
            out.append(line)
        earlier |= keys
        numbered = numbered or numbers
    return out


def _split_presenters(line: str) -> list[str]:
    """Split at " og " only between two full names (see vocab.NAME_AT_END)."""
    parts = line.split(" og ")
    out: list[str] = []
    current = parts[0]
    for nxt in parts[1:]:
        if vocab.NAME_AT_END.search(current) and vocab.NAME_AT_END.search(nxt):
            out.append(current)
            current = nxt
        else:
            current = current + " og " + nxt
    out.append(current)
    return [p.strip() for p in out if p.strip()]


def presenters(item: RawItem) -> list[str]:
    out: list[str] = []
    for s in item.sections:
        if s.role != "presenters":
            continue
        for ln in s.lines:
            if ln.blank:
                continue
            line = squash(_LIST_MARK.sub("", ln.text.strip())).rstrip(".")
            out.extend(_split_presenters(line))
    return out

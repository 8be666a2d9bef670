"""The administration's recommendation (Indstilling): numbered "at …" points and who recommends.

Where there is an Indstilling section it is read (there "X foreslår, at …" counts as
"X indstiller"); otherwise the last sentence "X indstiller, at …" (or "X indstiller,"
followed by numbered points) in the case text is the formal recommendation - earlier
"indstiller" sentences are part of the reasoning. The recommending body also comes from "X forelægger sagen …".
"""

from __future__ import annotations

import re

from referat import vocab
from referat.normalize import Line
from referat.parse.structure import RawItem
from referat.parse.text import squash

_RECOMMENDS = vocab.RECOMMENDS.compile(0)
_PROPOSES = vocab.PROPOSES.compile(0)
_PRESENTS = vocab.PRESENTS.compile(0)
_PRESENTED_BY = vocab.PRESENTED_BY.compile()
_POINT = vocab.RECOMMENDATION_POINT.compile()
_BARE_POINT = re.compile(r"^(?P<text>at\s.*)$")  # "at …" points printed without numbers (eDagsorden)
_AT_NUMBER = vocab.RECOMMENDATION_AT_NUMBER.compile()
_NUMBERED = re.compile(r"^(?:\d{1,2}[.)]|[a-h][.)]|[-•–])\s+(?P<text>\S.*)$")
_TEXT_ROLES = (None, "case", "summary", "history", "economy", "legal")


def _points_after(lines: list[Line], start: int) -> list[str]:
    """Numbered points from position start on; a wrapped point's continuation lines are joined,
    a blank line may separate points, and anything else after a blank line ends the list."""
    points: list[str] = []
    gap = False
    for ln in lines[start:]:
        if ln.blank:
            gap = True
            continue
        text = ln.text.strip()
        m = _POINT.match(text) or _NUMBERED.match(text) or _BARE_POINT.match(text)
        if m:
            points.append(_AT_NUMBER.sub("at ", m.group("text")))
            gap = False
        elif points and not gap:
            points[-1] = points[-1] + " " + text
        else:
            break
    return [squash(p) for p in points]


def _inline(lines: list[Line], i: int, first: str) -> tuple[str, int]:
    """An inline "… indstiller, at X" sentence, with the rest of its paragraph if it wraps, and the position
    after it."""
    tail = []
    j = i + 1
    while j < len(lines) and not lines[j].blank and not _NUMBERED.match(lines[j].text.strip()):
        tail.append(lines[j].text)
        j += 1
    return squash(" ".join([first, *tail])), j


def _body(text: str) -> str:
    return squash(text).rstrip(" ,")


def recommendation(item: RawItem) -> tuple[list[str], str | None]:
    """(points, recommending body) for one item."""
    rec_sections = [s.lines for s in item.sections if s.role == "recommendation"]
    searched = rec_sections or [s.lines for s in item.sections if s.role in _TEXT_ROLES]
    found: tuple[list[str], str | None] | None = None
    presenter: str | None = None
    for lines in searched:
        for i, ln in enumerate(lines):
            text = ln.text.strip()
            if ln.blank or not any(c in text for c in vocab.RECOMMENDATION_CUES):
                continue
            # "X foreslår, at" counts in an Indstilling section, unless "X indstiller" came first there: then a
            # line "Økonomiudvalget og Borgerrepræsentationen anbefaler," is that sentence going on
            m = _RECOMMENDS.match(text) or (_PROPOSES.match(text) if rec_sections and found is None else None)
            if m:
                rest = m.group("rest").strip()
                if rest not in ("", ":") and not rest.lower().startswith("at "):
                    continue  # "X indstiller i forbindelse med …": prose, not the formal recommendation
                # "X indstiller, at udvalget over for Byrådet anbefaler," + numbered points: the points count
                # "X indstiller, at Økonomiudvalget anbefaler Byrådet" / "at vedtage budgetforslaget.": an inline
                # sentence broken at the line end goes on; once it ends in a comma or colon, points follow
                if rest.lower().startswith("at ") and rest.rstrip()[-1:] not in (",", ":", ".", ";"):
                    rest, after = _inline(lines, i, rest)  # the whole sentence: any points come after it
                    points = (_points_after(lines, after) if rest.rstrip()[-1:] in (",", ":") else []) or [rest]
                else:
                    points = _points_after(lines, i + 1)
                    if not points and rest.lower().startswith("at "):
                        points = [_inline(lines, i, rest)[0]]
                found = (points, _body(m.group("body")))
                continue
            p = _PRESENTS.match(text) or _PRESENTED_BY.match(text)
            if p:
                presenter = _body(p.group("body"))
    if found is None and rec_sections:
        # an Indstilling section of bare points, or one "At …" sentence, with no "X indstiller"
        for lines in rec_sections:
            points = _points_after(lines, 0)
            first = next((ln for ln in lines if not ln.blank), None)
            if not points and first is not None and first.text.strip().lower().startswith("at "):
                points = [_inline(lines, lines.index(first), first.text.strip())[0]]
            if points:
                return points, presenter
    if found is None:
        return [], presenter
    return found[0], found[1] or presenter

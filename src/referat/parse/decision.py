"""Decision text and kind.

The decision is the whole text of the Beslutning section (or, for announcement
items, the Meddelelse section). Where minutes print decisions of several bodies
("Beslutning i Økonomiudvalget den …", "Beslutning i Byrådet den …"), the one of
the meeting's own committee wins, else the last printed.
"""

from __future__ import annotations

import re

from referat import vocab
from referat.parse.structure import RawItem, RawSection
from referat.parse.text import comparable, joined, sentences

_KINDS = {kind: vocab.compiled(entries) for kind, entries in vocab.VERDICTS.items()}
_WITH_CHANGES = vocab.WITH_CHANGES.compile()


def decision_section(item: RawItem, committee: str | None) -> RawSection | None:
    """The section holding this meeting's decision, if any."""
    decisions = [s for s in item.sections if s.role == "decision" and joined(s.lines)]
    if decisions:
        if committee and len(decisions) > 1:
            own = [s for s in decisions if s.body and comparable(committee) in comparable(s.body)]
            if own:
                return own[-1]
        return decisions[-1]
    announcements = [s for s in item.sections if s.role == "announcement" and joined(s.lines)]
    return announcements[0] if announcements else None


def _verdict(sentence: str, anchored: bool) -> str | None:
    """The kind a sentence states; anchored means the phrase must open the sentence."""
    if vocab.WITHOUT_VIEW.search(sentence):
        return "referred"
    if vocab.REJECTIONS.search(sentence):
        return "rejected"
    best: tuple[int, str] | None = None
    for kind, patterns in _KINDS.items():
        for pat in patterns:
            m = (pat.match(sentence) if anchored else pat.search(sentence))
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), kind)
    if best is None:
        return None
    kind = best[1]
    if kind == "approved" and _WITH_CHANGES.search(sentence):
        return "approved_with_changes"
    return kind


def decision_kind(section: RawSection | None) -> str | None:
    """Classify the decision: a sentence opening with a verdict ("Godkendt.", "Til efterretning, idet …")
    decides; failing that, a verdict phrase anywhere; announcement text is "other"."""
    if section is None:
        return None
    text = joined(section.lines)
    parts = sentences(text)
    for anchored in (True, False):
        for i, sentence in enumerate(parts):
            kind = _verdict(sentence, anchored)
            if kind:
                if kind == "approved" and i + 1 < len(parts) and re.match(r"^[A-ZÆØÅ]:", parts[i + 1]):
                    kind = "approved_with_changes"
                return kind
    return "other"

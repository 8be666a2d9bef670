"""Attendance and votes stated in an item: absences, substitutes, named votes.

Read from the decision text (where minutes state them: "Der var afbud fra X.",
"X deltog i stedet for Y.", "(A, B og C) stemte for.") and from an item's own
attendance section ("Fraværende: X").
"""

from __future__ import annotations

from referat import vocab
from referat.model import Substitute, Votes
from referat.parse.structure import RawItem
from referat.parse.text import joined, sentences, split_names, strip_party

_ABSENCE = vocab.compiled(vocab.ABSENCE_PHRASES)
_SUBSTITUTE = vocab.compiled(vocab.SUBSTITUTE_PHRASES, 0)
_VOTES = {k: vocab.compiled(v) for k, v in vocab.VOTE_PHRASES.items()}


def _statement_text(item: RawItem, decision: str | None) -> list[str]:
    texts = [decision] if decision else []
    texts += [joined(s.lines) for s in item.sections if s.role == "attendance"]
    return [t for t in texts if t]


def _trailing_name(text: str) -> str:
    """The run of capitalised words that ends text: "Det blev oplyst at Kristoffer Beck" -> "Kristoffer Beck"."""
    words = text.split()
    i = len(words)
    while i > 0 and words[i - 1][:1].isupper():
        i -= 1
    return " ".join(words[i:])


def _names(raw: str) -> list[str]:
    out = []
    for n in split_names(raw):
        if vocab.VOTE_SUBJECT_NOISE.match(n):
            continue
        name = _trailing_name(n)
        if name and len(name) <= 80:
            out.append(name)
    return out


def absent(item: RawItem, decision: str | None, meeting_absent: list[str]) -> list[str]:
    """Persons the item states absent, plus those the meeting header lists absent."""
    out: list[str] = list(meeting_absent)
    for text in _statement_text(item, decision):
        for sentence in sentences(text):
            for pat in _ABSENCE:
                for m in pat.finditer(sentence):
                    out.extend(_names(m.group("names")))
    # sections headed "Fraværende" hold the names themselves
    for s in item.sections:
        if s.role == "attendance" and not any(p.search(joined(s.lines)) for p in _ABSENCE):
            out.extend(_names(joined(s.lines)))
    return list(dict.fromkeys(out))


def substitutes(item: RawItem, decision: str | None) -> list[Substitute]:
    out: list[Substitute] = []
    for text in _statement_text(item, decision):
        for sentence in sentences(text):
            for pat in _SUBSTITUTE:
                for m in pat.finditer(sentence):
                    sub, _ = strip_party(m.group("sub"))
                    for_, _ = strip_party(m.group("for"))
                    pair = Substitute(substitute=sub, **{"for": for_})
                    if pair not in out:
                        out.append(pair)
    return out


def votes(decision: str | None) -> Votes | None:
    """Named votes; None when the decision records none."""
    if not decision:
        return None
    found: dict[str, list[str]] = {"for": [], "against": [], "abstained": []}
    for sentence in sentences(decision):
        for key, patterns in _VOTES.items():
            for pat in patterns:
                m = pat.search(sentence)
                if m:
                    found[key].extend(n for n in _names(m.group("names")) if n not in found[key])
                    break
    if not any(found.values()):
        return None
    return Votes(**{"for": found["for"]}, against=found["against"], abstained=found["abstained"])

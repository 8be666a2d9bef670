"""Attendance and votes stated in an item: absences, substitutes, named votes.

Read from the decision text (where minutes state them: "Der var afbud fra X.",
"X deltog i stedet for Y.", "(A, B og C) stemte for.") and from an item's own
attendance section ("Fraværende: X").
"""

from __future__ import annotations

from referat import vocab
from referat.model import Substitute, Votes
from referat.parse.structure import RawItem, RawSection
from referat.normalize import Line
from referat.parse.text import joined, paragraphs, sentences, split_names, squash, strip_party

_ABSENCE = vocab.compiled(vocab.ABSENCE_PHRASES)
_SUBSTITUTE = vocab.compiled(vocab.SUBSTITUTE_PHRASES, 0)
_VOTES = {k: vocab.compiled(v) for k, v in vocab.VOTE_PHRASES.items()}
_OTHER_VOTE = vocab.VOTE_CLAUSE_END.compile()


def statements(item: RawItem, decision: RawSection | None) -> list[str]:
    """Sentences of the decision and of any attendance section, paragraph by paragraph: a line like
    "For stemte: A, F og Ø" has no full stop, so sentences never run across paragraphs."""
    sections = ([decision] if decision else []) + [s for s in item.sections if s.role == "attendance"]
    out: list[str] = []
    for s in sections:
        for para in paragraphs(s.lines):
            run: list[Line] = []
            for ln in para:
                if vocab.STATEMENT_LABEL.match(ln.text.strip()):
                    out.extend(sentences(joined(run)))
                    out.append(squash(ln.text))
                    run = []
                else:
                    run.append(ln)
            out.extend(sentences(joined(run)))
    return out


def _has_cue(sentence: str, cues: tuple[str, ...]) -> bool:
    low = sentence.lower()
    return any(c in low for c in cues)


def _trailing_name(text: str) -> str:
    """The person's name in a phrase: the capitalised words that end it ("Det blev oplyst at Kristoffer
    Beck" -> "Kristoffer Beck"), or failing that the ones that open it ("Hans Berg (V) var inhabil" ->
    "Hans Berg")."""
    words = text.split()
    i = len(words)
    while i > 0 and words[i - 1][:1].isupper():
        i -= 1
    if i < len(words):
        return " ".join(words[i:])
    j = 0
    while j < len(words) and words[j][:1].isupper():
        j += 1
    return " ".join(words[:j])


def _names(raw: str) -> list[str]:
    out = []
    for n in split_names(raw):
        # "Et flertal bestående af A" -> "A"; a subject that is no name at all ("Et flertal") is dropped
        name = _trailing_name(n)
        if (name and len(name) <= 80 and not vocab.VOTE_SUBJECT_NOISE.match(name) and not vocab.NOBODY.match(name)
                and not vocab.INSTITUTION.search(name)):
            out.append(name)
    return out


def absent(item: RawItem, said: list[str], meeting_absent: list[str]) -> list[str]:
    """Persons the item states absent, plus those the meeting header lists absent."""
    out: list[str] = list(meeting_absent)
    for sentence in said:
        if not _has_cue(sentence, vocab.ABSENCE_CUES):
            continue
        for pat in _ABSENCE:
            for m in pat.finditer(sentence):
                out.extend(_names(m.group("names")))
    # sections headed "Fraværende" hold the names themselves
    for s in item.sections:
        if s.role == "attendance" and not any(p.search(joined(s.lines)) for p in _ABSENCE):
            out.extend(_names(joined(s.lines)))
    return list(dict.fromkeys(out))


def substitutes(said: list[str]) -> list[Substitute]:
    out: list[Substitute] = []
    for sentence in said:
        if not _has_cue(sentence, vocab.SUBSTITUTE_CUES):
            continue
        for pat in _SUBSTITUTE:
            for m in pat.finditer(sentence):
                sub = vocab.MEMBER_ROLE.sub("", m.group("sub"))  # "Suppleant Ole Bak deltog for …"
                pair = Substitute(substitute=strip_party(sub)[0], **{"for": strip_party(m.group("for"))[0]})
                if pair not in out:
                    out.append(pair)
    return out


def votes(said: list[str]) -> Votes | None:
    """Named votes; None when the decision records none."""
    found: dict[str, list[str]] = {"for": [], "against": [], "abstained": []}
    for sentence in said:
        if not _has_cue(sentence, vocab.VOTE_CUES):
            continue
        for key, patterns in _VOTES.items():
            for pat in patterns:
                m = pat.search(sentence)
                if m:
                    # "Hans Berg stemte imod, Jens Ravn undlod at stemme": the names of this verb only
                    names = _OTHER_VOTE.split(m.group("names"))[-1]
                    found[key].extend(n for n in _names(names) if n not in found[key])
                    break
    if not any(found.values()):
        return None
    return Votes(**{"for": found["for"]}, against=found["against"], abstained=found["abstained"])

"""Small text helpers shared by the parse stages: paragraphs, sentences, name lists."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from referat.normalize import Line

# a sentence ends at . ! ? followed by a capital letter; "mio. kr." and "pkt. 3" do not end one
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ\"«„(])")
_PARTY_SUFFIX = re.compile(r"\s*\((?P<party>[^()]{1,40})\)\s*$")
# a note after a name and its party letters: "Anne Holm (A) - afbud", "Bo Lund (V) deltog fra kl. 17.00"
_NOTE_AFTER_PARTY = re.compile(r"^(?P<name>[^()]+?\s*\([A-ZÆØÅ][A-ZÆØÅa-zæøå]{0,2}\))\s*\S.*$")


def squash(text: str) -> str:
    """Collapse all whitespace (tabs, newlines) to single spaces."""
    return " ".join(text.split())


def joined(lines: Iterable[Line]) -> str:
    """Lines as one whitespace-normalized string (paragraphs joined with a space)."""
    return squash(" ".join(ln.text for ln in lines if not ln.blank))


def paragraphs(lines: Sequence[Line]) -> list[list[Line]]:
    """Group lines into paragraphs separated by blank lines."""
    out: list[list[Line]] = []
    cur: list[Line] = []
    for ln in lines:
        if ln.blank:
            if cur:
                out.append(cur)
                cur = []
        else:
            cur.append(ln)
    if cur:
        out.append(cur)
    return out


def verbatim(lines: Sequence[Line]) -> str:
    """Section text as printed: lines joined by newlines, runs of blank lines collapsed to one."""
    out: list[str] = []
    for ln in lines:
        if ln.blank:
            if out and out[-1] != "":
                out.append("")
        else:
            out.append(ln.text)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def sentences(text: str) -> list[str]:
    """Split whitespace-normalized text into sentences."""
    return [s for s in _SENTENCE_SPLIT.split(squash(text)) if s]


def split_names(text: str) -> list[str]:
    """"A, B og C" -> [A, B, C]; party suffixes "(V)" and notes after them dropped; empty parts skipped."""
    text = squash(text).rstrip(".")
    parts = re.split(r"\s*,\s*|\s+og\s+|\s*&\s*|\s+samt\s+", text)
    return [n for p in parts if (n := strip_party(_NOTE_AFTER_PARTY.sub(r"\g<name>", p))[0])]


def strip_party(name: str) -> tuple[str, str | None]:
    """"Signe Ejersbo (F)" -> ("Signe Ejersbo", "F")."""
    name = squash(name)
    m = _PARTY_SUFFIX.search(name)
    if m:
        return name[: m.start()].strip(), m.group("party").strip()
    return name, None


def comparable(text: str) -> str:
    """Lowercase letters and digits only: for matching a TOC title with a heading."""
    return re.sub(r"[^0-9a-zæøåäöüé]", "", text.lower())

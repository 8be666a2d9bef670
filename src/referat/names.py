"""Names of people and bodies, normalized so that the same one written two ways is one entity.

Ids are stable hashes of the normalized name (see `stable_id`), so re-ingesting in any order gives the
same ids. Display forms keep the letters as printed: æ, ø, å are letters, never folded.
"""

from __future__ import annotations

import hashlib
import re

import Stemmer

from referat import vocab
from referat.parse.text import squash, strip_party

_STEM = Stemmer.Stemmer("danish")
_MEETING_SUFFIX = vocab.BODY_MEETING_SUFFIX.compile()
_ROLE_FIRST = vocab.PRESENTER_ROLE_FIRST.compile()
_WORD = re.compile(r"[^\W_]+-?", re.UNICODE)
# a vote or absence names a party ("A", "Ø", "SF", "Uden for parti") instead of a person
_PARTY_ONLY = vocab.PARTY_ONLY.compile()


def stable_id(*parts: object) -> str:
    """16 hex characters of sha256 over the parts: the same natural key always gives the same id."""
    key = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def person_name(name: str) -> str:
    """The display form: whitespace squashed, a party suffix "(A)" and a trailing full stop dropped."""
    return strip_party(squash(name))[0].rstrip(" .")


def person_key(name: str) -> tuple[str, str]:
    """(display name, id) for a person; case is ignored in the id ("Ole SKRALD" is Ole Skrald)."""
    display = person_name(name)
    return display, stable_id("person", display.casefold())


def is_person(name: str) -> bool:
    """False for a party letter or a group where a name was expected ("Ø", "SF", "Uden for parti")."""
    display = person_name(name)
    return bool(display) and not _PARTY_ONLY.match(display) and any(c.isalpha() for c in display)


def body_key(name: str) -> str:
    """A body's name reduced for matching: casefolded, the meeting suffix off ("Byrådsmødet" ->
    "byråd"), each word by its Danish stem ("Økonomiudvalget" and "Økonomiudvalg" -> "økonomiudvalg")."""
    text = _MEETING_SUFFIX.sub("", squash(name).strip(" ,.;:-–")).strip()
    return " ".join(_STEM.stemWord(w) for w in _WORD.findall(text.casefold()))


# "Merete Jørgensen, chef for Borgerservice" / "Anne Holm (direktør)": a name first, then the role
_PRESENTER = re.compile(r"^(?P<name>[A-ZÆØÅ][\w'\-]+(?:\s+(?:[A-ZÆØÅ][\w'\-]+|von|van|de|la)){1,4})\s*(?:[,(–-]|$)")
# "konsulent Anders Vind": a role in lower case, then a two-word name ending the line
_ROLE_THEN_NAME = re.compile(r"(?:^|\s)[a-zæøå][\w\-]*\s+(?P<name>[A-ZÆØÅ][\w'\-]+\s+[A-ZÆØÅ][\w'\-]+)\.?$")


def presenter_name(text: str) -> str | None:
    """The person in a presenter line: "Merete Jørgensen, chef for …" or "… konsulent Anders Vind".
    None where role and name cannot be told apart ("Teamleder for Ungeindsatsen Camilla Frost"):
    a wrong person is worse than none."""
    text = squash(text)
    if not _ROLE_FIRST.match(text) and (m := _PRESENTER.match(text)):
        return m.group("name")
    m = _ROLE_THEN_NAME.search(text)
    return m.group("name") if m else None

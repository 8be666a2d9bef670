"""Forgiving filters: committee, municipality and person names as people type them.

`--committee økonomiudvalg` finds Økonomiudvalget, as `referat body` does: case is ignored, a name is
matched in any inflection (by its Danish stem, referat.names.body_key), and the start of a name is
enough where only one committee starts so ("beskæftigelses" finds Beskæftigelses- og
Integrationsudvalget). A municipality may be given with or without "Kommune"; a person as `referat
person` takes them (case and party suffix ignored, a unique part of the name). Each filter says what it
matched, so that the CLI and the API can tell the user; a name that fits nothing matches nothing (no
hits, and the match says so), a name that fits several is refused with the candidates.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from referat.dialect import run
from referat.names import body_key, person_key
from referat.search import QueryError

if TYPE_CHECKING:
    from referat.store.searching import Filters

_SUFFIX = " kommune"


def match_filters(conn: Connection, filters: Filters) -> tuple[Filters, dict[str, Any]]:
    """The filters with each name replaced by the stored name it matched, and what was matched:
    {"committee": "Økonomiudvalget", "municipality": "Vesterå", "person": "Anne Holm"}, a value None
    where the name matched nothing (only the filters given are keys)."""
    matched: dict[str, Any] = {}
    changes: dict[str, str] = {}
    if filters.municipality:
        matched["municipality"] = _municipality(conn, filters.municipality)
        changes["municipality"] = matched["municipality"] or filters.municipality
    if filters.committee:
        matched["committee"] = _committee(conn, filters.committee, changes.get("municipality"))
        changes["committee"] = matched["committee"] or filters.committee
    if filters.person:
        matched["person"] = _person(conn, filters.person)
        changes["person"] = matched["person"] or filters.person
    return dataclasses.replace(filters, **changes), matched


def _one(wanted: str, what: str, exact: list[str], prefixed: list[str]) -> str | None:
    """The one name matched exactly, else the one name the query starts; None for none."""
    for found in (exact, prefixed):
        names = sorted(set(found))
        if len(names) == 1:
            return names[0]
        if len(names) > 1:
            shown = ", ".join(names[:8]) + (" …" if len(names) > 8 else "")
            raise QueryError(f"{what} {wanted!r} fits {len(names)}: {shown}; give more of the name", "ambiguous_name",
                             name=wanted, matches=shown)
    return None


def _committee(conn: Connection, wanted: str, municipality: str | None) -> str | None:
    rows = [r for r in run(conn, "SELECT name, municipality, key FROM bodies").all()
            if municipality is None or (r[1] or "").casefold() == municipality.casefold()]
    folded, key = wanted.strip().casefold(), body_key(wanted)
    if not folded:
        return None
    # the same committee in several municipalities is one name here (the filter takes every one of them)
    names_by_key: dict[str, str] = {}
    for name, _, k in rows:
        names_by_key.setdefault(k or name.casefold(), name)
    exact = [names_by_key[k or n.casefold()] for n, _, k in rows if n.casefold() == folded or (key and k == key)]
    prefixed = [names_by_key[k or n.casefold()] for n, _, k in rows
                if n.casefold().startswith(folded) or (key and (k or "").startswith(key))]
    return _one(wanted, "committee", exact, prefixed)


def _person(conn: Connection, wanted: str) -> str | None:
    """A person by id or name (case and party suffix ignored), else the one person each of whose words
    the query's words start, in order ("carl b" is Carl Berg; "anne" is not Hanne Bech)."""
    row = run(conn, "SELECT name FROM people WHERE id = ? OR id = ?", (wanted, person_key(wanted)[1])).first()
    if row:
        return str(row[0])
    words = person_key(wanted)[0].casefold().split()
    if not words:
        return None
    prefixed = [name for (name,) in run(conn, "SELECT name FROM people") if _starts_words(words, name.casefold().split())]
    return _one(wanted, "person", [], prefixed)


def _starts_words(words: list[str], name: list[str]) -> bool:
    at = 0
    for w in words:
        while at < len(name) and not name[at].startswith(w):
            at += 1
        if at == len(name):
            return False
        at += 1
    return True


def _municipality(conn: Connection, wanted: str) -> str | None:
    names = [r[0] for r in run(conn, "SELECT DISTINCT municipality FROM bodies WHERE municipality IS NOT NULL")]
    folded = wanted.strip().casefold()
    folded = folded[: -len(_SUFFIX)].strip() if folded.endswith(_SUFFIX) else folded
    if not folded:
        return None
    # "Vesterås" (genitive) is Vesterå
    exact = [n for n in names if n.casefold() == folded] or [n for n in names if n.casefold() + "s" == folded]
    prefixed = [n for n in names if n.casefold().startswith(folded)]
    return _one(wanted, "municipality", exact, prefixed)

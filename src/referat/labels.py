"""The Danish a reader sees, in one place for the web pages and the command line: dates ("12. marts 2024"),
counts with the right noun ("1 møde", "2 møder"), numbers (1.073,4), and the words for the record's codes
(decision kinds, meeting kinds, votes, attendance, what ingest and harvest did with each document).

Babel's da_DK locale writes dates and numbers, so month names and separators are CLDR's, not ours; it
loads on first use, so a command that prints no date does not pay for it. JSON and CSV keep the English
codes (they are the API contract); only people read these words.
"""

from __future__ import annotations

import datetime as dt

from referat import vocab

LOCALE = "da_DK"
KIND_LABEL = {**vocab.DECISION_KIND_DA, "none": "Ingen beslutning"}
MEETING_KIND = {"minutes": "Referat", "agenda": "Dagsorden"}
VOTE = {"for": "for", "against": "imod", "abstained": "undlod at stemme"}
ATTENDANCE = {"present": "til stede", "absent": "fraværende"}
FACET = {"municipality": "Kommune", "committee": "Udvalg", "year": "År", "decision_kind": "Beslutning"}
# what `referat ingest` did with each document, and what `referat harvest` did with each meeting: the
# word for one (an error line says "afvist: FILE: reason"); counts take the plural through `antal`
INGEST = {"ingested": "indlæst", "replaced": "erstattet", "skipped": "uændret", "refused": "afvist",
          "failed": "fejlet"}
# why ingest skipped a file that is another version of a stored meeting (referat.store.superseded), as
# `ingest` says it: "sprunget over: FILE: en ældre version af mødet, som en anden fil erstattede (KEPT)"
SKIPPED = "sprunget over"
SUPERSEDED = {"replaced": "en ældre version af mødet, som en anden fil erstattede",
              "same_text": "mødet ord for ord som en anden fil, der er gemt",
              "minutes": "dagsordenen til et møde, hvis referat er gemt"}
# how a text document was decoded when that is doubtful (sources/text.py ENCODINGS), as `parse` and `ingest`
# say it: "bemærk: FILE: læst som cp1252 (ikke gyldig UTF-8)"
READ_AS = {"utf-16": "læst som UTF-16 (efter dens byte-order-mærke)",
           "cp1252": "læst som cp1252 (ikke gyldig UTF-8)", "latin-1": "læst som latin-1 (ikke gyldig UTF-8)",
           "utf-8+cp1252": "læst som UTF-8 med enkelte byte læst som cp1252 (blandede tegnsæt: et tegn indsat "
                           "fra Windows?)",
           "utf-8+mojibake": "læst som UTF-8 og rettet: »Ã¦« for »æ« (UTF-8 engang læst som cp1252 og gemt igen)"}
HARVEST = {"new": "ny", "changed": "ændret", "unchanged": "uændret", "skipped": "ikke hentet (afsluttet og ældre)",
           "refused": "afvist", "failed": "fejlet"}
CHANGE = {"new": "ny", "changed": "ændret"}  # an item a saved search reports
# a section's role (vocab.SECTION_HEADINGS; `other` for a heading outside it), as `parse --explain` names it
SECTION_ROLE = {"decision": "beslutning", "announcement": "meddelelse", "recommendation": "indstilling",
                "case": "sagsfremstilling", "summary": "resumé", "history": "sagens forløb", "economy": "økonomi",
                "legal": "hjemmel", "upcoming": "kommende behandling", "related": "tidligere behandling",
                "attachments": "bilag", "presenters": "fremlæggere", "attendance": "fremmøde",
                "signatures": "underskrifter", "other": "andet"}
# noun -> plural, for counts
PLURAL = {"møde": "møder", "punkt": "punkter", "dagsordenspunkt": "dagsordenspunkter", "dokument": "dokumenter",
          "resultat": "resultater", "behandling": "behandlinger", "person": "personer", "sag": "sager",
          "udvalg": "udvalg", "side": "sider", "afstemning": "afstemninger", "serie": "serier", "periode": "perioder",
          "advarsel": "advarsler", "henvisning": "henvisninger", "KLE-kode": "KLE-koder", "kommune": "kommuner",
          # participles counted as adjectives: 1 afvist, 2 afviste
          "indlæst": "indlæste", "erstattet": "erstattede", "uændret": "uændrede", "afvist": "afviste",
          "fejlet": "fejlede", "ny": "nye", "ændret": "ændrede", "ny eller ændret": "nye eller ændrede",
          "ikke hentet (afsluttet og ældre)": "ikke hentet (afsluttede og ældre)"}


def superseded(reason: str, by: str | None) -> str:
    """Why ingest skipped another version of a stored meeting, in Danish, with the file kept instead."""
    said = SUPERSEDED.get(reason, reason)
    if by:
        said += f" ({by})"
    return said + (" – brug --force for at gemme den igen" if reason == "replaced" else "")


def read_as(encoding: str) -> str:
    """How a document was decoded, in Danish (an encoding outside READ_AS: its name)."""
    return READ_AS.get(encoding, f"læst som {encoding}")


def as_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def dato(value: dt.date | str | None, missing: str = "uden dato") -> str:
    """A date as Danes write it in prose: 12. marts 2024."""
    from babel.dates import format_date

    day = as_date(value)
    return missing if day is None else format_date(day, "d. MMMM y", locale=LOCALE)


def kort_dato(value: dt.date | str | None, missing: str = "?") -> str:
    """A short date for chart axes and tight tables: 12. mar. 2024."""
    from babel.dates import format_date

    day = as_date(value)
    return missing if day is None else format_date(day, "d. MMM y", locale=LOCALE)


def dansk(value: float | int | None) -> str:
    """A number as Danes write it: 1.073,4."""
    from babel.numbers import format_decimal

    return "–" if value is None else format_decimal(value, locale=LOCALE)


def antal(n: int, noun: str) -> str:
    """A count with its noun in the right number: 1 møde, 2 møder, 1.204 punkter."""
    return f"{dansk(n)} {noun if n == 1 else PLURAL.get(noun, noun)}"


def kind(code: str | None) -> str:
    """A decision kind's Danish name ("approved" -> "Godkendt"); no kind: "Ingen beslutning"."""
    return KIND_LABEL.get(code or "none", code or "")

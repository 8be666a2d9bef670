"""Danish for the pages: dates ("12. marts 2024"), counts with the right noun ("1 møde", "2 møder"),
numbers (1.073,4), and Danish words for the messages that reach a reader (search syntax, errors).

Babel's da_DK locale writes dates and numbers, so month names and separators are CLDR's, not ours.
"""

from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_date
from babel.numbers import format_decimal

from referat import vocab

LOCALE = "da_DK"
KIND_LABEL = {**vocab.DECISION_KIND_DA, "none": "Ingen beslutning"}
# noun -> plural, for counts on the pages
PLURAL = {"møde": "møder", "punkt": "punkter", "dagsordenspunkt": "dagsordenspunkter", "dokument": "dokumenter",
          "resultat": "resultater", "behandling": "behandlinger", "person": "personer", "sag": "sager",
          "udvalg": "udvalg", "side": "sider", "afstemning": "afstemninger",
          "serie": "serier", "periode": "perioder"}


def as_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def dato(value: dt.date | str | None, missing: str = "uden dato") -> str:
    """A date as Danes write it in prose: 12. marts 2024."""
    day = as_date(value)
    return missing if day is None else format_date(day, "d. MMMM y", locale=LOCALE)


def kort_dato(value: dt.date | str | None, missing: str = "?") -> str:
    """A short date for chart axes and tight tables: 12. mar. 2024."""
    day = as_date(value)
    return missing if day is None else format_date(day, "d. MMM y", locale=LOCALE)


def dansk(value: float | int | None) -> str:
    """A number as Danes write it: 1.073,4."""
    return "–" if value is None else format_decimal(value, locale=LOCALE)


def antal(n: int, noun: str) -> str:
    """A count with its noun in the right number: 1 møde, 2 møder, 1.204 punkter."""
    return f"{dansk(n)} {noun if n == 1 else PLURAL.get(noun, noun)}"


# search syntax errors (referat.search raises them in English for the CLI and the API)
QUERY_DA: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"a quotation mark is not closed"), 'Et anførselstegn er ikke lukket: skriv "præcis frase" med '
     "anførselstegn i begge ender."),
    (re.compile(r"OR must stand between two words"), "OR skal stå mellem to ord: budget OR regnskab."),
    (re.compile(r"OR cannot join an excluded word"), "OR kan ikke forbinde et udelukket ord: skriv budget OR "
     "regnskab -lukket."),
    (re.compile(r"'(.+)': a prefix search needs at least 2 letters"), "»{0}«: en præfikssøgning kræver mindst 2 "
     "bogstaver før stjernen."),
    (re.compile(r"'(.+)': a substring search looks inside one word: write (\S+),"), "»{0}«: en delordssøgning "
     "leder inde i ét ord: skriv {1}, eller søg på ordene selv."),
    (re.compile(r"'(.+)': a substring search needs at least 3 letters"), "»{0}«: en delordssøgning kræver mindst 3 "
     "bogstaver mellem stjernerne."),
    (re.compile(r"'(.+)': a star goes at the end"), "»{0}«: en stjerne står sidst i et ord (jobkl*) eller om det "
     "(*klub*)."),
    (re.compile(r"substring search \(\*…\*\) stands alone"), "En delordssøgning (*…*) står alene: uden OR og "
     "uden minus."),
    (re.compile(r"only words to exclude|no words to search for|one plain word"), "Søgningen mangler et ord at "
     "lede efter."),
    (re.compile(r"the query is (\d+) characters long; at most (\d+)"), "Søgningen er {0} tegn lang; højst {1} "
     "er tilladt."),
    (re.compile(r"no word in the archive is longer"), "Ingen ord i arkivet er så lange: skriv et kortere "
     "ord."),
]


def query_error(message: str) -> str:
    """A search syntax error in Danish; the English original where no translation is known."""
    for pattern, danish in QUERY_DA:
        if m := pattern.search(message):
            return danish.format(*m.groups())
    return "Søgningen kunne ikke forstås: " + message


def invalid_parameters(message: str) -> str:
    """A 422 message in Danish, naming the parameters of the address that were not understood."""
    names = re.findall(r"parameter '([^']+)'", message)
    if names:
        return "Adressen har en ugyldig værdi for " + ", ".join(f"»{n}«" for n in dict.fromkeys(names)) + "."
    return "Adressen kunne ikke forstås."

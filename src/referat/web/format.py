"""Danish for the pages: the shared wording (dates, counts, numbers, decision kinds) comes from
referat.labels, which the command line uses too; here only the messages that reach a reader of the site
(search syntax, invalid addresses) are put in Danish.
"""

from __future__ import annotations

import re

from referat.labels import KIND_LABEL, LOCALE, PLURAL, antal, as_date, dansk, dato, kort_dato

__all__ = ["KIND_LABEL", "LOCALE", "PLURAL", "antal", "as_date", "dansk", "dato", "invalid_parameters", "kort_dato",
           "query_error"]


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

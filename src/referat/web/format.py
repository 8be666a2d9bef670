"""Danish for the pages: the shared wording (dates, counts, numbers, decision kinds) comes from
referat.labels, which the command line uses too; here only the messages that reach a reader of the site
(search syntax, invalid addresses) are put in Danish.
"""

from __future__ import annotations

import datetime as dt
import re

from referat.labels import KIND_LABEL, LOCALE, PLURAL, antal, as_date, dansk, dato, kort_dato

__all__ = ["KIND_LABEL", "LOCALE", "PLURAL", "antal", "as_date", "dansk", "dato", "invalid_parameters", "kort_dato",
           "query_error"]


# search errors by their code (referat.search.QueryError: raised in English for the CLI and the API), worded
# from the error's parts
QUERY_DA: dict[str, str] = {
    "open_quote": 'Et anførselstegn er ikke lukket: skriv "præcis frase" med anførselstegn i begge ender.',
    "or_place": "OR skal stå mellem to ord: budget OR regnskab.",
    "or_excluded": "OR kan ikke forbinde et udelukket ord: skriv budget OR regnskab -lukket.",
    "prefix_short": "»{term}«: en præfikssøgning kræver mindst 2 bogstaver før stjernen.",
    "substring_words": "»{term}«: en delordssøgning leder inde i ét ord: skriv {suggestion}, eller søg på ordene selv.",
    "substring_short": "»{term}«: en delordssøgning kræver mindst 3 bogstaver mellem stjernerne.",
    "star_place": "»{term}«: en stjerne står sidst i et ord (jobkl*) eller om det (*klub*).",
    "substring_alone": "En delordssøgning (*…*) står alene: uden OR og uden minus.",
    "no_words": "Søgningen mangler et ord at lede efter.",
    "query_length": "Søgningen er {length} tegn lang; højst {limit} er tilladt.",
    "word_length": "Ingen ord i arkivet er så lange: skriv et kortere ord.",
    "unknown_kind": "»{kind}« er ingen beslutningstype.",
    "empty_dates": "Datointervallet er tomt: {start} ligger efter {end}.",
    "ambiguous_name": "»{name}« passer på flere: {matches}. Skriv mere af navnet.",
}


def query_error(exc: Exception) -> str:
    """A search error in Danish, from its code; the English message where the error has none known."""
    template = QUERY_DA.get(getattr(exc, "code", ""))
    if template is None:
        return "Søgningen kunne ikke forstås: " + str(exc)
    params = {k: dato(v) if isinstance(v, dt.date) else v for k, v in getattr(exc, "params", {}).items()}
    return template.format(**params)


def invalid_parameters(message: str) -> str:
    """A 422 message in Danish, naming the parameters of the address that were not understood."""
    names = re.findall(r"parameter '([^']+)'", message)
    if names:
        return "Adressen har en ugyldig værdi for " + ", ".join(f"»{n}«" for n in dict.fromkeys(names)) + "."
    return "Adressen kunne ikke forstås."

"""The vocabularies of series (referat.series): how committees print budget tables and complaint figures.
Data, as in referat.vocab, each entry with a real example from the Gladsaxe minutes."""

from __future__ import annotations

import re

# Numbers written as words in prose: "mens otte (12 pct.) blev ændret" (Gladsaxe, 02.03.2022, punkt 5)
NUMBER_WORDS: dict[str, int] = {
    "nul": 0, "en": 1, "et": 1, "én": 1, "ét": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "syv": 7,
    "otte": 8, "ni": 9, "ti": 10, "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14, "femten": 15,
    "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19, "tyve": 20,
}

# Units as captions and corner cells print them: "Mio. kr." (corner of Tabel 1, 30.11.2021),
# "Tabel 2. Regnskab 2023, nettodriftsudgifter, mio. kr." (03.04.2024), "1.000 kr.", "kr."
UNITS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bmio\.?\s*kr\b", re.IGNORECASE), "mio. kr."),
    (re.compile(r"\bmia\.?\s*kr\b", re.IGNORECASE), "mia. kr."),
    (re.compile(r"\b1\.000\s*kr\b", re.IGNORECASE), "1.000 kr."),
    (re.compile(r"(?<![\w.])kr\.?(?!\w)", re.IGNORECASE), "kr."),
    (re.compile(r"\bpct\b|%", re.IGNORECASE), "pct."),
)

# Misspellings seen in printed headers, fixed before names are compared: "Vedttaget budget" (30.11.2021,
# 03.04.2024), "servicrammen" (Tabel 1, 03.04.2024), "servicerramme" (Tabel 1, 04.06.2025)
MISSPELLINGS: dict[str, str] = {"vedttaget": "vedtaget", "servicrammen": "servicerammen",
                                "servicerramme": "serviceramme", "korigeret": "korrigeret"}

# A budget table's columns, first match wins (on the lower-cased header, misspellings fixed, years gone):
# "Forskel vedtaget budget" (30.11.2021) = "Afvigelse: Vedtaget budget" (04.06.2025) = "Mer-/mindreforbrug
# vedtaget budget" (03.04.2024); "Forventet mer/mindreforbrug 2025" (04.06.2025)
MEASURES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), name) for p, name in (
    (r"^(?:forventet\s+)?(?:forskel|afvigelse|mer-?\s*/\s*mindreforbrug)\W*(?:til\s+|fra\s+|ift\.?\s+)?vedtaget",
     "Afvigelse fra vedtaget budget"),
    (r"^(?:forventet\s+)?(?:forskel|afvigelse|mer-?\s*/\s*mindreforbrug)\W*(?:til\s+|fra\s+|ift\.?\s+)?korrigeret",
     "Afvigelse fra korrigeret budget"),
    (r"^(?:forventet\s+)?(?:forskel|afvigelse|mer-?\s*/\s*mindreforbrug)$", "Afvigelse"),
    (r"^oprindeligt budget$|^vedtaget budget$", "Vedtaget budget"),
    (r"^korrigeret budget$", "Korrigeret budget"),
    (r"^forventet (?:forbrug|regnskab)$", "Forventet forbrug"),
    (r"^(?:faktisk )?forbrug(?: pr\..*| til dato)?$", "Forbrug"),
    (r"^regnskab$", "Regnskab"),
))

# A budget frame's row label, on the lower-cased label with its number ("01 ") gone: "01 Aktivering"
# (30.11.2021) = "Aktivering" (04.06.2025); "04 Øvrige udgifter (servicerammen)" = "Øvrige udgifter
# (Servicerammen)"; totals "Beskæftigelses- og Integrationsudvalget i alt" and "I alt" are one frame.
FRAMES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), name) for p, name in (
    (r"^aktivering(?:srammen?)?$", "Aktivering"),
    (r"^forsørgelse(?:srammen?)?$", "Forsørgelse"),
    (r"^(?:øvrige udgifter\W*)?\(?servicerammen?\)?$|^øvrige udgifter\W*\(?servicerammen?\)?$",
     "Øvrige udgifter (servicerammen)"),
    (r"^(?:.*\s)?i alt$", "I alt"),
))

# The period in an item's title: "Budgetopfølgning for 3. kvartal 2021" (30.11.2021), "Budgetopfølgning
# 2025, 1. kvartal" (04.06.2025), "Regnskab 2023 og videreførelse …" (03.04.2024)
QUARTER = re.compile(r"\b([1-4])\.\s*kvartal\s+((?:19|20)\d{2})\b|\b((?:19|20)\d{2}),?\s+([1-4])\.\s*kvartal\b",
                     re.IGNORECASE)
YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
TABLE_NUMBER = re.compile(r"^\s*tabel\s*\d+\s*[.:]?\s*", re.IGNORECASE)
FOOTNOTE = re.compile(r"[\u00b9\u00b2\u00b3\u2070-\u2079\u207e\u207d*]+\)?|\s\d\)(?=\s|$)")

# A complaint report's figures in prose: "afgjorde Ankestyrelsen i alt 90 klagesager i 2. kvartal 2021,
# hvoraf 71 (79 pct.) blev stadfæstet, mens 11 (12 pct.) blev hjemvist og 8 (9 pct.) blev ændret. Dette
# giver en omgørelsesprocent på 21 pct." (30.11.2021, punkt 7)
_N = r"(\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_PCT = r"(?:\s*\([^)]{0,20}\))?"
COMPLAINTS = re.compile(
    rf"\bi alt {_N} klagesager\b(?:[^.]|(?<=\d)\.){{0,80}}?,\s*hvor\s?af {_N}{_PCT} blev stadfæstet,\s*(?:mens|og) {_N}{_PCT} blev "
    rf"hjemvist,?\s*(?:og|mens) {_N}{_PCT} blev ændret\.(?:\s*Dette giver en omgørelsesprocent på (\d+(?:,\d+)?) pct)?",
    re.IGNORECASE)
# the area a sentence is about: "På beskæftigelsesområdet har Ankestyrelsen afgjort …", "På Beskæftigelses- og
# Integrationsudvalget område var der …"; none means the whole report
AREA = re.compile(r"\bPå (.{3,80}?)\s+(?:har|var|blev|er)\b")
COMPLAINT_TITLE = re.compile(r"klagesag", re.IGNORECASE)
COMPLAINT_SUBJECT = "Klagesager"
BUDGET_SUBJECT = "Budget"

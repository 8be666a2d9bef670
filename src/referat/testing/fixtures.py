"""Small fictional minutes for tests and benchmarks (Vesterå Kommune is made up, and so are its people).

Built in the package, like datasette's fixtures, so that tests, benchmarks and later the API and web
tests share one set instead of copy-pasted setup.
"""

from __future__ import annotations

from pathlib import Path

_MINUTES = """REFERAT {committee} 2022-2025 d. {date_dash}

Mødedato {weekday} d. {date_words} kl. {time}

Mødested Rådhuset, mødelokale 2

Mødedeltagere {participants}

Indholdsfortegnelse

{toc}

{items}
"""

_ITEM = """Punkt {number}: {title}

{case}

Indstilling

Forvaltningen indstiller,

1. at {recommendation}

Beslutning

{decision}

Sagsfremstilling

{body}

Bilag

Bilag 1: {title} - notat
"""

# (file stem, committee, date, participants, items: (title, case, recommendation, decision, body))
DOCUMENTS = [
    ("vesteraa_beskaeftigelse_2021-03-02", "Beskæftigelsesudvalget", "2021-03-02",
     "Anne Holm (A), Bo Lund (V), Carl Berg (Ø)", [
         ("Jobklubber for ledige", "21-3-15.00.00-P20", "jobklubberne videreføres i 2021.",
          "Godkendt.", "Forvaltningen beskriver erfaringerne med klubberne for ledige borgere."),
         ("Budgetopfølgning 1. kvartal", "21-4-85.10.00-P07", "budgetopfølgningen tages til efterretning.",
          "Til efterretning. Der var afbud fra Carl Berg.",
          "Mindreforbruget er 2,5 mio. kr. Jobklubberne har kostet mindre end ventet."),
     ]),
    ("vesteraa_beskaeftigelse_2023-05-09", "Beskæftigelsesudvalget", "2023-05-09",
     "Anne Holm (A), Bo Lund (V), Dorthe Kjær (F)", [
         ("Evaluering af jobklubben i Nørrebyen", "23-9-15.00.00-A26", "evalueringen tages til efterretning.",
          "Til efterretning.", "Evalueringen viser at deltagerne i Nørrebyen finder job hurtigere."),
         ("Ny ungeindsats", "23-2-15.20.00-P20", "ungeindsatsen godkendes.",
          "Et flertal (Anne Holm og Dorthe Kjær) stemte for. Bo Lund stemte imod. Godkendt.",
          "Indsatsen retter sig mod unge under 25 år uden uddannelse. Ærø-modellen er inspirationen."),
     ]),
    ("vesteraa_oekonomi_2024-09-16", "Økonomiudvalget", "2024-09-16",
     "Erik Sand (A), Bo Lund (V), Frida Friis (C)", [
         ("Budget 2025 - anden behandling", "24-1-00.30.00-S00", "budgettet anbefales over for Byrådet.",
          "Anbefales. Gustav Ravn deltog i stedet for Frida Friis.",
          "Budgettet indeholder en pulje til jobklubber og til aarhusianske samarbejder."),
         ("Anlægsregnskab for skolen i Åby", "24-7-82.00.00-G01", "anlægsregnskabet godkendes.",
          "Godkendt med den ændring, at restbeløbet overføres til 2025.",
          "Anlægsregnskabet for skolen i Åby viser et merforbrug på 1,2 mio. kr."),
     ]),
]

_WEEKDAYS = ["Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag", "Lørdag", "Søndag"]
_MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
           "november", "december"]


def render(committee: str, date: str, participants: str,
           items: list[tuple[str, str, str, str, str]], start: int = 1) -> str:
    """Fictional minutes text in the Gladsaxe-like plain layout."""
    import datetime as dt

    d = dt.date.fromisoformat(date)
    toc = "\n".join(f"{t}.....\t{3 + 2 * i}" for i, (t, *_rest) in enumerate(items))
    body = "\n".join(_ITEM.format(number=start + i, title=t, case=c, recommendation=r, decision=dec, body=b)
                     for i, (t, c, r, dec, b) in enumerate(items))
    return _MINUTES.format(committee=committee, date_dash=d.strftime("%d-%m-%Y"), weekday=_WEEKDAYS[d.weekday()],
                           date_words=f"{d.day:02d}. {_MONTHS[d.month - 1]} {d.year}", time="16:30",
                           participants=participants, toc=toc, items=body) + "\nVesterå Kommune\n"


def write_documents(folder: Path) -> list[Path]:
    """Write the fixture minutes as text files into folder; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for stem, committee, date, participants, items in DOCUMENTS:
        p = folder / f"{stem}.txt"
        p.write_text(render(committee, date, participants, items), encoding="utf-8")
        paths.append(p)
    return paths

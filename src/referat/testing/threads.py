"""A corpus of minutes whose items cite one another: fictional meetings of Vesterå Kommune (the bundled
examples' municipality) in which cases run from committee to committee, each later treatment citing an
earlier one under RELATERET BEHANDLING ("Økonomiudvalget 18.01.2021, punkt 7") and planning the next
under KOMMENDE BEHANDLINGSFORLØB. Files are named in random order, so that a meeting and the meetings it
cites land in different ingest batches, in either order: the linker must find the links whichever
arrives first (tests/test_crash_links.py kills ingest between batches and compares with a clean build).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

COMMITTEES = ("Økonomiudvalget", "Beskæftigelsesudvalget", "Teknik- og Miljøudvalget", "Børne- og Skoleudvalget",
              "Byrådet")
SUBJECTS = ("Budgetopfølgning", "Salg af grund på Havnevej", "Ny cykelsti langs Åvej", "Skolestruktur i Nørreby",
            "Takster for ældremad", "Klimaplan, første del", "Lokalplan for Søndergade", "Renovering af svømmehallen",
            "Puljen til foreningsliv", "Udbud af vintertjeneste", "Beskæftigelsesplan", "Daginstitution i Østerå")
MEMBERS = "Ida Holm (A), Jonas Krog (V), Søren Åkjær (C), Mette Søgaard (F), Karen Dahl (Ø)"


@dataclass
class _Item:
    committee: str
    date: dt.date
    number: int
    case: str
    subject: str


_MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
           "november", "december")


def _danish_date(d: dt.date) -> str:
    return f"{d.day}. {_MONTHS[d.month - 1]} {d.year}"


def _case(rng: random.Random, year: int) -> str:
    return f"{rng.randrange(100):02d}.{rng.randrange(100):02d}.00-P{rng.randrange(100):02d}-{rng.randrange(1, 99)}-{year % 100:02d}"


def write_threads(folder: Path, meetings: int, seed: int = 1, items: tuple[int, int] = (3, 5)) -> list[Path]:
    """Write `meetings` minutes into folder (two weeks apart per committee, from January 2021) and return
    their paths. About half of the items continue an earlier item's case and cite it; a fifth of the
    items plan their next treatment in another committee."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    earlier: list[_Item] = []
    numbers = dict.fromkeys(COMMITTEES, 1)
    paths = []
    day = dt.date(2021, 1, 4)
    for m in range(meetings):
        committee = COMMITTEES[m % len(COMMITTEES)]
        if m % len(COMMITTEES) == 0:
            day += dt.timedelta(days=14)
        date = day + dt.timedelta(days=m % len(COMMITTEES))  # one committee a day, Monday to Friday
        lines = ["Vesterå Kommune", "", "Beslutningsprotokol", "", committee, "",
                 f"Dato: {_danish_date(date)}", "Tidspunkt: kl. 15.00 - 16.45", "Sted: Rådhuset, mødelokale 2",
                 f"Medlemmer: {MEMBERS}", ""]
        for _ in range(rng.randint(*items)):
            cited = rng.choice(earlier[-60:]) if earlier and rng.random() < 0.5 else None
            item = _Item(committee, date, numbers[committee], cited.case if cited else _case(rng, date.year),
                         cited.subject if cited else rng.choice(SUBJECTS))
            numbers[committee] += 1
            lines += [f"Pkt. {item.number} {item.subject}", f"Sagsnr.: {item.case}", "", "SAGENS KERNE",
                      f"Sagen om {item.subject.lower()} behandles af {committee}.", "", "INDSTILLING",
                      "Direktionen indstiller, at sagen godkendes.", "",
                      f"BESLUTNING I {committee.upper()} DEN {date:%d-%m-%Y}", rng.choice(("Godkendt.", "Anbefales.")), ""]
            if cited:
                lines += ["RELATERET BEHANDLING", f"{cited.committee} {cited.date:%d.%m.%Y}, punkt {cited.number}", ""]
            if rng.random() < 0.2:
                later = rng.choice([c for c in COMMITTEES if c != committee])
                lines += ["KOMMENDE BEHANDLINGSFORLØB", f"{later} {date + dt.timedelta(days=14):%d.%m.%Y}", ""]
            earlier.append(item)
        path = folder / f"{rng.getrandbits(32):08x}_{committee.split()[0].lower()}_{date}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths

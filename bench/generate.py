"""Build a synthetic archive of N agenda items from real and example minutes.

usage: python bench/generate.py N DB [--files DIR] [--seed 1] [--no-relink]

Source records: the five real minutes in ../shared/seeds and the bundled examples, parsed once.
Each synthetic meeting copies a source meeting and varies what an archive varies:

- municipality and committee: 25 fictional municipalities x 12 committee names;
- date: a random meeting day 2007-2026; case numbers: fresh ones in the real shapes;
- case threads: 30 % of items continue an earlier item of the same municipality: they take its case
  number and cite it under Relateret behandling ("Økonomiudvalget 04.05.2021, punkt 12"), and 20 %
  plan a next treatment (Kommende behandlingsforløb) in another committee two weeks on, so that the
  linker has real work: threads, resolvable and unresolvable references, next steps;
- words: every word of every item text is, with probability 0.12, replaced by a word drawn from a
  Zipf-distributed vocabulary (exponent 1.1) of about 200,000 words: the ~4,000 real words of the
  sources plus Danish-style compounds glued from two of them ("jobklub" + "leder"). A vocabulary made
  only from the five seeds has ~3,800 words, so every word would be common and every benchmark query
  slow; the Zipf tail gives rare words as real archives have (place names, projects, compounds).

Records are turned into storage rows directly (this measures ingest from parsed records, not
parsing) and stored one meeting per transaction, as `referat ingest` does. With --files, each
meeting's text is also written as a file, for the grep baseline.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import hashlib
import os
import random
import re
import sys
import time
from pathlib import Path

from referat.ingest import Batcher
from referat.model import ParsedDocument, Reference, Treatment
from referat.parse import parse_file
from referat.store import Archive
from referat.store.rows import document_rows

ROOT = Path(__file__).resolve().parents[1]
MUNICIPALITIES = ["Vesterå", "Nørrebæk", "Søndervig", "Østerlund", "Skovbjerg", "Havnsø", "Bakkely", "Engholm",
                  "Fjordby", "Lyngå", "Mosede", "Rødkilde", "Strandholm", "Tårnby Vest", "Ålund", "Højslev",
                  "Kærby", "Løvstrup", "Møllerup", "Præstø Nord", "Sæby Øst", "Tjørnelund", "Vejlø", "Ørum",
                  "Åsted"]
COMMITTEES = ["Beskæftigelsesudvalget", "Økonomiudvalget", "Byrådet", "Børne- og Ungeudvalget",
              "Teknik- og Miljøudvalget", "Social- og Sundhedsudvalget", "Kultur- og Fritidsudvalget",
              "Beskæftigelses- og Integrationsudvalget", "Klima- og Planudvalget", "Ældreudvalget",
              "Skoleudvalget", "Erhvervs- og Turismeudvalget"]
WORD = re.compile(r"[^\W\d_]{3,}")


def sources() -> list[ParsedDocument]:
    files = sorted((ROOT.parent / "shared" / "seeds").glob("*.txt")) + sorted((ROOT / "examples").glob("*.[mt][dx]*"))
    docs = [parse_file(f) for f in files if f.suffix in (".txt", ".md")]
    return [d for d in docs if d.items]


def vocabulary(docs: list[ParsedDocument], rng: random.Random, size: int = 200_000) -> list[str]:
    base = sorted({w.lower() for d in docs for it in d.items for s in it.sections for w in WORD.findall(s.text)})
    words = list(base)
    seen = set(words)
    while len(words) < size:
        w = rng.choice(base) + rng.choice(base)
        if w not in seen and len(w) <= 24:
            seen.add(w)
            words.append(w)
    rng.shuffle(words)
    return words


class Zipf:
    """Draw ranks 0..n-1 with P(rank r) proportional to 1/(r+1)^s."""

    def __init__(self, n: int, s: float, rng: random.Random) -> None:
        acc, self.cdf = 0.0, []
        for r in range(n):
            acc += 1.0 / (r + 1) ** s
            self.cdf.append(acc)
        self.total, self.rng = acc, rng

    def draw(self) -> int:
        return bisect.bisect_left(self.cdf, self.rng.random() * self.total)


class Varier:
    """Replace a share of the words of a text with words from the Zipf vocabulary. Texts are split into
    words once and cached, so that a million variations stay cheap."""

    def __init__(self, vocab: list[str], zipf: Zipf, rng: random.Random) -> None:
        self.vocab, self.zipf, self.rng = vocab, zipf, rng
        self.cache: dict[str, tuple[list[str], list[int]]] = {}

    def __call__(self, text: str, p: float = 0.12) -> str:
        split = self.cache.get(text)
        if split is None:
            parts = WORD.split(text)
            words = WORD.findall(text)
            merged = [x for pair in zip(parts, words + [""]) for x in pair]
            split = self.cache[text] = (merged, list(range(1, len(merged), 2)))
        parts, positions = split
        k = sum(1 for _ in range(len(positions)) if self.rng.random() < p) if len(positions) < 8 else \
            int(len(positions) * p + self.rng.random())
        if not k:
            return text
        out = list(parts)
        for i in self.rng.sample(positions, min(k, len(positions))):
            out[i] = self.vocab[self.zipf.draw()]
        return "".join(out)


def case_number(rng: random.Random, year: int) -> str:
    shape = rng.randrange(4)
    kle = f"{rng.randrange(100):02d}.{rng.randrange(100):02d}.{rng.randrange(100):02d}"
    if shape == 0:
        return f"{year % 100:02d}-{rng.randrange(1, 99999)}-{kle}-{rng.choice('APGKS')}{rng.randrange(100):02d}"
    if shape == 1:
        return f"{year}/{rng.randrange(1, 99999):05d}"
    if shape == 2:
        return f"EMN-{year}-{rng.randrange(1, 999999):06d}"
    return f"{kle}-{rng.choice('AGP')}{rng.randrange(100):02d}-{rng.randrange(1, 99)}-{year % 100:02d}"


Earlier = tuple[str, dt.date, int, str]  # committee, date, item number, case number


def synthetic(src: ParsedDocument, n: int, vary: Varier, rng: random.Random, history: list[Earlier]) -> ParsedDocument:
    """A varied copy of src; `history` holds earlier items of the same municipality, to continue."""
    day = dt.date(2007, 1, 1) + dt.timedelta(days=rng.randrange(20 * 365))
    committee = rng.choice(COMMITTEES)
    meeting = src.meeting.model_copy(update={"committee": committee, "date": day})
    items = []
    for it in src.items:
        sections = [s.model_copy(update={"text": vary(s.text)}) for s in it.sections]
        number, case, related, upcoming = it.number + n % 200, case_number(rng, day.year), list(it.related), []
        if history and rng.random() < 0.3:
            body, date, item, case = rng.choice(history)
            related.insert(0, Reference(body=body, date=date, item=item,
                                        raw=f"{body} {date.strftime('%d.%m.%Y')}, punkt {item}"))
        if rng.random() < 0.2:
            upcoming.append(Treatment(body=rng.choice(COMMITTEES), date=day + dt.timedelta(days=14)))
        items.append(it.model_copy(update={
            "number": number, "title": vary(it.title, 0.25), "case_number": case, "related": related,
            "upcoming": upcoming, "decision": vary(it.decision) if it.decision else None, "sections": sections}))
    history.extend((committee, day, i.number, i.case_number) for i in items if i.case_number)
    del history[:-400]
    return src.model_copy(update={"meeting": meeting, "items": items})


def db_bytes(db: Path | str) -> int:
    """The database file, its WAL, and the search index folder beside it (db.tantivy/); for a
    PostgreSQL URL, pg_database_size plus the index folder in $REFERAT_INDEX, if set."""
    if "://" in str(db):
        return pg_bytes(str(db)) + index_bytes(str(db))
    db = Path(db)
    paths = [p for p in db.parent.glob(db.name + "*")]
    return sum(f.stat().st_size for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file())


def pg_bytes(url: str) -> int:
    """pg_database_size of the archive's database (tables, indexes, TOAST; not the server's WAL)."""
    from sqlalchemy import create_engine

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        size = int(conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one())
    engine.dispose()
    return size


def index_bytes(db: str) -> int:
    """The search index folder: beside a SQLite file, or $REFERAT_INDEX for a server database."""
    name = os.environ.get("REFERAT_INDEX", "") if "://" in db else db + ".tantivy"
    if not name or not Path(name).is_dir():
        return 0
    folder = Path(name)
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, help="number of items")
    ap.add_argument("db")
    ap.add_argument("--files", type=Path, help="also write each meeting's text here (grep baseline)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-relink", action="store_true",
                    help="skip the full relink at the end (`referat link`; ingest keeps links current anyway)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    docs = sources()
    vocab = vocabulary(docs, rng)
    vary = Varier(vocab, Zipf(len(vocab), 1.1, rng), rng)
    archive = Archive(args.db)
    if args.files:
        args.files.mkdir(parents=True, exist_ok=True)
    items = meetings = 0
    synth = build = store = 0.0
    last_items, last_store = 0, 0.0
    batch: list = []
    batcher = Batcher()
    histories: dict[str, list[Earlier]] = {m: [] for m in MUNICIPALITIES}
    t_start = time.perf_counter()
    while items < args.n:
        src = rng.choice(docs)
        t_synth = time.perf_counter()
        municipality = MUNICIPALITIES[meetings % len(MUNICIPALITIES)]
        doc = synthetic(src, meetings, vary, rng, histories[municipality])
        if items + len(doc.items) > args.n:
            doc = doc.model_copy(update={"items": doc.items[: args.n - items]})
        text = "\n\n".join(f"Punkt {it.number}: {it.title}\n\n" + "\n\n".join(f"{s.heading}\n{s.text}" for s in it.sections)
                           for it in doc.items)
        sha = hashlib.sha256(f"{meetings}:{text}".encode()).hexdigest()
        t0 = time.perf_counter()
        synth += t0 - t_synth
        rows = document_rows(doc, sha256=sha, path=f"synthetic/{meetings:07d}.txt", text=text, fmt="text",
                             encoding="utf-8", size=len(text), now="2026-01-01T00:00:00+00:00",
                             municipality=municipality)
        t1 = time.perf_counter()
        batch.append(rows)
        if batcher.add(rows):  # batches as `referat ingest` makes them
            archive.store_many(batch)
            batch.clear()
        t2 = time.perf_counter()
        build += t1 - t0
        store += t2 - t1
        if args.files:
            (args.files / f"{meetings:07d}.txt").write_text(text, encoding="utf-8")
        items += len(doc.items)
        meetings += 1
        if meetings % 2000 == 0:
            # the rate over the last stretch shows how storing slows as the archive grows
            print(f"  {items} items, {items / store:.0f} items/s stored "
                  f"({(items - last_items) / (store - last_store):.0f} over the last {items - last_items})", file=sys.stderr)
            last_items, last_store = items, store
    t1 = time.perf_counter()
    archive.store_many(batch)
    archive.close()  # waits for the search index's background merges: part of the cost of storing
    store += time.perf_counter() - t1
    total = time.perf_counter() - t_start
    size = db_bytes(args.db)
    print(f"items={items} meetings={meetings} synthesize_s={synth:.1f} rows_s={build:.1f} store_s={store:.1f} "
          f"total_s={total:.1f}")
    # ingest from parsed records = record -> rows (stemming, ids) + storing, as `referat ingest` does after parsing
    print(f"ingest_items_per_s={items / (build + store):.0f} store_items_per_s={items / store:.0f} "
          f"db_bytes={size} db_mb={size / 1e6:.0f} index_mb={index_bytes(args.db) / 1e6:.0f}")
    if args.no_relink:
        return
    # ingest keeps links current batch by batch (inside store_s); this is the full rebuild, `referat link`
    t0 = time.perf_counter()
    links = archive.link()
    print(f"link_all_s={time.perf_counter() - t0:.1f} links={links} items={items}")


if __name__ == "__main__":
    main()

"""The Greve archive of the publication system (../shared/corpus/publication-api/greve) ingested as files:
cases followed from committee through Økonomiudvalget to the Byråd by their case numbers.

The threads below were picked by hand from the JSON files (each item's SagsNummer, Punktnummer and the
meeting's Udvalg and date). `make test` ingests the meetings of January 2022; `bench/greve_archive.py` (run
by `make check-long`) ingests all 370 files and reports the archive.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import SHARED

GREVE = SHARED / "corpus" / "publication-api" / "greve"
pytestmark = pytest.mark.skipif(not GREVE.is_dir(), reason=f"no Greve corpus in {GREVE}")

THREADS = {
    "21-015414": [("2022-01-17", "Klima-, Teknik- og Miljøudvalget", 10, "Anlægsregnskaber 2021"),
                  ("2022-01-24", "Økonomiudvalget", 20, "Anlægsregnskaber 2021"),
                  ("2022-01-31", "Byråd", 21, "Anlægsregnskaber 2021")],
    "21-012897": [("2022-01-17", "Klima-, Teknik- og Miljøudvalget", 11, "Afledte anlægsprojekter ved salg af Hundige Øst"),
                  ("2022-01-24", "Økonomiudvalget", 21, "Afledte anlægsprojekter ifm. salg af Hundige Øst"),
                  ("2022-01-31", "Byråd", 22, "Afledte anlægsprojekter ifm. salg af Hundige Øst")],
    "21-010701": [("2022-01-11", "Skole-, Børne- og Ungeudvalget", 7, None),
                  ("2022-01-24", "Økonomiudvalget", 23, None),
                  ("2022-01-31", "Byråd", 24, None)],
}


def referat(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "referat.cli", *args], capture_output=True, text=True, check=False,
                          timeout=600)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("greve")
    for f in sorted(GREVE.glob("2022-01-*.json")):
        shutil.copy(f, folder)
    db = str(tmp_path_factory.mktemp("db") / "greve.db")
    res = referat("ingest", str(folder), "--db", db, "--format", "json")
    summary = json.loads(res.stdout)
    # ten meetings and the question/answer container of January 2022, which is refused, not failed
    assert (summary["ingested"], summary["refused"], summary["failed"]) == (10, 1, 0), summary
    assert "question/answer container" in summary["refusals"][0]["reason"]
    stats = json.loads(referat("stats", "--db", db, "--format", "json").stdout)
    # the municipality comes from the host the responses link to (dagsordener.greve.dk): one Byråd, not two
    assert {r["municipality"] for r in stats["by_committee_year"]} == {"Greve"}
    return db


@pytest.mark.parametrize("case", sorted(THREADS))
def test_a_case_runs_from_committee_to_the_byraad(archive: str, case: str) -> None:
    res = referat("case", case, "--db", archive, "--format", "json")
    assert res.returncode == 0, res.stderr
    timeline = [(t["date"], t["committee"], t["number"], t["title"]) for t in json.loads(res.stdout)["timeline"]]
    expected = THREADS[case]
    assert [(d, c, n) for d, c, n, _ in timeline] == [(d, c, n) for d, c, n, _ in expected]
    assert all(want is None or got == want for (_, _, _, got), (_, _, _, want) in zip(timeline, expected))
    text = referat("case", case, "--db", archive).stdout
    assert text.index("Klima-" if "015414" in case or "012897" in case else "Skole-") < text.index("Byråd")

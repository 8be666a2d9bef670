"""Real documents of other municipalities and meeting systems (../shared/corpus) against gold we wrote by hand.

Each gold file tests/gold/corpus/<folder>/<name>.json has the shape of ../shared/gold (header fields and a
subset of item keys, plus `notes` on every hard call), written from the document itself, never from
referat's output; its `file` names the corpus file in ../shared/corpus/<folder>/. Each document is read
through referat's own readers (chosen by content) and scored with the shared scorer: a structured source
(meeting JSON, XML) must reach 0.98, any other 0.95. A failure prints the scorer's field-level misses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SHARED
from referat import parse_file

GOLD = ROOT / "tests" / "gold" / "corpus"
CASES = sorted(GOLD.glob("*/*.json"))
STRUCTURED = (".json", ".xml")

pytestmark = pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason=f"no corpus in {SHARED}/corpus")


def minimum(source: Path) -> float:
    return 0.98 if source.suffix.lower() in STRUCTURED else 0.95


def score(gold: Path, out: dict, tmp_path: Path) -> tuple[float, str]:
    gold_dir, out_dir = tmp_path / "gold", tmp_path / "out"
    gold_dir.mkdir()
    out_dir.mkdir()
    (gold_dir / gold.name).write_bytes(gold.read_bytes())
    (out_dir / gold.name).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    res = subprocess.run([sys.executable, str(SHARED / "tools" / "score.py"), str(gold_dir), str(out_dir),
                          "--verbose"], capture_output=True, text=True, check=False)
    last = res.stdout.strip().splitlines()[-1]
    return float(last.split()[-1]), res.stdout


@pytest.mark.parametrize("gold", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_corpus_document_matches_gold(gold: Path, tmp_path: Path) -> None:
    source = SHARED / "corpus" / gold.parent.name / json.loads(gold.read_text(encoding="utf-8"))["file"]
    out = parse_file(source).to_contract()
    overall, report = score(gold, out, tmp_path)
    assert overall >= minimum(source), f"{source.name}: {overall:.3f} < {minimum(source)}\n{report}"

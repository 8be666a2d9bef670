"""Nothing read is lost at ingest: parse -> ingest -> `export --format json` gives back the parsed meeting,
field by field, and the original file byte for byte.

Every seed, example and genre fixture, and a sample of the real corpus (the Greve JSON responses, every
ESDH XML export, the Word file and the SBSYS PDF) is parsed as `referat parse --format json` prints it,
ingested with `referat ingest`, and exported with `referat export --format json`; the exported meeting
without its ids must equal the parsed one: header fields, participants, toc, source, every item's fields
(votes by party letters and by names, absences, substitutes, presenters, amounts, tables, attachments,
related and upcoming treatments, sections with roles) and the warnings. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, GENRE, SEEDS, SHARED
from referat.cli import app
from referat.errors import ReferatError
from referat.parse import parse_file
from referat.store import Archive

CORPUS = SHARED / "corpus"
GREVE = sorted((CORPUS / "publication-api" / "greve").glob("*.json"))


def _documents() -> list[Path]:
    corpus = [*GREVE[::20], *sorted(CORPUS.glob("*/*.xml")), *sorted(CORPUS.glob("*/*.docx")),
              *sorted(CORPUS.glob("sbsys-aarhus/*.pdf"))]
    return [*SEEDS, *sorted(EXAMPLES.iterdir()), *sorted(GENRE.iterdir()), *corpus]


DOCUMENTS = _documents()


def _parsed() -> dict[Path, dict[str, Any]]:
    """The parse contract of every document that is minutes or an agenda (the rest is refused by both)."""
    out = {}
    for path in DOCUMENTS:
        try:
            out[path] = parse_file(path).to_contract()
        except ReferatError:
            continue
    return out


PARSED = _parsed()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def exported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Callable[[str], tuple[dict[str, dict[str, Any]], dict[str, str]]]:
    """Per backend: every parsed document ingested and exported through the CLI. Documents of the same
    meeting (an agenda and its minutes, a PDF and its XML) replace one another in one archive, so each
    round ingests into a new archive what the rounds before did not keep. Returns the exported meetings
    by document id, and the database each is in."""
    cache: dict[str, tuple[dict[str, dict[str, Any]], dict[str, str]]] = {}

    def run(backend: str) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        if backend in cache:
            return cache[backend]
        meetings: dict[str, dict[str, Any]] = {}
        where: dict[str, str] = {}
        pending = list(PARSED)
        runner = CliRunner()
        for n in range(6):
            if not pending:
                break
            if backend == "sqlite":
                db = str(tmp_path_factory.mktemp("roundtrip") / f"r{n}.db")
            else:
                db = request.getfixturevalue("postgres").create_database()
            res = runner.invoke(app, ["ingest", *map(str, pending), "--db", db, "--format", "json"])
            assert res.exit_code == 0, res.output
            assert json.loads(res.stdout)["failed"] == 0, res.stdout
            res = runner.invoke(app, ["export", "--format", "json", "--db", db])
            assert res.exit_code == 0, res.output
            for m in json.loads(res.stdout):
                meetings[m["document_id"]] = m
                where[m["document_id"]] = db
            pending = [p for p in pending if _sha(p) not in meetings]
        assert not pending, pending
        cache[backend] = (meetings, where)
        return cache[backend]

    return run


def _without_ids(m: dict[str, Any]) -> dict[str, Any]:
    return {"meeting": m["meeting"], "items": [{k: v for k, v in i.items() if k != "id"} for i in m["items"]],
            "warnings": m["warnings"]}


def _differences(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """Field-level differences, so that a failure names what was lost."""
    out = [f"meeting.{k}: {got['meeting'].get(k)!r} != {v!r}" for k, v in want["meeting"].items()
           if got["meeting"].get(k) != v]
    if got["warnings"] != want["warnings"]:
        out.append(f"warnings: {got['warnings']!r} != {want['warnings']!r}")
    if len(got["items"]) != len(want["items"]):
        out.append(f"{len(got['items'])} items != {len(want['items'])}")
    for n, (a, b) in enumerate(zip(got["items"], want["items"])):
        out += [f"item {n} ({b['number']}).{k}: {a.get(k)!r} != {v!r}" for k, v in b.items() if a.get(k) != v]
        out += [f"item {n}: extra key {k}" for k in a if k not in b]
    return out


def test_the_sample_covers_every_kind_of_field() -> None:
    """The documents below carry each field the contract has, so that the round trip proves each one."""
    items = [i for c in PARSED.values() for i in c["items"]]
    assert len(PARSED) >= 30 and len(items) >= 300
    votes = [i["votes"] for i in items if i["votes"]]
    names = [n for v in votes for n in v["for"] + v["against"] + v["abstained"]]
    assert any(len(n) <= 2 for n in names), "votes by party letters"
    assert any(" " in n for n in names), "votes by names"
    for key in ("absent", "substitutes", "presenters", "amounts_mio_kr", "tables", "attachments", "related",
                "upcoming", "recommendation"):
        assert any(i[key] for i in items), key
    assert any(isinstance(i["number"], str) for i in items), "a number printed as a string"
    assert any(c["meeting"]["source"] for c in PARSED.values()) and any(c["meeting"]["toc"] for c in PARSED.values())
    assert any(c["warnings"] for c in PARSED.values())
    assert any(p["party"] for c in PARSED.values() for p in c["meeting"]["participants"])


@pytest.mark.parametrize("path", list(PARSED), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_exported_meeting_equals_the_parsed_one_field_by_field(
        path: Path, backend: str, exported: Callable[[str], tuple[dict[str, dict[str, Any]], dict[str, str]]]) -> None:
    meetings, _ = exported(backend)
    got = meetings[_sha(path)]
    assert _differences(_without_ids(got), PARSED[path]) == []
    assert _without_ids(got) == PARSED[path]
    assert got["id"] and all(i["id"] for i in got["items"])


@pytest.mark.parametrize("path", [p for p in PARSED if p.suffix != ".json"][::3] + [p for p in PARSED
                                                                                       if p.suffix == ".json"][:1],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_original_file_is_kept_byte_for_byte(
        path: Path, backend: str, exported: Callable[[str], tuple[dict[str, dict[str, Any]], dict[str, str]]]) -> None:
    _, where = exported(backend)
    sha = _sha(path)
    with Archive(where[sha]) as archive:
        original = archive.original(sha)
    assert original["content"] == path.read_bytes()
    assert original["size"] == path.stat().st_size and original["sha256"] == sha
    assert original["file_name"] == path.name and original["path"] == str(path)
    expected = {".pdf": "application/pdf", ".json": "application/json", ".xml": "application/xml",
                ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ".md": "text/markdown; charset=utf-8", ".txt": "text/plain; charset=utf-8",
                ".html": "text/html; charset=utf-8"}
    assert original["media_type"] == expected[path.suffix]

"""The command line: the parse contract on stdout, and one clear line on stderr for bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, ROOT, SEEDS
from referat.sources.text import encoding_warning

MEETING_KEYS = {"kind", "committee", "election_period", "date", "start_time", "location", "participants", "toc",
                "source"}
ITEM_KEYS = {"number", "title", "case_number", "closed", "decision", "decision_kind", "recommendation",
             "recommending_body", "absent", "substitutes", "votes", "upcoming", "related", "attachments",
             "presenters", "amounts_mio_kr", "tables", "sections"}
MINUTES = ("REFERAT Økonomiudvalget 2022-2025 d. 18-09-2023\n\nMødedato Mandag d. 18. september 2023 kl. 16:00\n\n"
           "Punkt 1: Budget\n\n23/08812\n\nBeslutning\n\nGodkendt.\n")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "referat.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, check=False)


def test_json_is_the_contract_exactly(tmp_path: Path) -> None:
    f = tmp_path / "m.txt"
    f.write_text(MINUTES, encoding="utf-8")
    res = run("parse", str(f), "--format", "json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert set(doc) == {"meeting", "items", "warnings"}
    assert set(doc["meeting"]) == MEETING_KEYS
    assert all(set(it) == ITEM_KEYS for it in doc["items"])
    assert doc["meeting"]["date"] == "2023-09-18" and doc["items"][0]["decision_kind"] == "approved"
    assert doc["meeting"]["source"] is None  # a plain file says nothing about where it comes from
    sections = [s for it in doc["items"] for s in it["sections"]]
    assert all(set(s) == {"heading", "role", "text"} for s in sections)
    assert [s["role"] for s in sections] == ["decision"]


def test_text_format_reads_like_minutes(tmp_path: Path) -> None:
    f = tmp_path / "m.txt"
    f.write_text(MINUTES, encoding="utf-8")
    res = run("parse", str(f))
    assert res.returncode == 0
    assert "Punkt 1: Budget" in res.stdout and "Beslutning [Godkendt]: Godkendt." in res.stdout


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    (tmp / "empty.txt").write_bytes(b"")
    (tmp / "blank.txt").write_text("  \n\n \t\n")
    (tmp / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x01\x02\x03" * 50)
    (tmp / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog" * 3)
    (tmp / "letter.txt").write_text("Kære Jens,\n\nTak for sidst.\n\nHilsen Ole\n")
    (tmp / "folder").mkdir()
    return {
        "missing": (tmp / "nope.txt", "no such file"),
        "empty": (tmp / "empty.txt", "empty file"),
        "blank": (tmp / "blank.txt", "empty file"),
        "binary": (tmp / "binary.txt", "binary file"),
        "corrupt pdf": (tmp / "broken.pdf", "corrupt or truncated PDF"),
        "not minutes": (tmp / "letter.txt", "not minutes or an agenda"),
        "directory": (tmp / "folder", "is a directory"),
    }


@pytest.mark.parametrize("case", ["missing", "empty", "blank", "binary", "corrupt pdf", "not minutes", "directory"])
def test_bad_input_gets_one_clear_line(tmp_path: Path, case: str) -> None:
    path, reason = _bad_inputs(tmp_path)[case]
    res = run("parse", str(path), "--format", "json")
    assert res.returncode == 1
    assert res.stdout == ""
    assert "Traceback" not in res.stderr
    assert str(path) in res.stderr and reason in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr


def test_cp1252_is_decoded_and_said(tmp_path: Path) -> None:
    f = tmp_path / "windows.txt"
    f.write_bytes(MINUTES.replace("Budget", "Økonomi – ½ år").encode("cp1252"))
    res = run("parse", str(f), "--format", "json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["items"][0]["title"] == "Økonomi – ½ år"
    assert "læst som cp1252" in res.stderr
    assert any("cp1252" in w["message"] for w in doc["warnings"])


def test_ingest_says_a_doubtful_decoding_per_document(tmp_path: Path) -> None:
    """A UTF-8 file with one pasted Windows dash: read as UTF-8 with that byte as cp1252, and said."""
    f = tmp_path / "stray.txt"
    f.write_bytes(MINUTES.replace("Budget", "Økonomi \x00 år").encode("utf-8").replace(b"\x00", b"\x96"))
    res = run("ingest", str(f), "--db", str(tmp_path / "a.db"))
    assert res.returncode == 0, res.stderr
    assert f"bemærk: {f}: læst som UTF-8 med enkelte byte læst som cp1252" in res.stderr
    res = run("ingest", str(f), "--db", str(tmp_path / "b.db"), "--format", "json")
    assert json.loads(res.stdout)["notes"] == [{"path": str(f), "encoding": "utf-8+cp1252",
                                                "note": encoding_warning("utf-8+cp1252")}]


def test_latin1_fallback(tmp_path: Path) -> None:
    f = tmp_path / "latin.txt"
    # 0x81 is undefined in cp1252, so only latin-1 decodes this file
    f.write_bytes(MINUTES.replace("Budget", "Budget \x81 Århus").encode("latin-1"))
    res = run("parse", str(f), "--format", "json")
    assert res.returncode == 0 and "læst som latin-1" in res.stderr


def test_utf16_with_bom(tmp_path: Path) -> None:
    f = tmp_path / "utf16.txt"
    f.write_bytes(MINUTES.encode("utf-16"))
    res = run("parse", str(f), "--format", "json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["items"][0]["title"] == "Budget"


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.md")) + sorted(EXAMPLES.glob("*.txt")),
                         ids=lambda p: p.name)
def test_bundled_examples_parse(example: Path) -> None:
    res = run("parse", str(example), "--format", "json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["items"]


def test_archive_commands_take_a_file_or_a_database_url(new_db: Callable[[str], str], backend: str) -> None:
    """--db is a file or a URL (postgresql+psycopg://…): the same commands, the same answers."""
    db = new_db("cli.db")
    res = run("ingest", str(EXAMPLES), "--db", db)
    assert res.returncode == 0, res.stderr
    assert "5 indlæste, 0 erstattede, 0 uændrede, 0 afviste, 0 fejlede (20 punkter) i " in res.stdout and db.split("://")[-1] in res.stdout
    found = json.loads(run("search", "jobklub", "--db", db, "--format", "json").stdout)
    assert found["total"] == 2 and found["facets"]["year"] == {"2023": 1, "2024": 1}
    assert json.loads(run("stats", "--db", db, "--format", "json").stdout)["items"] == 20
    item = run("show", "item", found["hits"][0]["id"], "--db", db)
    assert item.returncode == 0 and "Jobklubber for unge ledige" in item.stdout
    lines = run("export", "--format", "jsonl", "--query", "budget*", "--db", db).stdout.splitlines()
    assert lines and all(json.loads(line)["id"] for line in lines)


def test_an_unreachable_or_foreign_database_url_gets_one_line_without_its_password() -> None:
    res = run("stats", "--db", "postgresql://reader:secret@127.0.0.1:1/archive")
    assert res.returncode == 1 and "secret" not in res.stderr and len(res.stderr.splitlines()) == 1, res.stderr
    assert res.stderr.startswith("error: postgresql://reader:***@127.0.0.1:1/archive: cannot open the database: "
                                 "connection failed")
    res = run("stats", "--db", "mysql://reader@127.0.0.1/archive")
    assert res.returncode == 1 and len(res.stderr.splitlines()) == 1
    assert "in a SQLite file or in PostgreSQL" in res.stderr and res.stderr.strip().endswith("not in mysql")


def test_prose_that_quotes_minutes_is_refused_as_prose(tmp_path: Path) -> None:
    """The README quotes sample output ("Referat: …", "Dato: …", "Punkt 160: …") in code fences: a quoted
    sample is not the document, so the README is refused with the documented message."""
    prose = tmp_path / "notes.md"
    prose.write_text("# Noter om referater\n\n" + "Dette er en længere tekst om hvordan man læser referater. " * 3
                     + "\n\n" + "\n\n".join(f"Afsnit {i} forklarer noget om kommunens arbejde og beslutninger i "
                                             "udvalgene." for i in range(12))
                     + "\n\n```\n" + MINUTES + "```\n", encoding="utf-8")
    for path in (ROOT / "README.md", prose):
        res = run("parse", str(path))
        assert res.returncode == 1, res.stdout[:200]
        assert "this reads as prose, not a meeting header" in res.stderr, res.stderr
    minutes = tmp_path / "m.md"
    minutes.write_text(MINUTES, encoding="utf-8")
    assert run("parse", str(minutes)).returncode == 0


# --- one language for the labels ---------------------------------------------------------------------

# words a label of the human output could be in English (the JSON and CSV field names stay English: they
# are the API contract; document text is Danish, so an English word here is a label left over)
ENGLISH = re.compile(r"(?<!-)\b(?:hits?|items?|meetings?|documents?|ingested|replaced|skipped|refused|failed|links?|"
                     r"printed|saved|removed|loaded|warnings?|note:|approved|noted|recommended|rejected|postponed|"
                     r"referred|bytes|minutes|into|matched|nothing|posted|starting|interrupted|decoded|heading|"
                     r"decision|toc|furniture|header|field|unchanged|changed|listed|recommendation|upcoming|"
                     r"attachments|other|text|value|label|none|present|absent|abstained|against|new|case|"
                     r"with_changes|approved_with_changes|page|source|file|date|committee|municipality|year|"
                     r"decision_kind|party|attendance|member|votes?|voted|presented|substitute|runs?|search)\b")


@pytest.mark.skipif(not SEEDS, reason="real minutes not found in ../shared/seeds")
def test_every_command_speaks_danish_on_the_demo_archive(tmp_path: Path) -> None:
    """Each command's human output (stdout and its notes on stderr) on the demo archive: Danish labels,
    Danish dates and plurals, the decision kinds by their Danish names."""
    from typer.testing import CliRunner

    from referat.cli import app

    db = str(tmp_path / "demo.db")
    invoke = CliRunner().invoke

    def human(*args: str, code: int = 0) -> str:
        res = invoke(app, [*args, "--db", db] if args[0] != "parse" else list(args))
        assert res.exit_code == code, (args, res.output)
        return res.stdout + res.stderr

    said = {"ingest": human("ingest", str(EXAMPLES), *map(str, SEEDS), str(ROOT / "README.md"), code=0)}
    assert said["ingest"].startswith("10 indlæste, 0 erstattede, 0 uændrede, 1 afvist, 0 fejlede (68 punkter) i ")

    def data(*args: str) -> Any:
        return json.loads(invoke(app, [*args, "--db", db, "--format", "json"]).stdout)

    hit = data("search", "jobklub")["hits"][0]
    case = next(t for t in data("search", "skoledistrikter")["hits"] if t["case_number"])["case_number"]
    kle = tmp_path / "kle.csv"
    kle.write_text("17.02;Skoledistrikter\n", encoding="utf-8")
    example = str(EXAMPLES / "vesteraa_oekonomiudvalg_2023-09-18.txt")
    said |= {
        "parse": human("parse", example), "explain": human("parse", example, "--explain"),
        "search": human("search", "jobklub", "--committee", "beskæftigelsesudvalg"),
        "fallback": human("search", "regnskabsafslutningen"),
        "show meeting": human("show", "meeting", hit["meeting_id"]), "show item": human("show", "item", hit["id"]),
        "stats": human("stats"), "case": human("case", case), "person": human("person", "Ida Holm"),
        "body": human("body", "økonomiudvalg"), "link": human("link"), "series": human("series", ""),
        "kle": human("kle", "load", str(kle)),
        "watch add": human("watch", "add", "budget", "--name", "budget"), "watch run": human("watch", "run"),
        "watch list": human("watch", "list"), "watch remove": human("watch", "remove", "budget"),
    }
    for command, text in said.items():
        labels = re.sub(r"(?m)^((?:afvist|fejlet): [^:]+:).*$", r"\1", text)  # the reason: a program message
        left = sorted({m.group(0) for m in ENGLISH.finditer(labels)})
        assert not left, f"`{command}` prints English labels {left}:\n{text[:1500]}"
    assert said["search"].startswith("2 resultater for »jobklub«")
    assert "[Til efterretning]" in said["search"] and "12. marts 2024" in said["search"]
    assert "Beslutning: Til efterretning (2)" in said["search"]
    assert "bemærk: --committee »beskæftigelsesudvalg« fandt »Beskæftigelsesudvalget«" in said["search"]
    assert "Beslutning [Anbefalet]:" in said["parse"] and "Dato: 18. september 2023 kl. 15:00" in said["parse"]
    assert "Beløb (mio. kr.): 48,2; 212,5" in said["parse"]
    assert said["stats"].startswith("10 dokumenter, 10 møder, 68 punkter, 0 advarsler fra læsningen")
    assert "fremmøde som medlem: 2 af 2 møder (100 %)" in said["person"]
    assert "Økonomiudvalget  Vesterå  2 møder" in said["body"] and "(5 punkter)" in said["body"]
    assert said["kle"].startswith("indlæste 1 KLE-kode fra ")
    assert "punkt 159 overskrift" in said["explain"]

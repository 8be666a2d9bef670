"""The README documents every command, and its examples run as written."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT, needs_shared
from referat.cli import app

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme() -> None:
    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    assert commands >= {"parse", "ingest", "search", "show", "export", "stats"}
    for name in commands:
        assert f"referat {name}" in README, f"'referat {name}' is not documented in README.md"


def test_every_vocabulary_is_named_with_a_real_example() -> None:
    from referat import vocab

    for value in vars(vocab).values():
        entries = value if isinstance(value, tuple) else (value,)
        for e in entries:
            if isinstance(e, vocab.Entry):
                assert e.example.strip() and e.meaning.strip(), e


def test_readme_query_table_is_accepted_by_the_parser() -> None:
    from referat.search import parse_query

    for query in re.findall(r"^\| `([^`]+)` \|", README, flags=re.MULTILINE):
        parse_query(query)


@needs_shared
def test_readme_refusal_example_is_true() -> None:
    res = subprocess.run([sys.executable, "-m", "referat.cli", "parse", "pyproject.toml"], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert res.returncode == 1 and res.stderr.strip() in README


@needs_shared
def test_readme_case_example_is_real_output(tmp_path) -> None:
    """The README's `referat case` example is what the command prints on the demo archive."""
    from typer.testing import CliRunner

    from conftest import EXAMPLES, SEEDS

    block = README.split("$ referat case 23-41-15.20.00-A26 --db demo.db\n", 1)[1].split("```", 1)[0]
    db = str(tmp_path / "demo.db")
    run = CliRunner().invoke
    assert run(app, ["ingest", str(EXAMPLES), *map(str, SEEDS), "--db", db]).exit_code == 0
    res = run(app, ["case", "23-41-15.20.00-A26", "--db", db])
    assert res.exit_code == 0 and res.stdout == block

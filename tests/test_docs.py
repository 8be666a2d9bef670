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

"""Cases of the reliability probe (../shared/reports/probe-2026-11-30.md) that still broke when it was
re-run (bench/probe.py), each kept from coming back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referat.cases import KleFileError, load_kle
from referat.search import _LINE_BREAKS, one_line
from referat.store.searching import _words_starting


def test_kle_load_of_a_binary_file_is_refused_by_name(tmp_path: Path) -> None:  # probe #83
    binary = tmp_path / "bin.xml"
    binary.write_bytes(bytes(range(256)) * 10)  # starts with NUL: binary
    with pytest.raises(KleFileError, match="bin.xml: a binary file"):
        load_kle(binary)
    undefined = tmp_path / "codes.csv"
    undefined.write_bytes("85.10;Budget\n".encode() + b"\x81\x8d\x90;x\n")  # bytes cp1252 leaves undefined
    with pytest.raises(KleFileError, match="codes.csv: not text"):
        load_kle(undefined)


# --- the load bench's search path (bench/load.py), made cheaper: same answers ----------------------

@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=" \t\n\r\xa0\x0bab\x1c\u2028æ", max_size=40))
def test_one_line_is_the_line_break_pattern_exactly(text: str) -> None:
    assert one_line(text) == _LINE_BREAKS.sub(" ", text)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="aæbø -\n.Ø_1", max_size=60), st.sampled_from(["a", "æb", "ø", "b"]))
def test_words_starting_with_a_stem_are_what_the_old_pattern_found(text: str, stem: str) -> None:
    old = {w.lower() for w in re.findall(r"(?<![^\W_])" + re.escape(stem) + r"[^\W_]*", text, re.IGNORECASE)}
    assert _words_starting(text.lower(), stem) == old


def test_a_sqlite_file_uri_is_refused_and_no_file_is_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # probe #73
    from referat.store import Archive
    from referat.store.guard import DatabaseUrlError

    monkeypatch.chdir(tmp_path)
    for db in ("file:x.db?mode=ro", "file:x.db"):
        with pytest.raises(DatabaseUrlError, match="not a SQLite file: URI"):
            Archive(db)
    odd = "a?b#c%20.db"  # a file name is a file name: nothing in it is read as URL syntax
    Archive(odd).close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [odd, odd + ".tantivy"]

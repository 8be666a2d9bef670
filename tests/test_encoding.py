"""Encodings decided per document, honestly: a UTF-8 file with a stray Windows byte stays UTF-8 (with a
warning), a Windows file is read as cp1252 (with a warning), and neither is mangled into mojibake."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLES
from referat import parse_file

SOURCE = EXAMPLES / "vesteraa_oekonomiudvalg_2023-09-18.txt"


@pytest.mark.parametrize("stray", [b"\x96", b"\xff\xfe\x81", b"\x93citat\x94"])
def test_stray_bytes_in_utf8_keep_the_danish_letters(tmp_path: Path, stray: bytes) -> None:
    clean = parse_file(SOURCE)
    f = tmp_path / "m.txt"
    data = SOURCE.read_bytes()
    at = data.index(b"\n\n", len(data) // 2)
    f.write_bytes(data[:at] + b" " + stray + data[at:])
    doc = parse_file(f)
    assert doc.meeting.committee == clean.meeting.committee == "Økonomiudvalget"
    assert [i.title for i in doc.items] == [i.title for i in clean.items]
    assert any("stray byte" in w.message and "cp1252" in w.message for w in doc.warnings), doc.warnings


def test_a_windows_file_is_cp1252_and_said(tmp_path: Path) -> None:
    f = tmp_path / "m.txt"
    f.write_bytes(SOURCE.read_text(encoding="utf-8").encode("cp1252", "replace"))
    doc = parse_file(f)
    assert doc.meeting.committee == "Økonomiudvalget"
    assert any(w.message == "not valid UTF-8; decoded as cp1252" for w in doc.warnings)

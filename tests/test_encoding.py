"""Encodings decided per document, honestly: a UTF-8 file with a stray Windows byte stays UTF-8 (with a
warning), a Windows file is read as cp1252 (with a warning), and neither is mangled into mojibake."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES
from referat import parse_file
from referat.ingest import ingest
from referat.sources.text import decode, encoding_warning, repair_mojibake
from referat.store import Archive

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


# --- decided per document -------------------------------------------------------------------------------

TEXT = SOURCE.read_text(encoding="utf-8") + "\nÆble, «citat» – 5 €, ½ time, “Åben” og é.\n"


@pytest.mark.parametrize("data, encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (TEXT.encode("cp1252"), "cp1252"),
    # a minutes file begun in a Windows editor and finished in a UTF-8 one: each part read as written, even
    # though the Windows bytes outnumber the UTF-8 letters (decoding it all as cp1252 made "Ã¦" of every æ)
    (TEXT[:len(TEXT) * 3 // 4].encode("cp1252") + TEXT[len(TEXT) * 3 // 4:].encode("utf-8"), "utf-8+cp1252"),
    (TEXT[:200].encode("utf-8") + TEXT[200:].encode("cp1252"), "utf-8+cp1252"),
    # UTF-8 once read as cp1252 (or latin-1) and saved as UTF-8 again: "BeskÃ¦ftigelse", "â€“"
    (TEXT.encode("utf-8").decode("cp1252", "stray_cp1252").encode("utf-8"), "utf-8+mojibake"),
    (TEXT.encode("utf-8").decode("latin-1").encode("utf-8"), "utf-8+mojibake"),
])
def test_each_document_is_read_as_it_was_written(data: bytes, encoding: str) -> None:
    text, used = decode(data)
    assert (text, used) == (TEXT, encoding)
    assert (encoding_warning(used) is None) == (encoding == "utf-8")


def test_a_windows_file_with_an_accidental_utf8_pair_stays_cp1252() -> None:
    """"Å" (0xC5) before a pasted dash (0x96) is valid UTF-8 by accident (U+0156), a letter no Danish text
    holds: the file is still cp1252, not UTF-8 with stray bytes."""
    text = "Økonomiudvalget\nPunkt 1: Å–vej, færdiggørelse\n"
    assert decode(text.encode("cp1252")) == (text, "cp1252")


def test_mojibake_repair_touches_only_mojibake() -> None:
    assert repair_mojibake("BeskÃ¦ftigelsesudvalget â€“ Ã˜konomi, Ã…ben, Â½") == "Beskæftigelsesudvalget – Økonomi, Åben, ½"
    untouched = "pâté, Ã alene, Ø» og Å–"  # no run that is UTF-8 for a letter or sign a Danish text holds
    assert repair_mojibake(untouched) == untouched


# --- one meeting, one record ------------------------------------------------------------------------------

def test_the_same_minutes_in_different_encodings_are_one_record(tmp_path: Path, new_db: Callable[[str], str]) -> None:
    """The same minutes as UTF-8, as cp1252 and latin-1 bytes, as double-encoded UTF-8, and with a stray
    Windows byte: one meeting under its right committee, stored once, each doubtful decoding said."""
    source = EXAMPLES / "vesteraa_beskaeftigelse_2024-03-12.md"
    utf8 = source.read_bytes()
    text = utf8.decode("utf-8")
    at = utf8.index(b"evaluering")
    files = {"a_utf8.md": utf8, "b_cp1252.md": text.encode("cp1252"), "c_latin1.md": text.encode("latin-1"),
             "d_double.md": text.encode("utf-8").decode("cp1252").encode("utf-8"),
             "e_stray.md": utf8[:at] + b"\x96 " + utf8[at:]}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with Archive(new_db("a.db")) as archive:
        summary = ingest(archive, [str(tmp_path / n) for n in files], bounded=False)
        status = {Path(o.path).name: (o.status, o.encoding) for o in summary.outcomes}
        assert status["a_utf8.md"] == ("ingested", None)
        # word for word the stored text: not stored again (cp1252 and latin-1 give the same bytes here)
        assert status["b_cp1252.md"] == status["c_latin1.md"] == ("skipped", "cp1252")
        assert status["d_double.md"] == ("skipped", "utf-8+mojibake")
        # one character more ("–"): a new version of the same meeting, which replaces it
        assert status["e_stray.md"] == ("replaced", "utf-8+cp1252")
        notes = {Path(n["path"]).name: n["note"] for n in summary.as_dict()["notes"]}  # type: ignore[union-attr]
        assert notes["e_stray.md"] == encoding_warning("utf-8+cp1252") and "stray bytes read as cp1252" in notes["e_stray.md"]
        with archive.engine.connect() as conn:
            bodies = [r[0] for r in conn.exec_driver_sql("SELECT name FROM bodies")]
            meetings = conn.exec_driver_sql("SELECT count(*) FROM meetings").scalar_one()
            documents = conn.exec_driver_sql("SELECT path, encoding FROM documents").all()
        assert bodies == ["Beskæftigelsesudvalget"] and meetings == 1
        assert [(Path(p).name, e) for p, e in documents] == [("e_stray.md", "utf-8+cp1252")]
        # a rerun is a no-op: a was replaced by e, b-d skipped in favour of a (schema.superseded)
        again = ingest(archive, [str(tmp_path / n) for n in files], bounded=False)
        assert (again.count("replaced"), again.count("ingested"), again.count("skipped")) == (0, 0, 5)
        assert {Path(o.path).name: o.why for o in again.outcomes} == {
            "a_utf8.md": "replaced", "b_cp1252.md": "same_text", "c_latin1.md": "same_text", "d_double.md": "same_text",
            "e_stray.md": None}


_DANISH = st.text(alphabet=st.sampled_from(list("abcæøåÆØÅéü ,.-:()1\n") + list("–—«»“”„€½§°•…")), max_size=80)


@settings(max_examples=300, deadline=None)
@given(_DANISH)
def test_mojibake_of_any_danish_text_is_repaired_and_clean_text_left_alone(text: str) -> None:
    assert repair_mojibake(text) == text
    for codec in ("cp1252", "latin-1"):
        mangled = text.encode("utf-8").decode(codec, "stray_cp1252")
        assert repair_mojibake(mangled) == text

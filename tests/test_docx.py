"""Word files: the record read from a .docx equals the record read from the text it holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLES, SEEDS, SHARED
from referat import parse_file, parse_text
from referat.testing.docxrender import render_docx
from referat.errors import SourceError
from test_pdf import differences

SOURCES = [*SEEDS, *sorted(EXAMPLES.glob("*.txt"))]


@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_docx_record_equals_text_record(tmp_path: Path, source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    word = render_docx(text, tmp_path / (source.stem + ".docx"))
    diffs = differences(parse_text(text).to_contract(), parse_file(word).to_contract())
    assert not diffs, "\n".join(diffs[:20])


def test_a_docx_is_recognised_by_content_not_name(tmp_path: Path) -> None:
    word = render_docx((EXAMPLES / "vesteraa_dagsorden_2025-01-15.txt").read_text(encoding="utf-8"),
                       tmp_path / "dagsorden.bin")
    assert parse_file(word).meeting.kind == "agenda"


def test_docx_cut_before_its_document_is_refused(tmp_path: Path) -> None:
    word = render_docx((EXAMPLES / "vesteraa_dagsorden_2025-01-15.txt").read_text(encoding="utf-8"),
                       tmp_path / "d.docx")
    cut = tmp_path / "cut.docx"
    cut.write_bytes(word.read_bytes()[:2000])
    with pytest.raises(SourceError, match="corrupt or truncated Word file"):
        parse_file(cut)


# --- the reader itself: truncated files, zip bombs, Word's structure as hints --------------------------

GLOSTRUP = SHARED / "corpus" / "docx" / "glostrup_oekonomiudvalget_2025-11-19_minutes_truncated.docx"


@pytest.mark.skipif(not GLOSTRUP.exists(), reason=f"no {GLOSTRUP}")
def test_real_truncated_docx_is_read_with_a_warning() -> None:
    doc = parse_file(GLOSTRUP)
    assert doc.warnings[0].message.startswith("truncated Word file (no zip central directory)")
    assert [(i.number, i.case_number) for i in doc.items] == [(1, "25/23642"), (2, "25/23642"), (3, "25/20079"),
                                                              (4, "25/23642")]


def _local_entry(name: str, payload: bytes) -> bytes:
    """One zip local file header and its deflated data, as a writer emits it before the central directory."""
    import struct
    import zlib

    squeezer = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = squeezer.compress(payload) + squeezer.flush()
    return struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, zlib.crc32(payload), len(data), len(payload),
                       len(name), 0) + name.encode() + data


def test_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    from referat.sources.docx import MAX_INFLATED

    body = b"<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'><w:body>"
    bomb = body + b" " * (MAX_INFLATED + 1024)
    path = tmp_path / "bomb.docx"
    path.write_bytes(_local_entry("[Content_Types].xml", b"<Types/>") + _local_entry("word/document.xml", bomb))
    assert path.stat().st_size < 2_000_000
    with pytest.raises(SourceError, match="zip bomb"):
        parse_file(path)


def test_word_structure_travels_as_hints(tmp_path: Path) -> None:
    import docx as python_docx

    from referat.sources.docx import docx_to_text

    document = python_docx.Document()
    document.add_heading("Godkendelse af dagsorden", level=1)
    document.add_paragraph().add_run("Et emne uden for ordlisten").bold = True
    document.add_paragraph("at planen godkendes,", style="List Number")
    document.add_paragraph("at sagen sendes videre.", style="List Number")
    path = tmp_path / "hints.docx"
    document.save(str(path))
    lines = [ln for ln in docx_to_text(path, path.read_bytes()).splitlines() if ln]
    assert lines == ["# Godkendelse af dagsorden", "**Et emne uden for ordlisten**", "1. at planen godkendes,",
                     "2. at sagen sendes videre."]

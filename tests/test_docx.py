"""Word files: the record read from a .docx equals the record read from the text it holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLES, SEEDS
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


def test_truncated_docx_is_refused(tmp_path: Path) -> None:
    word = render_docx((EXAMPLES / "vesteraa_dagsorden_2025-01-15.txt").read_text(encoding="utf-8"),
                       tmp_path / "d.docx")
    cut = tmp_path / "cut.docx"
    cut.write_bytes(word.read_bytes()[:2000])
    with pytest.raises(SourceError, match="corrupt or truncated Word file"):
        parse_file(cut)

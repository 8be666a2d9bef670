"""Render minutes text as a Word file the way older archives hold them: a fixture builder for the
DOCX reader's tests (item headings in "Heading 2", section names in "Heading 3", paragraphs with
manual line breaks, tables as Word tables)."""

from __future__ import annotations

from pathlib import Path

import docx

from referat.normalize import normalize
from referat.parse import layout
from referat.parse.structure import case_number_in, section_role


def render_docx(text: str, out: Path) -> Path:
    document = docx.Document()
    para: list[str] = []
    rows: list[list[str]] = []
    heading: list[str] = []

    def flush() -> None:
        if heading:
            document.add_heading(" ".join(heading), level=2)
            heading.clear()
        if para:
            document.add_paragraph("\n".join(para))
            para.clear()
        if rows:
            width = max(len(r) for r in rows)
            table = document.add_table(rows=len(rows), cols=width)
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
            rows.clear()

    normalized = normalize(text)
    lay = layout(normalized)
    headings = {lay.lines[h.index].no for h in lay.headings}  # the item headings the parser finds
    for ln in normalized.lines:
        if heading and not ln.blank and not section_role(ln.text) and not case_number_in(ln.text):
            heading.append(ln.text)
            continue
        if ln.blank:
            flush()
        elif "\t" in ln.text:
            if para or heading:
                flush()
            rows.append(ln.text.split("\t"))
        elif ln.no in headings:
            flush()
            heading.append(ln.text)
        elif section_role(ln.text):
            flush()
            document.add_heading(ln.text, level=3)
        else:
            if rows or heading:
                flush()
            para.append(ln.text)
    flush()
    document.save(str(out))
    return out

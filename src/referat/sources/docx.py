"""Word files (.docx) via python-docx: paragraphs and tables in document order, headings kept apart.

A paragraph becomes its lines (manual line breaks kept) followed by a blank line; a heading style
("Heading 2", "Overskrift 2") makes the paragraph a line of its own; a table row becomes tab-separated
cells. The text then goes through the same normalizer and parser as a text file.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from referat.errors import SourceError


def docx_to_text(path: str | Path, data: bytes) -> str:
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SourceError(path, f"corrupt or truncated Word file: {exc}") from exc
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, document).text
            if text.strip():
                lines.extend(text.split("\n"))
                lines.append("")
        elif tag == "tbl":
            for row in Table(child, document).rows:
                lines.append("\t".join(cell.text.replace("\n", " ").strip() for cell in row.cells))
            lines.append("")
    return "\n".join(lines)

"""Tab-separated tables inside an item: caption, header (first line) and rows, cells as printed."""

from __future__ import annotations

from referat import vocab
from referat.model import Table
from referat.normalize import Line
from referat.parse.text import squash

_CAPTION = vocab.TABLE_CAPTION.compile()


def _cells(line: Line) -> list[str]:
    return [squash(c) for c in line.text.split("\t")]


def _is_row(line: Line) -> bool:
    return not line.blank and "\t" in line.text and len(line.text.split("\t")) >= 2


def tables(lines: list[Line]) -> list[Table]:
    """Runs of tab-separated lines (at least two) become tables. A blank line inside a table (a page
    break) does not end it when the next row has the same number of cells; a markdown rule row
    ("---\\t---") is skipped. The caption is a "Tabel N …" line just above the table."""
    out: list[Table] = []
    i = 0
    while i < len(lines):
        if not _is_row(lines[i]):
            i += 1
            continue
        start = i
        rows = [_cells(lines[i])]
        i += 1
        while i < len(lines):
            if _is_row(lines[i]):
                if not vocab.TABLE_RULE.match(lines[i].text):
                    rows.append(_cells(lines[i]))
                i += 1
                continue
            j = i
            while j < len(lines) and lines[j].blank:
                j += 1
            if j > i and j < len(lines) and _is_row(lines[j]) and len(_cells(lines[j])) == len(rows[-1]):
                i = j
                continue
            break
        if len(rows) < 2:
            continue
        out.append(Table(caption=_caption(lines, start), header=rows[0], rows=rows[1:]))
    return out


def _caption(lines: list[Line], start: int) -> str | None:
    """The paragraph just above the table, when it is a "Tabel N …" caption (possibly wrapped)."""
    k = start - 1
    while k >= 0 and lines[k].blank and start - k <= 3:
        k -= 1
    para: list[str] = []
    while k >= 0 and not lines[k].blank and len(para) < 3:
        para.insert(0, lines[k].text)
        k -= 1
    for i in range(len(para)):  # the caption may be the last lines of the paragraph
        text = squash(" ".join(para[i:]))
        if _CAPTION.match(text):
            return text
    return None

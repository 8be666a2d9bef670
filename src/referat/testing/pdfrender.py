"""Render minutes text to a PDF the way meeting systems publish them: a fixture builder for the PDF
reader's tests and benchmark (needs reportlab, a test dependency).

Running header and footer with page numbers on every page, wrapped paragraphs with some words broken by
a hyphen at the line end, tab-separated rows drawn as a ruled table (a top border, a rule under each
row) whose columns are as wide as their widest cell up to MAX_COLUMN of the text width — a longer cell
wraps onto more lines within its row, as budget tables' long labels do —, paragraph spacing. The text
drawn is the normalized text (what a reader sees, markdown marks gone).
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from referat.normalize import normalize

FONT = "Body"
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # has ¹⁾ and friends; Vera ships with reportlab
pdfmetrics.registerFont(TTFont(FONT, str(_DEJAVU) if _DEJAVU.exists() else "Vera.ttf"))
SIZE, LEADING = 10, 13
LEFT, RIGHT, TOP, BOTTOM = 60, A4[0] - 60, A4[1] - 80, 70
MAX_COLUMN = 0.4  # of the text width: a table cell wider than this wraps within its row
Layout = tuple[float, list[float], list[float]]  # a table's font size, column x positions and widths
Drawn = tuple[float, str, Layout | None, bool]  # y, text, a table line's layout, whether a rule goes under it


def _wrap(text: str, hyphenate: bool) -> list[str]:
    words, lines, cur = text.split(" "), [], ""
    for w in words:
        trial = (cur + " " + w).strip()
        if pdfmetrics.stringWidth(trial, FONT, SIZE) <= RIGHT - LEFT:
            cur = trial
            continue
        if hyphenate and len(w) >= 10 and w.isalpha() and w.islower():
            head = w[:4] + "-"
            if pdfmetrics.stringWidth((cur + " " + head).strip(), FONT, SIZE) <= RIGHT - LEFT:
                lines.append((cur + " " + head).strip())
                cur = w[4:]
                continue
        if cur:
            lines.append(cur)
        cur = w
    if cur:
        lines.append(cur)
    return lines


def _table_layout(rows: list[list[str]]) -> Layout:
    """Columns as wide as their widest cell (at most MAX_COLUMN of the text width: longer cells wrap);
    the font shrinks until the table fits the page."""
    ncols = max(len(r) for r in rows)
    size = SIZE
    while True:
        widths = [min(MAX_COLUMN * (RIGHT - LEFT),
                      max(pdfmetrics.stringWidth(r[i], FONT, size) if i < len(r) else 0 for r in rows))
                  for i in range(ncols)]
        gap = 2.4 * size
        if sum(widths) + gap * (ncols - 1) <= RIGHT - LEFT or size <= 5:
            break
        size -= 0.5
    xs, x = [], float(LEFT)
    for w in widths:
        xs.append(x)
        x += w + gap
    return size, xs, widths


def _cell_lines(cell: str, width: float, size: float) -> list[str]:
    """A table cell's text broken into lines no wider than its column (words kept whole)."""
    lines, cur = [], ""
    for w in cell.split(" "):
        trial = (cur + " " + w).strip()
        if cur and pdfmetrics.stringWidth(trial, FONT, size) > width:
            lines.append(cur)
            cur = w
        else:
            cur = trial
    return lines + [cur]


def _layouts(lines: list[str]) -> dict[int, Layout]:
    """Line index -> the layout of the table it belongs to. A table is a run of tab-separated lines; blank
    lines inside it (a page break in the source) do not end it while the rows keep their column count."""
    out: dict[int, Layout] = {}
    i = 0
    while i < len(lines):
        if "\t" not in lines[i]:
            i += 1
            continue
        rows = [i]
        j = i + 1
        while j < len(lines):
            if "\t" in lines[j]:
                rows.append(j)
                j += 1
                continue
            k = j
            while k < len(lines) and not lines[k].strip():
                k += 1
            if k > j and k < len(lines) and lines[k].count("\t") == lines[rows[-1]].count("\t"):
                j = k
                continue
            break
        layout = _table_layout([lines[r].split("\t") for r in rows])
        out.update((r, layout) for r in rows)
        i = j
    return out


def render(text: str, out: Path, header: str) -> Path:
    lines = [ln.text for ln in normalize(text).lines]
    layouts = _layouts(lines)
    pages: list[list[Drawn]] = []  # drawn once the pages are counted
    page: list[Drawn] = []
    y = float(TOP)
    count = 0
    for k, line in enumerate(lines):
        parts: list[tuple[str, Layout | None, bool]]
        if not line.strip():
            parts = []
        elif k in layouts:
            size, xs, widths = layouts[k]
            cells = [_cell_lines(c, w, size) for c, w in zip(line.split("\t"), widths)]
            height = max(map(len, cells))  # one drawn line per line of the row's tallest cell
            parts = [("\t".join(c[n] if n < len(c) else "" for c in cells), layouts[k], n == height - 1)
                     for n in range(height)]
            if height > 1 and y - LEADING * (height - 1) < BOTTOM:
                pages.append(page)  # a table row is not split across pages
                page, y = [], float(TOP)
        else:
            parts = [(p, None, False) for p in _wrap(line.strip(), hyphenate=count % 3 == 0)]
            count += 1
        for part, layout, ruled in parts or [("", None, False)]:
            if part:
                page.append((y, part, layout, ruled))
            y -= LEADING
            if y < BOTTOM:
                pages.append(page)
                page, y = [], float(TOP)
    pages.append(page)
    c = canvas.Canvas(str(out), pagesize=A4)
    for n, drawn in enumerate(pages, start=1):
        c.setFont(FONT, 8)
        c.drawString(LEFT, A4[1] - 40, header)
        c.drawString(A4[0] / 2 - 20, 35, f"Side {n} af {len(pages)}")
        c.setFont(FONT, SIZE)
        for i, (yy, text_, layout, ruled) in enumerate(drawn):
            if layout is None:
                c.drawString(LEFT, yy, text_)
                continue
            size, xs, _ = layout
            c.setFont(FONT, size)
            for cell, x in zip(text_.split("\t"), xs):
                c.drawString(x, yy, cell)
            if i == 0 or drawn[i - 1][2] is None:  # a table's first line on the page: its top border
                c.line(LEFT, yy + size + 1, RIGHT, yy + size + 1)
            if ruled:  # a row's last line
                c.line(LEFT, yy - 3, RIGHT, yy - 3)
            c.setFont(FONT, SIZE)
        c.showPage()
    c.save()
    return out

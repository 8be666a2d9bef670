"""Born-digital PDF: text with positions from pypdfium2, turned into the lines a text file would have.

Words come out as poppler's pdftotext reads them: two glyphs belong to one word unless the gap between
the first's advance and the second's origin is over a tenth of the font size (poppler's
minWordBreakSpace), whatever text objects and kerning adjustments put them there, so a publishing
system that places every glyph with its own adjustment, or starts a new text object inside a word,
reads "Svar", not "Sva r". Inside one text object pdfium's own spaces stand (it adds one only where an
adjustment moves by about half a space or more); between text objects the gap decides; a line set
glyph by glyph is read character by character. Each page's text runs (pdfium's text rectangles, one
per text object) are grouped into lines by their vertical position and ordered left to right; a gap
over TAB_EM of the font size becomes a tab, so tab-aligned and ruled tables come out as tab-separated
rows, except on a justified line, whose stretched word gaps are all alike; in a ruled table, a row whose
cells wrap onto more lines between two rules is joined back into one row (the rules are pdfium's path
objects, looked for on pages with table rows only). pdfplumber is not used: its table finder took 48
ms a page on the bench PDF (pdfium's whole read ~1 ms) and finds no table ruled with horizontal lines
alone. A vertical gap larger than the usual line spacing becomes a blank line (a paragraph break).
Running page footers, page numbers in the margins and the later printings of a running header are
removed (a line in the top or bottom margin whose text, digits masked, recurs on at least half of the
pages); the first printing of a running header stays, as the committee may be printed only there. A
hyphen that pdfium marks as a line-end hyphen is kept as "-", and the normalizer decides whether it
joins a broken word; ligatures are spelt out. Layout hints for the parser: a line set all in a bold
face is marked as markdown bold, a line set clearly larger than the body text as a markdown heading.

A long document on a machine with idle cores is read by several processes at once (this one and
forked children, each a contiguous range of pages); the lines are the same as from one process.
"""

from __future__ import annotations

import bisect
import ctypes
import multiprocessing
import os
import re
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from referat import limits, vocab
from referat.errors import SourceError

MAX_PAGES = 3000  # bound per document: minutes run to a few hundred pages
MARGIN_TOP = 0.12  # share of the page height where running headers live
MARGIN_BOTTOM = 0.10
PARALLEL_MIN_PAGES = 40  # pages per extra reader process, at least: each costs ~10-20 ms (fork, its own
# document and fonts, sending the lines back), a page ~1 ms
MAX_READERS = 4  # processes reading one document (this one included)
COLUMN_TOLERANCE = 8.0  # points: cell starts closer than this are one column
MAX_ROW_LINES = 6  # lines of one wrapped table row, at most
WORD_BREAK_EM = 0.1  # a gap over this share of the font size parts two words (poppler's minWordBreakSpace)
TAB_EM = 1.2  # a gap over this share of the font size parts two table cells (our own and LibreOffice's
# columns are further apart; a heading's number before a tab stop, "1<tab>First Agenda" at ~1.05 em in
# SBSYS, stays one line of words, as in pdftotext; a justified line's wider gaps: `_justified`)
JUSTIFIED_SPREAD_EM = 0.15  # word gaps of a justified line differ by less (kerning noise only)
JUSTIFIED_MAX_EM = 2.0  # and are narrower than this (our own tables' columns are 2.4 em apart)
HEADING_1, HEADING_2 = 1.5, 1.15  # font size over the body text's: a "# " or "## " heading
MAX_HEADING_SHARE = 0.25  # of the characters outside the margins: more larger text than this marks nothing
GLYPH_RUN_CHARS = 5  # a line whose text runs average fewer characters is read character by character
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


@dataclass(slots=True)
class _Line:
    top: float
    bottom: float
    text: str
    cells: list[tuple[float, str]]  # (x, text) of each tab-separated part: table cells keep their column
    size: float = 0.0  # font size of the line's longest run, in points


# A piece of a line, as a plain tuple (one is made per text object: tuples cost a fifth of objects):
# one text object's characters (pdfium's text rectangle) or, on a line set glyph by glyph, the
# characters up to a change of bold face or baseline or a column gap. (left, bottom, right, top) is the
# ink box; x0 and x1 are where the first glyph's origin and the last glyph's advance lie (the advance
# box, not the ink: the gap between two runs is measured from advance to origin, as poppler measures
# it); x1 is None until a line of several runs needs it (`_end`), `last` is the last glyph's index.
_Run = tuple[float, float, float, float, str, bool, float, float, int, "float | None"]
_R_LEFT, _R_BOTTOM, _R_RIGHT, _R_TOP, _R_TEXT, _R_BOLD, _R_SIZE, _R_X0, _R_LAST, _R_X1 = range(10)


def _by_address(fn: ctypes._CFuncPtr, restype: type, *argtypes: type) -> ctypes._CFuncPtr:  # type: ignore[name-defined]
    """A copy of a pdfium function that takes plain addresses for its pointers: ctypes checks and
    converts each pointer argument on every call, a third of a call's cost (0.72 -> 0.48 us)."""
    copy = type(fn)(ctypes.cast(fn, ctypes.c_void_p).value)
    copy.restype, copy.argtypes = restype, argtypes
    return copy


_A, _I, _D = ctypes.c_void_p, ctypes.c_int, ctypes.c_double
_count_rects = _by_address(pdfium_c.FPDFText_CountRects, _I, _A, _I, _I)
_get_rect = _by_address(pdfium_c.FPDFText_GetRect, _I, _A, _I, _A, _A, _A, _A)
_char_at = _by_address(pdfium_c.FPDFText_GetCharIndexAtPos, _I, _A, _D, _D, _D, _D)
_get_loose = _by_address(pdfium_c.FPDFText_GetLooseCharBox, _I, _A, _I, _A)
_get_char_box = _by_address(pdfium_c.FPDFText_GetCharBox, _I, _A, _I, _A, _A, _A, _A)
_get_font_size = _by_address(pdfium_c.FPDFText_GetFontSize, _D, _A, _I)
_get_font_info = _by_address(pdfium_c.FPDFText_GetFontInfo, ctypes.c_ulong, _A, _I, _A, ctypes.c_ulong, _A)
_count_chars = _by_address(pdfium_c.FPDFText_CountChars, _I, _A)
_get_text = _by_address(pdfium_c.FPDFText_GetText, _I, _A, _I, _I, _A)
_get_bounded = _by_address(pdfium_c.FPDFText_GetBoundedText, _I, _A, _D, _D, _D, _D, _A, _I)
_load_page = _by_address(pdfium_c.FPDF_LoadPage, _A, _A, _I)
_close_page = _by_address(pdfium_c.FPDF_ClosePage, None, _A)
_load_textpage = _by_address(pdfium_c.FPDFText_LoadPage, _A, _A)
_close_textpage = _by_address(pdfium_c.FPDFText_ClosePage, None, _A)
_page_height = _by_address(pdfium_c.FPDF_GetPageHeightF, ctypes.c_float, _A)
_count_objects = _by_address(pdfium_c.FPDFPage_CountObjects, _I, _A)
_get_object = _by_address(pdfium_c.FPDFPage_GetObject, _A, _A, _I)
_object_type = _by_address(pdfium_c.FPDFPageObj_GetType, _I, _A)
_object_bounds = _by_address(pdfium_c.FPDFPageObj_GetBounds, _I, _A, _A, _A, _A, _A)




def _bounded_text(textpage: int, left: float, bottom: float, right: float, top: float) -> str:
    """The text inside a rectangle of the page (pdfium's own choice of characters)."""
    n = _get_bounded(textpage, left, top, right, bottom, None, 0)
    if n <= 0:
        return ""
    buf = ctypes.create_string_buffer(2 * (n + 1))
    written = _get_bounded(textpage, left, top, right, bottom, ctypes.addressof(buf), n)
    return buf.raw[: written * 2].decode("utf-16-le", errors="ignore")


class _Calls:
    """A text page's address and the out-parameters of the raw pdfium calls, made once per page and
    passed by address (the helper methods, and ctypes' own argument conversion, cost more than the
    calls). `box` holds four doubles, `at` their addresses: (left, bottom, right, top)."""

    __slots__ = ("raw", "box", "at", "loose", "loose_at", "font", "font_at", "flags_at", "_flags", "_text")

    def __init__(self) -> None:
        self.raw = 0  # the current text page's address (`page`), valid while it is open
        self._text = ctypes.create_string_buffer(0)
        self.box = (ctypes.c_double * 4)()
        first = ctypes.addressof(self.box)
        self.at = (first, first + 8, first + 16, first + 24)
        self.loose = pdfium_c.FS_RECTF()
        self.loose_at = ctypes.addressof(self.loose)
        self.font = ctypes.create_string_buffer(256)
        self.font_at = ctypes.addressof(self.font)
        self._flags = ctypes.c_int()
        self.flags_at = ctypes.addressof(self._flags)

    def page(self, textpage: int) -> _Calls:
        """The calls made on this text page from now on (the buffers are reused from page to page)."""
        self.raw = textpage
        return self

    def text(self) -> str:
        """The text page's whole text. (pdfium writes at most one UTF-16 unit per character and a NUL;
        twice that room covers the pdfium builds that wrote more.)"""
        count = _count_chars(self.raw)
        if count <= 0:
            return ""
        if len(self._text) < 4 * (count + 1):
            self._text = ctypes.create_string_buffer(8 * (count + 1))
        at = ctypes.addressof(self._text)
        written = _get_text(self.raw, 0, count, at)
        return ctypes.string_at(at, max(0, written - 1) * 2).decode("utf-16-le", errors="ignore")

    def end(self, run: _Run) -> float:
        """Where the run's last glyph's advance ends (x)."""
        if run[_R_X1] is not None:
            return run[_R_X1]
        return self.loose.right if _get_loose(self.raw, run[_R_LAST], self.loose_at) else run[_R_RIGHT]

    def bold(self, index: int) -> bool:
        """Whether the character's font is a bold face (by its name: "Helvetica-Bold", "Arial,Bold", …).
        One call into the page's reused buffer, and the verdict cached per name: few fonts, many runs."""
        size = _get_font_info(self.raw, index, self.font_at, 256, self.flags_at)
        if size <= 0:
            return False
        buf = self.font
        if size > 256:
            buf = ctypes.create_string_buffer(size)
            _get_font_info(self.raw, index, ctypes.addressof(buf), size, self.flags_at)
        name = buf.value
        bold = _BOLD_NAMES.get(name)
        if bold is None:
            bold = _BOLD_NAMES[name] = bool(_BOLD.search(name.decode("utf-8", "replace")))
        return bold


def _runs(calls: _Calls) -> list[_Run]:
    """The page's text runs, top to bottom as pdfium reads them."""
    # The page text is read once and cut at pdfium's line breaks; each line's rectangles (one per text
    # object) are asked for on its character range (a rectangle never crosses a line break), so a line
    # of one run, most lines, needs no position lookup. A run's text is the slice from its first
    # character to the next run's: inside one text object pdfium's spaces stand (it adds one where a
    # TJ adjustment moves by half a space or more, as a word gap and never a kerning pair does). A line
    # set glyph by glyph (many rectangles for its characters: Chromium, per-glyph publishing systems)
    # is read character by character instead (`_char_runs`). Asking pdfium for the text inside each
    # rectangle instead was three quarters of all PDF time, and looking up every rectangle's first
    # character by position (a scan of the page's characters) a third of what remained.
    raw, box, (left_at, bottom_at, right_at, top_at) = calls.raw, calls.box, calls.at
    full = calls.text()
    runs: list[_Run] = []
    first = 0  # index of the line's first character in the page text
    for line in full.split("\r\n"):
        n_rects = _count_rects(raw, first, len(line)) if line and not line.isspace() else 0
        if n_rects >= 3 and n_rects * GLYPH_RUN_CHARS > len(line.strip()):
            runs += _char_runs(calls, line, first)
            first += len(line) + 2
            continue
        if n_rects == 1:  # most lines: one run from the line's first character, nothing to look up
            if not _get_rect(raw, 0, left_at, top_at, right_at, bottom_at):
                raise pdfium.PdfiumError("Failed to get rectangle.")
            text = (line.split("\n", 1)[0] if "\n" in line else line).rstrip()
            stripped = text.lstrip()
            if stripped:
                runs.append(_run_at(calls, tuple(box), stripped, first + len(text) - len(stripped), first + len(text) - 1))
            first += len(line) + 2
            continue
        starts: list[int] = []
        boxes = []
        for k in range(n_rects):
            if not _get_rect(raw, k, left_at, top_at, right_at, bottom_at):
                raise pdfium.PdfiumError("Failed to get rectangle.")
            left, bottom, right, top = box
            if k == 0:
                start = first
            else:
                # pdfium returns the first character whose box holds the point and only looks at the
                # tolerance when none does: asking without tolerance first gives the same answer, faster
                x, y = left + 0.3, (bottom + top) / 2
                start = _char_at(raw, x, y, 0, 0)
                if start < 0:
                    start = _char_at(raw, x, y, 2, 2)
            if first <= start < first + len(line):
                starts.append(start)
                boxes.append((left, bottom, right, top))
            else:  # no character of this line found at the run's start: ask for its text directly
                text = _bounded_text(raw, left, bottom, right, top).strip()
                if text:
                    runs.append((left, bottom, right, top, text, False, top - bottom, left, -1, right))
        order = sorted(range(len(starts)), key=starts.__getitem__) if len(starts) > 1 else range(len(starts))
        for j, k in enumerate(order):
            start = starts[k]
            end = starts[order[j + 1]] if j + 1 < len(starts) else first + len(line)
            text = line[start - first:end - first].split("\n", 1)[0].rstrip()
            stripped = text.lstrip()
            if not stripped:
                continue
            runs.append(_run_at(calls, boxes[k], stripped, start + len(text) - len(stripped), start + len(text) - 1))
        first += len(line) + 2
    return runs


def _run_at(calls: _Calls, ink: tuple[float, float, float, float], text: str, head: int, last: int) -> _Run:
    """A run of a text object: its ink box, its text (stripped) from character `head` to `last`."""
    raw, loose = calls.raw, calls.loose
    # the loose box: the glyph's advance across, the font's ascent to descent (the font size with the
    # text matrix applied) up
    if _get_loose(raw, head, calls.loose_at):
        x0, size = loose.left, loose.top - loose.bottom
        x1 = loose.right if head == last else None
    else:
        x0, size, x1 = ink[0], 0.0, None
    if size <= 0:
        size = _get_font_size(raw, head)
    # bold: the verdict on the font's name, looked up here or made by `_Calls.bold`
    bold = _BOLD_NAMES.get(calls.font.value) if 0 < _get_font_info(raw, head, calls.font_at, 256, calls.flags_at) <= 256 \
        else None
    if bold is None:
        bold = calls.bold(head)
    return (ink[0], ink[1], ink[2], ink[3], text, bold, size, x0, last, x1)


def _char_runs(calls: _Calls, line: str, first: int) -> list[_Run]:
    """A line set glyph by glyph, read per character the way poppler's pdftotext reads words: space
    characters (the font's own and pdfium's generated ones) are not looked at; two glyphs are one word
    unless the gap between the first's advance and the second's origin is over WORD_BREAK_EM of the
    font size, whatever text objects and kerning adjustments put them there. A gap over TAB_EM, a
    change of baseline or of bold face between words ends the run."""
    raw, box, box_at, ink, (left_at, bottom_at, right_at, top_at) = (
        calls.raw, calls.loose, calls.loose_at, calls.box, calls.at)
    runs: list[_Run] = []
    chars: list[str] = []
    # the current run: ink box, bold, size, first origin, last advance, loose bottom and top (its band)
    c_left = c_bottom = c_right = c_top = c_size = c_x0 = c_x1 = low = high = 0.0
    c_bold = False
    c_last = -1
    for k, ch in enumerate(line):
        if ch.isspace():
            continue
        i = first + k
        if not _get_loose(raw, i, box_at):
            continue
        x0, x1, lb, lt = box.left, box.right, box.bottom, box.top
        size = lt - lb
        if size <= 0:
            size = _get_font_size(raw, i)
        _get_char_box(raw, i, left_at, right_at, bottom_at, top_at)
        left, bottom, right, top = ink
        if top <= bottom:  # a glyph without ink (or without a box): its advance box stands in
            left, right, bottom, top = x0, x1, lb, lt
        if chars:
            gap = x0 - c_x1
            if low - 0.2 * size <= (lb + lt) / 2 <= high + 0.2 * size and -0.5 * c_size <= gap <= TAB_EM * c_size:
                word_break = gap > WORD_BREAK_EM * c_size
                if not word_break or calls.bold(i) == c_bold:
                    if word_break:
                        chars.append(" ")
                    chars.append(ch)
                    c_x1, c_last = x1, i
                    c_right, c_bottom, c_top = max(c_right, right), min(c_bottom, bottom), max(c_top, top)
                    continue
            runs.append((c_left, c_bottom, c_right, c_top, "".join(chars), c_bold, c_size, c_x0, c_last, c_x1))
        c_left, c_bottom, c_right, c_top, c_bold, c_size = left, bottom, right, top, calls.bold(i), size
        c_x0, c_x1, c_last, low, high = x0, x1, i, lb, lt
        chars = [ch]
    if chars:
        runs.append((c_left, c_bottom, c_right, c_top, "".join(chars), c_bold, c_size, c_x0, c_last, c_x1))
    return runs


def _lines(calls: _Calls, page: int | None = None) -> list[_Line]:
    """Text runs grouped into lines (top to bottom). Neighbouring runs are one word when the gap between
    them is at most WORD_BREAK_EM of the font size (a glyph kerned or placed as its own text object),
    two words up to TAB_EM, and table cells (a tab) across a wider gap or a drawn cell border. With the
    page given, table rows wrapped between its horizontal rules are joined (_join_wrapped_rows). `calls`
    holds the text page; the page is pdfium's address."""
    runs = _runs(calls)
    runs.sort(key=lambda r: (-r[_R_TOP], r[_R_LEFT]))
    rules: _Rules | None = None  # the page's rules, read at the first line of several runs
    lines: list[list[_Run]] = []
    for run in runs:
        if lines:
            head = lines[-1][0]
            height = head[_R_TOP] - head[_R_BOTTOM]
            centre = (run[_R_BOTTOM] + run[_R_TOP]) / 2
            if head[_R_BOTTOM] - 0.2 * height <= centre <= head[_R_TOP] + 0.2 * height:
                lines[-1].append(run)
                continue
        lines.append([run])
    out = []
    for group in lines:
        if len(group) == 1:  # most lines are one run: no gaps to measure (the same steps as below)
            left, bottom, _, top, raw_text, bold, size = group[0][:7]
            cell = _clean(raw_text)
            text = f"**{cell}**" if bold and not vocab.PAGE_NUMBER.match(cell) else cell
            out.append(_Line(top, bottom, text, [(left, cell)], size))
            continue
        group.sort(key=lambda r: r[_R_X0])
        ends = _without_overprints(group, [calls.end(r) for r in group])
        cells = [(group[0][_R_LEFT], group[0][_R_TEXT])]
        gaps = [(run[_R_X0] - end, max(prev[_R_SIZE], run[_R_SIZE])) for prev, run, end in zip(group, group[1:], ends)]
        tab = TAB_EM if not _justified(group, gaps) else float("inf")
        if rules is None:
            rules = _rules(page) if page is not None else ([], [])
        middle = (max(r[_R_TOP] for r in group) + min(r[_R_BOTTOM] for r in group)) / 2
        walls = [x for x, low, high in rules[1] if low <= middle <= high]
        for (gap, size), run, end in zip(gaps, group[1:], ends):
            # a cell border between two runs parts them however close they are (a tight Word table)
            if gap > tab * size or any(end - 1 <= x <= run[_R_X0] + 1 for x in walls):
                cells.append((run[_R_LEFT], run[_R_TEXT]))
            else:
                cells[-1] = (cells[-1][0], cells[-1][1] + (" " if gap > WORD_BREAK_EM * size else "") + run[_R_TEXT])
        cells = [(x, _clean(t)) for x, t in cells]
        text = "\t".join(t for _, t in cells)
        if len(cells) == 1 and all(r[_R_BOLD] for r in group) and not vocab.PAGE_NUMBER.match(text):
            text = f"**{text}**"  # a bold line: marked as markdown does, a heading hint for the parser
        size = max(group, key=lambda r: len(r[_R_TEXT]))[_R_SIZE]
        out.append(_Line(max(r[_R_TOP] for r in group), min(r[_R_BOTTOM] for r in group), text, cells, size))
    if not any(len(ln.cells) > 1 for ln in out):  # no table on the page: nothing to join or align
        return out
    if page is not None:  # the rules read for the cells, or read now
        out = _join_wrapped_rows(out, rules or _rules(page))
    return _align_tables(out)


def _without_overprints(group: list[_Run], ends: list[float]) -> list[float]:
    """Runs printed over a run that already holds their text (a word drawn twice in place, as some
    producers do for bold or for hidden revisions) are taken out of the group, as pdftotext drops them.
    `ends` are the runs' advance ends; those of the runs kept are returned."""
    kept, kept_ends = [group[0]], [ends[0]]
    for run, end in zip(group[1:], ends[1:]):
        if end <= kept_ends[-1] + 0.1 * kept[-1][_R_SIZE] and run[_R_TEXT] in kept[-1][_R_TEXT]:
            continue
        kept.append(run)
        kept_ends.append(end)
    group[:] = kept
    return kept_ends


def _justified(group: list[_Run], gaps: list[tuple[float, float]]) -> bool:
    """Whether a line's wide gaps are the stretched word gaps of a justified line rather than table
    columns: every word gap on the line is wide (no run holds a narrower space: a table's cells do,
    "Forventet forbrug"), at least three of them, all within JUSTIFIED_SPREAD_EM of each other and
    under JUSTIFIED_MAX_EM, between words of letters (a row of figures with equal gaps is a table's)."""
    words = [(g, s) for g, s in gaps if g > WORD_BREAK_EM * s]
    if len(words) < 3 or not any(g > TAB_EM * s for g, s in words) or any(" " in r[_R_TEXT] for r in group):
        return False
    size = max(s for _, s in words)
    if max(g for g, _ in words) - min(g for g, _ in words) > JUSTIFIED_SPREAD_EM * size \
            or max(g for g, _ in words) > JUSTIFIED_MAX_EM * size:
        return False
    lettered = sum(1 for r in group if any(c.isalpha() for c in r[_R_TEXT]))
    return 3 * lettered >= 2 * len(group)


_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st", "\x02": "-", "\ufffe": "-"})


_SPECIAL = re.compile("[\x02\ufffe\ufb00-\ufb06]")


def _clean(text: str) -> str:
    """A run's text as printed: pdfium's line-end hyphen marks as "-", ligatures spelt out. (translate
    looks up every character: searched for first, as few lines need it.)"""
    return (text.translate(_LIGATURES) if _SPECIAL.search(text) else text).strip()


_Rules = tuple[list[float], list[tuple[float, float, float]]]


def _rules(raw: int) -> _Rules:
    """The page's table rules, drawn as lines or as thin filled rectangles: the heights of its horizontal
    rules (path objects at most 2 pt high and 40 pt wide or more), top first, and its vertical rules (at
    most 2 pt wide and 6 pt high or more: cell borders) as (x, bottom, top)."""
    box = (ctypes.c_float * 4)()
    at = ctypes.addressof(box)
    left, bottom, right, top = at, at + 4, at + 8, at + 12
    ys = set()
    walls = []
    for i in range(_count_objects(raw)):
        obj = _get_object(raw, i)
        if _object_type(obj) != pdfium_c.FPDF_PAGEOBJ_PATH or not _object_bounds(obj, left, bottom, right, top):
            continue
        width, height = box[2] - box[0], box[3] - box[1]
        if height <= 2 and width >= 40:
            ys.add(round((box[3] + box[1]) / 2, 1))
        elif width <= 2 and height >= 6:
            walls.append(((box[0] + box[2]) / 2, box[1], box[3]))
    return sorted(ys, reverse=True), walls


def _join_wrapped_rows(lines: list[_Line], rules: _Rules) -> list[_Line]:
    """A ruled table row whose cell text wraps onto more lines comes out as one row: lines between the
    same two rules are joined when the first is a row of several cells, the others follow at line
    spacing, at most MAX_ROW_LINES, with every part under one of the row's cells (budget tables' long
    labels: "Tilskud til foreningernes lokaler," / "herunder haller og klubhuse"). Where the row's cell
    borders are drawn, they say the columns: a header whose cells wrap to different heights ("Mio. kr."
    set in the middle of "Vedtaget" / "budget" / "2025") is joined column by column."""
    ys, walls = rules
    if len(ys) < 2:
        return lines

    def band(ln: _Line) -> int:  # rules above the line's middle
        middle = (ln.top + ln.bottom) / 2
        return sum(1 for y in ys if y > middle)

    out: list[_Line] = []
    i = 0
    while i < len(lines):
        first, k = lines[i], band(lines[i])
        j = i + 1
        columns = _columns([x for x, low, high in walls if low <= ys[k] + 1 and high >= ys[k - 1] - 1]) \
            if 0 < k < len(ys) else []
        if 0 < k < len(ys) and (len(first.cells) > 1 or len(columns) > 2):  # a row of cells, or a ruled one
            anchors = [x for x, _ in first.cells]
            while (j < len(lines) and j - i < MAX_ROW_LINES and band(lines[j]) == k
                   and lines[j - 1].bottom - lines[j].top < lines[j - 1].top - lines[j - 1].bottom
                   and all(any(abs(x - a) <= COLUMN_TOLERANCE for a in anchors)
                           or (len(columns) > 2 and columns[0] <= x <= columns[-1]) for x, _ in lines[j].cells)):
                j += 1
        # a row sits tight between its rules: rules framing a whole page of text are no row
        height = first.top - first.bottom
        if j - i == 1 or ys[k - 1] - first.top > height or lines[j - 1].bottom - ys[k] > height:
            out.append(first)
            i += 1
            continue
        if len(columns) > 2 and all(columns[0] <= x <= columns[-1] for ln in lines[i:j] for x, _ in ln.cells):
            texts: dict[int, tuple[float, str]] = {}  # column -> (where its text starts, its text)
            for ln in lines[i:j]:
                for x, t in ln.cells:
                    c = min(max(bisect.bisect_right(columns, x) - 1, 0), len(columns) - 2)
                    at, before = texts.get(c, (x, ""))
                    texts[c] = (min(at, x), f"{before} {t}".strip())
            cells = [texts[c] for c in sorted(texts)]
        else:
            cells = list(first.cells)
            for ln in lines[i + 1:j]:
                for x, t in ln.cells:
                    c = min(range(len(cells)), key=lambda n: abs(cells[n][0] - x))
                    cells[c] = (cells[c][0], f"{cells[c][1]} {t}".strip())
        out.append(_Line(first.top, lines[j - 1].bottom, "\t".join(t for _, t in cells), cells))
        i = j
    return out


def _columns(xs: list[float]) -> list[float]:
    """Column borders from the x of the vertical rules drawn across a row: one per border, however many
    rules draw it (a browser draws each cell's own border, two rules a fraction of a point apart)."""
    out: list[float] = []
    for x in sorted(xs):
        if not out or x - out[-1] > 3:
            out.append(x)
    return out


_BOLD_NAMES: dict[bytes, bool] = {}  # font name -> bold face (`_Calls.bold`)


def _align_tables(lines: list[_Line]) -> list[_Line]:
    """Rows of a table (consecutive lines of several cells) put their cells in the table's columns, so
    that an empty cell comes out as an empty field between tabs, as in a text export."""
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and len(lines[j].cells) > 1:
            j += 1
        if j - i >= 2:
            anchors: list[float] = []
            for x in sorted(x for ln in lines[i:j] for x, _ in ln.cells):
                if not anchors or x - anchors[-1] > COLUMN_TOLERANCE:
                    anchors.append(x)
            # a row whose first cells are empty ("\tMio. kr.") has one run, in a later column: it belongs
            if i > 0 and len(lines[i - 1].cells) == 1 and _later_column(lines[i - 1].cells[0][0], anchors) \
                    and lines[i - 1].bottom - lines[i].top < lines[i].top - lines[i].bottom:
                i -= 1
            for ln in lines[i:j]:
                row = [""] * len(anchors)
                for x, t in ln.cells:
                    k = min(range(len(anchors)), key=lambda a: abs(anchors[a] - x))
                    row[k] = (row[k] + " " + t).strip()
                ln.text = "\t".join(row)
        i = max(j, i + 1)
    return lines


def _later_column(x: float, anchors: list[float]) -> bool:
    return any(abs(x - a) <= COLUMN_TOLERANCE for a in anchors[1:])


def read_pdf(path: str | Path, data: bytes, *, ocr: bool = False) -> tuple[str, bool]:
    """(text, read by OCR) of a PDF; SourceError for encrypted, corrupt or truncated files, and for a
    scan without a text layer unless `ocr` is asked for (and tesseract is installed)."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise SourceError(path, "encrypted PDF (password protected): cannot read its text") from exc
        raise SourceError(path, f"corrupt or truncated PDF: {reason}") from exc
    try:
        if len(pdf) > MAX_PAGES:
            raise SourceError(path, f"{len(pdf)} pages is over the {MAX_PAGES}-page limit per document")
        pages = _read_all(pdf, data, path)
        if not any(lines for _, lines in pages):
            if not ocr:
                raise SourceError(path, "PDF without a text layer (a scanned document?): run with --ocr to read "
                                        "it by OCR (Debian's tesseract-ocr and tesseract-ocr-dan)")
            from referat.sources.ocr import ocr_pdf

            return ocr_pdf(path, pdf), True
    except pdfium.PdfiumError as exc:
        raise SourceError(path, f"corrupt PDF: {exc}") from exc
    finally:
        pdf.close()
    return _assemble(pages), False


# A read line as plain data, (top, bottom, text, font size): pages cross from reader processes by pickle, and
# tuples of floats and strings unpickle several times faster than objects (33 ms -> a few for 117 pages).
_Placed = tuple[float, float, str, float]  # (top, bottom, text, font size)
_Page = tuple[float, list[_Placed]]  # (page height, its lines)


def _read_range(pdf: pdfium.PdfDocument, first: int, last: int) -> list[_Page]:
    """Pages first..last-1. Each text page is closed when read; the pages stay open until the range is
    done, because pdfium drops a font parsed for a page when no open page uses it, and parsing the
    same fonts again for every page made the page loads ~15 % slower. (Raw pdfium calls: the helper
    objects' bookkeeping cost ~0.1 ms a page, a tenth of the read.)"""
    doc = ctypes.cast(pdf.raw, ctypes.c_void_p).value
    calls = _Calls()
    pages = []
    opened = []
    try:
        for i in range(first, last):
            page = _load_page(doc, i)
            if not page:
                raise pdfium.PdfiumError(f"Failed to load page {i + 1}.")
            opened.append(page)
            textpage = _load_textpage(page)
            if not textpage:
                raise pdfium.PdfiumError(f"Failed to read the text of page {i + 1}.")
            try:
                pages.append((_page_height(page),
                              [(ln.top, ln.bottom, ln.text, ln.size) for ln in _lines(calls.page(textpage), page)]))
            finally:
                _close_textpage(textpage)
    finally:
        for page in opened:
            _close_page(page)
    return pages


def _readers(n_pages: int) -> int:
    """How many processes read a document: one per CPU this process may use that other processes have
    left idle (`_idle_cpus`), up to MAX_READERS and REFERAT_LIMIT_PDF_READERS (1 on a cluster whose workers
    fill the CPUs already), each with at least PARALLEL_MIN_PAGES pages. (On a machine whose cores are
    taken, a forked reader was more often slower than faster; see bench/README.md.) Extra readers
    are forked, so only on Linux (fork is the cheap start) and only from a single-threaded process
    (forking a threaded one can deadlock)."""
    if n_pages < 2 * PARALLEL_MIN_PAGES or not sys.platform.startswith("linux") or threading.active_count() > 1 \
            or multiprocessing.current_process().daemon:  # a daemon process may not start children
        return 1
    most = min(MAX_READERS, limits.current().pdf_readers, n_pages // PARALLEL_MIN_PAGES)
    return 1 if most <= 1 else max(1, min(_idle_cpus(), most))


def _idle_cpus() -> int:
    """CPUs this process may use that no other thread is running on right now: from the kernel's count
    of runnable threads (/proc/loadavg, 4th field, this one included). Not the load average: it lags a
    minute behind and counts tasks waiting on the disk (after writing a large archive it read 1.45 on an
    idle machine). (Measured on 2 cores with one other busy process: two readers were 12-17 % slower
    than one, as parent, child and the other process share two cores.)"""
    cpus = len(os.sched_getaffinity(0))
    return max(0, cpus - max(0, _runnable() - 1))


def _runnable() -> int:
    """Threads runnable on the machine right now, this one included (1 if it cannot be read)."""
    try:
        with open("/proc/loadavg", "rb") as f:
            return int(f.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return 1


def _read_all(pdf: pdfium.PdfDocument, data: bytes, path: str | Path) -> list[_Page]:
    """All pages in order. With several readers this process reads the first share of the pages while
    forked children read the others, each from its own copy of the document; the results are the
    same lines the single-process read gives, joined in page order."""
    n = len(pdf)
    readers = _readers(n)
    if readers == 1:
        return _read_range(pdf, 0, n)
    bounds = [n * k // readers for k in range(readers + 1)]  # equal shares: measured best (0.40-0.60 tried)
    ctx = multiprocessing.get_context("fork")
    children = []
    done = False
    try:
        for k in range(1, readers):
            receive, send = ctx.Pipe(duplex=False)
            child = ctx.Process(target=_child_reader, args=(send, data, bounds[k], bounds[k + 1]), daemon=True)
            children.append((child, receive))
            child.start()
            send.close()
        pages = _read_range(pdf, 0, bounds[1])
        for k, (child, receive) in enumerate(children, start=1):
            try:
                result = receive.recv()
            except EOFError:  # the child died without a word (pdfium crashed on a page)
                child.join()
                raise SourceError(path, f"corrupt PDF: reading pages {bounds[k] + 1}-{bounds[k + 1]} "
                                        f"stopped the reader (exit code {child.exitcode})") from None
            if isinstance(result, BaseException):
                raise result
            pages += result
        done = True
        return pages
    finally:
        for child, receive in children:
            receive.close()
            if done:  # it has sent its pages and is exiting
                child.join(timeout=5)
            if child.is_alive():  # this read failed: the other pages are not wanted
                child.kill()
            child.join()


def _child_reader(send: Connection, data: bytes, first: int, last: int) -> None:
    """Read pages first..last-1 in a forked process and send them back (or the exception raised)."""
    try:
        pdf = pdfium.PdfDocument(data)
        try:
            result: list[_Page] | BaseException = _read_range(pdf, first, last)
        finally:
            pdf.close()
    except Exception as exc:  # sent to the parent, which raises it as if it had read the pages itself
        result = exc
    try:
        send.send(result)
    except OSError:
        pass  # the parent stopped listening (its own pages failed): nothing to tell
    except Exception as exc:  # an exception that does not pickle
        send.send(RuntimeError(f"PDF reader process: {exc!r}"))
    finally:
        send.close()


def _continues(last: str, first: str) -> bool:
    return bool(last.strip()) and not last.rstrip().endswith((".", ":", "!", "?")) and first[:1].islower()


def _marked(text: str, size: float, body: float) -> str:
    """A line set clearly larger than the body text as a markdown heading ("# " from HEADING_1 times the
    body size, "## " from HEADING_2): a heading hint for the parser, as a bold line is. Table rows and
    page numbers are never headings."""
    if "\t" in text or not any(c.isalpha() for c in text):
        return text
    plain = text[2:-2] if text.startswith("**") and text.endswith("**") else text
    return ("# " if size >= HEADING_1 * body else "## ") + plain


def _assemble(pages: list[_Page]) -> str:
    """Drop running footers, later pages' running headers and margin page numbers; mark paragraph breaks
    with blank lines and lines set larger than the body text (the font size most characters outside
    the margins are set in) as headings. The first printing of a running header stays: where the
    committee or the meeting's date is printed only there, the parser needs it (the normalizer drops
    repeats it finds as page furniture)."""
    repeats: Counter[str] = Counter()
    sizes: Counter[float] = Counter()
    for height, lines in pages:
        top, bottom = height * (1 - MARGIN_TOP), height * MARGIN_BOTTOM
        margin = set()
        for ln in lines:
            if ln[0] > top or ln[1] < bottom:
                margin.add(_DIGITS.sub("#", ln[2].strip()))
            elif "\t" not in ln[2]:  # table rows are often set smaller: not the body text
                sizes[round(ln[3] * 2) / 2] += len(ln[2])
        repeats.update(margin)  # pages that print it
    body = sizes.most_common(1)[0][0] if sizes else 0.0
    heading = HEADING_2 * body if body else float("inf")
    total = sum(sizes.values())
    if sum(n for size, n in sizes.items() if size >= heading) > MAX_HEADING_SHARE * total:
        heading = float("inf")  # that much larger text is no heading signal: a second body size
    threshold = max(2, (len(pages) + 1) // 2) if len(pages) >= 2 else 2
    seen: set[str] = set()  # running headers already kept once
    out: list[str] = []
    for height, lines in pages:
        top_margin, bottom_margin = height * (1 - MARGIN_TOP), height * MARGIN_BOTTOM
        kept = []
        for ln in lines:
            if ln[0] > top_margin or ln[1] < bottom_margin:
                text = ln[2].strip()
                if vocab.PAGE_NUMBER.match(text) or vocab.BARE_NUMBER.match(text):
                    continue
                key = _DIGITS.sub("#", text)
                if repeats[key] >= threshold:
                    if ln[0] <= top_margin or key in seen:  # a footer, or a header kept before
                        continue
                    seen.add(key)
            kept.append(ln)
        heights = sorted(top - bottom for top, bottom, _, _ in kept)
        line_height = heights[len(heights) // 2] if heights else 10.0
        for i, (top, _, text, size) in enumerate(kept):
            if i == 0 and out and out[-1] == "" and len(out) > 1 and _continues(out[-2], text):
                out.pop()  # a sentence running on over the page break
            elif i > 0 and kept[i - 1][1] - top > 0.75 * line_height:  # more than line spacing
                out.append("")
            out.append(_marked(text, size, body) if size >= heading else text)
        out.append("")  # a page break ends a paragraph unless the next page continues it
    return "\n".join(out)


def page_texts(data: bytes) -> list[str]:
    """Each page's lines as read, page furniture included (running headers, page numbers): what the
    word comparison with pdftotext reads (referat.testing.pdfwords)."""
    pdf = pdfium.PdfDocument(data)
    try:
        return ["\n".join(ln[2] for ln in lines) for _, lines in _read_range(pdf, 0, len(pdf))]
    finally:
        pdf.close()

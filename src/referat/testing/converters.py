"""How other converters print the same minutes: text transforms for metamorphic tests of the parser.

The seeds in ../shared/seeds are text made from PDFs by converters that keep a paragraph on one line.
Others do not: pdftotext and the PDF reader give a paragraph by its printed lines, some drop the blank
lines between paragraphs, break words at line ends with a hyphen, or leave a running footer and a page
number on every page. Each function here prints a text as such a converter would; tests/test_golden.py
parses the seeds through each and scores them against the hand-checked gold. `as_blocks` turns the same
text into blocks for referat.testing.producers, so that the seeds are also printed as PDFs by real
producers (LibreOffice from a Word file, Chromium from a web page) and read back.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable

from referat.testing.producers import Block


def wrapped(text: str, width: int = 85) -> str:
    """Every line longer than `width` wrapped at word boundaries; table rows (tabs) as they are."""
    out: list[str] = []
    for line in text.splitlines():
        wrap = "\t" not in line and len(line) > width
        out.extend(textwrap.wrap(line, width, break_on_hyphens=False, break_long_words=False) if wrap else [line])
    return "\n".join(out) + "\n"


def without_blank_lines(text: str) -> str:
    """No blank line anywhere: paragraphs, headings and lists run on line after line."""
    return "\n".join(line for line in text.splitlines() if line.strip()) + "\n"


def hyphenated(text: str, width: int = 70) -> str:
    """Wrapped at `width`, a long lower-case word that does not fit broken with a hyphen ("til-" / "deling")."""
    out: list[str] = []
    for line in text.splitlines():
        if "\t" in line or len(line) <= width:
            out.append(line)
            continue
        current = ""
        for word in line.split(" "):
            room = width - len(current) - 2
            if len(current) + 1 + len(word) > width and len(word) > 8 and word.isalpha() and word.islower() \
                    and 3 <= room <= len(word) - 3:
                out.append(f"{current} {word[:room]}-".strip())
                current = word[room:]
            elif len(current) + 1 + len(word) > width and current:
                out.append(current)
                current = word
            else:
                current = f"{current} {word}".strip()
        out.append(current)
    return "\n".join(out) + "\n"


def with_footers(text: str, every: int = 45, footer: str = "Gladsaxe Kommune") -> str:
    """A footer line and "Side N af M" at the foot of every page of `every` lines, wherever the page
    breaks (mid-paragraph too), the last page's included."""
    lines, out, page = text.splitlines(), [], 1
    pages = (len(lines) + every - 1) // every
    for i, line in enumerate(lines):
        if i and i % every == 0:
            out += ["", footer, f"Side {page} af {pages}", ""]
            page += 1
        out.append(line)
    return "\n".join([*out, "", footer, f"Side {page} af {pages}"]) + "\n"


CONVERTERS: dict[str, Callable[[str], str]] = {
    "wrapped at 85": wrapped,
    "wrapped, no blank lines": lambda t: without_blank_lines(wrapped(t)),
    "hyphenated at 70": hyphenated,
    "footers": with_footers,
    "wrapped, footers": lambda t: with_footers(wrapped(t)),
}


# bold section names of the Gladsaxe minutes, set as labels when printed: fixture data (the headings the
# seeds print in bold), not the parser's vocabulary, which knows more ("Baggrund" is printed plain)
LABELS = frozenset({"Indstilling", "Beslutning", "Sagsfremstilling", "Resumé", "Økonomi", "Bilag",
                    "Relateret behandling", "Kommende behandlingsforløb", "Deltager i sagens behandling",
                    "Sagens tidligere behandling", "Gennemgang af sagen", "Indholdsfortegnelse"})


def as_blocks(text: str) -> tuple[Block, ...]:
    """Minutes as text (markdown marks dropped) -> blocks to print: the first line the title, "Punkt N:" a
    heading, a section name a label, tab-separated lines a table (the contents' "Title\tpage" lines stay
    paragraphs), anything else a paragraph."""
    out: list[Block] = []
    table: list[list[str]] = []

    def flush() -> None:
        if table:
            width = max(len(r) for r in table)
            out.append(Block("table", rows=tuple(tuple(r + [""] * (width - len(r))) for r in table)))
            table.clear()

    in_contents = False
    for raw in text.splitlines():
        line = re.sub(r"^#+\s*", "", raw).replace("**", "").strip(" ")
        if not line.strip():
            continue
        in_contents = (in_contents or line == "Indholdsfortegnelse") and not line.startswith("Punkt ")
        if "\t" in line and not (in_contents and re.search(r"\t\d+$", line)):
            table.append(line.split("\t"))
            continue
        flush()
        kind = ("title" if not out else "heading" if re.match(r"^(Punkt \d+:|Dagsordenpunkt)", line)
                else "label" if line in LABELS else "para")
        out.append(Block(kind, line))
    flush()
    return tuple(out)

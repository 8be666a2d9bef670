"""Web pages: meeting pages as the common systems publish them, read from the DOM into text lines.

Block elements become lines and paragraphs, table rows tab-separated cells, list items "- " or "N. "
lines; scripts, styles, navigation, forms and interface noise ("Hent som PDF", "Kopier link", "Til
toppen", cookie banners) are dropped. The text then goes through the same normalizer and parser as a
text file. In that text the elements are kept as hints the normalizer understands: a heading element
(h1-h6) becomes a markdown heading line ("## Beslutning") and a paragraph set wholly in bold a bold line
("**Bilag**"), so the parser sees what the publisher set as a heading (normalize.Line.heading).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from selectolax.lexbor import LexborHTMLParser, LexborNode

from referat import vocab

# a page footer is the site's ("Kultur- og Fritidsudvalget · Vesterå Kommune", contact lines): read into the
# last item it would become one of its attachments
_SKIP = frozenset({"script", "style", "noscript", "nav", "button", "form", "svg", "template", "iframe", "select",
                   "input", "textarea", "head", "title", "meta", "link", "object", "canvas", "dialog", "footer"})
_PARAGRAPH = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl",
                        "section", "article", "header", "main", "figure", "figcaption", "caption"})
_LINE = frozenset({"div", "li", "tr", "br", "hr", "address", "aside", "body", "html", "tbody",
                   "thead", "tfoot"})
_NOISE_ATTR = vocab.HTML_NOISE_ATTRIBUTE.compile()
_NOISE_TEXT = vocab.HTML_NOISE_TEXT.compile()
_WS = re.compile(r"\s+")
MAX_DEPTH = 200  # nesting bound: deeper markup is flattened, not followed


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BOLD = frozenset({"strong", "b"})
MAX_HEADING = 120  # characters: a longer heading element is a paragraph set large, not a heading


class _Out:
    """Collects lines; paragraph breaks are blank lines. `heading` (optional) tells which heading elements
    open a section: their text is recorded in `marks` with the line position where the section starts."""

    def __init__(self, heading: Callable[[LexborNode], bool] | None = None, hints: bool = False) -> None:
        self.lines: list[str] = []
        self.buf: list[str] = []
        self.heading = heading
        self.marks: list[tuple[int, str]] = []
        self.hints = hints  # headings and bold-only paragraphs as markdown marks (html_to_text)

    def hint(self, text: str, mark: str) -> None:
        """A heading or bold line of its own, as markdown; a sentence set as a heading stays plain text."""
        self.paragraph()
        if _NOISE_TEXT.match(text):
            return
        sentence = len(text) > MAX_HEADING or (len(text) > 40 and text.endswith("."))
        self.lines.append(text if sentence else (f"## {text}" if mark == "#" else f"**{text}**"))
        self.paragraph()

    def text(self, s: str) -> None:
        self.buf.append(s)

    def line(self) -> None:
        text = _WS.sub(" ", "".join(self.buf)).strip()
        self.buf = []
        if text and not _NOISE_TEXT.match(text):
            self.lines.append(text)

    def paragraph(self) -> None:
        self.line()
        if self.lines and self.lines[-1] != "":
            self.lines.append("")


def _bold_only(node: LexborNode) -> bool:
    """A block whose whole text sits in one <strong>/<b> with no block inside: a bold heading line."""
    bold = None
    for child in node.iter(include_text=True):
        if child.tag == "-text":
            if (child.text(deep=False) or "").strip():
                return False
        elif child.tag in _BOLD and bold is None:
            bold = child
        elif child.tag != "br" and child.text(deep=True).strip():
            return False
    return bold is not None and bool(bold.text(deep=True).strip()) and not any(
        c.tag in _PARAGRAPH or c.tag in _LINE for c in bold.iter())


def _noise(node: LexborNode) -> bool:
    attrs = node.attributes
    marker = " ".join(v for k, v in attrs.items() if k in ("class", "id", "role", "aria-label") and v)
    return bool(marker) and bool(_NOISE_ATTR.search(marker)) or "hidden" in attrs


def _cells(row: LexborNode) -> str:
    cells = [c for c in row.iter() if c.tag in ("td", "th")]
    return "\t".join(_WS.sub(" ", c.text(deep=True, separator=" ")).strip() for c in cells)


def _walk(node: LexborNode, out: _Out, depth: int) -> None:
    ordered = 0
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            out.text(child.text(deep=False) or "")
            continue
        if tag in _SKIP or tag[:1] == "-" or _noise(child):  # a comment has no attributes to read (lexbor segfaults)
            continue
        if out.heading is not None and tag in _HEADINGS and out.heading(child):
            out.paragraph()
            out.marks.append((len(out.lines), node_text(child)))
            continue
        if out.hints and tag in _HEADINGS:
            if node_text(child):
                out.hint(node_text(child), "#")
            continue
        if out.hints and tag in ("p", "div") and _bold_only(child):
            out.hint(node_text(child), "*")
            continue
        if tag == "tr":
            out.line()
            row = _cells(child)
            if row.replace("\t", "").strip():
                out.lines.append(row if "\t" in row else row.strip())
            continue
        if tag in ("br", "hr"):
            out.line()
            continue
        if tag in ("dt", "dd"):  # "Mødedato:" and its value read as one line, like a text header
            if tag == "dt":
                out.line()
            else:
                out.text(" ")
            _walk(child, out, depth + 1)
            if tag == "dd":
                out.line()
            continue
        block = tag in _PARAGRAPH or tag in _LINE
        if block:
            out.paragraph() if tag in _PARAGRAPH else out.line()
        if tag == "li":
            ordered += 1
            out.text(f"{ordered}. " if node.tag == "ol" else "- ")
        if depth < MAX_DEPTH:
            _walk(child, out, depth + 1)
        else:
            out.text(child.text(deep=True, separator=" "))
        if block:
            out.paragraph() if tag in _PARAGRAPH else out.line()


def node_text(node: LexborNode) -> str:
    """An element's text on one line, whitespace collapsed ("I<span>ndstilling</span>" is one word)."""
    return _WS.sub(" ", node.text(deep=True, separator="")).strip()


def html_sections(html: str, heading: Callable[[LexborNode], bool]) -> list[tuple[str | None, list[str]]]:
    """An HTML fragment cut into sections at the heading elements `heading` accepts: (heading text, lines)
    in order, the text before the first heading under None; lines as html_to_text makes them (blank lines
    between paragraphs, table rows tab-separated), without blank lines at either end."""
    tree = LexborHTMLParser(html)
    out = _Out(heading)
    root = tree.body or tree.root
    if root is not None:
        _walk(root, out, 0)
    out.paragraph()
    bounds = [(0, None), *out.marks, (len(out.lines), None)]
    sections: list[tuple[str | None, list[str]]] = []
    for (start, title), (end, _) in zip(bounds, bounds[1:]):
        lines = out.lines[start:end]
        while lines and not lines[0]:
            lines = lines[1:]
        while lines and not lines[-1]:
            lines = lines[:-1]
        if title is not None or lines:
            sections.append((title, lines))
    return sections


def html_to_text(html: str, *, hints: bool = False) -> str:
    """The readable text of a meeting page, one line per block, blank lines between paragraphs; with `hints`,
    heading elements as markdown heading lines and bold-only paragraphs as bold lines."""
    tree = LexborHTMLParser(html)
    out = _Out(hints=hints)
    root = tree.body or tree.root
    if root is not None:
        _walk(root, out, 0)
    out.paragraph()
    return "\n".join(out.lines).strip() + "\n"

"""A linear pre-scan of a web page's tag stream that bounds its element nesting before the HTML parser runs.

lexbor's cost grows faster than linearly with nesting depth (100,000 nested divs took 20 s, 300,000 took
191 s; ../shared/reports/probe-2026-11-30.md case 16), and real meeting pages nest a few dozen elements
deep. The scan follows the tags with a model of the open elements that is close to the HTML parser's
(void elements, raw-text elements, comments, the end tags a start tag implies, end tags that cannot
reach past a table cell), each tag costing O(1) amortised. Where the model's depth would pass the limit,
the deeper elements are flattened: their tags are dropped (a block element's become a line break) so
that their text, the minutes inside, is still read; paragraph-like elements (p, headings, list items)
are kept a little beyond the limit so that the lines keep their breaks. A page within the limit is
returned unchanged, so nothing changes for real pages.

Where the model and the parser differ, the model errs towards counting deeper (an end tag it cannot
place is ignored, not guessed), and a page that still costs too much is stopped by the time limit of its
worker process (referat.sandbox).
"""

from __future__ import annotations

import re
from collections.abc import Callable

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr", "basefont", "bgsound", "frame", "keygen", "image"})
# elements whose content is raw text up to their end tag (markup inside is not markup)
# (only those the parser always reads so; inside SVG or MathML none is, and the scan reads their markup)
_RAW = frozenset({"script", "style", "textarea", "title", "xmp"})
# an end tag never closes an element beyond one of these (the parser's scopes); their own end tag does
_BOUNDARY = frozenset({"table", "td", "th", "caption", "template", "applet", "object", "marquee", "button",
                       "select", "html", "foreignobject", "desc", "mi", "mo", "mn", "ms", "mtext", "annotation-xml"})
# a start tag of the key closes an open element named in the value when that is the innermost one
# a start tag of these closes an open paragraph (the parser's "close a p element")
_CLOSES_P = frozenset({"p", "div", "ul", "ol", "dl", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                       "pre", "section", "article", "header", "footer", "main", "nav", "aside", "address", "figure",
                       "form", "fieldset", "hr", "menu", "details", "summary", "center", "dir", "hgroup",
                       "figcaption", "li", "dt", "dd", "listing", "plaintext", "search"})
# a start tag of the key closes the innermost open element named in the value (the same segment)
_CLOSES = {"li": ("li",), "dt": ("dt", "dd"), "dd": ("dt", "dd"), "option": ("option",),
           "optgroup": ("option", "optgroup"), "tr": ("tr",), "tbody": ("tr", "tbody", "thead", "tfoot"),
           "thead": ("tr", "tbody", "thead", "tfoot"), "tfoot": ("tr", "tbody", "thead", "tfoot")}
_CELL_ENDS = frozenset({"td", "th", "tr", "tbody", "thead", "tfoot"})  # a start tag that closes an open cell
# kept a little beyond the limit (flattened, a page keeps its lines) and elements that break lines
_KEPT = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre"})
_BLOCK = _CLOSES_P | _CELL_ENDS | {"br", "body", "caption"}
HEADROOM = 64  # levels of _KEPT elements allowed past the flattening depth
FLAT_DEPTH = 100  # a page over the limit is flattened to this depth

_NAME = re.compile(r"[A-Za-z][^\s/>\x00]*")
_TAG_END = re.compile(r"""=[ \t\n\r\f]*(["'])|>""")


def max_depth(html: str) -> int:
    """The deepest element nesting of the page, as the scan models it."""
    return _scan(html, None)[0]


def flatten_deep(html: str, limit: int) -> tuple[str, int]:
    """(the page, its nesting depth as the scan models it). A page nested deeper than `limit` comes back
    flattened to FLAT_DEPTH levels (HEADROOM more for paragraph-like elements): shallow enough for
    sources/html.py to follow every level (it reads 200), so the lines inside the nesting keep their
    breaks. A page within the limit comes back as it is."""
    depth, out = _scan(html, FLAT_DEPTH)
    return (html if depth <= limit or out is None else out), depth


def _scan(html: str, limit: int | None) -> tuple[int, str | None]:
    """One pass over the tags. Returns (the deepest nesting seen, the rewritten page or None when nothing
    was flattened). The stack holds (name, kept) per open element; `counts` how many of each name are open
    above the innermost boundary element (so an end tag finds its element in O(1))."""
    stack: list[tuple[str, bool]] = []
    counts: list[dict[str, int]] = [{}]  # one dict per boundary segment
    bounds: list[str] = []  # the open boundary elements' names, innermost last
    depth = deepest = 0  # kept elements open, the most ever
    pieces: list[str] = []
    copied = 0  # html[:copied] is in pieces (only used once something is flattened)
    flattened = False
    n = len(html)
    i = 0

    foreign = 0  # SVG or MathML elements open: inside them no element is raw text

    def pop() -> None:
        nonlocal depth, foreign
        name, kept = stack.pop()
        foreign -= name in ("svg", "math")
        if name in _BOUNDARY:
            counts.pop()
            bounds.pop()
        else:
            counts[-1][name] -= 1
        depth -= kept

    def push(name: str) -> None:
        nonlocal depth, deepest, foreign
        foreign += name in ("svg", "math")
        keep = limit is None or depth < limit or (name in _KEPT and depth < limit + HEADROOM)
        stack.append((name, keep))
        if name in _BOUNDARY:
            counts.append({})
            bounds.append(name)
        else:
            counts[-1][name] = counts[-1].get(name, 0) + 1
        depth += keep
        deepest = max(deepest, len(stack))

    def replace(start: int, end: int, text: str) -> None:
        nonlocal copied, flattened
        flattened = True
        pieces.append(html[copied:start])
        pieces.append(text)
        copied = end

    while True:
        i = html.find("<", i)
        if i < 0 or i + 1 >= n:
            break
        c = html[i + 1]
        if c == "!":
            if html.startswith("<!--", i):
                j = html.find("-->", i + 4)
                i = n if j < 0 else j + 3
            else:
                j = html.find(">", i + 2)
                i = n if j < 0 else j + 1
            continue
        if c == "?":
            j = html.find(">", i + 2)
            i = n if j < 0 else j + 1
            continue
        closing = c == "/"
        m = _NAME.match(html, i + 2 if closing else i + 1)
        if m is None:
            i += 1
            continue
        name = m.group().lower()
        j = _tag_end(html, m.end())
        if j < 0:
            break  # a tag cut off by the end of the page: the parser drops it too
        start, i = i, j + 1
        if closing:
            kept = _end_tag(name, stack, counts, bounds, pop)
            if kept is False and limit is not None:
                replace(start, i, "<br>" if name in _BLOCK else "")
            continue
        if name in _VOID:
            continue
        if name == "plaintext":
            break  # the rest of the page is text
        if name in _RAW and not foreign:
            close = re.compile(rf"</{re.escape(name)}[\s/>]", re.IGNORECASE).search(html, i)
            i = n if close is None else close.start()
            # the raw element nests nothing: it opens and closes here (its end tag is skipped as unmatched)
            continue
        if name in _CELL_ENDS and bounds and bounds[-1] in ("td", "th"):
            _close(bounds[-1], stack, pop)  # "<td>" in an open cell ends that cell
        if name in _CLOSES_P and counts[-1].get("p", 0) > 0:
            _close("p", stack, pop)
        for other in _CLOSES.get(name, ()):
            if counts[-1].get(other, 0) > 0:
                _close(other, stack, pop)
        if name in ("tr", "td", "th") and bounds and bounds[-1] == "table" \
                and not any(counts[-1].get(x, 0) for x in ("tbody", "thead", "tfoot")):
            push("tbody")  # the parser opens the row group (and the row) a bare row or cell lacks
        if name in ("td", "th") and bounds and bounds[-1] == "table" and not counts[-1].get("tr", 0):
            push("tr")
        push(name)
        if not stack[-1][1]:
            replace(start, i, "<br>" if name in _BLOCK else (" " if name in ("td", "th") else ""))
    if not flattened:
        return deepest, None
    pieces.append(html[copied:])
    return deepest, "".join(pieces)


def _tag_end(html: str, j: int) -> int:
    """Where the tag whose attributes start at j ends (its ">"), quoted attribute values skipped; -1 when
    the page ends first."""
    while True:
        m = _TAG_END.search(html, j)
        if m is None:
            return -1
        if m.group(1) is None:
            return m.start()
        close = html.find(m.group(1), m.end())
        if close < 0:
            return -1
        j = close + 1


def _end_tag(name: str, stack: list[tuple[str, bool]], counts: list[dict[str, int]], bounds: list[str],
             pop: Callable[[], None]) -> bool | None:
    """Close the element an end tag ends, as far as the model can tell: whether that element was kept
    (its end tag stays) or flattened (dropped with it); None for an end tag that closes nothing (it stays,
    and the parser ignores it as well). A boundary element's end tag closes the innermost boundary of its
    name, or the table around the innermost cell ("</table>" ends the cell it is written in)."""
    if name in _BOUNDARY:
        if not bounds or not (bounds[-1] == name or (
                name == "table" and bounds[-1] in ("td", "th", "caption") and len(bounds) > 1 and bounds[-2] == "table")):
            return None
    elif counts[-1].get(name, 0) <= 0:
        return None
    return _close(name, stack, pop)


def _close(name: str, stack: list[tuple[str, bool]], pop: Callable[[], None]) -> bool | None:
    """Pop open elements up to the innermost `name` (which the caller knows is open): whether it was kept."""
    while stack:
        top, kept = stack[-1]
        pop()
        if top == name:
            return kept
    return None

"""Normalize decoded text into clean lines that keep their original line numbers.

Converters leave their marks on minutes: markdown emphasis and heading marks,
run-on headings ("Dagsordenpunkt**Title****Beslutning**"), running page headers
repeated on every page and cutting sentences in two, page numbers, words broken
at line ends, soft hyphens and non-breaking spaces. This stage removes those
marks and nothing else; what it drops is returned as artifacts with reasons, so
that text conservation can be checked.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from referat import vocab
from referat.danish import parse_date

_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_ODD = re.compile(r"[\u00a0\u00ad\u2000-\u200d\u2010\u2011\u202f\u205f\u2060\u3000\ufeff\ufb00-\ufb06]")
# hyphen (U+2010) and non-breaking hyphen (U+2011), as Word writes them, are the plain hyphen of
# "Børne- og Ungeudvalget" and "24-3-85.10.00-P07"; typographic ligatures are their letters
_CHARACTERS = str.maketrans({"\u2010": "-", "\u2011": "-", "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl",
                             "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"})
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_MD_FENCE = re.compile(r"^\s{0,3}(?:```|~~~)")
_MD_RULE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")
_GLUED_BOLD = re.compile(r"[^\s*]\*\*[^\s*]|\*\*\*\*")
_BOLD = re.compile(r"\*\*|__(?=\S)|(?<=\S)__")
_GLUED_ITALIC = re.compile(r"^(?P<head>[^*]*\S)\*(?P<tail>[^*\s][^*]*)\*\s*$")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
_SENTENCE_END = re.compile(r"[.:!?;»\"”)]\s*$")
_HYPHEN_END = re.compile(r"(?P<before>[A-Za-zÆØÅæøåÄÖÜäöüé0-9])-$")
_SECTION = vocab.section_pattern()
_COLUMN_GAP = re.compile(r"(?<=\S) {3,}(?=\S)")
_DIGIT = re.compile(r"\d")
_TITLE = vocab.TITLE_LINE.compile()
_ITEM_STRONG = vocab.compiled(vocab.ITEM_HEADINGS_STRONG)
_ITEM_WEAK = vocab.compiled(vocab.ITEM_HEADINGS_WEAK, 0)  # case matters: "3. at …" is a point
_WRAP_NEW_LINE = vocab.WRAP_NEW_LINE.compile()
_POINT = vocab.RECOMMENDATION_POINT.compile()
_TOC_HEADING = vocab.TOC_HEADING.compile()
_TOC_ENTRY = vocab.TOC_ENTRY.compile(0)
_REFERENCE = vocab.REFERENCE.compile(0)
_DECISION_LABEL = vocab.GENITIVE_DECISION.compile()
# a document is hard-wrapped when most of its longer lines end near one width (the 95th percentile of
# line lengths): measured on the Gladsaxe minutes, 0.77-0.86 of them when wrapped at 80 or 100
# characters, 0.64 in a real SBSYS PDF, and 0.11-0.38 in the same minutes with a paragraph per line
_WRAPPED_SHARE = 0.55
_WRAPPED_MIN_LINES = 20


class Line:
    """One normalized line. `no` is the 1-based line number in the source; blank lines have text ''.
    `heading` is a hint (printed as a markdown heading or a bold-only line), not a rule. `blank` is
    fixed at creation: joining words only ever extends a non-blank line. (A plain slotted class: one
    is made per source line, and this is a hot path.)"""

    __slots__ = ("no", "text", "heading", "blank")

    def __init__(self, no: int, text: str, heading: bool = False) -> None:
        self.no = no
        self.text = text
        self.heading = heading
        self.blank = not text or text.isspace()

    def __repr__(self) -> str:
        return f"Line({self.no}, {self.text!r})"


@dataclass(frozen=True, slots=True)
class Artifact:
    """A source line the normalizer dropped, and why."""

    no: int
    text: str
    reason: str


@dataclass(slots=True)
class Normalized:
    lines: list[Line]
    artifacts: list[Artifact] = field(default_factory=list)
    # a value printed apart from its label (label/value blocks out of order) joined its label's line:
    # source line of the value -> source line of the label
    moved: dict[int, int] = field(default_factory=dict)
    # a line that goes on from the one before (a word broken at the line end, a hard-wrapped paragraph)
    # joined it: source line of the continuation -> source line it was joined to
    joined: dict[int, int] = field(default_factory=dict)


def clean_unicode(text: str) -> str:
    """NFC, no soft hyphens or zero-width characters, every kind of space a plain space, Unicode hyphens
    as "-", and typographic ligatures as their letters: PDF text from fonts that map a ligature glyph to
    U+FB02 reads "ﬂygtninge", which no search for "flygtninge" would find. (Not NFKC: that would also
    rewrite "½" and "m²".)"""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _ODD.search(text):  # one pass to find out whether the substitutions are needed at all
        text = _SPACES.sub(" ", _INVISIBLE.sub("", text)).translate(_CHARACTERS)
    return text


def _strip_markdown(raw: str) -> tuple[list[str], bool]:
    """Markdown marks off one line; a run-on bold line splits into several. Returns (lines, heading)."""
    heading = False
    m = _MD_HEADING.match(raw)
    if m:
        raw, heading = m.group(2), True
    parts = [raw]
    if _GLUED_BOLD.search(raw):
        parts = [p for p in re.split(r"\*\*+", raw)]
    elif raw.strip().startswith("**") and raw.strip().endswith("**") and raw.count("**") == 2:
        heading = True
    out: list[str] = []
    for part in parts:
        g = _GLUED_ITALIC.match(part)
        pieces = [g.group("head"), g.group("tail")] if g and " " not in g.group("tail")[:1] else [part]
        for piece in pieces:
            piece = _BOLD.sub("", piece)
            piece = _ITALIC.sub(r"\1", piece)
            out.append(piece)
    kept = [p for p in out if p.strip()] or [""]
    return kept, heading


def _clean_line(raw: str) -> str:
    """Trailing spaces (markdown hard breaks) and leading spaces off; tabs stay (table cells,
    including empty leading and trailing ones). A line of only whitespace becomes blank."""
    if not raw.strip():
        return ""
    line = raw.rstrip(" \r\n\f\v").lstrip(" ")
    # `pdftotext -layout` aligns columns with runs of spaces: three or more inside a line are a column gap
    return _COLUMN_GAP.sub("\t", line) if "   " in line else line


def _is_structural(text: str) -> bool:
    """Lines the header/footer detector must never take: headings, item headings, case numbers."""
    t = text.strip()
    if _SECTION.match(t) or (t[:1] in vocab.ITEM_HEADING_FIRST and any(p.match(t) for p in _ITEM_STRONG)):
        return True
    return _DIGIT.search(t) is not None and bool(vocab.CASE_NUMBER.fullmatch(t))


def _header_line(t: str, header_dates: set) -> int:
    """A line's part in the running-header test: 0 rules its block out (long, structure, a sentence: a
    decision such as "Godkendt." may stand over the footer of several pages), 2 is a marker (the meeting's
    date or a page number), 1 neither."""
    if len(t) > 100 or _is_structural(t):
        return 0
    marker = _marker(t, header_dates)
    if t.endswith(".") and (len(t.split()) >= 6 or not marker):
        return 0
    return 2 if marker else 1


def _marker(t: str, header_dates: set) -> bool:
    """A page number or the meeting's date: what every running header or footer block carries."""
    if vocab.PAGE_NUMBER.match(t) or t.endswith(_PAGE_KEY):
        return True
    # a date has digits: most lines have none, and parse_date tries several shapes
    return bool(header_dates) and _DIGIT.search(t) is not None and parse_date(t) in header_dates


class _Verdicts(dict[str, int]):
    """`_header_line` of each line text, computed when first asked for."""

    def __init__(self, header_dates: set) -> None:
        super().__init__()
        self.header_dates = header_dates

    def __missing__(self, t: str) -> int:
        verdict = self[t] = _header_line(t, self.header_dates)
        return verdict


def _remove_running_headers(lines: list[Line], artifacts: list[Artifact]) -> list[Line]:
    nonblank = [i for i, ln in enumerate(lines) if not ln.blank]
    # the lines printed next over and under a page number ("Gladsaxe Kommune" / "Side 3 af 23", blank lines
    # and a form feed between them too) are marked by it, though the number itself is already gone
    numbered = sorted(a.no for a in artifacts if a.reason == "page number")
    beside: set[int] = set()
    for j in range(1, len(nonblank)) if numbered else ():
        low, high = lines[nonblank[j - 1]].no, lines[nonblank[j]].no
        if high - low > 1 and bisect.bisect_right(numbered, low) < bisect.bisect_left(numbered, high):
            beside |= {j - 1, j}
    if numbered and nonblank and numbered[-1] > lines[nonblank[-1]].no:
        beside.add(len(nonblank) - 1)  # over the last page's number, at the very end
    # a header line carrying its page number ("… 04.12.2012 Side 5 af 23") repeats but for the number
    texts = [_page_key(lines[i].text.strip()) for i in nonblank]
    header_dates = {d for t in texts[:15] if (d := parse_date(t))}
    # the document's own title line may be repeated as the running header: its first printing stays
    keep_title = {next((i for i, t in enumerate(texts[:10]) if _TITLE.match(t)), -1)}
    dropped: set[int] = set(keep_title)
    for n, starts in _header_blocks(texts, header_dates, beside):
        for i in starts:
            if not any(j in dropped for j in range(i, i + n)):
                dropped.update(range(i, i + n))
    dropped -= keep_title
    if not dropped:
        return lines
    drop_idx = {nonblank[j] for j in dropped}
    for idx in sorted(drop_idx):
        artifacts.append(Artifact(lines[idx].no, lines[idx].text, "running page header/footer"))
    kept: list[Line] = []
    cuts: list[int] = []
    for i, ln in enumerate(lines):
        if i in drop_idx:
            if not cuts or cuts[-1] != len(kept):
                cuts.append(len(kept))
        else:
            kept.append(ln)
    return _rejoin_cut_sentences(kept, cuts)


def _header_blocks(texts: list[str], header_dates: set, beside: set[int] = frozenset()  # type: ignore[assignment]
                   ) -> list[tuple[int, list[int]]]:
    """Running page header/footer blocks of 4, 3, 2 and then 1 consecutive lines, as (length, starts),
    longest first and then in document order. A block repeats at least 3 times, is short, holds no
    structure and no sentence (`_header_line`), and carries a page number or the meeting's date, or
    stood beside a page number (`beside`: positions in `texts`).

    Since every block must hold a marker line, blocks are only looked for around repeated marker lines
    (a document that repeats itself, like a re-sent agenda or this project's PDF bench, otherwise makes
    every line a candidate block of four sizes, and judging all of them was most of the normalizer's
    time)."""
    single = Counter(texts)
    verdicts = _Verdicts(header_dates)
    marks = {t for t, k in single.items() if k >= 3 and len(t) <= 100 and _marker(t, header_dates)}
    # a line printed beside page numbers three times or more marks a block, unless it is a sentence: a decision
    # ("Godkendt.", "Til efterretning.") may end or open a page three times in a long document
    paged = Counter(texts[i] for i in beside)
    marks |= {t for t, k in paged.items() if k >= 3 and len(t) <= 100 and not _SENTENCE_END.search(t)}
    markers = [i for i, t in enumerate(texts) if t in marks]
    candidate: dict[int, bool] = {}  # judged lazily, only near a marker

    def ok(i: int) -> bool:
        if i not in candidate:
            candidate[i] = 0 <= i < len(texts) and single[texts[i]] >= 3 and verdicts[texts[i]] != 0
        return candidate[i]

    out: list[tuple[int, list[int]]] = []
    for n in (4, 3, 2, 1):
        where: dict[tuple[str, ...], set[int]] = {}
        for m in markers:
            for i in range(m - n + 1, m + 1):
                if all(ok(j) for j in range(i, i + n)):
                    where.setdefault(tuple(texts[i:i + n]), set()).add(i)
        blocks = [(block, sorted(starts)) for block, starts in where.items() if len(starts) >= 3]
        for block, starts in sorted(blocks, key=lambda b: b[1][0]):
            if n == 1 and not vocab.PAGE_NUMBER.match(block[0]) and len(block[0].split()) > 8:
                continue
            out.append((n, starts))
    return out


def _rejoin_cut_sentences(lines: list[Line], cuts: list[int]) -> list[Line]:
    """Where a removed page header cut a sentence ("merudgifter" | header | "på 0,5 mio. kr."),
    drop the blank lines between the two halves so they read as one paragraph again. `cuts` are the
    positions in `lines` where removed lines stood (only blank runs there can need it)."""
    drop: set[int] = set()
    for p in cuts:
        a = p
        while a > 0 and lines[a - 1].blank:
            a -= 1
        b = p
        while b < len(lines) and lines[b].blank:
            b += 1
        if a == b or a == 0 or b == len(lines) or a in drop:
            continue  # no blank run here, or nothing before or after it
        prev, nxt = lines[a - 1], lines[b]
        if not _SENTENCE_END.search(prev.text) and nxt.text[:1].islower() and not _is_structural(nxt.text):
            drop.update(range(a, b))
    return [ln for i, ln in enumerate(lines) if i not in drop] if drop else lines


def _join_hyphenated(lines: list[Line], joined: dict[int, int], printed: dict[int, int]) -> list[Line]:
    """Join words broken at a line end ("be-" / "skæftigelse"), keeping real hyphens:
    "Børne-" / "og Ungeudvalget" and "IT-" / "systemer" keep theirs; a heading set on two lines (both
    bold in a PDF) is joined as text is, a heading and the text under it never. `printed` gets the
    length of the last printed line of each line that was joined on to (for _unwrap)."""
    if not any(ln.text.endswith("-") for ln in lines):
        return lines
    out: list[Line] = []
    for ln in lines:
        prev = out[-1] if out else None
        if prev is not None and prev.text.endswith("-") and not ln.blank and ln.heading == prev.heading:
            m = _HYPHEN_END.search(prev.text)
            nxt = ln.text.lstrip()
            first_word = nxt.split(" ", 1)[0].lower() if nxt else ""
            if m and nxt and not _is_structural(nxt):
                if first_word in vocab.HYPHEN_KEEP_NEXT:
                    prev.text = prev.text + " " + nxt
                    joined[ln.no], printed[prev.no] = prev.no, len(nxt)
                    continue
                if nxt[0].islower():
                    before = m.group("before")
                    if before.isupper() or before.isdigit() or m.start("before") == 0 \
                            or not prev.text[m.start("before") - 1].isalnum():  # "a-" / "kasser": a-kasser
                        prev.text = prev.text + nxt
                    else:
                        prev.text = prev.text[:-1] + nxt
                    joined[ln.no], printed[prev.no] = prev.no, len(nxt)
                    continue
        out.append(ln)
    return out


def _wrap_width(lines: list[Line]) -> int | None:
    """The width a hard-wrapped document's paragraphs were broken at, or None when its paragraphs are
    lines of their own. A converter such as pdftotext, and the PDF reader, give a paragraph as the lines
    it was printed on: "… Social- og Sundhedsforvaltningen og Børne- og Kulturforvaltningen" / "indstiller,"."""
    lengths = sorted(len(ln.text) for ln in lines if not ln.blank and not ln.heading and "\t" not in ln.text)
    if len(lengths) < _WRAPPED_MIN_LINES:
        return None
    width = lengths[int(len(lengths) * 0.95) - 1]
    longer = [n for n in lengths if n > width / 2]
    near = sum(1 for n in longer if n >= 0.8 * width)
    return width if len(longer) >= _WRAPPED_MIN_LINES and near >= _WRAPPED_SHARE * len(longer) else None


def _toc_entry(t: str) -> bool:
    return t[-1:].isdigit() and bool(_TOC_ENTRY.match(t))  # the page number last: cheap first


def _decision_label(t: str) -> bool:
    return "eslutning" in t and bool(_DECISION_LABEL.match(t))


def _starts_own_line(text: str) -> bool:
    """A line that is never the continuation of the line above: a heading, a case number, a label (eDoc's
    "Sundheds- og Omsorgsudvalgets beslutning den 04.12.2012 Punkt 1"), a list entry; "punkt 3." in lower
    case is the end of a sentence ("… fremgår af bilag 2," / "punkt 3.")."""
    t = text.strip()
    if _WRAP_NEW_LINE.match(t) or _SECTION.match(t) or (_DIGIT.search(t) and vocab.CASE_NUMBER.fullmatch(t)) \
            or _TOC_HEADING.match(t) or _toc_entry(t) or (t[:1].isupper() and _HEADER_START.match(t)):
        return True
    return t[:1].isupper() and ((t[:1] in vocab.ITEM_HEADING_FIRST and any(p.match(t) for p in _ITEM_STRONG))
                                or _decision_label(t))


@dataclass(slots=True)
class _Paragraph:
    """What _unwrap knows of the line it may join the next one onto, worked out once per paragraph
    (testing the joined text again for every line it grew by made unwrapping quadratic)."""

    closed: bool  # takes no continuation: blank, a heading, a table row, a label, structure, ends in ":"
    reference: bool = False  # names an earlier treatment: the next such line is one of a list
    clause: bool = False  # prose holding an inline at-clause ("… indstiller, at …")
    at_clause: bool = False  # itself an at-clause of a list: holds none inline

    @classmethod
    def of(cls, ln: Line) -> _Paragraph:
        t = ln.text
        if ln.blank or ln.heading or "\t" in t or t.rstrip().endswith(":") or _is_structural(t) or _decision_label(t) \
                or _TOC_HEADING.match(t) or _toc_entry(t):
            return cls(True)
        at_clause = t.startswith("at ") or bool(_POINT.match(t))
        reference = t[:1].isupper() and _DIGIT.search(t) is not None and bool(_REFERENCE.match(t))
        return cls(False, reference, ", at " in t and not at_clause, at_clause)


def _unwrap(lines: list[Line], width: int | None, joined: dict[int, int], printed: dict[int, int]) -> list[Line]:
    """In a hard-wrapped document, join each line that continues a full line onto it, so that a title,
    a recommending body or a list of names reads as printed: the line above was full (its next word would
    not have fitted; a line going on in lower case, surely a continuation, may fall a little short, as
    proportional type does) and neither is a heading, a table row, a label or the start of a list entry.
    A capitalised line after a full stop stays apart too: without blank lines (pdftotext's plain order)
    it is as likely a new paragraph ("… uddannelsessystemet." / "Social- og Sundhedsforvaltningen
    indstiller,") as the next sentence. Short lines of a list stay apart (their next word fitted), and so
    do lines that each name an earlier treatment ("Beskæftigelses- og Integrationsudvalget 07.11.2012,
    Punkt 69 (Åben)" / "Byrådet 20.02.2013, …").
    An at-clause going on inside a sentence of prose ("… indstiller, at udvalget godkender," / "at det nye
    udvalg …") is joined; one under another at-clause, or under "… indstiller," alone, opens a list entry.
    Fullness is that of the last printed line: of a joined paragraph, its last line; of a line a broken
    word was joined on to, the line that word ended on (`printed`)."""
    if width is None:
        return lines
    out: list[Line] = []
    last = 0  # the length of the last printed line of out[-1]
    para: _Paragraph | None = None  # of out[-1], worked out when first needed (most lines never need it)
    parts: list[str] = []  # the lines joined onto out[-1], put together once it is whole
    for ln in lines:
        t = ln.text
        space = t.find(" ")
        if (out and not ln.blank and not ln.heading and "\t" not in t
                and last + 1 + (space if space >= 0 else len(t)) > width * (0.85 if t[:1].islower() else 0.97)):
            if para is None:
                para = _Paragraph.of(out[-1])
            prev = out[-1]
            end = parts[-1] if parts else prev.text
            if (not para.closed and not (t[:1].isupper() and end.rstrip()[-1:] in ".!?")
                    and (not _starts_own_line(t) or (para.clause and t.startswith("at ")))
                    and not (para.reference and _REFERENCE.match(t))):
                para.clause = not para.at_clause and (
                    para.clause or ", at " in t or (t.startswith("at ") and end.rstrip().endswith(",")))
                para.closed = t.rstrip().endswith(":")
                parts.append(t.strip())
                joined[ln.no] = prev.no
                last = printed.get(ln.no, len(t.strip()))
                continue
        if parts:
            out[-1].text = " ".join([out[-1].text.rstrip(), *parts])
            parts = []
        out.append(ln)
        last = printed.get(ln.no, len(t))
        para = None
    if parts:
        out[-1].text = " ".join([out[-1].text.rstrip(), *parts])
    return out


def normalize(text: str) -> Normalized:
    """Text -> normalized lines (blank lines kept as paragraph breaks) plus dropped artifacts."""
    artifacts: list[Artifact] = []
    lines: list[Line] = []
    numbers: list[int] = []  # positions of lines holding only a short number: page-number candidates
    source = clean_unicode(text).splitlines()
    quoted = _fenced(source)
    for no, raw in enumerate(source, start=1):
        stripped = raw.strip()
        if not stripped:
            lines.append(Line(no, ""))
            continue
        if no in quoted:
            artifacts.append(Artifact(no, raw, "markdown code block: a quoted sample, not the meeting"))
            lines.append(Line(no, ""))
            continue
        if stripped[0] in "-*_" and _MD_RULE.match(raw):
            artifacts.append(Artifact(no, raw, "markdown rule"))
            lines.append(Line(no, ""))
            continue
        if stripped[0] == "|" and stripped.endswith("|") and stripped.count("|") >= 3:
            # a markdown pipe table row: cells become tab-separated, as other converters print them
            raw = "\t".join(cell.strip() for cell in stripped[1:-1].split("|"))
        if "](" in raw:  # markdown links keep their text: "[Bilag 1](bilag1.pdf)" -> "Bilag 1"
            raw = _MD_LINK.sub(r"\1", raw)
        if "#" in raw or "*" in raw or "_" in raw:
            parts, heading = _strip_markdown(raw)
        else:
            parts, heading = [raw], False
        for part in parts:
            t = _clean_line(part)
            if t and len(t) < 24:
                if vocab.PAGE_NUMBER.match(t.strip()) and not vocab.CASE_NUMBER.fullmatch(t.strip()):
                    artifacts.append(Artifact(no, t, "page number"))
                    t = ""
                elif vocab.BARE_NUMBER.match(t.strip()):
                    numbers.append(len(lines))
            lines.append(Line(no, t, heading and bool(t)))
    moved: dict[int, int] = {}
    _drop_isolated_numbers(lines, numbers, artifacts, moved)
    lines = _remove_running_headers(lines, artifacts)
    joined: dict[int, int] = {}
    printed: dict[int, int] = {}
    width = _wrap_width(lines)  # before broken words are joined: each line as printed
    lines = _join_hyphenated(lines, joined, printed)
    if ":" in text:
        lines = _pair_labels(lines, moved)
    lines = _unwrap(lines, width, joined, printed)
    artifacts.sort(key=lambda a: a.no)
    return Normalized(lines, artifacts, moved, joined)


def _fenced(source: list[str]) -> set[int]:
    """Line numbers inside markdown code fences (```/~~~), fences included. Minutes converted to markdown
    never hold one; prose about minutes (a README) quotes sample output in them, which must not be read as
    the document's own header or items. An unclosed fence quotes nothing."""
    fences = [no for no, raw in enumerate(source, start=1) if _MD_FENCE.match(raw)]
    out: set[int] = set()
    for a, b in zip(fences[::2], fences[1::2]):
        out.update(range(a, b + 1))
    return out


_PAGE_KEY = "\x00page"


def _page_key(t: str) -> str:
    """A line with its trailing page number replaced by a placeholder, so that a running header that
    prints the page number repeats as one text."""
    if not t[-1:].isdigit():  # t is stripped, and every page number tail ends in a digit
        return t
    m = vocab.PAGE_NUMBER_TAIL.search(t, max(0, len(t) - 32))  # "Side 123 af 456" fits in the tail
    return t if m is None or m.start() == 0 else t[: m.start()] + " " + _PAGE_KEY


_LABEL_ONLY = re.compile(r"^(?P<label>[A-ZÆØÅ][\w .\-/æøå]{1,40}?)\s*:$")
_HEADER_LABELS = frozenset(label for labels in vocab.HEADER_FIELDS.values() for label in labels)
_CASE_LABEL = vocab.CASE_LABEL.compile()
# a meeting header's field starts a line of its own ("Mødedeltagere Michael Dorph Jensen (Ø), …"): the
# distinctive labels followed by a space or a colon, the short everyday words ("Dato", "Sted") only by a colon
_DISTINCT_LABELS = sorted(_HEADER_LABELS - set(vocab.HEADER_PLAIN_LABELS), key=len, reverse=True)
_HEADER_START = re.compile(r"^(?:(?:" + "|".join(map(re.escape, _DISTINCT_LABELS)) + r")(?=[\s:])|(?:"
                           + "|".join(map(re.escape, vocab.HEADER_PLAIN_LABELS)) + r")\s*:)", re.IGNORECASE)


def _known_label(text: str) -> bool:
    """"Sagsnr.:", "Mødedato:", "Sagen afgøres i:": a label the parser reads, alone on its line."""
    if not text.endswith(":"):
        return False  # cheap first: asked of every line
    m = _LABEL_ONLY.match(text)
    if not m:
        return False
    label = m.group("label").lower()
    return label in _HEADER_LABELS or bool(_SECTION.match(text)) or bool(_CASE_LABEL.fullmatch(text))


def _is_value(ln: Line) -> bool:
    t = ln.text.strip()
    if vocab.CASE_NUMBER.fullmatch(t):
        return True  # "13/1234" under "Sagsnr.:"
    return not (ln.blank or ln.heading or t.endswith(":") or _is_structural(t) or any(p.match(t) for p in _ITEM_WEAK))


def _pair_labels(lines: list[Line], moved: dict[int, int]) -> list[Line]:
    """Join values printed apart from their labels: a column of labels and then a column of values
    ("Sagsnr.:" / "Sagen afgøres i:" / "13/1234" / "Udvalget for Teknik og Miljø", as Acadre's PDF text
    comes out), or a table row of labels over a row of values (the same meeting's Word file), become
    one "Label: value" line per label, on the label's line; the value's line is left blank."""
    out = list(lines)
    i = 0
    while i < len(out):
        ln = out[i]
        cells = ln.text.split("\t") if "\t" in ln.text else None
        if cells and len(cells) >= 2 and all(_known_label(c.strip()) for c in cells):
            j = i + 1
            while j < len(out) and out[j].blank:
                j += 1
            if j < len(out) and "\t" in out[j].text and len(out[j].text.split("\t")) == len(cells):
                values = out[j].text.split("\t")
                moved[out[j].no] = ln.no
                joined = [Line(ln.no, f"{c.strip()} {v.strip()}".strip()) for c, v in zip(cells, values)]
                out[i: j + 1] = [*joined, *out[i + 1: j], Line(out[j].no, "")]
                i += len(joined)
                continue
        if not ln.blank and _known_label(ln.text.strip()):
            run = [i]
            k = i + 1
            spaced = False  # labels a paragraph each (pdftotext's raw order): a value is a paragraph too
            while k < len(out):
                nxt = k + 1 if out[k].blank and k + 1 < len(out) else k
                if out[nxt].blank or not _known_label(out[nxt].text.strip()):
                    break
                spaced = spaced or nxt != k
                run.append(nxt)
                k = nxt + 1
            if len(run) >= 2:
                values: list[list[int]] = []
                m = k
                while m < len(out) and len(values) < len(run):
                    if out[m].blank:
                        m += 1
                        continue
                    if not _is_value(out[m]):
                        break
                    para = [m]
                    m += 1
                    while spaced and m < len(out) and not out[m].blank and _is_value(out[m]):
                        para.append(m)
                        m += 1
                    values.append(para)
                if len(values) == len(run):
                    for a, para in zip(run, values):
                        value = " ".join(out[b].text.strip() for b in para)
                        out[a] = Line(out[a].no, f"{out[a].text.strip()} {value}")
                        for b in para:
                            moved[out[b].no] = out[a].no
                            out[b] = Line(out[b].no, "")
                    i = m
                    continue
            if len(run) == 1 and _single_value_label(ln.text):
                m = k
                while m < len(out) and out[m].blank:
                    m += 1
                if m > k and m < len(out) and _is_value(out[m]) and not _known_label(out[m].text.strip()):
                    # "Mødetidspunkt:" / "" / "10:30 - 13:00": a label and its value set apart as paragraphs
                    out[i] = Line(ln.no, f"{ln.text.strip()} {out[m].text.strip()}")
                    moved[out[m].no] = ln.no
                    out[m] = Line(out[m].no, "")
                    i = m + 1
                    continue
            i = k
            continue
        i += 1
    return out


_SINGLE_VALUE_LABELS = frozenset(vocab.HEADER_FIELDS["date"] + vocab.HEADER_FIELDS["location"])


def _single_value_label(text: str) -> bool:
    """A header label whose value is one line (date, time, place), unlike a list of members."""
    m = _LABEL_ONLY.match(text.strip())
    return bool(m) and m.group("label").lower() in _SINGLE_VALUE_LABELS


def _drop_isolated_numbers(lines: list[Line], candidates: list[int], artifacts: list[Artifact],
                           moved: dict[int, int]) -> None:
    """A bare number alone between blank lines is a page number left by a PDF converter; it is
    blanked in place (line positions do not change). Unless it is the page of the contents entry whose
    dot leader ends a line just above it (then it joins that entry), or an item number set apart from its
    title (pdftotext puts "3" and "Eventuelt" in two blocks when a column gap parts them): then the
    title joins it ("3 Eventuelt"; `_split_item_number`)."""
    for i in candidates:
        before = i == 0 or lines[i - 1].blank
        after = i + 1 == len(lines) or lines[i + 1].blank
        if not (before and after):
            continue
        leader = next((j for j in range(i - 1, max(-1, i - 4), -1) if not lines[j].blank), None)
        if leader is not None and lines[leader].text.rstrip().endswith("..."):
            # "Budgetopfølgning 2025, 1. kvartal....." / "5": a contents entry whose page number a tab
            # leader set apart (pdftotext of a LibreOffice PDF)
            lines[leader].text = f"{lines[leader].text.rstrip()} {lines[i].text.strip()}"
            moved[lines[i].no] = lines[leader].no
            lines[i] = Line(lines[i].no, "")
            continue
        title = _split_item_number(lines, i)
        if title is not None:
            lines[i] = Line(lines[i].no, f"{lines[i].text.strip()} {lines[title].text.strip()}", lines[title].heading)
            moved[lines[title].no] = lines[i].no
            lines[title] = Line(lines[title].no, "")
            continue
        artifacts.append(Artifact(lines[i].no, lines[i].text, "page number"))
        lines[i] = Line(lines[i].no, "")


_TITLE_LIKE = re.compile(r"^[A-ZÆØÅ][^\t]{1,80}$")


def _split_item_number(lines: list[Line], i: int) -> int | None:
    """The position of the title that an isolated number `n` at `i` belongs to, or None when it is a page
    number. It is an item number only when all of this holds: item n-1 is printed earlier as a numbered
    title ("2 GetOrganized", "2. Budget"), no numbered title n (no sentence) is printed anywhere (so a page number
    that happens to follow item n-1 cannot take item n's place), and the next printed line, within two
    lines, reads as a title (capital first, short, no sentence)."""
    n = int(lines[i].text.strip())
    if n < 2:
        return None
    nxt = next((j for j in range(i + 1, min(len(lines), i + 3)) if not lines[j].blank), None)
    if nxt is None:
        return None
    t = lines[nxt].text.strip()
    if not _TITLE_LIKE.match(t) or t[-1] in ".,;:" or len(t.split()) > 8:
        return None
    if not any(number.split(".")[0] == str(n - 1) for ln in lines[:i] if (number := _titled_number(ln))):
        return None
    if any(_titled_number(ln) == str(n) and not _SENTENCE_END.search(ln.text) for ln in lines):
        return None  # item n printed as a title elsewhere ("3) Links bliver indsat …." is a point, no title)
    return nxt


def _titled_number(ln: Line) -> str | None:
    """The number of a line shaped as a numbered item heading with its title (vocab's item heading shapes:
    "2 GetOrganized", "2.1 Status", "2. Budget", "Punkt 2: Budget"), else None."""
    if ln.blank:
        return None
    t = ln.text.strip()
    for p in (*_ITEM_STRONG, *_ITEM_WEAK):
        m = p.match(t)
        if m and m.group("title"):
            return m.group("number")
    return None



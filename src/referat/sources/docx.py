"""Word files (.docx): paragraphs and tables in document order, with the structure Word gives as hints.

The WordprocessingML is read directly (lxml), not through python-docx, so that a file whose zip central
directory is missing (a truncated download) is still read: each part is then inflated from its local
file header, and the reader says so in a warning. Layout hints travel into the text as the markdown
marks the normalizer understands: a heading style ("Heading 2", "Overskrift 1", "Title") becomes a
`#` heading, a paragraph whose every run is bold becomes `**…**`, and list numbering that Word draws
(numbering.xml) is written in front of the paragraph ("1.", "a)"). A table row becomes tab-separated
cells. The running page header's text (header*.xml) comes first: some systems print the body's name
only there.

Inflated size is bounded (MAX_INFLATED): a small file that inflates to gigabytes is refused as a zip
bomb instead of filling memory.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from referat import limits
from referat.danish import whole_number
from referat.errors import DocumentTooLargeError, SourceError

# All parts of one Word file together may inflate to this much: far beyond real minutes (a few MB of
# XML), far below what a zip bomb asks for.
MAX_INFLATED = limits.DEFAULTS.inflated_bytes  # referat.limits; REFERAT_LIMIT_INFLATED_MB overrides it

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)
_HEADING_STYLE = re.compile(r"^(?:heading|overskrift|rubrik)\s*(?P<level>[1-9])$", re.IGNORECASE)
_TITLE_STYLE = re.compile(r"^(?:title|titel)$", re.IGNORECASE)
_WANTED = ("word/document.xml", "word/styles.xml", "word/numbering.xml", "word/_rels/document.xml.rels")
_HEADER_PART = re.compile(r"^word/header\d*\.xml$")


@dataclass(slots=True)
class WordText:
    """The text of a Word file and what the reader had to work around."""

    text: str
    warnings: list[str] = field(default_factory=list)


class _Budget:
    """Bytes still allowed to inflate, over all parts of one file."""

    def __init__(self, path: str | Path, limit: int | None = None) -> None:
        self.path, self.limit = path, limit or limits.current().inflated_bytes
        self.left = self.limit

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise DocumentTooLargeError(self.path, f"the Word file inflates to more than {self.limit // 2**20} MB: "
                                                   "refused as a possible zip bomb (REFERAT_LIMIT_INFLATED_MB)")


def _read_zip(path: str | Path, data: bytes, budget: _Budget) -> dict[str, bytes]:
    """The wanted parts through the zip central directory, streaming with the size bound."""
    parts: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            if info.filename in _WANTED or _HEADER_PART.match(info.filename):
                chunks = []
                with z.open(info) as fh:
                    while chunk := fh.read(1 << 16):
                        budget.take(len(chunk))
                        chunks.append(chunk)
                parts[info.filename] = b"".join(chunks)
    return parts


def _inflate(path: str | Path, data: bytes, start: int, method: int, size: int, budget: _Budget) -> bytes | None:
    """One local entry's bytes: stored or deflated; with an unknown size (a data descriptor follows) the
    deflate stream says where it ends. None when the entry is cut off or corrupt."""
    if method == 0:
        chunk = data[start:start + size] if size else b""
        budget.take(len(chunk))
        return chunk if len(chunk) == size else None
    if method != 8:
        return None
    inflater = zlib.decompressobj(-15)
    out: list[bytes] = []
    pos, end = start, min(start + size if size else len(data), len(data))
    try:
        while pos < end and not inflater.eof:
            piece = data[pos:min(pos + (1 << 16), end)]
            pos += len(piece)
            buf = piece
            while buf:
                chunk = inflater.decompress(buf, 1 << 20)
                budget.take(len(chunk))
                out.append(chunk)
                buf = inflater.unconsumed_tail
        if not inflater.eof:
            return None
    except zlib.error:
        return None
    return b"".join(out)


def _read_local_headers(path: str | Path, data: bytes, budget: _Budget) -> dict[str, bytes]:
    """The wanted parts found by scanning the local file headers ("PK\\x03\\x04"), for a zip whose central
    directory is missing. A part cut off by the truncation is left out."""
    parts: dict[str, bytes] = {}
    pos = 0
    while (pos := data.find(b"PK\x03\x04", pos)) >= 0:
        if pos + 30 > len(data):
            break
        _, flags, method, _, _, _, csize, _, name_len, extra_len = struct.unpack("<HHHHHIIIHH", data[pos + 4:pos + 30])
        name = data[pos + 30:pos + 30 + name_len].decode("utf-8" if flags & 0x800 else "cp437", "replace")
        start = pos + 30 + name_len + extra_len
        if name in _WANTED or _HEADER_PART.match(name):
            body = _inflate(path, data, start, method, 0 if flags & 0x08 else csize, budget)
            if body is not None and name not in parts:
                parts[name] = body
        pos = start + (csize if csize and not flags & 0x08 else 0)
        pos = max(pos, start)
    return parts


def _parts(path: str | Path, data: bytes) -> tuple[dict[str, bytes], list[str]]:
    budget = _Budget(path)
    try:
        return _read_zip(path, data, budget), []
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError):
        pass  # a damaged member (bad deflate data, CRC, an encrypted or unknown method): the local headers
    parts = _read_local_headers(path, data, _Budget(path))
    if "word/document.xml" not in parts:
        raise SourceError(path, "corrupt or truncated Word file: no zip central directory, and word/document.xml "
                                "cannot be inflated from its local header")
    missing = [p.split("/")[-1] for p in ("word/styles.xml", "word/numbering.xml") if p not in parts]
    note = "truncated Word file (no zip central directory): the text was read from the local file headers"
    if missing:
        note += f"; {' and '.join(missing)} missing, so style names and list numbers may be lost"
    return parts, [note]


def _xml(path: str | Path, blob: bytes | None) -> etree._Element | None:
    if blob is None:
        return None
    try:
        return etree.fromstring(blob, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SourceError(path, f"corrupt Word file: {exc}") from exc


@dataclass(slots=True)
class _Styles:
    """Style id -> (name, bold, numbering) from styles.xml; without it the id stands for the name
    (Danish Word's ids are "Overskrift1", English "Heading1")."""

    names: dict[str, str] = field(default_factory=dict)
    bold: set[str] = field(default_factory=set)
    numbering: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def read(cls, root: etree._Element | None) -> _Styles:
        styles = cls()
        if root is None:
            return styles
        for st in root.iter(f"{W}style"):
            sid = st.get(f"{W}styleId") or ""
            name = st.find(f"{W}name")
            styles.names[sid] = name.get(f"{W}val") if name is not None else sid
            b = st.find(f"{W}rPr/{W}b")
            if b is not None and b.get(f"{W}val") not in ("0", "false"):
                styles.bold.add(sid)
            num = st.find(f"{W}pPr/{W}numPr")
            if num is not None:
                styles.numbering[sid] = _num_pr(num)
        return styles

    def heading_level(self, sid: str) -> int | None:
        name = self.names.get(sid, sid)
        for candidate in (name, sid):
            m = _HEADING_STYLE.match(candidate.replace(" ", "") if candidate else "")
            if m:
                return int(m.group("level"))
            if _TITLE_STYLE.match(candidate or ""):
                return 1
        return None


def _num_pr(num: etree._Element) -> tuple[str, str]:
    nid = num.find(f"{W}numId")
    lvl = num.find(f"{W}ilvl")
    return (nid.get(f"{W}val") if nid is not None else "0"), (lvl.get(f"{W}val") if lvl is not None else "0")


class _Numbering:
    """Word's list numbers: numbering.xml says each list level's format; counters run per list."""

    def __init__(self, root: etree._Element | None) -> None:
        self.levels: dict[tuple[str, str], tuple[str, str, int]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if root is None:
            return
        abstract: dict[str, dict[str, tuple[str, str, int]]] = {}
        for a in root.iter(f"{W}abstractNum"):
            levels = {}
            for lvl in a.iter(f"{W}lvl"):
                fmt = lvl.find(f"{W}numFmt")
                text = lvl.find(f"{W}lvlText")
                start = lvl.find(f"{W}start")
                levels[lvl.get(f"{W}ilvl") or "0"] = (
                    fmt.get(f"{W}val") if fmt is not None else "decimal",
                    text.get(f"{W}val") if text is not None else "",
                    int(start.get(f"{W}val") or 1) if start is not None else 1)
            abstract[a.get(f"{W}abstractNumId") or ""] = levels
        for n in root.iter(f"{W}num"):
            ref = n.find(f"{W}abstractNumId")
            for ilvl, spec in abstract.get(ref.get(f"{W}val") if ref is not None else "", {}).items():
                self.levels[(n.get(f"{W}numId") or "", ilvl)] = spec

    def label(self, num_id: str, ilvl: str) -> str:
        """"1.", "a)", "" for bullets and unknown lists (a bullet adds nothing the text needs)."""
        spec = self.levels.get((num_id, ilvl))
        if spec is None or num_id == "0":
            return ""
        level = whole_number(ilvl) or 0
        counters = self.counters.setdefault(num_id, {})
        counters[level] = counters.get(level, spec[2] - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        fmt, text, _ = spec
        if fmt in ("bullet", "none") or not text:
            return ""

        def render(m: re.Match[str]) -> str:
            lv = int(m.group(1)) - 1
            value = counters.get(lv, self.levels.get((num_id, str(lv)), ("decimal", "", 1))[2])
            f = self.levels.get((num_id, str(lv)), spec)[0]
            if f == "lowerLetter":
                return chr(ord("a") + (value - 1) % 26)
            if f == "upperLetter":
                return chr(ord("A") + (value - 1) % 26)
            return str(value)

        return re.sub(r"%(\d)", render, text)


class _Reader:
    def __init__(self, styles: _Styles, numbering: _Numbering) -> None:
        self.styles, self.numbering = styles, numbering

    def paragraph(self, p: etree._Element) -> list[str]:
        """One paragraph -> its lines (manual line breaks kept), with heading/bold/number marks."""
        ppr = p.find(f"{W}pPr")
        sid = ""
        num: tuple[str, str] | None = None
        if ppr is not None:
            st = ppr.find(f"{W}pStyle")
            sid = st.get(f"{W}val") or "" if st is not None else ""
            npr = ppr.find(f"{W}numPr")
            num = _num_pr(npr) if npr is not None else self.styles.numbering.get(sid)
        text, bold = self._runs(p, sid)
        if not text.strip():
            return []
        label = self.numbering.label(*num) if num else ""
        if label:
            text = f"{label} {text.lstrip()}"
        level = self.styles.heading_level(sid) if sid else None
        lines = [ln for ln in text.split("\n")]
        if level:
            return [f"{'#' * min(level, 6)} {ln.strip()}" if ln.strip() else "" for ln in lines]
        if bold and "\t" not in text and "*" not in text:
            return [f"**{ln.strip()}**" if ln.strip() else "" for ln in lines]
        return lines

    def _runs(self, p: etree._Element, sid: str) -> tuple[str, bool]:
        """The paragraph's text (tabs and breaks kept, text boxes and deleted text left out) and whether
        every run with text is bold."""
        out: list[str] = []
        all_bold = True
        style_bold = sid in self.styles.bold
        for r in p.iter(f"{W}r"):
            if _inside(r, p, (f"{W}txbxContent", f"{W}del")):
                continue
            run_text = []
            for el in r:
                tag = el.tag
                if tag == f"{W}t":
                    run_text.append(el.text or "")
                elif tag == f"{W}tab":
                    run_text.append("\t")
                elif tag in (f"{W}br", f"{W}cr"):
                    if el.get(f"{W}type") not in ("page", "column"):
                        run_text.append("\n")
            piece = "".join(run_text)
            if piece.strip():
                b = r.find(f"{W}rPr/{W}b")
                bold = (b.get(f"{W}val") not in ("0", "false")) if b is not None else style_bold
                all_bold = all_bold and bold
            out.append(piece)
        text = "".join(out)
        return text, all_bold and bool(text.strip())

    def blocks(self, parent: etree._Element) -> Iterator[str]:
        for child in parent:
            tag = child.tag
            if tag == f"{W}p":
                lines = self.paragraph(child)
                if lines:
                    yield from lines
                    yield ""
                for box in child.iter(f"{W}txbxContent"):
                    yield from self.blocks(box)
            elif tag == f"{W}tbl":
                yield from self.table(child)
                yield ""
            elif tag in (f"{W}sdt", f"{W}customXml", f"{W}smartTag"):
                content = child.find(f"{W}sdtContent")
                yield from self.blocks(content if content is not None else child)

    def table(self, tbl: etree._Element) -> Iterator[str]:
        for tr in tbl.iter(f"{W}tr"):
            if _inside(tr, tbl, (f"{W}tbl",)):
                continue  # a nested table's rows come with their cell
            cells = []
            for tc in tr.findall(f"{W}tc"):
                parts = [ln.strip("#* ").strip() for ln in self.blocks(tc)]
                cells.append(" ".join(x for x in parts if x))
            if len(cells) == 1:
                # a one-cell row (layout tables of front pages): a paragraph, not a table
                only = next((c for c in cells if c), "")
                if only:
                    yield only
                    yield ""
                continue
            if any(cells):
                yield "\t".join(cells)


def _inside(el: etree._Element, stop: etree._Element, tags: tuple[str, ...]) -> bool:
    """Whether `el` sits inside one of `tags` below `stop`."""
    node = el.getparent()
    while node is not None and node is not stop:
        if node.tag in tags:
            return True
        node = node.getparent()
    return False


def _header_lines(path: str | Path, parts: dict[str, bytes], reader: _Reader) -> list[str]:
    """Distinct lines of the running page headers, in part order: where a system prints the body's name."""
    seen: dict[str, None] = {}
    for name in sorted(p for p in parts if _HEADER_PART.match(p)):
        root = _xml(path, parts[name])
        if root is None:
            continue
        for line in reader.blocks(root):
            t = line.strip("#* ").strip()  # page furniture: no heading of the document's own
            if t and t not in seen:
                seen[t] = None
    return list(seen)


def read_docx(path: str | Path, data: bytes) -> WordText:
    """Read a .docx into text with layout hints; a truncated file is read from its local headers with a
    warning; SourceError when not even the document part can be read."""
    parts, warnings = _parts(path, data)
    document = _xml(path, parts.get("word/document.xml"))
    if document is None:
        raise SourceError(path, "corrupt or truncated Word file: there is no word/document.xml")
    reader = _Reader(_Styles.read(_xml(path, parts.get("word/styles.xml"))),
                     _Numbering(_xml(path, parts.get("word/numbering.xml"))))
    body = document.find(f"{W}body")
    lines: list[str] = []
    header = _header_lines(path, parts, reader)
    if header:
        lines.extend([*header, ""])
    if body is not None:
        lines.extend(reader.blocks(body))
    return WordText("\n".join(lines), warnings)


def docx_to_text(path: str | Path, data: bytes) -> str:
    """The text alone (warnings dropped): for callers that only need the words."""
    return read_docx(path, data).text

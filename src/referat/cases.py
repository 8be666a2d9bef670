"""Case numbers (sagsnumre): parsed into their parts and normalized to one key per case.

The shapes are data in `vocab.CASE_NUMBER_SHAPES`, each with named parts. The key lets the same case
written two ways be one case: "21-7-85.10.00-P07" (SBSYS) and "85.10.00-P07-7-21" (Acadre) differ only in
the order of the parts, "2013/02537" and "2013/2537" only in zero padding, and "24/012345"
is "2024/12345". KLE titles are licensed by KL and not shipped; `load_kle` reads a user's own file.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from referat import vocab
from referat.errors import ReferatError

_SHAPES = tuple((e, re.compile(r"\s*(?:" + e.pattern + r")\s*", re.IGNORECASE)) for e in vocab.CASE_NUMBER_SHAPES)
_KLE_CODE = re.compile(r"^(?:\d{2}(?:\.\d{2}){0,2}|[A-ZÆØÅ]\d{0,2})$")


class KleFileError(ReferatError):
    """A KLE file that cannot be read as KLE XML or as a code;title CSV."""


@dataclass(frozen=True, slots=True)
class CaseNumber:
    """One case number, as printed (`raw`) and in parts. `key` is the same for every way of writing it."""

    raw: str
    shape: str  # the vocabulary entry's meaning, e.g. "year-sequence-KLE-facet (Gladsaxe, SBSYS)"
    year: int | None
    sequence: int | None
    kle: str | None  # KLE subject code "85.10.00"
    facet: str | None  # KLE action facet "P07"
    prefix: str | None  # system prefix "EMN"

    @property
    def key(self) -> str:
        if self.kle and self.facet:
            return f"{self.year}-{self.sequence}-{self.kle}-{self.facet}"
        if self.prefix:
            return f"{self.prefix}-{self.year}-{self.sequence}"
        if self.year is not None and self.sequence is not None:
            return f"{self.year}/{self.sequence}"
        return self.raw.upper()


def _year(two: str, meeting_year: int | None) -> int:
    """A two-digit year in a case number: 20xx unless that lies after the meeting (then 19xx)."""
    year = 2000 + int(two)
    return year - 100 if meeting_year is not None and year > meeting_year + 1 else year


def parse_case_number(raw: str, meeting_year: int | None = None) -> CaseNumber | None:
    """The parts of a case number in any shape of the vocabulary, or None if it has none of them."""
    text = " ".join(raw.split())
    for entry, pattern in _SHAPES:
        m = pattern.fullmatch(text)
        if not m:
            continue
        g = m.groupdict()
        year = int(g["year"]) if g.get("year") else _year(g["yy"], meeting_year) if g.get("yy") else None
        return CaseNumber(raw=text, shape=entry.meaning, year=year, sequence=int(g["seq"]) if g.get("seq") else None,
                          kle=g.get("kle"), facet=g["facet"].upper() if g.get("facet") else None,
                          prefix=g["prefix"].upper() if g.get("prefix") else None)
    return None


def case_key(raw: str | None, meeting_year: int | None = None) -> str | None:
    """The normalized key of a printed case number; an unknown shape keys on its squashed upper case."""
    if not raw or not raw.strip():
        return None
    parsed = parse_case_number(raw, meeting_year)
    return parsed.key if parsed else " ".join(raw.split()).upper()


def load_kle(path: Path) -> dict[str, str]:
    """KLE code -> title from a user's KLE file: KL's XML (elements `…Nr` with a sibling `…Titel`:
    HovedgruppeNr, GruppeNr, EmneNr, HandlingsfacetNr) or a CSV/TSV of code and title."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KleFileError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    head = data[:200].lstrip(b"\xef\xbb\xbf \r\n\t")
    titles = _kle_xml(path, data) if head.startswith(b"<") else _kle_csv(path, data)
    if not titles:
        raise KleFileError(f"{path}: no KLE codes with titles found (expected KL's XML with EmneNr/EmneTitel "
                           "elements, or a CSV with a code column and a title column)")
    return titles


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kle_xml(path: Path, data: bytes) -> dict[str, str]:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise KleFileError(f"{path}: not well-formed XML: {exc}") from exc
    titles: dict[str, str] = {}
    for node in root.iter():
        children = {_local(c.tag): (c.text or "").strip() for c in node}
        for name, code in children.items():
            if name.endswith("Nr") and (title := children.get(name[:-2] + "Titel")) and _KLE_CODE.match(code):
                titles[code] = title
    return titles


def _kle_csv(path: Path, data: bytes) -> dict[str, str]:
    if b"\x00" in data[:8192]:
        raise KleFileError(f"{path}: a binary file, not KL's XML or a CSV of codes and titles")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:  # bytes cp1252 leaves undefined (0x81, 0x8d, …): not text
            raise KleFileError(f"{path}: not text in UTF-8 or Windows-1252 (byte {exc.start}): not a KLE file") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    titles: dict[str, str] = {}
    for row in csv.reader(io.StringIO(text), dialect):
        if len(row) >= 2 and _KLE_CODE.match(row[0].strip()) and row[1].strip():
            titles[row[0].strip()] = row[1].strip()
    return titles

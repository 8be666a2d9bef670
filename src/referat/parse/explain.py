"""Say what the parser made of each line: `referat parse FILE --explain`.

The same stages as parse_text (normalize, layout, header, items) run once more, and every source line
is labelled with the role it was given: a header field, the table of contents, an item heading, a case
number, a section heading, section text or a decision, or page furniture (the only lines dropped, with
the normalizer's reason). A user who sees a document read wrongly can then see where, and report it.
"""

from __future__ import annotations

from dataclasses import dataclass

from referat.labels import SECTION_ROLE
from referat.normalize import normalize
from referat.parse import layout, raw_items
from referat.parse.header import parse_header
from referat.parse.item import public_role
from referat.parse.structure import is_toc_entry, no_items_reason


@dataclass(frozen=True, slots=True)
class Explained:
    """One source line and the role the parser gave it."""

    no: int
    role: str
    text: str


def explain(text: str) -> tuple[list[Explained], list[str]]:
    """Each non-blank source line with its role, and notes on the whole document (no items found, …)."""
    normalized = normalize(text)
    lay = layout(normalized)
    header = parse_header(lay.header_lines)
    items = raw_items(lay)
    roles: dict[int, str] = {}
    for a in normalized.artifacts:
        roles.setdefault(a.no, f"sidehoved/-fod ({a.reason}; udeladt)")
    for value, label in normalized.moved.items():
        roles[value] = f"værdi til feltnavnet på linje {label}"
    for no in header.consumed:
        roles.setdefault(no, "mødeoplysning")
    for ln in header.unrecognised:
        toc_line = lay.toc is None and is_toc_entry(ln.text)
        roles.setdefault(ln.no, "indholdsfortegnelse" if toc_line else "mødehoved (ikke genkendt: en advarsel)")
    if lay.toc:
        for ln in lay.lines[lay.toc[0]: lay.toc[1]]:
            roles.setdefault(ln.no, "indholdsfortegnelse")
    for raw in items:
        tag = f"punkt {raw.number}"
        for ln in raw.title_lines:
            roles.setdefault(ln.no, f"{tag} overskrift")
        if raw.case_line is not None:
            roles.setdefault(raw.case_line.no, f"{tag} sagsnummer")
        if raw.closed_line is not None:
            roles.setdefault(raw.closed_line.no, f"{tag} lukket-markering")
        for ln in raw.status_lines:
            roles.setdefault(ln.no, f"{tag} status- eller gruppelinje")
        for section in raw.sections:
            role = public_role(section.role)
            if section.no is not None:
                roles.setdefault(section.no, f"{tag} afsnitsoverskrift »{section.heading}« "
                                             f"({SECTION_ROLE.get(role, role)})")
            what = ("beslutning" if role == "decision" else f"tekst ({SECTION_ROLE.get(role, role)})" if section.heading
                    else "tekst før første overskrift")
            for ln in section.lines:
                if not ln.blank:
                    roles.setdefault(ln.no, f"{tag} {what}")
    for no, onto in normalized.joined.items():  # a wrapped or broken line: the role of the line it goes on
        while onto in normalized.joined:  # joined to a line that was itself joined on
            onto = normalized.joined[onto]
        if onto in roles:
            roles.setdefault(no, roles[onto])
    source = text.splitlines()
    out = [Explained(no, roles.get(no, "ikke placeret (en fejl: meld den)"), source[no - 1].strip())
           for no in range(1, len(source) + 1) if source[no - 1].strip()]
    notes = [] if items else [no_items_reason(lay.lines)]
    return out, notes


def render(lines: list[Explained], notes: list[str]) -> str:
    """Line number, role and the line as printed, one per line; notes last."""
    width = min(max((len(x.role) for x in lines), default=10), 44)
    out = [f"{x.no:5d}  {x.role:<{width}}  | {x.text.replace(chr(9), ' → ')}" for x in lines]
    out.extend(f"bemærk: {n}" for n in notes)
    return "\n".join(out)

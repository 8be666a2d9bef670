"""Property tests: the parser never crashes on arbitrary text, and it conserves text."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, SEEDS
from referat import parse_text
from referat.errors import NotMinutesError
from referat.model import ParsedDocument
from referat.normalize import normalize
from referat.parse.text import squash

HEAD = "REFERAT Økonomiudvalget 2022-2025 d. 18-09-2023\n\nMødedato Mandag d. 18. september 2023 kl. 16:00\n\n"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

text_line = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
                                           blacklist_characters="\u0085"), max_size=80)
words = st.lists(st.sampled_from(["Godkendt.", "Til efterretning.", "budget", "mio. kr.", "1.070,9", "at",
                                  "Beslutning", "Bilag", "Indstilling", "æble", "Øster", "Å", "-", "\t",
                                  "punkt", "3", "**", "#", "Lukket:", "21-7-85.10.00-P07", "(A)", "stemte for"]),
                 max_size=8).map(" ".join)
line = st.one_of(text_line, words)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [] if value is None else [str(value)]


def unaccounted(text: str, doc: ParsedDocument) -> list[str]:
    """Normalized lines found neither in the record, nor in a warning, nor read as structure."""
    hay = "\n".join(squash(s) for s in _strings(doc.to_contract()))
    # a heading printed with its text on the same line ("Beslutning: Godkendt.") is kept as heading + text
    hay += "\n".join(squash(f"{s.heading}: {s.text}") for it in doc.items for s in it.sections)
    structural = set(doc.source["structural_lines"])
    return [ln.text for ln in normalize(text).lines
            if not ln.blank and ln.no not in structural and squash(ln.text) not in hay]


@SETTINGS
@given(st.lists(line, max_size=40).map("\n".join))
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        parse_text(text)
    except NotMinutesError:
        pass


@SETTINGS
@given(st.lists(st.tuples(st.lists(line, max_size=3), st.lists(line, max_size=12)), min_size=1, max_size=6),
       st.lists(line, max_size=4))
@example(items=[([], ["Beslutning Lukket: \t Godkendt."])], header_extra=[])  # a heading kept its ":\t"
@example(items=[([], ["Åben sag"])], header_extra=[])  # a status line was left out, and out of the record
def test_text_is_conserved(items, header_extra) -> None:
    parts = [HEAD, *header_extra, ""]
    for n, (title_words, body) in enumerate(items, start=1):
        parts += [f"Punkt {n}: Titel {n} " + " ".join(title_words), "", "22-1-15.20.00-A00", "", "Beslutning",
                  "", *body, ""]
    text = "\n".join(parts)
    doc = parse_text(text)
    json.dumps(doc.to_contract())  # the record always serializes
    assert unaccounted(text, doc) == []


def test_real_and_example_documents_conserve_text() -> None:
    files = [*SEEDS, *sorted(EXAMPLES.glob("*.md")), *sorted(EXAMPLES.glob("*.txt"))]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        doc = parse_text(text)
        assert unaccounted(text, doc) == [], path.name

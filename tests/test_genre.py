"""Minutes in other municipalities' layouts (fictional texts in the styles of other meeting systems):
the parser is written for the genre, not for one municipality's files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import EXAMPLES, GENRE
from referat import parse_file, parse_text
from referat.testing import converters


def test_kk_style_numbered_items_with_case_in_parentheses_and_upper_case_sections() -> None:
    d = parse_file(GENRE / "kk_style_2022-03-02.txt")
    m = d.meeting
    assert (m.kind, m.committee, m.date, m.start_time, m.location) == (
        "minutes", "Børne- og Ungdomsudvalget", dt.date(2022, 3, 2), "15:30", "Rådhuset, Udvalgsværelse C")
    assert [(p.name, p.party) for p in m.participants] == [("Anders Mørk", "A"), ("Birgitte Ravn", "B"),
                                                           ("Cecilie Holt", "V")]
    assert [(i.number, i.title, i.case_number) for i in d.items] == [
        (1, "Godkendelse af dagsorden", "2022-0012345"), (2, "Skolestruktur i Nordhavn", "2021-0876543"),
        (3, "Eventuelt", "2022-0012345")]
    school = d.items[1]
    assert school.decision_kind == "recommended"
    assert school.recommendation == ["at der etableres en ny skole i Nordhavn,",
                                     "at anlægsudgiften på 412,5 mio. kr. indarbejdes i budget 2023."]
    assert school.votes is not None and (school.votes.for_, school.votes.against) == (["A", "B"], ["V"])
    assert school.absent == ["Dennis Ås"]
    assert school.amounts_mio_kr == [412.5, 412.5, 38.0]
    assert [s.heading for s in school.sections] == ["INDSTILLING", "PROBLEMSTILLING", "LØSNING", "ØKONOMI",
                                                    "VIDERE PROCES", "BESLUTNING"]
    assert [(u.body, u.date) for u in school.upcoming] == [("Økonomiudvalget", dt.date(2022, 3, 15)),
                                                           ("Borgerrepræsentationen", dt.date(2022, 3, 24))]


def test_firstagenda_style_glued_numbers_bold_labels_and_two_bodies_decisions() -> None:
    d = parse_file(GENRE / "firstagenda_style_2024-09-18.md")
    m = d.meeting
    assert (m.kind, m.committee, m.date, m.start_time, m.location) == (
        "minutes", "Klima- og Miljøudvalget", dt.date(2024, 9, 18), "17:00", "Mødelokale 1, Rådhuset")
    assert [(t.title, t.page) for t in m.toc] == [("Godkendelse af dagsorden", 2), ("Affaldsplan 2025-2036", 3),
                                                  ("Lukket punkt: Erstatningssag", 5)]
    assert [(i.number, i.title, i.closed) for i in d.items] == [
        (38, "Godkendelse af dagsorden", False), (39, "Affaldsplan 2025-2036", False), (40, "Erstatningssag", True)]
    assert [i.case_number for i in d.items] == ["00.01.00-A00-4-24", "07.00.00-P15-1-23", "00.15.00-G01-2-24"]
    plan = d.items[1]
    # the committee's own decision, not the city council's printed below it
    assert (plan.decision, plan.decision_kind) == (
        "Anbefales over for Byrådet. Gitte Lund (F) var fraværende.", "recommended")
    assert plan.absent == ["Gitte Lund"]
    assert plan.recommendation == ["at affaldsplanen godkendes."]
    assert plan.recommending_body == "Teknik og Miljø"
    assert plan.amounts_mio_kr == [2.4]


def test_edagsorden_style_capital_committee_group_headings_status_lines_and_foreslaar() -> None:
    d = parse_file(GENRE / "edagsorden_style_2024-03-06.txt")
    m = d.meeting
    assert (m.kind, m.committee, m.date, m.start_time, m.location) == (
        "minutes", "Økonomiudvalget", dt.date(2024, 3, 6), "08:30", "Udvalgsværelse 1, Rådhuset")
    assert not [w for w in d.warnings if "header line" in w.message]  # Mødeafslutning, group headings read
    # group headings ("A. Sager til afgørelse i byrådet") and "Åben sag"/"Lukket sag" are no part of titles
    assert [(i.number, i.title, i.case_number, i.closed) for i in d.items] == [
        (1, "Budgetopfølgning pr. 31. januar 2024", "24/1234", False),
        (2, "Salg af areal ved Havnegade", None, True),
        (3, "Tilskud til Vesterå Fodboldklub", "24/2345", False)]
    budget, sale, grant = d.items
    # "X foreslår, at byrådet godkender:" + numbered points in an Indstilling section
    assert budget.recommendation == ["at budgetopfølgningen tages til efterretning.",
                                     "at der gives en tillægsbevilling på 3,2 mio. kr."]
    assert budget.recommending_body == "By- og Kulturforvaltningen"
    assert (budget.decision, budget.decision_kind) == ("Økonomiudvalget anbefaler indstillingen.", "recommended")
    assert budget.absent == ["Malene Grøn"]  # "Afbud/fravær:" in the header, "Fraværende:" under the decision
    # the next group's heading does not run into the decision above it
    assert sale.decision == "Økonomiudvalget anbefaler indstillingen."
    assert grant.votes is not None and grant.votes.against == ["Claus Lindholm"]
    assert [s.heading for s in budget.sections] == ["RESUMÉ", "INDSTILLING", "BESLUTNING", "Fraværende",
                                                    "SAGSFREMSTILLING", "ØKONOMISKE KONSEKVENSER", "BILAG"]
    assert budget.attachments == ["Budgetopfølgning januar 2024", "Oversigt over tillægsbevillinger"]


def test_city_council_style_genitive_meeting_line_comma_headings_header_substitutes_and_vote_counts() -> None:
    d = parse_file(GENRE / "byraad_style_2024-01-24.txt")
    m = d.meeting
    assert (m.kind, m.committee, m.date, m.start_time, m.location) == (
        "minutes", "Byrådet", dt.date(2024, 1, 24), "18:00", "Rådhuset, Byrådssalen")  # "Byrådets møde"
    assert not [w for w in d.warnings if "header line" in w.message]
    assert [(i.number, i.title, i.case_number) for i in d.items] == [  # "Punkt 2, Forslag …"
        (1, "Godkendelse af dagsorden", None), (2, "Forslag til ny trafikplan for midtbyen", "23/045612"),
        (3, "Orientering om byggeriet af Nordhavnsskolen", "22/008811")]
    plan = d.items[1]
    # the header's absences and substitutes hold for every item
    assert plan.absent == ["Jens Kristian Lund", "Hanne Boe"]
    assert [(s.substitute, s.for_) for s in plan.substitutes] == [("Ole Mikkelsen", "Jens Kristian Lund"),
                                                                  ("Lise Thorsen", "Hanne Boe")]
    assert plan.recommendation == ["at trafikplanen for midtbyen godkendes,", "at der afsættes 18,5 mio. kr. til etape 1."]
    assert plan.recommending_body == "Magistraten"
    # "vedtaget med 25 stemmer (A, F, Ø, B, Å) mod 6 stemmer (V, C). Ingen undlod at stemme."
    assert plan.votes is not None
    assert (plan.votes.for_, plan.votes.against, plan.votes.abstained) == (["A", "F", "Ø", "B", "Å"], ["V", "C"], [])
    assert plan.decision_kind == "approved"


def test_acadre_style_numbered_items_decision_with_body_and_date_and_empty_header_field() -> None:
    d = parse_file(GENRE / "acadre_style_2014-05-12.txt")
    m = d.meeting
    assert (m.kind, m.committee, m.date, m.start_time, m.location) == (
        "minutes", "Teknisk Udvalg", dt.date(2014, 5, 12), "16:00", "Mødelokale 2, Rådhuset")
    assert not [w for w in d.warnings if "header line" in w.message]  # "Stedfortræder:" left empty
    assert [(i.number, i.title, i.case_number) for i in d.items] == [
        (38, "Vejplan 2015", "14/2345"), (39, "Tilskud til lokalhistorisk forening", "14/3456")]
    road, grant = d.items
    assert (road.decision, road.decision_kind) == ("Godkendt.", "approved")  # "Beslutning i Teknisk Udvalg den …:"
    assert road.recommendation == ["at vejplanen for 2015 godkendes."]
    assert road.recommending_body == "Teknisk Forvaltning"
    assert road.attachments == ["Åben - Vejplan 2015.pdf", "Åben - Kort over vejnettet.pdf"]  # as printed
    assert road.absent == ["Knud Bay"]
    assert grant.decision_kind == "approved_with_changes"
    assert grant.votes is not None and grant.votes.against == ["Ove Dahl"]


def test_dagsorden_og_referat_title_pkt_dash_headings_and_decision_kinds() -> None:
    d = parse_file(GENRE / "dagsorden_og_referat_2024-03-05.txt")
    m = d.meeting
    # "DAGSORDEN OG REFERAT" is minutes; the committee is on the next line
    assert (m.kind, m.committee, m.date, m.start_time, m.location) == (
        "minutes", "Social- og Sundhedsudvalget", dt.date(2024, 3, 5), "17:00", "Mødelokale 3")
    assert [i.number for i in d.items] == list(range(5, 13))
    assert [i.decision_kind for i in d.items] == ["approved", "recommended", "other", "recommended", "noted",
                                                 "postponed", "approved", "rejected"]
    assert all(i.absent == ["Hans Berg"] for i in d.items)  # "Afbud fra: Hans Berg (V)"
    last = d.items[-1].votes
    assert last is not None and (last.for_, last.against) == (["Ø"], ["A", "V", "C"])


def test_header_fields_in_two_columns_on_one_line() -> None:
    """pdftotext -layout keeps a two-column header on one line: "Mødedato: … <gap> Mødested: …"."""
    d = parse_file(GENRE / "two_column_header_2024-02-14.txt")
    m = d.meeting
    assert (m.committee, m.date, m.start_time, m.location) == (
        "Børne- og Skoleudvalget", dt.date(2024, 2, 14), "16:00", "Rådhuset, lokale 2")
    assert not [w for w in d.warnings if "header line" in w.message]
    assert [i.absent for i in d.items] == [["Eva Lind"], ["Eva Lind"]]


def test_earlier_treatment_with_the_month_written_out() -> None:
    from referat import parse_text

    d = parse_text("Referat\nØkonomiudvalget\nMødedato: 09.04.2024 kl. 15:00\n\n1. Budgetopfølgning\n\n"
                   "Tidligere beslutninger\nØkonomiudvalget 05.03.2024, punkt 7\nByrådet den 24. januar 2024, punkt 5\n"
                   "\nBeslutning\nAnbefales.\n")
    assert [(r.body, r.date, r.item) for r in d.items[0].related] == [
        ("Økonomiudvalget", dt.date(2024, 3, 5), 7), ("Byrådet", dt.date(2024, 1, 24), 5)]


def test_open_and_closed_markers_around_titles() -> None:
    from referat import parse_text

    d = parse_text("Referat\nØkonomiudvalget\nMødedato: 02.05.2024 kl. 15:00\n\n"
                   "12. Budget 2025 (Åben)\nBeslutning\nAnbefales.\n\n13. Personalesag (Lukket)\nBeslutning\nGodkendt.\n\n"
                   "14. Åben sag: Regnskab 2023\nBeslutning\nAnbefales.\n\n15. Lukket sag: Grundsalg\nBeslutning\nGodkendt.\n")
    assert [(i.title, i.closed) for i in d.items] == [("Budget 2025", False), ("Personalesag", True),
                                                      ("Regnskab 2023", False), ("Grundsalg", True)]


@pytest.mark.parametrize("said,absent,substitutes,votes", [
    ("Følgende var fraværende: Hans Berg og Lise Holm.", ["Hans Berg", "Lise Holm"], [], None),
    ("Hans Berg (V) havde forfald.", ["Hans Berg"], [], None),
    ("Suppleant Ole Bak deltog for Lise Holm.", [], [("Ole Bak", "Lise Holm")], None),
    ("Godkendt. Hans Berg og Lise Holm stemte imod, Jens Ravn undlod at stemme.", [], [],
     ([], ["Hans Berg", "Lise Holm"], ["Jens Ravn"])),
    ("Godkendt med 5 stemmer for (A, F, Ø) og 2 imod (V, C).", [], [], (["A", "F", "Ø"], ["V", "C"], [])),
    ("Et flertal bestående af A, F og Ø godkendte indstillingen. V og C stemte imod.", [], [],
     (["A", "F", "Ø"], ["V", "C"], [])),
])
def test_attendance_and_vote_phrasings(said: str, absent: list[str], substitutes: list[tuple[str, str]],
                                       votes: tuple[list[str], list[str], list[str]] | None) -> None:
    from referat import parse_text

    item = parse_text(f"Referat\nØkonomiudvalget\nMødedato: 02.05.2024\n\n1. Sag\nBeslutning\n{said}\n").items[0]
    assert item.absent == absent
    assert [(s.substitute, s.for_) for s in item.substitutes] == substitutes
    v = item.votes
    assert ((v.for_, v.against, v.abstained) if v else None) == votes


@pytest.mark.parametrize("decision,kind", [
    ("Anbefales ikke.", "rejected"), ("Oversendes til Byrådet uden indstilling.", "referred"),
    ("Oversendes til Byrådet med anbefaling.", "recommended"),
    ("Udvalget godkendte indstillingen med en ændring af at-punkt 2.", "approved_with_changes"),
    ("Indstillingen blev ikke vedtaget.", "rejected"), ("Godkendt som indstillet.", "approved"),
    ("Forkastet.", "rejected"), ("Ansøgningen blev afslået.", "rejected"),
    ("Sagen udsættes til næste møde.", "postponed"),
    ("Udvalget besluttede at udsætte sagens behandling.", "postponed"),
    ("Fremsendes til Teknisk Udvalg til behandling.", "referred"), ("Henvises til Økonomiudvalget.", "referred"),
    ("Sagen blev trukket.", "other"),
])
def test_decision_kind_phrasings(decision: str, kind: str) -> None:
    from referat import parse_text

    item = parse_text(f"Referat\nØkonomiudvalget\nMødedato: 02.05.2024\n\n1. Sag\nBeslutning\n{decision}\n").items[0]
    assert item.decision_kind == kind


@pytest.mark.parametrize("line,absent", [
    ("Fraværende: Anne Holm (A) - afbud", ["Anne Holm"]),
    ("Fraværende: Anne Holm (A) deltog fra kl. 17.00, Bo Lund (V)", ["Anne Holm", "Bo Lund"]),
    ("Fraværende: Anne Holm (SF) (syg)", ["Anne Holm"]),
])
def test_a_note_after_an_absent_members_party_is_not_part_of_the_name(line: str, absent: list[str]) -> None:
    from referat import parse_text

    d = parse_text(f"Referat\nØkonomiudvalget\nMødedato: 02.05.2024\n{line}\n\n1. Sag\nBeslutning\nGodkendt.\n")
    assert d.items[0].absent == absent


@pytest.mark.parametrize("line,case", [
    ("SBSYS sagsnr.: 24-3-85.10.00-P07", "24-3-85.10.00-P07"), ("Acadre sagsnr.: 24/1234", "24/1234"),
    ("Workzone sagsnr.: 2024-0012345", "2024-0012345"), ("Sagsnr. 2024-012345", "2024-012345"),
    ("ESDH-nr.: 24/1234", "24/1234"),
])
def test_case_number_labels_with_the_system_name(line: str, case: str) -> None:
    from referat import parse_text

    d = parse_text(f"Referat\nØkonomiudvalget\nMødedato: 02.05.2024\n\n1. Sag om noget\n{line}\n\nBeslutning\nGodkendt.\n")
    assert [(i.title, i.case_number) for i in d.items] == [("Sag om noget", case)]


@pytest.mark.parametrize("heading,title,closed", [
    ("Punkt 3 (Åben) Godkendelse af regnskab", "Godkendelse af regnskab", False),
    ("3. (Å) Godkendelse af regnskab", "Godkendelse af regnskab", False),
    ("3. (L) Personalesag", "Personalesag", True),
    ("3.\nGodkendelse af regnskab", "Godkendelse af regnskab", False),
    ("3 - Godkendelse af regnskab", "Godkendelse af regnskab", False),
])
def test_item_heading_shapes(heading: str, title: str, closed: bool) -> None:
    from referat import parse_text

    d = parse_text(f"Referat\nØkonomiudvalget\nMødedato: 02.05.2024\n\n{heading}\nSagsnr.: 24/1234\n\nBeslutning\n"
                   "Godkendt.\n\n4. Eventuelt\nBeslutning\nIntet.\n")
    assert [(i.number, i.title, i.closed) for i in d.items] == [(3, title, closed), (4, "Eventuelt", False)]


@pytest.mark.parametrize("heading,role", [
    ("Sagens indhold", "case"), ("Sagsresumé", "case"), ("Administrationens vurdering", "case"),
    ("Hjemmel", "legal"), ("Bæredygtighedsvurdering", "case"), ("Relaterede sager", "related"),
    ("Kommende behandling", "upcoming"),
])
def test_section_headings_of_other_systems(heading: str, role: str) -> None:
    from referat.parse.structure import section_role

    found = section_role(heading)
    assert found is not None and found[0] == role


def test_without_blank_lines_a_list_of_names_stops_at_the_contents_and_group_headings() -> None:
    """pdftotext's plain order drops the blank lines: "Afbud/fravær: Malene Grøn (V)" runs straight into
    "INDHOLDSFORTEGNELSE" and "A. Sager til afgørelse i byrådet", which are no names; and an item's
    "Fraværende:" line runs into the next group heading."""
    text = (GENRE / "edagsorden_style_2024-03-06.txt").read_text(encoding="utf-8")
    dense = "\n".join(line for line in text.splitlines() if line.strip())
    assert [i.absent for i in parse_text(dense).items] == [i.absent for i in parse_text(text).items] == [["Malene Grøn"]] * 3


FIELDS = ("number", "title", "case_number", "closed", "decision", "decision_kind", "recommendation",
          "recommending_body", "absent", "attachments")
PLAIN = sorted(GENRE.glob("*.txt")) + sorted(EXAMPLES.glob("*.txt")) + sorted(EXAMPLES.glob("*.md"))


PRINTED = {
    "wrapped at 60": lambda t: converters.wrapped(t, 60),
    "wrapped at 60, no blank lines": lambda t: converters.without_blank_lines(converters.wrapped(t, 60)),
    "a footer on pages of 15 lines": lambda t: converters.with_footers(t, 15, "Vesterå Kommune"),
}


# a running footer is told by being printed on three pages or more: documents of two pages of 15 lines
# or fewer are left out of that case (a footer printed once or twice is not told from the text)
CASES = [(path, printed) for path in PLAIN for printed in sorted(PRINTED)
         if "footer" not in printed or len(path.read_text(encoding="utf-8").splitlines()) > 30]


@pytest.mark.parametrize(("path", "printed"), CASES, ids=[f"{p.name}-{printed}" for p, printed in CASES])
def test_each_layout_reads_the_same_wrapped_without_blank_lines_and_with_footers(path: Path, printed: str) -> None:
    """As pdftotext gives them: these documents are short, too short to be found hard-wrapped, so the
    extractors themselves must read a sentence broken at a line end ("Direktionen indstiller, at
    Økonomiudvalget anbefaler Byrådet" / "at vedtage budgetforslaget.") and a list run on without a blank."""
    text = path.read_text(encoding="utf-8")
    other = PRINTED[printed](text)
    plain, got = parse_text(text), parse_text(other)
    assert [[getattr(i, f) for f in FIELDS] for i in got.items] == [[getattr(i, f) for f in FIELDS] for i in plain.items]
    assert got.meeting.participants == plain.meeting.participants

"""One small test per extractor, on snippets written in the styles of different meeting systems."""

from __future__ import annotations

import datetime as dt

import pytest

from referat import parse_text
from referat.errors import NotMinutesError
from referat.model import Item, ParsedDocument

HEAD = "REFERAT Økonomiudvalget 2022-2025 d. 18-09-2023\n\nMødedato Mandag d. 18. september 2023 kl. 16:00\n\n"


def doc(body: str, head: str = HEAD) -> ParsedDocument:
    return parse_text(head + body)


def one(body: str) -> Item:
    items = doc(body).items
    assert len(items) == 1, [(i.number, i.title) for i in items]
    return items[0]


# --- item headings ---------------------------------------------------------------------------

@pytest.mark.parametrize("heading,number,title", [
    ("Punkt 3: Budgetopfølgning", 3, "Budgetopfølgning"),
    ("Pkt. 42 Godkendelse af dagsorden", 42, "Godkendelse af dagsorden"),
    ("Pkt. 42. Godkendelse af dagsorden", 42, "Godkendelse af dagsorden"),
    ("Sag nr. 162 Budgetopfølgning pr. 31. august", 162, "Budgetopfølgning pr. 31. august"),
    ("PUNKT 7: ANLÆGSREGNSKAB", 7, "ANLÆGSREGNSKAB"),
])
def test_strong_item_headings(heading: str, number: int, title: str) -> None:
    it = one(f"{heading}\n\nBeslutning\n\nGodkendt.\n")
    assert (it.number, it.title) == (number, title)


@pytest.mark.parametrize("heading,number,title", [
    ("• 301. Godkendelse af dagsorden", 301, "Godkendelse af dagsorden"),
    ("38Godkendelse af dagsorden", 38, "Godkendelse af dagsorden"),
    ("12. Orientering om ungeindsatsen", 12, "Orientering om ungeindsatsen"),
])
def test_weak_item_headings_confirmed_by_case_number(heading: str, number: int, title: str) -> None:
    it = one(f"{heading}\n\nSagsnr.: 23/08812\n\nBeslutning\n\nGodkendt.\n")
    assert (it.number, it.title, it.case_number) == (number, title, "23/08812")


def test_weak_heading_confirmed_by_toc_and_at_points_are_not_items() -> None:
    d = doc("Indholdsfortegnelse\n\n1. Godkendelse af dagsorden\n2. Budget 2024\n\n"
            "1. Godkendelse af dagsorden\n\nBeslutning\n\nGodkendt.\n\n"
            "2. Budget 2024\n\nIndstilling\n\nDirektionen indstiller,\n\n1. at budgettet godkendes,\n"
            "2. at sagen sendes videre.\n\nBeslutning\n\nAnbefales.\n")
    assert [(i.number, i.title) for i in d.items] == [(1, "Godkendelse af dagsorden"), (2, "Budget 2024")]
    assert d.items[1].recommendation == ["at budgettet godkendes,", "at sagen sendes videre."]
    assert d.items[1].recommending_body == "Direktionen"
    assert [t.title for t in d.meeting.toc] == ["Godkendelse af dagsorden", "Budget 2024"]


def test_wrapped_title_is_joined() -> None:
    it = one("Punkt 23: Spørgsmål fra byrådsmedlem vedrørende -\n\"Kommunens leverandører og\n"
             "andre aktører\"\n\n2013/03478\n\nBeslutning\n\nTil efterretning.\n")
    assert it.title == "Spørgsmål fra byrådsmedlem vedrørende - \"Kommunens leverandører og andre aktører\""
    assert it.case_number == "2013/03478"


@pytest.mark.parametrize("case", ["21-7-85.10.00-P07", "22-159055-00.00.00-A00", "2013/02537",
                                  "EMN-2025-010561", "00.22.00-G01-1-16"])
def test_case_number_shapes(case: str) -> None:
    assert one(f"Punkt 1: Titel\n\n{case}\n\nBeslutning\n\nGodkendt.\n").case_number == case


@pytest.mark.parametrize("line", ["Sagsnr.: 00.22.00-G01-1-16", "J.nr. 2013/02537", "Sagsnummer: EMN-2025-010561"])
def test_labelled_case_numbers(line: str) -> None:
    assert one(f"Punkt 1: Titel\n{line}\n\nBeslutning\n\nGodkendt.\n").case_number is not None


@pytest.mark.parametrize("title,clean,closed", [
    ("Lukket: Lukkede meddelelser", "Lukkede meddelelser", True),
    ("Lukket punkt: Personalesag", "Personalesag", True),
    ("Personalesag (Lukket punkt)", "Personalesag", True),
    ("Lukket", "Lukket", True),
    ("Lukning af skole", "Lukning af skole", False),
])
def test_closed_items(title: str, clean: str, closed: bool) -> None:
    it = one(f"Punkt 9: {title}\n\n24-7-00.22.04-P35\n")
    assert (it.title, it.closed) == (clean, closed)


# --- sections and decisions ------------------------------------------------------------------

def test_upper_case_sections_and_order_kept() -> None:
    it = one("Pkt. 159 Budget\n\nSAGSFREMSTILLING\n\nTekst om budgettet.\n\nINDSTILLING\n\n"
             "Direktionen indstiller, at budgettet godkendes.\n\nBESLUTNING\n\nGodkendt.\n")
    assert [s.heading for s in it.sections] == ["SAGSFREMSTILLING", "INDSTILLING", "BESLUTNING"]
    assert it.decision == "Godkendt." and it.decision_kind == "approved"
    assert it.recommendation == ["at budgettet godkendes."]


def test_decision_of_the_meetings_own_body_is_chosen() -> None:
    it = one("Pkt. 160 Anlæg\n\nBeslutning i Økonomiudvalget den 18-09-2023\n\nAnbefales.\n\n"
             "Beslutning i Byrådet den 27-09-2023\n\nGodkendt.\n")
    assert (it.decision, it.decision_kind) == ("Anbefales.", "recommended")


@pytest.mark.parametrize("text,kind", [
    ("Godkendt.", "approved"), ("Tiltrådt.", "approved"), ("Vedtaget.", "approved"),
    ("Anbefales.", "recommended"), ("Til efterretning.", "noted"),
    ("Til efterretning, idet udvalget orienteres yderligere.", "noted"),
    ("Tiltrådt, med følgende tilføjelser: A: …", "approved_with_changes"),
    ("Godkendt med den ændring, at datoen flyttes.", "approved_with_changes"),
    ("Sagen blev forelagt til orientering.", "noted"),
    ("Udsat.", "postponed"), ("Indstillingen blev ikke godkendt.", "rejected"),
    ("Forvaltningen orienterede om, at Byrådet har godkendt planen. Til efterretning.", "noted"),
])
def test_decision_kinds(text: str, kind: str) -> None:
    assert one(f"Punkt 1: Titel\n\nBeslutning\n\n{text}\n").decision_kind == kind


def test_announcement_text_is_the_decision_of_kind_other() -> None:
    it = one("Punkt 8: Meddelelser\n\nMeddelelse\n\nIngen.\n")
    assert (it.decision, it.decision_kind) == ("Ingen.", "other")


def test_agenda_has_no_decisions() -> None:
    d = parse_text("DAGSORDEN Økonomiudvalget 18. september 2023\n\nPunkt 1: Budget\n\n23/08812\n\n"
                   "Indstilling\n\nDirektionen indstiller, at budgettet godkendes.\n")
    assert d.meeting.kind == "agenda" and d.meeting.date == dt.date(2023, 9, 18)
    assert d.items[0].decision is None and d.items[0].decision_kind is None


# --- attendance and votes --------------------------------------------------------------------

def test_absence_substitute_and_votes() -> None:
    it = one("Punkt 1: Budget\n\nBeslutning\n\nEt flertal af udvalget (Anne Holm, Bo Lund og Carl Berg) stemte for.\n\n"
             "Dorthe Kjær stemte imod.\n\nEmil Nørgaard undlod at stemme.\n\nTiltrådt.\n\n"
             "Der var afbud fra Frida Friis.\n\nGustav Ravn deltog i stedet for Frida Friis og Hanne Ø deltog i "
             "stedet for Ida Ålund.\n")
    assert it.votes is not None
    assert (it.votes.for_, it.votes.against, it.votes.abstained) == (
        ["Anne Holm", "Bo Lund", "Carl Berg"], ["Dorthe Kjær"], ["Emil Nørgaard"])
    assert it.absent == ["Frida Friis"]
    assert [(s.substitute, s.for_) for s in it.substitutes] == [("Gustav Ravn", "Frida Friis"),
                                                                 ("Hanne Ø", "Ida Ålund")]
    assert it.decision_kind == "approved"


def test_vote_lists_by_party_letter() -> None:
    it = one("Punkt 1: Budget\n\nBeslutning\n\nFor stemte: A, F og Ø\n\nImod stemte: V\n\nGodkendt.\n")
    assert it.votes is not None and (it.votes.for_, it.votes.against) == (["A", "F", "Ø"], ["V"])


@pytest.mark.parametrize("sentence,names", [
    ("Kristoffer Beck var ikke til stede.", ["Kristoffer Beck"]),
    ("Der var afbud fra Suleman Naim og Kristine Henriksen.", ["Suleman Naim", "Kristine Henriksen"]),
    ("Fraværende: Poul Hansen (V)", ["Poul Hansen"]),
    ("Hanne Lund havde meldt afbud.", ["Hanne Lund"]),
])
def test_absence_phrases(sentence: str, names: list[str]) -> None:
    assert one(f"Punkt 1: Titel\n\nBeslutning\n\nGodkendt.\n\n{sentence}\n").absent == names


def test_header_absence_applies_to_items_and_participants_keep_party() -> None:
    d = parse_text(HEAD + "Mødedeltagere Anne Holm (A), Bo Lund (Uden for parti), Carl\nBerg (Ø)\n\n"
                   "Fraværende: Bo Lund\n\nPunkt 1: Titel\n\nBeslutning\n\nGodkendt.\n")
    assert [(p.name, p.party) for p in d.meeting.participants] == [
        ("Anne Holm", "A"), ("Bo Lund", "Uden for parti"), ("Carl Berg", "Ø")]
    assert d.items[0].absent == ["Bo Lund"]


def test_no_votes_is_null() -> None:
    assert one("Punkt 1: Titel\n\nBeslutning\n\nGodkendt.\n").votes is None


# --- references, attachments, presenters -----------------------------------------------------

def test_related_reference_formats() -> None:
    it = one("Punkt 1: Titel\n\nRelateret behandling\n\nBeskæftigelsesudvalget 01.06.2021, punkt 2.\n\n"
             "Beskæftigelsesudvalget 05.10, punkt 3\n\nBeskæftigelsesudvalget, 11.09.23, punkt 4\n\n"
             "Økonomiudvalget 06.04.2006, Punkt 23 (Åben)\n\nByrådet 31.05.2023, punkt 1 og 8\n\n"
             "Børne- og Undervisningsudvalget 04.04.2024.\n")
    assert [(r.body, r.date, r.item) for r in it.related] == [
        ("Beskæftigelsesudvalget", dt.date(2021, 6, 1), 2), ("Beskæftigelsesudvalget", None, 3),
        ("Beskæftigelsesudvalget", dt.date(2023, 9, 11), 4), ("Økonomiudvalget", dt.date(2006, 4, 6), 23),
        ("Byrådet", dt.date(2023, 5, 31), 1), ("Børne- og Undervisningsudvalget", dt.date(2024, 4, 4), None)]
    assert it.related[0].raw == "Beskæftigelsesudvalget 01.06.2021, punkt 2."


def test_unreadable_reference_is_a_warning_not_lost() -> None:
    d = doc("Punkt 1: Titel\n\nRelateret behandling\n\nSe sagen fra sidste år\n")
    assert d.items[0].related == []
    assert any("Se sagen fra sidste år" in w.message for w in d.warnings)


def test_upcoming() -> None:
    it = one("Punkt 1: Titel\n\nKommende behandlingsforløb\n\nØkonomiudvalget 07.12.2021\n\nByrådet 15.12.2021\n")
    assert [(u.body, u.date) for u in it.upcoming] == [("Økonomiudvalget", dt.date(2021, 12, 7)),
                                                       ("Byrådet", dt.date(2021, 12, 15))]


def test_attachments_printed_twice_are_listed_once() -> None:
    it = one("Punkt 18: Titel\n\n2013/02941\n\nBilag\n\nBilag 1. Indkaldelse\n\nBilag 2. LBR budgetønsker\n\n"
             "Dagsordenpunkt\n\nTitel\n\nBeslutning\n\nTil efterretning.\n\nBilag\n\nBilag 1. Indkaldelse\n\n"
             "Bilag 2. LBR budgetønske\n")
    assert it.attachments == ["Bilag 1. Indkaldelse", "Bilag 2. LBR budgetønsker"]


@pytest.mark.parametrize("line,names", [
    ("Leder af Social Balance Mette Dybkjær og SSP konsulent Jeanette Vamdrup Jacobsen",
     ["Leder af Social Balance Mette Dybkjær", "SSP konsulent Jeanette Vamdrup Jacobsen"]),
    ("Teamleder for Dagpenge og fleksteamet Bodil Parsons.", ["Teamleder for Dagpenge og fleksteamet Bodil Parsons"]),
    ("Merete Jørgensen, chef for Borgerservice, Unge og Beskæftigelse.",
     ["Merete Jørgensen, chef for Borgerservice, Unge og Beskæftigelse"]),
])
def test_presenters(line: str, names: list[str]) -> None:
    assert one(f"Punkt 1: Titel\n\nDeltager i sagens behandling\n\n{line}\n").presenters == names


# --- money and tables ------------------------------------------------------------------------

def test_amounts_mio_kr() -> None:
    it = one("Punkt 1: Titel\n\nSagsfremstilling\n\nEt mindreforbrug på 20,5 mio. kr. og en negativ bevilling "
             "på -7,8 mio. kr. samt 1.056 mio. kr. (11,2 mio. kr.). Ikke 0,5 millioner, 0,9 mia. kr., "
             "500.000 kr. eller 2-3 mio. kr. som interval; 1 mio.kr. tæller.\n")
    assert it.amounts_mio_kr == [20.5, -7.8, 1056.0, 11.2, 3.0, 1.0]


def test_tables_with_caption_page_break_and_rule_row() -> None:
    it = one("Punkt 1: Titel\n\nSagsfremstilling\n\nTabel 2: Rammer\n\nMio. kr.\tBudget\tForbrug\n"
             "----\t----\t----\nAktivering\t72,1\t41,2\n\nForsørgelse\t758,4\t537,7\n\nNote: tal i løbende priser.\n")
    assert len(it.tables) == 1
    t = it.tables[0]
    assert (t.caption, t.header) == ("Tabel 2: Rammer", ["Mio. kr.", "Budget", "Forbrug"])
    assert t.rows == [["Aktivering", "72,1", "41,2"], ["Forsørgelse", "758,4", "537,7"]]


# --- refusing what is not minutes ------------------------------------------------------------

@pytest.mark.parametrize("text", ["Kære Jens,\n\nTak for sidst. Vi ses på fredag.\n\nHilsen Ole\n",
                                  "def main():\n    return 1\n", "REFERAT\n\nnoget helt andet\n"])
def test_not_minutes_is_refused(text: str) -> None:
    with pytest.raises(NotMinutesError):
        parse_text(text)


def test_plain_numbered_items_confirmed_by_section_headings() -> None:
    d = doc("1. Godkendelse af dagsorden\n\nBeslutning\n\nGodkendt.\n\n2. Budget 2024\n\nSagsfremstilling\n\n"
            "Budgettet har tre dele:\n\n1. Drift\n\n2. Anlæg\n\nBeslutning\n\nAnbefales.\n\n"
            "3. Eventuelt\n\nBeslutning\n\nIntet.\n")
    assert [(i.number, i.title) for i in d.items] == [(1, "Godkendelse af dagsorden"), (2, "Budget 2024"),
                                                      (3, "Eventuelt")]


def test_participants_one_per_line_under_a_label() -> None:
    d = parse_text(HEAD + "Medlemmer:\nAnne Holm (A)\nBo Lund (V)\nCarl Berg (Ø)\n\nPunkt 1: Titel\n\nBeslutning\n\nGodkendt.\n")
    assert [(p.name, p.party) for p in d.meeting.participants] == [("Anne Holm", "A"), ("Bo Lund", "V"),
                                                                   ("Carl Berg", "Ø")]
    assert d.warnings == []


def test_prose_quoting_minutes_is_refused() -> None:
    prose = "\n\n".join(f"Dette er linje {i} i en længere tekst om referater." for i in range(20))
    with pytest.raises(NotMinutesError, match="prose"):
        parse_text("referat\n\n" + prose + "\n\nPunkt 3: Budget\n\nBeslutning\n\nGodkendt.\n")


def test_other_systems_header_labels_and_decision_headings() -> None:
    d = parse_text("Referat\n\nØkonomiudvalget\n\nMødedato: 12. marts 2024\nMødetid: Kl. 8.00 - 11.30\n"
                   "Mødested: Rådhuset\nFraværende med afbud: Hans Berg\n\nSag 12: Budget\n\n"
                   "Sagsnummer: 27.69.48-P20-1-20\n\nIndstilling\n\nDirektionen indstiller,\n\nat budgettet godkendes,\n"
                   "at sagen sendes til Byrådet.\n\nBeslutning Økonomiudvalget den 12-03-2024:\n\n"
                   "Et flertal bestående af A, B og F stemte for. V stemte imod.\n\nAnbefales.\n")
    assert (d.meeting.committee, d.meeting.date, d.meeting.start_time) == ("Økonomiudvalget", dt.date(2024, 3, 12),
                                                                         "08:00")
    it = d.items[0]
    assert (it.number, it.title, it.case_number) == (12, "Budget", "27.69.48-P20-1-20")
    assert it.recommendation == ["at budgettet godkendes,", "at sagen sendes til Byrådet."]
    assert (it.decision_kind, it.absent) == ("recommended", ["Hans Berg"])
    assert it.votes is not None and (it.votes.for_, it.votes.against) == (["A", "B", "F"], ["V"])


def test_a_journal_number_after_sag_is_not_an_item() -> None:
    d = doc("Punkt 1: Titel\n\nSagsfremstilling\n\nSag 2013/02537 blev behandlet sidste år.\n\nBeslutning\n\nGodkendt.\n")
    assert [i.number for i in d.items] == [1]


def test_genitive_title_toc_header_row_sagsid_and_inhabil() -> None:
    d = parse_text("Referat af Økonomiudvalgets møde den 12. marts 2024 kl. 8.00\n\nIndholdsfortegnelse\n\n"
                   "Punkt\tTitel\tSide\n1\tGodkendelse af dagsorden\t3\n2\tSalg af grund\t4\n\n"
                   "1. Godkendelse af dagsorden\n\nSagsid: 00.01.00-A00-1-24\n\nBeslutning\n\nGodkendt.\n\n"
                   "2. Salg af grund\n\nSagsid: 02.34.02-G01-3-23\n\nBeslutning\n\n"
                   "Hans Berg (V) var inhabil og deltog ikke i sagens behandling. Godkendt.\n")
    assert (d.meeting.committee, d.meeting.date, d.meeting.start_time) == ("Økonomiudvalget", dt.date(2024, 3, 12),
                                                                         "08:00")
    assert [(t.title, t.page) for t in d.meeting.toc] == [("Godkendelse af dagsorden", 3), ("Salg af grund", 4)]
    assert [(i.number, i.case_number) for i in d.items] == [(1, "00.01.00-A00-1-24"), (2, "02.34.02-G01-3-23")]
    assert d.items[1].absent == ["Hans Berg"]


def test_number_space_title_headings_and_closed_marker_line() -> None:
    d = doc("38 Godkendelse af dagsorden\n\nSagsnr.: 00.01.00-A00-4-24\n\nBeslutning\n\nUdvalget vedtog indstillingen.\n\n"
            "39 Personalesag\n\nLukket punkt\n\nSagsnr.: 81.00.00-A00-2-24\n\n"
            "40 Ansøgning om tilskud\n\nSagsnr.: 20.00.00-A00-7-24\n\nBeslutning\n\nAnsøgningen blev afslået.\n")
    assert [(i.number, i.title, i.closed, i.decision_kind) for i in d.items] == [
        (38, "Godkendelse af dagsorden", False, "approved"), (39, "Personalesag", True, None),
        (40, "Ansøgning om tilskud", False, "rejected")]


def test_number_alone_then_title_roles_in_participants_and_afbud_fra() -> None:
    d = parse_text(HEAD + "Deltagere: Formand Anne Holm (A), Næstformand Bo Lund (V), Carl Berg (Ø)\n"
                   "Afbud fra: Carl Berg\n\nPunkt 1\n\nGodkendelse af dagsorden\n\nSagsnr.: 24/123\n\n"
                   "Beslutning\n\nGodkendt.\n")
    assert [p.name for p in d.meeting.participants] == ["Anne Holm", "Bo Lund", "Carl Berg"]
    it = d.items[0]
    assert (it.number, it.title, it.case_number, it.absent) == (1, "Godkendelse af dagsorden", "24/123",
                                                                ["Carl Berg"])


def test_contents_lines_without_a_contents_heading_are_not_items() -> None:
    d = doc("Punkt 1: Godkendelse af dagsorden ........ 2\nPunkt 2: Budget ........ 3\n\n"
            "Punkt 1: Godkendelse af dagsorden\n\nBeslutning\n\nGodkendt.\n\nPunkt 2: Budget\n\nBeslutning\n\nAnbefales.\n")
    assert [(i.number, i.title, i.decision_kind) for i in d.items] == [
        (1, "Godkendelse af dagsorden", "approved"), (2, "Budget", "recommended")]
    assert [(t.title, t.page) for t in d.meeting.toc] == [("Godkendelse af dagsorden", 2), ("Budget", 3)]
    assert d.warnings == []


def test_udvalget_for_title_nobody_absent_and_name_with_party_voting() -> None:
    d = parse_text("Referat\nUdvalget for Natur, Plan og Miljø\nDato:\tOnsdag den 6. marts 2024\n"
                   "Fraværende:\tIngen\n\n2. Lokalplan 123\nSagsnr.: 01.02.05-P16-1-23\n\n"
                   "Beslutning i Udvalget for Natur, Plan og Miljø den 06-03-2024\nAnbefales.\nBo Lund (V) stemte imod.\n")
    assert d.meeting.committee == "Udvalget for Natur, Plan og Miljø"
    it = d.items[0]
    assert it.absent == [] and it.votes is not None and it.votes.against == ["Bo Lund"]


def test_markdown_pipe_tables() -> None:
    it = one("Punkt 1: Titel\n\nSagsfremstilling\n\nTabel 1: Rammer\n\n| Mio. kr. | Budget | Forbrug |\n"
             "|---|---:|---:|\n| Aktivering | 72,1 | 41,2 |\n| I alt | 1.070,9 | 537,7 |\n")
    assert len(it.tables) == 1
    t = it.tables[0]
    assert (t.caption, t.header, t.rows) == ("Tabel 1: Rammer", ["Mio. kr.", "Budget", "Forbrug"],
                                            [["Aktivering", "72,1", "41,2"], ["I alt", "1.070,9", "537,7"]])


@pytest.mark.parametrize("heading", ["Personalemæssige konsekvenser", "Klima- og miljøvurdering", "Udtalelser",
                                     "Relation til politikker og strategier", "Konsekvenser for borgerne"])
def test_sections_after_the_decision_do_not_run_into_it(heading: str) -> None:
    it = one(f"Punkt 1: Titel\n\nBeslutning\n\nGodkendt.\n\n{heading}\n\nIngen.\n")
    assert it.decision == "Godkendt."


def test_attachment_lists_without_numbers_add_up_and_ingen_is_none() -> None:
    d = doc("Punkt 1: Titel\n\nBilag\n\nNotat om budget\n\nSagsfremstilling\n\nTekst.\n\nBilag\n\nKort over området\n"
            "Notat om budget\n\nBeslutning\n\nGodkendt.\n\n"
            "Punkt 2: Andet\n\nBilag\n\nIngen\n\nBeslutning\n\nGodkendt.\n")
    assert [i.attachments for i in d.items] == [["Notat om budget", "Kort over området"], []]


def test_a_body_is_no_absentee() -> None:
    d = doc("Punkt 1: Mødekalender\n\nBeslutning\n\nByrådet besluttede, at partierne kan udpege suppleanter "
            "såfremt medlemmer af Økonomiudvalget er forhindret i at deltage. Hans Berg var fraværende.\n")
    assert d.items[0].absent == ["Hans Berg"]

"""The bundled examples (fictional Vesterå Kommune, three layouts), checked by hand field by field."""

from __future__ import annotations

import datetime as dt

from conftest import EXAMPLES
from referat import parse_file


def test_markdown_minutes() -> None:
    d = parse_file(EXAMPLES / "vesteraa_beskaeftigelse_2024-03-12.md")
    m = d.meeting
    assert (m.kind, m.committee, m.election_period, m.date, m.start_time, m.location) == (
        "minutes", "Beskæftigelsesudvalget", "2022-2025", dt.date(2024, 3, 12), "16:30", "Vesterå Rådhus, mødelokale 3")
    assert [(p.name, p.party) for p in m.participants][-2:] == [("Peter Ølgaard", "Ø"), ("Sofie Lund", "A")]
    assert [(t.title, t.page) for t in m.toc][-1] == ("Lukket: Personalesag", 10)
    one, two, three, four, five = d.items
    assert (one.decision_kind, one.recommending_body, one.absent) == ("recommended", "Arbejdsmarkedsforvaltningen",
                                                                     ["Peter Ølgaard"])
    assert [(u.body, u.date) for u in one.upcoming] == [("Økonomiudvalget", dt.date(2024, 4, 2)),
                                                        ("Byrådet", dt.date(2024, 4, 17))]
    assert one.amounts_mio_kr == [2.5, 4.1, -1.6]
    assert one.tables[0].caption == "Tabel 1: Beskæftigelsesudvalgets rammer"
    assert one.tables[0].rows[1] == ["Forsørgelse", "1.070,9", "1.076,6", "-5,7"]
    assert two.recommendation == ["at evalueringen af jobklubberne tages til efterretning."]
    assert two.presenters == ["Teamleder for Ungeindsatsen Camilla Frost", "konsulent Anders Vind"]
    assert [(r.body, r.date, r.item) for r in two.related] == [("Beskæftigelsesudvalget", None, 4)]
    assert three.decision_kind == "approved_with_changes"
    assert three.votes is not None and three.votes.against == ["Jonas Krog"]
    assert [(s.substitute, s.for_) for s in three.substitutes] == [("Lars Holm", "Peter Ølgaard")]
    assert (four.decision_kind, four.decision) == ("other", "Formanden orienterede om temamødet om rekruttering "
                                                            "den 9. april 2024.")
    assert (five.title, five.closed, five.decision) == ("Personalesag", True, None)


def test_plain_minutes_with_upper_case_sections_and_year_numbering() -> None:
    d = parse_file(EXAMPLES / "vesteraa_oekonomiudvalg_2023-09-18.txt")
    assert (d.meeting.kind, d.meeting.committee, d.meeting.date, d.meeting.start_time) == (
        "minutes", "Økonomiudvalget", dt.date(2023, 9, 18), "15:00")
    assert d.source["municipality"] == "Vesterå"
    assert [i.number for i in d.items] == [159, 160, 161, 162, 163]
    assert [i.case_number for i in d.items][1:4] == ["EMN-2023-004211", "2023/08812", "00.22.00-G01-1-16"]
    assert [i.decision_kind for i in d.items] == ["approved", "recommended", "approved", "postponed", "other"]
    budget = d.items[1]
    assert budget.votes is not None and (budget.votes.for_, budget.votes.against) == (["A", "F", "Ø"], ["V"])
    assert budget.absent == ["Søren Åkjær"]  # from the header's Fraværende line
    assert d.items[3].recommendation == ["at grunden sælges til højestbydende,", "at provenuet tilgår kassebeholdningen."]
    assert d.items[2].amounts_mio_kr == [31.7, 32.0, 0.3]
    assert d.warnings == []


def test_agenda() -> None:
    d = parse_file(EXAMPLES / "vesteraa_dagsorden_2025-01-15.txt")
    assert (d.meeting.kind, d.meeting.committee, d.meeting.date) == ("agenda", "Børne- og Skoleudvalget",
                                                                   dt.date(2025, 1, 15))
    assert [(i.number, i.title) for i in d.items] == [(1, "Godkendelse af dagsorden"),
                                                      (2, "Skoledistrikter fra skoleåret 2025/26"),
                                                      (3, "Orientering om sygefravær på skoleområdet")]
    assert all(i.decision is None and i.decision_kind is None for i in d.items)
    assert d.items[1].attachments == ["Bilag 1: Kort over skoledistrikter", "Bilag 2: Elevprognose 2025-2030"]
    assert d.items[2].recommending_body == "Børne- og Skoleforvaltningen"

"""Normalization: converter marks off, text kept, line numbers mapped back."""

from __future__ import annotations

import shutil
import subprocess
import textwrap

import pytest
from conftest import SHARED

from referat.normalize import clean_unicode, normalize
from referat.parse import parse_text


def texts(src: str) -> list[str]:
    return [ln.text for ln in normalize(src).lines if not ln.blank]


def test_markdown_heading_and_bold_marks_are_stripped() -> None:
    assert texts("# **REFERAT Udvalget**\n\n## Beslutning\n\n**Aktivering:** Forventet") == [
        "REFERAT Udvalget", "Beslutning", "Aktivering: Forventet"]


def test_run_on_bold_heading_is_split_into_lines() -> None:
    assert texts("Dagsordenpunkt**Overførsel af midler****Beslutning**") == [
        "Dagsordenpunkt", "Overførsel af midler", "Beslutning"]


def test_glued_italic_subheading_is_split() -> None:
    assert texts("Gennemgang af sagen*Baggrund*") == ["Gennemgang af sagen", "Baggrund"]


def test_unicode_soft_hyphen_nbsp_and_nfc() -> None:
    decomposed = "Beska\u030aret"  # a + combining ring -> å
    assert texts(f"Be\u00adskæf\u00adtigelse\u00a0og {decomposed}") == ["Beskæftigelse og Beskåret"]


def test_aeoeaa_are_letters_not_accents() -> None:
    assert texts("Økonomiudvalget Ærø Åbenrå") == ["Økonomiudvalget Ærø Åbenrå"]


def test_hyphenated_line_break_joins_a_broken_word() -> None:
    assert texts("indsatsen på be-\nskæftigelsesområdet") == ["indsatsen på beskæftigelsesområdet"]


def test_real_hyphens_are_kept() -> None:
    assert texts("Sagen behandles i Børne-\nog Ungeudvalget") == ["Sagen behandles i Børne- og Ungeudvalget"]
    assert texts("nye IT-\nsystemer") == ["nye IT-systemer"]
    assert texts("vedrørende -\n\"Jobcenter\"") == ["vedrørende -", "\"Jobcenter\""]
    # a one-letter word before the hyphen is no syllable: "a-kasser", "e-mail" (also inside a URL)
    assert texts("kommuner og a-\nkasser") == ["kommuner og a-kasser"]
    assert texts("send en e-\nmail") == ["send en e-mail"]
    assert texts("<https://star.dk/pulje-i-kommuner-og-a-\nkasser>") == ["<https://star.dk/pulje-i-kommuner-og-a-kasser>"]


def test_trailing_tabs_survive_for_empty_table_cells() -> None:
    assert texts("\t1. kvartal\t2. kvartal\t") == ["\t1. kvartal\t2. kvartal\t"]


def test_page_numbers_are_artifacts() -> None:
    n = normalize("Tekst\n\nSide 3 af 12\n\n- 4 -\n\n7\n\nMere tekst")
    assert [ln.text for ln in n.lines if not ln.blank] == ["Tekst", "Mere tekst"]
    assert sorted(a.no for a in n.artifacts) == [3, 5, 7]


RUNNING = "Økonomiudvalget,\n\n18.09.2023\n\nVesterå Kommune\n\n"


def test_running_page_header_removed_and_cut_sentence_rejoined() -> None:
    src = ("REFERAT Økonomiudvalget d. 18-09-2023\n\nPunkt 1: A\n\n" + RUNNING + "Første afsnit.\n\n"
           "I forslaget forventes merudgifter\n\n" + RUNNING + "på 0,5 mio. kr. i alt.\n\n" + RUNNING + "Slut.")
    n = normalize(src)
    kept = [ln.text for ln in n.lines if not ln.blank]
    assert "Vesterå Kommune" not in kept and "18.09.2023" not in kept
    assert {a.reason for a in n.artifacts} == {"running page header/footer"}
    assert len(n.artifacts) == 9
    # the sentence cut by the header reads as one paragraph again: no blank line between the halves
    i = next(i for i, ln in enumerate(n.lines) if ln.text.endswith("merudgifter"))
    assert n.lines[i + 1].text.startswith("på 0,5 mio. kr.")


def test_repeated_decisions_are_not_taken_for_headers() -> None:
    src = "REFERAT X d. 01-02-2024\n\n" + "Beslutning\n\nGodkendt.\n\nSagsfremstilling\n\nTekst.\n\n" * 4
    assert texts(src).count("Godkendt.") == 4


def test_line_numbers_map_to_source() -> None:
    n = normalize("\n\n# Punkt 1: Titel\n\n21-7-85.10.00-P07\n")
    assert [(ln.no, ln.text) for ln in n.lines if not ln.blank] == [(3, "Punkt 1: Titel"), (5, "21-7-85.10.00-P07")]


def test_section_precheck_admits_every_vocabulary_example() -> None:
    """The startswith precheck derived from the vocabulary must never hide a listed heading."""
    from referat import vocab
    from referat.parse.structure import section_role

    for role, entries in vocab.SECTION_HEADINGS.items():
        for entry in entries:
            for example in entry.example.split("; "):
                found = section_role(example)
                assert found is not None and found[0] == role, (role, example)
                assert section_role(example.upper()) is not None, example


def test_layout_mode_column_gaps_become_tabs() -> None:
    assert texts("Aktivering        72,1      41,2\nEn  sætning med to mellemrum") == [
        "Aktivering\t72,1\t41,2", "En  sætning med to mellemrum"]


def test_title_repeated_as_running_header_keeps_its_first_printing() -> None:
    title = "Referat - Økonomiudvalget - 12. marts 2024"
    src = "\n\n".join([title, "Punkt 1: A", "Tekst.", title, "Punkt 2: B", "Mere.", title, "Slut.", title])
    kept = texts(src)
    assert kept[0] == title and kept.count(title) == 1


def test_markdown_links_keep_their_text() -> None:
    assert texts("[Bilag 1: Notat](https://x.dk/b1.pdf) og ![logo](logo.png)") == ["Bilag 1: Notat og logo"]
    assert texts("Se <https://x.dk> her") == ["Se <https://x.dk> her"]  # autolinks stay as printed


def test_typographic_ligatures_and_unicode_hyphens_become_plain_letters() -> None:
    # PDF text from a font that maps ligature glyphs to U+FB00-FB06; Word's hyphens U+2010 and U+2011
    text = "\ufb02ygtninge og \ufb01nansiering af o\ufb00entlige tilbud, ½ mio. kr. pr. m²"
    assert clean_unicode(text) == "flygtninge og finansiering af offentlige tilbud, ½ mio. kr. pr. m²"
    assert clean_unicode("Børne\u2010 og Ungeudvalget, sag 24\u20113\u201185.10.00\u2011P07 – status") == \
        "Børne- og Ungeudvalget, sag 24-3-85.10.00-P07 – status"


def test_item_number_set_apart_from_its_title_is_joined_not_dropped() -> None:
    # pdftotext's text of the SBSYS PDF in ../shared/corpus prints "3" and "Eventuelt" as two blocks
    src = "1 Budget\n\nTekst.\n\n2 Status\n\nMere tekst.\n\n3\n\nEventuelt\n\nReferat:\n"
    n = normalize(src)
    assert "3 Eventuelt" in [ln.text for ln in n.lines]
    assert "Eventuelt" not in [ln.text for ln in n.lines]
    assert n.moved == {11: 9}  # the title's line now lives on the number's line
    assert not n.artifacts


def test_isolated_number_stays_a_page_number_where_it_cannot_be_the_next_item() -> None:
    # item 3 is printed elsewhere: the lone "3" is page 3, whatever title-like line follows it
    src = "1 Budget\n\nTekst.\n\n2 Status\n\nMere tekst\n\n3\n\nBeslutning\n\nGodkendt.\n\n3 Eventuelt\n"
    assert [a.text for a in normalize(src).artifacts] == ["3"]
    # no item 2 before it: a page number
    assert [a.text for a in normalize("1 Budget\n\nTekst\n\n3\n\nEventuelt\n").artifacts] == ["3"]
    # followed by a sentence: a page number
    src = "1 Budget\n\n2 Status\n\n3\n\nDer er blevet foretaget et servicevindue.\n"
    assert [a.text for a in normalize(src).artifacts] == ["3"]


def test_pdftotext_text_of_the_sbsys_pdf_reads_every_item() -> None:
    pdf = SHARED / "corpus" / "sbsys-aarhus" / "aarhus_moedesystemgruppen_2016-10-06_minutes.pdf"
    if shutil.which("pdftotext") is None or not pdf.exists():
        pytest.skip("needs pdftotext (poppler-utils; make test installs it) and ../shared/corpus")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    numbers = [str(it.number) for it in parse_text(text).items]
    assert numbers == ["1", "1.1", "1.2", "1.3", "1.4", "2", "2.1", "2.2", "2.3", "3"]


def _wrapped_document(*block: str) -> str:
    """Prose wrapped at 60 characters (enough lines to be recognised as hard-wrapped), then `block`."""
    prose = ("Forvaltningen har gennemgået sagen og vurderer, at den foreslåede model giver et bedre "
             "overblik over indsatsen og en mere ensartet behandling af borgerne på tværs af centrene. ") * 12
    return "\n".join([*textwrap.wrap(prose, 60), "", *block, ""])


def test_a_hard_wrapped_paragraph_is_joined_and_its_lines_are_remembered() -> None:
    n = normalize(_wrapped_document(
        "Social- og Sundhedsforvaltningen og Børne- og Kulturforvaltningen",  # 65: "indstiller," did not fit
        "indstiller,"))
    texts = [ln.text for ln in n.lines if not ln.blank]
    assert "Social- og Sundhedsforvaltningen og Børne- og Kulturforvaltningen indstiller," in texts
    assert texts[0].startswith("Forvaltningen har gennemgået") and len(texts[0]) > 600  # the prose: one line
    assert all(onto == 1 for no, onto in n.joined.items() if no < 30)


@pytest.mark.parametrize("block", [
    ("Social- og Sundhedsforvaltningen indstiller,", "at udvalget godkender budgetbidraget for 2026"),  # not full
    ("Et langt afsnit, der fylder hele linjen ud til kanten af siden,", "at udvalget godkender det"),  # an at-clause
    ("Beskæftigelses- og Integrationsudvalget 07.11.2012, Punkt 69", "Byrådet 20.02.2013, Punkt 13 (Åben)"),
    ("Stigningen på a-dagpenge fremgår af bilag 2 og bilag 3 i sagen,", "Bilag 4: Kvartalsstatistik"),
    ("Dette er en linje, der fylder hele bredden, og som slutter med", "Punkt 3: Mødeplan for 2026"),
    ("Indstilling", "Social- og Sundhedsforvaltningen indstiller,"),
    # pdftotext's plain order has no blank lines: a header field, the contents and a new paragraph
    ("Mødested 2608, Gladsaxeværrelset og lokalerne ved siden af det store mødelokale", "Mødedeltagere Ole Bak (A)"),
    ("Signe Ejersbo (F), Suleman Naim (Uden for parti), Susanne Damsgaard (Æ) og Ole", "Indholdsfortegnelse"),
    ("Indholdsfortegnelse over punkterne på dagens møde i udvalget for beskæftigelse", "Godkendelse..... 23"),
    ("fundament for de unge, der har vanskeligt ved at finde sig til rette i skolen.",
     "Social- og Sundhedsforvaltningen indstiller,"),
])
def test_lines_that_start_their_own_line_are_not_joined(block: tuple[str, str]) -> None:
    texts = [ln.text for ln in normalize(_wrapped_document(*block)).lines if not ln.blank]
    assert texts[-2:] == list(block)


def test_a_lower_case_punkt_that_ends_a_wrapped_sentence_is_no_item_heading() -> None:
    texts = [ln.text for ln in normalize(_wrapped_document(
        "Stigningen på a-dagpenge fremgår af bilag 2 og af bilag 3,", "punkt 3.")).lines if not ln.blank]
    assert texts[-1] == "Stigningen på a-dagpenge fremgår af bilag 2 og af bilag 3, punkt 3."


def test_a_document_with_a_paragraph_per_line_is_not_rewrapped() -> None:
    text = "\n".join(["Punkt 1: Budget", "", "Forvaltningen har gennemgået sagen grundigt i år. " * 8,
                      "Godkendt af udvalget.", ""] * 10)
    n = normalize(text)
    assert n.joined == {} and len(n.lines) == len(text.splitlines())


def test_fullness_is_that_of_the_last_printed_line_of_a_joined_paragraph() -> None:
    texts = [ln.text for ln in normalize(_wrapped_document(
        "Udvalget drøftede sagen og bad forvaltningen om at vende tilbage med",
        "en plan.",  # joined: the line above was full; this one is short
        "Kristoffer Beck var ikke til stede.")).lines if not ln.blank]
    assert texts[-2:] == ["Udvalget drøftede sagen og bad forvaltningen om at vende tilbage med en plan.",
                          "Kristoffer Beck var ikke til stede."]


def test_an_edoc_decision_label_keeps_its_own_line_in_a_wrapped_document() -> None:
    label = "Sundheds- og Omsorgsudvalgets beslutning den 04.12.2012 Punkt 1"
    texts = [ln.text for ln in normalize(_wrapped_document(label, "Orienteringen blev taget til efterretning.")).lines
             if not ln.blank]
    assert texts[-2:] == [label, "Orienteringen blev taget til efterretning."]


def test_a_line_printed_beside_every_page_number_is_a_running_footer() -> None:
    pages = []
    for n in range(1, 6):
        pages += [f"Afsnit {n} om sagen: forvaltningen har gennemgået bygningerne.", "", "Godkendt.", "",
                  "Gladsaxe Kommune", f"Side {n} af 5", ""]
    n = normalize("\n".join(pages))
    texts = [ln.text for ln in n.lines if not ln.blank]
    assert "Gladsaxe Kommune" not in texts and texts.count("Godkendt.") == 5  # a sentence is never furniture
    assert {a.reason for a in n.artifacts} == {"page number", "running page header/footer"}


def test_an_at_clause_inside_a_wrapped_sentence_goes_on_and_a_list_of_them_does_not() -> None:
    inline = ("Social- og Sundhedsforvaltningen indstiller, at Beskæftigelsesudvalget godkender,",
              "at det nye udvalg drøfter rådets fremtid.")
    texts = [ln.text for ln in normalize(_wrapped_document(*inline)).lines if not ln.blank]
    assert texts[-1] == " ".join(inline)
    listed = ("at budgetopfølgningen for 3. kvartal 2021 tages til efterretning af udvalget,",
              "at der gives en tillægsbevilling på 3,2 mio. kr.")
    texts = [ln.text for ln in normalize(_wrapped_document(*listed)).lines if not ln.blank]
    assert texts[-2:] == list(listed)


def test_a_contents_page_number_set_apart_by_its_leader_joins_its_entry() -> None:
    """pdftotext of a LibreOffice PDF puts a tab leader's page number a paragraph below its entry."""
    assert texts("Indholdsfortegnelse\n\nBudgetopfølgning 2025, 1. kvartal.....\n\n5\n\nMødeplan for 2026..... 8") == [
        "Indholdsfortegnelse", "Budgetopfølgning 2025, 1. kvartal..... 5", "Mødeplan for 2026..... 8"]
    assert texts("Forbruget er opgjort.\n\n5\n\nNæste side") == ["Forbruget er opgjort.", "Næste side"]  # a page number

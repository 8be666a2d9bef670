"""Layout families of real meeting systems, as team-written Word files (fictional Vesterå Kommune, our own
words) that reproduce each family's structure, labels, order and page furniture; tests turn them into
PDF with a real producer (LibreOffice, `soffice --headless --convert-to pdf`).

- eDoc's PDF export: a title page naming the body first and the kind last, a contents list with a page
  column, a running page header (body, date, page number) that falls inside every item block, items as
  "2.<tab>Title" in a larger bold font, "Sagsnr.:"/"Dok.nr." lines, headings outside any vocabulary
  ("Centralisering af driften"), the decision label "<Udvalg>s beslutning den 04.12.2012 Punkt 2" and
  "Følgende deltog ikke i behandlingen af punktet:".
- Acadre's PDF and Word file of one meeting: "Referat" over the body's name, members in a two-column
  table with an empty "Fraværende:" after it, a table row of labels ("Sagsnr.:", "Sagen afgøres i:") over
  a row of their values, "1 of 5" page markers in the footer, and a decision chain over three meetings.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.enum.text import WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt


class ProducerMissing(RuntimeError):
    """LibreOffice (soffice) is not installed: the real-producer fixtures cannot be made."""


@dataclass(frozen=True, slots=True)
class FamilyItem:
    """What a family fixture prints for one item, and so what a reader must find."""

    number: int
    title: str
    case_number: str
    decision: str
    decision_kind: str
    closed: bool = False
    absent: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Family:
    committee: str
    date: str  # ISO
    start_time: str
    location: str
    items: tuple[FamilyItem, ...]
    participants: tuple[tuple[str, str], ...] = field(default=())


def _field(paragraph, instr: str) -> None:  # type: ignore[no-untyped-def]
    """A Word field (PAGE, NUMPAGES) that the producer fills in when it lays out pages."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def _heading(document, text: str, size: int = 14) -> None:  # type: ignore[no-untyped-def]
    run = document.add_paragraph().add_run(text)
    run.bold = True
    run.font.size = Pt(size)


def _bold(document, text: str) -> None:  # type: ignore[no-untyped-def]
    document.add_paragraph().add_run(text).bold = True


def _page_break(document) -> None:  # type: ignore[no-untyped-def]
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


# --- eDoc PDF export ------------------------------------------------------------------------------

EDOC = Family(
    committee="Sundheds- og Omsorgsudvalget", date="2012-12-04", start_time="13:00",
    location="Rådhuset, mødelokale 3",
    participants=(("Hanne Vig", "A"), ("Per Lund", "V"), ("Rikke Dal", "F"), ("Otto Krag", "C"), ("Lis Bro", "Ø")),
    items=(
        FamilyItem(1, "Meddelelser", "2012-30001", "Orienteringen blev taget til efterretning.", "noted"),
        FamilyItem(2, "Vedligeholdelse af plejecentre 2013 - anlægsbevilling", "2012-28504", "Indstillingen godkendt",
                   "approved", absent=("Otto Krag",)),
        FamilyItem(3, "Kvalitetsstandard for hjemmehjælp 2013", "2012-31114", "Indstilles til godkendelse",
                   "recommended"),
        FamilyItem(4, "Personalesag", "2012-33002", "Godkendt", "approved", closed=True),
    ),
)


def edoc_docx(out: Path) -> Path:
    """An eDoc-style minutes export as a Word file (fictional content)."""
    f = EDOC
    document = docx.Document()
    header = document.sections[0].header.paragraphs[0]
    header.text = f"{f.committee}, møde den 04.12.2012\tSide "
    _field(header, "PAGE")
    document.add_paragraph("Vesterå Kommune")
    _heading(document, f"{f.committee} - Referat", 18)
    document.add_paragraph("Dato: 04.12.2012 kl. 13:00")
    document.add_paragraph(f"Sted: {f.location}")
    document.add_paragraph("Medlemmer:")
    for name, party in f.participants:
        document.add_paragraph(f"{name} ({party})")
    document.add_paragraph("Referatet blev godkendt ved mødets afslutning.")
    document.add_paragraph("Mødet blev hævet kl. 15:40.")
    _bold(document, "Indholdsfortegnelse")
    for it in f.items:
        title = ("Lukket punkt: " if it.closed else "") + it.title
        entry = document.add_paragraph(f"{it.number}.\t{title}\t{it.number + 1}")
        entry.paragraph_format.tab_stops.add_tab_stop(Cm(1))
        entry.paragraph_format.tab_stops.add_tab_stop(Cm(16), WD_TAB_ALIGNMENT.RIGHT)  # the page column
    for it in f.items:
        _page_break(document)
        _heading(document, f"{it.number}.\t" + ("Lukket punkt: " if it.closed else "") + it.title)
        document.add_paragraph(f"Sagsnr.: {it.case_number}\nDok.nr.: 2012-2{it.number:05d}")
        if it.number == 3:
            document.add_paragraph("Byrådet den 30. januar 2012 Punkt 5")
        if not it.closed:
            _edoc_body(document, it)
        document.add_paragraph(f"{f.committee}s beslutning den 04.12.2012 Punkt {it.number}")
        document.add_paragraph(it.decision)
        document.add_paragraph("Følgende deltog ikke i behandlingen af punktet:\n" + ", ".join(
            f"{n} ({p})" for n, p in f.participants if n in it.absent))
    document.save(str(out))
    return out


def _edoc_body(document, it: FamilyItem) -> None:  # type: ignore[no-untyped-def]
    document.add_paragraph("Sammendrag")
    document.add_paragraph(f"Sagen om {it.title.lower()} forelægges udvalget. Forvaltningen har samlet "
                           "oplysningerne i denne sag, og et overblik følger nedenfor.")
    document.add_paragraph("Baggrund")
    for n in range(6):  # long enough that the running page header falls inside the item
        document.add_paragraph(f"Afsnit {n + 1} om baggrunden: forvaltningen har gennemgået plejecentrenes "
                               "bygninger, tage og installationer, og har vurderet hvilke arbejder der haster mest. "
                               "Vurderingen bygger på bygningssynet og på tidligere års erfaringer med skader.")
    _bold(document, "Centralisering af driften")
    document.add_paragraph("Driften samles i et fælles center fra næste år, hvilket ventes at mindske antallet "
                           "af akutte skader.")
    document.add_paragraph("Økonomiske konsekvenser og finansiering")
    document.add_paragraph("Udgiften afholdes inden for den afsatte ramme på 1,3 mio. kr.")
    document.add_paragraph("Bilag")
    document.add_paragraph(f"2012-20{it.number}782 - Oversigt over bygninger")
    document.add_paragraph("Beslutningen træffes af")
    document.add_paragraph("Byrådet" if it.decision_kind == "recommended" else EDOC.committee)
    document.add_paragraph("Indstilling")
    document.add_paragraph("Center for Ejendomme indstiller, at")
    document.add_paragraph("A)\nde foreslåede arbejder godkendes.")


# --- Acadre PDF and Word ------------------------------------------------------------------------

ACADRE = Family(
    committee="Udvalget for Plan, Udvikling og Kultur", date="2013-06-20", start_time="10:30",
    location="Kaløvig Kursuscenter",
    participants=(("Jesper Holm", "A"), ("Ole Bjerg", "V"), ("Niels Vang", "A"), ("Steen Friis", "C"),
                  ("Ole Bak", "A")),
    items=(
        FamilyItem(1, "Godkendelse af dagsorden", "13/1101", "Godkendt.", "approved"),
        FamilyItem(2, "Lokalplan for boliger ved Skovvej", "13/2202", "Godkendt med den ændring, at byggehøjden "
                   "sænkes til 8,5 meter.", "approved_with_changes"),
        FamilyItem(3, "Kulturpulje 2013, fordeling", "12/9303", "Anbefales.", "recommended"),
    ),
)


def acadre_docx(out: Path) -> Path:
    """An Acadre-style minutes document as a Word file (fictional content)."""
    f = ACADRE
    document = docx.Document()
    footer = document.sections[0].footer.paragraphs[0]
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    _heading(document, "Referat", 20)
    _heading(document, f.committee, 16)
    table = document.add_table(rows=3, cols=2)
    for r, (label, value) in enumerate((("Mødedato:", "Torsdag den 20-06-2013"), ("Mødetidspunkt:", "10:30 - 13:00"),
                                        ("Mødested:", f.location))):
        table.cell(r, 0).text, table.cell(r, 1).text = label, value
    document.add_paragraph("Medlemmer:")
    members = [f"{n} ({p})" for n, p in f.participants]
    half = (len(members) + 1) // 2
    grid = document.add_table(rows=half, cols=2)
    for k, member in enumerate(members):
        grid.cell(k % half, k // half).text = member
    document.add_paragraph("Fraværende:")
    _page_break(document)
    for it in f.items:
        _heading(document, f"{it.number}. {it.title}", 13)
        labels = document.add_table(rows=2, cols=2)
        labels.cell(0, 0).text, labels.cell(0, 1).text = "Sagsnr.:", "Sagen afgøres i:"
        labels.cell(1, 0).text = it.case_number
        labels.cell(1, 1).text = "Byrådet" if it.decision_kind == "recommended" else f.committee
        _bold(document, "Sagsfremstilling")
        document.add_paragraph(f"Forvaltningen forelægger sagen om {it.title.lower()}. Sagen har været drøftet "
                               "med de berørte parter, og deres bemærkninger er indarbejdet.")
        _bold(document, "Indstilling")
        document.add_paragraph("Direktøren indstiller, at sagen godkendes.")
        if it.number == 2:  # the chain: postponed in May, its own meeting decides now
            _bold(document, f"Beslutning i {f.committee} den 06-05-2013")
            document.add_paragraph("Udsat.")
            _bold(document, "Beslutning i Økonomiudvalget den 12-06-2013")
            document.add_paragraph("Anbefales.")
        _bold(document, f"Beslutning i {f.committee} den 20-06-2013")
        document.add_paragraph(it.decision)
        _page_break(document)
    document.save(str(out))
    return out


def to_pdf(source: Path, outdir: Path, timeout: float = 180) -> Path:
    """Convert a Word file to PDF with LibreOffice, a real producer; ProducerMissing without it."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ProducerMissing("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    profile = outdir / ".lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(outdir), str(source)], check=True, capture_output=True, timeout=timeout)
    pdf = outdir / (source.stem + ".pdf")
    if not pdf.exists():
        raise ProducerMissing(f"LibreOffice made no PDF of {source.name}")
    return pdf

"""PDF input: the record read from a rendered PDF equals the record read from the text it was made from."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, SEEDS
from referat.testing.pdfrender import render
from referat import parse_file, parse_text
from referat.errors import SourceError
from referat.sources.pdf import read_pdf

FIELDS = ("number", "title", "case_number", "closed", "decision", "decision_kind", "recommendation",
          "recommending_body", "absent", "substitutes", "votes", "upcoming", "attachments", "presenters",
          "amounts_mio_kr", "tables")
SOURCES = [*SEEDS, *sorted(EXAMPLES.glob("*.txt"))]


def differences(a: dict, b: dict) -> list[str]:
    out = [f"meeting.{k}: {a['meeting'][k]!r} != {b['meeting'][k]!r}"
           for k in ("kind", "committee", "election_period", "date", "start_time", "location", "participants")
           if a["meeting"][k] != b["meeting"][k]]
    if len(a["items"]) != len(b["items"]):
        out.append(f"items: {len(a['items'])} != {len(b['items'])}")
    for x, y in zip(a["items"], b["items"]):
        out += [f"item {x['number']}.{k}: {x[k]!r} != {y[k]!r}" for k in FIELDS if x[k] != y[k]]
        rx = [(r["body"], r["date"], r["item"]) for r in x["related"]]
        ry = [(r["body"], r["date"], r["item"]) for r in y["related"]]
        if rx != ry:
            out.append(f"item {x['number']}.related: {rx} != {ry}")
    return out


@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_pdf_record_equals_text_record(tmp_path: Path, source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    pdf = render(text, tmp_path / (source.stem + ".pdf"), header="Vesterå Kommune - mødereferat 2024")
    from_text = parse_text(text).to_contract()
    from_pdf = parse_file(pdf).to_contract()
    diffs = differences(from_text, from_pdf)
    assert not diffs, "\n".join(diffs[:20])


def test_running_header_footer_and_page_numbers_are_removed(tmp_path: Path) -> None:
    source = EXAMPLES / "vesteraa_oekonomiudvalg_2023-09-18.txt"
    pdf = render(source.read_text(encoding="utf-8") * 1, tmp_path / "m.pdf", header="Økonomiudvalget 18.09.2023")
    doc = parse_file(pdf)
    everything = str(doc.to_contract())
    assert "Side 1 af" not in everything and "Økonomiudvalget 18.09.2023" not in everything


def test_scanned_pdf_without_text_layer_is_refused(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(tmp_path / "scan.pdf"))
    c.rect(50, 50, 400, 600, fill=1)  # an image-like page: no text at all
    c.showPage()
    c.save()
    with pytest.raises(SourceError, match="without a text layer"):
        parse_file(tmp_path / "scan.pdf")


def test_truncated_pdf_is_refused(tmp_path: Path) -> None:
    good = render((EXAMPLES / "vesteraa_dagsorden_2025-01-15.txt").read_text(), tmp_path / "g.pdf", header="x")
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 3])
    with pytest.raises(SourceError, match="corrupt or truncated PDF|corrupt PDF"):
        parse_file(cut)


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    enc = pdfencrypt.StandardEncryption("secret", canPrint=0)
    c = canvas.Canvas(str(tmp_path / "locked.pdf"), encrypt=enc)
    c.drawString(100, 700, "REFERAT Økonomiudvalget")
    c.showPage()
    c.save()
    with pytest.raises(SourceError, match="encrypted"):
        parse_file(tmp_path / "locked.pdf")


def test_bold_lines_in_a_pdf_confirm_plain_numbered_items(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(tmp_path / "bold.pdf"), pagesize=A4)
    lines = [("Helvetica-Bold", "REFERAT Kulturudvalget 2022-2025 d. 10-10-2024"), ("Helvetica", ""),
             ("Helvetica", "Mødedato Torsdag d. 10. oktober 2024 kl. 17:00"), ("Helvetica", ""),
             ("Helvetica-Bold", "12. Orientering om biblioteket"), ("Helvetica", ""),
             ("Helvetica", "Biblioteket har haft flere besøgende end sidste år."), ("Helvetica", ""),
             ("Helvetica-Bold", "13. Eventuelt"), ("Helvetica", ""), ("Helvetica", "Intet at bemærke.")]
    y = 760
    for font, text in lines:
        c.setFont(font, 11)
        c.drawString(60, y, text)
        y -= 15
    c.save()
    doc = parse_file(tmp_path / "bold.pdf")
    assert [(i.number, i.title) for i in doc.items] == [(12, "Orientering om biblioteket"), (13, "Eventuelt")]
    plain = "\n\n".join(t for _, t in lines if t)
    assert [i.number for i in parse_text(plain).items] == []  # without the bold face they are just lines


def _scan_of(pdf: Path, out: Path) -> Path:
    """An image-only copy of a PDF, as a scanner makes it: each page rasterised and embedded."""
    import pypdfium2 as pdfium
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(out), pagesize=A4)
    for page in pdfium.PdfDocument(pdf):
        c.drawImage(ImageReader(page.render(scale=200 / 72, grayscale=True).to_pil()), 0, 0, *A4)
        c.showPage()
    c.save()
    return out


def test_scanned_pdf_points_to_ocr_and_ocr_reads_it(tmp_path: Path) -> None:
    from referat.sources import ocr

    text = (EXAMPLES / "vesteraa_dagsorden_2025-01-15.txt").read_text(encoding="utf-8")
    scan = _scan_of(render(text, tmp_path / "d.pdf", header="Dagsorden"), tmp_path / "scan.pdf")
    with pytest.raises(SourceError, match="--ocr"):
        parse_file(scan)
    if not ocr.available():
        pytest.skip("tesseract with Danish is not installed here (make test installs it)")
    doc = parse_file(scan, ocr=True)
    assert doc.meeting.kind == "agenda" and doc.meeting.committee == "Børne- og Skoleudvalget"
    assert [(i.number, i.title) for i in doc.items][0] == (1, "Godkendelse af dagsorden")
    assert [i.case_number for i in doc.items] == ["25-1-00.01.00-A00", "24-88-17.02.00-P20", "24-91-81.08.00-A00"]
    assert doc.warnings[0].message.startswith("text read by OCR")


def test_pdf_line_end_hyphens(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(tmp_path / "h.pdf"), pagesize=A4)
    rows = ["REFERAT Økonomiudvalget 2022-2025 d. 18-09-2023", "", "Punkt 1: Titel", "", "Sagsfremstilling", "",
            "Sagen behandles i Børne-", "og Ungeudvalget, og der indkøbes nye IT-", "systemer til be-",
            "skæftigelsesindsatsen."]
    y = 760
    for text in rows:
        c.setFont("Helvetica", 11)
        c.drawString(60, y, text)
        y -= 14
    c.save()
    section = parse_file(tmp_path / "h.pdf").items[0].sections[0].text
    assert " ".join(section.split()) == ("Sagen behandles i Børne- og Ungeudvalget, og der indkøbes nye IT-systemer "
                                         "til beskæftigelsesindsatsen.")


LINUX_ONLY = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="extra readers are forked on Linux only")


def _two_readers(monkeypatch: pytest.MonkeyPatch) -> None:
    from referat.sources import pdf

    monkeypatch.setattr(pdf, "_readers", lambda n_pages: 2 if n_pages >= 2 else 1)


@LINUX_ONLY
def test_pages_read_in_two_processes_equal_pages_read_in_one(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from referat.sources.pdf import read_pdf

    # a real minutes when ../shared is there, else the bundled examples: several pages either way
    text = SEEDS[0].read_text(encoding="utf-8") if SEEDS else "\n".join(
        p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt")))
    pdf = render(text, tmp_path / "s.pdf", header="Vesterå Kommune - referat")
    one = read_pdf(pdf, pdf.read_bytes())
    _two_readers(monkeypatch)
    assert read_pdf(pdf, pdf.read_bytes()) == one


@LINUX_ONLY
def test_a_page_error_in_a_reader_process_is_a_source_error(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    import pypdfium2 as pdfium

    from referat.sources import pdf as reader

    pdf = render((EXAMPLES / "vesteraa_dagsorden_2025-01-15.txt").read_text(), tmp_path / "d.pdf", header="x")
    parent, lines = os.getpid(), reader._lines

    def failing_in_child(textpage: pdfium.PdfTextPage, page: pdfium.PdfPage) -> list:
        if os.getpid() != parent:
            raise pdfium.PdfiumError("Failed to load text page.")
        return lines(textpage, page)

    _two_readers(monkeypatch)
    monkeypatch.setattr(reader, "_lines", failing_in_child)
    with pytest.raises(SourceError, match="corrupt PDF: Failed to load text page"):
        parse_file(pdf)

    def dying_in_child(textpage: pdfium.PdfTextPage, page: pdfium.PdfPage) -> list:
        if os.getpid() != parent:
            os._exit(3)  # as when pdfium crashes on a page
        return lines(textpage, page)

    monkeypatch.setattr(reader, "_lines", dying_in_child)
    with pytest.raises(SourceError, match=r"corrupt PDF: reading pages 2-\d+ stopped the reader \(exit code 3\)"):
        parse_file(pdf)


@LINUX_ONLY
def test_a_page_error_in_this_process_stops_the_reader_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capfd: pytest.CaptureFixture[str]) -> None:
    import multiprocessing
    import os

    import pypdfium2 as pdfium

    from referat.sources import pdf as reader

    pdf = render((EXAMPLES / "vesteraa_dagsorden_2025-01-15.txt").read_text(), tmp_path / "d.pdf", header="x")
    parent, lines = os.getpid(), reader._lines

    def failing_here(textpage: pdfium.PdfTextPage, page: pdfium.PdfPage) -> list:
        if os.getpid() == parent:
            raise pdfium.PdfiumError("Failed to load text page.")
        return lines(textpage, page)

    _two_readers(monkeypatch)
    monkeypatch.setattr(reader, "_lines", failing_here)
    with pytest.raises(SourceError, match="corrupt PDF: Failed to load text page"):
        parse_file(pdf)
    assert multiprocessing.active_children() == []
    assert "Traceback" not in capfd.readouterr().err


@LINUX_ONLY
def test_extra_readers_only_for_long_documents_and_idle_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    from referat.sources import pdf

    assert pdf._runnable() >= 1  # read from the kernel: this thread is running
    monkeypatch.setattr(pdf.threading, "active_count", lambda: 1)  # (a Dask client's threads may linger here)
    monkeypatch.setattr(pdf.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(pdf, "_runnable", lambda: 1)  # an idle machine: only this thread runs
    assert pdf._idle_cpus() == 2
    assert [pdf._readers(n) for n in (1, 79, 80, 234, 3000)] == [1, 1, 2, 2, 2]
    monkeypatch.setattr(pdf, "_runnable", lambda: 2)  # another process keeps a core busy
    assert pdf._idle_cpus() == 1 and pdf._readers(234) == 1
    monkeypatch.setattr(pdf, "_runnable", lambda: 5)
    assert pdf._idle_cpus() == 0 and pdf._readers(234) == 1
    monkeypatch.setattr(pdf, "_runnable", lambda: 1)
    monkeypatch.setenv("REFERAT_LIMIT_PDF_READERS", "1")  # the reader's own parallelism off (a Dask cluster)
    assert pdf._idle_cpus() == 2 and [pdf._readers(n) for n in (80, 3000)] == [1, 1]


WRAPPED_TABLE = """Økonomiudvalget

Mødedato: 18.09.2023

1. Budgetopfølgning

Sagsnr.: 23-1-00.30.00-S00

Indstilling
Forvaltningen indstiller, at budgetopfølgningen tages til efterretning.

Tabel 1. Bevillinger, mio. kr.
Bevilling\tBudget 2024\tForbrug
Tilskud til foreningernes lokaler, herunder haller, klubhuse og andre faciliteter i hele kommunen\t1.070,9\t-250,0
Drift af idrætsanlæg\t3,5\t2,0
Vedligehold\tPuljen til vedligehold af skoler, daginstitutioner og kommunens øvrige bygninger\t12,0

Beslutning
Til efterretning.
"""


def test_wrapped_cells_of_a_ruled_table_come_back_as_one_row(tmp_path: Path) -> None:
    from referat.sources.pdf import read_pdf

    pdf = render(WRAPPED_TABLE, tmp_path / "t.pdf", header="Økonomiudvalget 18.09.2023")
    text, _ = read_pdf(pdf, pdf.read_bytes())
    assert ("Tilskud til foreningernes lokaler, herunder haller, klubhuse og andre faciliteter i hele "
            "kommunen\t1.070,9\t-250,0") in text.splitlines()  # drawn on three lines of the PDF
    assert "Vedligehold\tPuljen til vedligehold af skoler, daginstitutioner og kommunens øvrige bygninger\t12,0" \
        in text.splitlines()  # a wrapped middle column
    from_text, from_pdf = parse_text(WRAPPED_TABLE).to_contract(), parse_file(pdf).to_contract()
    assert from_pdf["items"][0]["tables"] == from_text["items"][0]["tables"] != []


def test_text_between_page_rules_is_not_taken_for_a_table_row(tmp_path: Path) -> None:
    """Rules under a page header and over a footer frame the body: its lines stay lines."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from referat.sources.pdf import read_pdf

    path = tmp_path / "framed.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.line(60, 760, 535, 760)
    c.drawString(60, 740, "Punkt 1\tx")  # a tab is drawn as nothing: one run
    c.drawString(60, 727, "Anne Holm")
    c.drawString(300, 727, "formand")  # a two-cell line, as a name list has
    c.drawString(60, 714, "deltog i mødet.")
    c.drawString(60, 701, "Bo Lund deltog ikke.")
    c.line(60, 90, 535, 90)
    c.save()
    lines = read_pdf(path, path.read_bytes())[0].splitlines()
    assert "Anne Holm\tformand" in lines and "deltog i mødet." in lines and "Bo Lund deltog ikke." in lines


def _sized_pdf(path: Path, lines: list[tuple[float, str]]) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    y = 760.0
    for size, text in lines:
        c.setFont("Helvetica", size)
        c.drawString(60, y, text)
        y -= size * 1.6
    c.save()
    return path


def test_a_line_set_larger_than_the_body_is_a_heading_hint(tmp_path: Path) -> None:
    body = "Udvalget drøftede sagen og besluttede at sende den videre til Økonomiudvalget."
    pdf = _sized_pdf(tmp_path / "h.pdf", [(16, "Referat"), (12.5, "4. Budget 2025"), *[(10, body)] * 8])
    text = read_pdf(pdf, pdf.read_bytes())[0]
    assert text.splitlines()[:3] == ["# Referat", "", "## 4. Budget 2025"]
    assert not any(ln.startswith("#") for ln in text.splitlines()[3:])


def test_larger_text_that_is_a_second_body_size_marks_nothing(tmp_path: Path) -> None:
    """Four lines in ten at 12 pt, the rest at 10 pt: the larger text is body text too, not headings."""
    body = "Udvalget drøftede sagen og besluttede at sende den videre til Økonomiudvalget."
    pdf = _sized_pdf(tmp_path / "b.pdf", [(12, body), (10, body), (10, body), (12, body), (10, body)] * 2)
    assert "#" not in read_pdf(pdf, pdf.read_bytes())[0]

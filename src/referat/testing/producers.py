"""PDFs from real producers, made on the spot: fixtures for the PDF reader's word tests.

Our own renderer (pdfrender) writes each line with one plain text operator, so it shares the reader's
assumptions. Real publishing systems do not: LibreOffice writes justified lines with word spacing and
TJ adjustments, Chromium (Skia) places glyph runs with per-glyph offsets, and the most common Danish
publishing system positions every glyph with a small kerning adjustment and sometimes starts a new
text object inside a word. Each function here writes one such PDF from the same team-written minutes
(MINUTES, with æ/ø/å, bold headings, a table and justified paragraphs):

- `libreoffice_pdf`: a DOCX written with python-docx (or the ODT LibreOffice makes of it), printed by
  headless `soffice --convert-to pdf` (Debian's libreoffice-writer-nogui);
- `chromium_pdf`: an HTML page (justified text, letter-spacing, kerning) printed by headless
  Chromium's `--print-to-pdf`;
- `kerned_pdf`: reportlab's canvas with hand-written TJ arrays: glyphs placed one by one with small
  adjustments, words split into several text objects, words separated by a space glyph or by a gap
  alone, justified lines.

`ProducerMissing` says which Debian package is needed when a producer is not installed.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from html import escape
from pathlib import Path

SOFFICE = "soffice"
CHROMIUM = "/usr/bin/chromium"
TIMEOUT_S = 120  # one conversion; LibreOffice's first start in a new profile takes a few seconds


class ProducerMissing(RuntimeError):
    """The program that makes a fixture is not installed (the message names the Debian package)."""


@dataclass(frozen=True)
class Block:
    """One block of the minutes: kind is 'title', 'meta', 'heading', 'label' (a bold section name),
    'para' or 'table' (rows in `rows`)."""

    kind: str
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


# Team-written minutes in the style municipalities publish (our own words, no real meeting).
MINUTES: tuple[Block, ...] = (
    Block("title", "Referat – Teknisk Udvalg"),
    Block("meta", "Mødedato: Tirsdag den 14. marts 2023 kl. 16.00 – Sted: Mødelokale 2, Rådhuset"),
    Block("meta", "Deltagere: Søren Ærø (A), Karen Wøldike (V), Åse Thygesen (F), Yvonne Fjeldsø (Ø)"),
    Block("heading", "1. Godkendelse af dagsorden"),
    Block("label", "Beslutning"),
    Block("para", "Dagsordenen blev godkendt uden bemærkninger. Udvalget ønskede en orientering om vinterens "
                  "glatførebekæmpelse og om de offentlige toiletter ved havnen på næste møde."),
    Block("heading", "2. Svar på forslag om trafiksikkerhed ved Østergårdsskolen"),
    Block("label", "Sagsfremstilling"),
    Block("para", "Forvaltningen har undersøgt forældrerådets forslag om en hævet flade og en skiltet "
                  "hastighedsbegrænsning ved skolens indkørsel. Tællingerne viser, at borgere oplever stor "
                  "usikkerhed om morgenen, hvor mange elever cykler til skole, samtidig med at varebiler "
                  "leverer til butikkerne på Åboulevarden. Forvaltningen vurderer, at en sikker krydsning "
                  "med midterhelle er den mest effektive løsning, og at løsningen bør evalueres efter et år "
                  "i samarbejde med skolebestyrelsen og Vejdirektoratet."),
    Block("para", "Projektet kan gennemføres i sommerferien, så trafikken påvirkes mindst muligt. Tavlerne "
                  "opsættes af kommunens egen driftsafdeling, og fjernvarmeledningen under fortovet "
                  "flyttes ikke."),
    Block("label", "Økonomi"),
    Block("table", rows=(("Post", "2023", "2024"), ("Anlæg, krydsning", "0,60", "0,25"),
                         ("Drift og vedligehold", "0,05", "0,05"), ("I alt", "0,65", "0,30"))),
    Block("label", "Indstilling"),
    Block("para", "Direktøren for Teknik og Miljø indstiller, at udvalget godkender projektet, og at udgiften "
                  "finansieres af puljen til trafiksikkerhed."),
    Block("label", "Beslutning"),
    Block("para", "Godkendt. Yvonne Fjeldsø (Ø) tog forbehold for finansieringen. Fraværende: Åse Thygesen (F)."),
    Block("heading", "3. Orientering om affaldssortering i etageboliger"),
    Block("label", "Sagsfremstilling"),
    Block("para", "Siden efteråret har beboerne i tolv afdelinger kunnet sortere madaffald, pap, glas og "
                  "metal i fælles gårdanlæg. Affaldsmængden til forbrænding er faldet, og flere boligforeninger "
                  "har bedt om at komme med i næste fase. Vognmændene melder om færre fejlsorteringer, men "
                  "også om trange adgangsveje, hvor en større bil ikke kan vende."),
    Block("para", "Forvaltningen foreslår, at den næste fase omfatter Vestervang, Kløvermarken og "
                  "Tværgaden, og at erfaringerne præsenteres for udvalget i efteråret."),
    Block("label", "Beslutning"),
    Block("para", "Taget til efterretning. Udvalget bad om en opgørelse over udgifterne til officiel "
                  "afhentning af storskrald."),
)


def minutes_text(blocks: tuple[Block, ...] = MINUTES) -> str:
    """The minutes as plain text (table cells tab-separated): what every producer prints."""
    out = []
    for b in blocks:
        out.append("\n".join("\t".join(r) for r in b.rows) if b.kind == "table" else b.text)
    return "\n\n".join(out) + "\n"


def _run(cmd: list[str], what: str) -> None:
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{what} did not finish in {TIMEOUT_S} s: {' '.join(cmd)}") from exc
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-800:]}")


# --- LibreOffice -----------------------------------------------------------------------------------

def write_docx(out: Path, blocks: tuple[Block, ...] = MINUTES) -> Path:
    """A DOCX as a clerk writes it in Word: bold headings, justified paragraphs, a Word table."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Liberation Serif"
    style.font.size = Pt(11)
    for b in blocks:
        if b.kind == "title":
            run = document.add_paragraph().add_run(b.text)
            run.bold, run.font.size = True, Pt(18)
        elif b.kind == "heading":
            run = document.add_paragraph().add_run(b.text)
            run.bold, run.font.size = True, Pt(14)
        elif b.kind == "label":
            document.add_paragraph().add_run(b.text).bold = True
        elif b.kind == "table":
            table = document.add_table(rows=len(b.rows), cols=len(b.rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(b.rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
        else:
            p = document.add_paragraph(b.text)
            if b.kind == "para":
                p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    document.save(str(out))
    return out


def libreoffice_pdf(out_dir: Path, *, odt: bool = False, blocks: tuple[Block, ...] = MINUTES) -> Path:
    """minutes.pdf in out_dir, printed by headless LibreOffice from a DOCX (or, with `odt`, from the ODT
    LibreOffice first converts the DOCX to). Each call uses its own LibreOffice profile, so parallel
    test runs do not share one."""
    soffice = shutil.which(SOFFICE)
    if soffice is None:
        raise ProducerMissing("soffice not found: install Debian's libreoffice-writer-nogui")
    out_dir.mkdir(parents=True, exist_ok=True)
    source = write_docx(out_dir / "minutes.docx", blocks)
    with tempfile.TemporaryDirectory(prefix="referat-lo-") as profile:
        base = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore"]
        if odt:
            _run([*base, "--convert-to", "odt", "--outdir", str(out_dir), str(source)], "LibreOffice (odt)")
            (out_dir / "minutes.docx").unlink()
            source = out_dir / "minutes.odt"
        _run([*base, "--convert-to", "pdf", "--outdir", str(out_dir), str(source)], "LibreOffice (pdf)")
    pdf = out_dir / "minutes.pdf"
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice wrote no PDF for {source}")
    return pdf


# --- Chromium --------------------------------------------------------------------------------------

_CSS = """
body { font-family: 'Liberation Sans', 'DejaVu Sans', sans-serif; font-size: 11pt; margin: 0;
       font-kerning: normal; text-rendering: optimizeLegibility; }
h1 { font-size: 20pt; letter-spacing: 0.02em; }
h2 { font-size: 14pt; letter-spacing: 0.04em; margin-top: 1.4em; }
h3 { font-size: 11pt; margin: 0.8em 0 0.2em 0; }
p.para { text-align: justify; hyphens: none; }
p.para:nth-of-type(2n) { letter-spacing: 0.03em; word-spacing: 0.1em; }
p.meta { font-family: 'Liberation Serif', serif; font-style: italic; }
table { border-collapse: collapse; }
td { border: 1px solid #444; padding: 2pt 8pt; }
@page { size: A4; margin: 2cm; }
"""


def minutes_html(blocks: tuple[Block, ...] = MINUTES) -> str:
    """The minutes as a web page: h1/h2/h3 headings, justified and letter-spaced paragraphs, a table."""
    tags = {"title": "h1", "heading": "h2", "label": "h3"}
    body = []
    for b in blocks:
        if b.kind == "table":
            rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in b.rows)
            body.append(f"<table>{rows}</table>")
        elif b.kind in tags:
            body.append(f"<{tags[b.kind]}>{escape(b.text)}</{tags[b.kind]}>")
        else:
            body.append(f'<p class="{b.kind}">{escape(b.text)}</p>')
    return (f'<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Referat</title>'
            f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>")


def chromium_pdf(out_dir: Path, *, html: str | None = None) -> Path:
    """minutes.pdf in out_dir, printed by headless Chromium from the minutes' web page (or `html`)."""
    if not os.access(CHROMIUM, os.X_OK):
        raise ProducerMissing(f"{CHROMIUM} not found: install Debian's chromium")
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / "minutes.html"
    page.write_text(html if html is not None else minutes_html(), encoding="utf-8")
    pdf = out_dir / "minutes.pdf"
    with tempfile.TemporaryDirectory(prefix="referat-chromium-") as profile:
        _run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
              page.as_uri()], "Chromium")
    if not pdf.exists():
        raise RuntimeError("Chromium wrote no PDF")
    return pdf


# --- reportlab with explicit kerning arrays --------------------------------------------------------

def _pdf_string(text: str) -> str:
    """A PDF literal string in WinAnsi (the standard fonts' encoding in reportlab), escaped."""
    raw = text.encode("cp1252")
    return "(" + "".join(chr(b) if 32 <= b < 127 and b not in b"()\\" else f"\\{b:03o}" for b in raw) + ")"


def kerned_pdf(out: Path, *, seed: int = 11, blocks: tuple[Block, ...] = MINUTES) -> Path:
    """A PDF whose text is placed glyph by glyph, as the most common publishing system does it: every
    glyph in a TJ array with a small adjustment (under 0.05 em either way), some words broken into
    separate text objects at a glyph boundary ("Sva" | "r"), the words of some lines separated by a
    space glyph and of others by a gap alone (0.3 em or more), justified lines widened by adjustments
    after each space, and headings in the bold face at a larger size."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    rnd = random.Random(seed)
    c = canvas.Canvas(str(out), pagesize=A4)
    left, right, top, bottom = 60.0, A4[0] - 60.0, A4[1] - 70.0, 60.0
    y = top

    def new_page_if_needed(height: float) -> None:
        nonlocal y
        if y - height < bottom:
            c.showPage()
            y = top

    def fonts_resource(font: str, size: float) -> str:
        # reportlab registers a standard font on first use and names it /F1, /F2, …
        c.setFont(font, size)
        return c._doc.getInternalFontName(font)  # noqa: SLF001 - reportlab's resource name of the font

    def draw_line(words: list[str], font: str, size: float, x: float, justify_to: float | None,
                  space_glyphs: bool) -> None:
        """One line of words, each glyph with its own adjustment; a word may be cut into two objects."""
        name = fonts_resource(font, size)
        natural = sum(stringWidth(w, font, size) for w in words)
        gap = stringWidth(" ", font, size) if space_glyphs else size * rnd.uniform(0.3, 0.4)
        if justify_to is not None and len(words) > 1:
            gap = max(gap, (justify_to - x - natural) / (len(words) - 1))
        ops = []
        cursor = x
        for k, word in enumerate(words):
            pieces = [word]
            if len(word) >= 4 and rnd.random() < 0.35:  # a new text object inside the word
                cut = rnd.randrange(1, len(word))
                pieces = [word[:cut], word[cut:]]
            for piece in pieces:
                parts, width = [], 0.0
                for ch in piece:
                    adjust = rnd.randint(-40, 40)  # thousandths of an em: kerning, never a word gap
                    parts.append(f"{_pdf_string(ch)} {adjust}")
                    width += stringWidth(ch, font, size) - adjust * size / 1000
                ops.append(f"BT /{name} {size:g} Tf 1 0 0 1 {cursor:.3f} {y:.3f} Tm [{' '.join(parts)}] TJ ET")
                cursor += width
            if k + 1 < len(words):
                if space_glyphs:  # the space glyph, then the justification as an adjustment
                    extra = gap - stringWidth(" ", font, size)
                    ops.append(f"BT /{name} {size:g} Tf 1 0 0 1 {cursor:.3f} {y:.3f} Tm "
                               f"[( ) {-extra * 1000 / size:.1f}] TJ ET")
                cursor += gap
        c._code.extend(ops)  # noqa: SLF001 - the content stream, written operator by operator

    def paragraph(text: str, font: str, size: float, justify: bool, space_glyphs: bool) -> None:
        nonlocal y
        words = text.split()
        line: list[str] = []
        width = right - left
        lines = []
        for w in words:
            trial = " ".join([*line, w])
            if line and stringWidth(trial, font, size) * 1.02 > width:
                lines.append(line)
                line = [w]
            else:
                line.append(w)
        if line:
            lines.append(line)
        for i, ln in enumerate(lines):
            new_page_if_needed(size * 1.3)
            last = i == len(lines) - 1
            draw_line(ln, font, size, left, None if last or not justify else right, space_glyphs)
            y -= size * 1.3
        y -= size * 0.6

    n_para = 0
    for b in blocks:
        if b.kind == "title":
            paragraph(b.text, "Helvetica-Bold", 18, False, True)
        elif b.kind == "heading":
            y -= 6
            paragraph(b.text, "Helvetica-Bold", 13, False, True)
        elif b.kind == "label":
            paragraph(b.text, "Helvetica-Bold", 10, False, True)
        elif b.kind == "table":
            for row in b.rows:
                new_page_if_needed(14)
                for col, cell in enumerate(row):
                    x = left + (0, 220, 320)[col] if col < 3 else left + 100 * col
                    draw_line(cell.split(), "Helvetica", 10, x, None, True)
                c.line(left, y - 3, left + 380, y - 3)
                y -= 15
            y -= 8
        else:
            n_para += 1  # alternate: space glyphs (most paragraphs) and gaps alone (every third)
            paragraph(b.text, "Helvetica", 10, b.kind == "para", n_para % 3 != 0)
    c.showPage()
    c.save()
    return out

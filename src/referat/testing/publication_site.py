"""The common publication system's meeting web page and meeting PDF, built from a recorded meeting JSON:
a fixture builder for the tests of the web-page reader and of the PDF road (test use only).

The system (dagsordener.<kommune>.dk) serves one meeting to people at `https://HOST/vis?id=<meeting id>`;
its page is filled in by script, and what public scrapers read after rendering is what this module
writes: `h1.dato` ("Referat"/"Dagsorden"), a `.title` block with `.udvalg` and `.sted`, a
`table.dagsordeninfo` whose `.dato` cell holds date and time, the button `#hentHeledagsorden` carrying
the meeting id in `data-id`, and the items as rows `tr.punktrow` (id `punktrow_<item id>`) of the table
`#dagsordenDetaljer`, each with its number in `.punkt-col .label` (inside a `.punkt-tabel`), its title in
`h2.overskrift`, an item menu (`.dropdown`, "Kopier link" with `data-type="kopier_punkt"`), and a
`.details` block holding `span.sagsnummer`, the attachments (`span.pdf-label[data-id]` before each
`a.bilag-link`) and the item's own HTML as the API returns it (Felter[].Html). Around that sits the
site's furniture: a cookie banner, the site navigation, a search form, "Hent hele dagsordenen" and
"Hent som PDF" buttons and a footer. The furniture is written here in the team's own words; the item HTML
is taken from the JSON at test time and never stored in the repository.

The meeting PDF is the system's print layout printed by Chromium (`--print-to-pdf`): a title block,
a table of contents with dot leaders and page numbers, each item on a new page under a large heading that
long titles wrap over two lines, the case number, the item's section headings set in upper case (CSS
`text-transform`, as the printed PDF shows them), "Sagsforløb" as a table, the attachments, and a running
header and footer (committee, date, "Side N af M") in the page margins. The page numbers of the contents
come from a first print: the PDF is printed twice.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import tempfile
from dataclasses import dataclass
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

CHROMIUM = Path("/usr/bin/chromium")
HOST = "dagsordener.greve.dk"
TIMEOUT = 120  # seconds per Chromium run
_TZ = ZoneInfo("Europe/Copenhagen")
_MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
           "november", "december")
_WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
_DECISION = re.compile(r"<h3>\s*Beslutning\s*</h3>", re.IGNORECASE)


class ChromiumError(RuntimeError):
    """Chromium could not print the page (missing, crashed or timed out)."""


@dataclass(frozen=True, slots=True)
class Meeting:
    """The recorded API response of one meeting, with the few derived values both layouts print."""

    data: dict
    path: Path | None = None

    @property
    def id(self) -> str:
        return str(self.data["Id"])

    @property
    def committee(self) -> str:
        return str(self.data["Udvalg"]["Navn"])

    @property
    def place(self) -> str:
        return str(self.data["Moede"].get("Sted") or "")

    @property
    def start(self) -> dt.datetime:
        """The meeting's start in Danish local time (the API gives it with its UTC offset)."""
        raw = self.data["Moede"].get("MeetingBeginUtc") or self.data["Moede"]["Dato"]
        return dt.datetime.fromisoformat(raw).astimezone(_TZ)

    @property
    def items(self) -> list[dict]:
        return sorted(self.data.get("Dagsordenpunkter") or [], key=lambda p: p.get("Sorting") or 0)

    @property
    def minutes(self) -> bool:
        """The site titles a meeting "Referat" once it is closed with its decisions published (the API's
        name stays "Dagsorden"): `Afsluttet`, or a Beslutning heading in some item."""
        return bool(self.data["Moede"].get("Afsluttet")) or any(_DECISION.search(_item_html(p)) for p in self.items)

    @property
    def kind(self) -> str:
        return "Referat" if self.minutes else "Dagsorden"


def load_meeting(path: str | Path) -> Meeting:
    p = Path(path)
    return Meeting(json.loads(p.read_text(encoding="utf-8")), p)


def _item_html(item: dict) -> str:
    return "".join(f.get("Html") or "" for f in item.get("Felter") or [])


def _number(item: dict) -> str:
    return str(item.get("Punktnummer") or item.get("Number") or "").strip()


def _case(item: dict) -> str:
    return str(item.get("SagsNummer") or item.get("CaseNumber") or "").strip()


def _title(item: dict) -> str:
    return " ".join(str(item.get("Navn") or item.get("Caption") or "").split())


def _attachments(item: dict) -> list[dict]:
    return sorted(item.get("Bilag") or [], key=lambda b: b.get("Order") or 0)


def _absent(item: dict) -> list[tuple[str, str]]:
    return [(a["Name"], a.get("Reason") or "Fraværende") for a in item.get("ExternalAgendaItemAttendees") or []
            if a.get("Name")]


def worded_date(when: dt.datetime) -> str:
    """'mandag den 10. januar 2022' as the site writes a meeting's date."""
    return f"{_WEEKDAYS[when.weekday()]} den {when.day}. {_MONTHS[when.month - 1]} {when.year}"


# --- the meeting web page ------------------------------------------------------------------------------

_PAGE_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 14px; margin: 0; color: #222; }
.navbar { background: #2b5f3a; color: #fff; padding: 8px 16px; }
.navbar a { color: #fff; margin-right: 12px; }
.container { max-width: 1100px; margin: 0 auto; padding: 0 16px; }
h1.green { color: #2b5f3a; }
.title .udvalg { font-weight: bold; margin-right: 1em; }
table.dagsordeninfo td { padding: 2px 12px 2px 0; vertical-align: top; }
#dagsordenDetaljer { width: 100%; border-collapse: collapse; }
#dagsordenDetaljer > tbody > tr.punktrow > td { border-top: 1px solid #ccc; padding: 8px 4px; vertical-align: top; }
.punkt-col { width: 48px; }
.label { display: inline-block; background: #2b5f3a; color: #fff; border-radius: 3px; padding: 2px 7px; }
h2.overskrift { font-size: 18px; margin: 0 0 4px 0; }
.dropdown-menu { display: none; }
.cookie-banner { position: fixed; bottom: 0; left: 0; right: 0; background: #333; color: #fff; padding: 12px; }
footer.sidefod { border-top: 1px solid #ccc; margin-top: 24px; padding: 12px 16px; color: #555; }
"""


def _page_head(m: Meeting, host: str) -> str:
    when = m.start
    return (f"<title>{escape(m.kind)} - {escape(m.committee)} - {when:%d-%m-%Y} - {escape(host)}</title>"
            f'<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{_PAGE_STYLE}</style>")


def _furniture_top(host: str) -> str:
    return (
        '<div class="cookie-banner" id="cookieConsent" role="dialog" aria-label="Cookies">'
        "<p>Siden gemmer en enkelt nødvendig cookie, så dine valg huskes mellem besøgene. "
        'Læs mere i vores <a href="/cookies">cookiepolitik</a>.</p>'
        '<button type="button" class="btn btn-primary" id="acceptCookies">OK, forstået</button></div>'
        '<header class="navbar navbar-default"><nav class="container" aria-label="Hovedmenu">'
        f'<a class="navbar-brand" href="https://{escape(host)}/">Politiske dagsordener og referater</a>'
        '<a href="/">Forside</a><a href="/udvalg">Udvalg</a><a href="/soeg">Avanceret søgning</a>'
        '<form class="navbar-form" action="/soeg" role="search"><input type="text" name="q" '
        'placeholder="Søg i dagsordener"><button type="submit">Søg</button></form></nav></header>')


def _participants_row(m: Meeting) -> str:
    people = m.data["Moede"].get("Moededeltagere") or []
    present = [p["Name"] for p in people if p.get("Name") and not (p.get("Absent") or p.get("ParticipationCancelled"))]
    away = [p["Name"] for p in people if p.get("Name") and (p.get("Absent") or p.get("ParticipationCancelled"))]
    rows = ""
    if present:
        rows += ('<tr><td class="info-label">Deltagere</td><td class="deltagere">'
                 + "<br>".join(escape(n) for n in present) + "</td></tr>")
    if away:
        rows += ('<tr><td class="info-label">Afbud</td><td class="afbud">'
                 + "<br>".join(escape(n) for n in away) + "</td></tr>")
    return rows


def _item_row(item: dict, host: str) -> str:
    iid = escape(str(item.get("Id") or ""))
    number, title, case = escape(_number(item)), escape(_title(item)), escape(_case(item))
    menu = ('<div class="dropdown punkt-menu"><button type="button" class="btn btn-link dropdown-toggle" '
            'data-toggle="dropdown" aria-label="Handlinger for punktet">&#8942;</button>'
            '<ul class="dropdown-menu">'
            f'<li><a href="#" data-type="kopier_punkt" data-id="{iid}">Kopier link til punktet</a></li>'
            f'<li><a href="/vis/pdf/dagsordenpunkt/{iid}?redirectDirectlyToPdf=false">Hent punktet som PDF</a></li>'
            "</ul></div>")
    attachments = ""
    if _attachments(item):
        links = "".join(
            f'<li><span class="pdf-label label-pdf" data-id="{escape(str(b.get("Id") or ""))}">PDF</span> '
            f'<a class="bilag-link" id="enclosure-{escape(str(b.get("Id") or ""))}" target="_blank" '
            f'href="/vis/pdf/bilag/{escape(str(b.get("Id") or ""))}?redirectDirectlyToPdf=false">'
            f'{escape(" ".join(str(b.get("Navn") or "").split()))}</a></li>' for b in _attachments(item))
        attachments = f'<div class="bilag"><h4 class="bilag-overskrift">Bilag</h4><ul class="bilagsliste">{links}</ul></div>'
    absent = ""
    if _absent(item):
        absent = ('<div class="fravaer"><h4>Fravær</h4><ul>' + "".join(
            f'<li><span class="navn">{escape(n)}</span>: <span class="aarsag">{escape(r)}</span></li>'
            for n, r in _absent(item)) + "</ul></div>")
    case_block = (f'<div class="sagsnummer-linje"><span class="sagsnummer-label">Sagsnr.</span> '
                  f'<span class="sagsnummer">{case}</span></div>') if case else ""
    return (
        f'<tr class="punktrow" id="punktrow_{iid}">'
        f'<td class="punkt-col"><table class="punkt-tabel"><tr><td><span class="label label-default">{number}'
        "</span></td></tr></table></td>"
        f'<td class="indhold-col"><div class="punkt-top"><h2 class="overskrift">{title}</h2>{menu}'
        '<span class="glyphicon glyphicon-plus" aria-hidden="true"></span></div>'
        f'<div class="details">{case_block}'
        f'<div class="punkt-indhold">{_item_html(item)}</div>{absent}{attachments}</div></td></tr>')


def render_page(m: Meeting, *, host: str = HOST, saved_from: bool = False) -> str:
    """The meeting page as a browser holds it after the site's script has filled it in. `saved_from`
    adds the comment a browser's "Save page as" writes on the first line (where the page came from)."""
    when = m.start
    url = f"https://{host}/vis?id={m.id}"
    info = (f'<table class="dagsordeninfo"><tbody>'
            f'<tr><td class="info-label">Udvalg</td><td class="udvalg">{escape(m.committee)}</td></tr>'
            f'<tr><td class="info-label">Mødetidspunkt</td><td class="dato">{escape(worded_date(when))} '
            f"kl. {when:%H:%M}</td></tr>"
            f'<tr><td class="info-label">Mødested</td><td class="sted">{escape(m.place)}</td></tr>'
            f"{_participants_row(m)}</tbody></table>")
    supplement = '<p class="tillaeg">Tillægsdagsorden</p>' if m.data.get("TillaegsDagsorden") else ""
    noun = "referatet" if m.minutes else "dagsordenen"
    buttons = (f'<div class="knapper"><button type="button" class="btn btn-default" id="hentHeledagsorden" '
               f'data-id="{escape(m.id)}">Hent hele {noun}</button> '
               f'<a class="btn btn-default" href="/vis/pdf/dagsorden/{escape(m.id)}?redirectDirectlyToPdf=false">'
               "Hent som PDF</a> "
               '<button type="button" class="btn btn-link" id="udvidAlle">Fold alle punkter ud</button></div>')
    rows = "".join(_item_row(p, host) for p in m.items)
    saved = f"<!-- saved from url=({len(url):04d}){url} -->\n" if saved_from else ""
    return (
        f'{saved}<!DOCTYPE html>\n<html lang="da"><head>{_page_head(m, host)}</head><body>'
        f"{_furniture_top(host)}"
        '<main class="container" id="indhold">'
        f'<div class="row overskrift-blok"><h1 class="green dato">{escape(m.kind)}</h1>'
        f'<div class="title"><span class="udvalg">{escape(m.committee)}</span>'
        f'<span class="sted">{escape(m.place)}</span></div></div>'
        f"{supplement}{info}{buttons}"
        f'<table id="dagsordenDetaljer" class="table"><tbody>{rows}</tbody></table>'
        '<p class="til-top"><a href="#indhold">Til toppen</a></p></main>'
        '<footer class="sidefod"><p>Dagsordener og referater udgives af kommunens sekretariat. '
        '<a href="/tilgaengelighed">Tilgængelighedserklæring</a> · <a href="/kontakt">Kontakt</a></p></footer>'
        '<script>document.getElementById("acceptCookies").onclick=function(){'
        'document.getElementById("cookieConsent").remove();};</script>'
        "</body></html>\n")


# --- the print layout and its PDF ----------------------------------------------------------------------

_PRINT_STYLE = """
@page { size: A4; margin: 26mm 20mm 22mm 22mm;
  @top-left { content: "%(committee)s"; font: 8pt "DejaVu Sans", sans-serif; color: #444; }
  @top-right { content: "%(when)s"; font: 8pt "DejaVu Sans", sans-serif; color: #444; }
  @bottom-right { content: "Side " counter(page) " af " counter(pages); font: 8pt "DejaVu Sans", sans-serif; }
}
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; line-height: 1.35; margin: 0; }
.forside h1 { font-size: 18pt; margin: 0 0 6mm 0; }
.forside .felt { margin: 1mm 0; }
.ubrudt { white-space: nowrap; }
.toc { break-after: page; margin-top: 10mm; }
.toc h2 { font-size: 14pt; }
.toc .indgang { margin: 1.2mm 0; }
.toc .linje { display: flex; align-items: baseline; }
.toc .tekst { flex: 0 0 auto; white-space: nowrap; }
.toc .prikker { flex: 1 1 0; min-width: 10mm; overflow: hidden; white-space: nowrap; margin: 0 1mm; }
.toc .side { flex: 0 0 auto; }
.punkt { break-before: page; }
.punkt:first-of-type { break-before: auto; }
h2.punkt-titel { font-size: 15pt; margin: 0 0 3mm 0; max-width: 150mm; }
.sagsnr { margin: 0 0 4mm 0; }
.punkt-indhold h2, .punkt-indhold h3, .punkt-indhold h4 { text-transform: uppercase; font-size: 10pt;
  margin: 4mm 0 1mm 0; }
.punkt-indhold table { border-collapse: collapse; margin: 2mm 0; }
.punkt-indhold td { border: 0.5pt solid #888; padding: 1mm 2mm; }
.sagsforloeb-tabel { border-collapse: collapse; margin: 2mm 0; }
.sagsforloeb-tabel td, .sagsforloeb-tabel th { border-bottom: 0.5pt solid #888; padding: 1mm 3mm 1mm 0;
  text-align: left; vertical-align: top; }
.bilag h3 { text-transform: uppercase; font-size: 10pt; }
"""
_SAGSFORLOEB = re.compile(r"<span class='sagsforloeb'>(?P<body>.*?)</span>", re.DOTALL)
_FORLOEB_ENTRY = re.compile(r"<u>\s*(?P<date>\d{2}-\d{2}-\d{4})\s+(?P<body>.*?)</u>\s*<br>\s*(?P<status>.*?)<br>",
                            re.DOTALL)
_SAGSFORLOEB_HEADING = re.compile(r"<h3>\s*Sagens forløb\s*</h3>")
_TAGS = re.compile(r"<[^>]+>")
_FONT = "PublicationSiteDejaVu"
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
TOC_TEXT_MM = 140  # the contents' title column


def _plain(html: str) -> str:
    return " ".join(_TAGS.sub(" ", html).split())


def _sagsforloeb_table(html: str) -> str:
    """The item HTML's "Sagens forløb" list as the print layout sets it: a table of date, body and status."""

    def table(m: re.Match[str]) -> str:
        entries = list(_FORLOEB_ENTRY.finditer(m.group("body")))
        if not entries:
            return m.group(0)
        rows = "".join(f"<tr><td>{escape(e['date'])}</td><td>{escape(_plain(e['body']))}</td>"
                       f"<td>{escape(_plain(e['status']))}</td></tr>" for e in entries)
        return ('<table class="sagsforloeb-tabel"><thead><tr><th>Dato</th><th>Behandlet i</th><th>Status</th>'
                f"</tr></thead><tbody>{rows}</tbody></table>")

    return _SAGSFORLOEB_HEADING.sub("<h3>Sagsforløb</h3>", _SAGSFORLOEB.sub(table, html))


def _wrap(text: str, width_mm: float, size: float) -> list[str]:
    """Lines of `text` as the browser will break it in a box `width_mm` wide (DejaVu Sans metrics,
    with some slack so that the browser never breaks a line earlier)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_FONT, str(_DEJAVU)))
    limit = width_mm / 25.4 * 72 * 0.95
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and pdfmetrics.stringWidth(trial, _FONT, size) <= limit:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines


def _toc_entry(title: str, page: int | None) -> str:
    """One contents entry: a long title wraps, and the dot leader and page follow its last line."""
    lines = _wrap(title, TOC_TEXT_MM, 10)
    head = "".join(f'<div class="linje-ombrudt">{escape(line)}</div>' for line in lines[:-1])
    return (f'<div class="indgang">{head}<div class="linje"><span class="tekst">{escape(lines[-1] if lines else "")}'
            f'</span><span class="prikker">{"." * 400}</span><span class="side">{page if page else "00"}</span></div>'
            "</div>")


def render_print(m: Meeting, pages: dict[str, int] | None = None) -> str:
    """The system's print layout of the whole meeting; `pages` maps item id -> page for the contents
    (a first print with '00' placeholders finds them). As the system prints it: a title line
    ("REFERAT <committee> d. <date>"), "Mødedato" and "Mødested" lines, the contents (titles without their
    numbers, dot leaders, the page), then each item from a new page under "Punkt N: <title>" with the case
    number on the line below."""
    when = m.start
    head = _PRINT_STYLE % {"committee": m.committee.replace('"', "'"),
                           "when": f"{when:%d-%m-%Y} kl. {when:%H:%M}"}
    day = worded_date(when).replace(" den ", " d. ")
    front = (f'<section class="forside"><h1>{escape(m.kind.upper())} {escape(m.committee)} '
             f'<span class="ubrudt">d. {when:%d-%m-%Y}</span></h1>'
             f'<p class="felt"><b>Mødedato</b> {escape(day[:1].upper() + day[1:])} kl. {when:%H:%M}</p>'
             f'<p class="felt"><b>Mødested</b> {escape(m.place)}</p></section>')
    toc = "".join(_toc_entry(_title(p), (pages or {}).get(str(p.get("Id")))) for p in m.items)
    body = []
    for p in m.items:
        attachments = "".join(f"<li>{escape(' '.join(str(b.get('Navn') or '').split()))}</li>"
                              for b in _attachments(p))
        body.append(
            f'<section class="punkt" id="p{escape(str(p.get("Id")))}">'
            f'<h2 class="punkt-titel">Punkt {escape(_number(p))}: {escape(_title(p))}</h2>'
            + (f'<p class="sagsnr">{escape(_case(p))}</p>' if _case(p) else "")
            + f'<div class="punkt-indhold">{_sagsforloeb_table(_item_html(p))}</div>'
            + (f'<div class="bilag"><h3>Bilag</h3><ul>{attachments}</ul></div>' if attachments else "")
            + "</section>")
    return (f'<!DOCTYPE html>\n<html lang="da"><head><meta charset="utf-8"><title>{escape(m.kind)}</title>'
            f"<style>{head}</style></head><body>{front}"
            f'<section class="toc"><h2>Indholdsfortegnelse</h2>{toc}</section>{"".join(body)}</body></html>\n')


def print_pdf(html: str, out: Path, *, chromium: Path = CHROMIUM) -> Path:
    """Print an HTML document to `out` with headless Chromium (no browser header/footer of its own)."""
    if not chromium.exists():
        raise ChromiumError(f"{chromium} not found: install Debian's chromium (make test does)")
    with tempfile.TemporaryDirectory(prefix="referat-chromium-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(html, encoding="utf-8")
        cmd = [str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-pdf-header-footer", f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}",
               page.as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ChromiumError(f"Chromium did not print within {TIMEOUT} s") from exc
    if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        raise ChromiumError(f"Chromium failed ({done.returncode}): {done.stderr.decode(errors='replace')[-500:]}")
    return out


def _item_pages(pdf: Path, m: Meeting) -> dict[str, int]:
    """Where each item's heading landed in a first print (1-based pages), read with pdfium."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        texts = [" ".join(doc[i].get_textpage().get_text_bounded().split()) for i in range(len(doc))]
    finally:
        doc.close()
    pages: dict[str, int] = {}
    page = 1  # the contents are on the first pages: each item starts a page after them
    for p in m.items:
        probe = " ".join(f"Punkt {_number(p)}: {_title(p)}".split())[:40]
        for i in range(page, len(texts)):
            if probe in texts[i]:
                page = i + 1
                break
        pages[str(p.get("Id"))] = page
    return pages


def render_pdf(m: Meeting, out: Path, *, chromium: Path = CHROMIUM) -> Path:
    """The meeting's PDF in the system's print layout, printed by Chromium twice (the second time with the
    contents' page numbers)."""
    first = out.with_suffix(".draft.pdf")
    print_pdf(render_print(m), first, chromium=chromium)
    pages = _item_pages(first, m)
    first.unlink()
    return print_pdf(render_print(m, pages), out, chromium=chromium)


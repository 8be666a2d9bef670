"""Render minutes text as a meeting web page the way the common systems publish them: a fixture
builder for the HTML reader's tests (navigation, cookie banner, "Hent som PDF" and "Til toppen"
links around the minutes; item headings as <h2>, section names as <h3>, tables as <table>)."""

from __future__ import annotations

from html import escape

from referat.normalize import normalize
from referat.parse import layout
from referat.parse.structure import case_number_in, section_role

PAGE = """<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8"><title>Referat</title><style>p {{ margin: 0 }}</style></head>
<body>
<nav class="main-menu"><a href="/">Forside</a> | <a href="/politik">Politik</a></nav>
<div class="cookie-consent"><p>Vi bruger cookies for at forbedre hjemmesiden.</p><button>Accepter alle</button></div>
<main>
<p><a href="referat.pdf">Hent som PDF</a></p>
{body}
<p><a href="#top">Til toppen</a></p>
</main>
<footer class="site-footer"><p>Vesterå Kommune · Rådhuspladsen 1</p></footer>
<script>window.analytics = {{}};</script>
</body></html>
"""


def render_html(text: str) -> str:
    normalized = normalize(text)
    lines = normalized.lines
    lay = layout(normalized)
    headings = {lay.lines[h.index].no for h in lay.headings}  # the item headings the parser finds
    parts: list[str] = []
    table: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            parts.append("<p>" + "<br>\n".join(para) + "</p>")
            para.clear()
        if table:
            parts.append("<table>" + "".join(table) + "</table>")
            table.clear()

    heading: list[str] = []  # an item heading wrapped over lines in the text is one <h2> on the page
    for ln in lines:
        if heading and (ln.blank or section_role(ln.text) or case_number_in(ln.text)):
            parts.append("<h2>" + escape(" ".join(heading)) + "</h2>")
            heading.clear()
        elif heading:
            heading.append(ln.text)
            continue
        if ln.blank:
            flush()
            continue
        if "\t" in ln.text:
            if para:
                flush()
            table.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in ln.text.split("\t")) + "</tr>")
            continue
        if table:
            flush()
        if ln.no in headings:
            flush()
            heading.append(ln.text)
            continue
        if section_role(ln.text):
            flush()
            parts.append(f"<h3>{escape(ln.text)}</h3>")
            continue
        para.append(escape(ln.text))
    if heading:
        parts.append("<h2>" + escape(" ".join(heading)) + "</h2>")
    flush()
    return PAGE.format(body="\n".join(parts))

"""Fuzzing the readers: the promise is that any bytes given to a reader end in a document or in one of the
project's named errors (referat.errors.ReferatError), never in another exception. Shared by the property
tests (tests/test_fuzz.py, hypothesis) and the coverage-guided targets (fuzz/readers.py, atheris).

Each reader has seeds (real files of its kind: the bundled examples, fixtures rendered by referat.testing,
the shared corpus when it is there) and an entry that reads bytes the way `read_source` does after
sniffing, then parses the result: one step of the pipeline per reader, so that a mutation of a PDF is
fed to the PDF reader even when it no longer looks like one.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from referat.errors import ReferatError

ROOT = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("REFERAT_SHARED", ROOT.parent / "shared"))
EXAMPLES = ROOT / "examples"
READERS = ("text", "html", "docx", "pdf", "json", "xml")


def _corpus(pattern: str, limit: int, max_bytes: int = 200_000) -> list[bytes]:
    folder = SHARED / "corpus"
    if not folder.is_dir():
        return []
    files = sorted((p for p in folder.glob(pattern) if p.is_file() and p.stat().st_size <= max_bytes),
                   key=lambda p: p.stat().st_size)
    return [p.read_bytes() for p in files[:limit]]


def seeds(reader: str, workdir: Path) -> list[bytes]:
    """Real inputs of the reader's kind to mutate (never empty)."""
    texts = sorted(EXAMPLES.glob("*.txt")) + sorted(EXAMPLES.glob("*.md"))
    if reader == "text":
        return [p.read_bytes() for p in texts]
    if reader == "html":
        from referat.testing.hostile import deep_html

        pages = [deep_html(workdir / f"{p.stem}.html", 3, p.read_text(encoding="utf-8").splitlines()).read_bytes()
                 for p in texts[:2]]
        return pages + _corpus("**/*.htm*", 2)
    if reader == "docx":
        from referat.testing.docxrender import render_docx

        return [render_docx(texts[0].read_text(encoding="utf-8"), workdir / "seed.docx").read_bytes()]
    if reader == "pdf":
        from referat.testing.pdfrender import render

        return [render(texts[0].read_text(encoding="utf-8"), workdir / "seed.pdf", "Vesterå Kommune").read_bytes()]
    if reader == "json":
        found = _corpus("publication-api/**/*.json", 3)
        return found or [json.dumps({"Moede": {"Titel": "Økonomiudvalget"}, "Dagsordenpunkter": []}).encode()]
    if reader == "xml":
        found = (_corpus("acadre-xml/*.xml", 2) + _corpus("sbsys-aarhus/*.xml", 1)
                 + _corpus("sbsys-xml/*.xml", 1, 400_000))
        return found or [b"<?xml version='1.0'?><Publication><Meeting/></Publication>"]
    raise ValueError(reader)


def read(reader: str, data: bytes, path: str = "fuzz-input") -> object:
    """Read `data` with one reader and parse what it gives; ReferatError is the only error allowed out."""
    from referat.parse import parse_source
    from referat.sources import flatten_nesting
    from referat.sources.text import SourceText, text_source

    if reader == "text":
        source = text_source(path, data)
    elif reader == "html":
        from referat.sources.html import html_to_text

        decoded = flatten_nesting(path, text_source(path, data))
        source = SourceText(path=path, text=html_to_text(decoded.text), encoding=decoded.encoding, size=len(data),
                            sha256="0", format="html")
    elif reader == "docx":
        from referat.sources.docx import docx_to_text

        source = SourceText(path=path, text=docx_to_text(path, data), encoding=None, size=len(data), sha256="0",
                            format="docx")
    elif reader == "pdf":
        from referat.sources.pdf import read_pdf

        text, _ = read_pdf(path, data)
        source = SourceText(path=path, text=text, encoding=None, size=len(data), sha256="0", format="pdf")
    elif reader == "json":
        from referat.sources.publication_api import read_publication_json

        source = read_publication_json(path, data)
    elif reader == "xml":
        from referat.sources.esdh_xml import read_esdh

        with tempfile.TemporaryDirectory() as tmp:  # Acadre's manifest names files beside it
            file = Path(tmp, "fuzz.xml")
            file.write_bytes(data)
            source = read_esdh(file, data)
    else:
        raise ValueError(reader)
    return parse_source(source)


def survives(reader: str, data: bytes) -> None:
    """Read the bytes; a ReferatError is a fine answer, anything else propagates (a finding)."""
    try:
        read(reader, data)
    except ReferatError:
        pass


def rezip_docx(seed: bytes, mutate: Callable[[bytes], bytes]) -> bytes:
    """The Word file with its word/document.xml changed by `mutate` (the package itself kept valid)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(seed)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, mutate(body) if info.filename == "word/document.xml" else body)
    return out.getvalue()

"""How far the words referat reads from a PDF are from the words poppler's pdftotext reads.

The measure (issue 11): over the multiset of word tokens (letters only, case-folded, words broken by
a hyphen at a line end joined on both sides), the symmetric difference divided by pdftotext's token
count. A word split inside ("Sva r") costs three tokens (one missing, two extra), two words glued
together three as well. Used by tests/test_pdf_words.py and by the bench.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from referat.testing.producers import ProducerMissing

_LINE_END_HYPHEN = re.compile(r"([^\W\d_])[-\u00ad\u2010\x02\ufffe][ \t]*\r?\n\s*([^\W\d_])")
_WORD = re.compile(r"[^\W\d_]+")


def tokens(text: str) -> Counter[str]:
    """Word tokens: runs of letters, case-folded (which also spells out ligatures: "ﬁ" -> "fi"),
    after joining a word broken at a line end ("be-" / "slutning" -> "beslutning")."""
    text = unicodedata.normalize("NFC", text)
    text = _LINE_END_HYPHEN.sub(r"\1\2", text)
    return Counter(_WORD.findall(text.casefold()))


@dataclass(frozen=True)
class WordDifference:
    reference: Counter[str]  # pdftotext's tokens
    ours: Counter[str]

    @property
    def missing(self) -> Counter[str]:
        return self.reference - self.ours

    @property
    def extra(self) -> Counter[str]:
        return self.ours - self.reference

    @property
    def ratio(self) -> float:
        """Symmetric difference / pdftotext's token count (0 when both read nothing)."""
        total = sum(self.reference.values())
        diff = sum(self.missing.values()) + sum(self.extra.values())
        return diff / total if total else float(diff > 0)

    def report(self, most: int = 15) -> str:
        """The figures and the commonest differences, for a failing test's message."""
        return (f"tokens: pdftotext {sum(self.reference.values())}, referat {sum(self.ours.values())}; "
                f"missing {sum(self.missing.values())}, extra {sum(self.extra.values())}; "
                f"ratio {self.ratio:.4f}\n  missing: {self.missing.most_common(most)}\n"
                f"  extra: {self.extra.most_common(most)}")


def compare(reference: str, ours: str) -> WordDifference:
    return WordDifference(tokens(reference), tokens(ours))


def pdftotext(path: Path) -> str:
    """poppler's reading of the PDF (`pdftotext -enc UTF-8 FILE -`)."""
    exe = shutil.which("pdftotext")
    if exe is None:
        raise ProducerMissing("pdftotext not found: install Debian's poppler-utils")
    done = subprocess.run([exe, "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=120, check=True)
    return done.stdout.decode("utf-8")


def against_pdftotext(path: Path, *, as_read: bool = True) -> WordDifference:
    """referat's words against pdftotext's on one PDF. With `as_read` (the default) referat's text is
    every line of every page as the reader read it, page furniture included (pdftotext keeps running
    headers and page numbers too, so only reading differences count); otherwise it is the assembled text
    the parser gets, without the repeated running headers and footers."""
    from referat.sources import pdf

    data = Path(path).read_bytes()
    ours = "\n".join(pdf.page_texts(data)) if as_read else pdf.read_pdf(path, data)[0]
    return compare(pdftotext(path), ours)

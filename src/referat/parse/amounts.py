"""Money amounts in mio. kr., signed, in order of appearance, duplicates kept."""

from __future__ import annotations

from referat import vocab
from referat.danish import MINUS, parse_number


def amounts_mio_kr(texts: list[str]) -> list[float]:
    """Every number written directly before "mio. kr.". A minus counts only when it is attached to
    the number and follows a space or bracket ("-7,8 mio. kr."); in "2-3 mio. kr." it is a range."""
    out: list[float] = []
    for text in texts:
        for m in vocab.AMOUNT_MIO_KR.finditer(text):
            value = parse_number(m.group("number"))
            if value is None:
                continue
            start = m.start("number")
            if start >= 1 and text[start - 1] in MINUS and (start == 1 or text[start - 2] in " \t([/"):
                value = -value
            out.append(value)
    return out

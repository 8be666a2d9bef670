"""Danish numbers, dates and times, parsed exactly.

Danish writes 1.070,9 for 1070.9 and dates as 30.11.2021, 30-11-2021, 11.09.23
or "2. marts 2022". Numbers go through babel's Danish locale with strict=True so
that a malformed grouping is refused rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

MONTHS = {
    "januar": 1, "februar": 2, "marts": 3, "april": 4, "maj": 5, "juni": 6,
    "juli": 7, "august": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "okt": 10, "nov": 11, "dec": 12,
}

# 30.11.2021, 30-11-2021, 30/11/2021, 11.09.23 and, with no year, 05.10
# not inside a case number: "24-3-85.10.00-P07" holds "24-3-85", which is no date
NUMERIC_DATE = re.compile(r"(?<![\d.])(\d{1,2})[.\-/](\d{1,2})(?:[.\-/](\d{4}|\d{2}))?(?!\d|\.\d)")
# "2. marts 2022", "30. november 2021", "4 juni 2025"
WORDED_DATE = re.compile(
    r"(?<!\d)(\d{1,2})\.?\s+(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?\s+(\d{4})",
    re.IGNORECASE,
)
# "2024-03-05" (ISO, as some web pages and exports print it)
ISO_DATE = re.compile(r"(?<![\d\-])(\d{4})-(\d{2})-(\d{2})(?![\d\-])")
TIME = re.compile(r"\bkl\.?\s*(\d{1,2})[:.](\d{2})\b|\b(\d{1,2}):(\d{2})\b", re.IGNORECASE)
MINUS = "-\u2212\u2013"  # hyphen-minus, minus sign, en dash
# Danish number symbols come from babel's CLDR data, read once. Parsing itself is a strict shape
# check plus Decimal: babel's parse_decimal(strict=True) accepts exactly these shapes but looks the
# symbols up again on every call (about 70 µs, a quarter of all parse time; see bench/README.md).
DANISH = Locale.parse("da_DK")
GROUP, DECIMAL, MINUS_SIGN = get_group_symbol(DANISH), get_decimal_symbol(DANISH), get_minus_sign_symbol(DANISH)
_G, _D = re.escape(GROUP), re.escape(DECIMAL)
DANISH_NUMBER = re.compile(rf"^-?(?:\d{{1,3}}(?:{_G}\d{{3}})+|\d+)(?:{_D}\d+)?$")


def whole_number(text: str) -> int | None:
    """`text` as an int when it is ASCII digits only ("38"), else None.

    str.isdigit() also says yes to "³" and "①", which int() refuses: a fuzzer found "³" as an item number.
    """
    return int(text) if text.isascii() and text.isdigit() else None


def printed_number(text: str) -> int | str:
    """An item number as printed (DESIGN §3): "3" -> 3, while "1.1", "38a" and "³" stay strings."""
    number = whole_number(text)
    return text if number is None else number


def parse_number(text: str) -> float | None:
    """Parse a Danish-formatted number ("1.070,9", "-7,8", "−3,2"); None when it is not one.
    Grouping must be exact: "1.07,9" and "1,2,3" are refused, not guessed."""
    s = text.strip().replace("\u2212", "-").replace("\u2013", "-").replace(MINUS_SIGN, "-")
    s = s.replace(" ", "")
    if not DANISH_NUMBER.match(s):
        return None
    return float(Decimal(s.replace(GROUP, "").replace(DECIMAL, ".")))


def _year(raw: str | None) -> int | None:
    if raw is None:
        return None
    year = int(raw)
    return 2000 + year if len(raw) == 2 else year


def _date(year: int | None, month: int, day: int) -> dt.date | None:
    if year is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> dt.date | None:
    """The first full date in text (numeric, ISO or with a Danish month name); None if there is none."""
    worded = WORDED_DATE.search(text)
    numeric = None
    for m in NUMERIC_DATE.finditer(text):
        if m.group(3):
            numeric = m
            break
    iso = ISO_DATE.search(text) if "-" in text else None
    candidates = [m for m in (worded, numeric, iso) if m]
    if not candidates:
        return None
    first = min(candidates, key=lambda m: m.start())
    if first is worded:
        return _date(int(first.group(3)), MONTHS[first.group(2).lower()], int(first.group(1)))
    if first is iso:
        return _date(int(first.group(1)), int(first.group(2)), int(first.group(3)))
    return _date(_year(first.group(3)), int(first.group(2)), int(first.group(1)))


def parse_time(text: str) -> str | None:
    """The first clock time "kl. 16:30" / "kl. 16.30" / "16:30" as HH:MM."""
    m = TIME.search(text)
    if not m:
        return None
    hour, minute = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    h, mi = int(hour), int(minute)
    if h > 23 or mi > 59:
        return None
    return f"{h:02d}:{mi:02d}"

"""Danish numbers, dates and times, parsed exactly."""

from __future__ import annotations

import datetime as dt

import pytest

from referat.danish import parse_date, parse_number, parse_time, printed_number, whole_number


@pytest.mark.parametrize("text,value", [
    ("1.070,9", 1070.9), ("1.056", 1056.0), ("0,006", 0.006), ("-7,8", -7.8), ("\u22123,2", -3.2),
    ("3.338.820", 3338820.0), ("20", 20.0),
])
def test_numbers(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["1.07,9", "abc", "", "1,2,3"])
def test_malformed_numbers_are_refused(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize("text,value", [
    ("30.11.2021", dt.date(2021, 11, 30)), ("d. 30-11-2021", dt.date(2021, 11, 30)),
    ("11.09.23, punkt 4", dt.date(2023, 9, 11)), ("2. marts 2022", dt.date(2022, 3, 2)),
    ("Tirsdag d. 30. november 2021 kl. 16:30", dt.date(2021, 11, 30)),
    ("Onsdag d. 04. juni 2025", dt.date(2025, 6, 4)), ("05.10, punkt 3", None), ("31.02.2021", None),
    ("5/3-2024", dt.date(2024, 3, 5)), ("Mødedato: 2024-03-05 kl. 16:00", dt.date(2024, 3, 5)),
    ("2024-02-30", None), ("sag EMN-2023-004211", None), ("24-3-85.10.00-P07", None),
])
def test_dates(text: str, value: dt.date | None) -> None:
    assert parse_date(text) == value


@pytest.mark.parametrize("text,value", [("kl. 16:30", "16:30"), ("kl. 9.00", "09:00"), ("19:00", "19:00"),
                                        ("kl. 25:00", None), ("ingen tid", None)])
def test_times(text: str, value: str | None) -> None:
    assert parse_time(text) == value


@pytest.mark.parametrize("text,number,printed", [
    ("38", 38, 38), ("007", 7, 7), ("38a", None, "38a"), ("1.1", None, "1.1"), ("", None, ""),
    # str.isdigit() says yes to these and int() refuses them, or reads a digit of another script
    ("³", None, "³"), ("①", None, "①"), ("1²", None, "1²"), ("٣", None, "٣"),
])
def test_whole_numbers_are_ascii_digits_and_item_numbers_stay_as_printed(text: str, number: int | None,
                                                                         printed: int | str) -> None:
    assert whole_number(text) == number
    assert printed_number(text) == printed

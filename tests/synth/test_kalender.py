"""Calendar arithmetic and Saxon public holidays."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sandbox.synth import kalender
from sandbox.synth.sampling import days_before


def _day(text: str) -> int:
    return days_before(dt.date.fromisoformat(text))


def test_easter_sunday_known_years() -> None:
    known = {1961: "1961-04-02", 2000: "2000-04-23", 2019: "2019-04-21", 2023: "2023-04-09", 2024: "2024-03-31",
             2025: "2025-04-20", 2038: "2038-04-25"}
    got = kalender.easter_sunday(list(known))
    assert [kalender.iso(d).isoformat() for d in got] == list(known.values())


def test_buss_und_bettag_is_the_wednesday_before_23_november() -> None:
    assert [kalender.iso(d).isoformat() for d in kalender.buss_und_bettag([2022, 2023, 2024, 2025])] == [
        "2022-11-16", "2023-11-22", "2024-11-20", "2025-11-19"]
    days = kalender.buss_und_bettag(np.arange(1995, 2100))
    assert (kalender.weekday(days) == 2).all()
    _, month, day = kalender.year_month_day(days)
    assert (month == 11).all() and ((day >= 16) & (day <= 22)).all()


def test_saxon_holidays_2024() -> None:
    table = kalender.saxon_holidays(2024, 2024)
    got = {kalender.iso(t).isoformat(): name for t, name in zip(table.tag, table.name)}
    assert got == {
        "2024-01-01": "Neujahr", "2024-03-29": "Karfreitag", "2024-04-01": "Ostermontag", "2024-05-01": "Tag der Arbeit",
        "2024-05-09": "Christi Himmelfahrt", "2024-05-20": "Pfingstmontag", "2024-10-03": "Tag der Deutschen Einheit",
        "2024-10-31": "Reformationstag", "2024-11-20": "Buß- und Bettag", "2024-12-25": "1. Weihnachtstag",
        "2024-12-26": "2. Weihnachtstag",
    }
    assert len(kalender.saxon_holidays(2023, 2023)) == 11
    assert kalender.iso(kalender.saxon_holidays(2023, 2023).tag.iloc[1]) == dt.date(2023, 4, 7)  # Karfreitag


def test_date_arithmetic_matches_the_calendar() -> None:
    days = np.arange(_day("1899-12-25"), _day("2101-01-05"))
    year, month, day = kalender.year_month_day(days)
    expected = pd.DatetimeIndex(days.astype("datetime64[D]"))
    assert (year == expected.year).all() and (month == expected.month).all() and (day == expected.day).all()
    assert (kalender.from_year_month_day(year, month, day) == days).all()
    assert (kalender.weekday(days) == expected.day_of_week).all()
    sample = days[::97]
    shifted = pd.DatetimeIndex(sample.astype("datetime64[D]")) + pd.DateOffset(months=14)
    assert (kalender.add_months(sample, 14) == kalender.days_of(shifted.values)).all()
    assert kalender.iso(kalender.add_years(np.array([_day("2020-02-29")]), 1)[0]) == dt.date(2021, 2, 28)
    assert kalender.iso(kalender.add_months(np.array([_day("2023-01-31")]), 1)[0]) == dt.date(2023, 2, 28)

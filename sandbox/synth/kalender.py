"""Calendar arithmetic for generators: birthdays, months, weekdays and Saxon public holidays.

Dates inside generators are integers (days since 1970-01-01, see
:func:`sandbox.synth.sampling.days_before`). This module adds what the
entitlement and appointment tables need on top: adding whole years or months
the way a birthday or a benefit period counts them, weekdays, and the public
holidays of Saxony. Holidays are data (``reference/feiertage_sachsen.csv``:
fixed dates, offsets from Easter Sunday, and Buß- und Bettag); Easter Sunday
is computed with the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
Everything is vectorised over numpy arrays.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Iterable

import numpy as np

from sandbox.synth import reference

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "days_of",
    "year_month_day",
    "from_year_month_day",
    "add_years",
    "add_months",
    "weekday",
    "easter_sunday",
    "buss_und_bettag",
    "saxon_holidays",
    "iso",
    "MISSING",
    "YEAR",
]

MISSING = np.iinfo(np.int64).min  # integer stand-in for a missing date
YEAR = 365.2425  # mean length of a Gregorian year in days: ages and periods in years
_EPOCH = np.datetime64("1970-01-01", "D")


def days_of(values: "pd.Series | np.ndarray") -> np.ndarray:
    """Dates (any datetime64 resolution, NaT allowed) -> days since epoch, ``MISSING`` for NaT."""
    dates = values.to_numpy(dtype="datetime64[D]") if hasattr(values, "to_numpy") else np.asarray(values, dtype="datetime64[D]")
    return np.where(np.isnat(dates), MISSING, (dates - _EPOCH).astype(np.int64))


def year_month_day(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Calendar year, month (1-12) and day (1-31) of each day number.

    Integer arithmetic after H. Hinnant's ``civil_from_days``: several times
    faster than casting through ``datetime64[M]`` on millions of dates.
    """
    z = np.asarray(days, dtype=np.int64) + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    return yoe + era * 400 + (month <= 2), month, day


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    year = year - (month <= 2)
    era = year // 400
    yoe = year - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def from_year_month_day(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Day numbers of calendar dates; a day past the month's end is clipped to its last day."""
    year, month, day = np.broadcast_arrays(np.asarray(year, np.int64), np.asarray(month, np.int64), np.asarray(day, np.int64))
    first = _days_from_civil(year, month, np.ones_like(day))
    following = _days_from_civil(year + (month == 12), month % 12 + 1, np.ones_like(day))
    return first + np.minimum(day, following - first) - 1


def add_months(days: np.ndarray, months: int | np.ndarray) -> np.ndarray:
    """The same day ``months`` months later (31 Jan + 1 month = 28/29 Feb)."""
    year, month, day = year_month_day(days)
    total = year * 12 + (month - 1) + np.asarray(months, np.int64)
    return from_year_month_day(total // 12, total % 12 + 1, day)


def add_years(days: np.ndarray, years: int | np.ndarray) -> np.ndarray:
    """The anniversary ``years`` years later (29 Feb falls on 28 Feb in common years)."""
    return add_months(days, np.asarray(years, np.int64) * 12)


def weekday(days: np.ndarray) -> np.ndarray:
    """0 = Monday ... 6 = Sunday (1 January 1970 was a Thursday)."""
    return (np.asarray(days, np.int64) + 3) % 7


def easter_sunday(years: Iterable[int] | np.ndarray) -> np.ndarray:
    """Day numbers of Easter Sunday (Gregorian calendar), anonymous Gregorian algorithm."""
    y = np.asarray(years, dtype=np.int64)
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month = (h + leap - 7 * m + 114) // 31
    day = (h + leap - 7 * m + 114) % 31 + 1
    return from_year_month_day(y, month, day)


def buss_und_bettag(years: Iterable[int] | np.ndarray) -> np.ndarray:
    """Day numbers of Buß- und Bettag: the last Wednesday before 23 November."""
    y = np.asarray(years, dtype=np.int64)
    nov22 = from_year_month_day(y, np.full_like(y, 11), np.full_like(y, 22))
    return nov22 - (weekday(nov22) - 2) % 7


def saxon_holidays(first_year: int, last_year: int) -> "pd.DataFrame":
    """Public holidays in Saxony (SächsSFG § 1) for the years given, one row per holiday.

    Columns: ``tag`` (day number), ``name``. The rules come from
    ``reference/feiertage_sachsen.csv``: ``bezug`` is ``datum`` (fixed
    ``monat``/``tag``), ``ostersonntag`` (``versatz_tage`` from Easter
    Sunday) or ``buss_und_bettag``.
    """
    import pandas as pd

    rules = reference.load("feiertage_sachsen")
    years = np.arange(first_year, last_year + 1, dtype=np.int64)
    easter = easter_sunday(years)
    bettag = buss_und_bettag(years)
    frames = []
    for rule in rules.itertuples(index=False):
        if rule.bezug == "datum":
            days = from_year_month_day(years, np.full_like(years, int(rule.monat)), np.full_like(years, int(rule.tag)))
        elif rule.bezug == "ostersonntag":
            days = easter + int(rule.versatz_tage)
        elif rule.bezug == "buss_und_bettag":
            days = bettag
        else:
            raise ValueError(f"feiertage_sachsen.csv: unknown bezug {rule.bezug!r} for {rule.name}")
        frames.append(pd.DataFrame({"tag": days, "name": rule.name}))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values("tag", kind="stable", ignore_index=True)


def iso(day: int) -> dt.date:
    """A day number as a ``datetime.date`` (for messages and tests)."""
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))

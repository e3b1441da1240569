"""Office hours: working days and a working-time clock for process timestamps.

Counter visits and letters arrive on working days, notices leave on working
days, and a clerk's steps happen during office hours. Working days are
Monday to Friday except Saxon public holidays (``kalender.saxon_holidays``).
The *working-time clock* counts only office seconds (07:30 to 16:30 on
working days), so spreading steps evenly on that clock and mapping them back
puts every manual step inside office hours, in order, without a loop.

The calendar is a lookup table over the years asked for (plus a year either
side): tens of millions of timestamps convert with a few array lookups.
"""

from __future__ import annotations

import numpy as np

from sandbox.synth.kalender import from_year_month_day, saxon_holidays

__all__ = ["Arbeitskalender", "WORK_START", "WORK_SECONDS", "DAY"]

DAY = 86_400
WORK_START = 7 * 3600 + 30 * 60  # 07:30
WORK_SECONDS = 9 * 3600  # until 16:30


class Arbeitskalender:
    """Working days from 1 January of ``first_year - 1`` to 31 December of ``last_year + 1``."""

    def __init__(self, first_year: int, last_year: int) -> None:
        self.lo = int(from_year_month_day(np.array([first_year - 1]), np.array([1]), np.array([1]))[0])
        hi = int(from_year_month_day(np.array([last_year + 1]), np.array([12]), np.array([31]))[0])
        days = np.arange(self.lo, hi + 1)
        holidays = saxon_holidays(first_year - 1, last_year + 1)["tag"].to_numpy(np.int64)
        self.workday = ((days + 3) % 7 < 5) & ~np.isin(days, holidays)
        #: working days before each day (clock index of the day's opening)
        self.index = np.cumsum(self.workday) - self.workday
        self.days = days[self.workday]  # the working days, in order
        self.next = self.days[np.minimum(self.index, len(self.days) - 1)]
        self.prev = self.days[np.maximum(np.cumsum(self.workday) - 1, 0)]

    def _at(self, days: np.ndarray) -> np.ndarray:
        pos = np.asarray(days, np.int64) - self.lo
        if len(pos) and (pos.min() < 0 or pos.max() >= len(self.workday)):
            raise ValueError("day outside the working calendar; build it for the years in use")
        return pos

    def is_workday(self, days: np.ndarray) -> np.ndarray:
        return self.workday[self._at(days)]

    def roll(self, days: np.ndarray, forward: bool = True) -> np.ndarray:
        """The day itself if it is a working day, else the next (or previous) working day."""
        return (self.next if forward else self.prev)[self._at(days)]

    def to_clock(self, seconds: np.ndarray) -> np.ndarray:
        """Unix seconds -> office seconds since the calendar's start; off-hours map to the next opening."""
        seconds = np.asarray(seconds, np.int64)
        days = seconds // DAY
        pos = self._at(days)
        within = np.where(self.workday[pos], np.clip(seconds - days * DAY - WORK_START, 0, WORK_SECONDS), 0)
        return self.index[pos] * WORK_SECONDS + within

    def from_clock(self, clock: np.ndarray) -> np.ndarray:
        """Office seconds since the calendar's start -> Unix seconds inside office hours."""
        index, offset = np.divmod(np.asarray(clock, np.int64), WORK_SECONDS)
        return self.days[index] * DAY + WORK_START + offset

    def day_opening(self, days: np.ndarray) -> np.ndarray:
        """Clock value at 07:30 of each day (the next opening for days off)."""
        return self.index[self._at(days)] * WORK_SECONDS

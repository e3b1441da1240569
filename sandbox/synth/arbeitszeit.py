"""Office hours: working days and a working-time clock for process timestamps.

Counter visits and letters arrive on working days, notices leave on working
days, and a clerk's steps happen during office hours. Working days are
Monday to Friday except Saxon public holidays (``kalender.saxon_holidays``).
The *working-time clock* counts only office seconds (07:30 to 16:30 on
working days), so spreading steps evenly on that clock and mapping them back
puts every manual step inside office hours, in order, without a loop.
"""

from __future__ import annotations

import numpy as np

from sandbox.synth.kalender import saxon_holidays

__all__ = ["Arbeitskalender", "WORK_START", "WORK_SECONDS", "DAY"]

DAY = 86_400
WORK_START = 7 * 3600 + 30 * 60  # 07:30
WORK_SECONDS = 9 * 3600  # until 16:30
_ANCHOR = np.datetime64("1990-01-02", "D")  # a Tuesday and no holiday: clock zero


class Arbeitskalender:
    """Working days of the years given (plus a year either side), for vectorised date arithmetic."""

    def __init__(self, first_year: int, last_year: int) -> None:
        holidays = saxon_holidays(first_year - 1, last_year + 1)["tag"].to_numpy(np.int64)
        self.calendar = np.busdaycalendar(weekmask="1111100", holidays=holidays.astype("datetime64[D]"))

    def is_workday(self, days: np.ndarray) -> np.ndarray:
        return np.is_busday(np.asarray(days, np.int64).astype("datetime64[D]"), busdaycal=self.calendar)

    def roll(self, days: np.ndarray, forward: bool = True) -> np.ndarray:
        """The day itself if it is a working day, else the next (or previous) working day."""
        dates = np.asarray(days, np.int64).astype("datetime64[D]")
        rolled = np.busday_offset(dates, 0, roll="forward" if forward else "backward", busdaycal=self.calendar)
        return (rolled - np.datetime64("1970-01-01", "D")).astype(np.int64)

    def to_clock(self, seconds: np.ndarray) -> np.ndarray:
        """Unix seconds -> working seconds since the anchor; off-hours map to the next opening."""
        seconds = np.asarray(seconds, np.int64)
        days = seconds // DAY
        index = np.busday_count(_ANCHOR, days.astype("datetime64[D]"), busdaycal=self.calendar)
        within = np.clip(seconds - days * DAY - WORK_START, 0, WORK_SECONDS)
        within = np.where(self.is_workday(days), within, 0)
        return index.astype(np.int64) * WORK_SECONDS + within

    def from_clock(self, clock: np.ndarray) -> np.ndarray:
        """Working seconds since the anchor -> Unix seconds inside office hours."""
        clock = np.asarray(clock, np.int64)
        index, offset = np.divmod(clock, WORK_SECONDS)
        days = np.busday_offset(_ANCHOR, index, roll="forward", busdaycal=self.calendar)
        return (days - np.datetime64("1970-01-01", "D")).astype(np.int64) * DAY + WORK_START + offset

    def day_opening(self, days: np.ndarray) -> np.ndarray:
        """Clock value at 07:30 of each (working) day."""
        return self.to_clock(np.asarray(days, np.int64) * DAY + WORK_START)

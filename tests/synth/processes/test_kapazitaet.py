"""Office capacity: the same work takes longer over Christmas, in summer and in an office with a backlog."""

from __future__ import annotations

import numpy as np

from sandbox.synth.kalender import from_year_month_day
from sandbox.synth.processes.kapazitaet import Kapazitaet, saisonale_kapazitaet


def _day(year: int, month: int, day: int) -> int:
    return int(from_year_month_day(np.array([year]), np.array([month]), np.array([day]))[0])


def test_holidays_and_summer_cut_capacity() -> None:
    days = np.array([_day(2024, 10, 15), _day(2024, 12, 27), _day(2024, 7, 20), _day(2024, 2, 10)])
    october, christmas, july, february = saisonale_kapazitaet(days)
    assert october == 1.0 and christmas < july < february < october


def test_work_started_before_christmas_or_in_summer_ends_later() -> None:
    kap = Kapazitaet(np.random.default_rng(0), 40, _day(2022, 1, 1), _day(2025, 12, 31))
    pools = np.arange(40)
    work = np.full(40, 30.0)
    took = {name: kap.ende(pools, np.full(40, _day(2023, m, d)), work) - _day(2023, m, d)
            for name, (m, d) in {"oktober": (10, 2), "advent": (12, 18), "juli": (7, 3)}.items()}
    assert np.median(took["advent"]) > np.median(took["oktober"])
    assert np.median(took["juli"]) > np.median(took["oktober"])
    assert took["oktober"].min() >= 24  # capacity seldom above full staff
    assert len(np.unique(took["oktober"])) > 3  # offices differ: backlogs from illness and vacancies


def test_end_is_never_before_start_and_grows_with_work() -> None:
    kap = Kapazitaet(np.random.default_rng(1), 3, _day(2023, 1, 1), _day(2024, 12, 31))
    start = np.array([_day(2023, 3, 1)] * 3)
    short, long = kap.ende(np.arange(3), start, np.full(3, 5.0)), kap.ende(np.arange(3), start, np.full(3, 50.0))
    assert (short >= start).all() and (long > short).all()
    beyond = kap.ende(np.array([0]), np.array([_day(2024, 12, 1)]), np.array([100.0]))
    assert beyond[0] > _day(2024, 12, 31)  # past the range at full pace, not clipped


def test_every_table_sees_the_same_backlogs_for_a_seed() -> None:
    from sandbox.synth.processes.kapazitaet import der_stellen

    first, last = _day(2023, 1, 1), _day(2024, 12, 31)
    a, b, other = der_stellen(7, 5, first, last), der_stellen(7, 5, first, last), der_stellen(8, 5, first, last)
    assert np.array_equal(a.factor, b.factor) and not np.array_equal(a.factor, other.factor)

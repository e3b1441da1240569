"""Business changes: inside each life and the event years, at Destatis' ratio of Ummeldungen to Anmeldungen."""

from __future__ import annotations

import numpy as np

from sandbox.synth.kalender import MISSING, YEAR
from sandbox.synth.processes import gewerbeleben

REF = 20_000
WINDOW = REF - int(5 * YEAR)


def test_changes_lie_inside_life_and_window_at_the_official_ratio() -> None:
    rng = np.random.default_rng(7)
    residents = 400_000.0
    life = gewerbeleben.lives(rng, np.array([residents]), 0.038, REF, WINDOW)
    day = gewerbeleben.changes(rng, life.start, life.end, REF, WINDOW, 0.038)
    has = day != MISSING
    assert (day[has] > np.maximum(life.start[has], WINDOW)).all() and (day[has] < life.end[has]).all()
    assert (day[has] <= REF).all()
    p = gewerbeleben.dynamik()
    expected = p["ummeldungen_je_anmeldung"] * p["anmeldungen_je_1000"]
    observed = has.sum() / residents / 5 * 1000
    assert abs(observed - expected) < 0.1 * expected
    per_year = np.histogram(day[has], bins=5, range=(WINDOW, REF))[0]
    assert per_year.min() > 0.85 * per_year.mean()  # spread over the event years, not piled at either end


def test_no_change_without_a_day_alive_in_the_window() -> None:
    rng = np.random.default_rng(3)
    start = np.array([WINDOW - 400, REF - 1, REF - 10])
    end = np.array([WINDOW, REF + 50, REF - 9])  # closed before the window; opened on the eve; alive one day only
    day = gewerbeleben.changes(rng, start, end, REF, WINDOW, 1e-6)  # tiny density: every business changes if it can
    assert day[0] == MISSING and day[2] == MISSING and day[1] == REF

"""Yearly cases from the people who need them: identity documents by validity and age, weddings from the register."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.synth.processes import bedarf, katalog

PERSONALAUSWEIS = "99102013001000"


def _rate(ages: np.ndarray, key: str = PERSONALAUSWEIS) -> float:
    cat = katalog.katalog()
    return float(bedarf.rates(cat, ages)[cat.leika_schluessel.tolist().index(key)])


def test_id_cards_follow_validity_by_age() -> None:
    """Six years under 24, ten from 24 (PAuswG § 6), none before 16: 1000 x 0.95 / validity + losses."""
    assert _rate(np.full(1000, 20.0)) > _rate(np.full(1000, 50.0)) > _rate(np.full(1000, 10.0))
    assert 90 <= _rate(np.full(1000, 50.0)) <= 105  # 95 renewals + 4 lost per 1,000
    saxony_like = np.r_[np.full(13, 8.0), np.full(9, 20.0), np.full(78, 50.0)]  # under 16, 16-23, 24 and over (%)
    assert 80 <= _rate(saxony_like) <= 95
    weight = bedarf.renewal_weight([PERSONALAUSWEIS, "99115001001000"], np.array([0, 0, 0, 1]), np.array([10.0, 20.0, 50.0, 50.0]))
    assert np.allclose(weight, [0.0, 1.0, 0.6, 1.0])  # 16 to 23 renew every 6 years, from 24 every 10: 6/10


def test_weddings_per_1000_count_couples_in_the_window() -> None:
    events = pd.DataFrame({"ereignisart": ["Eheschließung"] * 4 + ["Zuzug"],
                           "ereignisdatum": pd.to_datetime(["2024-06-01"] * 2 + ["2020-06-01"] * 2 + ["2024-06-01"])})
    first, last = ((pd.Timestamp(d) - pd.Timestamp("1970-01-01")).days for d in ("2023-12-31", "2024-12-31"))
    assert abs(bedarf.marriages_per_1000(events, 1000, first, last) - 1.0) < 0.01  # one couple, 1,000 residents, one year

"""The marital status of people not married today follows their life course, not the gaps of the couple matching."""

from __future__ import annotations

import numpy as np

from sandbox.synth.population.partnerschaft import GESCHIEDEN, LEDIG, VERWITWET, unmarried_status, years_since_divorce

PARAMS = {"altersabstand": {"mittel": 3.0}, "scheidung_anteil": 0.36, "scheidung_mittlere_dauer": 15,
          "wiederheirat_geschiedene": 0.4, "wiederheirat_verwitwete": 0.1}


def _status(married_share: float, n: int = 40_000) -> np.ndarray:
    rng = np.random.default_rng(5)
    age = np.full(n, 50.0)
    status, _ = unmarried_status(rng, age, np.zeros(n, np.int64), 2024 - age.astype(np.int64),
                                 np.full(n, married_share), PARAMS)
    return status


def test_too_few_couples_make_people_single_not_divorced() -> None:
    usual, few = _status(0.6), _status(0.3)
    divorced_usual = (usual == GESCHIEDEN).mean() * 0.4  # shares of all 50-year-olds
    divorced_few = (few == GESCHIEDEN).mean() * 0.7
    assert abs(divorced_few - divorced_usual) < 0.03
    assert (few == LEDIG).mean() > (usual == LEDIG).mean()
    assert set(np.unique(usual)) <= {LEDIG, VERWITWET, GESCHIEDEN}


def test_divorces_lie_inside_the_marriage() -> None:
    married_for = np.random.default_rng(1).uniform(0.0, 40.0, 10_000)
    since = years_since_divorce(np.random.default_rng(2), married_for)
    assert (since >= 0).all() and (since <= np.maximum(married_for, 0.5)).all()
    assert np.median(since / np.maximum(married_for, 0.5)) > 0.3  # spread over the marriage, not at its start

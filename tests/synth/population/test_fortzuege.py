"""Moves away are whole households or parts of them, at the profile's rate and age profile."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.synth import TABLES
from sandbox.synth.context import Context
from sandbox.synth.population.fortzuege import away_rate_by_age, movers
from sandbox.synth.population.residents import Residents
from sandbox.synth.profile import load_profile

WEGZUG = 50.5  # GBE Sachsen 2.11: Fortzüge über die Gemeindegrenze je 1.000 (2022)


@pytest.fixture(scope="module")
def population():
    ctx = Context(load_profile("musterstadt"), seed=7)
    for name in ("gemeinden", "anschriften", "haushalte"):
        ctx.tables[name] = TABLES[name].generate(ctx)
    return ctx.shared(Residents).population


def test_movers_leave_together_at_the_profile_rate(population) -> None:
    m = movers(np.random.default_rng(1), population, 20_000, 5, WEGZUG)
    expected = len(population.age) * WEGZUG / 1000 * 5
    assert abs(len(m.template) - expected) < 0.1 * expected
    assert np.all(np.diff(m.group) >= 0)  # members of a group adjacent
    first = np.r_[0, np.flatnonzero(np.diff(m.group)) + 1]
    assert np.all(m.day == np.repeat(m.day[first], np.diff(np.r_[first, len(m.group)])))
    assert np.all((m.day <= 20_000) & (m.day > 20_000 - 5 * 366))
    adults = np.bincount(m.group, population.age[m.template] >= 18)
    assert adults.min() >= 1  # no group of children alone
    sizes = np.bincount(m.group)
    assert 0.3 < (sizes[m.group] > 1).mean() < 0.9  # most move as a couple or family, many young adults alone


def test_spouses_move_with_each_other(population) -> None:
    m = movers(np.random.default_rng(2), population, 20_000, 5, WEGZUG)
    paired = np.flatnonzero(m.spouse >= 0)
    assert len(paired) > 200
    assert np.all(m.spouse[m.spouse[paired]] == paired)
    assert np.all(m.group[m.spouse[paired]] == m.group[paired])
    assert np.all(population.spouse[m.template[paired]] == m.template[m.spouse[paired]])


def test_young_adults_are_the_most_mobile(population) -> None:
    m = movers(np.random.default_rng(3), population, 20_000, 5, WEGZUG)
    age = population.age[m.template]

    def per_1000(lo: int, hi: int) -> float:
        return ((age >= lo) & (age <= hi)).sum() / ((population.age >= lo) & (population.age <= hi)).sum() / 5 * 1000

    assert per_1000(18, 24) > 3 * per_1000(50, 64)
    assert per_1000(18, 24) == pytest.approx(float(away_rate_by_age(np.array([20]))[0]), rel=0.35)

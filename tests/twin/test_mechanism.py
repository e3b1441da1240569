"""The budget: pure ε-DP for δ = 0, and OpenDP's own accounting from (ε, δ) to zCDP otherwise."""

from __future__ import annotations

import pytest

from sandbox.errors import SandboxError
from sandbox.twin.mechanism import budget


def test_pure_epsilon_without_delta() -> None:
    spent = budget(1.0, 0.0)
    assert (spent.measure, spent.rho) == ("max_divergence", None)
    assert spent.loss()[1] == 1.0


def test_delta_turns_into_a_zcdp_budget_that_opendp_maps_back_within_epsilon() -> None:
    import opendp.prelude as dp

    spent = budget(1.0, 1e-6)
    assert spent.measure == "zCDP" and spent.rho is not None and 0.005 < spent.rho < 0.05
    scale = (1 / (2 * spent.rho)) ** 0.5  # the Gaussian mechanism whose zCDP loss at distance 1 is rho
    gauss = dp.m.make_gaussian(dp.atom_domain(T=float, nan=False), dp.absolute_distance(T=float), scale)
    epsilon = dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(gauss), 1e-6).map(1.0)[0]
    assert 0.95 < epsilon <= 1.0 + 1e-9
    assert budget(4.0, 1e-6).rho > spent.rho


@pytest.mark.parametrize(("epsilon", "delta", "message"), [
    (0.0, 0.0, "größer als 0"), (float("nan"), 0.0, "größer als 0"), (101.0, 0.0, "unsinnig"),
    (1.0, -1e-9, "--delta"), (1.0, 0.01, "--delta")])
def test_bad_budgets(epsilon: float, delta: float, message: str) -> None:
    with pytest.raises(SandboxError, match=message):
        budget(epsilon, delta)

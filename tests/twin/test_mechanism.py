"""The budget (pure ε-DP for δ = 0, OpenDP's accounting from (ε, δ) to zCDP otherwise), MST on OpenDP 0.16,
and the numpy marginals AIM scores its candidates on."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.errors import SandboxError
from sandbox.twin.domain import Domain, DomainColumn
from sandbox.twin.mechanism import Settings, budget, synthesize
from sandbox.twin.pgm import fast_model


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


def _cells(columns: int, rows: int, seed: int) -> tuple[np.ndarray, Domain]:
    """Rows of ``columns`` category columns, each a noisy copy of the one before (so pairs carry structure)."""
    rng = np.random.default_rng(seed)
    cells = np.empty((rows, columns), dtype=np.int32)
    cells[:, 0] = rng.integers(0, 4, rows)
    for j in range(1, columns):
        cells[:, j] = np.where(rng.random(rows) < 0.7, cells[:, j - 1], rng.integers(0, 4, rows))
    domain = Domain(tuple(DomainColumn(f"k{j}", "kategorie", "string", values=("a", "b", "c", "d"))
                          for j in range(columns)))
    return cells, domain


@pytest.mark.parametrize("delta", [0.0, 1e-6])
def test_mst_spends_the_budget_on_eight_columns(delta: float) -> None:
    """From seven columns on, OpenDP 0.16's MST split its selection budget one float step too wide and failed."""
    cells, domain = _cells(8, 2_000, 1)
    twin = synthesize(cells, domain, budget(1.0, delta), "mst", seed=3, settings=Settings(iterations=40))
    assert twin.shape[1] == 8 and 1_800 < len(twin) < 2_200
    assert twin.min() >= 0 and twin.max() <= 3


def test_numpy_marginals_match_private_pgm() -> None:
    from mbi import LinearMeasurement
    from mbi import Domain as PgmDomain
    from mbi.estimation import mirror_descent
    from mbi.marginal_oracles import variable_elimination

    cells, _ = _cells(4, 500, 2)
    names = ("w", "x", "y", "z")
    pgm = PgmDomain.fromdict(dict.fromkeys(names, 4))

    def measured(*clique: str) -> LinearMeasurement:
        counts = np.zeros((4,) * len(clique))
        np.add.at(counts, tuple(cells[:, names.index(c)] for c in clique), 1)
        return LinearMeasurement(counts.ravel(), clique, stddev=1.0)

    model = mirror_descent(pgm, [measured("w", "x"), measured("x", "y"), measured("z")], iters=40)
    fast = fast_model(model)
    for query in [("w", "y"), ("z", "w"), ("y",), ("x", "w"), ("y", "z")]:
        expected = np.asarray(variable_elimination(model.potentials, query, model.total).values)
        np.testing.assert_allclose(fast.project(query).values, expected, rtol=1e-9, atol=1e-9)


def test_aim_pairs_beat_independent_columns_at_epsilon_one() -> None:
    """The point of the twin: its column pairs are closer to the records than independent columns drawn from the
    exact one-way distributions."""
    from sandbox.twin.utility import _marginals, independent_baseline

    cells, domain = _cells(6, 5_000, 4)
    twin = synthesize(cells, domain, budget(1.0, 0.0), "aim", seed=5, settings=Settings(iterations=60))
    sizes = [4] * 6
    tvd = np.mean(_marginals(cells, twin, sizes, 2))
    independent = np.mean(_marginals(cells, independent_baseline(cells, len(twin), 5), sizes, 2))
    assert tvd < 0.85 * independent

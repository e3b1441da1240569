"""The differentially private step: OpenDP's AIM or MST on Private-PGM (``opendp.extras.mbi``).

The extract's cells go into an OpenDP context whose privacy unit is one
record (each person contributes one row) and whose privacy loss is the
user's budget. With δ = 0 the budget is pure ε-DP (Laplace noise). With
δ > 0 OpenDP's own accounting turns (ε, δ) into a zCDP budget ρ (Gaussian
noise): the largest ρ whose conversion ``make_zCDP_to_approxDP`` with
``make_fix_delta`` stays within (ε, δ), found by OpenDP's binary search. All
keys are declared from the domain, so no key and no threshold is read from
the data. The noise comes from OpenDP's cryptographically secure generator
and cannot be seeded, on purpose; the seed fixes only the sampling of rows
from the fitted model and the values drawn inside bins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from sandbox.errors import SandboxError
from sandbox.twin.domain import Domain

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Budget", "Settings", "MECHANISMS", "MAX_EPSILON", "MAX_ROWS", "budget", "synthesize", "library_versions"]

MECHANISMS = ("aim", "mst")
#: above this ε the guarantee says little; refused as input (Annahme; the gate is stricter, see gate.py)
MAX_EPSILON = 100.0
#: most rows a twin may have (Annahme: memory of the sampling step on a 4 GiB machine)
MAX_ROWS = 5_000_000


@dataclass(frozen=True)
class Settings:
    """How hard the mechanism works; more means better fit and longer runs (Annahme, see README)."""

    rounds_per_column: int = 1  # AIM rounds per column (OpenDP's default is 16: too slow on 2 cores)
    iterations: int = 100  # mirror-descent iterations per model fit, warm-started (Private-PGM's default is 1000)
    max_degree: int = 2  # largest marginal AIM considers
    #: share of ε for the one-way marginals measured before AIM/MST choose; OpenDP defaults to 0.5, which left AIM
    #: too little to beat independent columns (README, "Zwilling"); AIM's paper spends about 6 % (McKenna et al. 2022)
    oneway_split: float = 0.1


@dataclass(frozen=True)
class Budget:
    """The privacy budget as the user gave it and as OpenDP spends it."""

    epsilon: float
    delta: float
    measure: str  # "max_divergence" (pure ε-DP) or "zCDP"
    rho: float | None  # the zCDP budget when δ > 0

    def loss(self) -> tuple[Any, Any]:
        import opendp.prelude as dp

        return dp.loss_of(epsilon=self.epsilon) if self.rho is None else dp.loss_of(rho=self.rho)


def budget(epsilon: float, delta: float) -> Budget:
    """Check (ε, δ) and find the zCDP budget that OpenDP's accounting maps within it."""
    if not math.isfinite(epsilon) or epsilon <= 0:
        raise SandboxError(f"--epsilon muss größer als 0 sein; übliche Werte liegen zwischen 0,1 und 10")
    if epsilon > MAX_EPSILON:
        raise SandboxError(f"--epsilon {epsilon:g} ist unsinnig groß (höchstens {MAX_EPSILON:g}); bei so großem ε "
                           "schützt die Garantie praktisch nicht mehr")
    if not math.isfinite(delta) or delta < 0 or delta >= 1e-3:
        raise SandboxError("--delta muss 0 oder eine kleine Zahl unter 0,001 sein (üblich: 1e-6 oder kleiner)")
    if delta == 0:
        return Budget(epsilon, 0.0, "max_divergence", None)
    import opendp.prelude as dp

    dp.enable_features("contrib")

    def converted(scale: float) -> Any:
        gauss = dp.m.make_gaussian(dp.atom_domain(T=float, nan=False), dp.absolute_distance(T=float), scale)
        return dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(gauss), delta)

    scale = dp.binary_search_param(converted, d_in=1.0, d_out=(epsilon, delta), T=float)
    rho = float(dp.m.make_gaussian(dp.atom_domain(T=float, nan=False), dp.absolute_distance(T=float), scale).map(1.0))
    return Budget(epsilon, delta, "zCDP", rho)


def library_versions() -> dict[str, str]:
    """Versions of the libraries that made the twin, for the report."""
    return {name: version(name) for name in ("opendp", "mbi", "polars", "numpy")}


def _tolerate_exhausted_budget() -> None:
    """Make AIM stop, as OpenDP intends, when the budget left is too small for any noise scale.

    OpenDP 0.16's ``_make_aim_select`` returns None ("d_out is so small that no
    scale is suitable") on a ValueError, but the binary search raises an
    OpenDPException instead, which ends the run in its last rounds. Turning that
    one exception into None leaves the rest of the budget unspent: the
    guarantee is unchanged.
    """
    from opendp.extras.mbi import _aim
    from opendp.mod import OpenDPException

    original = _aim._make_aim_select
    if getattr(original, "_sandbox_tolerant", False):
        return

    def tolerant(*args: Any, **kwargs: Any) -> Any:
        try:
            return original(*args, **kwargs)
        except OpenDPException as exc:
            if "scale" in str(exc) and "non-negative" in str(exc):
                return None
            raise

    tolerant._sandbox_tolerant = True  # type: ignore[attr-defined]
    _aim._make_aim_select = tolerant


def _mst_within_rounding() -> None:
    """Let MST's selection ask for a hair less budget than it was given, so OpenDP's rounding fits.

    OpenDP 0.16's MST gives its selection step ``d_select`` and splits it into
    ``columns - 1`` equal parts of ``prior(d_select / parts)``; the composition
    sums the parts rounding upwards, and from about seven columns the sum lands
    one float step above ``d_select``: "insufficient budget for query". Asking
    for ``d_select * (1 - 1e-9)`` spends slightly less than allotted, so the
    guarantee is unchanged (OpenDP still checks every step).
    """
    from opendp.extras.mbi import _mst

    original = _mst._make_mst_select
    if getattr(original, "_sandbox_margin", False):
        return

    def within(*args: Any, d_out: float, **kwargs: Any) -> Any:
        return original(*args, d_out=d_out * (1 - 1e-9), **kwargs)

    within._sandbox_margin = True  # type: ignore[attr-defined]
    _mst._make_mst_select = within


def _algorithm(mechanism: str, columns: int, settings: Settings) -> Any:
    import opendp.prelude as dp
    from mbi.estimation import mirror_descent

    from sandbox.twin.pgm import fast_model

    def estimator(domain: Any, loss_fn: Any, *, potentials: Any = None) -> Any:
        return fast_model(mirror_descent(domain, loss_fn, potentials=potentials, iters=settings.iterations))

    if mechanism == "aim":
        _tolerate_exhausted_budget()
        return dp.mbi.AIM(queries=settings.max_degree, rounds=max(settings.rounds_per_column * columns, 2),
                          estimator=estimator, oneway_split=settings.oneway_split)
    _mst_within_rounding()
    return dp.mbi.MST(estimator=estimator, oneway_split=settings.oneway_split)


#: XLA compiles a kernel per model structure; its cheap optimisation level roughly thirds the compile time of a
#: run (measured: 72 s -> 52 s CPU at 100,000 x 15) for kernels that then run on small arrays anyway
_XLA_FLAGS = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"


def _fast_compiles() -> None:
    """Ask XLA for quick compiles, if JAX is not yet running and the user set no flags of their own."""
    import os
    import sys

    if "jax" not in sys.modules:
        os.environ.setdefault("XLA_FLAGS", _XLA_FLAGS)


def synthesize(cells: "np.ndarray", domain: Domain, spend: Budget, mechanism: str = "aim",
               rows: int | None = None, seed: int = 0, settings: Settings = Settings()) -> "np.ndarray":
    """Twin cells drawn from a model fitted under ``spend``; ``rows`` defaults to the noisy count."""
    _fast_compiles()
    import numpy as np
    import opendp.prelude as dp
    import polars as pl
    from opendp.mod import OpenDPException

    if mechanism not in MECHANISMS:
        raise SandboxError(f"--mechanism {mechanism!r} gibt es nicht; wählen Sie aim oder mst")
    dp.enable_features("contrib")
    frame = pl.DataFrame({c.name: cells[:, j].astype(np.int64) for j, c in enumerate(domain.columns)})
    keys = {c.name: list(range(c.size)) for c in domain.columns}
    context = dp.Context.compositor(data=frame.lazy(), privacy_unit=dp.unit_of(contributions=1),
                                    privacy_loss=spend.loss(), split_evenly_over=1)
    try:
        table = context.query().contingency_table(
            keys=keys, algorithm=_algorithm(mechanism, len(domain.columns), settings)).release()
    except OpenDPException as exc:
        if "insufficient budget" in str(exc):
            raise SandboxError(f"{mechanism.upper()} ist in OpenDP an einer Rundungsgrenze des Budgets gescheitert; "
                               "wählen Sie --mechanism aim oder ein anderes ε") from None
        raise
    state = np.random.get_state()  # Private-PGM samples rows with numpy's global generator
    try:
        np.random.seed(seed % 2**32)
        synthetic = table.synthesize(rows=rows)
    finally:
        np.random.set_state(state)
    return _fill_nulls(np.column_stack([synthetic[c.name].to_numpy().astype(float) for c in domain.columns]), seed)


def _fill_nulls(cells: "np.ndarray", seed: int) -> "np.ndarray":
    """OpenDP adds a null key to every column; a twin cell there gets a value drawn from its column's other
    cells (post-processing of the released twin, so the guarantee is untouched)."""
    import numpy as np

    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xF111]))
    for j in range(cells.shape[1]):
        empty = np.isnan(cells[:, j])
        if empty.any():
            present = cells[~empty, j]
            cells[empty, j] = rng.choice(present, size=int(empty.sum())) if len(present) else 0
    return cells.astype(np.int32)

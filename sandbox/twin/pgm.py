"""Marginals of a fitted Private-PGM model, computed with numpy instead of JAX's per-shape kernels.

AIM scores every candidate marginal in every round by asking the current
model for it (``MarkovRandomField.project``). Private-PGM answers a marginal
outside the model's cliques by variable elimination in JAX, and JAX compiles
a kernel for every new combination of array shapes: on a 15-column table
that was about 1,700 compilations and more than half of the twin's run time
(profile in README, "Zwilling"). The same marginal is one ``numpy.einsum``
over the model's potentials. Both compute the model's own distribution, from
the released potentials only: this is post-processing of DP output, so the
guarantee is untouched and AIM selects exactly as it would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    import numpy as np

__all__ = ["marginal", "fast_model"]


def marginal(potentials: Any, attrs: Sequence[str], total: float) -> "np.ndarray":
    """The model's counts over ``attrs`` (in that order), summing to ``total``.

    ``potentials`` is Private-PGM's ``CliqueVector`` of log-potentials; each is
    shifted by its maximum before ``exp`` so nothing overflows, which changes
    only the normalising constant.
    """
    import numpy as np

    names = list(potentials.domain.attrs)
    operands: list[Any] = []
    for clique in potentials.cliques:
        values = np.asarray(potentials[clique].values, dtype=np.float64)
        operands += [np.exp(values - values.max()), [names.index(a) for a in clique]]
    shape = potentials.domain.project(tuple(attrs)).shape
    out = [names.index(a) for a in attrs]
    covered = {a for clique in potentials.cliques for a in clique}
    for a in attrs:  # a column no potential mentions is uniform
        if a not in covered:
            operands += [np.ones(potentials.domain[a]), [names.index(a)]]
    counts = np.einsum(*operands, out, optimize="greedy") if operands else np.ones(shape)
    return counts * (total / counts.sum())


def fast_model(model: Any) -> Any:
    """``model`` as a MarkovRandomField whose ``project`` runs on numpy (same values, same class contract)."""
    import chex
    from mbi import Factor, MarkovRandomField

    global _FastModel
    if _FastModel is None:

        @chex.dataclass(frozen=True, kw_only=False)
        class FastModel(MarkovRandomField):  # type: ignore[misc]
            def project(self, attrs: str | Sequence[str]) -> Factor:
                attrs = (attrs,) if isinstance(attrs, str) else tuple(attrs)
                values = marginal(self.potentials, attrs, float(self.total))
                return Factor(self.potentials.domain.project(attrs), values)

        _FastModel = FastModel
    return _FastModel(potentials=model.potentials, marginals=model.marginals, total=model.total)


_FastModel: Any = None

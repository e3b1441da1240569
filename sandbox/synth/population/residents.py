"""The synthesised people with their household and address keys.

`haushalte` synthesises the population and publishes its households; it
shares this record (``ctx.share``) so that `einwohner` describes exactly the
same people, living where their household lives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.synth.population.bevoelkerung import Population

__all__ = ["Residents"]


@dataclass(frozen=True)
class Residents:
    """What `einwohner` receives: the synthesised people with their household and address keys."""

    population: Population
    haushalt_id: np.ndarray
    anschrift_id: np.ndarray

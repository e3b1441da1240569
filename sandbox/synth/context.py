"""Generation context: profile, seed, per-table random generators, generated parents.

Every table draws from its own ``numpy.random.Generator`` derived from the
seed and the table's name, so a table's bytes do not depend on which tables
were generated before it, on call order or on the number of cores.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.synth.profile import Profile

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["Context", "table_rng"]


def table_rng(seed: int, name: str, stream: str = "") -> "np.random.Generator":
    """A generator owned by one table (and optionally one named stream inside it)."""
    import numpy as np

    key = zlib.crc32(f"{name}/{stream}".encode("utf-8"))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, key])))


@dataclass
class Context:
    """What a generator gets: the profile, the seed and the tables made so far."""

    profile: Profile
    seed: int
    tables: dict[str, "pd.DataFrame"] = field(default_factory=dict)
    #: side outputs a table leaves for its children (never written to disk)
    extras: dict[str, Any] = field(default_factory=dict)

    def rng(self, table: str, stream: str = "") -> "np.random.Generator":
        return table_rng(self.seed, table, stream)

    def table(self, name: str) -> "pd.DataFrame":
        """A parent table; generators may only read tables they declare as parents."""
        try:
            return self.tables[name]
        except KeyError:
            raise RuntimeError(f"table {name} is needed but was not generated before") from None

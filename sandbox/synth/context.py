"""Generation context: profile, seed, per-table random generators, generated parents.

Every table draws from its own ``numpy.random.Generator`` derived from the
seed and the table's name, so a table's bytes do not depend on which tables
were generated before it, on call order or on the number of cores.

Besides the published tables, a generator may hand a typed side output to
the tables after it (the synthesised people behind `haushalte`, the hidden
household income behind `ansprueche`): ``ctx.share(owner, value)`` keys it
by its type, ``ctx.shared(Type)`` reads it, and it is released together with
the table that owns it. The types live in the model rooms, so no table
module imports another.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, cast

from sandbox.synth.profile import Profile

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["Context", "table_rng"]

T = TypeVar("T")


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
    #: typed side outputs for later tables (never written): type -> (owning table, value)
    side_outputs: dict[type, tuple[str, object]] = field(default_factory=dict, repr=False)

    def rng(self, table: str, stream: str = "") -> "np.random.Generator":
        return table_rng(self.seed, table, stream)

    def table(self, name: str) -> "pd.DataFrame":
        """A parent table; generators may only read tables they declare as parents."""
        try:
            return self.tables[name]
        except KeyError:
            raise RuntimeError(f"table {name} is needed but was not generated before") from None

    def share(self, owner: str, value: object) -> None:
        """Hand ``value`` (keyed by its type) from table ``owner`` to the tables generated after it."""
        self.side_outputs[type(value)] = (owner, value)

    def shared(self, kind: type[T]) -> T:
        """The side output of type ``kind`` that an earlier table shared."""
        try:
            return cast(T, self.side_outputs[kind][1])
        except KeyError:
            raise RuntimeError(f"{kind.__name__} is needed but no table shared it before") from None

    def release(self, table: str) -> None:
        """Drop a generated table and the side outputs it owns (keeps peak memory down)."""
        self.tables.pop(table, None)
        for kind in [k for k, (owner, _) in self.side_outputs.items() if owner == table]:
            del self.side_outputs[kind]

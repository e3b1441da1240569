"""What the realism measures read: a dataset's people, households and events, prepared once.

Ages are completed years on the profile's Stichtag; `gemeldet` people are the
register on that day, the others left it during the event years. Arrays are
numpy, built once per report, so forty measures cost a few seconds on
Saxony's four million residents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from sandbox.synth.profile import Profile

__all__ = ["RealismData", "TABLES_READ", "TABLES_OPTIONAL"]

TABLES_READ = ("einwohner", "haushalte", "meldeereignisse")
TABLES_OPTIONAL = ("gewerbe", "antraege", "termine", "vorgangsereignisse", "buergeranfragen")  # measures of a missing one are reported as not measurable


T = TypeVar("T")


def _years(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


@dataclass
class RealismData:
    frames: dict[str, "pd.DataFrame"]
    profile: "Profile"
    area: dict[str, float]  # official figures of the profile's area (expected_shares and kreise_demografie.csv)
    _texts: dict[tuple[str, str], np.ndarray] = field(default_factory=dict, repr=False)
    _derived: dict[str, Any] = field(default_factory=dict, repr=False)

    def once(self, name: str, build: Callable[["RealismData"], T]) -> T:
        """``build(self)``, computed once per report: measures in several modules share a derived view."""
        if name not in self._derived:
            self._derived[name] = build(self)
        return self._derived[name]

    @property
    def stichtag(self) -> dt.date:
        return self.profile.stichtag

    def text(self, table: str, column: str) -> np.ndarray:
        """A text column as an object array (cached: forty measures read the same few columns)."""
        key = (table, column)
        if key not in self._texts:
            self._texts[key] = self.frames[table][column].astype("object").to_numpy()
        return self._texts[key]

    def eq(self, table: str, column: str, value: str) -> np.ndarray:
        """True where the text column equals ``value`` (fast on the categorical columns the loader makes)."""
        return (self.frames[table][column] == value).to_numpy(dtype=bool, na_value=False)

    def isin(self, table: str, column: str, values: Any) -> np.ndarray:
        """True where the text column holds one of ``values`` (vectorised in Arrow)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        array = pa.array(self.frames[table][column].astype("object"), type=pa.string(), from_pandas=True)
        found = pc.is_in(array, value_set=pa.array(sorted({str(v) for v in values}), pa.string()))
        return pc.fill_null(found, False).to_numpy(zero_copy_only=False)

    def days(self, column: str) -> np.ndarray:
        """A date column of einwohner as days since epoch (a large negative number where empty)."""
        values = self.frames["einwohner"][column].to_numpy(dtype="datetime64[D]")
        return np.where(np.isnat(values), np.iinfo(np.int64).min // 2, values.astype(np.int64))

    @cached_property
    def ref(self) -> int:
        return (self.stichtag - dt.date(1970, 1, 1)).days

    @cached_property
    def now(self) -> np.ndarray:
        return self.eq("einwohner", "meldestatus", "gemeldet")

    @cached_property
    def dead(self) -> np.ndarray:
        return self.eq("einwohner", "meldestatus", "verstorben")

    @cached_property
    def death_age(self) -> np.ndarray:
        """Age at death of the deceased, -1 for everybody else."""
        return np.where(self.dead, self.age_on(self.days("abmeldedatum")), -1)

    @cached_property
    def birth(self) -> np.ndarray:
        return self.days("geburtsdatum")

    def age_on(self, day: np.ndarray | int, rows: np.ndarray | None = None) -> np.ndarray:
        """Completed years on ``day`` (days since epoch) of everybody, or of the given rows."""
        b = (self.birth if rows is None else self.birth[rows]).astype("datetime64[D]")
        d = np.broadcast_to(np.asarray(day, dtype=np.int64), b.shape).astype("datetime64[D]")
        years = _years(d.astype(np.int64)) - _years(b.astype(np.int64))
        day_of_year = lambda x: (x - x.astype("datetime64[Y]").astype("datetime64[D]")).astype(np.int64)  # noqa: E731
        before = day_of_year(d) < day_of_year(b)  # birthday not yet reached (leap days aside)
        return years - before.astype(np.int64)

    @cached_property
    def age(self) -> np.ndarray:
        return self.age_on(self.ref)

    @cached_property
    def female(self) -> np.ndarray:
        return self.eq("einwohner", "geschlecht", "weiblich")

    @cached_property
    def male(self) -> np.ndarray:
        return self.eq("einwohner", "geschlecht", "männlich")

    @cached_property
    def foreign(self) -> np.ndarray:
        return ~self.eq("einwohner", "staatsangehoerigkeit", "deutsch")

    @cached_property
    def birth_year(self) -> np.ndarray:
        return _years(self.birth)

    @cached_property
    def first_given(self) -> "pd.Series":
        """The first given name of everybody (as text)."""
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        names = pa.array(self.frames["einwohner"]["vornamen"].astype("object"), type=pa.string(), from_pandas=True)
        first = pc.list_element(pc.split_pattern(names, " ", max_splits=1), 0)
        return pd.Series(first.to_pandas(), dtype="object")

    def first_given_in(self, values: Any) -> np.ndarray:
        return self.first_given.isin(set(values)).to_numpy()

    @cached_property
    def register_events(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(einwohner row, kind, day, anschrift_id) of every register event (cached: a dozen measures read them)."""
        ev = self.frames["meldeereignisse"]
        rows = np.searchsorted(self.frames["einwohner"]["einwohner_id"].to_numpy(), ev["einwohner_id"].to_numpy())
        days = ev["ereignisdatum"].to_numpy(dtype="datetime64[D]").astype(np.int64)
        return rows, self.text("meldeereignisse", "ereignisart"), days, ev["anschrift_id"].to_numpy(dtype=np.int64)

    def events(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """(einwohner row, day) of the register events of one kind."""
        rows, kinds, days, _ = self.register_events
        pick = kinds == kind
        return rows[pick], days[pick]

    @cached_property
    def population(self) -> int:
        return int(self.now.sum())

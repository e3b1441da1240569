"""Vectorised sampling helpers shared by the generators.

Nothing here draws one row at a time: every function takes or returns numpy
arrays, so a table of four million rows costs a few array operations.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from sandbox.synth.kalender import YEAR

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "parse_band",
    "band_values",
    "sample_ages",
    "weighted_choice",
    "top_k_weighted",
    "birth_dates",
    "days_before",
    "to_dates",
    "as_seconds",
    "year_of_day",
    "EPOCH",
    "take_strings",
    "join_strings",
    "nullable_int",
    "nullable_dates",
    "lookup_table",
    "draw",
    "codes",
    "positions",
    "group_rows",
    "dense_rank",
]

EPOCH = dt.date(1970, 1, 1)


def parse_band(label: str) -> tuple[int, int]:
    """'18-29' -> (18, 29), inclusive bounds."""
    lo, hi = str(label).split("-")
    return int(lo), int(hi)


def band_values(ages: np.ndarray, bands: Mapping[str, Any], default: Any = 0.0) -> np.ndarray:
    """For every age, the value of the band it falls into (``default`` outside).

    Whole non-negative ages are looked up in a per-year table (one gather for
    millions of people); other ages fall back to one mask per band.
    """
    values = list(bands.values())
    first = values[0] if values else default
    dtype = np.asarray(first).dtype if np.isscalar(first) else object
    ages = np.asarray(ages)
    if ages.dtype.kind in "iu" and (len(ages) == 0 or ages.min() >= 0):
        top = max([int(ages.max()) if len(ages) else 0, *(parse_band(label)[1] for label in bands)]) + 1
        table = np.full(top, default, dtype=dtype)
        for label, value in bands.items():
            lo, hi = parse_band(label)
            table[lo:hi + 1] = value
        return table[ages]
    out = np.full(ages.shape, default, dtype=dtype)
    for label, value in bands.items():
        lo, hi = parse_band(label)
        out[(ages >= lo) & (ages <= hi)] = value
    return out


def sample_ages(rng: np.random.Generator, n: int, pyramid: Mapping[str, float]) -> np.ndarray:
    """n integer ages following an age pyramid given as band -> share.

    Ages are spread evenly inside a band, except the oldest band, whose
    density falls by 15 % a year (few people reach 99).
    """
    labels = list(pyramid)
    weights: list[np.ndarray] = []
    for label in labels:
        lo, hi = parse_band(label)
        years = np.arange(lo, hi + 1)
        shape = 0.85 ** (years - lo) if label == labels[-1] else np.ones(len(years))
        weights.append(float(pyramid[label]) * shape / shape.sum())
    first_age = parse_band(labels[0])[0]
    return first_age + draw(rng, lookup_table(np.concatenate(weights), resolution=1 << 20), n).astype(np.int64)


def weighted_choice(rng: np.random.Generator, options: Mapping[Any, float] | Any, size: int, weights: Any = None) -> np.ndarray:
    """Draw ``size`` values from a mapping value -> weight (or options plus weights)."""
    keys = list(options)
    if weights is None:
        weights = [float(options[k]) for k in keys]
    return np.asarray(keys, dtype=object)[draw(rng, lookup_table(weights), size)]


def top_k_weighted(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Indices of k items drawn without replacement, proportionally to weights."""
    k = int(min(max(k, 0), len(weights)))
    if k == 0:
        return np.empty(0, dtype=np.int64)
    keys = np.log(np.maximum(weights, 1e-300)) + rng.gumbel(size=len(weights))
    return np.argpartition(-keys, k - 1)[:k]


def days_before(day: dt.date) -> int:
    """Days since 1970-01-01: the integer form dates take inside generators."""
    return (day - EPOCH).days


def birth_dates(rng: np.random.Generator, ages: np.ndarray, on_day: "int | np.ndarray") -> np.ndarray:
    """Birth days (days since epoch) such that each person is exactly ``age`` on ``on_day``.

    The gap is at least ``age`` years plus one day and less than ``age + 1``
    years, so the age in completed years agrees with the calendar.
    """
    low = np.ceil(ages * YEAR).astype(np.int64) + 1
    return on_day - low - rng.integers(0, 364, size=len(ages))


def to_dates(days: np.ndarray) -> np.ndarray:
    """Days since epoch -> numpy datetime64[D] (NaT where the input is the minimum int)."""
    out = np.asarray(days, dtype="int64").astype("datetime64[D]")
    return out


def as_seconds(days: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Days since epoch as datetime64[s], the unit pandas stores dates in (NaT where ``missing``).

    The same values as :func:`to_dates` / :func:`nullable_dates`, but pandas
    need not convert millions of dates from days to seconds one by one.
    """
    out = np.asarray(days, dtype=np.int64) * 86_400
    if missing is not None:
        out[np.asarray(missing, dtype=bool)] = np.iinfo(np.int64).min
    return out.view("datetime64[s]")


def year_of_day(days: np.ndarray) -> np.ndarray:
    """Calendar year of each day (days since epoch), as int64.

    Looked up in a table of the days spanned (a few ten thousand), which is
    much cheaper than converting millions of values through datetime64[Y].
    """
    days = np.asarray(days, dtype=np.int64)
    if len(days) == 0:
        return np.empty(0, dtype=np.int64)
    lo, hi = int(days.min()), int(days.max())
    if hi - lo > max(len(days), 1 << 16):  # a wide, sparse span: convert directly
        return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    table = np.arange(lo, hi + 1, dtype=np.int64).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    return table[days - lo]


def take_strings(vocabulary: Any, index: np.ndarray, missing: np.ndarray | None = None) -> "pd.Series":
    """Strings ``vocabulary[index]`` (null where ``missing`` or the entry is None/NaN) as a ``str`` Series.

    Built with Arrow's take, so millions of values cost no Python loop and the
    result converts to Arrow for writing without a copy.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    vocab = pa.array([None if v is None or v != v else str(v) for v in vocabulary], type=pa.large_string())
    positions = pa.array(np.asarray(index, dtype=np.int64), mask=None if missing is None else np.asarray(missing, dtype=bool))
    return pd.Series(pc.take(vocab, positions), dtype="str")


def join_strings(vocabulary: Any, first: np.ndarray, second: np.ndarray, where: np.ndarray,
                 sep: str = " ") -> "pd.Series":
    """``vocabulary[first] + sep + vocabulary[second]`` where ``where`` is true, else ``vocabulary[first]``.

    Only the rows that get a second word are joined; one take then places
    them among the single words, so no text is built for a row twice.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    vocab = pa.array(list(vocabulary), type=pa.large_string())
    first, second = np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
    where = np.asarray(where, dtype=bool)
    joined = pc.binary_join_element_wise(pc.take(vocab, first[where]), pc.take(vocab, second[where]),
                                         pa.scalar(sep, type=pa.large_string()))
    index = first.copy()
    index[where] = len(vocab) + np.arange(len(joined))
    return pd.Series(pc.take(pa.concat_arrays([vocab, joined]), pa.array(index)), dtype="str")


def nullable_int(values: np.ndarray, missing: np.ndarray) -> "pd.arrays.IntegerArray":
    """An Int64 array that is null where ``missing`` is true."""
    import pandas as pd

    return pd.arrays.IntegerArray(np.asarray(values, dtype=np.int64), np.asarray(missing, dtype=bool))


def nullable_dates(days: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """datetime64[D] values with NaT where ``missing`` is true."""
    out = to_dates(np.where(missing, 0, days))
    out[np.asarray(missing, dtype=bool)] = np.datetime64("NaT")
    return out


def lookup_table(weights: Any, resolution: int = 1 << 16) -> np.ndarray:
    """A table of category indices whose frequencies follow ``weights``.

    Drawing uniform positions into it (:func:`draw`) samples the categories
    in constant time per value, much faster than ``rng.choice(p=...)`` for
    millions of draws. Every category with a positive weight keeps at least
    one slot; the resolution bounds the rounding error at 1/65,536.
    """
    w = np.asarray(weights, dtype=float)
    exact = w / w.sum() * resolution
    slots = np.floor(exact).astype(np.int64)
    slots[(w > 0) & (slots == 0)] = 1
    short = resolution - slots.sum()
    if short > 0:
        slots[np.argsort(-(exact - slots), kind="stable")[:short]] += 1
    return np.repeat(np.arange(len(w)), slots)


def draw(rng: np.random.Generator, table: np.ndarray, size: int) -> np.ndarray:
    """``size`` category indices drawn from a :func:`lookup_table`."""
    return table[rng.integers(0, len(table), size=size)]


def codes(values: "pd.Series", vocabulary: Any) -> np.ndarray:
    """Position of each text value in ``vocabulary`` (-1 for missing or unknown), without Python objects."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values.dtype, pd.CategoricalDtype):
        lookup = np.append(pd.Index(list(vocabulary)).get_indexer(values.cat.categories), -1)
        return lookup[values.cat.codes.to_numpy().astype(np.int64)]  # code -1 (missing) picks the appended -1
    found = pc.index_in(pa.array(values, from_pandas=True), value_set=pa.array(list(vocabulary), pa.string()))
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def positions(keys: Any, values: Any) -> np.ndarray:
    """Row of each value in ``keys`` (unique non-negative integers), -1 where absent.

    Consecutive keys (the usual ids 1..n) are answered by arithmetic, others
    through a dense lookup table: no hashing, no Python objects.
    """
    k, v = np.asarray(keys, dtype=np.int64), np.asarray(values, dtype=np.int64)
    if len(k) == 0:
        return np.full(len(v), -1, dtype=np.int64)
    if k[-1] - k[0] == len(k) - 1 and (np.diff(k) == 1).all():
        at = v - k[0]
        return np.where((at >= 0) & (at < len(k)), at, -1)
    top = int(max(k.max(), v.max(initial=0))) + 1
    lookup = np.full(top + 1, -1, np.int64)  # the last entry answers negative values
    lookup[k] = np.arange(len(k))
    return lookup[np.where(v < 0, top, v)]


def group_rows(keys: np.ndarray, groups: int) -> list[np.ndarray]:
    """For each key 0..groups-1, the rows holding it in ascending order (``np.flatnonzero(keys == k)``).

    One stable sort instead of a full comparison per group: cheaper once
    there are more than a handful of groups over millions of rows.
    """
    keys = np.asarray(keys, dtype=np.int64)
    order = np.argsort(keys.astype(np.uint16) if groups <= 1 << 16 else keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(groups + 1))
    return [order[bounds[k]:bounds[k + 1]] for k in range(groups)]


def dense_rank(values: np.ndarray) -> np.ndarray:
    """Each value's rank among the distinct values (``np.unique(values, return_inverse=True)[1]``).

    For non-negative integers of a moderate range (ids, keys built from
    them) a presence table and one cumulative sum replace the sort.
    """
    values = np.asarray(values, dtype=np.int64)
    if len(values) == 0:
        return np.empty(0, dtype=np.int64)
    lo, hi = int(values.min()), int(values.max())
    if lo < 0 or hi > 4 * len(values) + (1 << 16):
        return np.unique(values, return_inverse=True)[1].astype(np.int64)
    used = np.zeros(hi + 1, dtype=bool)
    used[values] = True
    return (np.cumsum(used) - 1)[values]

"""File numbers of applications (``BB-2024-000123``), built as one Arrow buffer for millions of rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["file_numbers"]


def file_numbers(prefix: np.ndarray, names: tuple[str, ...], year: np.ndarray) -> pd.Series:
    """``BB-2024-000123``: office prefix, year of receipt, running number per prefix and year (rows in day order).

    The texts are assembled as bytes in numpy and handed to Arrow as one
    buffer: formatting millions of numbers one by one would take seconds.
    """
    import pyarrow as pa

    rank = np.empty(len(prefix), np.int64)
    for code in np.unique(prefix):
        rows = np.flatnonzero(prefix == code)
        years = year[rows]  # non-decreasing: rows are in day order
        rank[rows] = np.arange(len(rows)) - np.searchsorted(years, years, side="left") + 1
    first_year = int(year.min(initial=0))
    span = int(year.max(initial=0)) - first_year + 1
    heads = [f"{name}-{first_year + y}-".encode("ascii") for name in names for y in range(span)]
    head_bytes = np.zeros((len(heads), max(map(len, heads), default=0)), np.uint8)
    for i, head in enumerate(heads):
        head_bytes[i, : len(head)] = np.frombuffer(head, np.uint8)
    head_length = np.array([len(h) for h in heads], np.int64)
    combo = prefix * span + (year - first_year)
    width = max(6, len(str(int(rank.max(initial=1)))))
    digits = np.empty((len(rank), width), np.uint8)
    rest = rank.astype(np.uint32)
    for column in range(width - 1, -1, -1):
        digits[:, column] = rest % 10 + 48
        rest //= 10
    text = np.hstack([head_bytes[combo], digits])
    used = np.hstack([np.arange(head_bytes.shape[1]) < head_length[combo][:, None], np.ones(digits.shape, bool)])
    offsets = np.r_[0, np.cumsum(head_length[combo] + width)].astype(np.int32)
    array = pa.StringArray.from_buffers(len(rank), pa.py_buffer(offsets), pa.py_buffer(text[used].tobytes()))
    return pd.Series(array, dtype=pd.ArrowDtype(pa.string())).astype("str")

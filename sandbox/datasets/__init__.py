"""Generated datasets as a user opens them: DataFrames and DuckDB SQL (``dataset``),
and loaded into PostgreSQL (``postgres``).

    from sandbox import datasets
    ds = datasets.open("musterstadt")
"""

from __future__ import annotations

from sandbox.datasets.dataset import Dataset, list_datasets, open, resolve

__all__ = ["Dataset", "open", "resolve", "list_datasets"]

"""Reference tables and vocabularies from ``synthetic_data/reference/*.csv``.

Vocabularies are data, not Python literals (as Mimesis keeps its locale
files). Every file has a ``quelle`` column saying where its values come from;
the data card lists them as the provenance of the synthetic values.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.config import reference_dir
from sandbox.errors import SandboxError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load", "kreise", "reference_files"]


@lru_cache(maxsize=64)
def _read(path: str) -> "pd.DataFrame":
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def load(name: str) -> "pd.DataFrame":
    """A reference table by file stem, every column as text (callers convert)."""
    path = reference_dir() / f"{name}.csv"
    if not path.is_file():
        raise SandboxError(f"Referenzdatei {path} fehlt; bitte synthetic_data/reference aus dem Repository wiederherstellen")
    return _read(str(path)).copy()


def kreise() -> "pd.DataFrame":
    """Saxony's 13 Kreise with key, name, type, population and PLZ range."""
    return load("kreise")


def reference_files() -> list[Path]:
    """All reference files, for provenance in data cards and privacy reports."""
    return sorted(reference_dir().glob("*.csv"))

"""Numbers as German readers write them: decimal comma, thousands dot, a dash for "no value".

The one formatter for everything a user reads: CLI output, data cards,
quality and privacy reports, the comparison report. Used from every layer,
so it imports nothing of the package.
"""

from __future__ import annotations

import math

__all__ = ["DASH", "MAX_DECIMALS", "missing", "integer", "decimal", "percent", "significant", "comma", "count"]

DASH = "–"
MAX_DECIMALS = 9  # smaller magnitudes are float noise for everything the sandbox shows


def missing(x: float | None) -> bool:
    """True for None and NaN: values shown as a dash."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def comma(text: str) -> str:
    """Swap the separators of a number formatted the English way: ``"12,345.6"`` -> ``"12.345,6"``."""
    return text.translate(str.maketrans(",.", ".,"))


def integer(n: float) -> str:
    """A count with thousands dots: ``31447`` -> ``"31.447"`` (a float is rounded)."""
    return comma(f"{n:,.0f}" if isinstance(n, float) else f"{n:,}")


def decimal(x: float | None, decimals: int = 2) -> str:
    """A fixed number of decimals: ``1.85`` -> ``"1,85"``, ``1234.5`` -> ``"1.234,50"``."""
    return DASH if missing(x) else comma(f"{x:,.{decimals}f}")


def percent(share: float | None, decimals: int = 1) -> str:
    """A share as percent: ``0.1234`` -> ``"12,3%"``."""
    return DASH if missing(share) else comma(f"{share:,.{decimals}%}")


def significant(x: float | None, digits: int = 3) -> str:
    """``digits`` significant digits: ``0.8123`` -> ``"0,812"``, ``12345.6`` -> ``"12.346"``.

    Never scientific notation: ``0.000878`` -> ``"0,000878"``; below ``MAX_DECIMALS`` decimals a
    value is shown as ``"0"`` (float noise such as ``-1.1e-16``).
    """
    if missing(x):
        return DASH
    assert x is not None
    if x == 0:
        return "0"
    if abs(x) >= 10 ** digits:
        return integer(float(x))
    decimals = min(max(digits - 1 - math.floor(math.log10(abs(x))), 0), MAX_DECIMALS)
    text = f"{x:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("0", "-0") else comma(text)


def count(n: int, singular: str, plural: str) -> str:
    """A count with its noun in the right number: ``count(1, "Lauf", "Läufe")`` -> ``"1 Lauf"``, 2 -> ``"2 Läufe"``."""
    return f"{integer(n)} {singular if n == 1 else plural}"

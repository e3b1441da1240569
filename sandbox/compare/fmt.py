"""The report's number formats, built on :mod:`sandbox.german`: differences, intervals, units.

Used by the summary sentences and as Jinja filters, so the HTML, Markdown
and summary show a number the same way everywhere.
"""

from __future__ import annotations

import datetime as dt

from sandbox.german import DASH, decimal, missing, significant

__all__ = ["num", "signed", "interval", "seconds", "when", "energy", "mass", "rule", "grade", "plural", "DASH"]

num = significant  # the report's name for it, also as a Jinja filter
_missing = missing


def signed(x: float | None, digits: int = 3) -> str:
    """A difference with its sign: ``+0,11``, ``-0,02``, ``±0``."""
    if _missing(x):
        return DASH
    assert x is not None
    text = num(x, digits)
    return "±0" if text == "0" else (text if text.startswith("-") else "+" + text)


def interval(low: float | None, high: float | None, digits: int = 3, sign: bool = False) -> str:
    """``"0,79 bis 0,83"``; a dash when there is no interval."""
    if _missing(low) or _missing(high):
        return DASH
    f = signed if sign else num
    return f"{f(low, digits)} bis {f(high, digits)}"


def seconds(x: float | None) -> str:
    """``4.2`` -> ``"4,2 s"``, ``185`` -> ``"3 min 5 s"``."""
    if _missing(x):
        return DASH
    assert x is not None
    if x < 60:
        return f"{num(x, 2 if x < 10 else 3)} s"
    minutes, rest = divmod(round(x), 60)
    return f"{minutes} min {rest} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def grade(x: float | None) -> str:
    """A mean grade with one decimal: ``3`` -> ``"3,0"``."""
    return decimal(x, 1)


def plural(n: int, one: str, many: str) -> str:
    """``plural(1, "Lauf", "Läufe")`` -> ``"1 Lauf"``."""
    return f"{n} {one if n == 1 else many}"


def _scaled(x: float | None, units: tuple[tuple[float, str], ...]) -> str:
    if _missing(x):
        return DASH
    assert x is not None
    for factor, unit in units:
        if abs(x) >= factor or factor == units[-1][0]:
            return f"{num(x / factor, 2)} {unit}"
    return DASH  # pragma: no cover - the last unit always matches


def energy(wh: float | None) -> str:
    """Watt hours in a readable unit: ``0.00041`` -> ``"0,41 mWh"``, ``1500`` -> ``"1,5 kWh"``."""
    return _scaled(wh, ((1000.0, "kWh"), (1.0, "Wh"), (1e-3, "mWh")))


def mass(grams: float | None) -> str:
    """Grams in a readable unit: ``0.00016`` -> ``"0,16 mg"``, ``2500`` -> ``"2,5 kg"``."""
    return _scaled(grams, ((1000.0, "kg"), (1.0, "g"), (1e-3, "mg")))


def rule(text: str) -> str:
    """A logged criterion rule ``">= 0.8"`` as ``"≥ 0,8"``."""
    op, _, value = (text or "").partition(" ")
    try:
        shown = num(float(value))
    except ValueError:
        return text or DASH
    return f"{ {'>=': '≥', '<=': '≤', '==': '='}.get(op, op)} {shown}"


def when(moment: dt.datetime | None) -> str:
    """``"23.11.2025, 04:50 UTC"``."""
    if moment is None:
        return DASH
    return moment.astimezone(dt.timezone.utc).strftime("%d.%m.%Y, %H:%M UTC")

"""The report's number formats, built on :mod:`sandbox.german`: differences, intervals, units.

Used by the summary sentences and as Jinja filters, so the HTML, Markdown
and summary show a number the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
import math

from sandbox.german import DASH, comma, decimal, missing, significant

__all__ = ["num", "signed", "interval", "seconds", "when", "energy", "mass", "rule", "grade", "plural", "value",
           "scaled_digits", "DASH", "TIMEZONE"]

TIMEZONE = "Europe/Berlin"  # the readers' local time; the JSON keeps UTC

num = significant  # the report's name for it, also as a Jinja filter


def scaled_digits(x: float, scale: float | None, digits: int = 3) -> int:
    """Significant digits for ``x`` so that it shows the decimals of a value of size ``scale`` plus one.

    A difference of 0,000878 between two shares near 0,87 is shown as 0,0009, not with three
    significant digits of its own; float noise (-1e-16) becomes 0.
    """
    if not scale or not x or missing(scale):
        return digits
    decimals = digits - math.floor(math.log10(abs(scale)))
    return max(decimals + math.floor(math.log10(abs(x))) + 1, 0)


def signed(x: float | None, digits: int = 3, scale: float | None = None) -> str:
    """A difference with its sign: ``+0,11``, ``-0,02``, ``±0``; ``scale``: see :func:`scaled_digits`."""
    if missing(x):
        return DASH
    assert x is not None
    shown = scaled_digits(x, scale, digits)
    text = num(x, shown) if shown > 0 else "0"
    return "±0" if text == "0" else (text if text.startswith("-") else "+" + text)


def interval(low: float | None, high: float | None, digits: int = 3, sign: bool = False,
             scale: float | None = None) -> str:
    """``"0,79 bis 0,83"``; a dash when there is no interval."""
    if missing(low) or missing(high):
        return DASH
    if sign:
        return f"{signed(low, digits, scale)} bis {signed(high, digits, scale)}"
    return f"{num(low, digits)} bis {num(high, digits)}"


def value(text: str) -> str:
    """A logged parameter as a German reader writes it: ``"0.8"`` -> ``"0,8"``; words stay as they are."""
    try:
        number = float(text)
    except (TypeError, ValueError):
        return text
    return comma(text) if math.isfinite(number) and "." in text and "e" not in text.lower() else text


def seconds(x: float | None) -> str:
    """``4.2`` -> ``"4,2 s"``, ``185`` -> ``"3 min 5 s"``."""
    if missing(x):
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
    if missing(x):
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
    """Local time in Germany: ``"23.11.2025, 05:50 Uhr (MEZ)"``, in summer ``(MESZ)``."""
    if moment is None:
        return DASH
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo(TIMEZONE))
    zone = "MESZ" if local.dst() else "MEZ"
    return local.strftime(f"%d.%m.%Y, %H:%M Uhr ({zone})")

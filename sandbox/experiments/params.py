"""Typed experiment parameters: declarations from template.yaml and ``k=v`` values.

A template declares each parameter with a type (``int``, ``float``, ``str``,
``bool``), a default and optionally allowed values or a range. Values given on
the command line (``--param schwelle=0.8``) or in experiment.yaml are checked
against these declarations before anything runs, so a typo fails in one line
instead of deep inside a notebook.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from sandbox.errors import SandboxError

__all__ = ["Parameter", "STANDARD_PARAMETERS", "TYPES", "convert_value", "parse_assignments", "parse_seeds", "parse_grid",
           "parse_list", "resolve_values"]

Value = int | float | str | bool

TYPES = ("int", "float", "str", "bool")
_TRUE = {"true", "ja", "yes", "1", "wahr"}
_FALSE = {"false", "nein", "no", "0", "falsch"}
_MAX_SEEDS = 10_000  # a range beyond this is a typo, not a sweep
MAX_SEED = 2**32 - 1  # numpy.random.seed and scikit-learn's random_state accept 0 .. 2**32 - 1
_TYPE_WORDS = {"int": "eine ganze Zahl", "float": "eine Zahl", "str": "ein Text", "bool": "true oder false"}


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a template."""

    name: str
    type: str
    default: Value
    description: str = ""
    choices: tuple[Value, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def coerce(self, raw: Any, origin: str) -> Value:
        """``raw`` (a string from the command line or a YAML value) as this parameter's type."""
        value = convert_value(raw, self.type)
        if value is None:
            raise SandboxError(f"Parameter {self.name} ({origin}) muss {_TYPE_WORDS[self.type]} sein ({self.type}), "
                               f"nicht {raw!r}")
        if self.choices and value not in self.choices:
            allowed = ", ".join(str(c) for c in self.choices)
            raise SandboxError(f"Parameter {self.name} ({origin}) muss einer von {allowed} sein, nicht {value!r}")
        if self.minimum is not None and value < self.minimum:  # type: ignore[operator]
            raise SandboxError(f"Parameter {self.name} ({origin}) muss mindestens {self.minimum} sein, nicht {value}")
        if self.maximum is not None and value > self.maximum:  # type: ignore[operator]
            raise SandboxError(f"Parameter {self.name} ({origin}) darf höchstens {self.maximum} sein, nicht {value}")
        return value


STANDARD_PARAMETERS = (
    Parameter("datensatz", "str", "musterstadt", "Datensatz: Profilname, Ordnername oder Pfad"),
    Parameter("seed", "int", 42, "Zufallsstartwert des Modells (der Datensatz bleibt gleich)", minimum=0,
              maximum=MAX_SEED),
)


def convert_value(raw: Any, kind: str) -> Value | None:
    """Convert or return None when ``raw`` does not fit ``kind``."""
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        return True if text in _TRUE else False if text in _FALSE else None
    if kind == "str":
        return raw if isinstance(raw, str) else None if isinstance(raw, (bool, dict, list)) or raw is None else str(raw)
    if isinstance(raw, bool) or raw is None or isinstance(raw, (dict, list)):
        return None
    if kind == "int":
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float):
            return int(raw) if raw.is_integer() else None
        try:
            return int(str(raw).strip().replace("_", ""))
        except ValueError:
            return None
    if isinstance(raw, (int, float)):
        number = float(raw)
    else:
        try:  # German decimal comma is fine: 0,8
            number = float(str(raw).strip().replace(",", "."))
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """``["a=1", "b=x"]`` as ``{"a": "1", "b": "x"}`` (values still strings)."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise SandboxError(f"--param erwartet NAME=WERT, nicht {item!r}")
        if name in out:
            raise SandboxError(f"Parameter {name} ist zweimal angegeben")
        out[name] = value.strip()
    return out


def parse_seeds(text: str | None) -> list[int] | None:
    """``"1,2,3"`` as ``[1, 2, 3]``, ranges included (``"1-10"``, ``"1-3,7"``); None stays None."""
    if text is None:
        return None
    seeds: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise SandboxError(f"--seeds erwartet ganze Zahlen >= 0 oder Bereiche, durch Kommas getrennt, z. B. 1,2,3 "
                               f"oder 1-10; nicht {text!r}")
        stop = int(high) if dash else int(low)
        if stop < int(low) or stop - int(low) >= _MAX_SEEDS:
            raise SandboxError(f"--seeds: Bereich {part} ungültig; erlaubt sind aufsteigende Bereiche mit höchstens "
                               f"{_MAX_SEEDS} Seeds, z. B. 1-10")
        if stop > MAX_SEED:
            raise SandboxError(f"Seed {stop} ist zu groß; die Vorlagen (numpy, scikit-learn) nehmen Seeds von 0 bis "
                               f"{MAX_SEED}")
        for seed in range(int(low), stop + 1):
            if seed in seeds:
                raise SandboxError(f"Seed {seed} steht zweimal in --seeds")
            seeds.append(seed)
    if not seeds:
        raise SandboxError("--seeds ist leer; z. B. --seeds 1,2,3 angeben")
    return seeds


def parse_grid(items: Iterable[str]) -> dict[str, list[str]]:
    """``["a=1,2", "b=x"]`` as ``{"a": ["1", "2"], "b": ["x"]}``: the values of each sweep dimension, as text."""
    grid: dict[str, list[str]] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name = name.strip()
        values = [v.strip() for v in raw.split(",") if v.strip()] if sep else []
        if not name or not values:
            raise SandboxError(f"--grid erwartet NAME=WERT1,WERT2,..., z. B. --grid schwelle=0.8,0.9; erhalten: {item!r}")
        if name in grid:
            raise SandboxError(f"--grid {name} ist doppelt angegeben; alle Werte in eine Angabe: --grid {name}=A,B")
        if len(set(values)) != len(values):
            raise SandboxError(f"--grid {name}: ein Wert ist doppelt angegeben ({raw})")
        grid[name] = values
    return grid


def parse_list(text: str | None, flag: str) -> list[str] | None:
    """``"a,b,c"`` as ``["a", "b", "c"]`` (no empty or repeated entries); None stays None."""
    if text is None:
        return None
    names = [n.strip() for n in text.split(",")]
    if not all(names):
        raise SandboxError(f"{flag} erwartet Namen durch Kommas getrennt, z. B. musterstadt,landkreis; erhalten: {text!r}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise SandboxError(f"{flag}: {', '.join(repeated)} ist doppelt angegeben")
    return names


def resolve_values(declared: Mapping[str, Parameter], layers: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, Value]:
    """Defaults overlaid by each ``(origin, values)`` layer in turn, each value checked.

    An undeclared name is an error naming the origin and the declared names.
    """
    values: dict[str, Value] = {name: p.default for name, p in declared.items()}
    for origin, layer in layers:
        for name, raw in layer.items():
            if name not in declared:
                known = ", ".join(declared)
                raise SandboxError(f"unbekannter Parameter {name!r} ({origin}); deklarierte Parameter: {known}")
            values[name] = declared[name].coerce(raw, origin)
    return values

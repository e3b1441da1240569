"""The domain of a twin: every value a column may take, declared from public knowledge.

Differential privacy protects the records only if the set of possible values
does not come from the records themselves: a code list read off the data
reveals that somebody has that value. So the domain comes from the standard
schema's code lists (``--as TABLE``) or from a user's ``DOMAIN.yaml``
(``--domain``). ``sandbox twin domain`` may propose a file; every column it had
to read from the data is marked :data:`DERIVED`, and the gate never releases
a twin whose domain still carries that mark.

A column is one of three kinds, each turned into a finite list of cells:

- ``kategorie``: the declared values (``werte``);
- ``zahl``: bins between declared edges (``grenzen``, left-closed, the last closed);
- ``datum``: declared periods (``zeitraum``: jahr, quartal or monat) between ``von`` and ``bis``.

A column that may be empty (``leer: true``) gets one more cell, "leer".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from sandbox.errors import SandboxError

__all__ = ["DomainColumn", "Domain", "DERIVED", "SCHEMA", "FILE", "KINDS", "PERIODS", "EMPTY", "load_domain",
           "domain_from_mapping"]

#: origin marks, German, shown in the domain file and the release report
DERIVED = "aus den Daten abgeleitet: vor der Freigabe prüfen, sonst gilt die Garantie nicht"
SCHEMA = "Standardschema"
FILE = "Domänendatei"
KINDS = ("kategorie", "zahl", "datum")
PERIODS = {"jahr": 12, "quartal": 3, "monat": 1}  # months per period
EMPTY = "leer"  # label of the cell of an empty value


def _months(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


@dataclass(frozen=True)
class DomainColumn:
    """One column of the domain: its kind, its cells and where they come from."""

    name: str
    kind: str
    dtype: str  # logical type of the twin's column (see sandbox.synth.dtypes)
    values: tuple[str, ...] = ()
    edges: tuple[float, ...] = ()
    period: str = "jahr"
    start: dt.date | None = None
    end: dt.date | None = None
    nullable: bool = False
    origin: str = FILE

    def __post_init__(self) -> None:
        where = f"Domäne, Spalte {self.name}"
        if self.kind not in KINDS:
            raise SandboxError(f"{where}: unbekannte Art {self.kind!r}; erlaubt sind {', '.join(KINDS)}")
        if self.kind == "kategorie" and (not self.values or len(set(self.values)) != len(self.values)):
            raise SandboxError(f"{where}: 'werte' muss eine Liste verschiedener Werte sein")
        if self.kind == "zahl" and (len(self.edges) < 2 or list(self.edges) != sorted(set(self.edges))):
            raise SandboxError(f"{where}: 'grenzen' braucht mindestens zwei aufsteigende Zahlen")
        if self.kind == "datum":
            if self.period not in PERIODS:
                raise SandboxError(f"{where}: 'zeitraum' muss jahr, quartal oder monat sein")
            if self.start is None or self.end is None or self.end < self.start:
                raise SandboxError(f"{where}: 'von' und 'bis' müssen Daten sein, 'bis' nicht vor 'von'")

    @property
    def periods(self) -> int:
        """Number of periods of a date column."""
        assert self.start is not None and self.end is not None
        step = PERIODS[self.period]
        return (_months(self.end) // step) - (_months(self.start) // step) + 1

    def period_start(self, index: int) -> dt.date:
        """First day of period ``index`` (0 = the period that holds ``start``)."""
        assert self.start is not None
        step = PERIODS[self.period]
        months = (_months(self.start) // step + index) * step
        return dt.date(months // 12, months % 12 + 1, 1)

    def labels(self) -> list[str]:
        """One German label per cell, in cell order ("[18, 30)", "2020-Q1", ...)."""
        if self.kind == "kategorie":
            out = list(self.values)
        elif self.kind == "zahl":
            last = len(self.edges) - 2
            out = [f"[{self._num(lo)}, {self._num(hi)}{']' if i == last else ')'}"
                   for i, (lo, hi) in enumerate(zip(self.edges, self.edges[1:]))]
        else:
            out = [self._period_label(self.period_start(i)) for i in range(self.periods)]
        return out + ([EMPTY] if self.nullable else [])

    @property
    def size(self) -> int:
        return len(self.labels())

    def _period_label(self, day: dt.date) -> str:
        if self.period == "jahr":
            return str(day.year)
        if self.period == "quartal":
            return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
        return f"{day.year}-{day.month:02d}"

    @staticmethod
    def _num(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else str(x)

    def to_mapping(self) -> dict[str, Any]:
        """The column as written to DOMAIN.yaml."""
        out: dict[str, Any] = {"art": self.kind, "typ": self.dtype}
        if self.kind == "kategorie":
            out["werte"] = list(self.values)
        elif self.kind == "zahl":
            out["grenzen"] = [int(e) if float(e).is_integer() else e for e in self.edges]
        else:
            out.update(zeitraum=self.period, von=self.start.isoformat() if self.start else None,
                       bis=self.end.isoformat() if self.end else None)
        out["leer"] = self.nullable
        out["herkunft"] = self.origin
        return out


@dataclass(frozen=True)
class Domain:
    """The columns of a twin, in order, and the columns of the counting-query workload."""

    columns: tuple[DomainColumn, ...]
    table: str = "zwilling"  # name of the twin's table in the dataset
    queries: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.columns:
            raise SandboxError("die Domäne hat keine Spalten; mindestens zwei Spalten sind nötig")
        unknown = [q for q in self.queries if q not in self.names]
        if unknown:
            raise SandboxError(f"Domäne: 'abfragen' nennt Spalten, die es nicht gibt: {', '.join(unknown)}")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def derived(self) -> list[str]:
        """Columns whose cells were read from the data and not yet confirmed."""
        return [c.name for c in self.columns if c.origin == DERIVED]

    def column(self, name: str) -> DomainColumn:
        return next(c for c in self.columns if c.name == name)

    def to_mapping(self) -> dict[str, Any]:
        return {"tabelle": self.table, "spalten": {c.name: c.to_mapping() for c in self.columns},
                "abfragen": list(self.queries)}


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise SandboxError(f"{where}: {value!r} ist kein Datum JJJJ-MM-TT") from None


def _column(name: str, spec: Mapping[str, Any]) -> DomainColumn:
    where = f"Domäne, Spalte {name}"
    if not isinstance(spec, Mapping):
        raise SandboxError(f"{where}: erwartet eine Zuordnung mit 'art' und den Werten")
    kind = str(spec.get("art", ""))
    dtype = str(spec.get("typ") or {"kategorie": "string", "zahl": "float64", "datum": "date"}.get(kind, "string"))
    if dtype not in ("string", "int64", "float64", "date", "timestamp", "bool"):
        raise SandboxError(f"{where}: unbekannter Typ {dtype!r}")
    try:
        edges = tuple(float(e) for e in spec.get("grenzen") or ())
    except (TypeError, ValueError):
        raise SandboxError(f"{where}: 'grenzen' muss eine Liste von Zahlen sein") from None
    values = spec.get("werte") or ()
    if not isinstance(values, (list, tuple)):
        raise SandboxError(f"{where}: 'werte' muss eine Liste sein")
    return DomainColumn(
        name=name, kind=kind, dtype=dtype, values=tuple(str(v) for v in values), edges=edges,
        period=str(spec.get("zeitraum", "jahr")),
        start=_date(spec["von"], where) if spec.get("von") is not None else None,
        end=_date(spec["bis"], where) if spec.get("bis") is not None else None,
        nullable=bool(spec.get("leer", False)), origin=str(spec.get("herkunft") or FILE),
    )


def domain_from_mapping(data: Mapping[str, Any]) -> Domain:
    """A domain from the mapping of a DOMAIN.yaml (keys ``tabelle``, ``spalten``, ``abfragen``)."""
    columns = data.get("spalten")
    if not isinstance(columns, Mapping) or not columns:
        raise SandboxError("Domänendatei: 'spalten' fehlt oder ist leer; erzeugen Sie einen Vorschlag mit "
                           "`sandbox twin domain AUSZUG`")
    table = str(data.get("tabelle") or "zwilling")
    if not table.replace("_", "").isalnum() or not table.isascii() or table != table.lower():
        raise SandboxError(f"Domänendatei: 'tabelle' {table!r} muss ein Name aus Kleinbuchstaben, Ziffern und _ sein")
    for name in columns:
        if not str(name).replace("_", "").isalnum() or not str(name).isascii():
            raise SandboxError(f"Domänendatei: Spaltenname {name!r} ist nicht erlaubt (nur a-z, 0-9, _)")
    return Domain(columns=tuple(_column(str(n).lower(), s) for n, s in columns.items()), table=table,
                  queries=tuple(str(q) for q in data.get("abfragen") or ()))


def load_domain(path: Path) -> Domain:
    """Read a DOMAIN.yaml."""
    from sandbox.config import read_yaml

    path = Path(path)
    if not path.is_file():
        raise SandboxError(f"Domänendatei {path} gibt es nicht; erzeugen Sie einen Vorschlag mit "
                           f"`sandbox twin domain AUSZUG --out {path.name}`")
    return domain_from_mapping(read_yaml(path, "korrigieren Sie die Domänendatei"))

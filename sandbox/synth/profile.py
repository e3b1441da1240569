"""Population profiles: YAML files that describe a municipality or a region.

A profile names its area (real Kreise from ``reference/kreise.csv`` and/or
municipalities of its own), a reference date, and parameter groups. Every
parameter group carries ``quelle`` (its source, or "Annahme") and ``werte``.
Loading validates the whole file up front and names the first key that is
missing or wrong, so a team describing its own municipality gets one clear
line instead of a traceback halfway through generation.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.config import profiles_dir, read_yaml
from sandbox.errors import SandboxError
from sandbox.german import integer
from sandbox.synth.profile_schema import GROUPS, PROFILE_NAME, TOP_KEYS, check_groups, check_keys

__all__ = ["Profile", "load_profile", "available_profiles", "MAX_POPULATION", "REQUIRED_GROUPS"]

MAX_POPULATION = 20_000_000  # five times Saxony; beyond this the request is a typo
MIN_POPULATION = 100  # Annahme: below this, some tables get no rows and the quality gate has nothing to check

#: parameter groups every profile must define (each with `quelle` and `werte`), declared in profile_schema
REQUIRED_GROUPS: tuple[str, ...] = tuple(name for name, spec in GROUPS.items() if spec.required)

_AGS = re.compile(r"^14\d{6}$")
_KREIS = re.compile(r"^14\d{3}$")


def available_profiles() -> list[str]:
    """Names of the shipped profiles."""
    return sorted(p.stem for p in profiles_dir().glob("*.yaml"))


@dataclass(frozen=True)
class Profile:
    """A validated profile. ``population`` is the target after any rescaling."""

    name: str
    title: str
    source: str  # file path, for the data card
    stichtag: dt.date
    ereignisjahre: int
    kreise: tuple[str, ...]
    gemeinden: tuple[dict[str, Any], ...]
    groups: dict[str, dict[str, Any]]
    base_population: int
    population: int
    raw: dict[str, Any]

    @property
    def scale(self) -> float:
        return self.population / self.base_population

    def values(self, group: str) -> Any:
        """The ``werte`` of a parameter group."""
        return self.groups[group]["werte"]

    def quelle(self, group: str) -> str:
        return str(self.groups[group]["quelle"])

    def with_population(self, population: int) -> "Profile":
        check_population(population)
        return Profile(**{**self.__dict__, "population": int(population)})


def check_population(population: int) -> None:
    if population <= 0:
        raise SandboxError(f"--population muss eine positive Einwohnerzahl sein, nicht {population}")
    if population < MIN_POPULATION:
        raise SandboxError(f"--population {population} ist zu klein für Haushalte, Betriebe und Vorgänge; "
                           f"bitte mindestens {MIN_POPULATION} angeben")
    if population > MAX_POPULATION:
        raise SandboxError(
            f"--population {integer(population)} ist größer als {integer(MAX_POPULATION)}; "
            "Sachsen hat etwa 4,1 Millionen Einwohner, bitte eine kleinere Zahl wählen"
        )


def _resolve(name_or_path: str) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml"):
        if not candidate.is_file():
            raise SandboxError(f"die Profildatei {candidate} gibt es nicht")
        return candidate
    known = available_profiles()
    path = profiles_dir() / f"{name_or_path}.yaml"
    if name_or_path not in known or not path.is_file():
        raise SandboxError(
            f"unbekanntes Profil {name_or_path!r}; erlaubt: {', '.join(known) or 'keine'} "
            "oder der Pfad zu einer .yaml-Datei"
        )
    return path


def _need(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping or mapping[key] is None:
        raise SandboxError(f"Profil {where}: es fehlt der Schlüssel {key!r}")
    return mapping[key]


def _kreis_populations() -> dict[str, int]:
    from sandbox.synth.reference import kreise

    return {row.kreis_ags: int(row.einwohner) for row in kreise().itertuples()}


def _read_raw(path: Path, depth: int = 0) -> dict[str, Any]:
    """The profile's mapping, with a `basis` profile's keys filled in underneath.

    A profile may name another profile as `basis`; its top-level keys replace
    the base's, and its `parameter` groups replace the base's groups one by one.
    """
    raw = read_yaml(path, hint="bitte die Syntax der Profildatei korrigieren")
    check_keys(raw, list(TOP_KEYS), f"Profil {path.name}")
    basis = raw.pop("basis", None)
    if basis is None:
        return raw
    if depth > 5:
        raise SandboxError(f"Profil {path.name}: die 'basis'-Profile verweisen im Kreis aufeinander")
    if not isinstance(basis, str) or not PROFILE_NAME.match(basis):
        raise SandboxError(f"Profil {path.name}: 'basis' muss der Name eines Profils sein wie sachsen, nicht {basis!r}")
    base_path = path.parent / f"{basis}.yaml"
    base = _read_raw(base_path if base_path.is_file() else _resolve(basis), depth + 1)
    merged = {**base, **raw}
    params = raw.get("parameter") or {}
    if not isinstance(params, dict):
        raise SandboxError(f"Profil {path.name}: 'parameter' muss eine Zuordnung von Parametergruppen sein")
    merged["parameter"] = {**(base.get("parameter") or {}), **params}
    return merged


def _text(raw: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise SandboxError(f"Profil {where}: {key!r} muss ein nicht leerer Text sein, nicht {value!r}")
    return value


def _area(gebiet: Any, where: str, known: dict[str, int]) -> tuple[tuple[str, ...], tuple[dict[str, Any], ...]]:
    """The Kreise and own municipalities of ``gebiet``, each checked."""
    if not isinstance(gebiet, dict):
        raise SandboxError(f"Profil {where}: 'gebiet' muss eine Zuordnung mit kreise und/oder gemeinden sein")
    check_keys(gebiet, ["kreise", "gemeinden"], f"Profil {where}: gebiet")
    kreise_raw = gebiet.get("kreise") or []
    if kreise_raw != "alle" and not isinstance(kreise_raw, list):
        raise SandboxError(f"Profil {where}: gebiet.kreise muss 'alle' oder eine Liste von Kreisschlüsseln sein")
    kreise = tuple(sorted(known)) if kreise_raw == "alle" else tuple(str(k) for k in kreise_raw)
    for k in kreise:
        if k not in known:
            raise SandboxError(f"Profil {where}: gebiet.kreise nennt den unbekannten Kreis {k!r}; "
                               "bitte einen Schlüssel aus reference/kreise.csv nehmen")
    gemeinden_raw = gebiet.get("gemeinden") or []
    if not isinstance(gemeinden_raw, list):
        raise SandboxError(f"Profil {where}: gebiet.gemeinden muss eine Liste von {{name, ags, einwohner}} sein")
    gemeinden = tuple(gemeinden_raw)
    for i, g in enumerate(gemeinden):
        at = f"{where}: gebiet.gemeinden[{i}]"
        for key in ("name", "ags", "einwohner"):
            _need(g, key, at)
        check_keys(g, ["name", "ags", "einwohner"], f"Profil {at}")
        if not isinstance(g["name"], str) or not g["name"].strip():
            raise SandboxError(f"Profil {at}: 'name' muss ein Text sein")
        if not _AGS.match(str(g["ags"])) or str(g["ags"])[:5] not in known:
            raise SandboxError(f"Profil {at}: 'ags' muss 8 Ziffern haben und mit einem sächsischen Kreisschlüssel "
                               "beginnen, z. B. 14522990")
        if isinstance(g["einwohner"], bool) or not isinstance(g["einwohner"], int) or g["einwohner"] <= 0:
            raise SandboxError(f"Profil {at}: 'einwohner' muss eine positive ganze Zahl sein")
    if not kreise and not gemeinden:
        raise SandboxError(f"Profil {where}: 'gebiet' braucht 'kreise' oder 'gemeinden'")
    return kreise, gemeinden


def load_profile(name_or_path: str, population: int | None = None) -> Profile:
    """Load and validate a profile by name (shipped) or path (a team's own file) against the declared schema."""
    path = _resolve(name_or_path)
    where = path.name
    raw = _read_raw(path)
    name = _text(raw, "name", where) if "name" in raw else _need(raw, "name", where)
    if not PROFILE_NAME.match(name):
        raise SandboxError(f"Profil {where}: 'name' wird Teil eines Ordnernamens und darf nur Kleinbuchstaben, "
                           f"Ziffern, '-' und '_' enthalten (z. B. meine-gemeinde), nicht {name!r}")
    stichtag = _need(raw, "stichtag", where)
    if not isinstance(stichtag, dt.date) or isinstance(stichtag, dt.datetime):
        raise SandboxError(f"Profil {where}: 'stichtag' muss ein Datum sein wie 2024-12-31")
    jahre = _need(raw, "ereignisjahre", where)
    if isinstance(jahre, bool) or not isinstance(jahre, int) or not 1 <= jahre <= 30:
        raise SandboxError(f"Profil {where}: 'ereignisjahre' muss eine ganze Zahl von 1 bis 30 sein")
    known = _kreis_populations()
    kreise, gemeinden = _area(_need(raw, "gebiet", where), where, known)
    params = _need(raw, "parameter", where)
    check_groups(params, f"Profil {where}")
    title = _text(raw, "titel", where, default=name)

    base = sum(known[k] for k in kreise) + sum(int(g["einwohner"]) for g in gemeinden)
    profile = Profile(
        name=name,
        title=title,
        source=str(path),
        stichtag=stichtag,
        ereignisjahre=jahre,
        kreise=kreise,
        gemeinden=gemeinden,
        groups=params,
        base_population=base,
        population=base,
        raw=raw,
    )
    return profile if population is None else profile.with_population(population)

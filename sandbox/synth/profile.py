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

from sandbox.config import profiles_dir
from sandbox.errors import SandboxError

__all__ = ["Profile", "load_profile", "available_profiles", "MAX_POPULATION", "REQUIRED_GROUPS"]

MAX_POPULATION = 20_000_000  # five times Saxony; beyond this the request is a typo

#: parameter groups every profile must define (each with `quelle` and `werte`). The demographic
#: groups (version 0.2) and their keys:
#:   partnerschaften: altersabstand {mittel, streuung}, zweitehe_anteil, gleichgeschlechtliche_paare_anteil,
#:                    gleichgeschlechtlich_eingetragen_anteil, lebenspartnerschaft_nicht_umgewandelt, scheidung_anteil,
#:                    scheidung_mittlere_dauer, wiederheirat_geschiedene, wiederheirat_verwitwete
#:   haushaltsformen: wohngemeinschaft_anteil_18_34_stadt, wohngemeinschaft_anteil_18_34_land,
#:                    wohngemeinschaft_groessen {Größe: Anteil}, mehrgenerationen_anteil_ab_75,
#:                    vaeter_unter_alleinerziehenden, familien_seit_geburt_am_ort, geschwisterabstand_jahre
#:   erwachsene_kinder_im_haushalt: maennlich {Altersband: Anteil}, weiblich {Altersband: Anteil}
#:   herkunft: binationale_partner, eingebuergert_anteil, deutsch_durch_geburt,
#:             doppelte_staatsangehoerigkeit, ausgleich_deutsche_mitglieder
#:   namen: vornamen_grundgewicht, familiennamen_exponent, zweiter_vorname_anteil, geburtsort_hier_anteil
#:   religion: evangelisch, römisch-katholisch, altkatholisch, jüdisch, keine (Anteile)
#:   wohnungsstatus: hauptwohnung_anteil_erwachsene, nebenwohnung_anteil_junge_alleinlebende
#: Age structure, mortality, marriage by cohort, foreigners per Kreis are reference files, not parameters.
REQUIRED_GROUPS: tuple[str, ...] = (
    "altersstruktur",
    "frauenanteil",
    "geschlecht_weitere",
    "haushaltsgroessen",
    "alleinerziehende_anteil",
    "kinderzahl",
    "erwachsene_kinder_im_haushalt",
    "verheiratet_anteil_paare",
    "partnerschaften",
    "haushaltsformen",
    "herkunft",
    "namen",
    "religion",
    "wohnungsstatus",
    "haushalte_je_anschrift",
    "ereignisraten",
    "gewerbe_je_1000",
    "wirtschaftsabschnitte",
    "rechtsformen",
    "buergeranfragen",
)

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
        raise SandboxError(f"--population must be a positive number of residents, got {population}")
    if population > MAX_POPULATION:
        raise SandboxError(
            f"--population {population:,} is larger than {MAX_POPULATION:,}; "
            "Saxony has about 4.1 million residents, choose a smaller number"
        )


def _resolve(name_or_path: str) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml"):
        if not candidate.is_file():
            raise SandboxError(f"profile file {candidate} does not exist")
        return candidate
    path = profiles_dir() / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(available_profiles()) or "none"
        raise SandboxError(
            f"unknown profile {name_or_path!r}; choose one of: {known}, or give a path to a .yaml file"
        )
    return path


def _need(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping or mapping[key] is None:
        raise SandboxError(f"profile {where}: missing key '{key}'")
    return mapping[key]


def _kreis_populations() -> dict[str, int]:
    from sandbox.synth.reference import kreise

    return {row.kreis_ags: int(row.einwohner) for row in kreise().itertuples()}


def _read_raw(path: Path, depth: int = 0) -> dict[str, Any]:
    """The profile's mapping, with a `basis` profile's keys filled in underneath.

    A profile may name another profile as `basis`; its top-level keys replace
    the base's, and its `parameter` groups replace the base's groups one by one.
    """
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        at = f" (line {line + 1})" if line is not None else ""
        raise SandboxError(f"profile {path.name} is not valid YAML{at}; fix the file's syntax") from None
    if not isinstance(raw, dict):
        raise SandboxError(f"profile {path.name} must be a YAML mapping with keys name, gebiet, parameter")
    basis = raw.pop("basis", None)
    if basis is None:
        return raw
    if depth > 5:
        raise SandboxError(f"profile {path.name}: 'basis' profiles refer to each other in a circle")
    base_path = path.parent / f"{basis}.yaml"
    base = _read_raw(base_path if base_path.is_file() else _resolve(str(basis)), depth + 1)
    merged = {**base, **raw}
    params = raw.get("parameter") or {}
    if not isinstance(params, dict):
        raise SandboxError(f"profile {path.name}: 'parameter' must be a mapping of groups")
    merged["parameter"] = {**(base.get("parameter") or {}), **params}
    return merged


def load_profile(name_or_path: str, population: int | None = None) -> Profile:
    """Load and validate a profile by name (shipped) or path (a team's own file)."""
    path = _resolve(name_or_path)
    where = path.name
    raw = _read_raw(path)
    name = str(_need(raw, "name", where))
    stichtag = _need(raw, "stichtag", where)
    if not isinstance(stichtag, dt.date):
        raise SandboxError(f"profile {where}: 'stichtag' must be a date like 2024-12-31")
    jahre = _need(raw, "ereignisjahre", where)
    if not isinstance(jahre, int) or not 1 <= jahre <= 30:
        raise SandboxError(f"profile {where}: 'ereignisjahre' must be a whole number from 1 to 30")

    gebiet = _need(raw, "gebiet", where)
    known = _kreis_populations()
    kreise_raw = gebiet.get("kreise") or [] if isinstance(gebiet, dict) else []
    kreise = tuple(sorted(known)) if kreise_raw == "alle" else tuple(str(k) for k in kreise_raw)
    for k in kreise:
        if k not in known:
            raise SandboxError(f"profile {where}: gebiet.kreise has unknown Kreis {k!r}; use a key from reference/kreise.csv")
    gemeinden = tuple(gebiet.get("gemeinden") or ())
    for i, g in enumerate(gemeinden):
        at = f"{where}: gebiet.gemeinden[{i}]"
        for key in ("name", "ags", "einwohner"):
            _need(g, key, at)
        if not _AGS.match(str(g["ags"])) or str(g["ags"])[:5] not in known:
            raise SandboxError(f"profile {at}: 'ags' must be 8 digits starting with a Saxon Kreis key, like 14522990")
        if not isinstance(g["einwohner"], int) or g["einwohner"] <= 0:
            raise SandboxError(f"profile {at}: 'einwohner' must be a positive whole number")
    if not kreise and not gemeinden:
        raise SandboxError(f"profile {where}: 'gebiet' needs 'kreise' or 'gemeinden'")

    params = _need(raw, "parameter", where)
    for group in REQUIRED_GROUPS:
        entry = _need(params, group, f"{where}: parameter")
        _need(entry, "quelle", f"{where}: parameter.{group}")
        _need(entry, "werte", f"{where}: parameter.{group}")

    base = sum(known[k] for k in kreise) + sum(int(g["einwohner"]) for g in gemeinden)
    profile = Profile(
        name=name,
        title=str(raw.get("titel", name)),
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

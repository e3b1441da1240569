"""Checks against the profile: do the data keep the promises the profile makes?

The profile a dataset was generated from (named in its manifest) says, with a
source for each number, what share of residents is 65 or older, how large
households are on average, what share is foreign or belongs to a church. Each
share becomes a GX ``ExpectColumnProportionOfNonNullValuesToBeBetween`` on an
indicator column (1 where the trait applies, empty elsewhere; GX's column mean
scans every value in Python and is too slow at millions of rows), with a
tolerance that is at least two percentage points and at least four standard
errors of the sample, so a small town is not failed for sampling noise. The
mean household size is an ``ExpectColumnMeanToBeBetween``.

Dates that record the past (births, moves, registrations, applications) must
not lie after the profile's Stichtag, and registration events must lie in the
profile's event years; other dates (a claim's end, a booked appointment) may.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.german import decimal, percent
from sandbox.quality.loading import Loaded
from sandbox.quality.suites import Check, Expect
from sandbox.synth.schema import EVENT_WINDOW, PAST, Column

if TYPE_CHECKING:
    import pandas as pd

    from sandbox.synth.profile import Profile

__all__ = ["profile_for", "distribution_checks", "age_at", "share_bounds"]

MIN_TOLERANCE = 0.02
HOUSEHOLD_TOLERANCE = 0.15  # persons; the top size class "5" stands for "5 or more"
RESIDENT_COLUMNS = ("meldestatus", "geburtsdatum", "geschlecht", "staatsangehoerigkeit", "religion")


def profile_for(manifest: dict[str, Any]) -> tuple["Profile | None", str | None]:
    """The profile named in a manifest, or None and the reason it cannot be used."""
    from sandbox.errors import SandboxError
    from sandbox.synth.profile import load_profile
    from sandbox.synth.writer import sha256

    name = manifest.get("profile")
    if not name:
        return None, "Verteilungen nicht geprüft: das Manifest nennt kein Profil"
    try:
        profile = load_profile(str(name))
    except SandboxError as exc:
        return None, f"Verteilungen nicht geprüft: Profil {name!r} ist hier nicht verfügbar ({exc})"
    note = None
    if manifest.get("profile_sha256") and sha256(Path(profile.source)) != manifest["profile_sha256"]:
        note = f"Profil {name} wurde seit der Erzeugung geändert; Verteilungen werden gegen die heutige Fassung geprüft"
    return profile, note


def age_at(birth: "pd.Series", day: dt.date) -> "pd.Series":
    """Completed years of age on ``day`` (vectorised)."""
    years = day.year - birth.dt.year
    before_birthday = (birth.dt.month > day.month) | ((birth.dt.month == day.month) & (birth.dt.day > day.day))
    return years - before_birthday.astype("int64")


def share_bounds(target: float, n: int) -> tuple[float, float]:
    """Target share plus/minus the larger of two points and four standard errors."""
    se = math.sqrt(max(target * (1 - target), 1e-9) / max(n, 1))
    tol = max(MIN_TOLERANCE, 4 * se)
    return max(0.0, target - tol), min(1.0, target + tol)


def _share(column: str, target: float, n: int, label: str) -> Expect:
    """The share of non-empty values of an indicator column (empty = does not apply)."""
    low, high = share_bounds(target, n)
    return Expect("ExpectColumnProportionOfNonNullValuesToBeBetween",
                  {"column": column, "min_value": round(low, 4), "max_value": round(high, 4)},
                  f"{label}: Soll {percent(target)}")


def _indicator(condition: "Any") -> "Any":
    """1.0 where the condition holds, empty elsewhere: its non-empty share is the share of the group."""
    import numpy as np

    return np.where(np.asarray(condition, dtype=bool), 1.0, np.nan)


def _residents(frame: "pd.DataFrame", profile: "Profile") -> Check:
    import pandas as pd

    from sandbox.synth.population.demografie import expected_shares, profile_area
    from sandbox.synth.sampling import band_values

    people = frame.loc[frame["meldestatus"] == "gemeldet", list(RESIDENT_COLUMNS)]
    n = len(people)
    age = age_at(people["geburtsdatum"], profile.stichtag).to_numpy()
    data: dict[str, Any] = {"ab_65_jahre": _indicator(age >= 65)}
    area = expected_shares(profile_area(profile.kreise, profile.gemeinden))
    target_65 = area["anteil_ab_65"]
    expects = [_share("ab_65_jahre", target_65, n, "Anteil 65 Jahre und älter")]
    women = band_values(age, profile.values("frauenanteil"), default=0.5).astype("float64")
    data["weiblich"] = _indicator(people["geschlecht"] == "weiblich")
    expects.append(_share("weiblich", float(women.mean()) if n else 0.5, n, "Frauenanteil (nach Altersstruktur)"))
    data["auslaendisch"] = _indicator(people["staatsangehoerigkeit"] != "deutsch")
    expects.append(_share("auslaendisch", area["auslaenderanteil"], n, "Ausländeranteil (Kreise des Profils)"))
    for i, (religion, share) in enumerate(profile.values("religion").items()):
        data[f"religion_{i + 1}"] = _indicator(people["religion"] == religion)
        expects.append(_share(f"religion_{i + 1}", float(share), n, f"Religion {religion}"))
    return Check("verteilung_einwohner", "einwohner", pd.DataFrame(data), expects,
                 title=f"Gemeldete Einwohner am {profile.stichtag:%d.%m.%Y} gegen das Profil {profile.name}")


def _households(frame: "pd.DataFrame", profile: "Profile") -> Check:
    import pandas as pd

    sizes = {int(k): float(v) for k, v in profile.values("haushaltsgroessen").items()}
    target = sum(k * p for k, p in sizes.items()) / sum(sizes.values())
    spread = float(frame["anzahl_personen"].std() or 0.0) / math.sqrt(max(len(frame), 1))
    tol = HOUSEHOLD_TOLERANCE + 4 * spread
    label = f"mittlere Haushaltsgröße: Soll {decimal(target, 2)}"
    expect = Expect("ExpectColumnMeanToBeBetween", {"column": "anzahl_personen", "min_value": round(target - tol, 3),
                                                    "max_value": round(target + tol, 3)}, label)
    return Check("verteilung_haushalte", "haushalte", pd.DataFrame({"anzahl_personen": frame["anzahl_personen"]}),
                 [expect], title=f"Haushalte gegen das Profil {profile.name}")


def past_dates() -> dict[str, list[Column]]:
    """Per table, the dates that record the past (schema role ``PAST``): none may lie after the Stichtag."""
    from sandbox.synth import TABLES

    out = {name: module.TABLE.with_role(PAST) for name, module in TABLES.items()}
    return {name: columns for name, columns in out.items() if columns}


def _stichtag(loaded: Loaded, profile: "Profile") -> list[Check]:
    """Past dates not after the Stichtag; registration events inside the profile's event years."""
    import pandas as pd

    day = profile.stichtag
    end = pd.Timestamp(day) + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)
    start = pd.Timestamp(day.replace(year=day.year - profile.ereignisjahre))
    checks = []
    for table, columns in past_dates().items():
        present = [c for c in columns if loaded.usable(table, c.name)]
        if not present:
            continue
        expects = []
        for column in present:
            col = column.name
            if EVENT_WINDOW in column.roles:
                label = f"{col}: in den {profile.ereignisjahre} Jahren bis zum Stichtag {day:%d.%m.%Y}"
                expects.append(Expect("ExpectColumnValuesToBeBetween",
                                      {"column": col, "min_value": start, "max_value": end}, label))
            else:
                expects.append(Expect("ExpectColumnValuesToBeBetween", {"column": col, "max_value": end},
                                      f"{col}: nicht nach dem Stichtag {day:%d.%m.%Y}"))
        checks.append(Check(f"stichtag_{table}", table, loaded.frames[table][[c.name for c in present]], expects,
                            title=f"{table}: Datumsangaben der Vergangenheit bis zum Stichtag des Profils"))
    return checks


def distribution_checks(loaded: Loaded, manifest: dict[str, Any] | None) -> tuple[list[Check], list[str]]:
    """Checks from the dataset's profile; a note instead when the profile is not at hand."""
    if manifest is None:
        return [], ["Verteilungen nicht geprüft: eigene Daten haben kein Profil"]
    profile, note = profile_for(manifest)
    notes = [note] if note else []
    if profile is None:
        return [], notes
    checks = _stichtag(loaded, profile)
    if loaded.usable("einwohner", *RESIDENT_COLUMNS):
        checks.append(_residents(loaded.frames["einwohner"], profile))
    if loaded.usable("haushalte", "anzahl_personen"):
        checks.append(_households(loaded.frames["haushalte"], profile))
    return checks, notes

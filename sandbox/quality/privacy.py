"""Privacy report: where the values come from, and how identifying records of this shape are.

Four parts, for a generated dataset or a team's own extract alike:

1. Provenance: which reference lists and profile the values were drawn from,
   and the statement that no real record went in (for an extract: that it is
   the team's own data, and from which file).
2. k-anonymity over the quasi-identifiers birth year, sex and postcode
   (strict case: full birth date, sex and postcode): the smallest group of
   records sharing those values (k), the share of records that are unique,
   and how records spread over group sizes.
3. l-diversity of a sensitive attribute (religion) within those groups: a
   group whose records all share one value discloses it for everybody in it.
4. Free text naming a registered person with birth date (see ``leaks``).

Synthetic people are nobody, so a high share of unique records in generated
data harms no one; it shows how identifying real data of this structure
would be, which is what a data-protection officer needs before a workshop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.errors import SandboxError
from sandbox.german import integer, percent
from sandbox.quality.leaks import Leaks, find_leaks, free_text_columns
from sandbox.quality.loading import Loaded, load_dataset, load_extract, read_manifest
from sandbox.quality.roles import register_roles, year_column

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Anonymity", "PrivacyReport", "anonymity", "assess_dataset", "assess_extract", "privacy_dataset",
           "SIZE_CLASSES", "LABELS"]

LABELS = {"geburtsjahr": "Geburtsjahr", "geburtsdatum": "Geburtsdatum", "geschlecht": "Geschlecht", "plz": "PLZ"}
SIZE_CLASSES: tuple[tuple[str, int, int], ...] = (("1", 1, 1), ("2", 2, 2), ("3–4", 3, 4), ("5–9", 5, 9),
                                                  ("10+", 10, 1 << 62))


@dataclass
class Anonymity:
    """k-anonymity and l-diversity of one combination of quasi-identifiers."""

    name: str
    columns: list[str]
    records: int
    groups: int
    k: int
    unique_share: float
    sizes: dict[str, float]  # size class -> share of records in groups of that size
    sensitive: str | None = None
    l: int | None = None  # noqa: E741 - the name of the measure
    homogeneous_share: float | None = None  # records in groups with one sensitive value only

    def summary(self) -> dict[str, Any]:
        return {"columns": self.columns, "records": self.records, "groups": self.groups, "k": self.k,
                "unique_share": round(self.unique_share, 4), "sensitive": self.sensitive, "l": self.l,
                "homogeneous_share": None if self.homogeneous_share is None else round(self.homogeneous_share, 4)}


def anonymity(frame: "pd.DataFrame", columns: list[str], name: str = "", sensitive: str | None = None) -> Anonymity:
    """k, share of unique records, group size distribution and l-diversity over ``columns``."""
    import numpy as np

    n = len(frame)
    if n == 0:
        return Anonymity(name, columns, 0, 0, 0, 0.0, {label: 0.0 for label, _, _ in SIZE_CLASSES}, sensitive)
    grouped = frame.groupby(columns, dropna=False, observed=True, sort=False)
    sizes = grouped.size().to_numpy()
    shares = {label: float(sizes[(sizes >= low) & (sizes <= high)].sum()) / n for label, low, high in SIZE_CLASSES}
    result = Anonymity(name, columns, n, len(sizes), int(sizes.min()), float(sizes[sizes == 1].sum()) / n, shares)
    if sensitive and sensitive in frame.columns:
        distinct = grouped[sensitive].nunique(dropna=False).to_numpy()
        result.sensitive = sensitive
        result.l = int(distinct.min())
        result.homogeneous_share = float(np.asarray(sizes)[distinct == 1].sum()) / n
    return result


def _name(columns: "tuple[str, ...] | list[str]") -> str:
    return ", ".join(LABELS.get(c, c) for c in columns)


def _people(loaded: Loaded, table: str) -> tuple["pd.DataFrame | None", list[str]]:
    """The person records with quasi-identifier columns derived where possible (year, postcode)."""
    frame = loaded.frames.get(table)
    if frame is None:
        return None, [f"keine Personendaten: Tabelle {table} nicht lesbar oder nicht vorhanden"]
    roles = register_roles()
    wanted = {c for columns in roles.combinations for c in columns} | {fk for fk, *_ in roles.linked} | set(roles.sensitive)
    people = frame[[c for c in frame.columns if c in wanted]]
    for date in roles.dates:  # the usual combination counts a date by its year
        if year_column(date) not in people.columns and loaded.usable(table, date):
            people = people.assign(**{year_column(date): people[date].dt.year})
    for fk, parent, key, names in roles.linked:  # quasi-identifiers of the record the person points at
        for name in names:
            if name not in people.columns and loaded.usable(table, fk) and loaded.usable(parent, key, name):
                values = loaded.frames[parent].drop_duplicates(key).set_index(key)[name]
                people = people.assign(**{name: people[fk].map(values)})
    return people, []


@dataclass
class PrivacyReport:
    """Everything ``sandbox data privacy`` prints and the data card states."""

    source: str
    synthetic: bool
    provenance: list[tuple[str, str]] = field(default_factory=list)  # (file, quelle)
    origin: str = ""  # one German sentence: where the records come from
    anonymity: list[Anonymity] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=dict)  # combination -> missing columns
    leaks: Leaks = field(default_factory=Leaks)
    notes: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """2 when the input cannot be read, else the verdict's: 0 unbedenklich, 1 prüfen, 3 nicht freigeben."""
        from sandbox.quality.verdict import judge

        return 2 if self.errors else judge(self).exit_code

    def summary(self) -> dict[str, Any]:
        """Deterministic record for manifest.json."""
        return {"synthetic": self.synthetic, "quasi_identifiers": [a.summary() for a in self.anonymity],
                "free_text_columns": self.leaks.columns, "free_text_hits": self.leaks.hits}

    def headline(self) -> str:
        """One line: the verdict, k and unique share of the first combination, and the free-text result."""
        from sandbox.quality.verdict import judge

        parts = [judge(self).level]
        parts += [f"{a.name}: k={a.k}, eindeutig {percent(a.unique_share)}" for a in self.anonymity[:1]]
        parts.append(f"Freitext: {self.leaks.hits} Fundstellen" if self.leaks.hits else "Freitext: keine Fundstelle")
        return "; ".join(parts)


def _provenance() -> list[tuple[str, str]]:
    from sandbox.synth import reference

    out = []
    for path in reference.reference_files():
        frame = reference.load(path.stem)
        quellen = sorted(set(frame["quelle"])) if "quelle" in frame.columns else ["(ohne Angabe)"]
        out.append((f"reference/{path.name}", "; ".join(quellen)))
    return out


def _assess(loaded: Loaded, table: str, report: PrivacyReport) -> PrivacyReport:
    from sandbox.synth import TABLES

    report.errors = dict(loaded.errors)
    people, report.notes = _people(loaded, table)
    if people is not None:
        roles = register_roles()
        sensitive = next((s for s in roles.sensitive if loaded.usable(table, s)), None)
        for wanted in roles.combinations:
            columns = [c for c in wanted if c in people.columns]
            name = _name(wanted)
            if len(columns) < len(wanted):
                report.missing[name] = [c for c in wanted if c not in columns]
            if columns:
                report.anonymity.append(anonymity(people, columns, _name(columns), sensitive))
    texts = {f"{name}.{col}": frame[col] for name, frame in loaded.frames.items() if name != "einwohner"
             for col in free_text_columns(TABLES[name].TABLE, frame)}  # the register's own names are no leak
    register = loaded.frames.get("einwohner")
    report.leaks = find_leaks(register, texts) if register is not None else Leaks(columns=list(texts))
    if texts and register is None:
        report.notes.append("Freitext nicht mit dem Register abgeglichen: keine Tabelle einwohner")
    return report


def assess_dataset(loaded: Loaded, manifest: dict[str, Any], source: str = "") -> PrivacyReport:
    """The privacy report of a generated dataset's loaded tables."""
    origin = (f"Synthetisch erzeugt mit Generator-Version {manifest.get('generator_version')} aus dem Profil "
              f"`{manifest.get('profile')}` (Seed {manifest.get('seed')}). Kein echter Datensatz ist eingeflossen: "
              "Namen, Anschriften und Lebensläufe sind aus den folgenden Referenzlisten und den Verteilungen "
              "des Profils gezogen.")
    report = PrivacyReport(source=source or str(manifest.get("profile")), synthetic=True, provenance=_provenance(),
                           origin=origin)
    return _assess(loaded, "einwohner", report)


def privacy_dataset(folder: Path) -> PrivacyReport:
    """Load what the privacy report needs from a dataset folder and assess it.

    Only the register columns it uses are read, and text columns only once a
    sample of their first rows shows they hold prose: the sachsen dataset has
    twenty million short process-event labels that need not be read at all.
    """
    from sandbox.quality.leaks import SAMPLE
    from sandbox.synth import TABLES

    folder = Path(folder)
    manifest = read_manifest(folder)
    absent = [str(info.get("file")) for info in manifest["tables"].values() if not (folder / str(info.get("file"))).is_file()]
    if absent:  # a verdict on part of a dataset would be a verdict on something else
        raise SandboxError(f"Datensatz {folder.name} ist unvollständig, es fehlt {', '.join(absent)}; "
                           "bitte den Datensatz neu erzeugen")
    people_columns = register_roles().columns()  # quasi-identifiers, the sensitive attribute, names
    candidates = {name: [c.name for c in module.TABLE.columns if c.dtype == "string"
                         and not (c.allowed or c.pattern or c.references)]
                  for name, module in TABLES.items() if name not in people_columns}
    candidates = {name: cols for name, cols in candidates.items() if cols}
    sample = load_dataset(folder, manifest, only=candidates, columns=candidates, rows=SAMPLE)
    texts = {name: free_text_columns(TABLES[name].TABLE, frame) for name, frame in sample.frames.items()}
    texts = {name: cols for name, cols in texts.items() if cols}
    loaded = load_dataset(folder, manifest, only={*people_columns, *texts}, columns={**people_columns, **texts})
    loaded.notes.clear()
    return assess_dataset(loaded, manifest, folder.name)


def assess_extract(path: Path, table: str) -> PrivacyReport:
    """How identifying a team's own extract is, read against the standard schema of ``table``."""
    path = Path(path)
    loaded = load_extract(path, table)
    if table in loaded.errors:
        raise SandboxError(loaded.errors[table])
    rows = len(loaded.frames[table])
    count = integer(rows)
    origin = (f"Eigene Daten aus {path.name} ({count} Zeilen), gelesen als Tabelle {table}. Diese Daten sind nicht "
              "synthetisch: der Bericht zeigt, wie identifizierend sie sind, bevor sie verwendet werden.")
    report = PrivacyReport(source=path.name, synthetic=False, origin=origin)
    return _assess(loaded, table, report)

"""Export Faker's de_DE vocabularies into ``synthetic_data/reference/``.

Faker is the source of first names, family names and German place names; the
generators never call Faker per row, they sample these lists with numpy. This
maintainer script writes the lists as CSV so that generation needs neither
Faker nor its version to stay byte-identical. Run it (Faker installed with the
``dev`` extra) only to refresh the vocabularies::

    python tools/export_vocabularies.py
"""

from __future__ import annotations

import csv
from pathlib import Path

from sandbox.config import reference_dir

__all__ = ["export"]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def export(target: Path | None = None) -> list[Path]:
    """Write vornamen.csv, familiennamen.csv and orte_deutschland.csv from Faker de_DE."""
    import faker
    from faker.providers.address import de_DE as address
    from faker.providers.person import de_DE as person

    target = target or reference_dir()
    source = f"Faker {faker.VERSION} de_DE"
    first = [[n, "weiblich", source] for n in sorted(set(person.Provider.first_names_female))]
    first += [[n, "männlich", source] for n in sorted(set(person.Provider.first_names_male))]
    paths = [target / "vornamen.csv", target / "familiennamen.csv", target / "orte_deutschland.csv"]
    _write(paths[0], ["vorname", "geschlecht", "quelle"], first)
    _write(paths[1], ["familienname", "quelle"], [[n, source] for n in sorted(set(person.Provider.last_names))])
    _write(paths[2], ["ort", "quelle"], [[n, source] for n in sorted(set(address.Provider.cities))])
    return paths


if __name__ == "__main__":
    for written in export():
        print(written)

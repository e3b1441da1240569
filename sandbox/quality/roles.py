"""What the privacy and leak checks read of the register, derived from the schema's column roles.

The person table (`einwohner`) declares which of its columns are
quasi-identifiers, which is sensitive and which name a person; a foreign key
brings in the quasi-identifiers of the table it points at (the postcode of
the address). From those roles follow the two combinations the privacy
report measures (dates by year, and the strict one with full dates), the
sensitive attribute of l-diversity, and the name columns the leak search
joins on, so no list of column names is kept in ``quality``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sandbox.synth.schema import BIRTH_DATE, FAMILY_NAME, GIVEN_NAMES, QUASI_IDENTIFIER, SENSITIVE

__all__ = ["PERSON_TABLE", "RegisterRoles", "register_roles", "year_column"]

PERSON_TABLE = "einwohner"


def year_column(date_column: str) -> str:
    """The name of a date coarsened to its year: ``geburtsdatum`` -> ``geburtsjahr``."""
    return date_column.removesuffix("datum") + "jahr" if date_column.endswith("datum") else date_column + "_jahr"


@dataclass(frozen=True)
class RegisterRoles:
    """Column roles of the person table and of the tables its foreign keys point at."""

    dates: tuple[str, ...]  # date quasi-identifiers (counted by year in the usual combination)
    others: tuple[str, ...]  # further quasi-identifiers of the person table
    linked: tuple[tuple[str, str, str, tuple[str, ...]], ...]  # (foreign key, table, its key, its quasi-identifiers)
    sensitive: tuple[str, ...]
    names: tuple[str, str, str]  # given names, family name, birth date

    @property
    def combinations(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The usual combination (dates by year) and the strict one (full dates)."""
        linked = tuple(name for *_, names in self.linked for name in names)
        return (tuple(map(year_column, self.dates)) + self.others + linked, self.dates + self.others + linked)

    def columns(self) -> dict[str, list[str]]:
        """Per table, the columns the privacy report reads: keys, quasi-identifiers, names, sensitive."""
        own = [fk for fk, *_ in self.linked] + list(self.names) + list(self.dates + self.others + self.sensitive)
        out = {PERSON_TABLE: list(dict.fromkeys(own))}
        for _, table, key, names in self.linked:
            out[table] = [key, *names]
        return out


@lru_cache(maxsize=1)
def register_roles() -> RegisterRoles:
    from sandbox.synth import TABLES

    people = TABLES[PERSON_TABLE].TABLE
    quasi = people.with_role(QUASI_IDENTIFIER)
    linked = []
    for col in people.columns:
        parent = col.parent_table
        if parent and parent != people.name and col.references:
            names = tuple(c.name for c in TABLES[parent].TABLE.with_role(QUASI_IDENTIFIER))
            if names:
                linked.append((col.name, parent, col.references.split(".", 1)[1], names))
    first = {role: next(c.name for c in people.columns if role in c.roles) for role in (GIVEN_NAMES, FAMILY_NAME, BIRTH_DATE)}
    return RegisterRoles(
        dates=tuple(c.name for c in quasi if c.dtype == "date"),
        others=tuple(c.name for c in quasi if c.dtype != "date"),
        linked=tuple(linked),
        sensitive=tuple(c.name for c in people.with_role(SENSITIVE)),
        names=(first[GIVEN_NAMES], first[FAMILY_NAME], first[BIRTH_DATE]),
    )

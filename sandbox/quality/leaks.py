"""Free text that names a registered person: full name and birth date in one text.

A citizen's request, a case note or a comment may mention a name; a name
together with the person's birth date identifies that person. For generated
data this must never happen (the texts are built from templates); for a
team's own extract it is exactly what a data-protection officer asks about.

The search runs in DuckDB: every date written as ``d.m.yyyy`` in a text is
joined with the people born on that day, and only those few candidates are
tested for the full name (first given name and family name) in the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sandbox.synth.schema import Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Leaks", "find_leaks", "free_text_columns", "MIN_TEXT_LENGTH"]

MIN_TEXT_LENGTH = 30  # mean characters per value from which a text column counts as free text
MIN_DISTINCT = 0.2  # share of distinct values below which a column is a vocabulary, not prose
PERSON_COLUMNS = ("vornamen", "familienname", "geburtsdatum")


@dataclass
class Leaks:
    """Which free-text columns were searched and which texts name a person with birth date."""

    columns: list[str] = field(default_factory=list)  # "table.column"
    hits: int = 0
    samples: list[str] = field(default_factory=list)


def free_text_columns(table: Table, frame: "pd.DataFrame") -> list[str]:
    """Text columns holding prose: no vocabulary, pattern or key; long and mostly distinct values."""
    out = []
    for col in table.columns:
        if col.dtype != "string" or col.allowed or col.pattern or col.references or col.name not in frame.columns:
            continue
        values = frame[col.name].dropna()
        if len(values) == 0:
            continue
        lengths = values.astype("str").str.len()
        if float(lengths.mean()) >= MIN_TEXT_LENGTH and values.nunique() >= MIN_DISTINCT * len(values):
            out.append(col.name)
    return out


_QUERY = """
with texte as (
    select zeile, cast(text as varchar) as text from texte_raw where text is not null
), daten as (
    select zeile, text, try_strptime(unnest(regexp_extract_all(text, '\\b\\d{1,2}\\.\\d{1,2}\\.\\d{4}\\b')), '%d.%m.%Y')::date as tag
    from texte
), personen as (
    select split_part(cast(vornamen as varchar), ' ', 1) || ' ' || cast(familienname as varchar) as name,
           cast(geburtsdatum as date) as tag
    from personen_raw where geburtsdatum is not null
)
select d.zeile, p.name, strftime(d.tag, '%d.%m.%Y') as tag
from daten d join personen p on d.tag = p.tag
where contains(d.text, p.name)
order by d.zeile, p.name
"""


def find_leaks(people: "pd.DataFrame", texts: dict[str, "pd.Series"], sample: int = 5) -> Leaks:
    """Texts (``{"table.column": values}``) containing a person's full name and birth date."""
    import duckdb
    import pandas as pd

    leaks = Leaks(columns=list(texts))
    if not texts or not set(PERSON_COLUMNS) <= set(people.columns):
        return leaks
    con = duckdb.connect()
    con.register("personen_raw", people[list(PERSON_COLUMNS)])
    for where, values in texts.items():
        con.register("texte_raw", pd.DataFrame({"zeile": range(1, len(values) + 1), "text": values.to_numpy()}))
        found = con.execute(_QUERY).fetchall()
        con.unregister("texte_raw")
        rows = sorted({row for row, _, _ in found})
        leaks.hits += len(rows)
        for row, name, day in found[: max(0, sample - len(leaks.samples))]:
            leaks.samples.append(f"{where}, Zeile {row}: „{name}“ mit Geburtsdatum {day}")
    con.close()
    return leaks

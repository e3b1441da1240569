"""Free text that names a registered person: full name and birth date in one text.

A citizen's request, a case note or a comment may mention a name; a name
together with the person's birth date identifies that person. For generated
data this must never happen (the texts are built from templates); for a
team's own extract it is exactly what a data-protection officer asks about.

The search runs in DuckDB: the dates written as ``d.m.yyyy`` and the words of
each text are joined with the people by birth date and family name, and only
those few candidates are tested for the full name (first given name and
family name) as whole words in the text, ignoring case ("abgeben will" does
not name Ben Will). Joining on both keys keeps it fast:
the sachsen dataset's 1.2 million requests mention 230,000 dates, each the
birthday of a hundred or more residents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sandbox.quality.roles import register_roles
from sandbox.synth.schema import Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Leaks", "find_leaks", "free_text_columns", "MIN_TEXT_LENGTH"]

MIN_TEXT_LENGTH = 30  # mean characters per value from which a text column counts as free text
MIN_DISTINCT = 0.2  # share of distinct values below which a column is a vocabulary, not prose
SAMPLE = 10_000  # first values of a column that decide whether it is free text
_QUERY_COLUMNS = ["vornamen", "familienname", "geburtsdatum"]  # what the query calls the name roles


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
        values = frame[col.name].head(SAMPLE).dropna()  # a fixed head: deterministic and cheap at any size
        if len(values) == 0:
            continue
        lengths = values.astype("str").str.len()
        if float(lengths.mean()) >= MIN_TEXT_LENGTH and values.nunique() >= MIN_DISTINCT * len(values):
            out.append(col.name)
    return out


_QUERY = r"""
with texte as materialized (
    select zeile, lower(cast(text as varchar)) as text from texte_raw
    where regexp_matches(text, '\d{1,2}\.\d{1,2}\.\d{4}')  -- only texts with a date can name a birthday
), daten as materialized (
    select distinct zeile, try_strptime(tag, '%d.%m.%Y')::date as tag
    from (select zeile, unnest(regexp_extract_all(text, '\b\d{1,2}\.\d{1,2}\.\d{4}\b')) as tag from texte)
), woerter as (
    select distinct zeile, wort
    from (select zeile, unnest(regexp_extract_all(text, '\p{L}[\p{L}\-]+')) as wort
          from texte where zeile in (select zeile from daten))
), personen as (  -- only people born on a day some text mentions
    select lower(split_part(cast(vornamen as varchar), ' ', 1)) as vorname,
           lower(cast(familienname as varchar)) as familienname,
           lower(split_part(cast(familienname as varchar), ' ', -1)) as letztes_wort,
           split_part(cast(vornamen as varchar), ' ', 1) || ' ' || cast(familienname as varchar) as anzeige,
           cast(geburtsdatum as date) as tag
    from personen_raw where cast(geburtsdatum as date) in (select tag from daten)
), kandidaten as (
    select distinct d.zeile, p.vorname, p.familienname, p.anzeige, d.tag
    from daten d join woerter w using (zeile) join personen p on p.tag = d.tag and p.letztes_wort = w.wort
)
select k.zeile, k.anzeige as name, strftime(k.tag, '%d.%m.%Y') as tag
from kandidaten k join texte t using (zeile)
where contains(' ' || regexp_replace(t.text, '[^\p{L}\-]+', ' ', 'g') || ' ',  -- whole words only:
               ' ' || regexp_replace(k.vorname || ' ' || k.familienname, '[^\p{L}\-]+', ' ', 'g') || ' ')
order by k.zeile, name
"""


def find_leaks(people: "pd.DataFrame", texts: dict[str, "pd.Series"], sample: int = 5) -> Leaks:
    """Texts (``{"table.column": values}``) containing a person's full name and birth date."""
    import duckdb
    import pyarrow as pa

    leaks = Leaks(columns=list(texts))
    names = list(register_roles().names)  # given names, family name, birth date (schema roles)
    if not texts or not set(names) <= set(people.columns):
        return leaks
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.register("personen_raw", pa.Table.from_pandas(people[names].set_axis(_QUERY_COLUMNS, axis=1), preserve_index=False))
    for where, values in texts.items():
        text = pa.array(values, from_pandas=True)  # Arrow hands the strings to DuckDB without copying each one
        con.register("texte_raw", pa.table({"zeile": pa.array(range(1, len(values) + 1)), "text": text}))
        found = con.execute(_QUERY).fetchall()
        con.unregister("texte_raw")
        rows = sorted({row for row, _, _ in found})
        leaks.hits += len(rows)
        for row, name, day in found[: max(0, sample - len(leaks.samples))]:
            leaks.samples.append(f"{where}, Zeile {row}: „{name}“ mit Geburtsdatum {day}")
    con.close()
    return leaks

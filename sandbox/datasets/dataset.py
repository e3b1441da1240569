"""Open a generated dataset: tables as pandas DataFrames, DuckDB SQL over the files.

    from sandbox import datasets
    ds = datasets.open("musterstadt")        # synthetic_data/generated/musterstadt-s42
    ds["einwohner"].head()
    ds.sql("select geschlecht, count(*) from einwohner group by 1")

Dates come back as ``datetime64`` columns and keys as nullable ``Int64``,
whether the dataset was written as Parquet or as German-Excel CSV.

A manifest is a file anyone can edit, so nothing from it reaches SQL or a path
unchecked: table names must be tables of the schema, file names plain names
inside the folder, column names and types come from the schema, and every
identifier is quoted (:func:`quote`).
"""

from __future__ import annotations

import json
import re
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.config import DEFAULT_PROFILE, DEFAULT_SEED, generated_dir
from sandbox.errors import SandboxError
from sandbox.synth.dtypes import TYPES
from sandbox.synth.files import CSV_DELIMITER
from sandbox.synth.writer import MANIFEST, dataset_name

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = ["Dataset", "open", "resolve", "list_datasets", "quote"]


def quote(identifier: str) -> str:
    """A DuckDB/SQL identifier in double quotes, inner quotes doubled: never spliced in raw."""
    return '"' + identifier.replace('"', '""') + '"'


#: the name of an own table a twin may carry (read from Parquet, so no column list goes into SQL)
_OWN_TABLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _check_manifest(path: Path, manifest: Any) -> dict[str, Any]:
    """The manifest if its tables, files and format are ones this tool writes; else one German error."""
    from sandbox.synth import TABLES
    from sandbox.synth.files import FORMATS

    where = path / MANIFEST
    tables = manifest.get("tables") if isinstance(manifest, dict) else None
    if not isinstance(tables, dict) or not tables:
        raise SandboxError(f"{where} nennt keine Tabellen; kein gültiger Datensatz, bitte neu erzeugen")
    fmt = manifest.get("format", "parquet")
    if fmt not in FORMATS:
        raise SandboxError(f"{where}: unbekanntes Format {str(fmt)[:40]!r}; bitte den Datensatz neu erzeugen")
    for table, info in tables.items():
        own = "twin" in manifest and fmt == "parquet" and _OWN_TABLE.match(str(table))  # a twin of an own table
        if table not in TABLES and not own:
            raise SandboxError(f"{where} nennt die unbekannte Tabelle {str(table)[:40]!r}; bitte den Datensatz neu erzeugen")
        file = info.get("file") if isinstance(info, dict) else None
        if file != f"{table}.{fmt}":
            raise SandboxError(f"{where}: Tabelle {table} verweist auf {str(file)[:60]!r} statt {table}.{fmt}; "
                               "bitte den Datensatz neu erzeugen")
    return manifest

def resolve(name_or_path: str | Path | None = None, seed: int | None = None) -> Path:
    """The folder of a dataset given a profile name, a folder name or a path."""
    name = str(name_or_path or DEFAULT_PROFILE)
    candidates = [Path(name)] if ("/" in name or Path(name).is_absolute()) else []
    candidates += [generated_dir() / name, generated_dir() / dataset_name(name, DEFAULT_SEED if seed is None else seed)]
    for folder in candidates:
        if (folder / MANIFEST).is_file():
            return folder
    if candidates and candidates[0].is_dir():
        raise SandboxError(f"{candidates[0]} hat keine {MANIFEST}; kein vollständig erzeugter Datensatz, bitte neu erzeugen")
    hint = f"sandbox data generate --profile {name}" + (f" --seed {seed}" if seed is not None else "")
    raise SandboxError(f"kein erzeugter Datensatz {name!r} in {generated_dir()}; erzeugen mit: {hint}")


class Dataset:
    """A generated dataset folder: its manifest, tables and a DuckDB connection."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            manifest = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SandboxError(f"{self.path / MANIFEST} lässt sich nicht lesen ({exc}); bitte den Datensatz neu erzeugen") from None
        self.manifest: dict[str, Any] = _check_manifest(self.path, manifest)
        self._frames: dict[str, pd.DataFrame] = {}

    def __repr__(self) -> str:
        return f"Dataset({self.path.name!r}: {', '.join(self.tables)})"

    @property
    def tables(self) -> list[str]:
        return list(self.manifest["tables"])

    @property
    def digest(self) -> str:
        return str(self.manifest["digest"])

    def _source(self, table: str) -> str:
        from sandbox.synth import TABLES

        fmt = self.manifest.get("format", "parquet")
        path = (self.path / f"{table}.{fmt}").as_posix().replace("'", "''")
        if fmt == "parquet":
            return f"select * from read_parquet('{path}')"
        columns = TABLES[table].TABLE.columns  # names and types from the schema, never from the manifest
        types = ", ".join(f"'{c.name}': 'VARCHAR'" for c in columns)
        casts = []
        for c in columns:
            ident = quote(c.name)
            if c.dtype == "bool":
                casts.append(f"({ident} = 'WAHR') as {ident}")
            elif c.dtype == "float64":
                casts.append(f"cast(replace({ident}, ',', '.') as DOUBLE) as {ident}")
            else:
                casts.append(f"cast({ident} as {TYPES[c.dtype].duckdb}) as {ident}")
        return (f"select {', '.join(casts)} from read_csv('{path}', delim='{CSV_DELIMITER}', header=true, "
                f"quote='\"', columns={{{types}}})")

    @cached_property
    def con(self) -> "duckdb.DuckDBPyConnection":
        """An in-memory DuckDB connection with one view per table."""
        import duckdb

        con = duckdb.connect()
        for table in self.tables:
            con.execute(f"create view {quote(table)} as {self._source(table)}")
        return con

    def __getitem__(self, table: str) -> "pd.DataFrame":
        if table not in self.manifest["tables"]:
            raise SandboxError(f"Datensatz {self.path.name} hat keine Tabelle {table!r}; Tabellen: {', '.join(self.tables)}")
        if table not in self._frames:
            self._frames[table] = _to_pandas(self.con.sql(f"select * from {quote(table)}").to_arrow_table())
        return self._frames[table]

    def sql(self, query: str) -> "pd.DataFrame":
        """Run DuckDB SQL over the tables (each table is a view of its name)."""
        import duckdb

        try:
            return _to_pandas(self.con.sql(query).to_arrow_table())
        except duckdb.Error as exc:
            raise SandboxError(f"SQL-Abfrage fehlgeschlagen: {str(exc).splitlines()[0]}") from None


def _to_pandas(table: Any) -> "pd.DataFrame":
    import pandas as pd
    import pyarrow as pa

    mapping = {pa.int64(): pd.Int64Dtype(), pa.int32(): pd.Int64Dtype()}
    return table.to_pandas(date_as_object=False, types_mapper=mapping.get)


def open(name_or_path: str | Path | None = None, seed: int | None = None) -> Dataset:  # noqa: A001
    """Open a generated dataset by profile name (default seed), folder name or path."""
    return Dataset(resolve(name_or_path, seed))


def list_datasets() -> list[Dataset]:
    """Every complete dataset in the generated folder, by name."""
    root = generated_dir()
    if not root.is_dir():
        return []
    return [Dataset(p) for p in sorted(root.iterdir()) if (p / MANIFEST).is_file()]


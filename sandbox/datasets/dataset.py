"""Open a generated dataset: tables as pandas DataFrames, DuckDB SQL over the files.

    from sandbox import datasets
    ds = datasets.open("musterstadt")        # synthetic_data/generated/musterstadt-s42
    ds["einwohner"].head()
    ds.sql("select geschlecht, count(*) from einwohner group by 1")

Dates come back as ``datetime64`` columns and keys as nullable ``Int64``,
whether the dataset was written as Parquet or as German-Excel CSV.
"""

from __future__ import annotations

import json
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

__all__ = ["Dataset", "open", "resolve", "list_datasets"]

def resolve(name_or_path: str | Path | None = None, seed: int | None = None) -> Path:
    """The folder of a dataset given a profile name, a folder name or a path."""
    name = str(name_or_path or DEFAULT_PROFILE)
    candidates = [Path(name)] if ("/" in name or Path(name).is_absolute()) else []
    candidates += [generated_dir() / name, generated_dir() / dataset_name(name, DEFAULT_SEED if seed is None else seed)]
    for folder in candidates:
        if (folder / MANIFEST).is_file():
            return folder
    if candidates and candidates[0].is_dir():
        raise SandboxError(f"{candidates[0]} has no {MANIFEST}; it is not a complete generated dataset, generate it again")
    hint = f"sandbox data generate --profile {name}" + (f" --seed {seed}" if seed is not None else "")
    raise SandboxError(f"no generated dataset {name!r} in {generated_dir()}; create it with: {hint}")


class Dataset:
    """A generated dataset folder: its manifest, tables and a DuckDB connection."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.manifest: dict[str, Any] = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SandboxError(f"cannot read {self.path / MANIFEST} ({exc}); generate the dataset again") from None
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
        info = self.manifest["tables"][table]
        path = (self.path / info["file"]).as_posix().replace("'", "''")
        if self.manifest.get("format", "parquet") == "parquet":
            return f"select * from read_parquet('{path}')"
        types = ", ".join(f"'{c['name']}': 'VARCHAR'" for c in info["columns"])
        casts = []
        for c in info["columns"]:
            ident = '"' + c["name"] + '"'
            if c["dtype"] == "bool":
                casts.append(f"({ident} = 'WAHR') as {ident}")
            elif c["dtype"] == "float64":
                casts.append(f"cast(replace({ident}, ',', '.') as DOUBLE) as {ident}")
            else:
                casts.append(f"cast({ident} as {TYPES[c['dtype']].duckdb}) as {ident}")
        return (f"select {', '.join(casts)} from read_csv('{path}', delim='{CSV_DELIMITER}', header=true, "
                f"quote='\"', columns={{{types}}})")

    @cached_property
    def con(self) -> "duckdb.DuckDBPyConnection":
        """An in-memory DuckDB connection with one view per table."""
        import duckdb

        con = duckdb.connect()
        for table in self.tables:
            con.execute(f'create view "{table}" as {self._source(table)}')
        return con

    def __getitem__(self, table: str) -> "pd.DataFrame":
        if table not in self.manifest["tables"]:
            raise SandboxError(f"dataset {self.path.name} has no table {table!r}; tables: {', '.join(self.tables)}")
        if table not in self._frames:
            self._frames[table] = _to_pandas(self.con.sql(f'select * from "{table}"').to_arrow_table())
        return self._frames[table]

    def sql(self, query: str) -> "pd.DataFrame":
        """Run DuckDB SQL over the tables (each table is a view of its name)."""
        import duckdb

        try:
            return _to_pandas(self.con.sql(query).to_arrow_table())
        except duckdb.Error as exc:
            raise SandboxError(f"SQL failed: {str(exc).splitlines()[0]}") from None


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


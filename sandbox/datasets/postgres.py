"""`sandbox data load --into postgresql://...`: a generated dataset as PostgreSQL tables.

Lab teams who work in SQL (or with tools that speak PostgreSQL) get every
table of a generated dataset in one schema (default ``synth``), typed from the
``sandbox.synth`` schemas: ``bigint``, ``double precision``, ``boolean``,
``date``, ``timestamp``, ``text``; ``NOT NULL`` where a column is never empty,
primary keys, foreign keys where a column references another table's key, and
the German column descriptions as comments. ``<schema>._datensatz`` records
which dataset is loaded (name, profile, seed, digest, time).

Loading replaces what was there, in one transaction: a failed load leaves the
previous tables untouched, a repeated load gives the same tables. Rows travel
by ``COPY ... FROM STDIN (FORMAT csv)`` in Arrow record batches, so large
profiles stream instead of being held as text in memory.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sandbox.datasets.dataset import quote
from sandbox.errors import SandboxError
from sandbox.synth.dtypes import TYPES

if TYPE_CHECKING:
    from pathlib import Path

    import psycopg

    from sandbox.datasets.dataset import Dataset

__all__ = ["load_dataset", "LoadResult", "check_url", "connect", "redact"]

BATCH_ROWS = 200_000
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass
class LoadResult:
    """What a load wrote: schema, rows per table, the dataset and how long it took."""

    schema: str
    dataset: str
    digest: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class _Col:
    name: str
    dtype: str
    nullable: bool = True
    description: str = ""
    references: str | None = None


class _Unreadable(Exception):
    """A table of the dataset could not be read (rolls the transaction back)."""


def _first(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


_SECRET_KEYS = ("password", "passwort", "sslpassword", "passfile", "sslkey")


def redact(url: str) -> str:
    """The URL without its password (in the address or the query string), for messages."""
    from urllib.parse import parse_qsl, urlencode

    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # a malformed address: show only its scheme
        return url.split("://", 1)[0] + "://***"
    if password is not None:
        parts = parts._replace(netloc=parts.netloc.replace(f":{password}@", ":***@", 1))
    if parts.query:
        query = [(k, "***" if k.lower() in _SECRET_KEYS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        parts = parts._replace(query=urlencode(query, safe="*"))
    return parts.geturl()


def check_url(url: str) -> None:
    """Refuse anything but a PostgreSQL URL, before any work is done."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme.split("+", 1)[0] not in ("postgresql", "postgres"):
        raise SandboxError(f"--into muss eine PostgreSQL-Adresse sein wie postgresql://nutzer:passwort@host:5432/datenbank, "
                           f"nicht {redact(url)!r}")


def connect(url: str) -> "psycopg.Connection[Any]":
    """A psycopg connection to ``url`` (``postgresql://`` or SQLAlchemy's ``postgresql+psycopg://``)."""
    import psycopg

    check_url(url)
    plain = "postgresql://" + url.split("://", 1)[1]
    try:
        return psycopg.connect(plain, connect_timeout=10)
    except psycopg.Error as exc:
        raise SandboxError(f"keine Verbindung zu PostgreSQL unter {redact(url)}: {_first(exc)}; bitte Adresse prüfen und "
                           "ob die Datenbank läuft (docker compose up -d db)") from None


def _columns(ds: "Dataset", table: str) -> list[_Col]:
    """Columns of ``table`` from its synth schema, or from the manifest for tables the code no longer knows."""
    from sandbox.synth import TABLES

    if table in TABLES:
        return [_Col(c.name, c.dtype, c.nullable, c.description, c.references) for c in TABLES[table].TABLE.columns]
    return [_Col(c["name"], c["dtype"]) for c in ds.manifest["tables"][table]["columns"]]


def _primary_key(table: str) -> str | None:
    from sandbox.synth import TABLES

    return TABLES[table].TABLE.primary_key if table in TABLES else None


def _create(cur: "psycopg.Cursor[Any]", schema: str, table: str, cols: list[_Col]) -> None:
    from psycopg import sql

    target = sql.Identifier(schema, table)
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(target))
    defs = [sql.SQL("{} {}{}").format(sql.Identifier(c.name), sql.SQL(TYPES[c.dtype].postgres),
                                      sql.SQL("" if c.nullable else " NOT NULL")) for c in cols]
    cur.execute(sql.SQL("CREATE TABLE {} ({})").format(target, sql.SQL(", ").join(defs)))
    for c in cols:
        if c.description:
            cur.execute(sql.SQL("COMMENT ON COLUMN {} IS {}").format(sql.Identifier(schema, table, c.name),
                                                                    sql.Literal(c.description)))


def _copy(cur: "psycopg.Cursor[Any]", ds: "Dataset", schema: str, table: str, cols: list[_Col]) -> int:
    """Stream the table's rows into PostgreSQL as CSV; the number of rows."""
    import pyarrow.csv as pacsv
    from psycopg import sql

    names = [c.name for c in cols]
    select = "select " + ", ".join(map(quote, names)) + f" from {quote(table)}"
    reader = ds.con.sql(select).to_arrow_reader(BATCH_ROWS)
    options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")  # unquoted empty = NULL
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        sql.Identifier(schema, table), sql.SQL(", ").join(map(sql.Identifier, names)))
    rows = 0
    with cur.copy(statement) as copy:
        for batch in reader:
            buffer = io.BytesIO()
            pacsv.write_csv(batch, buffer, options)
            copy.write(buffer.getvalue())
            rows += batch.num_rows
    return rows


def _constraints(cur: "psycopg.Cursor[Any]", schema: str, tables: dict[str, list[_Col]]) -> None:
    """Primary keys, then foreign keys that point at a loaded table's primary key."""
    from psycopg import sql

    keys = {t: _primary_key(t) for t in tables}
    for table, key in keys.items():
        if key:
            cur.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY ({})").format(sql.Identifier(schema, table),
                                                                            sql.Identifier(key)))
    for table, cols in tables.items():
        for c in cols:
            parent, _, column = (c.references or "").partition(".")
            if parent in tables and keys.get(parent) == column:
                cur.execute(sql.SQL("ALTER TABLE {} ADD FOREIGN KEY ({}) REFERENCES {} ({})").format(
                    sql.Identifier(schema, table), sql.Identifier(c.name), sql.Identifier(schema, parent),
                    sql.Identifier(column)))


def _record(cur: "psycopg.Cursor[Any]", schema: str, ds: "Dataset") -> None:
    from psycopg import sql

    meta = sql.Identifier(schema, "_datensatz")
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(meta))
    cur.execute(sql.SQL("CREATE TABLE {} (datensatz text, profil text, seed bigint, pruefsumme text, "
                        "geladen_am timestamptz DEFAULT now())").format(meta))
    m = ds.manifest
    cur.execute(sql.SQL("INSERT INTO {} (datensatz, profil, seed, pruefsumme) VALUES (%s, %s, %s, %s)").format(meta),
                (ds.path.name, m.get("profile"), m.get("seed"), ds.digest))


def load_dataset(dataset: "Dataset | str | Path", url: str, schema: str = "synth") -> LoadResult:
    """Replace schema ``schema`` of the database at ``url`` with the tables of ``dataset`` (one transaction).

    ``dataset`` is a Dataset or what ``datasets.open`` takes (profile name, folder name, path).
    """
    import duckdb
    import psycopg
    from psycopg import sql

    from sandbox.datasets import dataset as datasets

    check_url(url)
    if not _SCHEMA_NAME.match(schema):
        raise SandboxError(f"--schema muss ein SQL-Name aus Kleinbuchstaben sein wie synth, nicht {schema!r}")
    ds = dataset if isinstance(dataset, datasets.Dataset) else datasets.open(dataset)
    started = time.perf_counter()
    try:
        ds.con  # opens every table's file: an unreadable dataset fails here, before the database is touched
    except duckdb.Error as exc:
        raise SandboxError(f"Datensatz {ds.path} lässt sich nicht lesen ({_first(exc)}); bitte neu erzeugen") from None
    result = LoadResult(schema, ds.path.name, ds.digest)
    tables = {t: _columns(ds, t) for t in ds.tables}
    with connect(url) as con:
        try:
            with con.transaction(), con.cursor() as cur:
                cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
                for table, cols in tables.items():
                    _create(cur, schema, table, cols)
                    try:
                        result.rows[table] = _copy(cur, ds, schema, table, cols)
                    except duckdb.Error as exc:
                        raise _Unreadable(f"table {table} of {ds.path} cannot be read ({_first(exc)}); "
                                          "generate the dataset again") from None
                _constraints(cur, schema, tables)
                _record(cur, schema, ds)
        except _Unreadable as exc:
            raise SandboxError(f"{exc}; in {redact(url)} wurde nichts geändert") from None
        except psycopg.Error as exc:
            raise SandboxError(f"Laden von {ds.path.name} nach {redact(url)} fehlgeschlagen, nichts geändert: "
                               f"{_first(exc)}") from None
    result.seconds = time.perf_counter() - started
    return result

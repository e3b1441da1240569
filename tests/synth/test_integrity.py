"""Every foreign key declared in a schema resolves, in every generated table."""

from __future__ import annotations

import pytest

from sandbox.synth import TABLES


def _foreign_keys() -> list[tuple[str, str, str, str]]:
    return [
        (name, col.name, *col.references.split("."))
        for name, module in TABLES.items()
        for col in module.TABLE.columns
        if col.references
    ]


@pytest.mark.parametrize(("table", "column", "parent", "key"), _foreign_keys())
@pytest.mark.parametrize("fixture", ["musterstadt", "landkreis_small"])
def test_foreign_key_resolves(request, fixture, table, column, parent, key) -> None:
    ds = request.getfixturevalue(fixture)
    orphans = ds.sql(
        f'select count(*) as n from "{table}" c where c."{column}" is not null '
        f'and not exists (select 1 from "{parent}" p where p."{key}" = c."{column}")'
    )["n"].iloc[0]
    assert orphans == 0, f"{table}.{column}: {orphans} values without {parent}.{key}"


@pytest.mark.parametrize("table", list(TABLES))
def test_primary_keys_unique_and_schema_columns(musterstadt, table) -> None:
    schema = TABLES[table].TABLE
    frame = musterstadt[table]
    assert list(frame.columns) == schema.column_names
    if schema.primary_key:
        assert frame[schema.primary_key].is_unique
    for col in schema.columns:
        if not col.nullable:
            assert not frame[col.name].isna().any(), f"{table}.{col.name} has nulls"
        if col.allowed:
            assert set(frame[col.name].dropna().unique()) <= set(col.allowed), f"{table}.{col.name}"
        if col.pattern:
            assert frame[col.name].dropna().astype(str).str.fullmatch(col.pattern.strip("^$")).all(), f"{table}.{col.name}"

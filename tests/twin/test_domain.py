"""The domain: from the schema, from a file, proposed from data (marked), and the cells it maps values to."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from sandbox.errors import SandboxError
from sandbox.synth import TABLES
from sandbox.twin.domain import DERIVED, SCHEMA, DomainColumn, Domain, domain_from_mapping
from sandbox.twin.encode import decode, encode
from sandbox.twin.extract import read_extract
from sandbox.twin.propose import check_identifiers, domain_from_schema, propose_domain


def test_schema_domain_takes_the_code_lists_and_refuses_columns_without_one() -> None:
    schema = TABLES["einwohner"].TABLE
    domain = domain_from_schema(schema, ["geschlecht", "geburtsdatum", "stellung_im_haushalt"])
    assert domain.column("geschlecht").values == schema.column("geschlecht").allowed
    assert domain.column("stellung_im_haushalt").labels()[-1] == "leer"  # nullable in the schema
    born = domain.column("geburtsdatum")
    assert (born.kind, born.period, born.start) == ("datum", "jahr", dt.date(1900, 1, 1))
    assert all(c.origin == SCHEMA for c in domain.columns)
    with pytest.raises(SandboxError, match="für staatsangehoerigkeit keine Werteliste"):
        domain_from_schema(schema, ["geschlecht", "staatsangehoerigkeit"])
    with pytest.raises(SandboxError, match="nicht kennt: frei"):
        domain_from_schema(schema, ["geschlecht", "frei"])


def test_identifiers_are_refused_with_the_drop_hint() -> None:
    schema = TABLES["einwohner"].TABLE
    with pytest.raises(SandboxError, match="--drop einwohner_id,familienname"):
        check_identifiers(["einwohner_id", "familienname", "geschlecht"], schema)
    with pytest.raises(SandboxError, match="strasse"):
        check_identifiers(["strasse", "alter"], None)
    check_identifiers(["geschlecht", "alter"], None)


def test_domain_file_round_trip_and_bad_files() -> None:
    domain = domain_from_mapping({"tabelle": "t", "spalten": {
        "a": {"art": "kategorie", "werte": ["x", "y"]},
        "b": {"art": "zahl", "grenzen": [0, 10, 20], "leer": True},
        "c": {"art": "datum", "zeitraum": "quartal", "von": "2020-02-01", "bis": "2021-12-31"}}})
    assert domain_from_mapping(domain.to_mapping()) == domain
    assert domain.column("b").labels() == ["[0, 10)", "[10, 20]", "leer"]
    assert domain.column("c").labels()[:2] == ["2020-Q1", "2020-Q2"] and domain.column("c").periods == 8
    for bad, message in (({"spalten": {}}, "spalten"), ({"spalten": {"a": {"art": "text"}}}, "unbekannte Art"),
                         ({"spalten": {"a": {"art": "zahl", "grenzen": [3, 1]}}}, "aufsteigende"),
                         ({"spalten": {"a b": {"art": "kategorie", "werte": ["x"]}}}, "nicht erlaubt")):
        with pytest.raises(SandboxError, match=message):
            domain_from_mapping(bad)


def test_proposal_marks_what_it_read_from_the_data(domain_extract) -> None:  # type: ignore[no-untyped-def]
    domain, notes = propose_domain(read_extract(domain_extract), None)
    assert domain.derived == ["geschlecht", "familienstand", "wohnungsstatus", "wohnflaeche"]
    assert domain.column("wohnflaeche").kind == "zahl"
    assert all(c.origin == DERIVED for c in domain.columns)
    assert any(n.startswith("bemerkung:") for n in notes)  # free text left out, not proposed as categories


def test_encode_reports_counts_outside_the_domain_never_values() -> None:
    domain = Domain(columns=(DomainColumn("a", "kategorie", "string", values=("x", "y")),
                             DomainColumn("n", "zahl", "float64", edges=(0.0, 10.0, 20.0))))
    data = pa.table({"a": ["x", "GEHEIM1", "y", "GEHEIM2"], "n": [1.0, 5.0, 25.0, 20.0]})
    with pytest.raises(SandboxError) as caught:
        encode(data, domain)
    assert "a: 2" in str(caught.value) and "n: 1" in str(caught.value) and "GEHEIM" not in str(caught.value)
    cells = encode(pa.table({"a": ["x", "y"], "n": [0.0, 20.0]}), domain)
    assert cells.tolist() == [[0, 0], [1, 1]]  # the last edge belongs to the last bin


def test_decode_draws_inside_bins_and_periods_deterministically() -> None:
    domain = Domain(columns=(
        DomainColumn("n", "zahl", "int64", edges=(0.0, 18.0, 65.0, 120.0)),
        DomainColumn("d", "datum", "date", period="monat", start=dt.date(2024, 1, 15), end=dt.date(2024, 3, 31),
                     nullable=True)))
    cells = np.array([[0, 0], [1, 1], [2, 2], [2, 3]] * 50, dtype=np.int32)
    table = decode(cells, domain, seed=4)
    assert table.equals(decode(cells, domain, seed=4))
    numbers = np.array(table.column("n").to_pylist())
    assert ((numbers[cells[:, 0] == 0] >= 0) & (numbers[cells[:, 0] == 0] < 18)).all()
    assert ((numbers[cells[:, 0] == 2] >= 65) & (numbers[cells[:, 0] == 2] <= 120)).all()
    days = table.column("d").to_pylist()
    assert all(dt.date(2024, 1, 15) <= d < dt.date(2024, 2, 1) for d, c in zip(days, cells[:, 1]) if c == 0)
    assert all(d is None for d, c in zip(days, cells[:, 1]) if c == 3)
    assert encode(table, domain).tolist() == cells.tolist()

"""Addresses: every postcode belongs to one Ort and municipality and lies in its block."""

from __future__ import annotations


def test_postcode_belongs_to_one_ort(sachsen_small) -> None:
    per_plz = sachsen_small.sql("select plz, count(distinct ort) as orte, count(distinct ags) as gemeinden from anschriften group by plz")
    assert (per_plz.orte == 1).all() and (per_plz.gemeinden == 1).all()


def test_postcode_in_municipality_block_and_ort_is_its_name(sachsen_small) -> None:
    bad = sachsen_small.sql(
        "select count(*) as n from anschriften a join gemeinden g using (ags) "
        "where a.plz < g.plz_von or a.plz > g.plz_bis or a.ort <> g.name"
    ).n.iloc[0]
    assert bad == 0


def test_addresses_unique_and_numbered(musterstadt) -> None:
    frame = musterstadt["anschriften"]
    assert not frame.duplicated(["ags", "strasse", "hausnummer"]).any()
    numbers = frame.hausnummer.str.extract(r"^(\d+)")[0].astype(int)
    assert numbers.min() == 1
    assert frame.strasse.nunique() > 50
    assert frame.hausnummer.str.endswith("a").mean() < 0.1

"""Households: sizes and types as in Saxony, members consistent with the household row."""

from __future__ import annotations


def test_mean_household_size_in_band(sachsen_small) -> None:
    mean = sachsen_small.sql("select avg(anzahl_personen) as m from haushalte").m.iloc[0]
    assert 1.7 <= mean <= 2.2


def test_one_person_share_near_profile(sachsen_small) -> None:
    share = sachsen_small.sql("select avg((anzahl_personen = 1)::int) as s from haushalte").s.iloc[0]
    assert 0.39 <= share <= 0.52  # Zensus 2022 Sachsen: about 45 %, the cities above 50 %


def test_member_count_and_type_match_register(musterstadt) -> None:
    frame = musterstadt.sql(
        "select h.haushalt_id, h.anzahl_personen, h.haushaltstyp, count(e.einwohner_id) as n, "
        "sum((e.stellung_im_haushalt = 'Partner/in')::int) as partner, sum((e.stellung_im_haushalt = 'Kind')::int) as kinder, "
        "sum((e.stellung_im_haushalt = 'Bezugsperson')::int) as bezug "
        "from haushalte h join einwohner e using (haushalt_id) group by all"
    )
    assert len(frame) == len(musterstadt["haushalte"])
    assert (frame.n == frame.anzahl_personen).all()
    assert (frame.bezug == 1).all()
    single = frame.haushaltstyp == "Einpersonenhaushalt"
    assert (frame.n[single] == 1).all()
    assert (frame.partner[frame.haushaltstyp == "Paar ohne Kinder"] == 1).all()
    assert (frame.kinder[frame.haushaltstyp == "Paar mit Kindern"] >= 1).all()
    alone = frame[frame.haushaltstyp == "Alleinerziehend"]
    assert (alone.partner == 0).all() and (alone.kinder >= 1).all()

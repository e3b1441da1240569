"""Residents: realistic age, sex, nationality, religion and marital status; relationships hold."""

from __future__ import annotations

import pandas as pd

STICHTAG = pd.Timestamp("2024-12-31")


def _registered(ds) -> pd.DataFrame:
    frame = ds["einwohner"]
    return frame[frame.meldestatus == "gemeldet"]


def _age(frame: pd.DataFrame) -> pd.Series:
    return (STICHTAG - frame.geburtsdatum).dt.days / 365.2425


def test_share_65_plus_in_band(sachsen_small) -> None:
    share = (_age(_registered(sachsen_small)) >= 65).mean()
    assert 0.24 <= share <= 0.30  # Saxony 2023: about 27 %


def test_registered_count_matches_municipalities(sachsen_small) -> None:
    counts = sachsen_small.sql(
        "select g.ags, g.einwohnerzahl, count(e.einwohner_id) as n from gemeinden g "
        "left join anschriften a using (ags) left join einwohner e on e.anschrift_id = a.anschrift_id and e.meldestatus = 'gemeldet' group by all"
    )
    assert (counts.n == counts.einwohnerzahl).all()
    assert counts.einwohnerzahl.sum() == 200_000


def test_sex_nationality_religion_shares(sachsen_small) -> None:
    frame = _registered(sachsen_small)
    share = frame.geschlecht.value_counts(normalize=True)
    assert 0.49 <= share["weiblich"] <= 0.53
    assert share.get("divers", 0) < 0.002
    foreign = (frame.staatsangehoerigkeit != "deutsch").mean()
    assert 0.05 <= foreign <= 0.10  # Saxony 2023: about 7 %
    religion = frame.religion.value_counts(normalize=True)
    assert religion["keine"] > 0.7 and 0.10 <= religion["evangelisch"] <= 0.20


def test_marital_status_by_age(sachsen_small) -> None:
    frame = _registered(sachsen_small)
    age = _age(frame)
    assert (frame.familienstand[age < 18] == "ledig").all()
    assert (frame.familienstand[age >= 80] == "verwitwet").mean() > 0.25
    assert (frame.familienstand[(age >= 25) & (age < 35)] == "ledig").mean() > 0.5
    married = frame.familienstand_code.isin(["VH", "LP"])  # married or registered partnership
    assert married.eq(frame.ehegatte_id.notna()).all()


def test_spouses_mutual_share_household_and_marriage_date(musterstadt) -> None:
    pairs = musterstadt.sql(
        "select a.einwohner_id, a.haushalt_id as ha, b.haushalt_id as hb, b.ehegatte_id as back, "
        "a.familienstand_datum as da, b.familienstand_datum as db from einwohner a join einwohner b on a.ehegatte_id = b.einwohner_id"
    )
    assert len(pairs) > 1000
    assert (pairs.back == pairs.einwohner_id).all()
    assert (pairs.ha == pairs.hb).all()
    assert (pairs.da == pairs.db).all()


def test_children_younger_than_parents(musterstadt) -> None:
    gaps = musterstadt.sql(
        "select date_diff('day', p.geburtsdatum, k.geburtsdatum) / 365.2425 as gap from einwohner k "
        "join einwohner p on p.haushalt_id = k.haushalt_id and p.stellung_im_haushalt in ('Bezugsperson', 'Partner/in') "
        "where k.stellung_im_haushalt = 'Kind'"
    ).gap
    assert len(gaps) > 1000
    assert gaps.min() >= 15
    assert 24 <= gaps.median() <= 36


def test_dates_consistent(musterstadt) -> None:
    frame = musterstadt["einwohner"]
    assert (frame.einzugsdatum >= frame.geburtsdatum).all()
    assert (frame.geburtsdatum >= pd.Timestamp("1900-01-01")).all()
    gone = frame[frame.meldestatus != "gemeldet"]
    assert gone.abmeldedatum.notna().all() and gone.haushalt_id.isna().all()
    assert (gone.abmeldedatum >= gone.einzugsdatum).all()
    assert frame.loc[frame.meldestatus == "gemeldet", "abmeldedatum"].isna().all()
    assert (frame.einzugsdatum <= STICHTAG).all()


def test_names_vary_and_follow_birth_cohort(musterstadt) -> None:
    frame = _registered(musterstadt)
    first = frame.vornamen.str.split(" ").str[0]
    assert first.nunique() > 500 and frame.familienname.nunique() > 300
    born = frame.geburtsdatum.dt.year
    assert (first[born < 1950] == "Ursula").mean() > (first[born > 2000] == "Ursula").mean()
    assert (frame.vornamen.str.contains(" ")).mean() > 0.2

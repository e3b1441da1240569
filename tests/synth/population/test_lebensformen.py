"""People fit together as in Saxony: couples, widowhood, births, foreigners, names and code lists.

The bands come from the reference figures (realismus_referenz.csv) with room
for the sampling noise of the test datasets.
"""

from __future__ import annotations

import pandas as pd

from sandbox.synth.codes import FAMILIENSTAND, GESCHLECHT, RELIGION, WOHNUNGSSTATUS

STICHTAG = pd.Timestamp("2024-12-31")


def _people(ds) -> pd.DataFrame:
    people = ds["einwohner"]
    people = people.assign(alter=((STICHTAG - people.geburtsdatum).dt.days // 365.2425).astype(int))
    return people


def test_husbands_are_about_three_years_older(sachsen_small) -> None:
    couples = sachsen_small.sql(
        "select date_diff('day', m.geburtsdatum, f.geburtsdatum) / 365.25 as gap from einwohner m "
        "join einwohner f on f.einwohner_id = m.ehegatte_id "
        "where m.geschlecht = 'männlich' and f.geschlecht = 'weiblich' and m.meldestatus = 'gemeldet'")
    assert 2.0 < couples.gap.mean() < 4.0
    assert 0.08 < (couples.gap < 0).mean() < 0.28  # some wives are older, not most


def test_widows_outnumber_widowers_and_old_men_are_married(sachsen_small) -> None:
    people = _people(sachsen_small)
    now = people[people.meldestatus == "gemeldet"]
    old = now[(now.alter >= 75) & (now.alter <= 84)]
    widow = old[old.geschlecht == "weiblich"].familienstand.eq("verwitwet").mean()
    widower = old[old.geschlecht == "männlich"].familienstand.eq("verwitwet").mean()
    assert 0.3 < widow < 0.6 and 0.05 < widower < 0.25 and widow > 2.5 * widower
    men_85 = now[(now.alter >= 85) & (now.geschlecht == "männlich")]
    assert 0.4 < men_85.familienstand.eq("verheiratet").mean() < 0.7
    assert now[(now.alter >= 18) & (now.alter <= 24)].familienstand.eq("geschieden").mean() < 0.01


def test_married_and_divorced_shares_and_divorce_dates_as_in_saxony(sachsen_small) -> None:
    people = _people(sachsen_small)
    adults = people[(people.meldestatus == "gemeldet") & (people.alter >= 18)]
    # Zensus 2022 Sachsen: 48 %; the scaled-down villages of this small dataset lose some couples in the matching
    assert 0.42 < adults.familienstand.eq("verheiratet").mean() < 0.52
    assert 0.07 < adults.familienstand.eq("geschieden").mean() < 0.13  # Zensus 2022: about 10 %
    divorced = adults[adults.familienstand == "geschieden"]
    recent = divorced.familienstand_datum > STICHTAG - pd.Timedelta(days=365)
    per_1000 = recent.sum() / 2 / (people.meldestatus == "gemeldet").sum() * 1000
    assert 0.7 < per_1000 < 2.2  # Saxony 2022: 1.46 divorces per 1,000 a year
    assert (divorced.alter >= 50).mean() > 0.5  # divorcees are mostly older, not recently divorced young people


def test_recent_widowhood_follows_a_death_in_the_register(musterstadt) -> None:
    people = musterstadt["einwohner"]
    recent = people[(people.meldestatus == "gemeldet") & (people.familienstand == "verwitwet")
                    & (people.familienstand_datum > "2020-01-01")]
    dead = people[people.meldestatus == "verstorben"]
    key = lambda f, day: f.anschrift_id.astype(str) + "/" + f[day].astype(str)  # noqa: E731
    assert len(recent) > 20
    assert key(recent, "familienstand_datum").isin(set(key(dead, "abmeldedatum"))).all()
    assert dead.familienstand.eq("verheiratet").any()


def test_births_fall_as_in_saxony(sachsen_small) -> None:
    births = sachsen_small.sql(
        "select year(ereignisdatum) as jahr, count(*) as n from meldeereignisse where ereignisart = 'Geburt' group by 1")
    per_year = births.set_index("jahr").n
    assert per_year[2024] < per_year[2020]  # Saxony: about 33,300 (2020) to about 26,000 (2024)


def test_deaths_by_sex_and_age(sachsen_small) -> None:
    people = _people(sachsen_small)
    dead = people[people.meldestatus == "verstorben"]
    age = (dead.abmeldedatum - dead.geburtsdatum).dt.days / 365.2425
    assert age[dead.geschlecht == "männlich"].mean() + 3 < age[dead.geschlecht == "weiblich"].mean()
    assert 0.05 < (age < 60).mean() < 0.15


def test_foreigners_are_younger_and_concentrated_in_the_cities(sachsen_small) -> None:
    people = _people(sachsen_small)
    now = people[people.meldestatus == "gemeldet"]
    foreign = now.staatsangehoerigkeit != "deutsch"
    assert now.alter[foreign].mean() < 38 and now.alter[~foreign].mean() > 44  # Saxony: 32 against 47
    assert "sonstige" not in set(now.staatsangehoerigkeit)
    by_kreis = sachsen_small.sql(
        "select g.kreis_ags, avg((e.staatsangehoerigkeit <> 'deutsch')::int) as anteil from einwohner e "
        "join anschriften a using (anschrift_id) join gemeinden g using (ags) where e.meldestatus = 'gemeldet' group by 1"
    ).set_index("kreis_ags").anteil
    assert by_kreis["14713"] > 1.5 * by_kreis["14521"]  # Leipzig about 13 %, Erzgebirgskreis about 4 %


def test_foreign_names_birthplaces_and_keys(sachsen_small) -> None:
    from sandbox.synth import reference

    people = _people(sachsen_small)
    now = people[people.meldestatus == "gemeldet"]
    vocab = reference.load("vornamen_herkunft")
    arabic = set(vocab.loc[vocab.sprache.isin(["arabisch", "dari"]), "vorname"])
    group = now[now.staatsangehoerigkeit.isin(["syrisch", "afghanisch", "irakisch"])]
    assert group.vornamen.str.split(" ").str[0].isin(arabic).mean() > 0.9
    ukrainian = now[now.staatsangehoerigkeit == "ukrainisch"]
    assert set(ukrainian.staatsangehoerigkeit_schluessel) == {"166"}
    assert (now.staatsangehoerigkeit_schluessel[now.staatsangehoerigkeit == "deutsch"] == "000").all()
    assert now.weitere_staatsangehoerigkeit.notna().any()
    arrived = now[now.zuzugsjahr.notna()]
    assert (arrived.geburtsdatum.dt.year <= arrived.zuzugsjahr).all()  # born before coming, hence abroad


def test_surnames_have_a_long_tail_and_first_names_follow_the_cohort(sachsen_small) -> None:
    from sandbox.synth import reference

    people = _people(sachsen_small)
    now = people[people.meldestatus == "gemeldet"]
    counts = now.familienname.value_counts()
    assert counts.iloc[0] / len(now) < 0.012 and len(counts) > 2500  # DFD: Müller about 0.9 %
    assert not now.familienname.str.contains(r" II|^auch | ", regex=True).any()
    top = reference.load("vornamen_haeufig")
    old_names = set(top.loc[top.epoche == "vor1960", "vorname"]) - set(top.loc[top.epoche == "ab1990", "vorname"])
    first = now.vornamen.str.split(" ").str[0]
    young = (now.geburtsdatum.dt.year >= 1995) & (now.staatsangehoerigkeit == "deutsch")
    aged = (now.geburtsdatum.dt.year < 1955) & (now.staatsangehoerigkeit == "deutsch")
    assert first[young].isin(old_names).mean() < 0.01
    assert first[aged].isin(old_names).mean() > 0.2


def test_households_of_every_kind(sachsen_small) -> None:
    kinds = sachsen_small["haushalte"].haushaltstyp.value_counts(normalize=True)
    assert 0.002 < kinds["Mehrgenerationenhaushalt"] < 0.02
    assert kinds["Wohngemeinschaft"] > 0.005
    people = _people(sachsen_small)
    at_home = people[(people.meldestatus == "gemeldet") & (people.alter >= 30) & (people.alter <= 39)]
    assert at_home.stellung_im_haushalt.eq("Kind").mean() > 0.02  # adult children of 30+ at home


def test_codes_sit_next_to_their_labels(musterstadt) -> None:
    people = musterstadt["einwohner"]
    for codes, label, code in ((FAMILIENSTAND, "familienstand", "familienstand_code"),
                               (GESCHLECHT, "geschlecht", "geschlecht_code"),
                               (RELIGION, "religion", "religion_schluessel"),
                               (WOHNUNGSSTATUS, "wohnungsstatus", "wohnungsstatus_code")):
        pairs = set(zip(people[code].astype(str), people[label].astype(str)))
        assert pairs <= set(codes.pairs), label
    assert {"alleinige Wohnung", "Hauptwohnung", "Nebenwohnung"} <= set(people.wohnungsstatus)
    assert people.wohnungsstatus.eq("alleinige Wohnung").mean() > 0.9


def test_same_sex_couples_married_or_registered(musterstadt) -> None:
    people = musterstadt["einwohner"]
    partnered = people[people.ehegatte_id.notna()]
    other = people.set_index("einwohner_id").loc[partnered.ehegatte_id.astype(int)]
    same = partnered.geschlecht.to_numpy() == other.geschlecht.to_numpy()
    assert 0 < same.mean() < 0.03
    registered = partnered[same]
    assert set(registered.familienstand_code) <= {"VH", "LP"}
    lp = registered[registered.familienstand_code == "LP"]
    assert len(lp) and (lp.familienstand_datum < "2017-10-01").all() and (lp.familienstand_datum >= "2001-08-01").all()
    assert not people.familienstand_code[~people.ehegatte_id.notna()].isin(["LP"]).any()

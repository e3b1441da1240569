"""Bürgerbüro appointments: opening days, demand patterns, queues, statuses and register links."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sandbox.synth import TABLES, kalender
from sandbox.synth.context import Context
from sandbox.synth.profile import load_profile

STICHTAG = pd.Timestamp("2024-12-31")


def _past(ds) -> pd.DataFrame:
    table = ds["termine"]
    return table[table.termin_datum <= STICHTAG]


def _key(ds, name: str) -> str:
    services = ds["leistungen"]
    return services.loc[services.leistung == name, "leika_schluessel"].iloc[0]


@pytest.mark.parametrize("fixture", ["musterstadt", "sachsen_small"])
def test_closed_on_sundays_and_saxon_holidays(request, fixture) -> None:
    table = request.getfixturevalue(fixture)["termine"]
    days = table.termin_datum.unique()
    assert (pd.DatetimeIndex(days).day_of_week < 6).all()
    holidays = kalender.saxon_holidays(2020, 2026).tag.to_numpy().astype("datetime64[D]")
    assert not np.isin(days.to_numpy().astype("datetime64[D]"), holidays).any()
    assert (table.slot_beginn.dt.normalize() == table.termin_datum).all()
    assert (table.slot_beginn.dt.minute % 15 == 0).all() and table.slot_beginn.dt.hour.between(8, 18).all()


def test_saturdays_only_in_big_cities(sachsen_small) -> None:
    rows = sachsen_small.sql(
        "select t.termin_datum, t.standort, g.gemeindetyp from termine t join gemeinden g using (ags)"
    )
    saturday = rows[rows.termin_datum.dt.day_of_week == 5]
    assert len(saturday) and (saturday.gemeindetyp == "Kreisfreie Stadt").all()
    assert saturday.standort.str.startswith("Bürgerbüro").all()


def test_locations_scale_with_municipality_size(sachsen_small) -> None:
    sites = sachsen_small.sql(
        "select g.ags, g.name, g.gemeindetyp, t.standort from (select distinct ags, standort from termine) t join gemeinden g using (ags)"
    )
    per = sites.groupby(["ags", "gemeindetyp"]).standort.agg(list).reset_index()
    villages = per[per.gemeindetyp == "Gemeinde"]
    assert len(villages) > 100 and villages.standort.map(lambda s: len(s) == 1 and s[0].startswith("Gemeindeverwaltung ")).all()
    cities = per[per.gemeindetyp == "Kreisfreie Stadt"]
    assert len(cities) == 3
    assert cities.standort.map(lambda s: {"Bürgerbüro Mitte", "Bürgerbüro Nord"} <= set(s) and any(x.startswith("Standesamt") for x in s)).all()


def test_weekday_and_month_patterns(musterstadt) -> None:
    table = _past(musterstadt)
    per_weekday = table.termin_datum.dt.day_of_week.value_counts()
    assert min(per_weekday[0], per_weekday[1], per_weekday[3]) > max(per_weekday[2], per_weekday[4])
    last_hour = table.groupby(table.termin_datum.dt.day_of_week).slot_beginn.max().dt.hour
    assert last_hour[3] == last_hour.max() and last_hour[3] > last_hour[0]  # long Thursday
    passports = table[table.leika_schluessel == _key(musterstadt, "Reisepass beantragen")]
    by_month = passports.termin_datum.dt.month.value_counts()
    spring = by_month[[3, 4, 5]].mean()
    assert spring > 1.4 * by_month[12] and spring > 1.3 * by_month[[8, 9, 10, 11]].mean()
    all_months = table.termin_datum.dt.month.value_counts()
    assert all_months[12] < all_months.mean() and all_months[8] < all_months.mean()


def test_statuses_and_booking_days(musterstadt) -> None:
    table = musterstadt["termine"]
    future = table.termin_datum > STICHTAG
    assert future.any() and (table.status[future] == "gebucht").all() and (table.status[~future] != "gebucht").all()
    assert (table.gebucht_am <= table.termin_datum).all() and (table.gebucht_am <= STICHTAG).all()
    assert table.termin_datum[future].max() <= STICHTAG + pd.Timedelta(days=42)
    shares = table.status[~future].value_counts(normalize=True)
    assert 0.75 <= shares["wahrgenommen"] <= 0.92
    assert 0.03 <= shares["nicht erschienen"] <= 0.12 and 0.03 <= shares["abgesagt"] <= 0.15
    lead = (table.termin_datum - table.gebucht_am).dt.days[~future]
    missed = table.status[~future] == "nicht erschienen"
    assert missed[lead > 14].mean() > missed[lead <= 3].mean() + 0.02  # far-ahead bookings are missed more often


def test_waiting_minutes_only_for_attended_and_grow_on_full_days(musterstadt) -> None:
    table = _past(musterstadt)
    attended = table.status == "wahrgenommen"
    assert table.wartezeit_minuten[attended].notna().all() and table.wartezeit_minuten[~attended].isna().all()
    wait = table.wartezeit_minuten[attended].astype(float)
    assert wait.min() >= 0 and wait.mean() > wait.median() and wait.quantile(0.99) > 3 * wait.median()  # skewed
    office = table[table.standort == "Bürgerbüro Musterstadt"]
    daily = office.groupby("termin_datum").agg(n=("termin_id", "size"), wait=("wartezeit_minuten", "mean")).dropna()
    weekly_norm = daily.n / daily.groupby(daily.index.day_of_week).n.transform("mean")
    assert np.corrcoef(weekly_norm, daily.wait.astype(float))[0, 1] > 0.2


def test_capacity_binds_in_the_passport_season(musterstadt) -> None:
    table = _past(musterstadt)
    table = table[table.standort.str.startswith("Bürgerbüro")]
    lead = (table.termin_datum - table.gebucht_am).dt.days
    month = table.termin_datum.dt.month
    assert lead[month.isin([4, 5, 6])].mean() > lead[month.isin([9, 10, 11])].mean() + 1.0


def test_people_are_registered_there_that_day(musterstadt) -> None:
    rows = musterstadt.sql(
        "select t.termin_datum, t.ags, a.ags as wohn_ags, e.geburtsdatum, e.abmeldedatum, l.amt, l.leistung "
        "from termine t join einwohner e using (einwohner_id) join anschriften a on a.anschrift_id = e.anschrift_id "
        "join leistungen l using (leika_schluessel)"
    )
    assert len(rows) > 0.9 * len(musterstadt["termine"])
    assert (rows.ags == rows.wohn_ags).all()
    assert (rows.geburtsdatum <= rows.termin_datum).all()
    assert (rows.abmeldedatum.isna() | (rows.abmeldedatum >= rows.termin_datum)).all()
    assert set(rows.amt) <= {"Bürgerbüro", "Standesamt"}
    assert set(musterstadt["termine"].leika_schluessel) == set(
        musterstadt["leistungen"].query("amt in ['Bürgerbüro', 'Standesamt']").leika_schluessel)


def test_registrations_follow_a_move(musterstadt) -> None:
    moves = musterstadt.sql(
        "select t.termin_id, min(t.termin_datum - m.ereignisdatum) as tage from termine t "
        "join leistungen l using (leika_schluessel) join meldeereignisse m on m.einwohner_id = t.einwohner_id "
        "and m.ereignisart in ('Zuzug', 'Umzug') where l.leistung = 'Wohnsitz anmelden' group by 1"
    )
    anmeldungen = musterstadt.sql(
        "select count(*) as n from termine t join leistungen l using (leika_schluessel) "
        "where l.leistung = 'Wohnsitz anmelden' and t.einwohner_id is not null"
    ).n.iloc[0]
    assert len(moves) == anmeldungen > 100
    assert moves.tage.between(0, 14).all()


def test_volume_per_resident(musterstadt) -> None:
    past = _past(musterstadt)
    per_1000_year = len(past) / (musterstadt.manifest["population"] / 1000) / past.termin_datum.dt.year.nunique()
    assert 80 <= per_1000_year <= 220  # in-person Bürgerbüro visits with an appointment


def _generate(seed: int) -> pd.DataFrame:
    """termine of a small town generated in memory, with exactly the tables it depends on."""
    needed, todo = set(), ["termine"]
    while todo:
        name = todo.pop()
        needed.add(name)
        todo.extend(TABLES[name].TABLE.parents)
    ctx = Context(profile=load_profile("musterstadt", 3000), seed=seed)
    for name in (n for n in TABLES if n in needed):
        ctx.tables[name] = TABLES[name].generate(ctx)
    return ctx.tables["termine"]


def test_deterministic_per_seed() -> None:
    def digest(seed: int) -> int:
        return int(pd.util.hash_pandas_object(_generate(seed), index=False).sum())

    first = digest(4)
    assert first == digest(4) and first != digest(5)

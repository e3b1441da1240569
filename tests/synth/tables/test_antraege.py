"""Applications: consistent with the register, the services and the calendar; realistic volumes and times."""

from __future__ import annotations

import pandas as pd
import pytest

from sandbox.synth.processes.arbeitszeit import Arbeitskalender

WINDOW = (pd.Timestamp("2023-01-01"), pd.Timestamp("2024-12-31"))  # the last antragsjahre (2) before the Stichtag


def _apps(ds) -> pd.DataFrame:
    return ds.sql(
        "select a.*, l.leistung, l.antragsteller, l.online_verfuegbar, l.online_anteil, l.bearbeitungstage_median, "
        "datediff('day', a.eingangsdatum, a.bescheiddatum) as tage from antraege a join leistungen l using (leika_schluessel)"
    )


@pytest.fixture(scope="module")
def apps(musterstadt) -> pd.DataFrame:
    return _apps(musterstadt)


def _of(apps: pd.DataFrame, leistung: str) -> pd.DataFrame:
    out = apps[apps.leistung == leistung]
    assert len(out), leistung
    return out


def test_keys_resolve_and_applicant_fits_the_service(musterstadt, apps) -> None:
    assert apps.antrag_id.is_unique and len(apps) > 10_000
    assert (apps.einwohner_id.isna() != apps.betrieb_id.isna()).all()  # exactly one applicant
    assert (apps.einwohner_id.notna() == (apps.antragsteller == "Person")).all()
    assert set(apps.einwohner_id.dropna()) <= set(musterstadt["einwohner"].einwohner_id)
    assert set(apps.betrieb_id.dropna()) <= set(musterstadt["gewerbe"].betrieb_id)
    assert set(apps.ags) <= set(musterstadt["gemeinden"].ags)
    assert apps.aktenzeichen.is_unique and apps.aktenzeichen.str.fullmatch(r"[A-Z]{2,3}-\d{4}-\d{6,}").all()
    assert (apps.aktenzeichen.str.slice(-11, -7).astype(int) == apps.eingangsdatum.dt.year).all()


def test_person_applicants_are_registered_adults_on_the_day(musterstadt) -> None:
    rows = musterstadt.sql(
        "select a.eingangsdatum, e.geburtsdatum, e.einzugsdatum, e.abmeldedatum, exists (select 1 from meldeereignisse m "
        "where m.einwohner_id = a.einwohner_id and m.ereignisart = 'Umzug' and m.ereignisdatum = e.einzugsdatum) as umzug "
        "from antraege a join einwohner e using (einwohner_id)"
    )
    assert (rows.geburtsdatum + pd.DateOffset(years=18) <= rows.eingangsdatum).all()
    assert ((rows.einzugsdatum <= rows.eingangsdatum) | rows.umzug).all()  # or moved within the town since
    assert (rows.abmeldedatum.isna() | (rows.abmeldedatum >= rows.eingangsdatum)).all()


def test_business_notices_come_from_gewerbe_rows(musterstadt) -> None:
    rows = musterstadt.sql(
        "select l.leistung, a.eingangsdatum, g.anmeldedatum, g.abmeldedatum from antraege a "
        "join leistungen l using (leika_schluessel) join gewerbe g using (betrieb_id)"
    )
    start = rows[rows.leistung == "Gewerbe anmelden"]
    assert len(start) > 50 and ((start.eingangsdatum - start.anmeldedatum).dt.days.abs() <= 31).all()
    stop = rows[rows.leistung == "Gewerbe abmelden"]
    assert len(stop) and (((stop.eingangsdatum - stop.abmeldedatum).dt.days).between(-3, 31)).all()  # weekend: Friday before
    other = rows[~rows.leistung.isin(["Gewerbe anmelden", "Gewerbe abmelden"])]
    assert len(other) and (other.anmeldedatum <= other.eingangsdatum).all()
    assert (other.abmeldedatum.isna() | (other.abmeldedatum > other.eingangsdatum)).all()  # active that day
    opened = musterstadt.sql(
        "select count(*) as n from gewerbe where anmeldedatum between date '2023-01-15' and date '2024-11-30'"
    ).n[0]
    assert len(start) >= 0.95 * opened  # every business opened in the window gave notice


def test_register_events_lead_to_applications(musterstadt) -> None:
    moves = musterstadt.sql(
        "select min(datediff('day', m.ereignisdatum, a.eingangsdatum)) as lag from antraege a "
        "join leistungen l using (leika_schluessel) join meldeereignisse m on m.einwohner_id = a.einwohner_id "
        "and m.ereignisart in ('Zuzug', 'Umzug') and m.ereignisdatum <= a.eingangsdatum "
        "where l.leistung = 'Wohnsitz anmelden' group by a.antrag_id"
    )
    assert len(moves) > 1000 and moves.lag.between(0, 125).all() and moves.lag.median() <= 10
    weddings = musterstadt.sql(
        "select a.antrag_id, min(datediff('day', a.eingangsdatum, m.ereignisdatum)) as lead from antraege a "
        "join leistungen l using (leika_schluessel) left join meldeereignisse m on m.einwohner_id = a.einwohner_id "
        "and m.ereignisart = 'Eheschließung' and m.ereignisdatum > a.eingangsdatum "
        "where l.leistung = 'Eheschließung anmelden' group by a.antrag_id"
    )
    assert len(weddings) > 100 and weddings.lead.between(1, 180).all() and weddings.lead.quantile(0.05) >= 14


def test_benefits_go_mostly_to_entitled_households(musterstadt, apps) -> None:
    claims = musterstadt["ansprueche"]
    people = musterstadt["einwohner"].set_index("einwohner_id")
    for leistung, claim in (("Elterngeld beantragen", "Elterngeld"), ("Wohngeld beantragen", "Wohngeld"),
                            ("Kita-Platz beantragen", "Kita-Platz")):
        rows = _of(apps, leistung)
        entitled_households = set(claims[claims.leistung == claim].haushalt_id)
        household = people.haushalt_id.reindex(rows.einwohner_id).to_numpy()
        entitled = pd.Series(household).isin(entitled_households).to_numpy()
        granted = (rows.ergebnis == "bewilligt").to_numpy()
        assert 0.8 < entitled.mean() < 0.99, leistung  # a few applications without entitlement
        assert entitled[granted].all(), leistung  # only entitled households are granted
        assert (rows.ergebnis[~entitled] != "bewilligt").all()
    wohngeld = claims[claims.leistung == "Wohngeld"]
    applied = wohngeld.einwohner_id.isin(_of(apps, "Wohngeld beantragen").einwohner_id).mean()
    assert 0.4 < applied < 0.8  # take-up below 100 % (assumption 60 %)


def test_channels_follow_the_online_offer(apps) -> None:
    assert set(apps.kanal) == {"online", "vor Ort", "Post", "E-Mail"}
    assert (apps.online_verfuegbar | (apps.kanal != "online")).all()
    last_year = apps[apps.eingangsdatum.dt.year == 2024]
    share = last_year.groupby("leistung").agg(n=("kanal", "size"), online=("kanal", lambda k: (k == "online").mean()),
                                              soll=("online_anteil", "first"))
    big = share[share.n >= 150]
    tolerance = 4 * (big.soll * (1 - big.soll) / big.n) ** 0.5 + 0.01  # sampling error of a share
    assert len(big) >= 10 and ((big.online - big.soll).abs() < tolerance).all()
    by_year = apps[apps.online_verfuegbar].groupby(apps.eingangsdatum.dt.year).kanal.apply(lambda k: (k == "online").mean())
    assert by_year[2023] < by_year[2024]  # the online share grows


def test_counter_visits_and_letters_arrive_on_working_days(apps) -> None:
    cal = Arbeitskalender(2023, 2024)
    office = apps[apps.kanal.isin(["vor Ort", "Post"])]
    days = (office.eingangsdatum - pd.Timestamp("1970-01-01")).dt.days.to_numpy()
    assert cal.is_workday(days).all()
    decided = apps.bescheiddatum[apps.sachbearbeitung_id.notna()].dropna()  # the system also works on Sundays
    assert cal.is_workday((decided - pd.Timestamp("1970-01-01")).dt.days.to_numpy()).all()
    weekday_share = apps.eingangsdatum.dt.day_of_week.value_counts(normalize=True)
    assert weekday_share[0] < 0.3 and weekday_share[5] < 0.06  # no Monday pile-up, a few weekend e-mails


def test_dates_status_and_outcome_agree(apps) -> None:
    assert apps.eingangsdatum.between(*WINDOW).all()
    assert (apps.bescheiddatum.isna() | (apps.bescheiddatum >= apps.eingangsdatum)).all()
    assert (apps.bescheiddatum.dropna() <= WINDOW[1]).all()
    open_ = apps.status.isin(["offen", "in Bearbeitung"])
    assert (open_ == apps.bescheiddatum.isna()).all() and (open_ == apps.ergebnis.isna()).all()
    assert ((apps.status == "zurückgezogen") == (apps.ergebnis == "zurückgezogen")).all()
    assert open_.sum() > 50 and (apps.eingangsdatum[open_] > pd.Timestamp("2024-06-30")).mean() > 0.8
    trees = _of(apps, "Baumfällgenehmigung beantragen").groupby("ergebnis").gebuehr_eur.agg(set)
    assert trees.to_dict() == {"bewilligt": {40.0}, "abgelehnt": {20.0}, "zurückgezogen": {10.0}}  # share of the fee
    ausweis = _of(apps, "Personalausweis beantragen")
    granted = ausweis[ausweis.ergebnis == "bewilligt"]
    assert set(granted.gebuehr_eur.round(2)) == {22.80, 37.00}  # reduced fee under 24


def test_processing_times_by_service(apps) -> None:
    done = apps[(apps.ergebnis == "bewilligt") & (apps.nachforderungen == 0)]
    stats = done.groupby("leistung").agg(n=("tage", "size"), median=("tage", "median"), soll=("bearbeitungstage_median", "first"))
    slow = stats[(stats.soll >= 7) & (stats.n >= 100)]
    ratio = slow["median"] / slow.soll  # offices and clerks differ in pace, so one town's offices scatter
    assert len(slow) >= 8 and ratio.between(0.5, 2.0).all() and 0.65 < ratio.median() < 1.5
    bau = _of(apps, "Baugenehmigung beantragen").tage.dropna()
    assert bau.quantile(0.95) > 2.0 * bau.median()  # long tail (about a hundred cases: the quantile scatters)
    early = apps.eingangsdatum <= pd.Timestamp("2024-06-30")  # later ones with requests are often still open
    granted = apps[early & (apps.ergebnis == "bewilligt") & (apps.bearbeitungstage_median >= 14)]
    by_requests = granted.groupby(["leistung", granted.nachforderungen > 0]).tage.agg(["median", "size"]).unstack()
    by_requests = by_requests[by_requests[("size", True)] >= 20]
    slower = by_requests[("median", True)] / by_requests[("median", False)]
    assert len(slower) >= 4 and (slower > 1).mean() >= 0.8 and slower.median() > 1.15  # waiting for documents takes time
    counter = _of(apps, "Meldebescheinigung ausstellen")
    assert (counter[counter.kanal == "vor Ort"].tage == 0).mean() > 0.95  # issued at the counter


def test_passports_peak_in_spring_and_wait_longer(apps) -> None:
    pass_ = _of(apps, "Reisepass beantragen")
    month = pass_.eingangsdatum.dt.month
    per_month = month.value_counts()
    assert per_month[[3, 4, 5]].mean() > 1.6 * per_month[[10, 11, 12]].mean()
    assert pass_.tage[month.isin([4, 5])].median() > pass_.tage[month.isin([10, 11, 12])].median()


def test_offices_and_clerks(musterstadt, landkreis_small, apps) -> None:
    clerks = apps.dropna(subset=["sachbearbeitung_id"]).groupby("organisationseinheit").sachbearbeitung_id.nunique()
    assert clerks["Bürgerbüro"] > clerks["Gewerbeamt"] >= 1
    assert apps.sachbearbeitung_id.dropna().str.fullmatch(r"SB-\d{5}").all()
    assert (apps.groupby("sachbearbeitung_id").organisationseinheit.nunique() == 1).all()  # a clerk works in one office
    automatic = apps[apps.sachbearbeitung_id.isna()]
    assert len(automatic) and (automatic.kanal == "online").all()
    assert set(automatic.leistung) == {"Meldebescheinigung ausstellen"}
    district = _apps(landkreis_small)
    authority = district.groupby("organisationseinheit").behoerde.agg(lambda b: b.str.split(" ").str[0].unique().tolist())
    assert authority["Wohngeldstelle"] == ["Landratsamt"] and authority["Kfz-Zulassungsstelle"] == ["Landratsamt"]
    assert set(authority["Bürgerbüro"]) <= {"Stadt", "Gemeinde"}
    assert district.behoerde.nunique() > 20


@pytest.mark.parametrize("fixture", ["musterstadt", "landkreis_small"])
def test_volumes_from_the_people_who_need_them(request, fixture) -> None:
    """Per 1,000 residents and year: ID cards from 6/10-year validity (about 80-95), Wohngeld about 23
    (94,650 households in Saxony, yearly renewal), one notice per wedding (about 4.5)."""
    ds = request.getfixturevalue(fixture)
    apps = _apps(ds)
    residents = int((ds["einwohner"].meldestatus == "gemeldet").sum())
    years = ((WINDOW[1] - apps.eingangsdatum.min()).days + 1) / 365.2425
    per_1000 = apps.leistung.value_counts() / residents / years * 1000
    assert 75 <= per_1000["Personalausweis beantragen"] <= 100
    assert 16 <= per_1000["Wohngeld beantragen"] <= 30
    assert 2.8 <= per_1000["Eheschließung anmelden"] <= 6.0


def test_online_applications_arrive_mostly_on_weekdays(apps) -> None:
    online = apps[apps.kanal == "online"].eingangsdatum.dt.day_of_week
    assert 0.07 <= (online >= 5).mean() <= 0.17  # assumption 12 %; evenly spread it would be 29 %

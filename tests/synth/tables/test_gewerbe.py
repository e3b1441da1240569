"""Businesses: GewA 1 fields, owners adult residents, WZ mix as in the profile."""

from __future__ import annotations

import pandas as pd
import pytest

from sandbox.synth import reference
from sandbox.synth.profile import load_profile


def test_owner_adult_registered_resident_of_the_municipality(musterstadt) -> None:
    """Owners are adults registered in the municipality from the registration to the closure (or today)."""
    frame = musterstadt.sql(
        "select g.anmeldedatum, g.abmeldedatum, e.geburtsdatum, e.meldestatus, e.abmeldedatum as weg, g.ags, "
        "a.ags as wohn_ags, e.geschlecht from gewerbe g "
        "join einwohner e on e.einwohner_id = g.inhaber_einwohner_id join anschriften a on a.anschrift_id = e.anschrift_id"
    )
    age_at_start = (frame.anmeldedatum - frame.geburtsdatum).dt.days / 365.2425
    assert age_at_start.min() >= 18 and 35 <= age_at_start.mean() <= 46  # founders are about 37 to 39 on average
    active = frame.abmeldedatum.isna()
    assert (frame.meldestatus[active] == "gemeldet").all() and (frame.ags == frame.wohn_ags).all()
    assert (frame.weg.isna() | (frame.weg >= frame.abmeldedatum)).all()
    assert 0.25 <= (frame.geschlecht == "weiblich").mean() <= 0.45  # Saxony 2023: 36 % women among sole traders


def test_codes_dates_and_mix(sachsen_small) -> None:
    frame = sachsen_small["gewerbe"]
    klassen = reference.load("wz2008_klassen").set_index("wz_code")
    assert (klassen.loc[frame.wz_code, "abschnitt"].to_numpy() == frame.wz_abschnitt.to_numpy()).all()
    closed = frame.dropna(subset=["abmeldedatum"])
    assert (closed.abmeldedatum > closed.anmeldedatum).all() and (closed.abmeldedatum <= pd.Timestamp("2024-12-31")).all()
    target = load_profile("sachsen").values("wirtschaftsabschnitte")
    share = frame.wz_abschnitt.value_counts(normalize=True)
    for section in ("F", "G", "M"):
        assert abs(share[section] - target[section]) < 0.03, section
    per_1000 = frame.abmeldedatum.isna().sum() / 200
    assert 30 <= per_1000 <= 46  # profile: 38 per 1,000 residents in the stock on the reference day
    assert (frame.beschaeftigte_vollzeit >= 0).all()
    sole = frame.rechtsform == "Einzelunternehmen"
    assert frame.beschaeftigte_vollzeit[sole].mean() < frame.beschaeftigte_vollzeit[frame.rechtsform == "GmbH"].mean()


STICHTAG = pd.Timestamp("2024-12-31")


@pytest.mark.parametrize("fixture", ["musterstadt", "landkreis_small"])
def test_registrations_and_closures_at_saxonys_rates(request, fixture) -> None:
    """Saxony 2023: 26,445 registrations (6.5 per 1,000) and 25,291 closures (6.2); the band allows a small town's noise."""
    ds = request.getfixturevalue(fixture)
    frame = ds["gewerbe"]
    residents = int((ds["einwohner"].meldestatus == "gemeldet").sum())
    start = STICHTAG - pd.Timedelta(days=int(5 * 365.2425))  # the profiles' five event years
    per_year = lambda col: frame[col].between(start, STICHTAG, inclusive="right").sum() / residents / 5 * 1000  # noqa: E731
    assert 5.0 <= per_year("anmeldedatum") <= 8.0
    assert 4.8 <= per_year("abmeldedatum") <= 7.6
    closed = frame.abmeldedatum.dropna()
    assert (closed == STICHTAG).mean() < 0.01  # spread over time, not clipped onto the reference day
    assert (closed > start).mean() > 0.9 and closed.dt.year.nunique() >= 5  # closures in every event year


def test_legal_forms_reasons_and_sidelines_follow_the_gewerbeanzeigenstatistik(sachsen_small) -> None:
    frame = sachsen_small["gewerbe"]
    new = frame[frame.anmeldedatum > STICHTAG - pd.Timedelta(days=int(5 * 365.2425))]
    sole = new.rechtsform.isin(["Einzelunternehmen", "e.K."]).mean()
    assert 0.72 <= sole <= 0.80  # Saxony 2022: 76.3 % of registrations
    assert 0.12 <= (new.rechtsform == "GmbH").mean() <= 0.19  # 15.3 %
    stock = frame[frame.abmeldedatum.isna()]
    assert stock.rechtsform.isin(["Einzelunternehmen", "e.K."]).mean() < sole - 0.05  # companies live longer
    reasons = new.anmeldegrund.value_counts(normalize=True)
    assert 0.79 <= reasons["Neuerrichtung"] <= 0.86 and 0.07 <= reasons["Zuzug"] <= 0.13
    closed = frame.dropna(subset=["abmeldedatum"])
    assert closed.abmeldegrund.notna().all() and frame.abmeldegrund[frame.abmeldedatum.isna()].isna().all()
    assert 0.77 <= (closed.abmeldegrund == "Aufgabe").mean() <= 0.85  # 80.8 %
    side = frame.nebenerwerb
    assert not side[~frame.rechtsform.eq("Einzelunternehmen")].any() and 0.15 <= side.mean() <= 0.45


def test_every_registration_and_closure_has_its_notice(musterstadt) -> None:
    """GewO § 14: start and closure are notified; the notice follows the event within weeks."""
    notices = musterstadt.sql(
        "select g.betrieb_id, g.anmeldedatum, g.abmeldedatum, a.eingangsdatum, l.leistung from gewerbe g "
        "left join antraege a on a.betrieb_id = g.betrieb_id join leistungen l on l.leika_schluessel = a.leika_schluessel "
        "where l.leistung in ('Gewerbe anmelden', 'Gewerbe abmelden')"
    )
    frame = musterstadt["gewerbe"]
    first = musterstadt["antraege"].eingangsdatum.min()
    for column, leistung in (("anmeldedatum", "Gewerbe anmelden"), ("abmeldedatum", "Gewerbe abmelden")):
        due = frame[frame[column].between(first + pd.Timedelta(days=10), STICHTAG)]
        sent = notices[notices.leistung == leistung]
        assert due.betrieb_id.isin(sent.betrieb_id).all(), leistung
        lag = (sent.eingangsdatum - sent[column]).dt.days
        assert lag.between(-10 if column == "anmeldedatum" else -3, 31).all(), leistung

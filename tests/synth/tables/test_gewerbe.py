"""Businesses: GewA 1 fields, owners adult residents, WZ mix as in the profile."""

from __future__ import annotations

import pandas as pd

from sandbox.synth import reference
from sandbox.synth.profile import load_profile


def test_owner_adult_registered_resident_of_the_municipality(musterstadt) -> None:
    frame = musterstadt.sql(
        "select g.anmeldedatum, e.geburtsdatum, e.meldestatus, g.ags, a.ags as wohn_ags from gewerbe g "
        "join einwohner e on e.einwohner_id = g.inhaber_einwohner_id join anschriften a on a.anschrift_id = e.anschrift_id"
    )
    age_at_start = (frame.anmeldedatum - frame.geburtsdatum).dt.days / 365.2425
    assert age_at_start.min() >= 18
    assert (frame.meldestatus == "gemeldet").all() and (frame.ags == frame.wohn_ags).all()


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
    per_1000 = len(frame) / 200
    assert 30 <= per_1000 <= 46  # profile: 38 per 1,000 residents
    assert (frame.beschaeftigte_vollzeit >= 0).all()
    sole = frame.rechtsform == "Einzelunternehmen"
    assert frame.beschaeftigte_vollzeit[sole].mean() < frame.beschaeftigte_vollzeit[frame.rechtsform == "GmbH"].mean()

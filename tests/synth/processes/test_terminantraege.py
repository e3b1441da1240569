"""Appointments lead to applications: same person, same service, same day; walk-ins only where allowed."""

from __future__ import annotations

import pandas as pd
import pytest

from sandbox.synth.processes.buergerbueros import annahmen


def _visits(ds) -> tuple[pd.DataFrame, pd.DataFrame]:
    first = ds["antraege"].eingangsdatum.min()
    attended = ds.sql("select * from termine where status = 'wahrgenommen' and einwohner_id is not null")
    attended = attended[(attended.termin_datum >= first) & (attended.termin_datum <= pd.Timestamp("2024-12-31"))]
    services = set(ds["termine"].leika_schluessel)
    apps = ds.sql("select a.*, l.amt from antraege a join leistungen l using (leika_schluessel) where kanal = 'vor Ort'")
    counter = apps[apps.leika_schluessel.isin(services) & apps.einwohner_id.notna()
                   & (apps.eingangsdatum >= ds["termine"].termin_datum.min())]
    return attended, counter


def _keys(frame: pd.DataFrame, day: str) -> pd.Series:
    return frame.einwohner_id.astype("Int64").astype(str) + "|" + frame.leika_schluessel.astype(str) + "|" + frame[day].astype(str)


@pytest.mark.parametrize("fixture", ["musterstadt", "landkreis_small"])
def test_attended_appointments_produce_the_application_that_day(request, fixture) -> None:
    attended, counter = _visits(request.getfixturevalue(fixture))
    assert len(attended) > 500
    assert _keys(attended, "termin_datum").isin(set(_keys(counter, "eingangsdatum"))).mean() > 0.97


@pytest.mark.parametrize("fixture", ["musterstadt", "landkreis_small"])
def test_counter_applications_mostly_booked_walk_ins_only_in_buergerbueros(request, fixture) -> None:
    """Bürgerbüro: the appointment share of termine_annahmen.csv; Standesamt: by appointment only."""
    ds = request.getfixturevalue(fixture)
    attended, counter = _visits(ds)
    booked = _keys(counter, "eingangsdatum").isin(set(_keys(attended, "termin_datum")))
    share = annahmen()["termin_anteil"]
    assert share - 0.08 <= booked[counter.amt == "Bürgerbüro"].mean() <= share + 0.08
    assert booked[counter.amt == "Standesamt"].mean() > 0.98


def test_missed_and_cancelled_appointments_produce_nothing(musterstadt) -> None:
    missed = musterstadt.sql("select * from termine where status in ('nicht erschienen', 'abgesagt') and einwohner_id is not null")
    apps = musterstadt["antraege"]
    assert len(missed) > 100
    assert _keys(missed, "termin_datum").isin(set(_keys(apps[apps.einwohner_id.notna()], "eingangsdatum"))).mean() < 0.02

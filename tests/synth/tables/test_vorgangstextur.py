"""Texture of the process log: rework, objections, escalations, a heavy tail, bands from published logs.

Bands come from the BPI Challenge 2015 (building permits of five Dutch
municipalities, van Dongen 2015, 4TU.ResearchData, CC BY 4.0): 33 % of
cases repeat an activity, 14 % enter an objection that roughly doubles the
duration, throughput times are log-normal with a long tail. Musterstadt has
about 120 closed permit cases, so the bands are wide.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

BAU = "99059002001000"
RECEIPT = "Antrag eingegangen"


@pytest.fixture(scope="module")
def log(musterstadt) -> pd.DataFrame:
    return musterstadt.sql(
        "select v.antrag_id, v.aktivitaet, v.zeitstempel, v.teilprozess, v.ressource, a.leika_schluessel, a.status, "
        "a.ergebnis, a.bescheiddatum, a.sachbearbeitung_id from vorgangsereignisse v join antraege a using (antrag_id) "
        "order by v.event_id"
    )


@pytest.fixture(scope="module")
def cases(log) -> pd.DataFrame:
    grouped = log.groupby("antrag_id", sort=False)
    out = grouped.agg(start=("zeitstempel", "min"), end=("zeitstempel", "max"), service=("leika_schluessel", "first"),
                      status=("status", "first"), ergebnis=("ergebnis", "first"))
    out["days"] = (out.end - out.start).dt.total_seconds() / 86400
    out["repeats"] = log.groupby(["antrag_id", "aktivitaet"], observed=True).size().groupby(level=0).max() > 1
    out["objection"] = grouped.teilprozess.agg(lambda t: (t == "Widerspruchsverfahren").any())
    return out


def test_permits_rework_and_object_as_often_as_published_logs(cases) -> None:
    permits = cases[(cases.service == BAU) & (cases.status == "abgeschlossen")]
    assert len(permits) > 60
    assert 0.18 <= permits.repeats.mean() <= 0.55  # BPI 2015: 33 %
    assert 0.05 <= permits.objection.mean() <= 0.30  # BPI 2015: 14 %
    everyone = cases[cases.status == "abgeschlossen"]
    assert 0.02 < everyone.repeats.mean() < permits.repeats.mean()  # a Meldebescheinigung is not a building permit


def test_throughput_has_a_heavy_tail_and_objections_prolong_it(cases) -> None:
    permits = cases[(cases.service == BAU) & (cases.status == "abgeschlossen")]
    median = permits.days.median()
    assert 40 < median < 250 and permits.days.quantile(0.9) / median > 1.5
    factor = permits.days[permits.objection].median() / permits.days[~permits.objection].median()
    assert 1.3 < factor < 3.5  # BPI 2015: roughly doubles


def test_objections_follow_refusals_or_neighbours_of_permits(log, cases) -> None:
    objected = cases[cases.objection]
    assert len(objected) > 10
    refused = objected.ergebnis == "abgelehnt"
    assert refused.mean() > 0.4 and (objected.service[~refused] == BAU).all()  # third parties object only to permits
    sub = log[log.teilprozess == "Widerspruchsverfahren"]
    first = sub.groupby("antrag_id").aktivitaet.first()
    assert (first == "Widerspruch eingegangen").all()
    ends = set(sub.groupby("antrag_id").aktivitaet.last())
    assert {"Abhilfebescheid erlassen", "Widerspruchsbescheid erlassen", "Widerspruch zurückgenommen"} <= ends
    decided = sub[sub.aktivitaet == "Widerspruchsbescheid erlassen"]
    assert (decided.ressource != decided.sachbearbeitung_id).all()  # signed by the head


def test_status_inquiries_and_escalations_come_with_long_cases(log, cases) -> None:
    asked = set(log.antrag_id[log.aktivitaet == "Sachstandsanfrage eingegangen"])
    escalated = set(log.antrag_id[log.aktivitaet == "Vorgang an Leitung eskaliert"])
    closed = cases[cases.status == "abgeschlossen"]
    for service in (BAU, "99107001001000"):  # building permit, Wohngeld
        own = closed[closed.service == service]
        with_inquiry = own.index.isin(list(asked))
        assert with_inquiry.any() and own.days[with_inquiry].median() > 1.5 * own.days[~with_inquiry].median()
    assert escalated and closed.days.reindex(list(escalated)).dropna().min() > 0
    answers = log.groupby("antrag_id").aktivitaet.agg(lambda a: (a == "Sachstandsanfrage eingegangen").sum()
                                                      - (a == "Sachstandsanfrage beantwortet").sum())
    assert answers.between(0, 1).all()  # each inquiry answered, the last perhaps not yet


def test_online_receipts_are_fewer_at_night_than_by_day(log) -> None:
    receipt = log[(log.aktivitaet == RECEIPT) & (log.ressource == "System")].zeitstempel.dt.hour
    by_hour = np.bincount(receipt, minlength=24)
    assert by_hour[9:12].mean() > 5 * by_hour[1:5].mean()
    assert by_hour[19:22].mean() > by_hour[1:5].mean()

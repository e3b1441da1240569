"""The event log: one trace per application, ordered, inside its case's dates, usable in pm4py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sandbox.synth.processes.arbeitszeit import Arbeitskalender
from sandbox.synth.writer import generate_dataset
from tests.support import file_hashes

STICHTAG = pd.Timestamp("2024-12-31")


@pytest.fixture(scope="module")
def log(musterstadt) -> pd.DataFrame:
    return musterstadt.sql(
        "select v.*, a.leika_schluessel, a.eingangsdatum, a.bescheiddatum, a.status, a.ergebnis, a.kanal, a.nachforderungen, "
        "a.sachbearbeitung_id from vorgangsereignisse v join antraege a using (antrag_id) order by v.event_id"
    )


def test_every_application_has_a_trace_starting_with_receipt(musterstadt, log) -> None:
    apps = musterstadt["antraege"]
    assert set(log.antrag_id) == set(apps.antrag_id) and log.event_id.is_unique
    first = log.groupby("antrag_id").aktivitaet.first()
    assert (first == "Antrag eingegangen").all()
    assert (log.aktivitaet == "Antrag eingegangen").sum() == len(apps)


def test_events_are_ordered_and_inside_the_case(log) -> None:
    same_case = log.antrag_id.eq(log.antrag_id.shift())
    assert (log.zeitstempel.diff()[same_case] > pd.Timedelta(0)).all()  # strictly increasing per case
    assert (log.antrag_id.diff().fillna(1) >= 0).all()  # event ids run case by case
    day = log.zeitstempel.dt.floor("D")
    assert (day >= log.eingangsdatum).all() and (day <= STICHTAG).all()
    objection = log.teilprozess == "Widerspruchsverfahren"
    assert (day[~objection] <= log.bescheiddatum[~objection].fillna(STICHTAG)).all()
    assert objection.any() and (day[objection] > log.bescheiddatum[objection]).all()  # objections follow the notice
    main = log[~objection]
    last = main.groupby("antrag_id").agg(day=("zeitstempel", "max"), bescheid=("bescheiddatum", "first"))
    closed = last.bescheid.notna()
    assert (last.day[closed].dt.floor("D") == last.bescheid[closed]).all()  # the notice ends the application


def test_variants_follow_outcome_and_requests(log) -> None:
    last = log.groupby("antrag_id").last()
    assert (last.aktivitaet[last.status == "zurückgezogen"] == "Antrag zurückgezogen").all()
    assert (log.aktivitaet == "Antrag zurückgezogen").sum() == (last.status == "zurückgezogen").sum()
    refused = set(log.antrag_id[log.aktivitaet == "Ablehnungsbescheid erstellt"])
    assert refused == set(last.index[last.ergebnis == "abgelehnt"])
    hearing = set(log.antrag_id[log.aktivitaet == "Anhörung durchgeführt"])
    assert hearing and hearing <= refused  # a hearing only before a refusal
    requests = log[log.aktivitaet == "Unterlagen nachgefordert"].groupby("antrag_id").size()
    assert (requests.reindex(last.index, fill_value=0) == last.nachforderungen).all()
    assert requests.max() >= 3  # repeated requests happen
    receipt = {"Antrag eingegangen", "Eingangsbestätigung versandt", "Gebühr bezahlt",
               "Antragsdaten an Bundesdruckerei übermittelt", "Antrag an Bundesamt für Justiz übermittelt"}
    waiting = log[log.status == "offen"]
    assert len(waiting) and waiting.aktivitaet.isin(receipt).all()  # not started yet
    checked = set(log.leika_schluessel[log.aktivitaet == "Vollständigkeit geprüft"])  # services with a review
    working = log[(log.status == "in Bearbeitung") & log.leika_schluessel.isin(checked)]
    steps = working.groupby("antrag_id").aktivitaet.agg(set)
    assert len(steps) and steps.apply(lambda done: not done <= receipt).all()  # review has begun
    online = log[log.kanal == "online"]
    assert (online.groupby("antrag_id").aktivitaet.apply(lambda a: "Eingangsbestätigung versandt" in set(a))).all()


def test_manual_steps_in_office_hours_and_resources(log) -> None:
    manual = log[~log.automatisiert]
    assert len(manual) > 0.6 * len(log) and log.automatisiert.any()
    minutes = manual.zeitstempel.dt.hour * 60 + manual.zeitstempel.dt.minute
    assert minutes.between(7 * 60 + 30, 16 * 60 + 29).all()
    days = (manual.zeitstempel.dt.floor("D") - pd.Timestamp("1970-01-01")).dt.days.to_numpy()
    assert Arbeitskalender(2023, 2024).is_workday(days).all()  # no weekends, no Saxon holidays
    assert ((log.ressource == "System") == log.automatisiert).all()
    assert manual.ressource.str.fullmatch(r"SB-\d{5}").all()
    own = (manual.ressource == manual.sachbearbeitung_id).mean()
    assert 0.85 < own < 0.99  # mostly the case's clerk, sometimes a stand-in
    approvals = log[log.aktivitaet == "Genehmigung durch Vorgesetzte"]
    assert len(approvals) and (approvals.ressource != approvals.sachbearbeitung_id).all()  # four eyes
    hour = log[log.automatisiert & (log.aktivitaet == "Antrag eingegangen")].zeitstempel.dt.hour
    assert (hour >= 18).mean() > 0.1  # online applications also arrive in the evening
    assert (hour < 6).mean() < 0.05 < hour.between(9, 11).mean()  # but hardly at night


def test_pm4py_reads_the_log(log) -> None:
    pm4py = pytest.importorskip("pm4py")
    frame = log[["antrag_id", "aktivitaet", "zeitstempel", "ressource"]].copy()
    frame = pm4py.format_dataframe(frame, case_id="antrag_id", activity_key="aktivitaet", timestamp_key="zeitstempel")
    variants = pm4py.get_variants(frame)
    assert len(variants) > 50 and sum(variants.values()) == frame["case:concept:name"].nunique()
    dfg, start, end = pm4py.discover_directly_follows_graph(frame)
    assert set(start) == {"Antrag eingegangen"}
    assert dfg[("Unterlagen nachgefordert", "Unterlagen eingegangen")] > 0
    assert dfg[("Unterlagen eingegangen", "Unterlagen nachgefordert")] > 0  # the loop
    assert dfg[("Korrektur veranlasst", "Sachprüfung")] > 0 and dfg[("Sachprüfung", "Korrektur veranlasst")] > 0  # rework
    assert dfg[("Widerspruch eingegangen", "Abhilfeprüfung")] > 0
    assert {"Bescheid versandt", "Dokument ausgehändigt", "Antrag zurückgezogen"} <= set(end)


def test_throughput_times_are_in_the_log(log) -> None:
    cases = log[log.teilprozess == "Antragsverfahren"].groupby("antrag_id").agg(start=("zeitstempel", "min"), end=("zeitstempel", "max"),
                                         eingang=("eingangsdatum", "first"), bescheid=("bescheiddatum", "first"))
    closed = cases.dropna(subset=["bescheid"])
    days = (closed.end.dt.floor("D") - closed.start.dt.floor("D")).dt.days
    expected = (closed.bescheid - closed.eingang).dt.days
    assert (days == expected).all() and np.percentile(days, 99) > 60


def test_same_seed_same_bytes_other_seed_other_applications(tmp_path) -> None:
    runs = {name: file_hashes(generate_dataset("musterstadt", seed, population=3000, out=tmp_path / name))
            for name, seed in (("a", 5), ("b", 5), ("c", 6))}
    for table in ("leistungen", "antraege", "vorgangsereignisse"):
        assert runs["a"][f"{table}.parquet"] == runs["b"][f"{table}.parquet"], table
    for table in ("antraege", "vorgangsereignisse"):
        assert runs["a"][f"{table}.parquet"] != runs["c"][f"{table}.parquet"], table
    assert runs["a"]["leistungen.parquet"] == runs["c"]["leistungen.parquet"]  # the catalogue does not depend on the seed

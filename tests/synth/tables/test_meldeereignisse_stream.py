"""The register event stream tells one consistent story: people leave as households, never twice on one day.

Bands come from the rows of the group "Meldeereignisse" in realismus_referenz.csv
with room for the sampling noise of the test datasets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _events(ds) -> pd.DataFrame:
    return ds.sql(
        "select m.einwohner_id, m.ereignisart, m.ereignisdatum, m.anschrift_id, e.geburtsdatum, e.ehegatte_id, "
        "date_diff('year', e.geburtsdatum, m.ereignisdatum) - "
        "  (case when strftime(m.ereignisdatum, '%m%d') < strftime(e.geburtsdatum, '%m%d') then 1 else 0 end) as alter "
        "from meldeereignisse m join einwohner e using (einwohner_id)")


def test_nobody_moves_in_on_the_day_they_leave(musterstadt) -> None:
    events = _events(musterstadt)
    leaving = events[events.ereignisart.isin(["Wegzug", "Sterbefall"])][["einwohner_id", "ereignisdatum"]]
    moves_in = events[events.ereignisart.isin(["Zuzug", "Umzug"])]
    assert len(leaving) > 500 and len(moves_in) > 1000
    assert moves_in.merge(leaving, on=["einwohner_id", "ereignisdatum"]).empty
    people = musterstadt["einwohner"]
    gone = people[people.meldestatus != "gemeldet"]
    assert (gone.einzugsdatum < gone.abmeldedatum).all()


def test_every_deregistration_has_its_event(musterstadt) -> None:
    people = musterstadt["einwohner"]
    gone = people[people.meldestatus != "gemeldet"]
    kind = np.where(gone.meldestatus == "verstorben", "Sterbefall", "Wegzug")
    expected = pd.DataFrame({"einwohner_id": gone.einwohner_id.to_numpy(), "ereignisart": kind,
                             "ereignisdatum": gone.abmeldedatum.to_numpy()})
    events = musterstadt["meldeereignisse"][["einwohner_id", "ereignisart", "ereignisdatum"]]
    assert len(expected.merge(events, how="inner")) == len(expected)


def test_children_move_away_with_an_adult_of_their_address(musterstadt) -> None:
    away = _events(musterstadt).query("ereignisart == 'Wegzug'")
    adults = away[away.alter >= 18][["anschrift_id", "ereignisdatum"]].drop_duplicates()
    children = away[away.alter < 16]
    assert len(children) > 100
    with_adult = children.merge(adults, on=["anschrift_id", "ereignisdatum"], how="left", indicator=True)
    assert (with_adult["_merge"] == "both").all()


def test_most_movers_move_together_and_spouses_leave_as_couples(musterstadt) -> None:
    events = _events(musterstadt)
    for kind in ("Wegzug", "Zuzug"):
        moves = events[events.ereignisart == kind]
        together = moves.groupby(["anschrift_id", "ereignisdatum"]).einwohner_id.transform("size") > 1
        assert 0.47 <= together.mean() <= 0.77, kind  # Annahme 0.62 +- 0.15
    away = events[events.ereignisart == "Wegzug"]
    couples = away.dropna(subset=["ehegatte_id"]).merge(
        away[["einwohner_id", "ereignisdatum", "anschrift_id"]], left_on="ehegatte_id", right_on="einwohner_id",
        suffixes=("", "_ehegatte"))
    assert len(couples) > 100 and len(couples) == away.ehegatte_id.notna().sum()
    assert (couples.ereignisdatum == couples.ereignisdatum_ehegatte).all()
    assert (couples.anschrift_id == couples.anschrift_id_ehegatte).all()


def test_moves_away_by_age_follow_the_migration_statistics(sachsen_small) -> None:
    events = _events(sachsen_small)
    people = sachsen_small["einwohner"]
    now = people[people.meldestatus == "gemeldet"]
    age = (pd.Timestamp("2024-12-31") - now.geburtsdatum).dt.days // 365.2425
    away = events[events.ereignisart == "Wegzug"]

    def per_1000(lo: int, hi: int) -> float:
        return away.alter.between(lo, hi).sum() / age.between(lo, hi).sum() / 5 * 1000

    assert 40 <= len(away) / len(now) / 5 * 1000 <= 61  # GBE Sachsen 2.11: 50.5 Fortzüge je 1.000
    assert 120 <= per_1000(18, 24) <= 220 and 12 <= per_1000(65, 110) <= 28
    assert per_1000(18, 24) > 4 * per_1000(50, 64)  # young adults leave home, students go to university towns

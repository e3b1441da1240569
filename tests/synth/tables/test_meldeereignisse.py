"""Register events agree with the register entries and occur at realistic rates."""

from __future__ import annotations

import pandas as pd


def test_events_in_window_and_consistent(musterstadt) -> None:
    events = musterstadt.sql(
        "select m.*, e.geburtsdatum, e.einzugsdatum, e.abmeldedatum, e.meldestatus, e.familienstand from meldeereignisse m join einwohner e using (einwohner_id)"
    )
    assert set(events.ereignisart) == {"Geburt", "Zuzug", "Wegzug", "Umzug", "Eheschließung", "Ehescheidung", "Sterbefall"}
    assert events.ereignisdatum.between(pd.Timestamp("2020-01-01"), pd.Timestamp("2024-12-31")).all()
    births = events[events.ereignisart == "Geburt"]
    assert (births.ereignisdatum == births.geburtsdatum).all()
    deaths = events[events.ereignisart == "Sterbefall"]
    assert (deaths.meldestatus == "verstorben").all() and (deaths.ereignisdatum == deaths.abmeldedatum).all()
    moves = events[events.ereignisart.isin(["Zuzug", "Umzug"])]
    assert (moves.ereignisdatum == moves.einzugsdatum).all()
    assert (events.loc[events.ereignisart == "Eheschließung", "familienstand"] == "verheiratet").all()
    assert (events.loc[events.ereignisart == "Ehescheidung", "familienstand"] == "geschieden").all()
    table = musterstadt["meldeereignisse"]
    assert table.ereignis_id.is_monotonic_increasing and table.ereignisdatum.is_monotonic_increasing


def test_rates_per_1000_per_year(sachsen_small) -> None:
    counts = sachsen_small["meldeereignisse"].ereignisart.value_counts() / 200_000 * 1000 / 5
    assert 4 <= counts["Geburt"] <= 10  # Saxony 2023: about 7 per 1,000
    assert 10 <= counts["Sterbefall"] <= 17  # about 13.8
    assert 2 <= counts["Eheschließung"] / 2 <= 8  # about 4.5 marriages, two people each
    assert 0.7 <= counts["Ehescheidung"] / 2 <= 2.4  # Saxony 2022: 5,949 divorces = 1.46 per 1,000, two people each
    assert counts["Zuzug"] > 10 and counts["Umzug"] > 10 and counts["Wegzug"] > 10

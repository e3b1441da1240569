"""Municipalities: Saxony's real Kreise and keys, disjoint postcode blocks in the right regions."""

from __future__ import annotations

import re

from sandbox.synth.tables import gemeinden
from sandbox.synth import reference
from sandbox.synth.context import Context
from sandbox.synth.profile import load_profile

REGION = {  # leading postcode digits the region really uses
    "14511": "09", "14521": "09", "14522": "09", "14523": "08", "14524": "08", "14612": "01",
    "14625": "0[12]", "14626": "02", "14627": "01", "14628": "01", "14713": "04", "14729": "04", "14730": "04",
}


def _sachsen(population: int | None = None):
    return gemeinden.generate(Context(load_profile("sachsen", population), seed=3))


def test_all_kreise_with_real_keys_and_municipality_counts() -> None:
    frame = _sachsen()
    kreise = reference.kreise()
    assert len(frame) == 418
    counts = frame.groupby("kreis_ags").size()
    for row in kreise.itertuples():
        assert counts[row.kreis_ags] == int(row.anzahl_gemeinden), row.name
    assert set(frame.loc[frame.gemeindetyp == "Kreisfreie Stadt", "ags"]) == {"14511000", "14612000", "14713000"}
    cities = frame.set_index("ags")
    assert cities.loc["14612000", "name"] == "Dresden" and not cities.loc["14612000", "name_synthetisch"]
    assert frame.loc[frame.gemeindetyp != "Kreisfreie Stadt", "name_synthetisch"].all()
    assert (frame.ags.str[:5] == frame.kreis_ags).all()
    assert frame.name.is_unique


def test_population_matches_profile_and_rescales_exactly() -> None:
    full = _sachsen()
    assert full.einwohnerzahl.sum() == 4_082_000
    by_kreis = full.groupby("kreis_ags").einwohnerzahl.sum()
    assert by_kreis["14713"] == 616_000
    small = _sachsen(100_000)
    assert small.einwohnerzahl.sum() == 100_000
    # a Landkreis has a Kreisstadt and many small villages
    goerlitz = full[full.kreis_ags == "14626"].einwohnerzahl
    assert goerlitz.max() > 5 * goerlitz.median()


def test_postcode_blocks_are_disjoint_and_regional() -> None:
    frame = _sachsen()
    lo, hi = frame.plz_von.astype(int), frame.plz_bis.astype(int)
    assert (lo <= hi).all()
    order = lo.sort_values().index
    assert (lo[order].to_numpy()[1:] > hi[order].to_numpy()[:-1]).all(), "two municipalities share a postcode"
    for row in frame.itertuples():
        assert re.match(REGION[row.kreis_ags], row.plz_von) and re.match(REGION[row.kreis_ags], row.plz_bis), row.name

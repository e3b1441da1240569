"""Small own extracts for the twin tests, cut from the session's musterstadt dataset.

``extract_csv`` is a German-Excel CSV of 1,500 residents with identifiers
still in it and marker strings planted in them (and a marker number in a
numeric column), so a test can grep every output for the markers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import datasets

#: unique strings planted into the extract; none may ever appear in an output
MARKERS = ("QXZMARKER4711", "VVWMARKER0815")
MARKER_NUMBER = "987654.321"
COLUMNS = ["einwohner_id", "familienname", "geschlecht", "geburtsdatum", "familienstand", "wohnungsstatus",
           "meldestatus"]


@pytest.fixture(scope="session")
def residents(musterstadt: datasets.Dataset):  # type: ignore[no-untyped-def]
    frame = musterstadt["einwohner"][COLUMNS].sample(1_500, random_state=3).reset_index(drop=True)
    frame["familienname"] = frame["familienname"].astype(str)
    frame.loc[0, "familienname"] = MARKERS[0]
    frame.loc[1, "familienname"] = MARKERS[1]
    return frame


@pytest.fixture(scope="session")
def extract_csv(residents, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("auszug") / "einwohner_auszug.csv"
    frame = residents.copy()
    frame["geburtsdatum"] = frame["geburtsdatum"].dt.strftime("%d.%m.%Y")
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path


@pytest.fixture(scope="session")
def domain_extract(residents, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    """A CSV with an own numeric column (a marker number planted) and a free-text note, for --domain."""
    import numpy as np

    folder = tmp_path_factory.mktemp("eigen")
    frame = residents[["geschlecht", "familienstand", "wohnungsstatus"]].copy()
    rng = np.random.default_rng(5)
    frame["wohnflaeche"] = np.round(rng.gamma(4.0, 20.0, len(frame)), 1)
    frame.loc[0, "wohnflaeche"] = float(MARKER_NUMBER)
    frame["bemerkung"] = [f"notiz {MARKERS[i % 2]} {i}" for i in range(len(frame))]
    path = folder / "eigen.csv"
    frame.to_csv(path, sep=";", index=False, decimal=",", encoding="utf-8-sig")
    from sandbox.synth import TABLES

    schema = TABLES["einwohner"].TABLE  # the public code lists, as a steward would copy them into a domain file
    listed = {c: "[" + ", ".join(schema.column(c).allowed or ()) + "]" for c in ("familienstand", "wohnungsstatus")}
    (folder / "DOMAIN.yaml").write_text(
        "tabelle: wohnen\nspalten:\n"
        "  geschlecht: {art: kategorie, werte: [männlich, weiblich, divers, ohne Angabe]}\n"
        f"  familienstand: {{art: kategorie, werte: {listed['familienstand']}}}\n"
        f"  wohnungsstatus: {{art: kategorie, werte: {listed['wohnungsstatus']}}}\n"
        "  wohnflaeche: {art: zahl, grenzen: [0, 20, 40, 60, 80, 100, 150, 1000000]}\n"
        "abfragen: [geschlecht, familienstand]\n", encoding="utf-8")
    return path

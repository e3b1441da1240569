"""The process catalogue: services joined with process assumptions, offices, seasons; broken reference files."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from sandbox.errors import SandboxError
from sandbox.synth import reference
from sandbox.synth.codes import PROZESSTYPEN
from sandbox.synth.processes import katalog
from sandbox.synth.processes.prozessschritte import SCHRITTE, schritte
from sandbox.synth.processes.sozialantraege import ANLAESSE


def test_catalogue_joins_every_service_with_process_and_office() -> None:
    cat = katalog.katalog()
    assert len(cat) == len(reference.load("leistungen"))
    assert cat.prozesstyp.isin(PROZESSTYPEN).all()
    assert set(cat.ebene) == {"Gemeinde", "Kreis"} and cat.kuerzel.str.fullmatch(r"[A-Z]{2,3}").all()
    assert (cat.faelle_je_sachbearbeitung > 0).all()
    assert cat.ablehnungsquote.between(0, 0.5).all() and cat.rueckzugsquote.between(0, 0.2).all()
    benefits = cat[cat.anlass.isin(list(ANLAESSE))]
    assert len(benefits) == 3 and benefits.inanspruchnahme.between(0.3, 0.99).all()  # take-up below 100 %
    season = katalog.saison(cat.saisonmuster)
    assert season.shape == (len(cat), 12) and abs(season.mean() - 1) < 1e-9
    passport = cat.index[cat.leistung == "Reisepass beantragen"][0]
    assert season[passport, 3] > 1.3 > 0.8 > season[passport, 10]  # April busy, November quiet


def test_every_process_type_has_receipt_and_an_end() -> None:
    steps = schritte()
    for typ in range(len(PROZESSTYPEN)):
        assert steps.name[SCHRITTE.index("EINGANG"), typ] >= 0
        assert steps.name[SCHRITTE.index("ABSCHLUSS"), typ] >= 0 or steps.name[SCHRITTE.index("ABSCHLUSS_VOR_ORT"), typ] >= 0
    assert "Genehmigung durch Vorgesetzte" in steps.aktivitaeten and "Antrag zurückgezogen" in steps.aktivitaeten


@pytest.fixture()
def reference_copy(tmp_path, monkeypatch):
    """A writable copy of the reference folder that reference_dir() points at."""
    from sandbox import config

    target = tmp_path / "reference"
    shutil.copytree(config.reference_dir(), target)
    monkeypatch.setattr(config, "reference_dir", lambda: target)
    monkeypatch.setattr(reference, "reference_dir", lambda: target)
    monkeypatch.setattr(katalog, "reference_dir", lambda: target)
    return target


@pytest.mark.parametrize(("file", "column", "value"), [
    ("leistungen_prozess.csv", "leika_schluessel", "99059002001000"),  # a service without process assumptions
    ("aemter.csv", "amt", "Standesamt"),  # a service whose office is unknown
])
def test_incomplete_reference_names_the_missing_row(reference_copy, file, column, value) -> None:
    path = reference_copy / file
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows[rows[column] != value].to_csv(path, index=False)
    with pytest.raises(SandboxError, match=value):
        katalog.katalog()

"""The services catalogue: typed reference data, and the process assumptions it is joined with."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from sandbox.errors import SandboxError
from sandbox.synth import leistungen, reference
from sandbox.synth.prozessschritte import SCHRITTE, schritte
from sandbox.synth.sozialantraege import ANLAESSE


def test_table_is_the_reference_file_with_types(musterstadt) -> None:
    table = musterstadt["leistungen"]
    raw = reference.load("leistungen")
    assert len(table) == len(raw) >= 20
    assert table.leika_schluessel.str.fullmatch(r"99\d{12}").all() and table.leika_schluessel.is_unique
    assert list(table.leika_schluessel) == sorted(raw.leika_schluessel)
    assert table.gebuehr_eur.dtype == "float64" and table.online_verfuegbar.dtype == bool
    assert table.schluessel_bestaetigt.dtype == bool
    assert not table.schluessel_bestaetigt.any()  # none of the keys could be checked against the LeiKa: all marked
    assert set(table.antragsteller) == {"Person", "Betrieb"}
    assert (table.online_anteil[~table.online_verfuegbar] == 0).all()
    assert table.online_anteil.between(0, 1).all() and (table.bearbeitungstage_median > 0).all()
    assert table.beschreibung.str.len().min() > 40  # a real sentence in plain German


def test_catalogue_joins_every_service_with_process_and_office() -> None:
    cat = leistungen.katalog()
    assert len(cat) == len(reference.load("leistungen"))
    assert cat.prozesstyp.isin(leistungen.PROZESSTYPEN).all()
    assert set(cat.ebene) == {"Gemeinde", "Kreis"} and cat.kuerzel.str.fullmatch(r"[A-Z]{2,3}").all()
    assert (cat.faelle_je_sachbearbeitung > 0).all()
    assert cat.ablehnungsquote.between(0, 0.5).all() and cat.rueckzugsquote.between(0, 0.2).all()
    benefits = cat[cat.anlass.isin(list(ANLAESSE))]
    assert len(benefits) == 3 and benefits.inanspruchnahme.between(0.3, 0.99).all()  # take-up below 100 %
    season = leistungen.saison(cat.saisonmuster)
    assert season.shape == (len(cat), 12) and abs(season.mean() - 1) < 1e-9
    passport = cat.index[cat.leistung == "Reisepass beantragen"][0]
    assert season[passport, 3] > 1.3 > 0.8 > season[passport, 10]  # April busy, November quiet


def test_every_process_type_has_receipt_and_an_end() -> None:
    steps = schritte()
    for typ in range(len(leistungen.PROZESSTYPEN)):
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
    monkeypatch.setattr(leistungen, "reference_dir", lambda: target)
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
        leistungen.katalog()


def test_data_card_and_manifest_cover_the_process_tables(musterstadt) -> None:
    card = (musterstadt.path / "DATENKARTE.md").read_text(encoding="utf-8")
    for name in ("leistungen", "antraege", "vorgangsereignisse"):
        assert name in musterstadt.manifest["tables"] and f"### {name}" in card
        assert musterstadt.manifest["tables"][name]["rows"] > 0
    assert "reference/leistungen_prozess.csv" in card and "reference/prozessschritte.csv" in card

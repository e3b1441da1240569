"""Table `leistungen`: the services catalogue as typed reference data, and its place in the data card."""

from __future__ import annotations

from sandbox.synth import reference


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


def test_data_card_and_manifest_cover_the_process_tables(musterstadt) -> None:
    card = (musterstadt.path / "DATENKARTE.md").read_text(encoding="utf-8")
    for name in ("leistungen", "antraege", "vorgangsereignisse"):
        assert name in musterstadt.manifest["tables"] and f"### {name}" in card
        assert musterstadt.manifest["tables"][name]["rows"] > 0
    assert "reference/leistungen_prozess.csv" in card and "reference/prozessschritte.csv" in card

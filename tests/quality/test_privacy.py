"""Privacy report: provenance, k-anonymity, l-diversity and names in free text."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sandbox.quality import anonymity
from sandbox.quality.leaks import find_leaks, free_text_columns
from sandbox.quality.privacy import privacy_dataset
from tests.quality.conftest import read_table, write_table
from tests.support import cli as run_cli


def test_k_unique_share_sizes_and_l_on_a_hand_made_frame() -> None:
    frame = pd.DataFrame({
        "geburtsjahr": [1980, 1980, 1980, 1990, 1990, 2000],
        "geschlecht": ["weiblich", "weiblich", "weiblich", "männlich", "männlich", "weiblich"],
        "plz": ["01067", "01067", "01067", "01067", "01067", "01069"],
        "religion": ["evangelisch", "keine", "keine", "keine", "keine", "keine"],
    })
    result = anonymity(frame, ["geburtsjahr", "geschlecht", "plz"], "QI", sensitive="religion")
    assert (result.records, result.groups, result.k) == (6, 3, 1)
    assert result.unique_share == pytest.approx(1 / 6)
    assert result.sizes == pytest.approx({"1": 1 / 6, "2": 2 / 6, "3–4": 3 / 6, "5–9": 0.0, "10+": 0.0})
    assert result.l == 1 and result.homogeneous_share == pytest.approx(3 / 6)
    coarse = anonymity(frame, ["geschlecht"], sensitive="religion")
    assert (coarse.k, coarse.unique_share, coarse.l, coarse.homogeneous_share) == (2, 0.0, 1, pytest.approx(2 / 6))
    assert anonymity(frame.iloc[:3], ["plz"], sensitive="religion").l == 2


def test_empty_groups_count_as_their_own_value() -> None:
    frame = pd.DataFrame({"plz": ["01067", None, None], "religion": ["keine", "keine", None]})
    result = anonymity(frame, ["plz"], sensitive="religion")
    assert (result.groups, result.k, result.unique_share) == (2, 1, pytest.approx(1 / 3))
    assert result.l == 1 and result.homogeneous_share == pytest.approx(1 / 3)


def test_free_text_with_full_name_and_birth_date_is_found() -> None:
    people = pd.DataFrame({"vornamen": ["Anna Luise", "Bernd", "Ben"], "familienname": ["Schmidt", "Krause", "Will"],
                           "geburtsdatum": pd.to_datetime(["1980-05-03", "1975-12-24", "2023-05-03"])})
    texts = pd.Series([
        "Sehr geehrte Damen und Herren, hiermit beantrage ich, Anna Schmidt, geb. 3.5.1980, einen Pass.",
        "Anna Schmidt bittet um einen Termin am 03.06.2024.",            # name, but a different date
        "Herr Krause (24.12.1976) ruft zurück.",                         # family name only, wrong year
        "bernd krause, geboren am 24.12.1975, meldet einen umzug.",      # typed without capitals
        "Ab dem 03.05.2023 verreist. Kann ich vorbeikommen, wenn ich nur etwas abgeben will?",  # words, not Ben Will
        "Für Ben Will (3.5.2023) beantrage ich einen Kinderreisepass.",  # the name as words beside punctuation
        None,
    ])
    leaks = find_leaks(people, {"anfragen.text": texts})
    assert leaks.hits == 3 and leaks.columns == ["anfragen.text"]
    assert leaks.samples == ["anfragen.text, Zeile 1: „Anna Schmidt“ mit Geburtsdatum 03.05.1980",
                             "anfragen.text, Zeile 4: „Bernd Krause“ mit Geburtsdatum 24.12.1975",
                             "anfragen.text, Zeile 6: „Ben Will“ mit Geburtsdatum 03.05.2023"]


def test_free_text_columns_are_long_and_mostly_distinct() -> None:
    from sandbox.synth.schema import Column, Table

    table = Table("t", "Test", (Column("id", "int64", "Schlüssel"), Column("text", "string", "Freitext"),
                                Column("art", "string", "Art"), Column("kurz", "string", "kurz"),
                                Column("wahl", "string", "Wahl", allowed=("a", "b"))))
    frame = pd.DataFrame({
        "id": range(100),
        "text": [f"Nachricht Nummer {i}: bitte um Rückruf wegen meines Antrags" for i in range(100)],
        "art": ["Herstellung von Backwaren und Konditoreiwaren", "Einzelhandel mit Waren verschiedener Art"] * 50,
        "kurz": [f"Nr. {i}" for i in range(100)],
        "wahl": ["a"] * 100,
    })
    assert free_text_columns(table, frame) == ["text"]


def test_generated_data_report(capsys, small_dataset: Path) -> None:
    code, out, _ = run_cli(capsys, "data", "privacy", str(small_dataset))
    assert code == 0, out
    assert "Kein echter Datensatz ist eingeflossen" in out and "reference/vornamen.csv: Faker" in out
    assert "Geburtsjahr, Geschlecht, PLZ" in out and "Geburtsdatum, Geschlecht, PLZ" in out
    assert "Kein Freitext nennt eine Person aus dem Register" in out and "`buergeranfragen.text`" in out

    # the numbers, computed independently with SQL over the files
    year = duckdb.sql(f"""
        select count(*) n from read_parquet('{small_dataset / "einwohner.parquet"}') e
        join read_parquet('{small_dataset / "anschriften.parquet"}') a using (anschrift_id)
        group by year(e.geburtsdatum), e.geschlecht, a.plz""").df()["n"]
    report = privacy_dataset(small_dataset)
    first = report.anonymity[0]
    assert first.columns == ["geburtsjahr", "geschlecht", "plz"]
    assert (first.records, first.groups, first.k) == (int(year.sum()), len(year), int(year.min()))
    assert first.unique_share == pytest.approx(float((year == 1).sum()) / year.sum())
    assert report.summary()["free_text_hits"] == 0


def test_planted_leak_is_flagged(capsys, small_dataset: Path, tmp_path: Path) -> None:
    folder = tmp_path / "kopie"
    shutil.copytree(small_dataset, folder)
    person = read_table(folder, "einwohner").iloc[42]
    birth = pd.Timestamp(person["geburtsdatum"]).strftime("%d.%m.%Y")
    name = f"{person['vornamen'].split()[0]} {person['familienname']}"
    messages = read_table(folder, "buergeranfragen")
    messages.loc[3, "text"] = f"Guten Tag, hier schreibt {name}, geb. {birth}. Bitte rufen Sie mich zurück."
    write_table(folder, "buergeranfragen", messages)
    code, out, _ = run_cli(capsys, "data", "privacy", str(folder))
    assert code == 1
    assert "FEHLER 1 Freitexte nennen eine Person" in out
    assert f"buergeranfragen.text, Zeile 4: „{name}“ mit Geburtsdatum {birth}" in out


def test_own_extract_names_missing_quasi_identifiers(capsys, small_dataset: Path, tmp_path: Path) -> None:
    people = read_table(small_dataset, "einwohner")
    people.to_csv(tmp_path / "einwohner.csv", sep=";", index=False, encoding="utf-8-sig")
    code, out, _ = run_cli(capsys, "data", "privacy", "--table", str(tmp_path / "einwohner.csv"), "--as", "einwohner")
    assert code == 3 and "Ergebnis: nicht freigeben" in out, out  # birth date, sex: nearly everyone unique
    rows = f"{len(people):,}".replace(",", ".")
    assert f"Eigene Daten aus einwohner.csv ({rows} Zeilen)" in out and "nicht synthetisch" in out
    assert "Geburtsjahr, Geschlecht, PLZ: Spalte fehlt: plz" in out
    assert "Gruppengrößen (Geburtsjahr, Geschlecht):" in out

    with_plz = people.assign(plz=[("01067", "01069", "01097")[i % 3] for i in range(len(people))])
    with_plz.to_csv(tmp_path / "mit_plz.csv", index=False)
    code, out, _ = run_cli(capsys, "data", "privacy", "--table", str(tmp_path / "mit_plz.csv"), "--as", "einwohner")
    assert code == 3 and "Spalte fehlt" not in out
    sizes = with_plz.groupby([pd.to_datetime(with_plz["geburtsdatum"]).dt.year, "geschlecht", "plz"]).size()
    unique = f"{(sizes == 1).sum() / len(with_plz):.1%}".replace(".", ",")
    assert f"Gruppengrößen (Geburtsjahr, Geschlecht, PLZ): 1: {unique}" in out


def _figures(k: int, unique: float, l: int | None = 5, synthetic: bool = False) -> "PrivacyReport":
    from sandbox.quality.privacy import Anonymity, PrivacyReport

    report = PrivacyReport(source="x", synthetic=synthetic)
    report.anonymity.append(Anonymity("Geburtsjahr, Geschlecht, PLZ", ["geburtsjahr", "geschlecht", "plz"], 200, 40,
                                      k, unique, {}, "religion", l, 0.0))
    return report


@pytest.mark.parametrize(("k", "unique", "l", "level", "code"), [
    (5, 0.0, 2, "unbedenklich", 0),
    (4, 0.0, 2, "prüfen", 1),
    (5, 0.06, 2, "prüfen", 1),
    (5, 0.0, 1, "prüfen", 1),
    (1, 0.99, 1, "nicht freigeben", 3),
    (1, 0.20, 3, "nicht freigeben", 3),
])
def test_verdict_thresholds(k: int, unique: float, l: int, level: str, code: int) -> None:
    from sandbox.quality.verdict import judge

    verdict = judge(_figures(k, unique, l))
    assert (verdict.level, verdict.exit_code) == (level, code)
    assert _figures(k, unique, l).exit_code == code
    synthetic = judge(_figures(k, unique, l, synthetic=True))
    assert synthetic.level == "unbedenklich" and (level in synthetic.structure or level == "unbedenklich")

"""The gate during generation: result in manifest.json and the data card, same seed still same bytes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sandbox.quality import GenerationGate, check_dataset
from sandbox.synth.writer import generate_dataset
from tests.support import file_hashes

from tests.support import cli as run_cli


def test_generated_musterstadt_passes_every_check_and_writes_data_docs(musterstadt_path: Path, tmp_path: Path) -> None:
    report = check_dataset(musterstadt_path)
    assert report.passed and report.exit_code == 0, [f.line() for f in report.failures]
    kinds = {f.check.split("_")[0] for f in report.findings}
    assert {"fk", "verteilung", "stichtag", "kinder"} <= kinds
    assert set(report.tables()) == set(json.loads((musterstadt_path / "manifest.json").read_text())["tables"])
    docs = musterstadt_path / "qualitaet"
    pages = list((docs / "validations").rglob("*.html"))
    assert len(pages) == len({f.check for f in report.findings})
    overview = (docs / "index.html").read_text(encoding="utf-8")  # the German entry page replaces GX's index
    assert '<html lang="de">' in overview and "einwohner" in overview
    links = re.findall(r'href="(validations/[^"]+)"', overview)
    assert len(links) == len(pages) and all((docs / link).is_file() for link in links)
    assert "Fremdschlüssel einwohner.haushalt_id verweist auf haushalte.haushalt_id" in overview
    assert not re.search(r"(src|href)=\"(https?:)?//", overview), "readable without internet"


def test_without_argument_the_default_dataset_is_checked(capsys, musterstadt_path: Path) -> None:
    code, out, _ = run_cli(capsys, "data", "check", "--no-docs")
    assert code == 0 and "Qualitätsprüfung: musterstadt-s42" in out and "Ergebnis: bestanden" in out
    code, out, _ = run_cli(capsys, "data", "privacy")
    assert code == 0 and "Datenschutz: musterstadt-s42" in out


def test_gate_records_result_in_manifest_and_data_card(tmp_path: Path) -> None:
    gate = GenerationGate("musterstadt")
    path = generate_dataset("musterstadt", 11, population=2500, out=tmp_path / "d", finalize=gate)
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    quality = manifest["quality"]
    assert quality["passed"] is True and quality["failed"] == 0
    assert quality["expectations"] == len(gate.report.findings) > 200
    assert quality["tables"]["einwohner"]["failed"] == 0
    privacy = manifest["privacy"]
    assert privacy["synthetic"] is True and privacy["free_text_hits"] == 0
    assert [q["columns"] for q in privacy["quasi_identifiers"]] == [["geburtsjahr", "geschlecht", "plz"],
                                                                   ["geburtsdatum", "geschlecht", "plz"]]
    card = (path / "DATENKARTE.md").read_text(encoding="utf-8")
    assert "## Qualitätsprüfung" in card and f"{quality['expectations']} von {quality['expectations']}" in card
    assert "## Datenschutz" in card and "Kein echter Datensatz ist eingeflossen" in card
    assert not (path / "qualitaet").exists(), "Data Docs carry timestamps: written by `data check` only"


def test_a_csv_dataset_is_checked_like_parquet(tmp_path: Path) -> None:
    gate = GenerationGate()
    generate_dataset("musterstadt", 4, population=1200, out=tmp_path / "csv", fmt="csv", finalize=gate)
    assert gate.report.passed, [f.line() for f in gate.report.failures]
    assert len(gate.report.findings) > 300


def test_same_seed_same_bytes_with_the_gate(tmp_path: Path) -> None:
    first = generate_dataset("musterstadt", 3, population=1500, out=tmp_path / "a", finalize=GenerationGate())
    second = generate_dataset("musterstadt", 3, population=1500, out=tmp_path / "b", finalize=GenerationGate())
    assert file_hashes(first) == file_hashes(second)
    assert "manifest.json" in file_hashes(first) and "DATENKARTE.md" in file_hashes(first)


def test_profile_promises_are_checked_against_the_profile_in_the_manifest(tmp_path: Path, monkeypatch) -> None:
    """A team's own profile in its workspace: checked at generation, and again after the profile changed."""
    import shutil

    from sandbox.config import profiles_dir

    workspace = tmp_path / "ws"
    (workspace / "synthetic_data" / "profiles").mkdir(parents=True)
    shutil.copy(profiles_dir() / "sachsen.yaml", workspace / "synthetic_data" / "profiles")
    profile = workspace / "synthetic_data" / "profiles" / "alt.yaml"
    profile.write_text(
        "name: alt\nbasis: sachsen\ngebiet: {gemeinden: [{name: Alt, ags: '14522991', einwohner: 1500}]}\n"
        "parameter:\n  religion: {quelle: Annahme, werte: {evangelisch: 0.145, römisch-katholisch: 0.033, "
        "altkatholisch: 0.001, jüdisch: 0.001, keine: 0.82}}\n", encoding="utf-8")
    monkeypatch.setenv("SANDBOX_HOME", str(workspace))
    path = generate_dataset("alt", 1, out=tmp_path / "d", finalize=GenerationGate("alt"))
    assert json.loads((path / "manifest.json").read_text())["quality"]["passed"] is True
    # the same data against a profile that now promises far more Protestants than were generated
    profile.write_text(profile.read_text().replace("evangelisch: 0.145", "evangelisch: 0.5"), encoding="utf-8")
    report = check_dataset(path, docs=False)
    assert report.exit_code == 1
    assert [f.label for f in report.failures] == ["Religion evangelisch: Soll 50,0%"]
    assert any("Profil alt wurde seit der Erzeugung geändert" in n for n in report.notes)
    # elsewhere the profile is unknown: the distributions are skipped with a note, the rest still counts
    monkeypatch.delenv("SANDBOX_HOME")
    report = check_dataset(path, docs=False)
    assert report.exit_code == 0
    assert any(n.startswith("Verteilungen nicht geprüft: Profil 'alt' ist hier nicht verfügbar") for n in report.notes)
    assert not any(f.check.startswith("verteilung") for f in report.findings)


def test_cli_generate_checks_by_default_and_no_check_skips(capsys, tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, "data", "generate", "--population", "800", "--out", str(tmp_path / "mit"))
    assert code == 0 and "Ergebnis: bestanden" in out and "Datenschutz:" in out
    assert json.loads((tmp_path / "mit" / "manifest.json").read_text())["quality"]["passed"] is True
    code, out, _ = run_cli(capsys, "data", "generate", "--population", "800", "--out", str(tmp_path / "ohne"), "--no-check")
    assert code == 0 and "Ergebnis" not in out
    manifest = json.loads((tmp_path / "ohne" / "manifest.json").read_text())
    assert "quality" not in manifest and "privacy" not in manifest


def test_cli_check_writes_data_docs_into_the_dataset(capsys, small_dataset: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "kopie"
    shutil.copytree(small_dataset, folder)
    code, out, _ = run_cli(capsys, "data", "check", str(folder))
    assert code == 0, out
    assert f"Data Docs (ohne Internet lesbar): {folder / 'qualitaet' / 'index.html'}" in out
    assert (folder / "qualitaet" / "index.html").is_file()
    stale = folder / "qualitaet" / "validations" / "alt.html"
    stale.write_text("von gestern")
    run_cli(capsys, "data", "check", str(folder))
    assert not stale.exists(), "each check replaces the Data Docs of the last one"

"""Bad input to ``sandbox twin``: one line, exit 2, no traceback, nothing written, no value of the extract shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import cli

GOOD = "geschlecht;familienstand;wohnungsstatus\n" + "weiblich;ledig;Hauptwohnung\n" * 20


def _with(column: str, value: str) -> bytes:
    """GOOD with one more column in front."""
    head, *rows = GOOD.splitlines()
    return "\n".join([f"{column};{head}", *(f"{value}{i};{row}" for i, row in enumerate(rows))]).encode()


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "gut.csv").write_text(GOOD, encoding="utf-8")
    return tmp_path


def _create(folder: Path, capsys: pytest.CaptureFixture[str], name: str, *extra: str) -> str:
    code, out, err = cli(capsys, "twin", "create", str(folder / name), "--no-track", "--out", str(folder / "out"), *extra)
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert not (folder / "out").exists() and not (folder / "out-bericht").exists()
    return err


@pytest.mark.parametrize(("content", "extra", "message"), [
    (None, ("--as", "einwohner", "--epsilon", "1"), "gibt es nicht"),
    (b"", ("--as", "einwohner", "--epsilon", "1"), "ist leer"),
    (b"geschlecht;familienstand\n", ("--as", "einwohner", "--epsilon", "1"), "keine Zeilen"),
    (b"\xff\xfeg\x00e\x00", ("--as", "einwohner", "--epsilon", "1"), "nicht UTF-8"),
    (GOOD.encode(), ("--as", "einwohner", "--epsilon", "0"), "größer als 0"),
    (GOOD.encode(), ("--as", "einwohner", "--epsilon", "-1"), "größer als 0"),
    (GOOD.encode(), ("--as", "einwohner", "--epsilon", "1000"), "unsinnig groß"),
    (GOOD.encode(), ("--as", "einwohner", "--epsilon", "eins"), "muss eine Zahl sein"),
    (GOOD.encode(), ("--as", "einwohner", "--epsilon", "1", "--delta", "0,5"), "--delta"),
    (GOOD.encode(), ("--as", "einwohner", "--epsilon", "1", "--rows", "99000000"), "--rows"),
    (GOOD.encode(), ("--as", "einwohner", "--epsilon", "1", "--mechanism", "gan"), "aim oder mst"),
    (GOOD.encode(), ("--epsilon", "1"), "genau eines"),
    (GOOD.encode(), ("--as", "kunden", "--epsilon", "1"), "Tabelle 'kunden' gibt es nicht"),
    (GOOD.encode(), ("--as", "einwohner", "--epsilon", "1", "--drop", "ort"), "--drop nennt"),
    (GOOD.encode(), ("--as", "einwohner", "--epsilon", "1", "--override", " "), "Begründung"),
    (GOOD.encode(), ("--as", "einwohner", "--epsilon", "1", "--target", "alter"), "--target"),
    (_with("familienname", "GEHEIMNAME"), ("--as", "einwohner", "--epsilon", "1"), "--drop familienname"),
    (_with("frei", "GEHEIM"), ("--as", "einwohner", "--epsilon", "1"), "nicht kennt: frei"),
    (_with("staatsangehoerigkeit", "GEHEIM"), ("--as", "einwohner", "--epsilon", "1"), "keine Werteliste"),
    (GOOD.replace("ledig", "GEHEIMSTAND", 3).encode(), ("--as", "einwohner", "--epsilon", "1"),
     "familienstand: 3"),
    (b"geschlecht;familienstand\nweiblich;ledig\n" * 1, ("--as", "einwohner", "--epsilon", "1"), "mindestens 10"),
])
def test_bad_create_input(folder: Path, capsys: pytest.CaptureFixture[str], content: bytes | None,
                          extra: tuple[str, ...], message: str) -> None:
    if content is not None:
        (folder / "x.csv").write_bytes(content)
    err = _create(folder, capsys, "x.csv", *extra)
    assert message in err and "GEHEIM" not in err


def test_bad_domain_files(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _create(folder, capsys, "gut.csv", "--domain", str(folder / "fehlt.yaml"), "--epsilon", "1")
    assert "Domänendatei" in err and "gibt es nicht" in err
    (folder / "d.yaml").write_text("spalten:\n  geschlecht: {art: kategorie, werte: [weiblich]}\n", encoding="utf-8")
    assert "ohne Eintrag in der Domäne: familienstand, wohnungsstatus" in _create(
        folder, capsys, "gut.csv", "--domain", str(folder / "d.yaml"), "--epsilon", "1")
    (folder / "d.yaml").write_text("spalten: [1, 2]\n", encoding="utf-8")
    assert "'spalten'" in _create(folder, capsys, "gut.csv", "--domain", str(folder / "d.yaml"), "--epsilon", "1")
    (folder / "s.yaml").write_text("risiko: 3\n", encoding="utf-8")
    assert "unbekannte Schlüssel" in _create(folder, capsys, "gut.csv", "--as", "einwohner", "--epsilon", "1",
                                             "--schwellen", str(folder / "s.yaml"))


def test_unknown_file_type_and_damaged_xlsx(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "x.json").write_text("{}", encoding="utf-8")
    assert "Dateityp .json" in _create(folder, capsys, "x.json", "--as", "einwohner", "--epsilon", "1")
    (folder / "x.xlsx").write_bytes(b"kein zip")
    assert "keine lesbare XLSX" in _create(folder, capsys, "x.xlsx", "--as", "einwohner", "--epsilon", "1")
    (folder / "x.parquet").write_bytes(b"PAR1 kaputt")
    assert "keine lesbare Parquet" in _create(folder, capsys, "x.parquet", "--as", "einwohner", "--epsilon", "1")


def test_domain_proposal_from_xlsx_is_marked(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Geschlecht", "Alter", "Ortsteil", "Steuernummer"])
    for i in range(40):
        sheet.append(["weiblich" if i % 2 else "männlich", 20 + i, f"Ortsteil {i % 3}", f"GEHEIM{i}"])
    book.save(folder / "a.xlsx")
    code, out, err = cli(capsys, "twin", "domain", str(folder / "a.xlsx"), "--out", str(folder / "DOMAIN.yaml"))
    assert code == 0, err
    text = (folder / "DOMAIN.yaml").read_text(encoding="utf-8")
    assert "steuernummer" not in text and "steuernummer: weggelassen" in err
    assert text.count("herkunft: 'aus den Daten abgeleitet: vor der Freigabe prüfen") == 3
    assert "art: zahl" in text and "Ortsteil 2" in text
    code, out, err = cli(capsys, "twin", "domain", str(folder / "a.xlsx"), "--out", str(folder / "DOMAIN.yaml"))
    assert code == 2 and "gibt es schon" in err

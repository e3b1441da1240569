"""The access sheet: one line per participant, escaped, readable by its owner only."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from sandbox.errors import SandboxError
from sandbox.workshop.access import qr_svg, render_sheet, write_sheet
from sandbox.workshop.manage import Seat


def test_one_row_per_participant_with_link_and_token(tmp_path: Path) -> None:
    seats = [Seat(f"tn0{i}", "running", f"https://127.0.0.1:8443/tn0{i}/lab?token=t{i}&x=<b>", f"t{i}")
             for i in (1, 2, 3)]
    text = render_sheet("kurs", seats, "http://127.0.0.1:5050")
    rows = re.findall(r"<tr><td>(tn0\d)</td>", text)
    assert rows == ["tn01", "tn02", "tn03"]
    assert 'href="https://127.0.0.1:8443/tn02/lab?token=t2&amp;x=&lt;b&gt;"' in text  # escaped, never raw markup
    assert "<b>" not in text and "http://127.0.0.1:5050" in text
    path = write_sheet(tmp_path / "zugaenge.html", text)
    assert path.read_text(encoding="utf-8") == text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_sheet_target_must_be_a_file_in_an_existing_folder(tmp_path: Path) -> None:
    with pytest.raises(SandboxError, match="ist ein Ordner"):
        write_sheet(tmp_path, "x")
    with pytest.raises(SandboxError, match="gibt es nicht"):
        write_sheet(tmp_path / "nope" / "a.html", "x")


def test_default_workshop_name_is_not_repeated_and_reset_rules_are_stated() -> None:
    seats = [Seat("tn01", "running", "https://labor.local:8443/tn01/lab?token=t", "t")]
    text = render_sheet("workshop", seats, None)
    assert "<h1>Experimentierraum – Workshop</h1>" in text and "Workshop workshop" not in text
    assert "backup-DATUM/" in text and "MLflow-Läufe bleiben unverändert" in text
    assert "<h1>Experimentierraum – Workshop kurs-a</h1>" in render_sheet("kurs-a", seats, None)


def test_each_row_carries_its_own_qr_code_and_mlflow_login() -> None:
    seats = [Seat(f"tn0{i}", "running", f"https://labor.local/tn0{i}/lab?token=t{i}", f"t{i}",
                  password=f"geheim-{i}") for i in (1, 2)]
    text = render_sheet("kurs", seats, None)
    rows = re.findall(r"<tr><td>tn0\d</td>.*?</tr>", text, re.S)
    assert len(rows) == 2
    codes = [re.search(r"<svg.*?</svg>", row, re.S).group(0) for row in rows]  # type: ignore[union-attr]
    assert codes[0] != codes[1] and all("<title>tn0" in code for code in codes)
    assert "Passwort geheim-1" in rows[0] and "geheim-2" not in rows[0]
    assert qr_svg(seats[0].url, "tn01") == codes[0]  # deterministic: a reprinted sheet has the same codes


def test_self_signed_certificate_is_explained_with_its_fingerprint_and_the_trainers_is_not() -> None:
    seats = [Seat("tn01", "running", "https://labor.local:8443/tn01/lab?token=t", "t")]
    print_ = "AB:" * 31 + "CD"
    text = render_sheet("kurs", seats, None, fingerprint=print_)
    assert f"<code>{print_}</code>" in text and "warnt der Browser" in text
    assert print_ not in render_sheet("kurs", seats, None, fingerprint=print_, own_certificate=True)

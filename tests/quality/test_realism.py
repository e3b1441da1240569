"""The realism report: measures with official references, the command, and the verdict of `data generate`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sandbox.quality.realism import MEASURES
from sandbox.quality.realism.judge import references
from tests.support import cli, file_hashes


def test_every_measure_has_a_sourced_reference() -> None:
    rows = {row["kennzahl"]: row for row in references()}
    assert len(MEASURES) >= 30
    for key in MEASURES:
        row = rows[key]
        assert row["art"] in ("amtlich", "Annahme") and row["quelle"].strip(), key
        assert float(row["toleranz"]) > 0


def test_realism_passes_writes_html_and_json_and_is_deterministic(capsys, musterstadt_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ds"
    shutil.copytree(musterstadt_path, folder)
    code, out, _ = cli(capsys, "data", "realism", str(folder))
    assert code == 0, out
    assert "Realismus: im Rahmen" in out and "Kennzahl" in out
    first = file_hashes(folder)
    page = (folder / "realismus.html").read_text(encoding="utf-8")
    assert "<script" not in page and "http" not in page.split("</style>")[0]
    data = json.loads((folder / "realismus.json").read_text(encoding="utf-8"))
    assert data["passed"] and len(data["rows"]) >= 30
    cli(capsys, "data", "realism", str(folder))
    assert file_hashes(folder) == first


def test_an_unrealistic_dataset_fails_with_exit_1(capsys, register_copy: Path, rewrite) -> None:
    """Everybody married: far too many married adults and no widows."""
    rewrite(register_copy, "einwohner", lambda f: f.assign(familienstand="verheiratet"))
    code, out, _ = cli(capsys, "data", "realism", str(register_copy))
    assert code == 1
    assert "ABWEICHUNG Anteil Verheirateter unter Erwachsenen" in out


def test_missing_dataset_is_a_user_error(capsys, tmp_path: Path) -> None:
    code, out, err = cli(capsys, "data", "realism", str(tmp_path / "fehlt"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and not out


def test_generate_records_the_verdict(small_dataset: Path, tmp_path: Path) -> None:
    from sandbox.quality import GenerationGate
    from sandbox.synth.writer import generate_dataset

    path = generate_dataset("musterstadt", 5, population=3000, out=tmp_path / "mit", finalize=GenerationGate("musterstadt"))
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["realism"]["measures"] >= 30 and isinstance(manifest["realism"]["passed"], bool)
    assert "## Realismus" in (path / "DATENKARTE.md").read_text(encoding="utf-8")
    assert (path / "realismus.html").is_file()

"""`sandbox data ...`: an existing output needs --force, unwritable folders, broken and own profiles, progress."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.synth.writer import generate_dataset
from tests.support import cli


@pytest.fixture(scope="module")
def small_dataset_cli(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small dataset for the commands that read one."""
    return generate_dataset("musterstadt", 8, population=1500, out=tmp_path_factory.mktemp("klein") / "ds")


# One line, exit 2, nothing written for every bad input: the table in tests/test_reliability.py.


def test_existing_output_needs_force_and_stays_intact(capsys, tmp_path: Path) -> None:
    target = tmp_path / "d"
    assert cli(capsys, "data", "generate", "--population", "500", "--out", str(target))[0] == 0
    manifest = (target / "manifest.json").read_bytes()
    code, _, err = cli(capsys, "data", "generate", "--population", "500", "--seed", "9", "--out", str(target))
    assert code == 2 and "gibt es schon; mit --force ersetzen" in err
    assert (target / "manifest.json").read_bytes() == manifest
    assert cli(capsys, "data", "generate", "--population", "500", "--seed", "9", "--out", str(target), "--force")[0] == 0
    assert (target / "manifest.json").read_bytes() != manifest


def test_unwritable_folder(capsys, tmp_path: Path) -> None:
    blocker = tmp_path / "datei"
    blocker.write_text("kein Ordner")
    code, _, err = cli(capsys, "data", "generate", "--population", "500", "--out", str(blocker / "sub" / "d"))
    assert code == 2 and "lässt sich nicht schreiben" in err and "beschreibbares --out" in err


def test_broken_profile_file(capsys, tmp_path: Path) -> None:
    path = tmp_path / "halb.yaml"
    path.write_text("name: halb\nbasis: sachsen\ngebiet: {gemeinden: [{name: Halb, ags: '14522991'}]}\n")
    code, _, err = cli(capsys, "data", "generate", "--profile", str(path), "--out", str(tmp_path / "o"))
    assert code == 2 and "es fehlt der Schlüssel 'einwohner'" in err
    assert not (tmp_path / "o").exists()


def test_generate_own_profile_list_and_describe(capsys, tmp_path: Path) -> None:
    path = tmp_path / "dorf.yaml"
    path.write_text("name: dorf\nbasis: sachsen\ngebiet: {gemeinden: [{name: Dorf, ags: '14522991', einwohner: 800}]}\n")
    code, out, _ = cli(capsys, "data", "generate", "--profile", str(path))
    assert code == 0 and "dorf-s42" in out and "DATENKARTE.md" in out
    code, out, _ = cli(capsys, "data", "list")
    assert code == 0 and "musterstadt" in out and "dorf-s42" in out
    code, out, _ = cli(capsys, "data", "describe", "einwohner")
    assert code == 0 and "staatsangehoerigkeit" in out and "einwohner_id" in out


def _run_with_stderr_on_a_terminal(args: list[str]) -> tuple[int, str]:
    """Run ``sandbox ARGS`` in a subprocess whose stderr is a pseudo-terminal: (exit code, what it showed there)."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "sandbox.cli", *args], stdout=subprocess.DEVNULL,
                            stderr=follower, env={**os.environ, "COLUMNS": "120"})
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process has ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return proc.wait(), shown.decode("utf-8", "replace")


def test_data_check_shows_german_progress_on_a_terminal_and_nothing_in_a_pipe(capsys, small_dataset_cli) -> None:
    code, shown = _run_with_stderr_on_a_terminal(["data", "check", str(small_dataset_cli), "--no-docs"])
    assert code == 0
    assert "Tabellen laden" in shown and "Tabelle einwohner: Spalten, Typen und Regeln" in shown
    code, out, err = cli(None, "data", "check", str(small_dataset_cli), "--no-docs")  # stderr is no terminal here
    assert code == 0 and err == "" and "Ergebnis: bestanden" in out

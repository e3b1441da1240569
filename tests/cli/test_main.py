"""The app as a whole: the console script, help without heavy imports, errors as one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import cli

HEAVY = ("mlflow", "great_expectations", "papermill", "jupyterlab", "pandas", "numpy", "docker", "psycopg")


def test_help_is_available_as_console_script() -> None:
    result = subprocess.run([Path(sys.executable).with_name("sandbox"), "--help"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0 and "data" in result.stdout


def test_python_dash_m_runs_the_same_app() -> None:
    result = subprocess.run([sys.executable, "-m", "sandbox.cli", "--help"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0 and "Aufruf: sandbox " in result.stdout


def test_help_imports_no_heavy_library() -> None:
    """Every command module keeps its heavy imports inside the commands, so --help answers fast."""
    probe = ("import sys\nfrom sandbox.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(("args", "start"), [
    (["frobnicate"], "Fehler: unbekannter Befehl 'frobnicate' (Hilfe: sandbox --help)"),
    (["data", "describe"], "Fehler: es fehlt das Argument table (Hilfe: sandbox --help)"),
    (["data", "generate", "--sed", "1"], "Fehler: unbekannte Option --sed; meinten Sie --seed? (Hilfe: sandbox --help)"),
    (["experiment", "run", "x", "--seeds"], "Fehler: die Option --seeds braucht einen Wert (Hilfe: sandbox --help)"),
    (["data", "describe", "a", "b"], "Fehler: überzähliges Argument: b (Hilfe: sandbox --help)"),
    (["data", "generate", "--force=ja"], "Fehler: die Option --force nimmt keinen Wert (Hilfe: sandbox --help)"),
])
def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str], args: list[str], start: str) -> None:
    code, out, err = cli(capsys, *args)
    assert (code, out) == (2, "") and err.startswith(start) and err.count("\n") == 1


def test_group_without_command_shows_its_help() -> None:
    result = subprocess.run([sys.executable, "-m", "sandbox.cli", "workshop"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 2 and "Aufruf: sandbox workshop" in result.stdout + result.stderr


@pytest.mark.parametrize("args", [["--help"], ["data", "generate", "--help"], ["experiment", "run", "--help"]])
def test_help_chrome_is_german(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    """Usage line, panel titles, type labels and the help option read German, not click's English."""
    code, out, _ = cli(capsys, *args)
    assert code == 0 and "Aufruf: sandbox" in out and "Diese Hilfe zeigen und beenden." in out
    for english in ("Usage:", "Show this message", "Options", "Commands", "Arguments", "[default:", "[required]",
                    "<str>", "<bool>"):
        assert english not in out, english

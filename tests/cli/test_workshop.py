"""`sandbox workshop ...` with bad input or no engine: one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import cli


@pytest.mark.parametrize(("args", "message"), [
    (["workshop", "start", "--participants", "0"], "--participants muss mindestens 1 sein"),
    (["workshop", "start", "-n", "3", "--memory", "2GB"], "--memory muss eine Größe wie 2g"),
    (["workshop", "start", "-n", "3", "--memory", "64m"], "--memory muss mindestens 256m sein"),
    (["workshop", "start", "-n", "3", "--cpus", "viele"], "--cpus muss eine Zahl"),
    (["workshop", "start", "-n", "3", "--name", "Mein Kurs"], "--name darf nur Kleinbuchstaben"),
    (["workshop", "start", "-n", "3", "--port", "0"], "--port muss mindestens 1 sein"),
    (["workshop", "start", "-n", "3", "--tracking-port", "80"], "--tracking-port muss mindestens 1024 sein"),
    (["workshop", "reset", "null"], "Teilnehmer/in muss eine Nummer wie 3"),
])
def test_bad_input(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, _, err = cli(capsys, *args)
    assert code == 2 and err.startswith("Fehler: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize("command", [["status"], ["stop"], ["collect"], ["reset", "2"],
                                     ["start", "--participants", "2"]])
def test_no_engine_is_one_clear_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path, command: list[str]) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'kein.sock'}")
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(capsys, "workshop", *command)
    assert code == 2 and err.startswith("Fehler: unter unix://") and err.count("\n") == 1
    assert not list(tmp_path.iterdir())  # no access sheet, no report

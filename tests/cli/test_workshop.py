"""`sandbox workshop ...` with bad input or no engine: one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import cli


@pytest.mark.parametrize(("args", "message"), [
    (["workshop", "start", "--participants", "0"], "--participants must be at least 1"),
    (["workshop", "start", "-n", "3", "--memory", "2GB"], "--memory must be a size like 2g"),
    (["workshop", "start", "-n", "3", "--memory", "64m"], "--memory must be at least 256m"),
    (["workshop", "start", "-n", "3", "--cpus", "viele"], "--cpus must be a number"),
    (["workshop", "start", "-n", "3", "--name", "Mein Kurs"], "--name must be lowercase letters"),
    (["workshop", "start", "-n", "3", "--port-base", "80"], "--port-base must be at least 1024"),
    (["workshop", "reset", "null"], "participant must be a number like 3"),
])
def test_bad_input(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, _, err = cli(capsys, *args)
    assert code == 2 and err.startswith("error: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize("command", [["status"], ["stop"], ["collect"], ["reset", "2"],
                                     ["start", "--participants", "2"]])
def test_no_engine_is_one_clear_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path, command: list[str]) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'kein.sock'}")
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(capsys, "workshop", *command)
    assert code == 2 and err.startswith("error: no container engine answers at unix://") and err.count("\n") == 1
    assert not list(tmp_path.iterdir())  # no access sheet, no report

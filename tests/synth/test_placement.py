"""Killed generations: the earlier dataset survives, and the next run cleans up or rolls back.

The kills are real: a `sandbox data generate` subprocess gets SIGKILL while
it writes its temporary folder, or between the two renames of the swap (the
subprocess's rename is wrapped to kill itself right after the first one).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox.synth.placement import is_dataset, recover
from sandbox.synth.writer import generate_dataset
from tests.support import cli

pytestmark = pytest.mark.slow

KILL_AFTER_FIRST_RENAME = """
import os, pathlib, signal, sys
rename = pathlib.Path.rename
def killing_rename(self, target):
    result = rename(self, target)
    if ".old-" in str(target):
        os.kill(os.getpid(), signal.SIGKILL)
    return result
pathlib.Path.rename = killing_rename
from sandbox.cli import main
main(sys.argv[1:])
"""


def _generate(target: Path, seed: int, code: str | None = None) -> subprocess.Popen[bytes]:
    args = ["data", "generate", "--population", "30000", "--seed", str(seed), "--out", str(target), "--force",
            "--no-check"]
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "sandbox.cli", *args]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_kill_while_writing_keeps_the_old_dataset_and_the_next_run_cleans_up(tmp_path: Path,
                                                                             capsys: pytest.CaptureFixture[str]) -> None:
    target = generate_dataset("musterstadt", 1, population=300, out=tmp_path / "ds")
    manifest = (target / "manifest.json").read_bytes()
    proc = _generate(target, 2)
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".ds.tmp-") and any(p.iterdir()) for p in tmp_path.iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline, "the generation ended before it could be killed"
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    assert (target / "manifest.json").read_bytes() == manifest
    assert [name for name in _hidden(tmp_path) if name.startswith(".ds.tmp-")]
    code, _, _ = cli(capsys, "data", "generate", "--population", "300", "--out", str(tmp_path / "anderer"), "--no-check")
    assert code == 0 and _hidden(tmp_path) == []  # the next generation in the folder removed the dead one's rest
    assert (target / "manifest.json").read_bytes() == manifest


def test_kill_between_the_two_renames_is_rolled_back(tmp_path: Path) -> None:
    target = generate_dataset("musterstadt", 1, population=300, out=tmp_path / "ds")
    manifest = (target / "manifest.json").read_bytes()
    proc = subprocess.run([sys.executable, "-c", KILL_AFTER_FIRST_RENAME, "data", "generate", "--population", "300",
                           "--seed", "3", "--out", str(target), "--force", "--no-check"], capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    assert not target.exists()  # the moment of the kill: neither old nor new dataset in place
    hidden = _hidden(tmp_path)
    assert any(".old-" in name for name in hidden) and any(".tmp-" in name for name in hidden)
    repairs = recover(tmp_path)
    assert len(repairs) == 2 and "zurückgerollt" in " ".join(repairs)
    assert (target / "manifest.json").read_bytes() == manifest and is_dataset(target)
    assert _hidden(tmp_path) == []


def test_recover_leaves_folders_of_living_processes_alone(tmp_path: Path) -> None:
    living = tmp_path / f".ds.tmp-{os.getppid()}-abc"
    living.mkdir()
    assert recover(tmp_path) == [] and living.is_dir()

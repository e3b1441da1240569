"""The workspace's state file and process bookkeeping (sandbox.state), below services and tracking."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import state
from sandbox.config import state_dir


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SANDBOX_HOME", str(tmp_path))
    return tmp_path


def test_state_file_round_trip_owner_only_and_cleared(home: Path) -> None:
    assert state.read_state() is None
    state.write_state({"services": {"mlflow": {"pid": 1, "url": "http://127.0.0.1:5000"}}})
    path = state_dir() / state.STATE_FILE
    assert path == home / ".sandbox" / "state.json" and path.stat().st_mode & 0o077 == 0
    assert state.read_state() == {"services": {"mlflow": {"pid": 1, "url": "http://127.0.0.1:5000"}}}
    assert not list(path.parent.glob(".state-*.tmp"))  # written atomically, nothing left beside it
    state.clear_state()
    state.clear_state()  # idempotent
    assert state.read_state() is None


@pytest.mark.parametrize("content", ["{kaputt", "[]", '{"services": []}'])
def test_unreadable_or_foreign_state_counts_as_none(home: Path, content: str) -> None:
    (home / ".sandbox").mkdir()
    (home / ".sandbox" / state.STATE_FILE).write_text(content)
    assert state.read_state() is None


def test_a_process_is_alive_only_with_its_own_start_time() -> None:
    me = os.getpid()
    assert state.process_alive(me) and state.process_alive(me, state.start_ticks(me))
    if state.start_ticks(me) is not None:  # /proc: a recycled pid has another start time
        assert not state.process_alive(me, "0")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert not state.process_alive(gone.pid) and not state.process_alive(None) and not state.process_alive(0)

"""Notebook execution: a kernel that never came up is started once more, a failing cell is not run twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.experiments import execute as execution
from tests.experiments.conftest import probe_notebook


@pytest.fixture()
def notebook(tmp_path: Path, musterstadt_path: Path) -> Path:
    path = tmp_path / "probe.ipynb"
    probe_notebook(path)
    return path


def _flaky_start(monkeypatch: pytest.MonkeyPatch, failures: int) -> list[int]:
    """papermill fails ``failures`` times before any cell runs (as when a kernel's port was taken), then runs."""
    import papermill

    real = papermill.execute_notebook
    calls: list[int] = []

    def start(*args, **kwargs):
        calls.append(1)
        if len(calls) <= failures:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", start)
    return calls


@pytest.mark.slow
def test_a_kernel_that_never_started_is_started_again(tmp_path: Path, notebook: Path, musterstadt_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _flaky_start(monkeypatch, failures=1)
    done = execution.execute(notebook, {"datensatz": str(musterstadt_path), "seed": 1}, tmp_path, tmp_path / "out")
    assert done.ok, done.error
    assert len(calls) == 2 and done.record is not None and done.record.metrics["seed_echo"] == 1


def test_a_kernel_that_never_starts_fails_the_run_with_the_reason(tmp_path: Path, notebook: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _flaky_start(monkeypatch, failures=5)
    done = execution.execute(notebook, {"seed": 1}, tmp_path, tmp_path / "out")
    assert len(calls) == 1 + execution._KERNEL_START_RETRIES
    assert done.error == "RuntimeError: Kernel died before replying to kernel_info"


@pytest.mark.slow
def test_a_failing_cell_is_not_run_again(tmp_path: Path, notebook: Path, musterstadt_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _flaky_start(monkeypatch, failures=0)
    done = execution.execute(notebook, {"datensatz": str(musterstadt_path), "fehler": True}, tmp_path,
                             tmp_path / "out")
    assert len(calls) == 1
    assert done.error is not None and done.error.startswith("ValueError: absichtlich kaputt")


@pytest.mark.slow
def test_a_run_started_inside_a_notebook_kernel_leaves_its_event_loop_alone(tmp_path: Path, notebook: Path,
                                                                            musterstadt_path: Path) -> None:
    """A notebook may call experiments.run_experiment: the kernel's loop runs, and must still be its thread's
    loop afterwards (no other run's loop set in its place, none closed)."""
    import asyncio

    async def kernel() -> tuple[object, object, object]:
        loop = asyncio.get_running_loop()
        done = execution.execute(notebook, {"datensatz": str(musterstadt_path), "seed": 2}, tmp_path, tmp_path / "out")
        assert done.ok, done.error
        return loop, asyncio.get_event_loop_policy().get_event_loop(), done.record.metrics["seed_echo"]

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        running, after, seed = loop.run_until_complete(kernel())
        assert after is running is loop and not loop.is_closed() and seed == 2
    finally:
        asyncio.set_event_loop(None)
        loop.close()

"""The container lifecycle refuses steps out of order (create -> start -> wait -> stop -> remove)."""

from __future__ import annotations

import pytest

from sandbox.workshop.lifecycle import ContainerSpec, Lifecycle, Phase


@pytest.mark.parametrize("step", ["start", "stop"])
def test_no_step_before_create(step: str) -> None:
    cycle = Lifecycle(None, ContainerSpec("x", "img"))  # type: ignore[arg-type]  # no engine is touched
    with pytest.raises(RuntimeError, match=r"x: cannot (go to STARTED|stop) from DEFINED"):
        getattr(cycle, step)()
    assert cycle.phase is Phase.DEFINED


def test_wait_needs_a_started_container() -> None:
    cycle = Lifecycle(None, ContainerSpec("x", "img"))  # type: ignore[arg-type]
    cycle.phase = Phase.CREATED
    with pytest.raises(RuntimeError, match="cannot go to READY from CREATED"):
        cycle.wait_ready(0)

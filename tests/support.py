"""Helpers shared by tests (import as ``from tests.support import ...``).

- :func:`cli`: the one in-process runner of ``sandbox ARGS``.
- :func:`unavailable`: a test whose engine, browser or client is missing is
  skipped with the reason, except under ``CI=true``, where CI provisions it
  and the test fails.
- :func:`file_hashes`: sha256 of a dataset folder's files, for determinism.
- :func:`free_port`: a port on 127.0.0.1 nothing listens on (a server to start, or one that never answers).
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
from pathlib import Path
from typing import NoReturn

import pytest

__all__ = ["cli", "unavailable", "file_hashes", "free_port"]


def file_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file in a dataset folder, by name."""
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def cli(capsys: pytest.CaptureFixture[str] | None, *args: str) -> tuple[int, str, str]:
    """Run ``sandbox ARGS`` in this process: (exit code, stdout, stderr); a printed traceback fails the test.

    ``capsys`` is the test's capture fixture; a fixture wider than one test
    has none and passes None, and the output is captured here.
    """
    from sandbox.cli import main

    code = 0
    out, err = io.StringIO(), io.StringIO()
    if capsys is not None:
        capsys.readouterr()
    with contextlib.ExitStack() as stack:
        if capsys is None:
            stack.enter_context(contextlib.redirect_stdout(out))
            stack.enter_context(contextlib.redirect_stderr(err))
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    printed = capsys.readouterr() if capsys is not None else (out.getvalue(), err.getvalue())
    assert "Traceback" not in printed[0] + printed[1], printed
    return code, printed[0], printed[1]


def unavailable(reason: str, provision: str) -> NoReturn:
    """Skip the test because ``reason`` (what is missing); under CI=true fail, since CI provisions it.

    ``provision`` says how it is provided, e.g. ``.ci/engine.sh provisions it``.
    """
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}: required under CI=true ({provision})")
    pytest.skip(f"{reason} ({provision})")


def free_port() -> int:
    """A port on 127.0.0.1 that is free right now (the system picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def legacy_scorecard(experiment: str, evaluator: str, note: int = 3) -> str:
    """A scorecard run as ``sandbox experiment score`` stored it before scorecards had their own experiment:
    in the run experiment ``experiment`` itself, tagged ``sandbox.art=bewertung``; returns its run id."""
    from mlflow.entities import Metric

    from sandbox import tracking
    from sandbox.compare.scorecard import CRITERIA
    from sandbox.tracking import keys

    client = tracking.client()
    run = client.create_run(client.get_experiment_by_name(experiment).experiment_id,
                            run_name=f"bewertung-{evaluator.lower()}", tags={keys.KIND: keys.KIND_SCORECARD})
    metrics = [Metric(keys.score(c.key), float(note), 0, 0) for c in CRITERIA] + [Metric(keys.SCORE_OVERALL, note, 0, 0)]
    client.log_batch(run.info.run_id, metrics=metrics)
    for key, value in {keys.EXPERIMENT: experiment, keys.score_tag("bewerter"): evaluator}.items():
        client.set_tag(run.info.run_id, key, value)
    client.set_terminated(run.info.run_id, "FINISHED")
    return run.info.run_id

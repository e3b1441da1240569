"""A fresh workspace for tracking tests: no git checkout, no running sandbox, MLFLOW_TRACKING_URI unset."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from sandbox import tracking

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, musterstadt_path: Path) -> Iterator[Path]:
    """A fresh workspace (no git, no running sandbox) for the whole module, MLFLOW_TRACKING_URI unset.

    The session's musterstadt dataset (in $SANDBOX_DATA) is generated before the workspace moves.
    """
    root = tmp_path_factory.mktemp("ws")
    (root / "synthetic_data").mkdir()
    (root / "synthetic_data" / "profiles").symlink_to(REPO / "synthetic_data" / "profiles")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SANDBOX_HOME", str(root))
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        yield root


def run_client() -> Any:
    """A plain MlflowClient on the tracking URI (no reachability check), to read runs back."""
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=tracking.tracking_uri())

"""The workshop's proxy image for the container tests: $SANDBOX_TEST_PROXY_IMAGE (CI builds it), else built now."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import pytest

from tests.containers import REPO


@pytest.fixture(scope="session")
def proxy_image(engine: Any) -> str:
    """The reverse-proxy image: the one CI built, else ``.ci/engine.sh proxy`` (Podman) or the workshop's own build."""
    from sandbox.workshop.proxy_image import DEFAULT_IMAGE

    given = os.environ.get("SANDBOX_TEST_PROXY_IMAGE")
    if given:
        engine.images.get(given)
        return given
    if shutil.which("podman"):
        done = subprocess.run(["bash", str(REPO / ".ci" / "engine.sh"), "proxy"], cwd=REPO, capture_output=True,
                              text=True, timeout=1200)
        if done.returncode != 0:
            pytest.fail(f"building the proxy image failed: {done.stderr[-2000:]}")
    return DEFAULT_IMAGE  # with Docker, `workshop start` builds it when missing

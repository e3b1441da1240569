"""Shared fixtures: generated datasets, made once per test session.

Tests never write into the workspace: SANDBOX_DATA points generation at a
temporary folder for the whole session. The container engine's fixtures
(``engine``, ``sandbox_image``, ``postgres_image``) come from the plugin
tests/containers.py, the headless browser (``chromium``) from tests/browsers.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox import datasets
from sandbox.synth.writer import generate_dataset

pytest_plugins = ["tests.containers", "tests.browsers"]


@pytest.fixture(scope="session", autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    old = os.environ.get("SANDBOX_DATA")
    os.environ["SANDBOX_DATA"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("SANDBOX_DATA", None)
    else:
        os.environ["SANDBOX_DATA"] = old


@pytest.fixture(scope="session")
def musterstadt_path(_isolated_data_dir: Path) -> Path:
    """The default profile (about 25,000 residents), seed 42, as Parquet."""
    return generate_dataset("musterstadt", 42)


@pytest.fixture(scope="session")
def musterstadt(musterstadt_path: Path) -> datasets.Dataset:
    return datasets.open(musterstadt_path)


@pytest.fixture(scope="session")
def landkreis_small(_isolated_data_dir: Path) -> datasets.Dataset:
    """The landkreis profile (53 municipalities) scaled down to 60,000 residents."""
    return datasets.open(generate_dataset("landkreis", 7, population=60_000))


@pytest.fixture(scope="session")
def sachsen_small(_isolated_data_dir: Path) -> datasets.Dataset:
    """The sachsen profile (all 13 Kreise, 418 municipalities) scaled to 200,000 residents."""
    return datasets.open(generate_dataset("sachsen", 11, population=200_000))


"""The datasets of a run on several municipality types: ``sandbox experiment run NAME --profiles a,b,c``.

Whether an experiment's result holds in a Großstadt, a Kleinstadt, a
Landkreis and a small Gemeinde alike is the question of transferability.
The sweep (:func:`sandbox.experiments.runner.run_experiment` with
``profiles=``) runs every point on every dataset, each profile into its own
MLflow experiment ``<name>@<profile>`` that ``sandbox compare --transfer NAME``
reads back. This module turns what the user named into those datasets: a
dataset folder or path is taken as it is, a profile name means that
profile's dataset with seed 42 (and ``--population`` if given), generated now
when it is missing, all checked before anything is generated.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from sandbox.errors import SandboxError

__all__ = ["DATA_SEED", "datasets_for"]

DATA_SEED = 42  # the datasets of a transfer run: one per profile, same generator seed
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}$")


def _existing(label: str) -> Path | None:
    """The dataset ``label`` names (a path, a folder name or a profile's default-seed dataset), if there is one."""
    from sandbox.datasets import resolve

    try:
        return resolve(label)
    except SandboxError:
        return None


def datasets_for(labels: Sequence[str], population: int | None = None) -> list[str]:
    """A dataset label per given label (dataset or profile), generating missing profile datasets."""
    from sandbox.config import generated_dir
    from sandbox.synth.profile import load_profile
    from sandbox.synth.writer import dataset_name, generate_dataset

    plan: list[tuple[str, bool]] = []  # (label, a dataset answers to it)
    for label in labels:
        if population is None and _existing(label) is not None:
            plan.append((label, True))
            continue
        if not _NAME.match(label):
            raise SandboxError(f"--profiles: {label} ist weder ein Datensatz noch ein Profilname (Kleinbuchstaben, "
                               "Ziffern, - und _)")
        load_profile(label, population)  # an unknown profile or a bad population fails before anything runs
        plan.append((label, False))
    out = []  # the labels as given where a dataset answers to them (they name the sweep's coordinates)
    for label, exists in plan:
        if exists:
            out.append(label)
            continue
        folder = generated_dir() / dataset_name(label, DATA_SEED, population)
        if not (folder / "manifest.json").is_file():
            generate_dataset(label, DATA_SEED, population, out=folder)
        out.append(folder.name)
    return out

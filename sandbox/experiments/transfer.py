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
    from sandbox.config import generated_dir
    from sandbox.synth.writer import MANIFEST

    for folder in (Path(label), generated_dir() / label):
        if ("/" in label or folder.parent == generated_dir()) and (folder / MANIFEST).is_file():
            return folder
    return None


def datasets_for(labels: Sequence[str], population: int | None = None) -> list[str]:
    """The dataset folder of each label (dataset or profile), generating missing profile datasets."""
    from sandbox.config import generated_dir
    from sandbox.synth.profile import load_profile
    from sandbox.synth.writer import dataset_name, generate_dataset

    plan: list[tuple[str, Path | None]] = []
    for label in labels:
        found = _existing(label) if population is None else None
        if found is not None:
            plan.append((label, found))
            continue
        if not _NAME.match(label):
            raise SandboxError(f"--profiles: {label} ist weder ein Datensatz noch ein Profilname (Kleinbuchstaben, "
                               "Ziffern, - und _)")
        load_profile(label, population)  # an unknown profile or a bad population fails before anything runs
        plan.append((label, None))
    out = []
    for label, folder in plan:
        if folder is None:
            folder = generated_dir() / dataset_name(label, DATA_SEED, population)
            if not (folder / "manifest.json").is_file():
                folder = generate_dataset(label, DATA_SEED, population, out=folder)
        out.append(str(folder))
    return out

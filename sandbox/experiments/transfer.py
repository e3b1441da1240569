"""Run one experiment on several municipality types: ``sandbox experiment run NAME --profiles a,b,c``.

An experiment is measured on one synthetic municipality; whether its result
holds in a Großstadt, a Kleinstadt, a Landkreis and a small Gemeinde alike is
the question of transferability. :func:`run_on_profiles` checks every
profile and every run request first, generates missing datasets (profile,
seed 42, optionally a smaller population), then runs the experiment's seeds
on each, each profile into its own MLflow experiment ``<name>@<profile>``
(tag ``sandbox.uebertragung`` = the experiment). ``sandbox compare --transfer
NAME`` reads them back. The per-profile runs are one function so that a
scheduler (a sweep on Dask, say) can call it per profile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from sandbox.errors import SandboxError
from sandbox.experiments.runner import Plan, RunResult, execute_plan, plan
from sandbox.tracking import keys

__all__ = ["ProfileRuns", "parse_profiles", "prepare", "run_profile", "run_on_profiles", "DATA_SEED"]

DATA_SEED = 42  # the datasets of a transfer run: one per profile, same generator seed
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}$")


@dataclass(frozen=True)
class ProfileRuns:
    profile: str
    dataset: str
    mlflow_experiment: str
    results: tuple[RunResult, ...]


def parse_profiles(text: str) -> list[str]:
    """``"grossstadt,musterstadt"`` -> names; at least two, each a shipped profile's safe name, none twice."""
    names = [n.strip() for n in (text or "").split(",") if n.strip()]
    bad = [n for n in names if not _NAME.match(n)]
    if bad:
        raise SandboxError(f"--profiles: {', '.join(bad)} ist kein Profilname (Kleinbuchstaben, Ziffern, - und _)")
    if len(names) < 2 or len(set(names)) != len(names):
        raise SandboxError("--profiles braucht mindestens zwei verschiedene Profile, z. B. "
                           "--profiles grossstadt,musterstadt,landkreis,landgemeinde")
    return names


def _dataset(profile: str, population: int | None) -> Path:
    """The generated dataset of ``profile`` (seed 42, ``population``), generated now if missing."""
    from sandbox.config import generated_dir
    from sandbox.synth.profile import load_profile
    from sandbox.synth.writer import dataset_name, generate_dataset

    load_profile(profile, population)  # an unknown profile or a bad population fails before anything runs
    folder = generated_dir() / dataset_name(profile, DATA_SEED, population)
    if (folder / "manifest.json").is_file():
        return folder
    return generate_dataset(profile, DATA_SEED, population, out=folder)


def prepare(name: str, profile: str, params: Mapping[str, Any] | None = None, seeds: Sequence[int] | None = None,
            population: int | None = None, root: Path | None = None) -> Plan:
    """The checked run request of ``name`` on ``profile`` (its dataset generated if missing)."""
    folder = _dataset(profile, population)
    request = plan(name, {**(params or {}), "datensatz": str(folder)}, seeds, root)
    return replace(request, tracking_name=keys.transfer_experiment(request.experiment.name, profile))


def run_profile(request: Plan, progress: Callable[[int, int], None] | None = None) -> ProfileRuns:
    """Every seed of one prepared profile; the unit a scheduler may run on its own."""
    assert request.tracking_name is not None
    profile = request.tracking_name.rpartition(keys.TRANSFER_SEPARATOR)[2]
    return ProfileRuns(profile, request.dataset.path.name, request.tracking_name,
                       tuple(execute_plan(request, progress)))


def run_on_profiles(name: str, profiles: Sequence[str], params: Mapping[str, Any] | None = None,
                    seeds: Sequence[int] | None = None, population: int | None = None, root: Path | None = None,
                    progress: Callable[[str, int, int], None] | None = None) -> list[ProfileRuns]:
    """Run experiment ``name`` on each profile; all requests are checked before the first run."""
    if "datensatz" in (params or {}):
        raise SandboxError("--profiles wählt die Datensätze selbst; --param datensatz=... weglassen")
    requests = [prepare(name, p, params, seeds, population, root) for p in profiles]
    done = []
    for profile, request in zip(profiles, requests):
        done.append(run_profile(request, (lambda seed, i, p=profile: progress(p, seed, i)) if progress else None))
    return done

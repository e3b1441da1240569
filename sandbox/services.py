"""`sandbox up/down/status`: the local workbench.

For now `up` makes sure the default dataset exists; JupyterLab and MLflow
join here when the experiments capability lands.
"""

from __future__ import annotations

from pathlib import Path

from sandbox.config import DEFAULT_PROFILE, DEFAULT_SEED, generated_dir
from sandbox.synth.writer import MANIFEST, dataset_name, generate_dataset

__all__ = ["ensure_default_dataset"]


def ensure_default_dataset() -> tuple[Path, bool]:
    """The default dataset's folder, generated first if missing; and whether it was."""
    target = generated_dir() / dataset_name(DEFAULT_PROFILE, DEFAULT_SEED)
    if (target / MANIFEST).is_file():
        return target, False
    return generate_dataset(DEFAULT_PROFILE, DEFAULT_SEED, out=target, force=True), True

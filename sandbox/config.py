"""Where things live: workspace root, content folders, the sandbox's state and MLflow store.

Every folder the package reads or writes is named here, nowhere else. The
workspace is the folder holding ``synthetic_data/``, ``experiments/`` and
``templates/``. It is ``$SANDBOX_HOME`` when set, else the nearest parent of
the current directory that has ``synthetic_data/profiles``, else the checkout
the package was installed from. Notebooks started in ``notebooks/`` therefore
find the same data as the CLI started at the top.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sandbox.errors import SandboxError
from sandbox.german import integer

__all__ = [
    "workspace",
    "profiles_dir",
    "reference_dir",
    "generated_dir",
    "templates_dir",
    "experiments_dir",
    "state_dir",
    "store_dir",
    "artifacts_dir",
    "DEFAULT_PROFILE",
    "DEFAULT_SEED",
    "safe_yaml",
    "read_yaml",
]

DEFAULT_PROFILE = "musterstadt"
DEFAULT_SEED = 42

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def _looks_like_workspace(path: Path) -> bool:
    return (path / "synthetic_data" / "profiles").is_dir()


def workspace() -> Path:
    """The workspace root (see module docstring)."""
    env = os.environ.get("SANDBOX_HOME")
    if env:
        return Path(env).expanduser().resolve()
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if _looks_like_workspace(candidate):
            return candidate
    return _PACKAGE_ROOT


def profiles_dir() -> Path:
    """Folder of the shipped population profiles (``*.yaml``)."""
    return workspace() / "synthetic_data" / "profiles"


def reference_dir() -> Path:
    """Folder of reference tables and vocabularies (``*.csv``).

    Reference data ships with the package checkout, so it is looked up there
    first: a workspace without its own copy still generates.
    """
    own = workspace() / "synthetic_data" / "reference"
    return own if own.is_dir() else _PACKAGE_ROOT / "synthetic_data" / "reference"


def generated_dir() -> Path:
    """Default output folder for generated datasets (``$SANDBOX_DATA`` overrides)."""
    env = os.environ.get("SANDBOX_DATA")
    if env:
        return Path(env).expanduser().resolve()
    return workspace() / "synthetic_data" / "generated"


def templates_dir() -> Path:
    """The workspace's ``templates/``, else the shipped one (a workspace without its own still finds them)."""
    own = workspace() / "templates"
    return own if own.is_dir() else _PACKAGE_ROOT / "templates"


def experiments_dir() -> Path:
    """The workspace's ``experiments/`` (created on the first ``experiment new``)."""
    return workspace() / "experiments"


def state_dir() -> Path:
    """``<workspace>/.sandbox``: state file, logs and the embedded MLflow store (git-ignored)."""
    return workspace() / ".sandbox"


def store_dir() -> Path:
    """Folder of the embedded MLflow store: ``mlflow.db`` and ``artifacts/``."""
    return state_dir() / "mlflow"


def artifacts_dir() -> Path:
    """Artifact folder of the embedded MLflow store, one subfolder per MLflow experiment."""
    return store_dir() / "artifacts"


MAX_YAML_BYTES = 2_000_000  # a profile or experiment file is a few kB; anything this big is not one
MAX_YAML_ALIASES = 20  # a few anchors are fine; a chain of many is an alias bomb ("billion laughs")


def safe_yaml(text: str, where: str) -> Any:
    """``yaml.safe_load`` with a size and alias limit, so a hostile file cannot hang or exhaust memory."""
    import yaml

    if len(text) > MAX_YAML_BYTES:
        raise SandboxError(f"{where} ist zu groß für eine YAML-Konfiguration ({integer(len(text))} Zeichen)")

    class Limited(yaml.SafeLoader):
        aliases = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_YAML_ALIASES:
                    raise SandboxError(f"{where} nutzt mehr als {MAX_YAML_ALIASES} YAML-Verweise (*anker); "
                                       "bitte die Werte ausschreiben")
            return super().compose_node(parent, index)

    loader = Limited(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_yaml(path: Path, hint: str = "bitte die Datei korrigieren") -> dict[str, Any]:
    """A YAML mapping from ``path``; a missing or malformed file is one clear error ending in ``hint``."""
    import yaml

    try:
        data = safe_yaml(Path(path).read_text(encoding="utf-8"), str(path))
    except UnicodeDecodeError:
        raise SandboxError(f"{path} ist nicht UTF-8-kodiert; {hint}") from None
    except OSError as exc:
        raise SandboxError(f"{path} lässt sich nicht lesen ({exc.strerror}); {hint}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", Zeile {mark.line + 1}," if mark is not None else ""
        raise SandboxError(f"{path}{where} ist kein gültiges YAML ({getattr(exc, 'problem', None) or exc}); {hint}") from None
    if not isinstance(data, dict):
        raise SandboxError(f"{path} muss eine YAML-Zuordnung enthalten (Zeilen schlüssel: wert); {hint}")
    return data

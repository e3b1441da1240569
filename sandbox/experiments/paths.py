"""Where templates and experiments live.

Both are content folders of the workspace (see :func:`sandbox.config.workspace`):
``templates/`` and ``experiments/``. Templates ship with the checkout, so a
workspace without its own ``templates/`` (``SANDBOX_HOME`` pointing at an
empty folder, a participant's sandbox) still finds the shipped ones.
"""

from __future__ import annotations

import re
from pathlib import Path
from sandbox.config import read_yaml, workspace
from sandbox.errors import SandboxError

__all__ = ["templates_dir", "experiments_dir", "check_name", "read_yaml", "NAME_PATTERN"]

_CHECKOUT = Path(__file__).resolve().parents[2]
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{1,62}$")


def templates_dir() -> Path:
    """The workspace's ``templates/``, else the shipped one."""
    own = workspace() / "templates"
    return own if own.is_dir() else _CHECKOUT / "templates"


def experiments_dir() -> Path:
    """The workspace's ``experiments/`` (created on the first ``experiment new``)."""
    return workspace() / "experiments"


def check_name(name: str, what: str) -> str:
    """``name`` if it is a usable folder name: lowercase letters, digits, - and _."""
    if not NAME_PATTERN.match(name or ""):
        raise SandboxError(f"{what} name {name!r} is not a valid folder name; use 2-63 lowercase letters, digits, "
                           f"'-' or '_', starting with a letter or digit, e.g. posteingang-pilot")
    return name

"""Names of templates and experiments, and where they live.

Both are content folders of the workspace, located by :mod:`sandbox.config`
(``templates/`` and ``experiments/``; templates ship with the checkout, so a
workspace without its own ``templates/`` still finds the shipped ones). A
name becomes a folder name, so it is checked before it touches a path.
"""

from __future__ import annotations

import re

from sandbox.config import experiments_dir, read_yaml, templates_dir
from sandbox.errors import SandboxError

__all__ = ["templates_dir", "experiments_dir", "check_name", "read_yaml", "NAME_PATTERN"]

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{1,62}$")


def check_name(name: str, what: str) -> str:
    """``name`` if it is a usable folder name: lowercase letters, digits, - and _."""
    if not NAME_PATTERN.match(name or ""):
        raise SandboxError(f"{what} {name!r} ist kein gültiger Ordnername; erlaubt sind 2-63 Kleinbuchstaben, Ziffern, "
                           f"'-' oder '_', beginnend mit Buchstabe oder Ziffer, z. B. posteingang-pilot")
    return name

"""Helpers shared by tests (import as `from tests.support import ...`)."""

from __future__ import annotations

from pathlib import Path


def file_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file in a dataset folder, by name."""
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}

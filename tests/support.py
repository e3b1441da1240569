"""Helpers shared by tests (import as `from tests.support import ...`)."""

from __future__ import annotations

from pathlib import Path

import pytest


def file_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file in a dataset folder, by name."""
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``sandbox ARGS`` in this process: (exit code, stdout, stderr)."""
    from sandbox.cli import main

    capsys.readouterr()
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err

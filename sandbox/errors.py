"""The one user-facing error type.

Anything the user can fix (bad flag, missing dataset, malformed profile) is
raised as :class:`SandboxError` with a message that says what is wrong and how
to fix it. The CLI prints it as one line ``error: <message>`` and exits 2;
everything else is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = ["SandboxError"]


class SandboxError(Exception):
    """A problem with the user's input or environment, explained in one line."""

    exit_code: int = 2

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def __str__(self) -> str:  # one line, always
        return " ".join(str(self.args[0]).split())

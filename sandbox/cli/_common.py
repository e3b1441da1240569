"""Small parsing helpers shared by the command modules.

Typer would reject ``--seed zwölf`` with its own English message and a usage
block; numbers are therefore taken as text and checked here, so every bad
number is one line ``Fehler: ...`` with the flag's name.
"""

from __future__ import annotations

from sandbox.errors import SandboxError

__all__ = ["parse_int"]


def parse_int(value: str | None, flag: str, minimum: int) -> int | None:
    """``value`` as a whole number of at least ``minimum`` (``_`` as digit separator allowed); None stays None."""
    if value is None:
        return None
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        raise SandboxError(f"{flag} muss eine ganze Zahl sein, nicht {value!r}") from None
    if number < minimum:
        raise SandboxError(f"{flag} muss mindestens {minimum} sein, nicht {number}")
    return number

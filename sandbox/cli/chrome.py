"""German help chrome and German usage errors for the typer app.

Typer vendors click with its English words hard-coded ("Usage:", "Options",
"Show this message and exit.", "No such option: ..."). A German tool shows
German around its German help texts, so this module sets typer's panel titles,
renames the help option's text and the usage line, and translates click's
usage errors into one German sentence (:func:`usage_error`). Patching is done
once, by :func:`germanize`, before the app builds its click commands.
"""

from __future__ import annotations

import re
from typing import Any, Callable

__all__ = ["germanize", "usage_error", "HELP_TEXT"]

HELP_TEXT = "Diese Hilfe zeigen und beenden."

# click's English usage errors, each turned into a German sentence; {0}, {1} are the captured groups.
_ERRORS: tuple[tuple[str, str], ...] = (
    (r"No such command '(.*)'\.? ?Did you mean (.*)\?", "unbekannter Befehl {0!r}; meinten Sie {1}?"),
    (r"No such command '(.*)'\.?", "unbekannter Befehl {0!r}"),
    (r"No such option: (\S+) \(Possible options: (.*)\)", "unbekannte Option {0}; meinten Sie {1}?"),
    (r"No such option: (\S+) Did you mean (\S+)\?", "unbekannte Option {0}; meinten Sie {1}?"),
    (r"No such option: (\S+)", "unbekannte Option {0}"),
    (r"Missing argument '(.*)'\.?", "es fehlt das Argument {0}"),
    (r"Missing option '(.*)'\.?", "es fehlt die Option {0}"),
    (r"Missing parameter: (.*)", "es fehlt die Angabe {0}"),
    (r"Missing command\.?", "es fehlt ein Befehl"),
    (r"Option '(.*)' requires an argument\.?", "die Option {0} braucht einen Wert"),
    (r"Option '(.*)' requires (\d+) arguments\.?", "die Option {0} braucht {1} Werte"),
    (r"Option '(.*)' does not take a value\.?", "die Option {0} nimmt keinen Wert"),
    (r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", "überzähliges Argument: {0}"),
    (r"Invalid value for (.*?): (.*)", "ungültiger Wert für {0}: {1}"),
    (r"Invalid value: (.*)", "ungültiger Wert: {0}"),
)


def usage_error(message: str) -> str:
    """click's English usage error as one German sentence (unknown wording is kept, flattened to one line)."""
    text = " ".join(message.split())
    for pattern, german in _ERRORS:
        found = re.fullmatch(pattern, text)
        if found:
            return german.format(*(g.strip("'") for g in found.groups()))
    return text


def _german_usage(original: Callable[..., str]) -> Callable[..., str]:
    """Wrap ``Command.get_usage`` so its line reads ``Aufruf: sandbox [OPTIONEN] BEFEHL ...``."""

    def get_usage(self: Any, ctx: Any) -> str:
        text = original(self, ctx)
        for english, german in (("Usage: ", "Aufruf: "), ("[OPTIONS]", "[OPTIONEN]"),
                                ("COMMAND [ARGS]...", "BEFEHL [ARGUMENTE]...")):
            text = text.replace(english, german)
        return text

    return get_usage


# typer's type labels in the help table, in German; a flag (bool) shows none.
_TYPES = {"<str>": "<Text>", "<path>": "<Pfad>", "<int>": "<Zahl>", "<float>": "<Zahl>",
          "<list[str]>": "<Text, mehrfach>", "<bool>": None}


def _german_type(original: Callable[..., str | None]) -> Callable[..., str | None]:
    """Wrap ``display_type_rich`` so the help table names types in German."""

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        label = original(self, ctx)
        return _TYPES.get(label, label) if label is not None else None

    return display_type_rich


def _german_help_option(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``Command.get_help_option`` so ``--help`` is explained in German."""

    def get_help_option(self: Any, ctx: Any) -> Any:
        option = original(self, ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    return get_help_option


def germanize() -> None:
    """Set typer's help chrome to German (idempotent)."""
    from typer import core, rich_utils

    rich_utils.ARGUMENTS_PANEL_TITLE = "Argumente"
    rich_utils.OPTIONS_PANEL_TITLE = "Optionen"
    rich_utils.COMMANDS_PANEL_TITLE = "Befehle"
    rich_utils.ERRORS_PANEL_TITLE = "Fehler"
    rich_utils.DEFAULT_STRING = "[Standard: {}]"
    rich_utils.REQUIRED_LONG_STRING = "[erforderlich]"
    rich_utils.ENVVAR_STRING = "[Umgebungsvariable: {}]"
    rich_utils.DEPRECATED_STRING = "(veraltet) "
    rich_utils.ABORTED_TEXT = "Abgebrochen."
    rich_utils.RICH_HELP = "Hilfe: [blue]'{command_path} {help_option}'[/]"
    command = core._click.core.Command  # type: ignore[attr-defined]
    if not getattr(command, "_sandbox_german", False):
        command.get_usage = _german_usage(command.get_usage)
        command.get_help_option = _german_help_option(command.get_help_option)
        command._sandbox_german = True
        for parameter in (core.TyperArgument, core.TyperOption):
            parameter.display_type_rich = _german_type(parameter.display_type_rich)

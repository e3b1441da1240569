"""Command line: parse, call, print. No logic lives here.

One module per command group, as Kedro splits its ``framework/cli``:
``lab`` (up/down/status), ``data``, ``twin``, ``experiment`` (templates and
experiments), ``compare`` and ``workshop``; this module joins them into one
typer app and turns errors into one line. Heavy libraries are imported inside
the commands, so ``sandbox --help`` answers fast. User errors print one German
line ``Fehler: ...`` and exit 2; Ctrl-C prints one line and exits 130.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

import typer

from sandbox.cli import compare, data, experiment, lab, twin, workshop
from sandbox.cli.chrome import germanize, usage_error
from sandbox.errors import SandboxError

__all__ = ["app", "main"]

germanize()

app = typer.Typer(help="Experimentierraum: synthetische Kommunaldaten, Qualitätsprüfung und Experimente.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
for _group in (lab, compare, data, twin, experiment, workshop):  # help lists commands first, then groups, each in this order
    _group.register(app)


def _click_exceptions() -> tuple[type[BaseException], type[BaseException], type[BaseException]]:
    """(ClickException, NoArgsIsHelpError, Abort) of whichever click typer runs on."""
    try:  # typer >= 0.25 vendors click
        from typer._click.exceptions import ClickException, NoArgsIsHelpError
    except ImportError:  # pragma: no cover - older typer on plain click
        from click.exceptions import ClickException, NoArgsIsHelpError  # type: ignore[no-redef]
    return ClickException, NoArgsIsHelpError, typer.Abort


INTERRUPTED = 130  # exit code of Ctrl-C and SIGTERM


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM or Ctrl-C ends a command: context managers close (runs end KILLED, temp folders go). Further
    signals are ignored from here on, so a kernel's shutdown signal to the process group cannot cut the cleanup."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and turn user errors into one line and exit code 2."""
    click_error, no_args, abort = _click_exceptions()
    main_thread = threading.current_thread() is threading.main_thread()  # signals can only be set there
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    previous_int = signal.signal(signal.SIGINT, _terminate) if main_thread else None
    result: object = None
    try:
        result = app(args=argv, prog_name="sandbox", standalone_mode=False)
    except SandboxError as exc:
        typer.echo(f"Fehler: {exc}", err=True)
        raise SystemExit(exc.exit_code) from None
    except no_args as exc:
        typer.echo(exc.format_message(), err=True)  # type: ignore[attr-defined]
        raise SystemExit(2) from None
    except click_error as exc:
        message = usage_error(exc.format_message())  # type: ignore[attr-defined]
        typer.echo(f"Fehler: {message} (Hilfe: sandbox --help)", err=True)
        raise SystemExit(2) from None
    except (abort, KeyboardInterrupt):
        result = INTERRUPTED
    finally:
        if main_thread and result != INTERRUPTED:
            signal.signal(signal.SIGTERM, previous)
            signal.signal(signal.SIGINT, previous_int)
    if result == INTERRUPTED:  # typer turns Ctrl-C into a silent exit code 130
        if main_thread:  # the command is over: a second signal (a kernel's shutdown sends one) must not cut the exit
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        typer.echo("Abgebrochen; nichts wurde halb geschrieben.", err=True)
        if argv is None and main_thread:  # the console command: everything is closed, end the process now
            _exit_now(INTERRUPTED)
    raise SystemExit(result if isinstance(result, int) else 0)


def _exit_now(code: int) -> None:
    """End an interrupted command's process with ``code`` without interpreter shutdown: shutdown collects an
    abandoned notebook client's event loop, which puts Python's SIGINT handler back, and a late SIGINT from
    a kernel's shutdown then ends the process by signal instead of with 130 (seen under load in CI)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

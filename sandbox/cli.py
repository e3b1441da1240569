"""Command line: parse, call, print. No logic lives here.

Heavy libraries are imported inside the commands, so ``sandbox --help``
answers fast. User errors print one line ``error: ...`` and exit 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from sandbox.config import DEFAULT_PROFILE, DEFAULT_SEED
from sandbox.errors import SandboxError

__all__ = ["app", "main"]

app = typer.Typer(help="Experimentierraum: synthetische Kommunaldaten, Qualitätsprüfung und Experimente.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
data_app = typer.Typer(help="Synthetische Datensätze erzeugen, auflisten und beschreiben.", no_args_is_help=True)
app.add_typer(data_app, name="data")


def _int(value: str | None, flag: str, minimum: int) -> int | None:
    if value is None:
        return None
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        raise SandboxError(f"{flag} must be a whole number, got {value!r}") from None
    if number < minimum:
        raise SandboxError(f"{flag} must be at least {minimum}, got {number}")
    return number


@data_app.command("generate")
def data_generate(
    profile: str = typer.Option(DEFAULT_PROFILE, help="Profilname (musterstadt, landkreis, sachsen) oder Pfad zu einer YAML-Datei."),
    seed: str = typer.Option(str(DEFAULT_SEED), help="Zufallsstartwert (ganze Zahl >= 0)."),
    population: Optional[str] = typer.Option(None, help="Einwohnerzahl, auf die das Profil skaliert wird."),
    out: Optional[Path] = typer.Option(None, help="Zielordner (Standard: synthetic_data/generated/<profil>-s<seed>)."),
    format: str = typer.Option("parquet", "--format", help="parquet oder csv (deutsches Excel)."),
    force: bool = typer.Option(False, help="Einen vorhandenen Zielordner ersetzen."),
) -> None:
    """Einen synthetischen Datensatz erzeugen."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from sandbox.synth.profile import check_population
    from sandbox.synth.writer import generate_dataset

    seed_value = _int(seed, "--seed", 0)
    pop = _int(population, "--population", -sys.maxsize)
    if pop is not None:
        check_population(pop)
    with Progress(TextColumn("{task.description:<18}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task("Vorbereitung", total=None)

        def progress(table: str, index: int, total: int) -> None:
            bar.update(task, description=table or "fertig", completed=index, total=total)

        path = generate_dataset(profile, int(seed_value or 0), pop, out, format, force, progress=progress)
    typer.echo(f"Datensatz geschrieben: {path}")
    typer.echo(f"Datenkarte: {path / 'DATENKARTE.md'}")


@data_app.command("list")
def data_list() -> None:
    """Profile und erzeugte Datensätze auflisten."""
    from rich.console import Console
    from rich.table import Table

    from sandbox.datasets import list_datasets
    from sandbox.synth.profile import available_profiles, load_profile

    console = Console()
    profiles = Table("Profil", "Titel", "Einwohner", title="Profile")
    for name in available_profiles():
        prof = load_profile(name)
        profiles.add_row(name, prof.title, f"{prof.population:,}".replace(",", "."))
    console.print(profiles)
    found = Table("Datensatz", "Profil", "Seed", "Einwohner", "Format", "Prüfsumme", title="Erzeugte Datensätze")
    for ds in list_datasets():
        m = ds.manifest
        found.add_row(ds.path.name, m["profile"], str(m["seed"]), f"{m['population']:,}".replace(",", "."), m["format"], m["digest"][:12])
    console.print(found if found.row_count else "Noch keine Datensätze erzeugt: sandbox data generate")


@data_app.command("describe")
def data_describe(table: str = typer.Argument(..., help="Name der Tabelle, z. B. einwohner.")) -> None:
    """Spalten, Typen und Regeln einer Tabelle zeigen."""
    from rich.console import Console
    from rich.markdown import Markdown

    from sandbox.synth import TABLES
    from sandbox.synth.datacard import column_table

    if table not in TABLES:
        raise SandboxError(f"unknown table {table!r}; known tables: {', '.join(TABLES)}")
    schema = TABLES[table].TABLE
    text = [f"# {schema.name}", "", schema.description, ""]
    if schema.primary_key:
        text += [f"Schlüssel: `{schema.primary_key}`", ""]
    if schema.method:
        text += [f"*Erzeugung:* {schema.method}", ""]
    Console().print(Markdown("\n".join(text + column_table(schema))))


@app.command("up")
def up() -> None:
    """Die Sandbox starten (erzeugt den Standarddatensatz, falls er fehlt)."""
    from sandbox.services import ensure_default_dataset

    path, created = ensure_default_dataset()
    typer.echo(("Standarddatensatz erzeugt: " if created else "Standarddatensatz vorhanden: ") + str(path))
    typer.echo(f"Datenkarte: {path / 'DATENKARTE.md'}")
    typer.echo('In Python: from sandbox import datasets; ds = datasets.open("musterstadt")')


def _click_exceptions() -> tuple[type[BaseException], type[BaseException], type[BaseException]]:
    """(ClickException, NoArgsIsHelpError, Abort) of whichever click typer runs on."""
    try:  # typer >= 0.25 vendors click
        from typer._click.exceptions import ClickException, NoArgsIsHelpError
    except ImportError:  # pragma: no cover - older typer on plain click
        from click.exceptions import ClickException, NoArgsIsHelpError  # type: ignore[no-redef]
    return ClickException, NoArgsIsHelpError, typer.Abort


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and turn user errors into one line and exit code 2."""
    click_error, no_args, abort = _click_exceptions()
    try:
        result = app(args=argv, prog_name="sandbox", standalone_mode=False)
    except SandboxError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(exc.exit_code) from None
    except no_args as exc:
        typer.echo(exc.format_message(), err=True)  # type: ignore[attr-defined]
        raise SystemExit(2) from None
    except click_error as exc:
        message = " ".join(exc.format_message().split())  # type: ignore[attr-defined]
        typer.echo(f"error: {message} (see 'sandbox --help')", err=True)
        raise SystemExit(2) from None
    except (abort, KeyboardInterrupt):
        typer.echo("error: interrupted; nothing was half-written", err=True)
        raise SystemExit(130) from None
    raise SystemExit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()

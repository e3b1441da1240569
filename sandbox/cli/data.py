"""``sandbox data ...``: generate, list, describe, check, privacy, realism and load datasets.

Parse, call, print: the work is done by ``sandbox.synth``, ``sandbox.quality``
and ``sandbox.datasets``, imported inside each command so ``--help`` stays fast.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Optional

import typer

from sandbox.cli._common import parse_int
from sandbox.config import DEFAULT_PROFILE, DEFAULT_SEED
from sandbox.errors import SandboxError
from sandbox.german import count, decimal, integer

__all__ = ["data_app", "register"]

data_app = typer.Typer(help="Synthetische Datensätze erzeugen, auflisten und beschreiben.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``data`` group to ``app``."""
    app.add_typer(data_app, name="data")


@data_app.command("generate")
def data_generate(
    profile: str = typer.Option(DEFAULT_PROFILE, help="Profilname (musterstadt, landkreis, sachsen) oder Pfad zu einer YAML-Datei."),
    seed: str = typer.Option(str(DEFAULT_SEED), help="Zufallsstartwert (ganze Zahl >= 0)."),
    population: Optional[str] = typer.Option(None, help="Einwohnerzahl, auf die das Profil skaliert wird."),
    out: Optional[Path] = typer.Option(None, help="Zielordner (Standard: synthetic_data/generated/<profil>-s<seed>)."),
    format: str = typer.Option("parquet", "--format", help="parquet oder csv (deutsches Excel)."),
    force: bool = typer.Option(False, help="Einen vorhandenen Zielordner ersetzen."),
    check: bool = typer.Option(True, "--check/--no-check", help="Nach dem Erzeugen prüfen (Qualität und Datenschutz, Ergebnis in manifest.json)."),
) -> None:
    """Einen synthetischen Datensatz erzeugen (und prüfen, außer mit --no-check)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from sandbox.synth.profile import check_population
    from sandbox.synth.writer import generate_dataset

    seed_value = parse_int(seed, "--seed", 0)
    pop = parse_int(population, "--population", -sys.maxsize)
    if pop is not None:
        check_population(pop)
    with Progress(TextColumn("{task.description:<18}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task("Vorbereitung", total=None)

        def progress(table: str, index: int, total: int) -> None:
            bar.update(task, description=table or "fertig", completed=index, total=total)

        gate = None
        if check:
            from sandbox.quality import GenerationGate

            gate = GenerationGate(profile, announce=lambda: bar.update(task, description="Qualitätsprüfung"))
        path = generate_dataset(profile, int(seed_value or 0), pop, out, format, force, progress=progress,
                                finalize=gate)
    typer.echo(f"Datensatz geschrieben: {path}")
    typer.echo(f"Datenkarte: {path / 'DATENKARTE.md'}")
    if gate is not None and gate.report is not None:
        for line in gate.report.lines()[-1:] + ["FEHLER " + f.line() for f in gate.report.failures]:
            typer.echo(line)
        typer.echo(f"Datenschutz: {gate.privacy.headline()}; Bericht: sandbox data privacy {path}")
        if gate.realism is not None:
            typer.echo(f"{gate.realism.headline()}; Bericht: {path / 'realismus.html'}")
        typer.echo(f"Data Docs (HTML): sandbox data check {path}")
        raise typer.Exit(gate.report.exit_code)


def _data_input(dataset: Optional[str], table_file: Optional[Path], as_table: Optional[str]) -> Path:
    """The dataset folder to check, after checking that DIR, --table and --as fit together."""
    from sandbox.datasets import resolve

    if table_file is None and as_table is None:
        return resolve(dataset)
    if table_file is None or as_table is None:
        raise SandboxError("--table DATEI und --as TABELLE gehören zusammen, z. B. --table einwohner.csv --as einwohner")
    if dataset is not None:
        raise SandboxError("entweder einen Datensatz oder --table DATEI --as TABELLE angeben, nicht beides")
    return table_file


@contextlib.contextmanager
def _progress_on_stderr() -> Iterator[Callable[[str, int, int], None] | None]:
    """A German progress bar on stderr while a command works; None (silence) when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Vorbereitung", total=None)

        def progress(step: str, index: int, total: int) -> None:
            bar.update(task, description=step[:60], completed=index, total=total or None)

        yield progress


@data_app.command("check")
def data_check(
    dataset: Optional[str] = typer.Argument(None, help="Datensatz: Profilname, Ordnername oder Pfad (Standard: musterstadt)."),
    table_file: Optional[Path] = typer.Option(None, "--table", help="Eigene Datei (CSV oder Parquet) statt eines erzeugten Datensatzes."),
    as_table: Optional[str] = typer.Option(None, "--as", help="Standardtabelle, gegen deren Schema die Datei geprüft wird, z. B. einwohner."),
    docs: bool = typer.Option(True, "--docs/--no-docs", help="Data Docs (HTML) schreiben: <datensatz>/qualitaet/, bei --table <datei>_qualitaet/ neben der Datei."),
) -> None:
    """Daten prüfen (Great Expectations): Schema, Schlüssel, Beziehungen, Verteilungen. Exit 1 bei Abweichungen."""
    from rich.console import Console

    from sandbox.quality import check_dataset, check_extract

    target = _data_input(dataset, table_file, as_table)
    with _progress_on_stderr() as progress:
        if as_table is None:
            report = check_dataset(target, docs=docs, progress=progress)
        else:
            report = check_extract(target, as_table, docs=docs, progress=progress)
    Console().print(report.rich_table())
    for line in report.lines():
        typer.echo(line)
    raise typer.Exit(report.exit_code)


@data_app.command("privacy")
def data_privacy(
    dataset: Optional[str] = typer.Argument(None, help="Datensatz: Profilname, Ordnername oder Pfad (Standard: musterstadt)."),
    table_file: Optional[Path] = typer.Option(None, "--table", help="Eigene Datei (CSV oder Parquet), z. B. ein Auszug aus dem Melderegister."),
    as_table: Optional[str] = typer.Option(None, "--as", help="Standardtabelle der Datei, z. B. einwohner."),
) -> None:
    """Datenschutzbericht: Herkunft, k-Anonymität, l-Diversität, Namen in Freitexten. Exit 1 bei Fundstellen."""
    from rich.console import Console

    from sandbox.quality import assess_extract, privacy_dataset
    from sandbox.quality.privacy_text import privacy_lines, privacy_table

    target = _data_input(dataset, table_file, as_table)
    report = privacy_dataset(target) if as_table is None else assess_extract(target, as_table)
    Console().print(privacy_table(report))
    for line in privacy_lines(report):
        typer.echo(line)
    raise typer.Exit(report.exit_code)


@data_app.command("realism")
def data_realism(
    dataset: Optional[str] = typer.Argument(None, help="Datensatz: Profilname, Ordnername oder Pfad (Standard: musterstadt)."),
) -> None:
    """Mit amtlichen Zahlen vergleichen (Altersaufbau, Familienstand, Haushalte, Herkunft, Namen). Exit 1 bei Abweichungen."""
    from rich.console import Console

    from sandbox.datasets import resolve
    from sandbox.quality.realism import realism_dataset, write_files

    folder = resolve(dataset)
    report = realism_dataset(folder)
    json_path, html_path = write_files(report, folder)
    Console(width=max(Console().width, 160)).print(report.rich_table())
    for row in report.failures:
        title, value, ref, tol, _, _ = row.cells()
        typer.echo(f"ABWEICHUNG {title}: {value} statt {ref} ({tol})")
    typer.echo(report.headline())
    typer.echo(f"Bericht (ohne Internet lesbar): {html_path}; Daten: {json_path}")
    raise typer.Exit(report.exit_code)


@data_app.command("export")
def data_export(
    dataset: Optional[str] = typer.Argument(None, help="Datensatz: Profilname, Ordnername oder Pfad (Standard: musterstadt)."),
    format: str = typer.Option("xlsx", "--format", help="xlsx (Codes wie PLZ, AGS, LeiKa als Text) oder csv (deutsches Excel)."),
    tables: Optional[str] = typer.Option(None, "--tables", help="Nur diese Tabellen, durch Komma getrennt, z. B. einwohner,anschriften."),
    datum: str = typer.Option("iso", "--datum", help="Datumsschreibweise: iso (JJJJ-MM-TT) oder deutsch (TT.MM.JJJJ)."),
    out: Optional[Path] = typer.Option(None, help="Zielordner (Standard: <datensatz>/export)."),
) -> None:
    """Tabellen für Excel und LibreOffice exportieren: eine Datei je Tabelle, führende Nullen bleiben erhalten."""
    from sandbox.datasets import resolve
    from sandbox.datasets.export import export_dataset

    folder = resolve(dataset)
    names = tables.split(",") if tables is not None else None

    with _progress_on_stderr() as progress:
        paths = export_dataset(folder, format, out, names, datum, progress=progress)
    typer.echo(f"{count(len(paths), 'Datei', 'Dateien')} geschrieben nach {paths[0].parent}")


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
        profiles.add_row(name, prof.title, integer(prof.population))
    console.print(profiles)
    found = Table("Datensatz", "Profil", "Seed", "Einwohner", "Format", "Prüfsumme", title="Erzeugte Datensätze")
    for ds in list_datasets():
        m = ds.manifest
        found.add_row(ds.path.name, m["profile"], str(m["seed"]), integer(m['population']), m["format"], m["digest"][:12])
    console.print(found if found.row_count else "Noch keine Datensätze erzeugt: sandbox data generate")


@data_app.command("describe")
def data_describe(table: str = typer.Argument(..., help="Name der Tabelle, z. B. einwohner.")) -> None:
    """Spalten, Typen und Regeln einer Tabelle zeigen."""
    from rich.console import Console
    from rich.markdown import Markdown

    from sandbox.synth import TABLES
    from sandbox.synth.datacard import column_table

    if table not in TABLES:
        raise SandboxError(f"unbekannte Tabelle {table!r}; Tabellen: {', '.join(TABLES)}")
    schema = TABLES[table].TABLE
    text = [f"# {schema.name}", "", schema.description, ""]
    if schema.primary_key:
        text += [f"Schlüssel: `{schema.primary_key}`", ""]
    if schema.method:
        text += [f"*Erzeugung:* {schema.method}", ""]
    Console().print(Markdown("\n".join(text + column_table(schema))))


@data_app.command("load")
def data_load(
    dataset: str = typer.Argument(DEFAULT_PROFILE, help="Datensatz: Profilname, Ordnername oder Pfad."),
    into: str = typer.Option(..., "--into", help="Ziel-Datenbank, z. B. postgresql://nutzer:passwort@localhost:5432/db."),
    schema: str = typer.Option("synth", "--schema", help="Schema für die Tabellen (wird ersetzt)."),
) -> None:
    """Alle Tabellen eines Datensatzes in PostgreSQL laden (ersetzt das Schema)."""
    from sandbox.datasets.postgres import load_dataset, redact

    result = load_dataset(dataset, into, schema)
    rows = integer(sum(result.rows.values()))
    typer.echo(f"{result.dataset} geladen nach {redact(into)}, Schema {result.schema}: "
               f"{count(len(result.rows), 'Tabelle', 'Tabellen')}, {rows} Zeilen in {decimal(result.seconds, 1)} s")

"""``sandbox templates list`` and ``sandbox experiment new/run/list/score``.

Parse, call, print: templates, experiment folders and runs live in
``sandbox.experiments``, scorecards in ``sandbox.compare.scorecard``; both are
imported inside each command so ``--help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from sandbox.errors import SandboxError

if TYPE_CHECKING:
    from rich.console import Console

    from sandbox.experiments.runner import RunResult

__all__ = ["templates_app", "experiment_app", "register"]

templates_app = typer.Typer(help="Experimentvorlagen.", no_args_is_help=True)
experiment_app = typer.Typer(help="Experimente anlegen, ausführen (papermill + MLflow) und auflisten.",
                             no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``templates`` and ``experiment`` groups to ``app``, in this order."""
    app.add_typer(templates_app, name="templates")
    app.add_typer(experiment_app, name="experiment")


@templates_app.command("list")
def templates_list() -> None:
    """Vorlagen mit Fragestellung, Tabellen und Erfolgskriterien zeigen."""
    from rich.console import Console
    from rich.table import Table

    from sandbox.experiments import list_templates

    table = Table("Vorlage", "Titel", "Fragestellung", "Tabellen", "Erfolgskriterien", title="Vorlagen", show_lines=True)
    for t in list_templates():
        table.add_row(t.name, t.title, t.question, ", ".join(t.tables), "\n".join(str(c) for c in t.criteria))
    Console().print(table if table.row_count else "Keine Vorlagen gefunden (Ordner templates/).")
    typer.echo("Neues Experiment: sandbox experiment new NAME --template VORLAGE")


@experiment_app.command("new")
def experiment_new(
    name: str = typer.Argument(..., help="Ordnername des Experiments, z. B. posteingang-pilot."),
    template: str = typer.Option(..., "--template", "-t", help="Vorlage (siehe: sandbox templates list)."),
) -> None:
    """Ein Experiment aus einer Vorlage anlegen: experiments/NAME/."""
    from sandbox.experiments import new_experiment

    exp = new_experiment(name, template)
    typer.echo(f"Experiment angelegt: {exp.path}")
    typer.echo(f"Tragen Sie Hypothese und Team in {exp.path / 'experiment.yaml'} ein, dann: sandbox experiment run {name}")


@experiment_app.command("run")
def experiment_run(
    name: str = typer.Argument(..., help="Name des Experiments (Ordner in experiments/)."),
    param: list[str] = typer.Option([], "--param", "-p", help="Parameter NAME=WERT für diese Läufe (mehrfach)."),
    seeds: Optional[str] = typer.Option(None, help="Seeds, z. B. 1,2,3: ein MLflow-Lauf je Seed."),
    profiles: Optional[str] = typer.Option(None, "--profiles",
                                           help="Auf mehreren Kommunentypen ausführen, z. B. grossstadt,musterstadt,"
                                                "landkreis,landgemeinde (fehlende Datensätze werden erzeugt)."),
    population: Optional[int] = typer.Option(None, "--population",
                                             help="Nur mit --profiles: Einwohnerzahl je Datensatz (kleiner = schneller)."),
) -> None:
    """Das Notebook mit papermill ausführen, ein MLflow-Lauf je Seed."""
    from rich.console import Console

    from sandbox.experiments.params import parse_assignments, parse_seeds
    from sandbox.experiments.runner import execute_plan, plan

    console = Console()
    if profiles is not None:
        _run_on_profiles(console, name, parse_assignments(param), parse_seeds(seeds), profiles, population)
        return
    if population is not None:
        raise SandboxError("--population gilt nur zusammen mit --profiles; sonst den Datensatz mit "
                           "sandbox data generate --population N erzeugen")
    request = plan(name, parse_assignments(param), parse_seeds(seeds))
    console.print(f"Experiment {name}: {len(request.seeds)} Lauf/Läufe auf {request.dataset.path.name}, "
                  f"Tracking: {request.tracking_uri}")
    results = execute_plan(request, lambda seed, i: console.print(f"  Lauf {i + 1}/{len(request.seeds)}: seed {seed} ..."))
    _results_table(console, name, results)


def _run_on_profiles(console: "Console", name: str, params: dict[str, str], seeds: Optional[list[int]],
                     profiles: str, population: Optional[int]) -> None:
    from sandbox.experiments.transfer import parse_profiles, run_on_profiles

    names = parse_profiles(profiles)
    console.print(f"Experiment {name} auf {len(names)} Kommunentypen: {', '.join(names)}")
    done = run_on_profiles(name, names, params, seeds, population,
                           progress=lambda p, seed, i: console.print(f"  {p}: Lauf {i + 1}, seed {seed} ..."))
    results = []
    for runs in done:
        _results_table(console, f"{name} auf {runs.profile} ({runs.dataset})", list(runs.results), check=False)
        results += runs.results
    console.print(f"Übertragbarkeit vergleichen: sandbox compare --transfer {name}")
    _fail_on(results)


def _results_table(console: "Console", title: str, results: list["RunResult"], check: bool = True) -> None:
    from rich.table import Table

    table = Table("Seed", "Status", "Erfolgskriterien", "Dauer", "MLflow-Lauf", title=f"Ergebnisse {title}")
    for r in results:
        shown = "\n".join(f"{'✓' if o.met else '✗'} {o.criterion} (Wert {'-' if o.value is None else f'{o.value:.4g}'})"
                          for o in r.outcomes)
        table.add_row(str(r.seed), r.status, shown or (r.error or ""), f"{r.seconds:.1f} s", r.run_id)
    console.print(table)
    if check:
        _fail_on(results)


def _fail_on(results: list["RunResult"]) -> None:
    failed = [r for r in results if r.status != "FINISHED"]
    if failed:
        first = failed[0]
        raise SandboxError(f"{len(failed)} of {len(results)} runs FAILED; seed {first.seed}: {first.error} "
                           f"(MLflow run {first.run_id} has the executed notebook)", exit_code=1)


@experiment_app.command("list")
def experiment_list() -> None:
    """Experimente mit ihrem letzten Lauf und dessen Erfolgskriterien zeigen."""
    from rich.console import Console
    from rich.table import Table

    from sandbox.experiments import overview

    rows = overview()
    if not rows:
        typer.echo("Noch keine Experimente. Anlegen: sandbox experiment new NAME --template VORLAGE")
        return
    table = Table("Experiment", "Vorlage", "Läufe", "Letzter Lauf", "Erfolgskriterien", title="Experimente")
    table.columns[0].no_wrap = True
    for s in rows:
        last = "noch nicht ausgeführt" if s.status is None else (
            f"{s.status}, seed {s.seed}, {s.started:%Y-%m-%d %H:%M}" if s.started else s.status)
        unmet = [f"✗ {c.name} {c.rule}" for c in s.criteria if not c.met]
        shown = "\n".join([f"{s.met} von {len(s.criteria)} erfüllt", *unmet]) if s.criteria else (s.error or "")
        table.add_row(s.experiment.name, s.experiment.template, str(s.runs), last, shown)
    Console().print(table)


@experiment_app.command("score")
def experiment_score(
    name: str = typer.Argument(..., help="Name des Experiments (wie in: sandbox experiment list)."),
    file: Optional[Path] = typer.Option(None, "--file", help="Bewertung als YAML-Datei statt Fragen im Terminal."),
    print_template: bool = typer.Option(False, "--print-template", help="Eine leere Bewertung (YAML) ausgeben."),
) -> None:
    """Ein Experiment bewerten: sieben Kriterien der Vision, je Note 1-5 mit einer Zeile Begründung."""
    from sandbox.compare import scorecard, transfer_evidence

    if print_template:
        typer.echo(scorecard.blank_yaml(), nl=False)
        return
    if file is not None:
        card = scorecard.read_file(file)
    else:
        scorecard.check_experiment(name)
        typer.echo(f"Bewertung von {name}: Note 1 (schlecht) bis 5 (sehr gut), je eine Zeile Begründung.")
        card = scorecard.interview(lambda question: typer.prompt(question, default="", show_default=False), typer.echo,
                                   transfer_evidence(name))
    from sandbox.compare.fmt import grade

    stored = scorecard.record(name, card)
    typer.echo(f"Bewertung von {stored.evaluator} für {name} gespeichert (Gesamtnote {grade(stored.overall)}, "
               f"MLflow-Lauf {stored.run_id}).")

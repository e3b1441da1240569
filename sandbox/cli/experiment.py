"""``sandbox templates list`` and ``sandbox experiment new/run/list/score``.

Parse, call, print: templates, experiment folders and runs live in
``sandbox.experiments``, scorecards in ``sandbox.compare.scorecard``; both are
imported inside each command so ``--help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from sandbox.errors import SandboxError
from sandbox.german import count, decimal, significant

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
    table.columns[0].no_wrap = True  # the name is what users type: never cut it
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
) -> None:
    """Das Notebook mit papermill ausführen, ein MLflow-Lauf je Seed."""
    from rich.console import Console
    from rich.table import Table

    from sandbox.experiments.params import parse_assignments, parse_seeds
    from sandbox.experiments.runner import execute_plan, plan

    request = plan(name, parse_assignments(param), parse_seeds(seeds))
    console = Console()
    console.print(f"Experiment {name}: {count(len(request.seeds), 'Lauf', 'Läufe')} auf {request.dataset.path.name}, "
                  f"Tracking: {request.tracking_uri}")
    results = execute_plan(request, lambda seed, i: console.print(f"  Lauf {i + 1}/{len(request.seeds)}: Seed {seed} ..."))
    table = Table("Seed", "Status", "Erfolgskriterien", "Dauer", "MLflow-Lauf", title=f"Ergebnisse {name}")
    for r in results:
        shown = "\n".join(f"{'✓' if o.met else '✗'} {o.criterion} (Wert {significant(o.value, 4)})"
                          for o in r.outcomes)
        table.add_row(str(r.seed), r.status, shown or (r.error or ""), f"{decimal(r.seconds, 1)} s", r.run_id)
    console.print(table)
    if any(not o.met for r in results for o in r.outcomes):
        typer.echo(f"Hinweis: nicht erfüllte Erfolgskriterien sind Ziele des Experiments, keine Fehler; warum "
                   f"eine Vorlage sie beim ersten Lauf verfehlen kann, steht in templates/{request.template.name}/README.md.")
    failed = [r for r in results if r.status != "FINISHED"]
    if failed:
        first = failed[0]
        raise SandboxError(f"{len(failed)} von {len(results)} Läufen fehlgeschlagen; Seed {first.seed}: {first.error} "
                           f"(der MLflow-Lauf {first.run_id} enthält das ausgeführte Notebook)", exit_code=1)


@experiment_app.command("list")
def experiment_list() -> None:
    """Experimente mit ihrem letzten Lauf und dessen Erfolgskriterien zeigen."""
    from rich.console import Console
    from rich.table import Table

    from sandbox.experiments import overview

    problems: list[str] = []
    rows = overview(problems=problems)
    for problem in problems:
        typer.echo(f"WARNUNG: {problem}", err=True)
    if not rows:
        typer.echo("Noch keine Experimente. Anlegen: sandbox experiment new NAME --template VORLAGE")
        return
    table = Table("Experiment", "Vorlage", "Läufe", "Letzter Lauf", "Erfolgskriterien", title="Experimente")
    table.columns[0].no_wrap = True
    for s in rows:
        last = "noch nicht ausgeführt" if s.status is None else (
            f"{s.status}, Seed {s.seed}, {s.started:%d.%m.%Y %H:%M}" if s.started else s.status)
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
    from sandbox.compare import scorecard

    if print_template:
        typer.echo(scorecard.blank_yaml(), nl=False)
        return
    if file is not None:
        card = scorecard.read_file(file)
    else:
        scorecard.check_experiment(name)
        typer.echo(f"Bewertung von {name}: Note 1 (schlecht) bis 5 (sehr gut), je eine Zeile Begründung.")
        card = scorecard.interview(lambda question: typer.prompt(question, default="", show_default=False), typer.echo)
    from sandbox.compare.fmt import grade

    stored = scorecard.record(name, card)
    typer.echo(f"Bewertung von {stored.evaluator} für {name} gespeichert (Gesamtnote {grade(stored.overall)}, "
               f"MLflow-Lauf {stored.run_id}).")

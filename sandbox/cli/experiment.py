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
    seeds: Optional[str] = typer.Option(None, help="Seeds, z. B. 1,2,3 oder 1-10: ein MLflow-Lauf je Seed."),
    grid: list[str] = typer.Option([], "--grid", "-g", help="Parameter-Sweep NAME=W1,W2,... (mehrfach: alle "
                                   "Kombinationen)."),
    profiles: Optional[str] = typer.Option(None, "--profiles", help="Kommunen (Profile oder Datensätze), z. B. "
                                           "musterstadt,landkreis: jede Kombination auf jeder."),
    cluster: Optional[str] = typer.Option(None, "--cluster", help="none | local[:N] | tcp://HOST:8786 (Standard: "
                                          "$SANDBOX_DASK_SCHEDULER, sonst ein Lauf hier, mehrere auf einem "
                                          "LocalCluster)."),
    resume: bool = typer.Option(False, "--resume", help="Den letzten gleichen Sweep fortsetzen: fertige Läufe "
                                "überspringen."),
    population: Optional[int] = typer.Option(None, "--population", help="Nur mit --profiles: Einwohnerzahl je "
                                             "erzeugtem Datensatz (kleiner = schneller)."),
) -> None:
    """Das Notebook mit papermill ausführen: ein MLflow-Lauf je Seed, Parametersatz und Profil."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sandbox.experiments.params import parse_assignments, parse_grid, parse_list, parse_seeds
    from sandbox.experiments.runner import execute_plan, plan

    from sandbox.experiments.transfer import datasets_for

    labels = parse_list(profiles, "--profiles")
    assignments = parse_assignments(param)
    if labels and "datensatz" in assignments:
        raise SandboxError("Datensatz entweder mit --profiles oder mit --param datensatz=... angeben, nicht beides")
    if population is not None and labels is None:
        raise SandboxError("--population gilt nur zusammen mit --profiles; sonst den Datensatz mit "
                           "sandbox data generate --population N erzeugen")
    request = plan(name, assignments, parse_seeds(seeds), grid=parse_grid(grid),
                   profiles=datasets_for(labels, population) if labels else None, cluster=cluster)
    console = Console()
    total = len(request.points)
    data = ", ".join(ds.path.name for ds in request.datasets.values())
    console.print(f"Experiment {name}: {count(total, 'Lauf', 'Läufe')} auf {data}, {request.cluster.describe()}, "
                  f"Tracking: {request.tracking_uri}")
    if request.cluster.kind == "remote" and not request.tracking_uri.startswith(("http://", "https://")):
        console.print("Hinweis: Die Worker schreiben in diese lokale MLflow-Ablage; das geht nur, wenn alle denselben "
                      "Ordner sehen. Sonst MLFLOW_TRACKING_URI=http://... setzen.")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as bar:
        job = bar.add_task("Läufe", total=total)
        results = execute_plan(
            request, lambda r, done, _: bar.update(job, completed=done, description=f"Läufe (zuletzt {r.status})"),
            resume=resume, on_ready=lambda link: link and console.print(f"Dask-Dashboard: {link}"))
    _print_results(console, name, results, sweep=len(request.datasets) > 1 or bool(request.grid))
    if any(not o.met for r in results for o in r.outcomes):
        typer.echo(f"Hinweis: nicht erfüllte Erfolgskriterien sind Ziele des Experiments, keine Fehler; warum "
                   f"eine Vorlage sie beim ersten Lauf verfehlen kann, steht in templates/{request.template.name}/README.md.")
    if len(request.datasets) > 1:
        console.print(f"Übertragbarkeit vergleichen: sandbox compare --transfer {name}")
    failed = [r for r in results if r.status != "FINISHED"]
    if failed:
        first = failed[0]
        where = first.coords.label() if first.coords else f"seed {first.seed}"
        raise SandboxError(f"{len(failed)} von {len(results)} Läufen fehlgeschlagen; {where}: {first.error} "
                           f"(der MLflow-Lauf {first.run_id} enthält das ausgeführte Notebook)", exit_code=1)


def _print_results(console: object, name: str, results: list, sweep: bool) -> None:
    from rich.table import Table

    table = Table("Seed", *(["Koordinaten"] if sweep else []), "Status", "Erfolgskriterien", "Dauer", "MLflow-Lauf",
                  title=f"Ergebnisse {name}")
    for r in results:
        shown = "\n".join(f"{'✓' if o.met else '✗'} {o.criterion} (Wert {significant(o.value, 4)})"
                          for o in r.outcomes)
        coords = [r.coords.label().split(";", 1)[1]] if sweep and r.coords else ([""] if sweep else [])
        table.add_row(str(r.seed), *coords, r.status, shown or (r.error or ""), f"{decimal(r.seconds, 1)} s", r.run_id)
    console.print(table)  # type: ignore[attr-defined]


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
    """Ein Experiment bewerten: sieben Kriterien der Vision, je Note 1-5 mit einer Zeile Begründung.

    Die Bewertung liegt getrennt von den Läufen im MLflow-Experiment „Bewertungen · NAME“.
    """
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
               f"MLflow-Lauf {stored.run_id} im Experiment „{stored.home}“).")

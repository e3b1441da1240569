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
    check: bool = typer.Option(True, "--check/--no-check", help="Nach dem Erzeugen prüfen (Qualität und Datenschutz, Ergebnis in manifest.json)."),
) -> None:
    """Einen synthetischen Datensatz erzeugen (und prüfen, außer mit --no-check)."""
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
        typer.echo(f"Data Docs (HTML): sandbox data check {path}")
        raise typer.Exit(gate.report.exit_code)


def _data_input(dataset: Optional[str], table_file: Optional[Path], as_table: Optional[str]) -> Path:
    """The dataset folder to check, after checking that DIR, --table and --as fit together."""
    from sandbox.datasets import resolve

    if table_file is None and as_table is None:
        return resolve(dataset)
    if table_file is None or as_table is None:
        raise SandboxError("--table FILE and --as TABLE go together, e.g. --table einwohner.csv --as einwohner")
    if dataset is not None:
        raise SandboxError("give either a dataset or --table FILE --as TABLE, not both")
    return table_file


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
    if as_table is None:
        report = check_dataset(target, docs=docs)
    else:
        report = check_extract(target, as_table, docs=docs)
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


@data_app.command("load")
def data_load(
    dataset: str = typer.Argument(DEFAULT_PROFILE, help="Datensatz: Profilname, Ordnername oder Pfad."),
    into: str = typer.Option(..., "--into", help="Ziel-Datenbank, z. B. postgresql://nutzer:passwort@localhost:5432/db."),
    schema: str = typer.Option("synth", "--schema", help="Schema für die Tabellen (wird ersetzt)."),
) -> None:
    """Alle Tabellen eines Datensatzes in PostgreSQL laden (ersetzt das Schema)."""
    from sandbox.workshop.database import load_dataset, redact

    result = load_dataset(dataset, into, schema)
    rows = f"{sum(result.rows.values()):,}".replace(",", ".")
    typer.echo(f"{result.dataset} geladen nach {redact(into)}, Schema {result.schema}: "
               f"{len(result.rows)} Tabellen, {rows} Zeilen in {result.seconds:.1f} s")


@app.command("up")
def up(
    detach: bool = typer.Option(False, "--detach", help="Im Hintergrund starten; beenden mit: sandbox down."),
    jupyter_port: str = typer.Option("8888", "--jupyter-port", help="Port für JupyterLab."),
    mlflow_port: str = typer.Option("5000", "--mlflow-port", help="Port für den MLflow-Tracking-Server."),
) -> None:
    """Die Sandbox starten: Standarddatensatz (falls er fehlt), MLflow und JupyterLab."""
    from sandbox import services

    ports = int(_int(jupyter_port, "--jupyter-port", 1) or 0), int(_int(mlflow_port, "--mlflow-port", 1) or 0)
    services.preflight(*ports)
    path, created = services.ensure_default_dataset()
    typer.echo(("Standarddatensatz erzeugt: " if created else "Standarddatensatz vorhanden: ") + str(path))
    typer.echo(f"Datenkarte: {path / 'DATENKARTE.md'}")
    typer.echo("MLflow und JupyterLab starten ...")
    sandbox = services.start(*ports, detach=detach)
    typer.echo(f"MLflow:     {sandbox.services['mlflow'].url}")
    typer.echo(f"JupyterLab: {sandbox.services['jupyterlab'].url}")
    typer.echo('In Python: from sandbox import datasets, tracking; ds = datasets.open("musterstadt")')
    if detach:
        typer.echo("Läuft im Hintergrund. Anzeigen: sandbox status; beenden: sandbox down")
        return
    typer.echo("Strg+C beendet beide.")
    services.serve(sandbox)
    typer.echo("Sandbox gestoppt.")


@app.command("down")
def down() -> None:
    """Die Sandbox beenden (auch eine mit --detach gestartete)."""
    from sandbox import services
    from sandbox.config import workspace

    stopped = services.stop()
    if stopped is None:
        typer.echo(f"Keine Sandbox aktiv in {workspace()}.")
    elif not any(s.running for s in stopped):
        typer.echo("Keine Sandbox aktiv; veralteten Zustand entfernt.")
    else:
        typer.echo("Gestoppt: " + ", ".join(f"{s.title} (Port {s.port})" for s in stopped if s.running))


@app.command("status")
def status() -> None:
    """Zeigen, was wo läuft (JupyterLab-Adresse mit Token)."""
    from sandbox import services

    found, uri = services.status()
    for s in found:
        if s.running:
            typer.echo(f"{s.title:<11} läuft        {s.url}  (Port {s.port}, PID {s.pid}, Log {s.log})")
        else:
            typer.echo(f"{s.title:<11} nicht aktiv")
    typer.echo(f"Tracking:   {uri}")


templates_app = typer.Typer(help="Experimentvorlagen.", no_args_is_help=True)
experiment_app = typer.Typer(help="Experimente anlegen, ausführen (papermill + MLflow) und auflisten.",
                             no_args_is_help=True)
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
) -> None:
    """Das Notebook mit papermill ausführen, ein MLflow-Lauf je Seed."""
    from rich.console import Console
    from rich.table import Table

    from sandbox.experiments.params import parse_assignments, parse_seeds
    from sandbox.experiments.runner import execute_plan, plan

    request = plan(name, parse_assignments(param), parse_seeds(seeds))
    console = Console()
    console.print(f"Experiment {name}: {len(request.seeds)} Lauf/Läufe auf {request.dataset.path.name}, "
                  f"Tracking: {request.tracking_uri}")
    results = execute_plan(request, lambda seed, i: console.print(f"  Lauf {i + 1}/{len(request.seeds)}: seed {seed} ..."))
    table = Table("Seed", "Status", "Erfolgskriterien", "Dauer", "MLflow-Lauf", title=f"Ergebnisse {name}")
    for r in results:
        shown = "\n".join(f"{'✓' if o.met else '✗'} {o.criterion} (Wert {'-' if o.value is None else f'{o.value:.4g}'})"
                          for o in r.outcomes)
        table.add_row(str(r.seed), r.status, shown or (r.error or ""), f"{r.seconds:.1f} s", r.run_id)
    console.print(table)
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


@app.command("compare")
def compare(
    names: list[str] = typer.Argument(..., help="Experimente oder Läufe (Name, Laufname oder Lauf-ID); das erste ist die Basis."),
    out: Optional[str] = typer.Option(None, "--out", "-o", help="Zieldatei (Standard: vergleich-<namen>.<format>); - schreibt auf die Standardausgabe."),
    format: str = typer.Option("html", "--format", help="html (eine Datei mit Diagrammen), md oder json."),
    allow_different_metrics: bool = typer.Option(False, "--allow-different-metrics",
                                                 help="Auch ohne gemeinsame Metrik: nur Erfolgskriterien, Bewertung und Aufwand vergleichen."),
) -> None:
    """Experimente nebeneinander vergleichen: Metriken mit Konfidenzintervallen, Erfolgskriterien, Bewertung, Aufwand."""
    from sandbox.compare import compare as run_compare

    result = run_compare(names, out, format, allow_different_metrics)
    if result.path is None:
        typer.echo(result.text, nl=False)
        return
    for note in result.comparison.notices:
        if note.level == "hoch":
            typer.echo(f"WARNUNG: {note.text}", err=True)
    for line in result.comparison.summary:
        typer.echo(f"- {line}")
    typer.echo(f"Bericht: {result.path}")


workshop_app = typer.Typer(help="Workshop: eine isolierte JupyterLab-Sandbox je Teilnehmer/in (Docker-API).",
                           no_args_is_help=True)
app.add_typer(workshop_app, name="workshop")
_WORKSHOP_NAME = typer.Option("workshop", "--name", help="Name des Workshops (Präfix aller Container und Volumes).")


def _size(value: int | None) -> str:
    return "-" if value is None else f"{value / 2**20:,.0f} MiB".replace(",", ".")


@workshop_app.command("start")
def workshop_start(
    participants: str = typer.Option(..., "--participants", "-n", help="Anzahl der Teilnehmenden (1-99)."),
    image: str = typer.Option("experimentierraum:latest", "--image", help="Image der Sandbox (docker build -t ... .)."),
    content: Optional[Path] = typer.Option(None, "--content", help="Ordner mit den Workshop-Notebooks (Standard: die des Images)."),
    cpus: str = typer.Option("1", "--cpus", help="CPU-Kerne je Teilnehmer/in, z. B. 0.5."),
    memory: str = typer.Option("2g", "--memory", help="Arbeitsspeicher je Teilnehmer/in, z. B. 1g oder 768m."),
    pids: str = typer.Option("512", "--pids", help="Höchstzahl an Prozessen je Teilnehmer/in."),
    port_base: str = typer.Option("8900", "--port-base", help="Teilnehmer/in k erhält Port BASIS+k auf 127.0.0.1."),
    tracking_port: str = typer.Option("5050", "--tracking-port", help="Port des gemeinsamen MLflow auf 127.0.0.1."),
    sheet: Optional[Path] = typer.Option(None, "--sheet", help="Zugangsblatt (HTML), Standard: <name>-zugaenge.html."),
    name: str = _WORKSHOP_NAME,
) -> None:
    """Sandboxes starten, warten bis alle antworten, Zugangsblatt schreiben."""
    from sandbox.workshop.access import render_sheet, write_sheet
    from sandbox.workshop.engine import check_name
    from sandbox.workshop.manage import Plan, start
    from sandbox.workshop.participants import Limits, parse_cpus, parse_memory

    limits = Limits(parse_memory(memory), parse_cpus(cpus), int(_int(pids, "--pids", 16) or 0))
    plan = Plan(check_name(name), int(_int(participants, "--participants", 1) or 0), image, content, limits,
                int(_int(port_base, "--port-base", 1024) or 0), int(_int(tracking_port, "--tracking-port", 1024) or 0))
    target = sheet or Path.cwd() / f"{plan.name}-zugaenge.html"
    started = start(plan, say=typer.echo)
    path = write_sheet(target, render_sheet(plan.name, started.seats, started.tracking_url))
    if started.kept:
        typer.echo(f"Arbeitsstand aus einem früheren Start übernommen: {', '.join(started.kept)} "
                   "(frisch beginnen: sandbox workshop stop --purge)")
    for seat in started.seats:
        typer.echo(f"{seat.pid}  {seat.url}")
    typer.echo(f"MLflow: {started.tracking_url}")
    typer.echo(f"{len(started.seats)} Sandboxes bereit in {started.seconds:.0f} s. Zugangsblatt: {path}")


@workshop_app.command("status")
def workshop_status(name: str = _WORKSHOP_NAME) -> None:
    """Je Teilnehmer/in: Adresse mit Token, Zustand, Speicherverbrauch."""
    from rich.console import Console
    from rich.table import Table

    from sandbox.workshop.manage import status

    seats, tracking_url = status(name)
    if not seats:
        typer.echo(f"Kein Workshop {name!r} aktiv. Starten: sandbox workshop start --participants N")
        return
    if all(seat.state == "fehlt" for seat in seats):
        typer.echo(f"Workshop {name!r} ist gestoppt; die Arbeitsstände von {len(seats)} Teilnehmenden sind noch da "
                   "(weiter: sandbox workshop start, löschen: sandbox workshop stop --purge).")
        return
    table = Table("Teilnehmer/in", "Zustand", "Antwortet", "Speicher", "Adresse", title=f"Workshop {name}")
    for seat in seats:
        state = {"running": "läuft", "exited": "beendet", "fehlt": "Container fehlt"}.get(seat.state, seat.state)
        table.add_row(seat.pid, state, "ja" if seat.answers else "nein",
                      f"{_size(seat.memory)} / {_size(seat.memory_limit)}", seat.url or "-")
    Console(width=200).print(table)
    typer.echo(f"MLflow: {tracking_url or 'nicht aktiv'}")
    broken = [s.pid for s in seats if not s.answers]
    if broken:
        typer.echo(f"Nicht erreichbar: {', '.join(broken)}; neu aufsetzen mit: sandbox workshop reset {broken[0]}")


@workshop_app.command("reset")
def workshop_reset(
    participant: str = typer.Argument(..., help="Teilnehmer/in, z. B. 3 oder tn03."),
    name: str = _WORKSHOP_NAME,
) -> None:
    """Inhalt einer Sandbox auf den Ausgangsstand setzen (alte Dateien in backup-DATUM/)."""
    from sandbox.workshop.manage import reset

    seat, backup = reset(name, participant, say=typer.echo)
    typer.echo(f"{seat.pid} zurückgesetzt, läuft: {seat.url}")
    typer.echo(f"Bisherige Dateien liegen im Ordner {backup}/ der Sandbox.")


@workshop_app.command("collect")
def workshop_collect(
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Berichtsdatei (Standard: <name>-ergebnisse.<format>)."),
    format: str = typer.Option("html", "--format", help="html, md oder json."),
    name: str = _WORKSHOP_NAME,
) -> None:
    """Die Läufe aller Teilnehmenden in einem Vergleichsbericht sammeln."""
    from sandbox.compare import compare
    from sandbox.workshop.collect import collect

    collected = collect(name, out, format, compare)
    typer.echo(f"Im Bericht: {', '.join(collected.included)}")
    if collected.missing:
        typer.echo(f"Noch ohne abgeschlossenen Lauf: {', '.join(collected.missing)}")
    typer.echo(f"Bericht: {collected.path}")


@workshop_app.command("stop")
def workshop_stop(
    purge: bool = typer.Option(False, "--purge", help="Auch die Volumes (Arbeitsstände, MLflow) löschen."),
    name: str = _WORKSHOP_NAME,
) -> None:
    """Alle Container des Workshops entfernen; Volumes bleiben (außer mit --purge)."""
    from sandbox.workshop.manage import stop

    containers, volumes = stop(name, purge)
    if not containers and not volumes:
        typer.echo(f"Kein Workshop {name!r} aktiv; nichts zu stoppen.")
        return
    typer.echo(f"Entfernt: {len(containers)} Container" + (f", {len(volumes)} Volumes" if volumes else ""))
    if containers and not purge:
        typer.echo("Volumes mit den Arbeitsständen bleiben; löschen mit: sandbox workshop stop --purge")


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

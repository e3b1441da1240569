"""``sandbox up``, ``down`` and ``status``: the local sandbox (JupyterLab and MLflow).

Parse, call, print: the processes are run by ``sandbox.services``, imported
inside each command so ``--help`` stays fast.
"""

from __future__ import annotations

import typer

from sandbox.cli._common import parse_int

__all__ = ["up", "down", "status", "register"]


def register(app: typer.Typer) -> None:
    """Add ``up``, ``down`` and ``status`` to ``app``, in this order."""
    app.command("up")(up)
    app.command("down")(down)
    app.command("status")(status)


def up(
    detach: bool = typer.Option(False, "--detach", help="Im Hintergrund starten; beenden mit: sandbox down."),
    jupyter_port: str = typer.Option("8888", "--jupyter-port", help="Port für JupyterLab."),
    mlflow_port: str = typer.Option("5000", "--mlflow-port", help="Port für den MLflow-Tracking-Server."),
) -> None:
    """Die Sandbox starten: Standarddatensatz (falls er fehlt), MLflow und JupyterLab."""
    from sandbox import services

    ports = int(parse_int(jupyter_port, "--jupyter-port", 1) or 0), int(parse_int(mlflow_port, "--mlflow-port", 1) or 0)
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

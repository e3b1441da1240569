"""``sandbox workshop start/status/reset/collect/stop``: one sandbox per participant.

Parse, call, print: the containers are run by ``sandbox.workshop`` (docker
SDK), imported inside each command so ``--help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from sandbox.cli._common import parse_int
from sandbox.german import integer

__all__ = ["workshop_app", "register"]

workshop_app = typer.Typer(help="Workshop: eine isolierte JupyterLab-Sandbox je Teilnehmer/in (Docker-API).",
                           no_args_is_help=True)
_WORKSHOP_NAME = typer.Option("workshop", "--name", help="Name des Workshops (Präfix aller Container und Volumes).")


def register(app: typer.Typer) -> None:
    """Add the ``workshop`` group to ``app``."""
    app.add_typer(workshop_app, name="workshop")


def _size(value: int | None) -> str:
    return "-" if value is None else f"{integer(value / 2**20)} MiB"


@workshop_app.command("start")
def workshop_start(
    participants: str = typer.Option(..., "--participants", "-n", help="Anzahl der Teilnehmenden (1-99)."),
    image: str = typer.Option("experimentierraum:latest", "--image", help="Image der Sandbox (docker build -t ... .)."),
    content: Optional[Path] = typer.Option(None, "--content", help="Ordner mit den Workshop-Notebooks (Standard: die des Images)."),
    cpus: str = typer.Option("1", "--cpus", help="CPU-Kerne je Teilnehmer/in, z. B. 0.5."),
    memory: str = typer.Option("2g", "--memory", help="Arbeitsspeicher je Teilnehmer/in, z. B. 1g oder 768m."),
    pids: str = typer.Option("512", "--pids", help="Höchstzahl an Prozessen je Teilnehmer/in."),
    port: str = typer.Option("8443", "--port", help="HTTPS-Port des Proxys, über den alle Teilnehmenden ihre Sandbox "
                             "erreichen (https://HOST:PORT/tnNN/)."),
    host: Optional[str] = typer.Option(None, "--host", help="Name oder Adresse dieses Rechners im Raum (z. B. labor.local): "
                                       "öffnet den Port des Proxys für das Netz und steht in jeder Adresse."),
    bind: Optional[str] = typer.Option(None, "--bind", help="Adresse, auf der der Proxy veröffentlicht wird "
                                       "(Standard 127.0.0.1, mit --host 0.0.0.0)."),
    cert: Optional[Path] = typer.Option(None, "--cert", help="TLS-Zertifikat (PEM) für HOST; ohne: selbst ausgestellt."),
    key: Optional[Path] = typer.Option(None, "--key", help="Privater Schlüssel (PEM) zu --cert."),
    proxy_image: str = typer.Option("localhost/sandbox-proxy:bookworm", "--proxy-image",
                                    help="Image des Proxys (fehlt es, wird es aus Debian-Paketen gebaut)."),
    tracking_port: str = typer.Option("5050", "--tracking-port", help="Port des gemeinsamen MLflow auf 127.0.0.1."),
    sheet: Optional[Path] = typer.Option(None, "--sheet", help="Zugangsblatt (HTML), Standard: <name>-zugaenge.html."),
    name: str = _WORKSHOP_NAME,
) -> None:
    """Sandboxes starten, warten bis alle antworten, Zugangsblatt schreiben."""
    from sandbox.workshop.access import render_sheet, write_sheet
    from sandbox.workshop.engine import check_name
    from sandbox.workshop.manage import Plan, start
    from sandbox.workshop.participants import Limits, parse_address, parse_cpus, parse_memory
    from sandbox.workshop.proxy import read_tls

    limits = Limits(parse_memory(memory), parse_cpus(cpus), int(parse_int(pids, "--pids", 16) or 0))
    address, shown = parse_address(host, bind)
    plan = Plan(check_name(name), int(parse_int(participants, "--participants", 1) or 0), image, content, limits,
                int(parse_int(port, "--port", 1) or 0), int(parse_int(tracking_port, "--tracking-port", 1024) or 0),
                address, shown, proxy_image, read_tls(cert, key))
    target = sheet or Path.cwd() / f"{plan.name}-zugaenge.html"
    started = start(plan, say=typer.echo)
    path = write_sheet(target, render_sheet(plan.name, started.seats, started.tracking_url,
                                            fingerprint=started.fingerprint, own_certificate=plan.tls is not None))
    if started.kept:
        typer.echo(f"Arbeitsstand aus einem früheren Start übernommen: {', '.join(started.kept)} "
                   "(frisch beginnen: sandbox workshop stop --purge)")
    for seat in started.seats:
        typer.echo(f"{seat.pid}  {seat.url}")
    typer.echo(f"MLflow: {started.tracking_url}")
    typer.echo(f"Zertifikat des Proxys (SHA-256): {started.fingerprint}")
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
    format: str = typer.Option("html", "--format", help="html, md, json oder pdf."),
    name: str = _WORKSHOP_NAME,
    allow_different_metrics: bool = typer.Option(False, "--allow-different-metrics",
                                                 help="Auch wenn Teilnehmende verschiedene Vorlagen nutzten: Erfolgskriterien, "
                                                      "Bewertung und Aufwand vergleichen."),
) -> None:
    """Die Läufe aller Teilnehmenden in einem Vergleichsbericht sammeln."""
    from functools import partial

    from sandbox.compare import compare
    from sandbox.workshop.collect import collect

    collected = collect(name, out, format, partial(compare, allow_different_metrics=allow_different_metrics))
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

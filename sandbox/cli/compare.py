"""``sandbox compare A B [C ...]``: experiments or runs side by side.

Parse, call, print: the comparison is built by ``sandbox.compare``, imported
inside the command so ``--help`` stays fast.
"""

from __future__ import annotations

from typing import Optional

import typer

__all__ = ["compare", "register"]


def register(app: typer.Typer) -> None:
    """Add ``compare`` to ``app``."""
    app.command("compare")(compare)


def compare(
    names: Optional[list[str]] = typer.Argument(
        None, help="Experimente oder Läufe (Name, Laufname oder Lauf-ID); das erste ist die Basis. Ein Teil eines "
                   "Experiments: NAME:MERKMAL=WERT[,...] mit den Merkmalen sweep (ID oder neuester), profil, seed "
                   "oder einem Parameter, z. B. mein-pilot:faktor=2,profil=landkreis."),
    out: Optional[str] = typer.Option(None, "--out", "-o", help="Zieldatei (Standard: vergleich-<namen>.<format>); - schreibt auf die Standardausgabe."),
    format: str = typer.Option("html", "--format", help="html (eine Datei mit Diagrammen), md, json oder pdf (braucht Chromium)."),
    allow_different_metrics: bool = typer.Option(False, "--allow-different-metrics",
                                                 help="Auch ohne gemeinsame Metrik: nur Erfolgskriterien, Bewertung und Aufwand vergleichen."),
    transfer: Optional[str] = typer.Option(None, "--transfer", metavar="EXPERIMENT",
                                           help="Übertragbarkeit: die Läufe eines Experiments auf mehreren Kommunentypen "
                                                "(sandbox experiment run EXPERIMENT --profiles ...) vergleichen."),
) -> None:
    """Experimente nebeneinander vergleichen: Metriken mit Konfidenzintervallen, Erfolgskriterien, Bewertung, Aufwand.

    Punkte eines Sweeps vergleichen: sandbox compare mein-pilot:faktor=1 mein-pilot:faktor=2
    """
    from sandbox.compare import compare as run_compare
    from sandbox.errors import SandboxError

    if bool(names) == (transfer is not None):
        raise SandboxError("entweder Experimente nennen (sandbox compare A B) oder --transfer EXPERIMENT, nicht beides")
    result = run_compare(names or [], out, format, allow_different_metrics, transfer)
    if result.path is None:
        typer.echo(result.text, nl=False)
        return
    for note in result.comparison.notices:
        if note.level == "hoch":
            typer.echo(f"WARNUNG: {note.text}", err=True)
    for line in result.comparison.summary:
        typer.echo(f"- {line}")
    typer.echo(f"Bericht: {result.path}")

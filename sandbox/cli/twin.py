"""``sandbox twin ...``: a differentially private twin of an own table, and its domain.

Parse, call, print: the work is done by :mod:`sandbox.twin`, imported inside
each command so ``--help`` stays fast (OpenDP, jax and polars are heavy).
Nothing printed here comes from the extract's values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from sandbox.cli._common import parse_int
from sandbox.errors import SandboxError

__all__ = ["twin_app", "register"]

twin_app = typer.Typer(help="Synthetischer Zwilling einer eigenen Tabelle unter Differential Privacy.",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``twin`` group to ``app``."""
    app.add_typer(twin_app, name="twin")


def _number(value: str | None, flag: str) -> float | None:
    """A decimal number, German (0,5) or English (0.5, 1e-6); None stays None."""
    if value is None:
        return None
    try:
        return float(value.strip().replace(",", "."))
    except ValueError:
        raise SandboxError(f"{flag} muss eine Zahl sein, z. B. 1 oder 0,5") from None


def _names(value: str | None) -> list[str]:
    return [n.strip().lower() for n in (value or "").split(",") if n.strip()]


@twin_app.command("domain")
def twin_domain(
    extract: Path = typer.Argument(..., help="Der Auszug: CSV (deutsches Excel), Parquet oder XLSX."),
    table: Optional[str] = typer.Option(None, "--as", help="Standardtabelle, deren Wertelisten gelten (z. B. einwohner)."),
    drop: Optional[str] = typer.Option(None, help="Spalten, die wegfallen (durch Komma getrennt)."),
    out: Optional[Path] = typer.Option(None, help="Domänendatei, die geschrieben wird (Standard: nur anzeigen)."),
) -> None:
    """Eine Domäne vorschlagen; was aus den Daten stammt, ist markiert und muss vor der Freigabe geprüft werden."""
    import yaml

    from sandbox.twin import DERIVED, suggest_domain

    domain, notes = suggest_domain(extract, table, _names(drop))
    text = ("# Domäne für `sandbox twin create --domain`. Spalten mit herkunft \"" + DERIVED + "\"\n"
            "# stammen aus dem Auszug: prüfen, durch öffentlich bekannte Werte ersetzen, herkunft ändern.\n"
            + yaml.safe_dump(domain.to_mapping(), allow_unicode=True, sort_keys=False))
    if out is None:
        typer.echo(text)
    else:
        if out.exists():
            raise SandboxError(f"{out} gibt es schon; wählen Sie einen anderen Namen, damit nichts überschrieben wird")
        out.write_text(text, encoding="utf-8")
        typer.echo(f"Domäne geschrieben: {out}")
    for note in notes:
        typer.echo(f"Hinweis: {note}", err=True)
    if domain.derived:
        typer.echo(f"Achtung: {len(domain.derived)} Spalten {DERIVED}.", err=True)


@twin_app.command("create")
def twin_create(
    extract: Path = typer.Argument(..., help="Der Auszug: CSV (deutsches Excel), Parquet oder XLSX."),
    table: Optional[str] = typer.Option(None, "--as", help="Standardtabelle, deren Schema und Wertelisten gelten."),
    domain: Optional[Path] = typer.Option(None, help="Eigene Domänendatei (statt --as)."),
    epsilon: str = typer.Option(..., help="Datenschutzbudget ε (> 0; kleiner ist strenger, üblich 0,5 bis 4)."),
    delta: str = typer.Option("0", help="δ (0: reine ε-DP; sonst klein, z. B. 1e-6)."),
    rows: Optional[str] = typer.Option(None, help="Zeilen des Zwillings (Standard: ungefähr wie der Auszug)."),
    out: Optional[Path] = typer.Option(None, help="Zielordner (Standard: synthetic_data/generated/zwilling-...)."),
    mechanism: str = typer.Option("aim", help="aim (Standard) oder mst."),
    drop: Optional[str] = typer.Option(None, help="Spalten, die wegfallen (direkte Kennungen), durch Komma getrennt."),
    target: Optional[str] = typer.Option(None, help="Zielspalte für den Test 'auf dem Zwilling trainiert, echt getestet'."),
    seed: str = typer.Option("0", help="Startwert für Aufteilung, Messungen und das Ziehen der Zeilen."),
    thresholds: Optional[Path] = typer.Option(None, "--schwellen", help="YAML mit eigenen Schwellenwerten des Prüfschritts."),
    override: Optional[str] = typer.Option(None, help="Zwilling trotz 'prüfen'/'nicht freigeben' schreiben; Begründung kommt in den Bericht."),
    force: bool = typer.Option(False, help="Einen vorhandenen Zwilling ersetzen."),
    track: bool = typer.Option(True, "--track/--no-track", help="Lauf in MLflow festhalten (ohne Daten)."),
) -> None:
    """Einen Zwilling erzeugen, messen, prüfen und (bei 'freigeben') schreiben, mit Freigabebericht."""
    from sandbox.german import integer, percent
    from sandbox.twin import TwinRequest, create_twin, load_thresholds

    request = TwinRequest(
        extract=extract, epsilon=_number(epsilon, "--epsilon") or 0.0, table=table, domain=domain,
        delta=_number(delta, "--delta") or 0.0, rows=parse_int(rows, "--rows", 1), out=out, mechanism=mechanism,
        drop=_names(drop), target=target.lower() if target else None, seed=parse_int(seed, "--seed", 0) or 0,
        thresholds=load_thresholds(thresholds), override=override, force=force, track=track)
    result = create_twin(request, progress=lambda message: typer.echo(message, err=True))
    for measure in result.risk:
        typer.echo(f"  {measure.label}: {percent(measure.value)} (Kontrolle {percent(measure.baseline)})")
    typer.echo(f"Entscheidung: {result.verdict}")
    for finding in result.findings:
        typer.echo(f"  {finding.verdict}: {finding.text}")
    typer.echo(f"Freigabebericht: {result.report}")
    if result.dataset is None:
        raise SandboxError(f"Zwilling nicht geschrieben (Entscheidung: {result.verdict}); lesen Sie den Bericht, "
                           "ändern Sie ε oder Domäne, oder übersteuern Sie mit --override \"Begründung\"", exit_code=1)
    typer.echo(f"Zwilling geschrieben: {result.dataset} ({integer(result.rows_twin)} Zeilen)")

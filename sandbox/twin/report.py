"""The release report for the data-protection officer: ``FREIGABEBERICHT.md`` and an offline HTML page.

The report says what went in (columns and row counts, no values), the
budget ε and δ in plain words, mechanism and library versions, every attack
against its control baseline, every utility figure against its naive
baseline, the domain and its origin, the gate's decision with its reasons
and thresholds, an override if one was given, and a neutral paragraph on
GDPR recital 26. It is built only from counts, measures and the declared
domain, never from the extract's values.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Sequence

from sandbox.german import decimal, integer, percent, significant
from sandbox.twin.gate import REASONS, Finding, Thresholds

if TYPE_CHECKING:
    from sandbox.twin.domain import Domain, DomainColumn
    from sandbox.twin.mechanism import Budget
    from sandbox.twin.stats import Measure

__all__ = ["ReportInput", "render_markdown", "render_html", "budget_in_words", "RECITAL_26", "REPORT_MD", "REPORT_HTML"]

REPORT_MD, REPORT_HTML = "FREIGABEBERICHT.md", "FREIGABEBERICHT.html"

RECITAL_26 = (
    "Erwägungsgrund 26 DSGVO: Die Grundsätze des Datenschutzes gelten nicht für anonyme Informationen, also für "
    "Daten, bei denen die betroffene Person nicht oder nicht mehr identifiziert werden kann; dabei sind alle "
    "Mittel zu berücksichtigen, die nach allgemeinem Ermessen wahrscheinlich genutzt werden, etwa Kosten, "
    "Zeitaufwand und verfügbare Technik. Dieser Bericht liefert dafür Messungen: eine mathematische Obergrenze "
    "dafür, wie stark ein einzelner Datensatz den Zwilling beeinflussen kann (Differential Privacy), und die "
    "Erfolgsquoten bekannter Angriffe gegenüber einer Kontrollgruppe. Er stellt nicht fest, ob der Zwilling im "
    "Rechtssinn anonym ist, ob eine Rechtsgrundlage für die Erzeugung besteht oder welche weiteren Daten "
    "einem Angreifer zur Verfügung stehen. Diese Bewertung trifft die verantwortliche Stelle mit ihrer oder "
    "ihrem Datenschutzbeauftragten. Der Bericht ist keine Rechtsberatung."
)


@dataclass
class ReportInput:
    """Everything the report shows, none of it a value of the extract."""

    table: str
    source: str  # German: "Standardschema einwohner" or "Domänendatei"
    path_sha256: str
    content_sha256: str
    rows_in: int
    rows_train: int
    rows_control: int
    rows_twin: int
    dropped: Sequence[str]
    domain: "Domain"
    budget: "Budget"
    mechanism: str
    versions: dict[str, str]
    risk: Sequence["Measure"]
    utility: Sequence["Measure"]
    verdict: str
    findings: Sequence[Finding]
    thresholds: Thresholds
    written: bool
    override: str | None = None
    seconds: float | None = None


def budget_in_words(budget: "Budget") -> str:
    """ε and δ explained for a reader who is no statistician."""
    factor = significant(2.718281828459045 ** budget.epsilon)
    text = (f"ε = {decimal(budget.epsilon)} begrenzt, wie sehr ein einzelner Datensatz das Ergebnis verändern kann: "
            f"Ob eine bestimmte Person im Auszug ist oder nicht, ändert die Wahrscheinlichkeit jedes möglichen "
            f"Zwillings höchstens um den Faktor e^ε ≈ {factor}. Kleiner ist strenger.")
    if budget.delta > 0:
        text += (f" δ = {budget.delta:.0e} ist die Wahrscheinlichkeit, mit der diese Grenze ausnahmsweise nicht gilt;"
                 f" OpenDP hat (ε, δ) in ein zCDP-Budget ρ = {significant(budget.rho or 0)} umgerechnet.")
    else:
        text += " δ = 0: Die Grenze gilt ohne Ausnahme (reine ε-Differential-Privacy)."
    return text


def _interval(m: "Measure", low: float | None, high: float | None, value: float | None) -> str:
    fmt = percent if m.key.endswith(("risiko", "anteil", "genauigkeit", "original", "fehler")) else significant
    if value is None:
        return "–"
    return f"{fmt(value)} ({fmt(low)} bis {fmt(high)})"


def _measure_rows(measures: Sequence["Measure"]) -> list[str]:
    rows = ["| Messung | Zwilling (95-%-Intervall) | Vergleich (95-%-Intervall) | Vergleich ist |", "|---|---|---|---|"]
    for m in measures:
        rows.append(f"| {m.label} | {_interval(m, m.low, m.high, m.value)} | "
                    f"{_interval(m, m.baseline_low, m.baseline_high, m.baseline)} | {m.baseline_label} |")
    return rows


def _cells(c: "DomainColumn") -> str:
    if c.kind == "kategorie":
        return f"{len(c.values)} Werte aus der Liste"
    if c.kind == "zahl":
        return f"{len(c.edges) - 1} Klassen zwischen {c.edges[0]:g} und {c.edges[-1]:g}"
    return f"{c.periods} Zeiträume ({c.period}) von {c.start} bis {c.end}"


def _domain_rows(domain: "Domain") -> list[str]:
    rows = ["| Spalte | Art | Zellen | Herkunft |", "|---|---|---|---|"]
    for c in domain.columns:
        cells = _cells(c)
        rows.append(f"| {c.name} | {c.kind} | {cells}{' + leer' if c.nullable else ''} | {c.origin} |")
    return rows


def render_markdown(r: ReportInput) -> str:
    """The report as Markdown (German)."""
    out = [f"# Freigabebericht: synthetischer Zwilling der Tabelle `{r.table}`", "",
           f"**Entscheidung: {r.verdict}.** " + ("Der Zwilling wurde geschrieben." if r.written
                                                 else "Der Zwilling wurde nicht geschrieben."), ""]
    if r.override:
        out += ["## Übersteuerung", "", "Die Entscheidung des Prüfschritts wurde übersteuert. Begründung der "
                f"ausführenden Person: „{r.override}“", ""]
    out += ["## Gründe", ""]
    out += [f"- {f.verdict}: {f.text}" for f in r.findings] or ["- Keine Regel hat angeschlagen."]
    out += ["", "## Was hineinging", "",
            f"- Quelle: {r.source}; Pfad als SHA-256 `{r.path_sha256}`, Inhalt als SHA-256 `{r.content_sha256}`",
            f"- Zeilen im Auszug: {integer(r.rows_in)}; davon für den Zwilling verwendet: {integer(r.rows_train)}; "
            f"zurückgehalten als Kontrollgruppe der Messungen: {integer(r.rows_control)}",
            f"- Spalten im Zwilling: {', '.join(r.domain.names)}",
            f"- Weggelassen (--drop): {', '.join(r.dropped) if r.dropped else 'keine'}",
            f"- Zeilen im Zwilling: {integer(r.rows_twin)}", "",
            "## Datenschutzbudget", "", budget_in_words(r.budget), "",
            f"Verfahren: {r.mechanism.upper()} (OpenDP, `opendp.extras.mbi` auf Private-PGM); Datenschutzeinheit: "
            "eine Zeile. Das Rauschen stammt aus dem kryptografisch sicheren Zufallsgenerator von OpenDP und ist "
            "nicht wiederholbar. Versionen: " + ", ".join(f"{k} {v}" for k, v in r.versions.items()), "",
            "## Angriffe gegen den Zwilling", "",
            "Nach Giomi et al., „A Unified Framework for Quantifying Privacy Risk in Synthetic Data“ (PoPETs 2023): "
            "Jeder Angriff läuft gegen verwendete und gegen zurückgehaltene Datensätze gleicher Zahl. Das Risiko ist "
            "der Erfolg über dem der Kontrollgruppe, (Erfolg − Kontrolle) / (1 − Kontrolle); 0 heißt: der Zwilling "
            "verrät nicht mehr, als man über die Bevölkerung ohnehin raten kann.", "", *_measure_rows(r.risk), "",
            "## Nutzen", "", "Verglichen mit unabhängig gezogenen Spalten aus den echten Randverteilungen (ohne "
            "Rauschen, also ein strenger Maßstab).", "", *_measure_rows(r.utility), "",
            "## Domäne", "", "Die möglichen Werte kommen aus öffentlichem Wissen, nicht aus den Daten. Spalten mit "
            "der Herkunft „aus den Daten abgeleitet“ sind nicht bestätigt; für sie gilt die Garantie nicht.", "",
            *_domain_rows(r.domain), "",
            "## Schwellenwerte des Prüfschritts", "", "| Schwelle | Wert | Begründung |", "|---|---|---|"]
    out += [f"| {f.name} | {getattr(r.thresholds, f.name):g} | {REASONS[f.name]} |" for f in fields(Thresholds)]
    out += ["", "## Einordnung (keine Rechtsberatung)", "", RECITAL_26, ""]
    if r.seconds is not None:
        out += [f"Rechenzeit: {decimal(r.seconds, 1)} s.", ""]
    return "\n".join(out)


_STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
          "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #bbb;padding:.3rem .5rem;"
          "text-align:left;vertical-align:top}th{background:#eee}code{background:#f4f4f4}")


def render_html(markdown: str, title: str) -> str:
    """The Markdown report as one self-contained HTML page (no scripts, no links out)."""
    import mistune

    body = mistune.create_markdown(plugins=["table"], escape=True)(markdown)
    return (f'<!doctype html>\n<html lang="de"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body>\n{body}</body></html>\n")

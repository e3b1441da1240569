"""The privacy report in words: Markdown for the data card, a rich table and lines for the terminal.

Rendering only; the numbers are computed in ``privacy``. German, because
data-protection officers and lab teams read it. Deterministic, because the
data card is hashed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.german import integer, percent
from sandbox.quality.verdict import EXPLANATIONS, judge

if TYPE_CHECKING:
    from rich.table import Table as RichTable

    from sandbox.quality.privacy import Anonymity, PrivacyReport

__all__ = ["privacy_markdown", "privacy_table", "privacy_lines"]




def _row(a: "Anonymity") -> list[str]:
    return [a.name, integer(a.records), integer(a.groups), str(a.k), percent(a.unique_share),
            "–" if a.l is None else str(a.l), percent(a.homogeneous_share)]


def _header(report: "PrivacyReport") -> list[str]:
    sensitive = next((a.sensitive for a in report.anonymity if a.sensitive), None)
    return ["Merkmale", "Datensätze", "Gruppen", "k", "eindeutig", f"l ({sensitive})" if sensitive else "l",
            "homogen"]


def _verdict(report: "PrivacyReport") -> str:
    if report.leaks.hits:
        return (f"**{report.leaks.hits} Freitexte nennen eine Person mit Namen und Geburtsdatum.** "
                "Vor der Verwendung entfernen oder schwärzen.")
    if not report.leaks.columns:
        return "Keine Freitextfelder gefunden."
    cols = ", ".join(f"`{c}`" for c in report.leaks.columns)
    return f"Geprüft: {cols}. Kein Freitext nennt eine Person aus dem Register mit Namen und Geburtsdatum."


def privacy_markdown(report: "PrivacyReport") -> str:
    """The data card's section "Datenschutz"."""
    lines = ["## Datenschutz", "", report.origin, ""]
    if report.synthetic and report.provenance:
        lines += ["Die Herkunft jeder Wortliste steht im Abschnitt „Herkunft der Werte“; die Parameter des Profils "
                  "mit ihren Quellen im Abschnitt „Parameter des Profils“.", ""]
    lines += ["### Wie identifizierend sind Datensätze dieser Struktur?", "",
              "k ist die Zahl der Datensätze in der kleinsten Gruppe mit gleichen Merkmalen (k-Anonymität); "
              "„eindeutig“ ist der Anteil der Datensätze, die ihre Merkmalskombination mit niemandem teilen; "
              "l ist die kleinste Zahl verschiedener Werte des sensiblen Merkmals in einer Gruppe (l-Diversität); "
              "„homogen“ ist der Anteil der Datensätze in Gruppen, deren Mitglieder alle denselben Wert haben: "
              "für sie verrät die Gruppe das sensible Merkmal.", ""]
    if report.synthetic:
        lines += ["Die Personen sind erfunden; eindeutige Datensätze gefährden hier niemanden. Die Zahlen zeigen, "
                  "wie leicht echte Daten dieser Struktur einer Person zuzuordnen wären.", ""]
    if report.anonymity:
        lines += ["| " + " | ".join(_header(report)) + " |", "|---|---:|---:|---:|---:|---:|---:|"]
        lines += ["| " + " | ".join(_row(a)) + " |" for a in report.anonymity]
        lines += ["", "Anteil der Datensätze nach Größe ihrer Gruppe:", "",
                  "| Merkmale | " + " | ".join(report.anonymity[0].sizes) + " |",
                  "|---|" + "---:|" * len(report.anonymity[0].sizes)]
        lines += [f"| {a.name} | " + " | ".join(percent(v) for v in a.sizes.values()) + " |" for a in report.anonymity]
        lines.append("")
    for name, absent in report.missing.items():
        lines.append(f"- {name}: Spalte fehlt: {', '.join(absent)} (ohne sie berechnet)")
    lines += ["", "### Freitext", "", _verdict(report), ""]
    lines += [f"- {s}" for s in report.leaks.samples]
    lines += [f"- Hinweis: {n}" for n in report.notes]
    lines += ["", "### Bewertung", "", judge(report).line().replace("Ergebnis: ", "**Ergebnis:** ", 1), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def privacy_table(report: "PrivacyReport") -> "RichTable":
    from rich.table import Column, Table

    header = _header(report)
    columns = [Column(header[0], no_wrap=True), *(Column(h, justify="right") for h in header[1:])]
    table = Table(*columns, title=f"Datenschutz: {report.source}", title_justify="left")
    for a in report.anonymity:
        table.add_row(*_row(a))
    return table


def _first(sources: str, width: int = 90) -> str:
    """A file's source if it has one, else how many sources its rows name (listed in the data card)."""
    parts = sources.split("; ")
    if len(parts) > 1:
        return f"{len(parts)} Quellen, je Zeile angegeben (Liste: Datenkarte, Abschnitt „Herkunft der Werte“)"
    return parts[0] if len(parts[0]) <= width else parts[0][: width - 1] + "…"


def privacy_lines(report: "PrivacyReport", provenance: bool = True) -> list[str]:
    """Plain lines for the terminal: origin, provenance, group sizes, free text, notes."""
    out = [report.origin]
    if provenance:
        out += [f"  {name}: {_first(source)}" for name, source in report.provenance]
    for a in report.anonymity:
        sizes = ", ".join(f"{label}: {percent(v)}" for label, v in a.sizes.items())
        out.append(f"Gruppengrößen ({a.name}): {sizes}")
    for name, absent in report.missing.items():
        out.append(f"{name}: Spalte fehlt: {', '.join(absent)} (ohne sie berechnet)")
    out.append(("FEHLER " if report.leaks.hits else "") + _verdict(report).replace("**", ""))
    out += [f"  {s}" for s in report.leaks.samples]
    out += [f"nicht lesbar: {e}" for e in report.errors.values()]
    out += [f"Hinweis: {n}" for n in report.notes]
    out += ["So lesen Sie die Zahlen:", *(f"  {e}" for e in EXPLANATIONS)]
    if not report.errors:
        out.append(judge(report).line())
    return out

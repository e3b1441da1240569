"""The German data card (DATENKARTE.md), rendered from schemas, profile and manifest.

Nothing here is written by hand per table: table and column texts come from
the ``Table`` declarations, numbers from the manifest, sources from the
profile and the reference files. The card is deterministic (no clock), so it
hashes the same for the same seed.
"""

from __future__ import annotations

from typing import Any

from sandbox.german import integer
from sandbox.synth import reference
from sandbox.synth.profile import Profile
from sandbox.synth.schema import Table

__all__ = ["render_data_card", "column_table"]


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def column_table(table: Table) -> list[str]:
    """Markdown rows describing a table's columns (also used by `data describe`)."""
    lines = ["| Spalte | Typ | Beschreibung | Regeln |", "|---|---|---|---|"]
    for col in table.columns:
        lines.append(f"| `{col.name}` | {col.type_label} | {_cell(col.description)} | {_cell('; '.join(col.rules()))} |")
    return lines


def _sources() -> list[str]:
    lines = ["| Datei | Quelle |", "|---|---|"]
    for path in reference.reference_files():
        frame = reference.load(path.stem)
        quellen = sorted(set(frame["quelle"])) if "quelle" in frame.columns else ["(ohne Angabe)"]
        lines.append(f"| `reference/{path.name}` | {_cell('; '.join(quellen))} |")
    return lines


def render_data_card(profile: Profile, manifest: dict[str, Any]) -> str:
    from sandbox.synth import TABLES

    fmt = manifest["format"]
    out = [
        f"# Datenkarte: {profile.title}",
        "",
        "**Alle Daten in diesem Ordner sind synthetisch.** Keine einzige Angabe stammt aus einem echten "
        "Register; keine echte Person, kein echter Betrieb ist hier verzeichnet. Namen, Anschriften und "
        "Lebensläufe sind aus Wortlisten und statistischen Verteilungen gezogen. Übereinstimmungen mit "
        "echten Personen sind zufällig.",
        "",
        "## Überblick",
        "",
        f"- Profil: `{manifest['profile']}` ({_cell(profile.raw.get('beschreibung', '')).strip()})",
        f"- Zufallsstartwert (Seed): {manifest['seed']}; gleicher Seed, gleiches Profil und gleiche Version ergeben byte-gleiche Dateien",
        f"- Einwohnerinnen und Einwohner (gemeldet): {integer(manifest['population'])}",
        f"- Stichtag: {manifest['stichtag']}; Meldeereignisse der letzten {profile.ereignisjahre} Jahre",
        f"- Generator-Version: {manifest['generator_version']}; Prüfsumme des Datensatzes: `{manifest['digest'][:16]}…`",
        f"- Format: {fmt}",
        "",
    ]
    if fmt == "csv":
        out += [
            "Die CSV-Dateien folgen dem Format, das ein deutsches Excel direkt öffnet: Trennzeichen Semikolon (`;`), "
            "Kodierung UTF-8 mit Byte-Order-Mark, Dezimalkomma, Datumsangaben als JJJJ-MM-TT, Wahrheitswerte als "
            "WAHR/FALSCH, leere Felder für fehlende Werte.",
            "",
        ]
    out += ["## Tabellen", "", "| Tabelle | Zeilen | Inhalt |", "|---|---:|---|"]
    for name, info in manifest["tables"].items():
        out.append(f"| `{name}` | {integer(info['rows'])} | {_cell(TABLES[name].TABLE.description)} |")
    out.append("")
    for name, info in manifest["tables"].items():
        table = TABLES[name].TABLE
        out += [f"### {name}", "", table.description, ""]
        if table.method:
            out += [f"*Erzeugung:* {table.method}", ""]
        out += [*column_table(table), ""]
    out += ["## Parameter des Profils und ihre Quellen", "", "| Parameter | Quelle |", "|---|---|"]
    for group in profile.groups:
        out.append(f"| `{group}` | {_cell(profile.quelle(group))} |")
    out += ["", "## Herkunft der Werte (Referenzdateien)", "", *_sources(), ""]
    out += [
        "## Grenzen",
        "",
        "- Die Gemeindenamen in den Landkreisen und alle Straßen sind erfunden; Kreisschlüssel, Einwohnerzahlen der Kreise und "
        "Postleitzahlbereiche sind angenähert.",
        "- Familiennamen stammen aus den 3.000 häufigsten deutschen Namen und kurzen Listen je Herkunftssprache; der lange "
        "Schwanz seltener Namen fehlt, Namensgleichheit ist deshalb häufiger als in einem echten Register.",
        "- Gleichgeschlechtliche Ehen und eingetragene Lebenspartnerschaften sind noch nicht belegt (die Schlüssel LP, LV, LA, "
        "LE stehen in der Codeliste).",
        "- Bewohner von Gemeinschaftsunterkünften (Pflegeheime, Wohnheime) erscheinen als Einpersonenhaushalte.",
        "- Das Vorgangsprotokoll ist an Kennzahlen der BPI Challenge 2015 kalibriert (van Dongen 2015, 4TU.ResearchData, "
        "CC BY 4.0: Baugenehmigungen fünf niederländischer Gemeinden, 33 % der Fälle mit wiederholter Aktivität, 14 % mit "
        "Einspruchsverfahren, das die Dauer etwa verdoppelt) und an sächsischen Auskünften zur Dauer von Baugenehmigungen "
        "(drei Monate nach Vollständigkeit); übernommen sind nur Kennzahlen, keine Daten. Die Dauer bis zum Bescheid "
        "reagiert auf die Eingänge des Monats; Urlaub, Feiertage und Krankenstand wirken auf die Widerspruchsverfahren.",
        "- Verteilungen treffen die Profilwerte im Mittel; kleine Gemeinden streuen stärker.",
        "",
    ]
    return "\n".join(out)

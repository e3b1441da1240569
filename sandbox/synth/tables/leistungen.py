"""Table `leistungen`: the municipal services catalogue, keyed by LeiKa-style keys.

The table is the reference file ``reference/leistungen.csv`` with proper
types, published from the process catalogue
(:mod:`sandbox.synth.processes.katalog`) without its process assumptions.
"""

from __future__ import annotations

import pandas as pd

from sandbox.synth.codes import ANTRAGSTELLER
from sandbox.synth.context import Context
from sandbox.synth.processes.katalog import katalog
from sandbox.synth.schema import Column, Table

__all__ = ["TABLE", "generate"]

TABLE = Table(
    name="leistungen",
    description=(
        "Katalog kommunaler Verwaltungsleistungen mit Schlüssel im Stil des Leistungskatalogs (LeiKa), "
        "zuständigem Amt, Gebühr, Online-Angebot und Kurzbeschreibung."
    ),
    primary_key="leika_schluessel",
    method=(
        "Referenzdatei reference/leistungen.csv. Schlüssel im LeiKa-Format (99 und zwölf Ziffern); nicht bestätigte "
        "Schlüssel sind als solche markiert. Online-Anteil, Bearbeitungsdauer und Fallzahl sind Planannahmen, "
        "nach denen die Anträge erzeugt werden."
    ),
    columns=(
        Column("leika_schluessel", "string", "Leistungsschlüssel im Format des LeiKa (99 und 12 Ziffern)",
               unique=True, pattern=r"^99\d{12}$", example="99102013001000"),
        Column("leistung", "string", "Bezeichnung der Leistung", unique=True),
        Column("amt", "string", "zuständiges Amt (Organisationseinheit)"),
        Column("antragsteller", "string", "wer den Antrag stellt: eine Person oder ein Betrieb", allowed=ANTRAGSTELLER),
        Column("gebuehr_eur", "float64", "Regelgebühr in Euro", min=0),
        Column("online_verfuegbar", "bool", "wahr, wenn der Antrag online gestellt werden kann"),
        Column("online_anteil", "float64", "Planannahme: Anteil der Online-Anträge im Stichtagsjahr", min=0, max=1),
        Column("bearbeitungstage_median", "float64", "Planannahme: typische Bearbeitungsdauer in Kalendertagen ohne Wartezeiten", min=0),
        Column("jaehrliche_faelle_je_1000", "float64", "Planannahme: Anträge je 1.000 Einwohner und Jahr (bei anlassbezogenen "
               "Leistungen ergibt sich die Zahl aus Meldeereignissen, Gewerbeanzeigen und Ansprüchen)", min=0),
        Column("schluessel_bestaetigt", "bool", "wahr, wenn der Schlüssel im LeiKa nachgeprüft ist; sonst ein Schlüssel im LeiKa-Format"),
        Column("beschreibung", "string", "kurze Beschreibung in einfacher Sprache"),
        Column("quelle", "string", "Herkunft von Gebühr und Planannahmen"),
    ),
)


def generate(ctx: Context) -> pd.DataFrame:
    services = katalog()
    return services[TABLE.column_names].reset_index(drop=True)

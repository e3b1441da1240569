"""Code lists that more than one table or model uses, declared once.

A table declares a column's allowed values with one of these tuples; the
generators store codes as positions in the tuple and models compare against
``TUPLE.index(label)``. Code lists used by one table only stay beside that
table's schema.
"""

from __future__ import annotations

from sandbox.synth.schema import CodeList

__all__ = [
    "GESCHLECHT",
    "FAMILIENSTAND",
    "RELIGION",
    "WOHNUNGSSTATUS",
    "EREIGNISARTEN",
    "ANTRAGSKANAELE",
    "ANTRAGSSTATUS",
    "ANTRAGSERGEBNISSE",
    "ANTRAGSTELLER",
    "PROZESSTYPEN",
]

#: register events (meldeereignisse.ereignisart); appointments and applications follow them
EREIGNISARTEN = ("Geburt", "Zuzug", "Wegzug", "Umzug", "Eheschließung", "Sterbefall", "Ehescheidung")
#: how an application arrived (antraege.kanal)
ANTRAGSKANAELE = ("online", "vor Ort", "Post", "E-Mail")
#: processing state on the reference day (antraege.status)
ANTRAGSSTATUS = ("offen", "in Bearbeitung", "abgeschlossen", "zurückgezogen")
#: outcome of a closed application (antraege.ergebnis)
ANTRAGSERGEBNISSE = ("bewilligt", "abgelehnt", "zurückgezogen")
#: who applies for a service (leistungen.antragsteller)
ANTRAGSTELLER = ("Person", "Betrieb")
#: process families of the service catalogue (reference/leistungen_prozess.csv)
PROZESSTYPEN = ("sofort", "dokument", "bundesamt", "pruefung", "leistung", "bau")

# XMeld / DSMeld code lists of the register (einwohner): code next to label, declared once
_XMELD = "XMeld/DSMeld-Schlüssel"
#: sex per civil status law (§ 22 Abs. 3 PStG): XMeld codes m, w, d, x
GESCHLECHT = CodeList("Geschlecht", (("m", "männlich"), ("w", "weiblich"), ("d", "divers"), ("x", "ohne Angabe")),
                      _XMELD)
#: marital status (Familienstand), all ten XMeld codes; index = the generator's status number
FAMILIENSTAND = CodeList("Familienstand", (
    ("LD", "ledig"), ("VH", "verheiratet"), ("VW", "verwitwet"), ("GS", "geschieden"), ("EA", "Ehe aufgehoben"),
    ("LP", "in eingetragener Lebenspartnerschaft"), ("LV", "Lebenspartnerschaft durch Tod aufgelöst"),
    ("LA", "Lebenspartnerschaft aufgehoben"), ("LE", "Lebenspartnerschaft durch Todeserklärung aufgelöst"),
    ("NB", "nicht bekannt")), _XMELD)
#: membership of a public-law religious body, keys as the registers exchange them (Kirchensteuermerkmale);
#: "--" for none is an assumption
RELIGION = CodeList("Religion", (("ev", "evangelisch"), ("rk", "römisch-katholisch"), ("ak", "altkatholisch"),
                                 ("jd", "jüdisch"), ("--", "keine")),
                    "Kirchensteuermerkmale (ev, rk, ak, jd); Kürzel für keine Zugehörigkeit Annahme")
#: dwelling status; the one-letter codes are an assumption
WOHNUNGSSTATUS = CodeList("Wohnungsstatus", (("A", "alleinige Wohnung"), ("H", "Hauptwohnung"), ("N", "Nebenwohnung")),
                          "XMeld Wohnungsstatus; Kürzel Annahme")

"""Code lists that more than one table or model uses, declared once.

A table declares a column's allowed values with one of these tuples; the
generators store codes as positions in the tuple and models compare against
``TUPLE.index(label)``. Code lists used by one table only stay beside that
table's schema.
"""

from __future__ import annotations

__all__ = [
    "EREIGNISARTEN",
    "ANTRAGSKANAELE",
    "ANTRAGSSTATUS",
    "ANTRAGSERGEBNISSE",
    "ANTRAGSTELLER",
    "PROZESSTYPEN",
]

#: register events (meldeereignisse.ereignisart); appointments and applications follow them
EREIGNISARTEN = ("Geburt", "Zuzug", "Wegzug", "Umzug", "Eheschließung", "Sterbefall")
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

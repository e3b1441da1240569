"""Privacy and leak checks read the register's column roles, not lists of names."""

from __future__ import annotations

from sandbox.quality.roles import register_roles, year_column
from sandbox.quality.rules import date_orders


def test_quasi_identifiers_follow_the_roles_of_person_and_address() -> None:
    roles = register_roles()
    usual, strict = roles.combinations
    assert usual == ("geburtsjahr", "geschlecht", "plz") and strict == ("geburtsdatum", "geschlecht", "plz")
    assert roles.sensitive == ("religion",) and roles.names == ("vornamen", "familienname", "geburtsdatum")
    assert roles.columns()["anschriften"] == ["anschrift_id", "plz"]
    assert year_column("geburtsdatum") == "geburtsjahr"


def test_date_orders_become_named_rules_with_their_german_label() -> None:
    rules = {rule.name: rule for rule in date_orders()}
    bescheid = rules["reihenfolge_antraege_bescheiddatum"]
    assert bescheid.needs == {"antraege": ("antrag_id", "eingangsdatum", "bescheiddatum")}
    assert bescheid.title == "antraege: Bescheid nicht vor dem Eingang"
    assert {"reihenfolge_einwohner_einzugsdatum", "reihenfolge_einwohner_abmeldedatum",
            "reihenfolge_termine_termin_datum", "reihenfolge_gewerbe_abmeldedatum"} <= set(rules)

"""The declared schema of a population profile: keys, types, ranges, parameter groups.

A profile is a team's own YAML file, so every key is checked before anything
is generated: a wrong type, a negative rate or a typo ("ereignisrate") gets one
German line naming the key and, for typos, "meinten Sie ...". The parameter
groups are declared once, in :data:`GROUPS`: a new group is one line here, and
the generators read only what this schema has checked.

A :class:`Spec` describes one value: ``anteil`` (a share from 0 to 1),
``zahl`` (a number >= 0), ``anteile``/``gewichte`` (a mapping of labels to
shares or weights), ``tabelle`` (a mapping of labels to another spec) and
``satz`` (a mapping with fixed fields, each with its own spec).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from sandbox.errors import SandboxError

__all__ = ["Spec", "GROUPS", "TOP_KEYS", "GROUP_KEYS", "check_keys", "check_value", "check_groups", "PROFILE_NAME"]

#: a profile name becomes part of a folder name: lowercase letters, digits, - and _
PROFILE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_BAND = re.compile(r"^\d{1,3}-\d{1,3}$")

TOP_KEYS = ("name", "titel", "beschreibung", "basis", "stichtag", "ereignisjahre", "gebiet", "parameter")
GROUP_KEYS = ("quelle", "werte")


@dataclass(frozen=True)
class Spec:
    """What one value of a profile must look like (see module docstring for the kinds)."""

    kind: str
    keys: tuple[str, ...] = ()  # anteile/gewichte: these labels exactly; satz: see fields
    bands: bool = False  # labels are age bands like "18-29"
    hours: bool = False  # labels are hours 0-23
    inner: "Spec | None" = None  # tabelle: the spec of each row
    fields: Mapping[str, "Spec"] = field(default_factory=dict)  # satz
    required: bool = True  # groups only: every profile defines it


SHARE, NUMBER = Spec("anteil"), Spec("zahl")
_BANDED = Spec("anteile", bands=True)

#: every parameter group a profile may have; the generators read them through Profile.values
GROUPS: dict[str, Spec] = {
    "altersstruktur": _BANDED,
    "frauenanteil": _BANDED,
    "geschlecht_weitere": Spec("anteile", keys=("divers", "ohne Angabe")),
    "haushaltsgroessen": Spec("anteile", keys=("1", "2", "3", "4", "5")),
    "alleinerziehende_anteil": SHARE,
    "kinderzahl": Spec("anteile", keys=("1", "2", "3", "4")),
    "erwachsene_kinder_im_haushalt": Spec("tabelle", keys=("maennlich", "weiblich"), inner=_BANDED),
    "verheiratet_anteil_paare": _BANDED,
    "partnerschaften": Spec("satz", fields={
        "altersabstand": Spec("satz", fields={"mittel": NUMBER, "streuung": NUMBER}),
        "zweitehe_anteil": SHARE, "gleichgeschlechtliche_paare_anteil": SHARE,
        "gleichgeschlechtlich_eingetragen_anteil": SHARE, "lebenspartnerschaft_nicht_umgewandelt": SHARE,
        "scheidung_anteil": SHARE, "scheidung_mittlere_dauer": NUMBER, "wiederheirat_geschiedene": SHARE,
        "wiederheirat_verwitwete": SHARE}),
    "haushaltsformen": Spec("satz", fields={
        "wohngemeinschaft_anteil_18_34_stadt": SHARE, "wohngemeinschaft_anteil_18_34_land": SHARE,
        "wohngemeinschaft_groessen": Spec("anteile", keys=("2", "3", "4")),
        "mehrgenerationen_anteil_ab_75": SHARE, "vaeter_unter_alleinerziehenden": SHARE,
        "familien_seit_geburt_am_ort": SHARE, "geschwisterabstand_jahre": NUMBER}),
    "herkunft": Spec("satz", fields={k: SHARE for k in ("binationale_partner", "eingebuergert_anteil",
                                                        "deutsch_durch_geburt", "doppelte_staatsangehoerigkeit",
                                                        "ausgleich_deutsche_mitglieder")}),
    "namen": Spec("satz", fields={"vornamen_grundgewicht": NUMBER, "familiennamen_exponent": NUMBER,
                                  "zweiter_vorname_anteil": SHARE, "geburtsort_hier_anteil": SHARE}),
    "religion": Spec("anteile"),
    "wohnungsstatus": Spec("satz", fields={"hauptwohnung_anteil_erwachsene": SHARE,
                                           "nebenwohnung_anteil_junge_alleinlebende": SHARE}),
    "haushalte_je_anschrift": Spec("gewichte", keys=("Kreisfreie Stadt", "Stadt", "Gemeinde")),
    "ereignisraten": Spec("satz", fields={k: NUMBER for k in ("sterbefall", "zuzug", "wegzug", "umzug",
                                                                 "eheschliessung")}),
    "gewerbe_je_1000": NUMBER,
    "wirtschaftsabschnitte": Spec("anteile"),
    "rechtsformen": Spec("anteile"),
    "buergeranfragen": Spec("satz", fields={
        "je_1000_einwohner_und_jahr": NUMBER, "betriebsanteil": SHARE,
        "aktivitaet_nach_alter": Spec("gewichte", bands=True),
        "kanaele": Spec("anteile", keys=("E-Mail", "Kontaktformular", "Brief")), "brief_faktor_ab_65": NUMBER,
        "locker_anteil": Spec("anteile", keys=("E-Mail", "Kontaktformular", "Brief")),
        "tippfehler_anteil": Spec("anteile", keys=("E-Mail", "Kontaktformular", "Brief")),
        "mischanliegen_anteil": SHARE, "vage_anteil": SHARE, "dringend_anteil": SHARE, "sachstand_anteil": SHARE,
        "stunden_digital": Spec("gewichte", hours=True), "stunden_brief": Spec("gewichte", hours=True)}),
}


def _show(value: Any) -> str:
    """``repr`` of a value, cut to one short phrase."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _hint(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return f"; meinten Sie {close[0]!r}?" if close else f"; erlaubt: {', '.join(allowed)}"


def check_keys(mapping: Mapping[Any, Any], allowed: list[str], where: str, exact: bool = False) -> None:
    """Unknown keys get "meinten Sie ..."; with ``exact`` every allowed key must be there too."""
    for key in mapping:
        if str(key) not in allowed:
            raise SandboxError(f"{where}: unbekannter Schlüssel {str(key)!r}{_hint(str(key), allowed)}")
    missing = [k for k in allowed if k not in {str(key) for key in mapping}] if exact else []
    if missing:
        raise SandboxError(f"{where}: es fehlt {missing[0]!r}")


def _number(value: Any, where: str, upper: float | None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise SandboxError(f"{where} muss eine Zahl sein, nicht {_show(value)}")
    if value < 0 or (upper is not None and value > upper) or value == float("inf"):
        bound = f"von 0 bis {upper:g}" if upper is not None else "ab 0"
        raise SandboxError(f"{where} muss eine Zahl {bound} sein, nicht {_show(value)}")
    return float(value)


def _labels(spec: Spec, mapping: Mapping[Any, Any], where: str) -> None:
    if spec.keys:
        check_keys(mapping, list(spec.keys), where, exact=True)  # the generators read each of these labels
    for label in mapping:
        text = str(label)
        if spec.bands and (not _BAND.match(text) or int(text.split("-")[0]) > int(text.split("-")[1])):
            raise SandboxError(f"{where}: {text!r} ist keine Altersgruppe wie \"18-29\"")
        if spec.hours and not (text.isdigit() and 0 <= int(text) <= 23):
            raise SandboxError(f"{where}: {text!r} ist keine Stunde von 0 bis 23")


def check_value(spec: Spec, value: Any, where: str) -> None:
    """Raise one German line if ``value`` does not fit ``spec``; ``where`` names the key path."""
    if spec.kind in ("anteil", "zahl"):
        _number(value, where, 1.0 if spec.kind == "anteil" else None)
        return
    if not isinstance(value, Mapping) or not value:
        raise SandboxError(f"{where} muss eine nicht leere Zuordnung sein (Zeilen schlüssel: wert), nicht {_show(value)}")
    if spec.kind == "satz":
        check_keys(value, list(spec.fields), where, exact=True)
        for key, sub in spec.fields.items():
            check_value(sub, value[key], f"{where}.{key}")
        return
    _labels(spec, value, where)
    if spec.kind == "tabelle":
        assert spec.inner is not None
        for label, row in value.items():
            check_value(spec.inner, row, f"{where}.{label}")
        return
    upper = 1.0 if spec.kind == "anteile" else None
    total = sum(_number(v, f"{where}.{k}", upper) for k, v in value.items())
    if total <= 0:
        raise SandboxError(f"{where}: mindestens ein Wert muss größer als 0 sein")


def check_groups(params: Any, where: str) -> None:
    """Check the ``parameter`` mapping: known groups only, each with quelle and checked werte."""
    if not isinstance(params, Mapping):
        raise SandboxError(f"{where}: parameter muss eine Zuordnung von Parametergruppen sein")
    check_keys(params, list(GROUPS), f"{where}: parameter")
    for name, spec in GROUPS.items():
        if name not in params:
            if spec.required:
                raise SandboxError(f"{where}: es fehlt die Parametergruppe parameter.{name}")
            continue
        entry, at = params[name], f"{where}: parameter.{name}"
        if not isinstance(entry, Mapping):
            raise SandboxError(f"{at} muss quelle und werte enthalten")
        check_keys(entry, list(GROUP_KEYS), at, exact=True)
        if not isinstance(entry["quelle"], str) or not entry["quelle"].strip():
            raise SandboxError(f"{at}.quelle muss die Quelle nennen oder \"Annahme\" sagen")
        check_value(spec, entry["werte"], f"{at}.werte")

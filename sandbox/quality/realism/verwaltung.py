"""Realism measures of businesses, service volumes and appointments.

Business registrations, closures and changes per 1,000 residents and year
over the event years (Gewerbeanzeigenstatistik Sachsen; changes by Destatis'
ratio of Ummeldungen to Anmeldungen), closures piled on the
reference day (an artefact of clipped dates), the notice every closure needs
(GewO § 14), the legal-form mix of registrations; applications per 1,000
residents and year for identity cards, Wohngeld and the notice of marriage;
whether attended appointments and counter applications find each other; and
the weekend share of online submissions. Each is registered under its key in
``realismus_referenz.csv``.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from sandbox.quality.realism.data import RealismData
from sandbox.quality.realism.registry import Observed, measure, rate, share

__all__: list[str] = []  # measures register themselves in registry.MEASURES

YEAR_DAYS = 365.2425
SOLE = ("Einzelunternehmen", "e.K.")
LEIKA = {
    "gewerbe_abmelden": "99050013001000",
    "personalausweis": "99102013001000",
    "wohngeld": "99107001001000",
    "eheschliessung": "99079001001000",
}


def _days(d: RealismData, table: str, column: str) -> np.ndarray:
    """A date column as days since epoch (a large negative number where empty)."""
    values = d.frames[table][column].to_numpy(dtype="datetime64[D]")
    return np.where(np.isnat(values), np.iinfo(np.int64).min // 2, values.astype(np.int64))


def _ids(d: RealismData, table: str, column: str) -> np.ndarray:
    return d.frames[table][column].fillna(-1).to_numpy(dtype=np.int64)


def _event_years(d: RealismData) -> float:
    return float(d.profile.ereignisjahre)


def _business_rate(d: RealismData, column: str) -> Observed | None:
    day = _days(d, "gewerbe", column)
    years = _event_years(d)
    inside = (day > d.ref - years * YEAR_DAYS) & (day <= d.ref)
    return rate(int(inside.sum()), int(d.population * years), 1000)


for _key, _column in (("gewerbe_anmeldungen_je_1000", "anmeldedatum"), ("gewerbe_abmeldungen_je_1000", "abmeldedatum"),
                      ("gewerbe_ummeldungen_je_1000", "ummeldedatum")):
    measure(_key)(partial(_business_rate, column=_column))


@measure("gewerbe_abmeldung_am_stichtag")
def _closed_on_reference_day(d: RealismData) -> Observed | None:
    day = _days(d, "gewerbe", "abmeldedatum")
    closed = day > d.ref - _event_years(d) * YEAR_DAYS
    return share(day == d.ref, closed)


@measure("einzelunternehmen_anteil_anmeldungen")
def _sole_traders(d: RealismData) -> Observed | None:
    day = _days(d, "gewerbe", "anmeldedatum")
    new = day > d.ref - _event_years(d) * YEAR_DAYS
    return share(d.isin("gewerbe", "rechtsform", SOLE), new)


def _window(d: RealismData) -> tuple[int, float]:
    """First day of the applications and the years they span up to the reference day."""
    first = int(_days(d, "antraege", "eingangsdatum").min(initial=d.ref))
    return first, max(d.ref - first + 1, 1) / YEAR_DAYS


@measure("gewerbe_antraege_je_abmeldung")
def _closure_notices(d: RealismData) -> Observed | None:
    first, _ = _window(d)
    day = _days(d, "gewerbe", "abmeldedatum")
    notices = _ids(d, "antraege", "betrieb_id")[d.eq("antraege", "leika_schluessel", LEIKA["gewerbe_abmelden"])]
    return share(np.isin(_ids(d, "gewerbe", "betrieb_id"), notices), (day >= first) & (day <= d.ref))


def _volume(d: RealismData, service: str) -> Observed | None:
    _, years = _window(d)
    count = int(d.eq("antraege", "leika_schluessel", LEIKA[service]).sum())
    return rate(count, int(d.population * years), 1000)


for _key, _service in (("personalausweis_je_1000", "personalausweis"), ("wohngeld_je_1000", "wohngeld")):
    measure(_key)(partial(_volume, service=_service))


@measure("eheschliessung_anmeldungen_je_trauung")
def _marriage_notices(d: RealismData) -> Observed | None:
    """Notices of marriage per wedding (couple) of the register in the application window."""
    first, _ = _window(d)
    notices = int(d.eq("antraege", "leika_schluessel", LEIKA["eheschliessung"]).sum())
    _, days = d.events("Eheschließung")
    weddings = int(((days >= first) & (days <= d.ref)).sum()) / 2
    if weddings == 0:
        return None
    ratio = notices / weddings
    return Observed(ratio, ratio * float(np.sqrt(1 / max(notices, 1) + 1 / weddings)))


def _visit_keys(d: RealismData, table: str, day_column: str, services: np.ndarray) -> np.ndarray:
    """Person, service and day of each row as one integer (-1 where the row has no person)."""
    person = _ids(d, table, "einwohner_id")
    service = np.searchsorted(services, d.text(table, "leika_schluessel").astype(str))
    key = (person * 64 + service) * 100_000 + _days(d, table, day_column) % 100_000
    return np.where(person >= 0, key, -1)


def _linkage(d: RealismData) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Keys of attended appointments and of applications, and which of each lies in the other's span."""
    return d.once("verwaltung.linkage", _link)


def _link(d: RealismData) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    services = np.unique(np.concatenate([d.text("termine", "leika_schluessel"), d.text("antraege", "leika_schluessel")]).astype(str))
    appointments = _visit_keys(d, "termine", "termin_datum", services)
    applications = _visit_keys(d, "antraege", "eingangsdatum", services)
    first, _ = _window(d)
    t_day = _days(d, "termine", "termin_datum")
    attended = d.eq("termine", "status", "wahrgenommen") & (appointments >= 0) & (t_day >= first) & (t_day <= d.ref)
    booked = np.isin(d.text("antraege", "leika_schluessel"), np.unique(d.text("termine", "leika_schluessel")))
    a_day = _days(d, "antraege", "eingangsdatum")
    counter = d.eq("antraege", "kanal", "vor Ort") & booked & (applications >= 0) & (a_day >= t_day.min(initial=d.ref))
    return appointments, attended, applications, counter


@measure("termine_mit_antrag")
def _appointments_with_application(d: RealismData) -> Observed | None:
    appointments, attended, applications, _ = _linkage(d)
    return share(np.isin(appointments, applications[applications >= 0]), attended)


@measure("vorsprachen_mit_termin")
def _counter_with_appointment(d: RealismData) -> Observed | None:
    appointments, attended, applications, counter = _linkage(d)
    return share(np.isin(applications, appointments[attended]), counter)


@measure("online_wochenende_anteil")
def _online_weekend(d: RealismData) -> Observed | None:
    weekday = (_days(d, "antraege", "eingangsdatum") + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    return share(weekday >= 5, d.eq("antraege", "kanal", "online"))

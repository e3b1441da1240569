"""Table `vorgangsereignisse`: the event log of every application, ready for process mining.

Each application passes the steps of its process type
(:mod:`sandbox.synth.processes.prozessschritte`): receipt, automatic confirmation and
e-payment online, completeness check, rounds of requests for documents,
hearings before a refusal, sign-off by the head of office, the notice and
its dispatch; withdrawn applications stop early with "Antrag zurückgezogen",
open ones stop where they stand on the reference day. The variants follow
from `antraege` (channel, outcome, number of requests), so the log and the
applications tell the same story: as many "Unterlagen nachgefordert" as
``nachforderungen``, timestamps within receipt and decision. Real texture
comes from :mod:`sandbox.synth.processes.nacharbeit`: correction rounds with a
renewed review, status inquiries of applicants waiting long, escalations to
the head, and objections (Widerspruch) after the notice, which run on the
office's capacity (holidays, summer leave, sick-leave backlogs) and are the
only events after the decision day.

Timing: automatic steps right after receipt take seconds, at any hour for
online applications. All other steps are spread over the case's time on a
clock of office hours (:mod:`sandbox.synth.processes.arbeitszeit`), in proportion to
each step's weight with random noise, so manual steps fall on working days
between 07:30 and 16:30 and the last step lands on the day of the decision.

Everything works on arrays of (case, step); cases go in fixed-size chunks
with their own random stream, so memory stays flat at the sachsen scale and
the bytes do not depend on the machine.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from sandbox.synth.codes import ANTRAGSERGEBNISSE, ANTRAGSKANAELE, ANTRAGSSTATUS, PROZESSTYPEN
from sandbox.synth.processes import katalog
from sandbox.synth.processes.arbeitszeit import DAY, WORK_SECONDS, WORK_START, Arbeitskalender
from sandbox.synth.processes.kapazitaet import der_stellen
from sandbox.synth.processes.nacharbeit import textur
from sandbox.synth import reference
from sandbox.synth.context import Context
from sandbox.synth.kalender import YEAR, MISSING, days_of, year_month_day
from sandbox.synth.processes.prozessschritte import RESSOURCEN, Vorlagen, schritte, varianten
from sandbox.synth.sampling import codes
from sandbox.synth.processes.sachbearbeitung import StaffPlan, offices, staff_plan
from sandbox.synth.sampling import days_before
from sandbox.synth.schema import Column, Table, PAST

__all__ = ["TABLE", "generate"]

CHUNK = 200_000  # cases per chunk; fixed, so output does not depend on memory or cores
THREADS = 2  # numpy releases the GIL: two chunks at a time use both cores of the target machine
LATEST = 23 * 3600 + 1800  # digital receipts until 23:30, so the automatic steps after them stay on that day
TEILPROZESSE = ("Antragsverfahren", "Widerspruchsverfahren")
SYSTEM, HEAD = RESSOURCEN.index("System"), RESSOURCEN.index("Leitung")

TABLE = Table(
    name="vorgangsereignisse",
    description=(
        "Ereignisprotokoll der Anträge (ein Ereignis je Bearbeitungsschritt) für Process Mining: Fall = antrag_id, "
        "Aktivität = aktivitaet, Zeit = zeitstempel, Ressource = ressource."
    ),
    primary_key="event_id",
    extra_parents=("gemeinden", "leistungen"),
    method=(
        "Schrittfolgen je Prozesstyp aus reference/prozessschritte.csv; Varianten aus Kanal, Gebühr, Ergebnis, "
        "Vier-Augen-Regel und Zahl der Nachforderungen des Antrags, dazu Korrekturrunden mit erneuter Sachprüfung, "
        "Sachstandsanfragen (häufiger, je länger der Fall über dem Median der Leistung liegt), Eskalation an die "
        "Leitung und Widersprüche nach dem Bescheid (Abhilfe, Widerspruchsbescheid, Rücknahme oder am Stichtag offen; "
        "Raten je Prozesstyp in reference/prozesstextur.csv). Widerspruchsverfahren laufen auf der Kapazität der "
        "Stelle: Weihnachten, Sommerferien, Grippewelle und monatliche Krankheits- und Vakanzrückstände verlängern sie "
        "(reference/prozessannahmen.csv). Kalibriert an der BPI Challenge 2015 (van Dongen 2015, 4TU.ResearchData, "
        "CC BY 4.0; Baugenehmigungen fünf niederländischer Gemeinden: Median der Durchlaufzeit 61 Tage, 33 % der Fälle "
        "mit wiederholter Aktivität, 14 % mit Einspruchsverfahren, das die Dauer etwa verdoppelt), nur Kennzahlen. "
        "Automatische Schritte Sekunden nach dem Eingang, Online-Eingänge vor allem tagsüber und am Abend, alle "
        "anderen Schritte verteilt über die Dauer des Falls auf Arbeitszeit (werktags 07:30 bis 16:30, ohne "
        "sächsische Feiertage); letzter Schritt vor dem Widerspruch am Tag des Bescheids, bei offenen Anträgen vor "
        "dem Stichtag."
    ),
    columns=(
        Column("event_id", "int64", "Schlüssel des Ereignisses (in Fall- und Zeitfolge)", unique=True, min=1),
        Column("antrag_id", "int64", "Antrag (Fall)", references="antraege.antrag_id"),
        Column("aktivitaet", "string", "Bearbeitungsschritt"),
        Column("zeitstempel", "timestamp", "Zeitpunkt des Schritts (Ortszeit, sekundengenau)",
               roles={PAST}),
        Column("ressource", "string", "ausführende Stelle: Kennung der Sachbearbeitung oder System für automatische Schritte"),
        Column("automatisiert", "bool", "wahr, wenn der Schritt ohne menschliches Zutun erfolgte"),
        Column("teilprozess", "string", "Antragsverfahren bis zum Bescheid oder Widerspruchsverfahren danach",
               allowed=TEILPROZESSE),
    ),
)


Cases = dict[str, np.ndarray]


def _cases(ctx: Context, cat: pd.DataFrame) -> tuple[Cases, StaffPlan]:
    """One entry per application with what the templates and the timing need, and the offices' staff plan."""
    a = ctx.table("antraege")
    gemeinden = ctx.table("gemeinden")
    svc = codes(a["leika_schluessel"], cat["leika_schluessel"])
    office = offices(gemeinden, cat, svc, codes(a["ags"], gemeinden["ags"]))
    plan = staff_plan(office, katalog.antragsjahre(ctx.profile))
    kanal = codes(a["kanal"], ANTRAGSKANAELE)
    status = codes(a["status"], ANTRAGSSTATUS)
    staff = plan.ids(np.arange(plan.total + 1)).categories
    clerk = codes(a["sachbearbeitung_id"], staff)
    return {
        "antrag_id": a["antrag_id"].to_numpy(np.int64),
        "typ": pd.Index(PROZESSTYPEN).get_indexer(cat["prozesstyp"])[svc],
        "online": kanal == ANTRAGSKANAELE.index("online"),
        "vor_ort": kanal == ANTRAGSKANAELE.index("vor Ort"),
        "digital": (kanal == ANTRAGSKANAELE.index("online")) | (kanal == ANTRAGSKANAELE.index("E-Mail")),
        "gebuehr": cat["gebuehr_eur"].to_numpy()[svc] > 0,
        "abgelehnt": codes(a["ergebnis"], ANTRAGSERGEBNISSE) == ANTRAGSERGEBNISSE.index("abgelehnt"),
        "zurueckgezogen": status == ANTRAGSSTATUS.index("zurückgezogen"),
        "offen": status == ANTRAGSSTATUS.index("offen"),
        "in_bearbeitung": status == ANTRAGSSTATUS.index("in Bearbeitung"),
        "vier_augen": cat["vier_augen"].to_numpy()[svc],
        "nachforderungen": a["nachforderungen"].to_numpy(np.int64),
        "median": cat["bearbeitungstage_median"].to_numpy(float)[svc],
        "eingang": days_of(a["eingangsdatum"]),
        "bescheid": days_of(a["bescheiddatum"]),
        "automatisch": clerk < 0,
        "clerk": np.maximum(clerk, 0),
        "head": plan.head(office.pool),
        "pool": office.pool,
    }, plan


def _chunk(rng: np.random.Generator, case: Cases, variant: np.ndarray, t: Vorlagen, plan: StaffPlan,
           cal: Arbeitskalender, ref: int, out: dict[str, np.ndarray], at: int) -> int:
    """Events of a run of cases, written into ``out`` from row ``at``; returns the next free row."""
    n = len(variant)
    k = t.length[variant]
    owner = np.repeat(np.arange(n, dtype=np.int64), k)
    j = np.arange(len(owner), dtype=np.int64) - (np.cumsum(k) - k)[owner]  # index of the event within its case
    cell = variant[owner] * t.code.shape[1] + j
    kind = t.kind.ravel()[cell]
    weight = t.weight.ravel()[cell]
    seconds = _timestamps(rng, case, owner, j, k, t.instant[variant], weight, t.after.ravel()[cell], cal, ref)
    clerk = case["clerk"][owner]
    stand_in = np.flatnonzero(rng.random(len(owner)) < katalog.annahme("vertretung_anteil"))
    clerk[stand_in] = plan.clerk(case["pool"][owner[stand_in]], rng.random(len(stand_in)))
    who = np.where(kind == SYSTEM, 0, np.where(kind == HEAD, case["head"][owner], clerk))
    rows = slice(at, at + len(owner))
    out["antrag_id"][rows] = case["antrag_id"][owner]
    out["code"][rows] = t.code.ravel()[cell]
    out["seconds"][rows] = seconds
    out["who"][rows] = who
    out["after"][rows] = t.after.ravel()[cell]
    return at + len(owner)


def _arrival(rng: np.random.Generator, case: Cases) -> np.ndarray:
    """Time of receipt: office hours at the counter and by post, by the hour profile online and by e-mail.

    Digital applications follow ``reference/eingang_stunden.csv`` (mornings and
    early evenings, hardly any at night). Applications decided the day they
    arrive came in early enough to be done that day (automatic ones excepted,
    they take seconds).
    """
    n = len(case["typ"])
    same_day = case["bescheid"] == case["eingang"]
    office = WORK_START + rng.integers(0, WORK_SECONDS - 2 * 3600, n)
    table = reference.load("eingang_stunden")
    hours, weights = table["stunde"].astype(int).to_numpy(), table["gewicht_digital"].astype(float).to_numpy()
    pick = np.searchsorted(np.cumsum(weights), rng.random(n) * weights.sum(), side="right")
    anytime = np.minimum(hours[np.minimum(pick, len(hours) - 1)] * 3600 + rng.integers(0, 3600, n), LATEST)
    free = (case["digital"] & ~same_day) | case["automatisch"]
    return case["eingang"] * DAY + np.where(free, anytime, office)


def _spread(rng: np.random.Generator, owner: np.ndarray, member: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Per event, its position in [0, 1] among the case's ``member`` events by noisy weights (0 for others).

    The first member sits at 0 when ``weight`` of it counts nothing before it;
    the last member is exactly 1.
    """
    noise = np.where(member, np.maximum(weight * rng.standard_exponential(len(weight)), 1e-6), 0.0)
    cum = np.cumsum(noise)
    start = np.r_[0, np.flatnonzero(np.diff(owner)) + 1] if len(owner) else np.zeros(0, np.int64)
    cum -= np.repeat(np.r_[0.0, cum][start], np.diff(np.r_[start, len(owner)]))
    length = np.diff(np.r_[start, len(owner)])
    total = np.repeat(cum[start + length - 1], length)  # cum is non-decreasing within a case: its last value
    return np.where(member, cum / np.maximum(total, 1e-12), 0.0)


def _timestamps(rng: np.random.Generator, case: Cases, owner: np.ndarray, j: np.ndarray, k: np.ndarray,
                prefix: np.ndarray, weight: np.ndarray, after: np.ndarray, cal: Arbeitskalender, ref: int) -> np.ndarray:
    """Seconds since epoch of every event, strictly increasing within each case."""
    n = len(k)
    first_event = np.cumsum(k) - k
    t0 = _arrival(rng, case)
    # automatic steps right after receipt: seconds to minutes apart
    in_prefix = j < prefix[owner]
    gaps = np.where(in_prefix & (j > 0), rng.integers(20, 300, len(j)), 0)
    offset = np.cumsum(gaps)
    offset -= offset[first_event][owner]
    prefix_end = t0 + np.bincount(owner, weights=gaps, minlength=n).astype(np.int64)

    # up to the notice: on the office-hours clock between the end of the prefix and the decision
    later = np.bincount(owner, weights=after, minlength=n).astype(np.int64)  # objection events
    rest = k - prefix - later
    begin = cal.to_clock(prefix_end + 60)
    decided = case["bescheid"]
    is_open = decided == MISSING
    closing = cal.to_clock(np.full(n, ref * DAY + DAY - 1)) - 1  # last office second up to the reference day
    day_open = cal.day_opening(np.where(is_open, ref, decided))
    same_day = ~is_open & (decided == case["eingang"])
    minutes = rng.integers(5, 40, n) * 60 * np.maximum(rest, 1)
    target = np.where(same_day, begin + minutes, day_open + rng.integers(0, WORK_SECONDS - 600, n))
    target = np.maximum(target, begin + 60 * (rest + 1))
    target = np.where(is_open, begin + ((closing - begin) * rng.uniform(0.3, 0.98, n)).astype(np.int64), target)
    end = np.maximum(np.minimum(target, np.where(is_open, closing, day_open + WORK_SECONDS - 1)), begin)
    space = np.minimum(60.0, (end - begin) / np.maximum(rest, 1))
    share = _spread(rng, owner, ~in_prefix & ~after, weight)  # exactly 1 at the last step before the notice
    i = j - prefix[owner]  # index among the steps on the clock
    clock = begin[owner] + space[owner] * (i + 1) + (end - begin - space * rest)[owner] * share

    # the objection: from its filing to its last step (or the reference day), on the same clock
    filed = np.where(later > 0, case["widerspruch_von"], ref)
    begin2 = np.minimum(cal.day_opening(np.minimum(filed, ref)) + rng.integers(0, WORK_SECONDS // 2, n), closing - 60 * later)
    last_day = cal.day_opening(np.where(later > 0, np.minimum(case["widerspruch_bis"], ref), ref)) + rng.integers(0, WORK_SECONDS - 600, n)
    end2 = np.minimum(np.maximum(last_day, begin2 + 60 * later), closing)
    sub = np.flatnonzero(after)  # few events: work on them alone
    own = owner[sub]
    i2 = j[sub] - (k - later)[own]
    share2 = _spread(rng, own, i2 > 0, weight[sub])  # filing at 0, last step at 1
    clock = np.minimum(np.rint(clock), end[owner])  # never past the decision day's closing
    clock[sub] = np.minimum(np.rint(begin2[own] + 60 * i2 + (end2 - begin2 - 60 * later)[own] * share2), end2[own])
    office_time = cal.from_clock(np.where(in_prefix, begin[owner], clock).astype(np.int64))
    return np.where(in_prefix, t0[owner] + offset, office_time)


def generate(ctx: Context) -> pd.DataFrame:
    cat = katalog.katalog()
    case, plan = _cases(ctx, cat)
    ref = days_before(ctx.profile.stichtag)
    first = ref - int(ctx.profile.ereignisjahre * YEAR)
    earliest = int(case["eingang"].min()) if len(case["eingang"]) else ref
    kap = der_stellen(ctx.seed, len(plan.first), earliest, ref + 400)  # only the years in use
    case.update(textur(ctx.rng(TABLE.name, "textur"), case, ref, kap))
    steps = schritte()
    variant, templates = varianten(steps, case, ctx.rng(TABLE.name, "abbruch").random(len(case["typ"])))
    years = year_month_day(np.array([first, ref]))[0]
    cal = Arbeitskalender(int(years[0]), int(years[1]))
    events = np.cumsum(templates.length[variant])
    total = int(events[-1]) if len(events) else 0
    out = {"antrag_id": np.empty(total, np.int64), "code": np.empty(total, np.int16),
           "seconds": np.empty(total, np.int64), "who": np.empty(total, np.int32),
           "after": np.empty(total, bool)}

    def run(i: int) -> int:
        lo = i * CHUNK
        part = {key: values[lo: lo + CHUNK] for key, values in case.items()}
        first_row = int(events[lo - 1]) if lo else 0
        return _chunk(ctx.rng(TABLE.name, f"teil{i}"), part, variant[lo: lo + CHUNK], templates, plan, cal, ref, out, first_row)

    # chunks own their random streams and output rows: the result does not depend on the threads
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(run, range(-(-len(variant) // CHUNK))))
    return pd.DataFrame({
        "event_id": np.arange(1, total + 1, dtype=np.int64),
        "antrag_id": out["antrag_id"],
        "aktivitaet": pd.Categorical.from_codes(out["code"], categories=list(steps.aktivitaeten)),
        "zeitstempel": out["seconds"].view("datetime64[s]"),
        "ressource": plan.ids(out["who"], zero="System"),
        "automatisiert": out["who"] == 0,
        "teilprozess": pd.Categorical.from_codes(out["after"].astype(np.int8), categories=list(TEILPROZESSE)),
    }, copy=False)

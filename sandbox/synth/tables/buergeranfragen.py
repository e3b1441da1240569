"""Table `buergeranfragen`: citizens' and businesses' messages with routing labels.

For experiments with AI routing (which office handles a message, how urgent
is it) the table holds German messages (E-Mail, Kontaktformular, transcribed
Brief) with the labels a clerk would assign: `kategorie`, `zustaendiges_amt`
and `dringlichkeit`. Senders are registered adults or active businesses of
the register at the time of the message, and an address in a text is the
sender's own registered address.

Texts are assembled from the building blocks in
``reference/anfrage_bausteine.csv`` (see :mod:`sandbox.synth.texts.textbausteine`):
salutation, filler, the concern's core sentences, details, ambiguous
sentences shared by several concerns, sometimes a second concern, a question,
a closing. Vague messages, mixed concerns, generic subjects and typos keep
the label from being trivially readable, as in a real inbox. The office is a
second target of its own: several categories split across offices by what
the letter is about (a bin not emptied goes to the waste service, rubbish
dumped in the woods to the Ordnungsamt), and blocks bound to a season or a
month are drawn to fit the message's date (:mod:`sandbox.synth.texts.bausteinpools`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from sandbox.config import reference_dir
from sandbox.synth import reference
from sandbox.synth.texts.anfragetext import BRIEF, EMAIL, KANAELE, compose
from sandbox.synth.context import Context
from sandbox.synth.kalender import YEAR, MISSING, days_of
from sandbox.synth.processes.katalog import antragsjahre
from sandbox.synth.sampling import band_values, days_before, nullable_int, top_k_weighted, weighted_choice, positions
from sandbox.synth.schema import Column, Table

__all__ = ["TABLE", "generate", "KANAELE", "DRINGLICHKEITEN"]

ABSENDER = ("Person", "Betrieb")
DRINGLICHKEITEN = ("niedrig", "mittel", "hoch")
ADULT_DAYS = int(18 * YEAR) + 2  # at least 18 calendar years, whatever the leap days


def _categories() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Allowed kategorie and amt values, read from the reference file (no pandas at import)."""
    import csv

    with (reference_dir() / "anfrage_anliegen.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(dict.fromkeys(r["kategorie"] for r in rows)), tuple(dict.fromkeys(r["zustaendiges_amt"] for r in rows))


KATEGORIEN, AEMTER = _categories()

TABLE = Table(
    name="buergeranfragen",
    description=(
        "Nachrichten von Bürgerinnen, Bürgern und Betrieben an die Verwaltung (E-Mail, Kontaktformular, "
        "abgeschriebener Brief) mit Betreff, Text und den Zuordnungen Kategorie, zuständiges Amt und Dringlichkeit."
    ),
    primary_key="anfrage_id",
    extra_parents=("anschriften",),
    method=(
        "Absender sind zum Eingangszeitpunkt gemeldete Erwachsene oder aktive Betriebe; etwa 60 Nachrichten je 1.000 "
        "Einwohner und Jahr (Annahme) über dieselben Jahre vor dem Stichtag wie die Anträge (antragsjahre in "
        "reference/prozessannahmen.csv), mit Wochentags- und Uhrzeitmuster je Kanal. Etwa 8 % sind Sachstandsanfragen zu "
        "einem eigenen Antrag des Absenders und nennen dessen echtes Aktenzeichen (antrag_id). Texte werden aus selbst "
        "verfassten Textbausteinen (reference/anfrage_bausteine.csv) zusammengesetzt: Anrede, Füllsätze, Kernsätze des "
        "Anliegens, mehrdeutige Sätze, manchmal ein zweites Anliegen, Tippfehler, Kleinschreibung und fehlende Umlaute. "
        "Eine Anschrift im Text ist die gemeldete Anschrift des Absenders; Personen erscheinen höchstens mit dem Vornamen. "
        "Das zuständige Amt folgt nicht allein aus der Kategorie: bei Gewerbe (Gewerbeamt oder Wirtschaftsförderung), "
        "Müll und Abfall (Ordnungsamt oder Abfallwirtschaft), Kita und Schule (Jugendamt oder Schulverwaltungsamt) und "
        "Lärm (Ordnungsamt oder Umweltamt) entscheidet der Inhalt, und die Wörter des Textes tragen das Signal. "
        "Jahreszeitliche Themen (Sommerfest, Frostschäden, Laubbläser) nur in ihrer Jahreszeit, Monatsangaben passend "
        "zum Eingangsdatum; Briefe beginnen förmlich, E-Mails und Formulare mal förmlich, mal locker. "
        "Die Kategorie ist absichtlich nicht trivial ablesbar: TF-IDF (Wort- und Zeichen-n-Gramme) mit logistischer "
        "Regression erreicht auf Musterstadt (etwa 3.000 Nachrichten) eine Genauigkeit von 0,81 bis 0,84 und einen "
        "Makro-F1 von 0,72 bis 0,78 (immer die häufigste Kategorie: 0,16). Gründe: rund ein Viertel der Nachrichten "
        "ist vage (nur Sätze, die zu mehreren Anliegen passen, und ein allgemeiner Betreff), manche enthalten ein "
        "zweites Anliegen, nahe Kategorien teilen Wörter, und seltene Anliegen werden öfter ohne Fachbegriff "
        "beschrieben (daher Makro-F1 unter der Genauigkeit)."
    ),
    columns=(
        Column("anfrage_id", "int64", "Schlüssel der Nachricht, in Eingangsreihenfolge", unique=True, min=1),
        Column("eingangszeitpunkt", "timestamp", "Eingang der Nachricht bei der Verwaltung"),
        Column("kanal", "string", "Eingangsweg", allowed=KANAELE),
        Column("absender_typ", "string", "Person oder Betrieb", allowed=ABSENDER),
        Column("einwohner_id", "int64", "absendende Person (leer bei Betrieben)", nullable=True, references="einwohner.einwohner_id"),
        Column("betrieb_id", "int64", "absendender Betrieb (leer bei Personen)", nullable=True, references="gewerbe.betrieb_id"),
        Column("betreff", "string", "Betreffzeile, wie eingegeben"),
        Column("text", "string", "Nachrichtentext mit Tippfehlern, wie eingegangen"),
        Column("kategorie", "string", "Kategorie des (ersten) Anliegens, Zielgröße", allowed=KATEGORIEN),
        Column("zustaendiges_amt", "string", "Amt, an das die Nachricht gehört, Zielgröße", allowed=AEMTER),
        Column("dringlichkeit", "string", "Dringlichkeit aus Sicht der Sachbearbeitung, Zielgröße", allowed=DRINGLICHKEITEN),
        Column("leika_schluessel", "string", "Verwaltungsleistung, um die es geht (leer, wenn keine)", nullable=True,
               references="leistungen.leika_schluessel"),
        Column("antrag_id", "int64", "Antrag, nach dessen Stand gefragt wird (Sachstandsanfrage), sonst leer", nullable=True,
               references="antraege.antrag_id"),
    ),
)


def _exposure(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, weight: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n senders drawn by days at risk times weight, each with a day inside its own window."""
    span = np.clip(hi - lo + 1, 0, None)
    w = span * weight
    if n == 0 or w.sum() <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    cdf = np.cumsum(w)
    idx = np.searchsorted(cdf, np.sort(rng.random(n)) * cdf[-1], side="right")
    idx = rng.permutation(np.minimum(idx, len(w) - 1))
    return idx, lo[idx] + np.floor(rng.random(n) * span[idx]).astype(np.int64)


def _windows(ctx: Context, params: dict, start: int, end: int) -> dict[str, np.ndarray]:
    """Per resident and business the days on which it can write: registered and adult, or active."""
    people, firms = ctx.table("einwohner"), ctx.table("gewerbe")
    birth, left, f_left = days_of(people["geburtsdatum"]), days_of(people["abmeldedatum"]), days_of(firms["abmeldedatum"])
    age = (days_before(ctx.profile.stichtag) - birth) / YEAR
    return {
        "birth": birth,
        "lo": np.maximum.reduce([np.full(len(people), start), days_of(people["einzugsdatum"]), birth + ADULT_DAYS]),
        "hi": np.minimum(end, np.where(left == MISSING, end, left - 1)),
        "weight": band_values(age, params["aktivitaet_nach_alter"], 0.0),
        "f_lo": np.maximum(start, days_of(firms["anmeldedatum"])),
        "f_hi": np.minimum(end, np.where(f_left == MISSING, end, f_left - 1)),
    }


def _frame(w: dict[str, np.ndarray], firm: np.ndarray, row: np.ndarray, day: np.ndarray, lo: np.ndarray,
           hi: np.ndarray, antrag: np.ndarray) -> pd.DataFrame:
    age = np.where(firm, 45.0, (day - w["birth"][np.where(firm, 0, row)]) / YEAR)
    return pd.DataFrame({"firm": firm, "row": row, "day": day, "lo": lo, "hi": hi, "age": age, "antrag": antrag})


def _senders(rng: np.random.Generator, w: dict[str, np.ndarray], n: int, n_firm: int) -> pd.DataFrame:
    """Who writes and on which day, drawn by days at risk (times activity by age for residents)."""
    p_idx, p_day = _exposure(rng, w["lo"], w["hi"], w["weight"], n - n_firm)
    f_idx, f_day = _exposure(rng, w["f_lo"], w["f_hi"], np.ones(len(w["f_lo"])), n_firm)
    firm = np.concatenate([np.zeros(len(p_idx), bool), np.ones(len(f_idx), bool)])
    return _frame(w, firm, np.concatenate([p_idx, f_idx]), np.concatenate([p_day, f_day]),
                  np.concatenate([w["lo"][p_idx], w["f_lo"][f_idx]]), np.concatenate([w["hi"][p_idx], w["f_hi"][f_idx]]),
                  np.full(len(firm), -1))


def _status_senders(ctx: Context, rng: np.random.Generator, w: dict[str, np.ndarray], n: int, catalog: pd.DataFrame,
                    end: int) -> pd.DataFrame:
    """Applicants asking about their own application, 5 to 120 days after filing and before the decision."""
    apps = ctx.table("antraege")
    firm = apps["betrieb_id"].notna().to_numpy()
    people_row = positions(ctx.table("einwohner")["einwohner_id"], apps["einwohner_id"].fillna(0).to_numpy(np.int64))
    firm_row = positions(ctx.table("gewerbe")["betrieb_id"], apps["betrieb_id"].fillna(0).to_numpy(np.int64))
    row = np.where(firm, firm_row, people_row)
    filed, decided = days_of(apps["eingangsdatum"]), days_of(apps["bescheiddatum"])
    lo = np.maximum(filed + 5, np.where(firm, w["f_lo"][firm_row], w["lo"][people_row]))
    hi = np.minimum.reduce([np.where(decided == MISSING, end, decided - 1), filed + 120,
                            np.where(firm, w["f_hi"][firm_row], w["hi"][people_row])])
    codes, services = pd.factorize(apps["leika_schluessel"])
    concern = np.append(_concern_of(catalog, services), -1)[codes]
    candidates = np.flatnonzero((concern >= 0) & (row >= 0) & (hi >= lo))
    pick = np.sort(candidates[top_k_weighted(rng, np.ones(len(candidates)), n)])
    day = lo[pick] + np.floor(rng.random(len(pick)) * (hi - lo + 1)[pick]).astype(np.int64)
    frame = _frame(w, firm[pick], row[pick], day, lo[pick], hi[pick], pick)
    frame["anliegen"] = concern[pick]
    return frame


def _concern_of(catalog: pd.DataFrame, services: pd.Index) -> np.ndarray:
    """Catalog row of the concern about each service (-1 where the catalog has none)."""
    keys = catalog.leika_schluessel.where(catalog.leika_schluessel != "", "-" + catalog.anliegen)
    return pd.Index(keys).get_indexer(np.asarray(services, dtype=object))


def _timing(rng: np.random.Generator, senders: pd.DataFrame, kanal: np.ndarray, params: dict) -> tuple[np.ndarray, np.ndarray]:
    """Seconds since epoch and channel: fewer digital messages on weekends, letters stamped on a weekday.

    A letter whose sender can only write on a weekend (a window of one or two days) arrives as e-mail.
    """
    day, lo, hi = (senders[c].to_numpy() for c in ("day", "lo", "hi"))
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    redraw = (kanal != BRIEF) & (weekday >= 5) & (rng.random(len(day)) < 0.6)
    day = np.where(redraw, lo + np.floor(rng.random(len(day)) * (hi - lo + 1)).astype(np.int64), day)
    weekday = (day + 3) % 7
    friday, monday = day - (weekday - 4), day + (7 - weekday)
    letter_day = np.where(monday <= hi, monday, np.where(friday >= lo, friday, day))  # stamped on Monday
    day = np.where((kanal == BRIEF) & (weekday >= 5), letter_day, day)
    kanal = np.where((kanal == BRIEF) & ((day + 3) % 7 >= 5), EMAIL, kanal)
    hours = np.where(kanal != BRIEF, weighted_choice(rng, params["stunden_digital"], len(day)),
                     weighted_choice(rng, params["stunden_brief"], len(day))).astype(np.int64)
    return day * 86400 + hours * 3600 + rng.integers(0, 3600, len(day)), kanal


def _anliegen(rng: np.random.Generator, catalog: pd.DataFrame, firm: np.ndarray, age: np.ndarray) -> np.ndarray:
    """A concern per message, by sender type and the age limits in the catalog."""
    out = np.empty(len(firm), np.int64)
    von, bis = catalog.alter_von.astype(int).to_numpy(), catalog.alter_bis.astype(int).to_numpy()
    edges = np.unique(np.concatenate([von, bis + 1]))
    group = np.where(firm, -1, np.searchsorted(edges, np.floor(age), side="right"))
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        if g < 0:
            w = catalog.gewicht_betrieb.astype(float).to_numpy()
        else:
            low = edges[g - 1]
            w = catalog.gewicht_person.astype(float).to_numpy() * ((von <= low) & (bis >= low))
        out[rows] = rng.choice(len(catalog), size=len(rows), p=w / w.sum())
    return out


def _messages(ctx: Context, rng: np.random.Generator, params: dict, catalog: pd.DataFrame) -> pd.DataFrame:
    """One row per message in order of arrival: sender, time, channel, concern(s), application asked about."""
    years = antragsjahre(ctx.profile)  # the years that have applications, so status inquiries can refer to them
    end = days_before(ctx.profile.stichtag)
    w = _windows(ctx, params, end - int(years * YEAR) + 1, end)
    n = rng.poisson(float(params["je_1000_einwohner_und_jahr"]) / 1000.0 * ctx.profile.population * years)
    status = _status_senders(ctx, rng, w, rng.binomial(n, float(params["sachstand_anteil"])), catalog, end)
    general = n - len(status)
    n_firm = rng.binomial(general, float(params["betriebsanteil"])) if len(w["f_lo"]) else 0
    msgs = pd.concat([_senders(rng, w, general, n_firm), status], ignore_index=True)
    firm, age = msgs["firm"].to_numpy(), msgs["age"].to_numpy()
    shares = params["kanaele"]
    weights = np.array([float(shares.get(k, 0.0)) for k in KANAELE])
    letters = weights * np.where(np.arange(len(KANAELE)) == BRIEF, float(params["brief_faktor_ab_65"]), 1.0)
    kanal = np.where((age >= 65) & ~firm, rng.choice(len(KANAELE), len(msgs), p=letters / letters.sum()),
                     rng.choice(len(KANAELE), len(msgs), p=weights / weights.sum()))
    seconds, msgs["kanal"] = _timing(rng, msgs, kanal, params)
    msgs["anliegen"] = np.concatenate([_anliegen(rng, catalog, firm[:general], age[:general]), status["anliegen"]])
    msgs["second"] = _anliegen(rng, catalog, firm, age)
    msgs["seconds"] = seconds
    msgs = msgs.iloc[np.lexsort((np.arange(len(msgs)), seconds))].reset_index(drop=True)
    msgs["day"] = msgs["seconds"] // 86400
    firm, rows = msgs["firm"].to_numpy(), msgs["row"].to_numpy()
    msgs["person_row"], msgs["firm_row"] = np.where(firm, 0, rows), np.where(firm, rows, 0)
    premises = ctx.table("gewerbe")["betriebsstaette_anschrift_id"].to_numpy()
    homes = ctx.table("einwohner")["anschrift_id"].to_numpy()
    msgs["anschrift"] = np.where(firm, premises[msgs["firm_row"]] if len(premises) else 0, homes[msgs["person_row"]])
    return msgs


def generate(ctx: Context) -> pd.DataFrame:
    rng = ctx.rng(TABLE.name)
    params = ctx.profile.values("buergeranfragen")
    catalog = reference.load("anfrage_anliegen")
    msgs = _messages(ctx, rng, params, catalog)
    texts = compose(ctx, rng, params, catalog, msgs)
    people, firms, apps = ctx.table("einwohner"), ctx.table("gewerbe"), ctx.table("antraege")
    n, firm = len(msgs), msgs["firm"].to_numpy()
    anliegen, antrag = msgs["anliegen"].to_numpy(), msgs["antrag"].to_numpy()
    ids = lambda frame, column, rows: frame[column].to_numpy()[rows] if len(frame) else np.zeros(n, np.int64)  # noqa: E731
    text = lambda chunks: pd.Series(pd.arrays.ArrowExtensionArray(chunks))  # noqa: E731
    label = lambda vocabulary, index: text(pa.array(list(vocabulary), pa.string()).take(pa.array(index)))  # noqa: E731
    return pd.DataFrame({
        "anfrage_id": np.arange(1, n + 1, dtype=np.int64),
        "eingangszeitpunkt": msgs["seconds"].to_numpy().astype("datetime64[s]"),
        "kanal": label(KANAELE, msgs["kanal"].to_numpy()),
        "absender_typ": label(ABSENDER, firm.astype(np.int64)),
        "einwohner_id": nullable_int(ids(people, "einwohner_id", msgs["person_row"]), firm),
        "betrieb_id": nullable_int(ids(firms, "betrieb_id", msgs["firm_row"]), ~firm),
        "betreff": text(texts.betreff),
        "text": text(texts.text),
        "kategorie": label(catalog.kategorie, anliegen),
        "zustaendiges_amt": label(catalog.zustaendiges_amt, anliegen),
        "dringlichkeit": label(DRINGLICHKEITEN, texts.dringlichkeit),
        "leika_schluessel": label([k or None for k in catalog.leika_schluessel], anliegen),
        "antrag_id": nullable_int(ids(apps, "antrag_id", np.maximum(antrag, 0)), antrag < 0),
    })

"""Layout of a citizen's message: which building blocks, in which order, with which slot values.

A message is a fixed sequence of positions (letterhead, salutation, opening,
filler, address, core sentence, ambiguous sentence, detail, urgency, second
concern, question, thanks, closing, signature). For every message each
position draws a template from ``reference/anfrage_bausteine.csv`` or stays
empty; :func:`sandbox.synth.textbausteine.assemble` turns the resulting
matrix of template ids into text. Slot values come from the register: the
sender's registered address, a street of the same municipality, a first name,
the business name, plus dates, Aktenzeichen and number plates drawn here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sandbox.synth import reference
from sandbox.synth.context import Context
from sandbox.synth.kalender import days_of, year_month_day
from sandbox.synth.sampling import positions
from sandbox.synth.texts.bausteinpools import SEPARATORS, Blocks, month_slots
from sandbox.synth.texts.textbausteine import VARIANTS, SlotValues, assemble

__all__ = ["Messages", "compose", "SEPARATORS", "KANAELE", "EMAIL", "FORMULAR", "BRIEF"]

KANAELE = ("E-Mail", "Kontaktformular", "Brief")  # channels; messages carry their index
EMAIL, FORMULAR, BRIEF = range(3)

#: positions of a message and their layout group (what separator follows depends on it)
POSITIONS = (
    ("kopf", "kopf"), ("anrede", "anrede"), ("einleitung", "body"), ("kontext", "body"), ("adresse", "body"),
    ("kern", "body"), ("mehrdeutig", "body"), ("mehrdeutig2", "body"), ("detail", "body"), ("kontext2", "body"),
    ("dringend", "body"), ("uebergang", "body"), ("kern2", "body"), ("detail2", "body"), ("frage", "body"),
    ("dank", "schluss"), ("gruss", "gruss"), ("signatur", "signatur"),
)
#: share of messages with a salutation / closing, by channel (Annahme: forms are terse, letters formal)
ANREDE = {"E-Mail": 0.9, "Kontaktformular": 0.55, "Brief": 0.97}
GRUSS = {"E-Mail": 0.85, "Kontaktformular": 0.5, "Brief": 0.97}
BETREFF_KONKRET = {"E-Mail": 0.6, "Kontaktformular": 0.5, "Brief": 0.75}
VARIANT_SHARES = (0.45, 0.2, 0.15, 0.1, 0.1)  # spelling of a message with typing noise, see VARIANTS


@dataclass(frozen=True)
class Messages:
    betreff: pa.ChunkedArray
    text: pa.ChunkedArray
    dringlichkeit: np.ndarray  # 0 niedrig, 1 mittel, 2 hoch


def _chance(rng: np.random.Generator, p: np.ndarray | float, n: int) -> np.ndarray:
    return rng.random(n) < p


def _separators(blocks: Blocks, rng: np.random.Generator, layout: np.ndarray) -> np.ndarray:
    """Separator after each position: space inside the body, blank lines around it, none at the end."""
    n, m = layout.shape
    blank, space, line = blocks.sep["\n\n"], blocks.sep[" "], blocks.sep["\n"]
    follows = np.full(n, -1, np.int8)  # -1 nothing follows, 1 a body sentence, 0 anything else
    out = np.zeros((n, m), np.int8)
    for j in range(m - 1, -1, -1):
        present = layout[:, j] >= 0
        group = POSITIONS[j][1]
        if group == "body":
            sep = np.where((follows == 1) & _chance(rng, 0.85, n), space, blank)
        elif group == "anrede":
            sep = np.where(_chance(rng, 0.8, n), blank, line)
        else:
            sep = np.full(n, line if group == "gruss" else blank)
        out[:, j] = np.where(present & (follows >= 0), sep, 0)
        follows = np.where(present, np.int8(group == "body"), follows)
    return out


def _layout(blocks: Blocks, rng: np.random.Generator, params: dict, catalog: pd.DataFrame,
            anliegen: np.ndarray, second: np.ndarray, kanal: np.ndarray, firm: np.ndarray,
            status: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Template id per message and position (-1 = empty), urgency (0-2) and the subject's template ids."""
    n = len(anliegen)
    by_kanal = lambda table: np.array([float(table.get(k, 0.0)) for k in KANAELE])[kanal]  # noqa: E731
    stil = _chance(rng, by_kanal(params["locker_anteil"]) * np.where(firm, 0.3, 1.0), n).astype(np.int64)
    sender = firm.astype(np.int64)
    kategorie = catalog.kategorie.to_numpy()
    vague_share = float(params["vage_anteil"]) * catalog.vage_faktor.astype(float).to_numpy()[anliegen]
    vague = _chance(rng, vague_share, n) & ~status & blocks.pool("mehrdeutig", "anliegen").has(anliegen)
    mixed = _chance(rng, float(params["mischanliegen_anteil"]), n) & (kategorie[second] != kategorie[anliegen]) & ~vague
    urgent = _chance(rng, float(params["dringend_anteil"]), n)
    pick: dict[str, np.ndarray] = {}
    pick["kopf"] = blocks.pool("kopf", "absender").draw(rng, sender, (kanal == BRIEF) & _chance(rng, 0.7, n))
    formal = np.where(kanal == BRIEF, 0, stil)  # a letter on paper opens formally, whatever its tone later
    pick["anrede"] = blocks.pool("anrede", "stil").draw(rng, formal, _chance(rng, by_kanal(ANREDE), n))
    comma = np.array([t.endswith(",") for t in blocks.frame.text] + [False])  # opening goes on in lower case
    pick["einleitung"] = blocks.pool("einleitung", "stil").draw(rng, stil, comma[pick["anrede"]] & _chance(rng, 0.3, n))
    context = blocks.pool("kontext", "absender")
    pick["kontext"] = context.draw(rng, sender, _chance(rng, 0.35, n))
    pick["adresse"] = blocks.pool("adresse", "absender").draw(rng, sender, (pick["kopf"] < 0) & _chance(rng, 0.3, n))
    core, detail = blocks.pool("kern", "anliegen"), blocks.pool("detail", "anliegen")
    pick["kern"] = np.where(status, blocks.pool("sachstand", "").draw(rng, np.zeros(n, np.int64)), core.draw(rng, anliegen, ~vague))
    ambiguous = blocks.pool("mehrdeutig", "anliegen")
    pick["mehrdeutig"] = ambiguous.draw(rng, anliegen, vague | (~status & _chance(rng, 0.2, n)))
    also = ambiguous.draw(rng, anliegen, vague & _chance(rng, 0.6, n))  # two vague hints narrow it down
    pick["mehrdeutig2"] = np.where(also != pick["mehrdeutig"], also, -1)
    pick["detail"] = detail.draw(rng, anliegen, ~vague & _chance(rng, np.where(status, 0.25, 0.5), n))
    extra = context.draw(rng, sender, _chance(rng, 0.12, n))
    pick["kontext2"] = np.where(extra != pick["kontext"], extra, -1)
    pick["dringend"] = blocks.pool("dringend", "").draw(rng, np.zeros(n, np.int64), urgent)
    pick["uebergang"] = blocks.pool("uebergang", "").draw(rng, np.zeros(n, np.int64), mixed)
    pick["kern2"] = core.draw(rng, second, mixed)
    pick["detail2"] = detail.draw(rng, second, mixed & _chance(rng, 0.3, n))
    specific = blocks.pool("frage", "anliegen").draw(rng, anliegen, ~vague & _chance(rng, 0.5, n))
    generic = blocks.pool("frage", "").draw(rng, np.zeros(n, np.int64))
    pick["frage"] = np.where(_chance(rng, 0.65, n), np.where(specific >= 0, specific, generic), -1)
    pick["dank"] = blocks.pool("dank", "stil").draw(rng, stil, _chance(rng, 0.4, n))
    pick["gruss"] = blocks.pool("gruss", "stil").draw(rng, stil, _chance(rng, by_kanal(GRUSS), n))
    signature = np.where(firm, blocks.pool("signatur", "absender").draw(rng, sender), blocks.pool("signatur", "stil").draw(rng, stil))
    pick["signatur"] = np.where((pick["gruss"] >= 0) & _chance(rng, np.where(kanal == BRIEF, 0.95, 0.7), n), signature, -1)
    layout = np.stack([pick[name] for name, _ in POSITIONS], axis=1)

    cue = blocks.cue
    score = (catalog.dringlichkeit_basis.astype(float).to_numpy()[anliegen] + 0.6 * cue[pick["kern"]] + 0.5 * cue[pick["detail"]]
             + 0.4 * cue[pick["mehrdeutig"]] + 0.3 * cue[pick["kern2"]] + 0.9 * urgent + rng.normal(0.0, 0.35, n))
    urgency = np.digitize(score, [0.95, 1.85])

    own = blocks.pool("betreff", "anliegen").draw(rng, anliegen)
    own = np.where(status & _chance(rng, 0.6, n), blocks.pool("betreff_sachstand", "").draw(rng, np.zeros(n, np.int64)), own)
    subject = np.stack([
        blocks.pool("betreff_vorsatz", "").draw(rng, np.zeros(n, np.int64), (kanal == EMAIL) & _chance(rng, 0.1, n)),
        np.where(~vague & (status | _chance(rng, by_kanal(BETREFF_KONKRET), n)) & (own >= 0), own, blocks.pool("betreff", "").draw(rng, np.zeros(n, np.int64))),
    ], axis=1)
    return layout, urgency, subject


def _strings(values: np.ndarray | list) -> pa.Array:
    return pa.array(np.asarray(values, dtype=object), pa.string())


def _arrow(values: pd.Series) -> pa.Array:
    """A pandas text column as one Arrow string array (no copy through Python objects)."""
    arr = pa.array(values.reset_index(drop=True), from_pandas=True)
    return (arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr).cast(pa.string())


def _dates(days: np.ndarray) -> SlotValues:
    """Dates as ``TT.MM.JJJJ``, formatted once per distinct day."""
    unique, inverse = np.unique(days, return_inverse=True)
    stamps = pa.array(unique.astype("datetime64[D]").astype("datetime64[s]"))
    return pc.strftime(stamps, format="%d.%m.%Y"), inverse


def _per_row(values: pa.Array) -> SlotValues:
    return values, np.arange(len(values))


def _subset(values: pa.Array, rows: np.ndarray) -> SlotValues:
    """Values known only for the rows where ``rows`` is true (the others point at the first value)."""
    values = values if len(values) else _strings([""])
    return values, np.maximum(np.cumsum(rows) - 1, 0)


def _vocab(codes: np.ndarray, uniques: pd.Index, rows: np.ndarray) -> SlotValues:
    return _arrow(pd.Series(uniques)), codes[rows]


def _first_token(values: pd.Series) -> pa.Array:
    return pc.list_element(pc.split_pattern(_arrow(values), " ", max_splits=1), 0)


def _firm_names(ctx: Context, firm_rows: np.ndarray) -> pa.Array:
    """Business names without the holder's first name, so no full name of a resident lands in the text."""
    firms, people = ctx.table("gewerbe"), ctx.table("einwohner")
    if not len(firms):
        return _strings(np.full(len(firm_rows), ""))
    holder = positions(people["einwohner_id"], firms["inhaber_einwohner_id"].to_numpy()[firm_rows])
    names = _arrow(firms["name"].iloc[firm_rows])
    parts = pc.split_pattern(names, " ", max_splits=1)
    starts_with_first = pc.equal(pc.list_element(parts, 0), _first_token(people["vornamen"].iloc[holder]))
    rest = pc.list_element(pc.if_else(pc.greater(pc.list_value_length(parts), 1), parts, pa.scalar(["", ""], pa.list_(pa.string()))), 1)
    return pc.if_else(starts_with_first, rest, names)


def _plates(rng: np.random.Generator, kreis: np.ndarray, kreise: np.ndarray) -> pa.Array:
    """Number plates of the sender's Kreis (``kreise[kreis[i]]``), e.g. ``FG-AB 123``, from reference/kfz_kennzeichen.csv."""
    table = reference.load("kfz_kennzeichen")
    prefixes = table.kuerzel.to_numpy()
    prefix = np.zeros(len(kreis), np.int64)
    for k in np.unique(kreis):
        rows = np.flatnonzero(table.kreis_ags.to_numpy() == kreise[k])
        rows = rows if len(rows) else np.arange(len(table))
        mask = kreis == k
        w = table.gewicht.astype(float).to_numpy()[rows]
        prefix[mask] = rows[rng.choice(len(rows), size=int(mask.sum()), p=w / w.sum())]
    letters = [chr(c) for c in range(65, 91)]
    pairs = pa.array(letters + [a + b for a in letters for b in letters], pa.string())
    pair = np.where(rng.random(len(kreis)) < 0.3, rng.integers(0, 26, len(kreis)), rng.integers(26, 26 + 676, len(kreis)))
    numbers = pc.cast(pa.array(np.arange(1, 10000)), pa.string())
    number = np.minimum(np.floor(10 ** rng.uniform(0, 4, len(kreis))).astype(np.int64), 9999) - 1
    left = pc.binary_join_element_wise(_strings(prefixes).take(pa.array(prefix)), pairs.take(pa.array(pair)), "-")
    return pc.binary_join_element_wise(left, numbers.take(pa.array(number)), " ")


def _slots(ctx: Context, rng: np.random.Generator, blocks: Blocks, catalog: pd.DataFrame, msgs: pd.DataFrame) -> dict[str, SlotValues]:
    """Values of every slot: the register for addresses and names, the application for a status inquiry."""
    anliegen, day, anschrift = msgs["anliegen"].to_numpy(), msgs["day"].to_numpy(), msgs["anschrift"].to_numpy()
    firm, person_rows, firm_rows, antrag = (msgs[c].to_numpy() for c in ("firm", "person_row", "firm_row", "antrag"))
    n, status = len(day), antrag >= 0
    apps, services = ctx.table("antraege"), ctx.table("leistungen")
    places = ctx.table("anschriften")
    pos = positions(places["anschrift_id"], anschrift)
    ags_code, ags = pd.factorize(places["ags"].to_numpy(), sort=True)
    order = np.argsort(ags_code, kind="stable")
    lo = np.searchsorted(ags_code[order], ags_code[pos], side="left")
    hi = np.searchsorted(ags_code[order], ags_code[pos], side="right")
    nearby = order[lo + np.floor(rng.random(n) * (hi - lo)).astype(np.int64)]
    columns = {c: pd.factorize(places[c], sort=False) for c in ("strasse", "hausnummer", "plz", "ort")}
    kreise, kreis_of_ags = np.unique(np.asarray([str(a)[:5] for a in ags]), return_inverse=True)
    asked = apps.iloc[antrag[status]]
    filed_at = days_of(asked["eingangsdatum"])
    filed = day - rng.integers(0, 300, n)
    year = pc.cast(pa.array(year_month_day(filed)[0]), pa.string())
    number = pc.utf8_lpad(pc.cast(pa.array(rng.integers(1, 40000, n)), pa.string()), 5, "0")
    amt = _strings(catalog.amtsnummer.to_numpy()).take(pa.array(anliegen))
    file_number = pc.binary_join_element_wise(pc.binary_join_element_wise(amt, year, "-"), number, "/")  # Az. 64-2023/04711
    bb = np.flatnonzero(services["amt"].to_numpy() == "Bürgerbüro")
    service = np.where(status, 0, bb[rng.integers(0, len(bb), n)])
    service[status] = pd.Index(services["leika_schluessel"]).get_indexer(asked["leika_schluessel"].astype(str).to_numpy())
    past = day - rng.integers(1, 60, n)
    past[status] = filed_at
    return {
        **{c: _vocab(*columns[c], pos) for c in columns},
        "ortsstrasse": _vocab(*columns["strasse"], nearby),
        "aktenzeichen": (pa.concat_arrays([file_number, _arrow(asked["aktenzeichen"])]),
                         np.where(status, n + np.cumsum(status) - 1, np.arange(n))),
        "datum": _dates(past),
        "frist": _dates(day + rng.integers(3, 90, n)),
        "kennzeichen": _per_row(_plates(rng, kreis_of_ags[ags_code[pos]], kreise)),
        "leistung": (_arrow(services["leistung"]), service),
        **month_slots(blocks, rng, day),
        "uhrzeit": (_strings(["20:30", "21:00", "22:00", "22:30", "23:00", "23:30", "0:30", "1:00", "2:00"]), rng.integers(0, 9, n)),
        "jahre": (pc.cast(pa.array(np.arange(2, 41)), pa.string()), rng.integers(0, 39, n)),
        "vorname": _subset(_first_token(ctx.table("einwohner")["vornamen"].iloc[person_rows[~firm]]), ~firm),
        "firma": _subset(_firm_names(ctx, firm_rows[firm]), firm),
    }


def compose(ctx: Context, rng: np.random.Generator, params: dict, catalog: pd.DataFrame, msgs: pd.DataFrame) -> Messages:
    """Subjects, texts and urgency of all messages.

    ``msgs`` has one row per message: anliegen and second (catalog rows), kanal (index into
    KANAELE), firm (bool), day, anschrift, person_row, firm_row and antrag (row in
    `antraege` for a status inquiry, else -1).
    """
    blocks = Blocks(catalog, year_month_day(msgs["day"].to_numpy())[1] - 1)
    col = lambda name: msgs[name].to_numpy()  # noqa: E731
    kanal = col("kanal")
    layout, urgency, subject = _layout(blocks, rng, params, catalog, col("anliegen"), col("second"), kanal, col("firm"), col("antrag") >= 0)
    components = blocks.templates.with_suffix(layout, _separators(blocks, rng, layout))
    slots = _slots(ctx, rng, blocks, catalog, msgs)
    shares = params["tippfehler_anteil"]
    noisy = rng.random(len(kanal)) < np.array([float(shares.get(k, 0.0)) for k in KANAELE])[kanal]
    variant = np.where(noisy, rng.choice(len(VARIANTS), size=len(kanal), p=VARIANT_SHARES), 0)
    typos = np.where(noisy & ((variant == 0) | (rng.random(len(kanal)) < 0.5)), 1 + np.minimum(rng.poisson(0.8, len(kanal)), 3), 0)
    text = assemble(blocks.templates, components, slots, variant, typos, rng)
    betreff = assemble(blocks.templates, blocks.templates.with_suffix(subject), slots, np.where(variant == 1, 1, 0))
    return Messages(betreff=betreff, text=text, dringlichkeit=urgency)

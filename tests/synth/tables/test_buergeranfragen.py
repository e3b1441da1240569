"""Citizens' messages: senders from the register, addresses that match it, realistic labels and texts.

The leakage band (``test_label_is_learnable_but_not_trivial``): a TF-IDF model
(word 1-2-grams plus character 3-5-grams) with logistic regression, trained on
70 % of Musterstadt (about 3,000 messages in two years) and scored on the
rest, reaches an accuracy of 0.81 to 0.84 and a macro-F1 of 0.72 to 0.78 for
`kategorie` (seeds 1, 2, 3 and 42); always answering the largest class
(Termine und Öffnungszeiten) scores 0.16 to 0.17. The model is far above that
baseline because most messages name their concern in a core sentence. It
stays clearly below perfect because about a quarter of the messages are vague
(only sentences several concerns share, a generic subject), some carry a
second concern, and neighbouring categories share words (a Termin for a
Personalausweis, a lost wallet with the ID in it). Rare concerns are
described vaguely more often (people lack the technical term) and have few
training examples, so macro-F1 sits several points below accuracy, as in
real inboxes. The test accepts accuracy 0.70 to 0.92 and macro-F1 at least
0.02 below accuracy, wide enough for other seeds and small vocabulary edits.
The office (`zustaendiges_amt`) is easier, 0.86 to 0.88; urgency is hard,
0.64 to 0.67 against 0.53 to 0.57 for always answering "niedrig".
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sandbox.synth import reference
from sandbox.synth.processes.katalog import antragsjahre
from sandbox.synth.profile import load_profile

PLZ = re.compile(r"(?<![\d/\-.])\d{5}(?![\d])")
AKTENZEICHEN = re.compile(r"\b[A-Z]{2,3}-\d{4}-\d{6,}\b")
WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+")


@pytest.fixture(scope="module")
def msgs(musterstadt) -> pd.DataFrame:
    """Messages with the sender's registered address (resident's home or business premises)."""
    return musterstadt.sql(
        "select m.*, a.strasse, a.hausnummer, a.plz, a.ort, e.vornamen, e.familienname, e.geburtsdatum "
        "from buergeranfragen m "
        "left join einwohner e on e.einwohner_id = m.einwohner_id "
        "left join gewerbe g on g.betrieb_id = m.betrieb_id "
        "join anschriften a on a.anschrift_id = coalesce(e.anschrift_id, g.betriebsstaette_anschrift_id) "
        "order by m.anfrage_id"
    )


def test_volume_keys_and_sender_types(musterstadt, msgs) -> None:
    years = antragsjahre(load_profile("musterstadt"))  # messages cover the years that have applications
    expected = 60 / 1000 * musterstadt.manifest["population"] * years
    assert abs(len(msgs) - expected) < 0.05 * expected
    assert len(msgs) == len(musterstadt["buergeranfragen"])  # every sender has an address
    assert msgs.anfrage_id.tolist() == list(range(1, len(msgs) + 1))
    assert msgs.eingangszeitpunkt.is_monotonic_increasing
    person = msgs.absender_typ == "Person"
    assert (person == msgs.einwohner_id.notna()).all() and (~person == msgs.betrieb_id.notna()).all()
    assert 0.08 < (~person).mean() < 0.16


def test_senders_are_registered_adults_or_active_businesses(musterstadt) -> None:
    bad = musterstadt.sql(
        "select count(*) filter (where e.einzugsdatum > cast(m.eingangszeitpunkt as date)) as vor_einzug, "
        "count(*) filter (where e.abmeldedatum <= cast(m.eingangszeitpunkt as date)) as nach_abmeldung, "
        "count(*) filter (where e.geburtsdatum + interval 18 year > cast(m.eingangszeitpunkt as date)) as minderjaehrig "
        "from buergeranfragen m join einwohner e using (einwohner_id)"
    ).iloc[0]
    assert bad.to_dict() == {"vor_einzug": 0, "nach_abmeldung": 0, "minderjaehrig": 0}
    inactive = musterstadt.sql(
        "select count(*) as n from buergeranfragen m join gewerbe g using (betrieb_id) "
        "where g.anmeldedatum > cast(m.eingangszeitpunkt as date) or g.abmeldedatum <= cast(m.eingangszeitpunkt as date)"
    )["n"].iloc[0]
    assert inactive == 0


def test_address_in_text_is_the_senders_registered_address(msgs) -> None:
    quoted = [f"{s} {h}" in t for s, h, t in zip(msgs.strasse, msgs.hausnummer, msgs.text)]
    assert 0.25 < np.mean(quoted) < 0.8
    for text, plz in zip(msgs.text, msgs.plz):
        assert set(PLZ.findall(text)) <= {plz}, text
    for text, street, number in zip(msgs.text, msgs.strasse, msgs.hausnummer):
        for following in re.findall(re.escape(street) + r" (\d\S*)", text):
            assert following.rstrip(",.)") == number, text


def test_no_full_name_and_no_birth_date_of_the_sender(msgs) -> None:
    people = msgs[msgs.familienname.notna()]
    first = people.vornamen.str.split(" ").str[0]
    born = people.geburtsdatum.dt.strftime("%d.%m.%Y")
    for text, name, day in zip(people.text, first + " " + people.familienname, born):
        assert name not in text and day not in text
    signed = [t.rsplit("\n", 1)[-1].startswith(f) for t, f in zip(people.text, first)]
    assert np.mean(signed) > 0.2  # first names as signature are fine, and common


def test_status_inquiries_quote_the_senders_own_application(musterstadt, msgs) -> None:
    apps = musterstadt["antraege"].set_index("antrag_id")
    status = msgs[msgs.antrag_id.notna()]
    assert 0.04 < len(status) / len(msgs) < 0.12
    app = apps.loc[status.antrag_id.astype(int)]
    assert (app.einwohner_id.to_numpy() == status.einwohner_id.to_numpy()).sum() + status.betrieb_id.notna().sum() == len(status)
    assert (app.leika_schluessel.to_numpy() == status.leika_schluessel.to_numpy()).all()
    day = status.eingangszeitpunkt.dt.normalize().to_numpy()
    assert (day > app.eingangsdatum.to_numpy()).all()
    decided = app.bescheiddatum.to_numpy()
    assert (pd.isna(decided) | (day < decided)).all()
    for text, subject, az in zip(status.text, status.betreff, app.aktenzeichen):
        assert az in text + subject
    others = msgs[msgs.antrag_id.isna()]
    assert not any(AKTENZEICHEN.search(t + s) for t, s in zip(others.text, others.betreff))


def test_labels_follow_the_catalog_and_the_services(musterstadt, msgs) -> None:
    catalog = reference.load("anfrage_anliegen")
    assert catalog.groupby("kategorie").zustaendiges_amt.nunique().max() >= 2  # some categories split by content
    services = musterstadt["leistungen"].set_index("leika_schluessel")
    assert set(services.amt) < set(msgs.zustaendiges_amt)  # all twelve offices, and those without applications
    pairs = set(zip(catalog.kategorie, catalog.zustaendiges_amt))
    assert set(zip(msgs.kategorie, msgs.zustaendiges_amt)) <= pairs
    with_service = msgs[msgs.leika_schluessel.notna()]
    assert (services.amt.loc[with_service.leika_schluessel].to_numpy() == with_service.zustaendiges_amt.to_numpy()).all()
    assert 0.4 < msgs.leika_schluessel.notna().mean() < 0.9


def test_class_balance_is_realistic_not_uniform(msgs) -> None:
    shares = msgs.kategorie.value_counts(normalize=True)
    assert len(shares) == 21
    assert shares.iloc[0] > 8 * shares.iloc[-1] and shares.iloc[0] < 0.3
    assert set(shares.index[:4]) >= {"Termine und Öffnungszeiten", "Ausweis und Pass"}
    assert "Baumfällung" in shares.index[-3:]
    urgency = msgs.dringlichkeit.value_counts(normalize=True)
    assert urgency["niedrig"] > urgency["mittel"] > urgency["hoch"] > 0.05
    high = msgs.groupby("kategorie").dringlichkeit.apply(lambda d: (d == "hoch").mean())
    assert high["Straßen und Beleuchtung"] > 2 * high["Termine und Öffnungszeiten"]


def test_texts_vary_in_wording_length_and_form(msgs) -> None:
    assert msgs.text.nunique() > 0.99 * len(msgs)
    assert msgs.betreff.nunique() > 150
    length = msgs.text.str.len()
    assert length.min() < 100 and length.max() > 450 and length.quantile(0.9) > 1.8 * length.quantile(0.1)
    first_lines = msgs.text.str.split("\n").str[0]
    assert first_lines.str.startswith("Sehr geehrte").mean() > 0.2
    assert first_lines.str.match(r"(?i)(hallo|hi|moin|guten)").mean() > 0.1
    assert msgs.kanal.value_counts(normalize=True)["Brief"] > 0.1


def test_typo_share_follows_the_channel(musterstadt, msgs) -> None:
    blocks = reference.load("anfrage_bausteine")
    sources = [blocks.text, musterstadt["anschriften"].strasse, musterstadt["anschriften"].ort,
               musterstadt["einwohner"].vornamen, musterstadt["gewerbe"].name, musterstadt["leistungen"].leistung]
    known = {w for col in sources for value in col.dropna().unique() for w in WORD.findall(value)}
    words = lambda text: {w for w in WORD.findall(text) if len(w) > 1 and not w.isupper()}  # noqa: E731 (codes: BB-, FG-)
    noisy = pd.Series([not words(t) <= known for t in msgs.text], index=msgs.index)
    assert 0.2 < noisy.mean() < 0.4
    by_channel = noisy.groupby(msgs.kanal).mean()
    assert by_channel["Brief"] < 0.15 < by_channel["Kontaktformular"]


def test_arrival_times_follow_office_life(msgs) -> None:
    ts = msgs.eingangszeitpunkt
    first_year = 2025 - antragsjahre(load_profile("musterstadt"))
    assert ts.min() >= pd.Timestamp(f"{first_year}-01-01") and ts.max() < pd.Timestamp("2025-01-01")
    assert ts.min() < pd.Timestamp(f"{first_year}-01-08")
    weekend = ts.dt.day_of_week >= 5
    assert not weekend[msgs.kanal == "Brief"].any()
    assert 0.08 < weekend[msgs.kanal != "Brief"].mean() < 2 / 7
    assert ts.dt.hour.between(8, 16).mean() > 0.5 and ts.dt.hour.between(1, 5).mean() < 0.03


def test_same_seed_same_bytes_other_seed_other_messages(tmp_path: Path) -> None:
    from sandbox.synth.writer import generate_dataset

    def digest(seed: int, name: str) -> str:
        folder = generate_dataset("musterstadt", seed, population=3000, out=tmp_path / name)
        return hashlib.sha256((folder / "buergeranfragen.parquet").read_bytes()).hexdigest()

    assert digest(5, "a") == digest(5, "b") != digest(6, "c")


@pytest.mark.slow
def test_label_is_learnable_but_not_trivial(msgs) -> None:
    """See the module docstring for the band and why it is where it is."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline, make_union

    x = (msgs.betreff + "\n" + msgs.text).to_numpy()
    x_train, x_test, y_train, y_test = train_test_split(x, msgs.kategorie.to_numpy(), test_size=0.3, random_state=0,
                                                        stratify=msgs.kategorie)
    features = make_union(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=20000),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=3, sublinear_tf=True, max_features=20000),
    )
    model = make_pipeline(features, LogisticRegression(max_iter=300, C=10.0)).fit(x_train, y_train)
    predicted = model.predict(x_test)
    accuracy, macro_f1 = accuracy_score(y_test, predicted), f1_score(y_test, predicted, average="macro")
    majority = (y_test == pd.Series(y_train).mode()[0]).mean()
    assert majority < 0.25 and accuracy > majority + 0.45
    assert 0.70 <= accuracy <= 0.92
    assert 0.55 <= macro_f1 <= accuracy - 0.02


def test_routing_is_not_a_function_of_the_category(msgs) -> None:
    """In split categories the office differs, and the words of the letter say which one."""
    offices = pd.crosstab(msgs.kategorie, msgs.zustaendiges_amt, normalize="index")
    assert ((offices >= 0.1).sum(axis=1) >= 2).sum() >= 3
    modal = msgs.kategorie.map(offices.idxmax(axis=1))
    assert 0.02 < (msgs.zustaendiges_amt != modal).mean() < 0.2
    cues = {"Wirtschaftsförderung": r"Förder|Gründung|Gewerbefläche|Ansiedlung|Standort",
            "Abfallwirtschaft": r"[Tt]onne|Abfuhr|Säcke|Sperrmüllabholung|Papierkörbe",
            "Schulverwaltungsamt": r"[Ss]chul|eingeschult",
            "Umweltamt": r"Lärmmessung|Lüftungsanlage|Kühlaggregat|Maschinen|Immission|Wärmepumpe|Lieferwagen|Autowerkstatt"}
    for office, cue in cues.items():
        category = msgs.kategorie[msgs.zustaendiges_amt == office].mode()[0]
        same = msgs[msgs.kategorie == category]
        hit = same.text.str.contains(cue) | same.betreff.str.contains(cue)
        assert (same.zustaendiges_amt[hit] == office).mean() > 0.6, office  # the words carry the signal
        assert (same.zustaendiges_amt[~hit] == office).mean() < 0.4, office


MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
          "Dezember")


def test_letters_do_not_contradict_their_date(msgs) -> None:
    month = msgs.eingangszeitpunkt.dt.month
    seasonal = 0
    for pattern, allowed in ((r"Sommerfest", range(1, 8)), (r"Nach dem Frost", range(1, 5)),
                             (r"Laubbläser", range(9, 12)), (r"im Sommer in die USA", range(1, 7))):
        found = msgs.text.str.contains(pattern)
        seasonal += int(found.sum())
        assert month[found].isin(list(allowed)).all(), pattern
    assert seasonal >= 5  # season-bound topics are there, in their season
    festival = msgs.text.str.extract(r"im (\w+) ein Sommerfest")[0].dropna()
    assert festival.isin(["Juni", "Juli", "August"]).all()
    blocks = reference.load("anfrage_bausteine").text
    names = "(" + "|".join(MONTHS) + ")"
    for slot, lo, hi in (("{monat}", 1, 6), ("{monat_vergangen}", 4, 11)):  # months ahead, months back
        phrases = [re.sub(r"\\\{\w+\\\}", ".+?", re.escape(t).replace(re.escape(slot), names, 1)) for t in blocks if slot in t]
        named = msgs.text.str.extract("(?:" + "|".join(phrases) + ")")  # typo-free occurrences of the blocks
        named = named.bfill(axis=1).iloc[:, 0]
        rows = named.notna()
        assert rows.sum() >= (10 if slot == "{monat}" else 1), slot
        gap = (named[rows].map(MONTHS.index) + 1 - month[rows]) % 12
        assert gap.between(lo, hi).all(), slot


def test_openings_fit_a_town_hall_inbox(msgs) -> None:
    first = msgs.text.str.split("\n").str[0]
    assert not first.str.match(r"(Hi|Moin|Hey)\b").any()
    letters = first[msgs.kanal == "Brief"]
    assert not letters.str.match(r"Hallo").any()  # a letter on paper opens formally
    digital = first[msgs.kanal != "Brief"]
    assert 0.1 < digital.str.match(r"Hallo").mean() < 0.6  # e-mails and forms mix formal and informal

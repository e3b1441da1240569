"""Family names: the long tail of real German names, ranked by one rank law, cleaned of tokens that are not names."""

from __future__ import annotations

import re

import numpy as np

from sandbox.synth import reference
from sandbox.synth.population import namen

EXPONENT = 0.55  # profile sachsen, namen.familiennamen_exponent


def _reference_band(key: str) -> tuple[float, float]:
    row = reference.load("realismus_referenz").set_index("kennzahl").loc[key]
    return float(row.wert) - float(row.toleranz), float(row.wert) + float(row.toleranz)


def test_two_million_households_draw_thousands_of_names_and_mueller_as_often_as_the_dfd_counts() -> None:
    """Saxony has about two million households: each German name of the vocabulary turns up, none dominates."""
    rng = np.random.default_rng(11)
    drawn = namen.family_name_index(rng, 2_000_000, EXPONENT)
    counts = np.bincount(drawn, minlength=len(namen.family_name_vocabulary()))
    assert (counts > 0).sum() >= 5_000  # issue 11: at least 5,000 distinct surnames in sachsen
    top = int(counts.argmax())
    assert namen.family_name_vocabulary()[top] == "Müller"
    low, high = _reference_band("haeufigster_familienname")  # DFD: 256,003 connections x 2.8 of 82 million
    assert low < counts[top] / len(drawn) < high
    # the second name is rarer by the rank law (DFD: Schmidt 190,584 against Müller 256,003)
    second = namen.family_name_vocabulary().index("Schmidt")
    assert 0.6 < counts[second] / counts[top] < 0.8


def test_published_ranks_come_first_and_the_tail_follows_no_alphabet() -> None:
    names, ranks = namen.german_family_name_ranks()
    published = reference.load("familiennamen_rang")
    head = published.sort_values("rang", key=lambda r: r.astype(int)).familienname.tolist()
    assert list(names[:len(head)]) == head
    tail = list(names[len(head):])
    assert len(tail) > 2_000 and (ranks[len(head):] > ranks[:len(head)].max()).all()
    assert tail != sorted(tail)  # an alphabetical tail would make every Z-name the rarest
    assert len(set(names)) == len(names)


def test_wiktionary_names_are_clean_and_sourced() -> None:
    frame = reference.load("familiennamen_wiktionary")
    assert frame.familienname.str.fullmatch(r"[A-ZÄÖÜ][a-zäöüß]{2,}").all()
    first = set(reference.load("vornamen").vorname) | set(reference.load("vornamen_haeufig").vorname)
    assert not set(frame.familienname) & (first | set(reference.load("familiennamen_rang").familienname))
    assert frame.quelle.str.contains("CC BY-SA 4.0").all() and frame.quelle.str.contains("Wiktionary").all()
    assert not frame.familienname.str.contains(re.compile(r"II|^auch")).any()

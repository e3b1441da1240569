"""The demographic reference model: regional age structure, cohorts, mortality, marriage by cohort."""

from __future__ import annotations

import numpy as np

from sandbox.synth import reference
from sandbox.synth.population import demografie


def _share(weights: np.ndarray, lo: int, hi: int = demografie.MAX_AGE) -> float:
    return float(weights[:, lo:hi + 1].sum())


def test_each_kreis_gets_its_own_age_structure() -> None:
    leipzig, goerlitz = demografie.age_weights("14713"), demografie.age_weights("14626")
    assert abs(leipzig.sum() - 1) < 1e-9 and abs(goerlitz.sum() - 1) < 1e-9
    kreise = reference.load("kreise_demografie").set_index("kreis_ags")
    for kreis, weights in (("14713", leipzig), ("14626", goerlitz)):
        # the five-year blending at band edges moves a share by well under a point
        assert abs(_share(weights, 65) - float(kreise.loc[kreis, "anteil_ab_65"])) < 0.01
        assert abs(_share(weights, 0, 17) - float(kreise.loc[kreis, "anteil_unter_18"])) < 0.01
    assert _share(goerlitz, 65) > _share(leipzig, 65) + 0.08


def test_cohorts_show_the_birth_slump_and_centenarians() -> None:
    saxony = demografie.age_weights("14522").sum(axis=0)
    born_1993, born_1989 = saxony[2024 - 1993], saxony[2024 - 1989]
    assert born_1993 < 0.7 * born_1989  # births fell from about 50,000 to about 23,000 after 1990
    assert saxony[100:].sum() * 4_090_000 > 300  # centenarians exist
    # no jump of more than 15 % between neighbouring years where births changed slowly (born 1965-1984),
    # but the end of the war shows (born 1945 against 1942)
    steady = np.arange(40, 60)
    assert (np.abs(saxony[steady + 1] / saxony[steady] - 1) < 0.15).all()
    assert saxony[2024 - 1945] < 0.85 * saxony[2024 - 1942]


def test_men_die_younger_than_women() -> None:
    ages = np.arange(30, 95)
    men = demografie.death_probability(ages, np.zeros(len(ages), np.int64))
    women = demografie.death_probability(ages, np.ones(len(ages), np.int64))
    assert (men > women).all()
    assert demografie.survival(np.array([0]), np.array([80]), np.array([0]))[0] < \
        demografie.survival(np.array([0]), np.array([80]), np.array([1]))[0]


def test_gdr_cohorts_married_earlier() -> None:
    mean, ever = demografie.first_marriage(np.array([1955, 1992]), np.array([1, 1]))
    assert mean[0] < 24 and mean[1] > 29
    assert ever[0] > ever[1]

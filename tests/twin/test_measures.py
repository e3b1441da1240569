"""Risk and utility measures and the gate, on cell arrays: a copying twin is refused, an independent one is not."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sandbox.twin.domain import Domain, DomainColumn
from sandbox.twin.gate import REFUSE, RELEASE, REVIEW, Thresholds, decide
from sandbox.twin.risk import measure_risk
from sandbox.twin.stats import attack_risk, wilson
from sandbox.twin.utility import independent_baseline, measure_utility


def _domain() -> Domain:
    return Domain(columns=tuple(DomainColumn(f"k{j}", "kategorie", "string", values=tuple("abcdefgh"[:size]))
                                for j, size in enumerate((2, 4, 8, 5, 3, 6))))


def _population(rows: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    first = rng.integers(0, 2, rows)
    columns = [first, (first * 2 + rng.integers(0, 2, rows)) % 4]  # k1 depends on k0
    columns += [rng.integers(0, size, rows) for size in (8, 5, 3, 6)]
    return np.column_stack(columns).astype(np.int32)


def test_wilson_and_normalised_risk() -> None:
    p, lo, hi = wilson(50, 100)
    assert p == 0.5 and 0.40 < lo < 0.41 and 0.59 < hi < 0.60
    assert attack_risk((0.6, 0.5, 0.7), (0.2, 0.1, 0.3)) == pytest.approx((0.5, 0.375, 0.625))
    assert all(math.isnan(x) for x in wilson(0, 0))


def test_a_twin_that_copies_records_is_refused() -> None:
    data = _population(6_000, 1)
    train, control = data[:4_000], data[4_000:5_000]
    measures = measure_risk(train, control, train.copy(), _domain(), seed=2)
    by_key = {m.key: m for m in measures}
    # a quarter of the train records is evaluated (as many as there are control records), so the copy's risk
    # shows diluted to about that share, far above the refusal threshold
    assert by_key["singling_out_risiko"].low > Thresholds().risk_refuse
    assert by_key["dcr_anteil_naeher_am_original"].value > 0.6
    assert by_key["exakte_kopien_anteil"].value > by_key["exakte_kopien_anteil"].baseline
    verdict, findings = decide(measures, epsilon=1.0, rows=5_000, derived=[])
    assert verdict == REFUSE and any("Herausgreifen" in f.text for f in findings)


def test_a_twin_from_other_people_carries_no_risk_and_passes() -> None:
    data = _population(9_000, 3)
    train, control, other = data[:4_000], data[4_000:5_000], data[5_000:]  # "twin": fresh people, same law
    measures = measure_risk(train, control, other, _domain(), seed=4)
    utility = measure_utility(train, control, other, _domain(), seed=4, target="k1")
    for m in measures[:3]:
        assert m.low <= 0.05, m
    by_key = {m.key: m for m in utility}
    assert by_key["tvd_2_weg"].value < by_key["tvd_2_weg"].baseline  # it keeps the k0-k1 dependence
    assert by_key["ttr_genauigkeit"].value > by_key["ttr_genauigkeit"].baseline
    assert decide([*measures, *utility], epsilon=1.0, rows=5_000, derived=[])[0] == RELEASE


def test_gate_rules_for_epsilon_size_and_derived_domain() -> None:
    assert decide([], 12.0, 5_000, [])[0] == REFUSE
    assert decide([], 6.0, 5_000, [])[0] == REVIEW
    assert decide([], 1.0, 200, [])[0] == REVIEW
    verdict, findings = decide([], 1.0, 5_000, ["ortsteil"])
    assert verdict == REVIEW and "ortsteil" in findings[0].text
    assert decide([], 6.0, 5_000, [], Thresholds(epsilon_review=8.0))[0] == RELEASE


def test_independent_baseline_keeps_columns_but_breaks_pairs() -> None:
    data = _population(5_000, 6)
    base = independent_baseline(data, 5_000, seed=1)
    assert abs(base[:, 0].mean() - data[:, 0].mean()) < 0.03
    assert (data[:, 1] // 2 == data[:, 0]).mean() == 1.0 and (base[:, 1] // 2 == base[:, 0]).mean() < 0.7

"""Utility measured: how well the twin answers what a lab team would ask, against a naive baseline.

The baseline draws every column independently from the real one-way
distributions (without noise, so a strict scale): a twin that is not clearly
better than it has learnt nothing about how columns go together.

- 1-way and 2-way marginals: total variation distance (TVD) to the records
  the twin was made from, averaged over columns and column pairs;
- counting queries: counts by the workload columns (age group, sex,
  municipality, nationality, status, as the domain names them) and their
  pairs, relative error of the twin's count scaled to the real total;
- train on twin, test on real: a classifier for the user's target column,
  trained on the twin, tested on the held-out control records.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from sandbox.twin.stats import Measure, mean_interval, wilson

if TYPE_CHECKING:
    import numpy as np

    from sandbox.twin.domain import Domain

__all__ = ["measure_utility", "independent_baseline", "workload_columns", "COUNT_FLOOR"]

#: relative errors are taken against at least this count, so a cell of 1 does not dominate (Annahme)
COUNT_FLOOR = 10
#: name parts of typical workload columns (Annahme: the counts a municipal statistics office publishes)
_WORKLOAD = ("alter", "geburt", "geschlecht", "ags", "gemeinde", "staatsangeh", "status", "stand")
_FIT_ROWS = 10_000  # rows a classifier is trained on (Annahme: seconds on 2 cores)
_TREES = 30  # boosting rounds per class (Annahme: the accuracy levels off here on register tables)


def independent_baseline(train: "np.ndarray", rows: int, seed: int) -> "np.ndarray":
    """Each column drawn on its own from the real column: what a twin without any model gives."""
    import numpy as np

    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xBA5E]))
    return np.column_stack([rng.choice(train[:, j], size=rows) for j in range(train.shape[1])])


def _tvd(a: "np.ndarray", b: "np.ndarray", size: int) -> float:
    import numpy as np

    pa = np.bincount(a, minlength=size) / max(len(a), 1)
    pb = np.bincount(b, minlength=size) / max(len(b), 1)
    return float(0.5 * np.abs(pa - pb).sum())


def _pair_codes(cells: "np.ndarray", i: int, j: int, size_j: int) -> "np.ndarray":
    return cells[:, i].astype("int64") * size_j + cells[:, j]


def _marginals(real: "np.ndarray", other: "np.ndarray", sizes: list[int], ways: int) -> list[float]:
    if ways == 1:
        return [_tvd(real[:, j], other[:, j], sizes[j]) for j in range(len(sizes))]
    return [_tvd(_pair_codes(real, i, j, sizes[j]), _pair_codes(other, i, j, sizes[j]), sizes[i] * sizes[j])
            for i, j in itertools.combinations(range(len(sizes)), 2)]


def workload_columns(domain: "Domain") -> list[int]:
    """Columns of the counting queries: the domain's ``abfragen``, else the typical names, else the first three."""
    if domain.queries:
        return [domain.names.index(q) for q in domain.queries]
    found = [j for j, n in enumerate(domain.names) if any(part in n for part in _WORKLOAD)]
    return found or list(range(min(3, len(domain.names))))


def _query_errors(real: "np.ndarray", other: "np.ndarray", sizes: list[int], columns: list[int]) -> list[float]:
    import numpy as np

    scale = len(real) / max(len(other), 1)
    errors: list[float] = []
    groups = [(j,) for j in columns] + list(itertools.combinations(columns, 2))
    for group in groups:
        if len(group) == 1:
            size, a, b = sizes[group[0]], real[:, group[0]], other[:, group[0]]
        else:
            i, j = group
            size, a, b = sizes[i] * sizes[j], _pair_codes(real, i, j, sizes[j]), _pair_codes(other, i, j, sizes[j])
        true, est = np.bincount(a, minlength=size), np.bincount(b, minlength=size) * scale
        cells = true > 0
        errors += (np.abs(est - true)[cells] / np.maximum(true[cells], COUNT_FLOOR)).tolist()
    return errors


def _accuracy(fit_on: "np.ndarray", test_on: "np.ndarray", target: int, domain: "Domain", seed: int
              ) -> tuple[float, float, float]:
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    features = [j for j in range(fit_on.shape[1]) if j != target]
    nominal = np.array([domain.columns[j].kind == "kategorie" for j in features])
    rng = np.random.default_rng(seed)
    rows = fit_on[rng.choice(len(fit_on), size=min(_FIT_ROWS, len(fit_on)), replace=False)]
    if len(np.unique(rows[:, target])) < 2:  # one class only: the model predicts it
        hits = int((test_on[:, target] == rows[0, target]).sum())
        return wilson(hits, len(test_on))
    from threadpoolctl import threadpool_limits

    model = HistGradientBoostingClassifier(max_iter=_TREES, categorical_features=nominal, early_stopping=False,
                                           random_state=seed)
    with threadpool_limits(1):  # OpenMP threads spin against each other on a shared 2-core machine (10x the CPU)
        model.fit(rows[:, features], rows[:, target])
        hits = int((model.predict(test_on[:, features]) == test_on[:, target]).sum())
    return wilson(hits, len(test_on))


def measure_utility(train: "np.ndarray", control: "np.ndarray", twin: "np.ndarray", domain: "Domain", seed: int,
                    target: str | None = None) -> list[Measure]:
    """The utility measures of ``twin`` against the independent baseline."""
    import numpy as np

    sizes = [c.size for c in domain.columns]
    baseline = independent_baseline(train, len(twin), seed)
    measures = []
    for ways, label in ((1, "einzelne Spalten"), (2, "Spaltenpaare")):
        tw, base = mean_interval(_marginals(train, twin, sizes, ways)), mean_interval(_marginals(train, baseline, sizes, ways))
        measures.append(Measure(f"tvd_{ways}_weg", f"Mittlere Totalvariationsdistanz, {label} (0 = gleich, 1 = "
                                "völlig verschieden; Intervall: Streuung über die Spalten)", *tw, *base,
                                "unabhängige Spalten (naiver Vergleich)"))
    columns = workload_columns(domain)
    errors = {name: np.asarray(_query_errors(train, data, sizes, columns)) for name, data in
              (("twin", twin), ("base", baseline))}
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x0E77]))
    medians = {}
    for name, err in errors.items():
        boot = [np.median(rng.choice(err, size=len(err))) for _ in range(200)] if len(err) else [np.nan]
        medians[name] = (float(np.median(err)) if len(err) else np.nan, float(np.percentile(boot, 2.5)),
                         float(np.percentile(boot, 97.5)))
    names = ", ".join(domain.names[j] for j in columns)
    measures.append(Measure("zaehlabfragen_median_relativer_fehler", f"Zählabfragen nach {names} und ihren Paaren: "
                            "Median des relativen Fehlers", *medians["twin"], *medians["base"],
                            "unabhängige Spalten (naiver Vergleich)"))
    if target is not None and target in domain.names and len(control):
        j = domain.names.index(target)
        measures.append(Measure("ttr_genauigkeit", f"Auf dem Zwilling trainiert, an echten Daten getestet: Treffer"
                                f"quote für {target}", *_accuracy(twin, control, j, domain, seed),
                                *_accuracy(baseline, control, j, domain, seed), "dasselbe Modell auf unabhängigen "
                                "Spalten trainiert", better="higher"))
    return measures

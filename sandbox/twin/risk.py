"""Privacy measured: attacks on the twin, each against the held-out control records.

After Giomi et al., "A Unified Framework for Quantifying Privacy Risk in
Synthetic Data" (PoPETs 2023; the method of the anonymeter library, which
does not install beside numpy 2): an attack guesses something about real
records using only the twin. Run against records that went into the twin
(``train``) and against records that did not (``control``, never seen by the
mechanism), the difference is what the twin leaks beyond what anybody could
guess from the population. Both sets have the same size here, so chance
matches are equally likely in both.

- singling-out: a predicate built from a twin record that is unique in the
  twin; success if it matches exactly one record of the set;
- linkability: the columns split in two halves; success if a record's
  nearest twin neighbour on one half is its nearest on the other;
- attribute inference: the nearest twin record on all other columns guesses
  the secret column;
- distance to closest record (DCR): share of twin records closer to a train
  record than to a control record (0.5 when nothing is memorised);
- exact copies and rare combinations: share of twin records identical to a
  record of the set, and to a record that is unique in the set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from sandbox.twin.stats import Measure, attack_risk, cell_distances, wilson

if TYPE_CHECKING:
    import numpy as np

    from sandbox.twin.domain import Domain

__all__ = ["measure_risk", "ATTACKS", "POOL"]

ATTACKS = 500  # attacks per measure (Annahme: Giomi et al. evaluate with 500 to 2,000)
POOL = 5_000  # twin records searched for nearest neighbours (Annahme: keeps the search under seconds)
_SECRETS = 5  # columns attacked by attribute inference (the target first)
_CHUNK = 64


def _rows_as_keys(cells: "np.ndarray") -> "np.ndarray":
    import numpy as np

    flat = np.ascontiguousarray(cells.astype(np.int32))
    return flat.view(np.dtype((np.void, flat.dtype.itemsize * flat.shape[1]))).ravel()


def _singling_out(twin: "np.ndarray", sets: Sequence["np.ndarray"], rng: "np.random.Generator") -> list[int]:
    """Successes of the same predicates on each set."""
    import numpy as np

    wins = [0] * len(sets)
    for index in rng.choice(len(twin), size=min(ATTACKS, len(twin)), replace=False):
        record, mask = twin[index], np.ones(len(twin), dtype=bool)
        columns: list[int] = []
        for j in rng.permutation(twin.shape[1]):
            mask &= twin[:, j] == record[j]
            columns.append(int(j))
            if mask.sum() == 1:
                break
        for s, data in enumerate(sets):
            wins[s] += int((data[:, columns] == record[columns]).all(axis=1).sum() == 1)
    return wins


def _nearest(targets: "np.ndarray", pool: "np.ndarray", domain: "Domain", groups: dict[str, list[int]]
             ) -> dict[str, "np.ndarray"]:
    """Index of the nearest pool record per target, for the distance over each column group."""
    import numpy as np

    found: dict[str, list[np.ndarray]] = {name: [] for name in groups}
    for start in range(0, len(targets), _CHUNK):
        parts = cell_distances(targets[start:start + _CHUNK], pool, domain)
        for name, cols in groups.items():
            found[name].append(parts[:, :, cols].sum(axis=2).argmin(axis=1))
    return {name: np.concatenate(parts) for name, parts in found.items()}


def _closest(records: "np.ndarray", data: "np.ndarray", domain: "Domain") -> "np.ndarray":
    import numpy as np

    out = [cell_distances(records[s:s + _CHUNK], data, domain).sum(axis=2).min(axis=1)
           for s in range(0, len(records), _CHUNK)]
    return np.concatenate(out) if out else np.zeros(0)


def _risk_measure(key: str, label: str, train_wins: int, control_wins: int, trials: int) -> Measure:
    attack, control = wilson(train_wins, trials), wilson(control_wins, trials)
    risk = attack_risk(attack, control)
    return Measure(key, label, risk[0], risk[1], risk[2], baseline=control[0], baseline_low=control[1],
                   baseline_high=control[2], baseline_label="Erfolgsquote gegen Kontrolldatensätze")


def _share_measure(key: str, label: str, twin: "np.ndarray", train: "np.ndarray", control: "np.ndarray",
                   unique_only: bool) -> Measure:
    import numpy as np

    twin_keys = _rows_as_keys(twin)
    shares = []
    for data in (train, control):
        keys, counts = np.unique(_rows_as_keys(data), return_counts=True)
        chosen = keys[counts == 1] if unique_only else keys
        shares.append(wilson(int(np.isin(twin_keys, chosen).sum()), len(twin_keys)))
    (p, lo, hi), (b, blo, bhi) = shares
    return Measure(key, label, p, lo, hi, b, blo, bhi, "dieselbe Quote gegen Kontrolldatensätze")


def measure_risk(train: "np.ndarray", control: "np.ndarray", twin: "np.ndarray", domain: "Domain",
                 seed: int, target: str | None = None) -> list[Measure]:
    """The privacy measures of ``twin`` made from ``train``, with ``control`` as the baseline."""
    import numpy as np

    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x715C]))
    size = min(len(train), len(control))
    train_eval = train[rng.choice(len(train), size=size, replace=False)]
    control_eval = control[rng.choice(len(control), size=size, replace=False)]
    pool = twin[rng.choice(len(twin), size=min(POOL, len(twin)), replace=False)]
    measures = []

    wins = _singling_out(twin, [train_eval, control_eval], rng)
    trials = min(ATTACKS, len(twin))
    measures.append(_risk_measure("singling_out_risiko", "Herausgreifen (Singling-out)", wins[0], wins[1], trials))

    d = len(domain.columns)
    order = rng.permutation(d)
    names = domain.names
    secrets = ([names.index(target)] if target in names else []) + [j for j in range(d) if names[j] != target]
    groups = {"a": sorted(order[: d // 2].tolist()), "b": sorted(order[d // 2:].tolist())}
    groups |= {f"s{j}": [k for k in range(d) if k != j] for j in secrets[:_SECRETS]}
    attacked = min(ATTACKS, size)
    results = []
    for data in (train_eval, control_eval):
        targets = data[:attacked]
        near = _nearest(targets, pool, domain, groups)
        link = int((near["a"] == near["b"]).sum())
        infer = {j: int((pool[near[f"s{j}"], j] == targets[:, j]).sum()) for j in secrets[:_SECRETS]}
        results.append((link, infer))
    measures.append(_risk_measure("verknuepfung_risiko", "Verknüpfen (Linkability)", results[0][0], results[1][0],
                                  attacked))
    worst = max(secrets[:_SECRETS], key=lambda j: results[0][1][j] - results[1][1][j])
    measures.append(_risk_measure("rueckschluss_risiko", f"Rückschluss auf ein Merkmal (schlechteste Spalte: "
                                  f"{names[worst]})", results[0][1][worst], results[1][1][worst], attacked))

    probes = pool[:attacked]
    to_train, to_control = _closest(probes, train_eval, domain), _closest(probes, control_eval, domain)
    closer = float((to_train < to_control).sum() + 0.5 * (to_train == to_control).sum())
    p, lo, hi = wilson(closer, len(probes))
    measures.append(Measure("dcr_anteil_naeher_am_original", "Zwillingsdatensätze näher an einem verwendeten als an "
                            "einem zurückgehaltenen Datensatz", p, lo, hi, 0.5, 0.5, 0.5,
                            "0,5: kein Unterschied (nichts auswendig gelernt)"))
    measures.append(_share_measure("exakte_kopien_anteil", "Zwillingsdatensätze, die einem echten Datensatz "
                                   "gleichen (in den Zellen der Domäne)", twin, train_eval, control_eval, False))
    measures.append(_share_measure("seltene_kombinationen_anteil", "Zwillingsdatensätze, die eine im Original "
                                   "einmalige Kombination wiedergeben", twin, train_eval, control_eval, True))
    return measures

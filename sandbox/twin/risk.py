"""Privacy measured: attacks on the twin, each against the held-out control records.

After Giomi et al., "A Unified Framework for Quantifying Privacy Risk in
Synthetic Data" (PoPETs 2023; the method of the anonymeter library, which
does not install beside numpy 2): an attack guesses something about real
records using only the twin. Run against records that went into the twin
(``train``) and against records that did not (``control``, never seen by the
mechanism), the difference is what the twin leaks beyond what anybody could
guess from the population. Both sets have the same size here, so chance
matches are equally likely in both.

- singling-out: a predicate built from a twin record that is unique in a
  twin sample as large as the set; success if it matches exactly one record
  of the set (the same predicates against both sets);
- linkability: the columns split in two halves; success if a record's
  nearest twin neighbour on one half is its nearest on the other;
- attribute inference: the nearest twin record on all other columns guesses
  the secret column;
- distance to closest record (DCR): share of train records that lie closer
  to the twin than a control record does (0.5 when nothing is memorised);
- exact copies and rare combinations: share of the set's records that the
  twin holds exactly, and of those unique in the set.

All measures use equal-sized samples of both sets. The neighbour measures
look from the real records towards the twin, so a copied record is found
however large the twin is; they search a sample of the twin (:data:`POOL`)
in blocks, one column at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from sandbox.twin.stats import Measure, attack_risk, column_distance, wilson

if TYPE_CHECKING:
    import numpy as np

    from sandbox.twin.domain import Domain

__all__ = ["measure_risk", "ATTACKS", "POOL"]

ATTACKS = 500  # attacks per measure (Annahme: Giomi et al. evaluate with 500 to 2,000)
POOL = 50_000  # twin records searched for nearest neighbours (Annahme: keeps the search within seconds)
_SECRETS = 5  # columns attacked by attribute inference (the target first)
_BLOCK = 4_000_000  # distance cells of one block of targets (16 MB of float32 per array)


def _rows_as_keys(cells: "np.ndarray") -> "np.ndarray":
    import numpy as np

    flat = np.ascontiguousarray(cells.astype(np.int32))
    return flat.view(np.dtype((np.void, flat.dtype.itemsize * flat.shape[1]))).ravel()


def _predicates(twin: "np.ndarray", count: int, rng: "np.random.Generator") -> list[tuple[list[int], "np.ndarray"]]:
    """Predicates (columns, values) from twin records, each as specific as needed to be unique in ``twin``;
    a record that stays ambiguous on all columns gives none."""
    import numpy as np

    out = []
    for index in rng.choice(len(twin), size=min(count, len(twin)), replace=False):
        record, mask = twin[index], np.ones(len(twin), dtype=bool)
        columns: list[int] = []
        for j in rng.permutation(twin.shape[1]):
            mask &= twin[:, j] == record[j]
            columns.append(int(j))
            if mask.sum() == 1:
                out.append((columns, record[columns]))
                break
    return out


def _singled_out(predicates: list[tuple[list[int], "np.ndarray"]], data: "np.ndarray") -> int:
    return sum(int((data[:, cols] == values).all(axis=1).sum() == 1) for cols, values in predicates)


def _singling_out(twin: "np.ndarray", train: "np.ndarray", control: "np.ndarray", rng: "np.random.Generator"
                  ) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """Success rates (Wilson) of the same predicates against train records and against control records.

    As in Giomi et al., the predicates come from the twin alone and both sets
    are judged with the same predicates; ``train`` and ``control`` have the
    same size, so a predicate is as likely to single out a record by chance in
    either. The predicates are made unique in a twin sample of that size, so
    they are as specific as a record of a set that large needs to be.
    """
    sample = twin[rng.choice(len(twin), size=min(len(train), len(twin)), replace=False)]
    predicates = _predicates(sample, ATTACKS, rng)
    return (wilson(_singled_out(predicates, train), len(predicates)),
            wilson(_singled_out(predicates, control), len(predicates)))


def _search(targets: "np.ndarray", pool: "np.ndarray", domain: "Domain", half: list[int], secrets: list[int]
            ) -> tuple[dict[str, "np.ndarray"], "np.ndarray"]:
    """Nearest pool record per target on each half of the columns (``a``, ``b``) and on all columns but each
    secret (``s<j>``), and the distance to the nearest on all columns.

    One pass over the columns per block of targets: the distance over all
    columns is summed once, the others are differences from it, so no
    (targets x pool x columns) array is ever held.
    """
    import numpy as np

    found: dict[str, list[np.ndarray]] = {name: [] for name in ["a", "b", *(f"s{j}" for j in secrets)]}
    closest: list[np.ndarray] = []
    step = max(1, _BLOCK // max(len(pool), 1))
    for start in range(0, len(targets), step):
        block = targets[start:start + step]
        total = np.zeros((len(block), len(pool)), dtype=np.float32)
        first = np.zeros_like(total)
        kept: dict[int, np.ndarray] = {}
        for j, col in enumerate(domain.columns):
            dist = column_distance(block[:, j], pool[:, j], col)
            total += dist
            if j in half:
                first += dist
            if j in secrets:
                kept[j] = dist
        found["a"].append(first.argmin(axis=1))
        found["b"].append((total - first).argmin(axis=1))
        for j in secrets:
            found[f"s{j}"].append((total - kept[j]).argmin(axis=1))
        closest.append(total.min(axis=1))
    return {name: np.concatenate(parts) for name, parts in found.items()}, np.concatenate(closest)


def _risk_measure(key: str, label: str, attack: tuple[float, float, float], control: tuple[float, float, float]
                  ) -> Measure:
    risk = attack_risk(attack, control)
    return Measure(key, label, risk[0], risk[1], risk[2], baseline=control[0], baseline_low=control[1],
                   baseline_high=control[2], baseline_label="Erfolgsquote gegen Kontrolldatensätze")


def _share_measure(key: str, label: str, twin: "np.ndarray", train: "np.ndarray", control: "np.ndarray",
                   unique_only: bool) -> Measure:
    """Share of real records (of those unique in their set, if ``unique_only``) that reappear in the twin."""
    import numpy as np

    twin_keys = _rows_as_keys(twin)
    shares = []
    for data in (train, control):
        keys, counts = np.unique(_rows_as_keys(data), return_counts=True)
        chosen = keys[counts == 1] if unique_only else _rows_as_keys(data)
        shares.append(wilson(int(np.isin(chosen, twin_keys).sum()), len(chosen)))
    (p, lo, hi), (b, blo, bhi) = shares
    return Measure(key, label, p, lo, hi, b, blo, bhi, "dieselbe Quote für zurückgehaltene Datensätze")


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

    wins = _singling_out(twin, train_eval, control_eval, rng)
    measures.append(_risk_measure("singling_out_risiko", "Herausgreifen (Singling-out)", *wins))

    d = len(domain.columns)
    names = domain.names
    half = sorted(rng.permutation(d)[: d // 2].tolist())
    secrets = (([names.index(target)] if target in names else []) + [j for j in range(d) if names[j] != target])
    secrets = secrets[:_SECRETS]
    attacked = min(ATTACKS, size)
    results, distances = [], []
    for data in (train_eval, control_eval):
        targets = data[:attacked]
        near, closest = _search(targets, pool, domain, half, secrets)
        link = int((near["a"] == near["b"]).sum())
        infer = {j: int((pool[near[f"s{j}"], j] == targets[:, j]).sum()) for j in secrets}
        results.append((link, infer))
        distances.append(closest)
    measures.append(_risk_measure("verknuepfung_risiko", "Verknüpfen (Linkability)", wilson(results[0][0], attacked),
                                  wilson(results[1][0], attacked)))
    worst = max(secrets, key=lambda j: results[0][1][j] - results[1][1][j])
    measures.append(_risk_measure("rueckschluss_risiko", f"Rückschluss auf ein Merkmal (schlechteste Spalte: "
                                  f"{names[worst]})", wilson(results[0][1][worst], attacked),
                                  wilson(results[1][1][worst], attacked)))

    to_train, to_control = distances
    closer = float((to_train < to_control).sum() + 0.5 * (to_train == to_control).sum())
    p, lo, hi = wilson(closer, attacked)
    measures.append(Measure("dcr_anteil_naeher_am_original", "Verwendete Datensätze, die dem Zwilling näher sind "
                            "als ein zurückgehaltener (Abstand zum nächsten Zwillingsdatensatz)", p, lo, hi, 0.5, 0.5,
                            0.5, "0,5: kein Unterschied (nichts auswendig gelernt)"))
    measures.append(_share_measure("exakte_kopien_anteil", "Echte Datensätze, die der Zwilling genau enthält "
                                   "(in den Zellen der Domäne)", twin, train_eval, control_eval, False))
    measures.append(_share_measure("seltene_kombinationen_anteil", "Im Original einmalige Kombinationen, die der "
                                   "Zwilling wiedergibt", twin, train_eval, control_eval, True))
    return measures

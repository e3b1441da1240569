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
- distance to closest record (DCR): share of train records that lie closer
  to the twin than a control record does (0.5 when nothing is memorised);
- exact copies and rare combinations: share of the set's records that the
  twin holds exactly, and of those unique in the set.

Singling-out runs against all train records; its control predicates are made
unique in a twin sample scaled to the control set's size, so both aim at the
same rarity. The other measures use equal-sized samples of both sets and
look from the real records towards the twin, so a copied record is found
however large the twin is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from sandbox.twin.stats import Measure, attack_risk, cell_distances, wilson

if TYPE_CHECKING:
    import numpy as np

    from sandbox.twin.domain import Domain

__all__ = ["measure_risk", "ATTACKS", "POOL"]

ATTACKS = 500  # attacks per measure (Annahme: Giomi et al. evaluate with 500 to 2,000)
POOL = 50_000  # twin records searched for nearest neighbours (Annahme: keeps the search within seconds)
_SECRETS = 5  # columns attacked by attribute inference (the target first)
_BLOCK = 16_000_000  # distance cells computed at once (64 MB of float32)


def _chunk(pool: int, columns: int) -> int:
    """Targets per block, so a block of distances stays near :data:`_BLOCK` cells."""
    return max(1, _BLOCK // max(pool * columns, 1))


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
    """Success rates (Wilson) of the attack against all train records and against the control records.

    The predicates against the control set are made unique in a twin sample of
    the control set's size relative to the train set, so both attacks aim at
    the same rarity and a twin that leaks nothing scores the same on both.
    """
    scaled = twin[rng.choice(len(twin), size=max(1, round(len(twin) * len(control) / len(train))), replace=False)]
    on_train, on_control = _predicates(twin, ATTACKS, rng), _predicates(scaled, ATTACKS, rng)
    return (wilson(_singled_out(on_train, train), len(on_train)),
            wilson(_singled_out(on_control, control), len(on_control)))


def _nearest(targets: "np.ndarray", pool: "np.ndarray", domain: "Domain", groups: dict[str, list[int]]
             ) -> dict[str, "np.ndarray"]:
    """Index of the nearest pool record per target, for the distance over each column group."""
    import numpy as np

    found: dict[str, list[np.ndarray]] = {name: [] for name in groups}
    step = _chunk(len(pool), len(domain.columns))
    for start in range(0, len(targets), step):
        parts = cell_distances(targets[start:start + step], pool, domain)
        for name, cols in groups.items():
            found[name].append(parts[:, :, cols].sum(axis=2).argmin(axis=1))
    return {name: np.concatenate(parts) for name, parts in found.items()}


def _closest(records: "np.ndarray", data: "np.ndarray", domain: "Domain") -> "np.ndarray":
    import numpy as np

    step = _chunk(len(data), len(domain.columns))
    out = [cell_distances(records[s:s + step], data, domain).sum(axis=2).min(axis=1)
           for s in range(0, len(records), step)]
    return np.concatenate(out) if out else np.zeros(0)


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

    wins = _singling_out(twin, train, control, rng)
    measures.append(_risk_measure("singling_out_risiko", "Herausgreifen (Singling-out)", *wins))

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
    measures.append(_risk_measure("verknuepfung_risiko", "Verknüpfen (Linkability)", wilson(results[0][0], attacked),
                                  wilson(results[1][0], attacked)))
    worst = max(secrets[:_SECRETS], key=lambda j: results[0][1][j] - results[1][1][j])
    measures.append(_risk_measure("rueckschluss_risiko", f"Rückschluss auf ein Merkmal (schlechteste Spalte: "
                                  f"{names[worst]})", wilson(results[0][1][worst], attacked),
                                  wilson(results[1][1][worst], attacked)))

    to_train = _closest(train_eval[:attacked], pool, domain)
    to_control = _closest(control_eval[:attacked], pool, domain)
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
